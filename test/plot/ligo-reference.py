"""Reference for test/plot/sky-plot.test.ts, from ligo.skymap (an independent implementation).

stdin: JSON {"skymap": FITS path, "ra": [...], "dec": [...], "probe": [[ra, dec], ...]}.
stdout: JSON {"searchedProb": [...] (crossmatch's greedy credible level at each position),
              "probe": [[x, y], ...] (pixel of each probe position on an "astro hours mollweide"
              axes, and of three anchors: the centre (180, 0), RA 0+ on the equator, the north pole)}.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import astropy.units as u  # noqa: E402
import ligo.skymap.plot  # noqa: E402,F401  (registers the astro projections)
import numpy as np  # noqa: E402
from astropy.coordinates import SkyCoord  # noqa: E402
from ligo.skymap.io import read_sky_map  # noqa: E402
from ligo.skymap.postprocess.crossmatch import crossmatch  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

request = json.load(sys.stdin)
sky_map = read_sky_map(request["skymap"], moc=True)
coords = SkyCoord(np.asarray(request["ra"]) * u.deg, np.asarray(request["dec"]) * u.deg)
result = crossmatch(sky_map, coords)

ax = plt.axes(projection="astro hours mollweide")
anchors = [[180.0, 0.0], [1e-6, 0.0], [180.0, 89.999999]]
world = np.asarray(request["probe"] + anchors)
pixels = ax.wcs.wcs_world2pix(world, 0)
json.dump(
    {"searchedProb": np.asarray(result.searched_prob).tolist(), "probe": pixels.tolist()},
    sys.stdout,
)
