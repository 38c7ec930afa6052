#!/usr/bin/env python3
"""Reference values for coincide's sky toolkit (src/sky/), from healpy, astropy-healpix, mocpy
and ligo.skymap. The JSON it writes under test/reference/sky/ is committed; the tests compare
against it. Deterministic (seeded); rerun after upgrading a reference library:

    scripts/setup-python.sh --reference
    .venv/bin/python scripts/reference/sky_reference.py [--shared ../shared] [--only skymaps] [--out DIR]

test/sky/live-reference.test.ts runs it live (--only skymaps --out <temp>) when .venv holds the
reference libraries, as .ci/run arranges.

Outputs:
  healpix.json.gz   10,000 random points (poles and RA 0/360 included): NESTED index at order 29
                    (healpy; checked hierarchical against healpy at every order 0-29 and against
                    astropy-healpix at 0-15), RING index at orders 0-15, and healpy pix2ang
                    centres (nested) at orders 0-15 for the first 1,000 points.
  cones.json        cones: exact cap area, healpy query_disc pixel sets (centre-inside, and
                    inclusive) and mocpy from_cone areas.
  skymaps.json      every sample sky map and two synthetic Gaussian maps: ligo.skymap
                    crossmatch (what ligo-skymap-stats prints): 50/90 % areas, mode, and at
                    test positions the searched probability, searched area and density; plus
                    mocpy's 90 % MOC area.
  moc-io.json       mocpy IVOA MOC 2.0 ASCII and JSON strings with their depth-29 ranges.
"""
import argparse
import base64
import gzip
import json
import os
import sys
import tempfile

import astropy_healpix as ah
import healpy as hp
import numpy as np
from astropy import units as u
from astropy.coordinates import Latitude, Longitude, SkyCoord
from astropy.table import Table
from ligo.skymap import moc as lmoc
from ligo.skymap.io import read_sky_map
from ligo.skymap.postprocess.crossmatch import crossmatch
from mocpy import MOC

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "test", "reference", "sky")
SEED = 20260525

SAMPLE_MAPS = [
    "skymaps/bayestar.multiorder.fits",
    "skymaps/combined-ext.multiorder.fits",
    "skymaps/rrt_small_area.fits",
    "skymaps/swift_skymap.multiorder.fits",
    "skymaps/bayestar.fits.gz",
    "skymaps/fermi_skymap.fits.gz",
    "skymaps/gbm_subthresh_546126856.048000_healpix.fits",
    "gcn-json/igwn/initial.txt",
]

# Synthetic maps; src/sky tests rebuild exactly these cells (see test/sky/synthetic-maps.ts).
SYNTHETIC = [
    {"name": "gauss-flat-o6", "raDeg": 120.0, "decDeg": -30.0, "sigmaDeg": 3.0, "baseOrder": 6},
    {
        "name": "gauss-moc-o3-o8",
        "raDeg": 300.0,
        "decDeg": 60.0,
        "sigmaDeg": 2.0,
        "baseOrder": 3,
        "fineOrder": 8,
        "refineWithinDeg": 20.0,
    },
]


def random_points(rng, n):
    """Uniform on the sphere, then the edge cases: poles, RA 0 and 360, the equator, z = ±2/3."""
    ra = rng.uniform(0.0, 360.0, n)
    dec = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    edge_dec = np.degrees(np.arcsin(2.0 / 3.0))
    special = [
        (0.0, 90.0), (123.0, 90.0), (0.0, -90.0), (250.0, -90.0), (0.0, 0.0), (360.0, 0.0),
        (360.0, 45.0), (0.0, -45.0), (359.9999999, 10.0), (1e-9, -10.0), (45.0, edge_dec),
        (45.0, -edge_dec), (90.0, 0.0), (180.0, 0.0), (270.0, 89.9999), (10.0, -89.9999),
    ]
    for i, (r, d) in enumerate(special):
        ra[i], dec[i] = r, d
    return ra, dec


def healpix_reference(rng):
    ra, dec = random_points(rng, 10000)
    theta = np.radians(90.0 - dec)
    phi = np.radians(ra)
    nest29 = hp.ang2pix(2**29, theta, phi, nest=True).astype(np.int64)
    for order in range(0, 30):
        nest = hp.ang2pix(2**order, theta, phi, nest=True).astype(np.int64)
        assert np.array_equal(nest, nest29 >> np.int64(2 * (29 - order))), order
        if order <= 15:
            ahn = ah.lonlat_to_healpix(Longitude(ra * u.deg), Latitude(dec * u.deg), 2**order, order="nested")
            mismatch = int(np.sum(ahn != nest))
            if mismatch:
                print(f"note: astropy-healpix differs from healpy at order {order} on {mismatch} points", file=sys.stderr)
    ring = {}
    centres = {}
    for order in range(0, 16):
        nside = 2**order
        ring[str(order)] = hp.ang2pix(nside, theta, phi, nest=False).astype(np.int64).tolist()
        nest = nest29[:1000] >> np.int64(2 * (29 - order))
        lon, lat = hp.pix2ang(nside, nest, nest=True, lonlat=True)
        centres[str(order)] = [[round(float(a), 12), round(float(b), 12)] for a, b in zip(lon, lat)]
    return {
        "generator": "healpy " + hp.__version__,
        "points": [[float(a), float(b)] for a, b in zip(ra, dec)],
        "nest29": [str(int(v)) for v in nest29],
        "ring": ring,
        "pix2angNest": centres,
    }


def ranges_of(sorted_pixels):
    """Runs of consecutive integers as [start, end) pairs."""
    out = []
    for p in sorted_pixels:
        p = int(p)
        if out and out[-1][1] == p:
            out[-1][1] = p + 1
        else:
            out.append([p, p + 1])
    return out


def cone_reference():
    cones = [
        (10.0, 20.0, 5.0, 8),
        (200.0, -60.0, 1.0, 10),
        (0.0, 0.0, 3.0, 9),
        (359.5, 10.0, 2.0, 9),
        (45.0, 89.0, 4.0, 8),
        (300.0, -88.5, 2.5, 9),
        (150.0, 41.8103, 0.5, 12),
        (75.0, -5.0, 10.0, 7),
        (220.0, 30.0, 0.05, 15),
        (33.0, -41.0, 30.0, 6),
    ]
    out = []
    for ra, dec, radius, order in cones:
        vec = hp.ang2vec(ra, dec, lonlat=True)
        nside = 2**order
        centre_in = np.sort(hp.query_disc(nside, vec, np.radians(radius), nest=True, inclusive=False))
        inclusive = hp.query_disc(nside, vec, np.radians(radius), nest=True, inclusive=True, fact=4)
        moc = MOC.from_cone(lon=Longitude(ra * u.deg), lat=Latitude(dec * u.deg), radius=radius * u.deg, max_depth=order)
        out.append(
            {
                "raDeg": ra,
                "decDeg": dec,
                "radiusDeg": radius,
                "order": order,
                "capAreaDeg2": float(2 * np.pi * (1 - np.cos(np.radians(radius))) * (180 / np.pi) ** 2),
                "healpyCentreInside": ranges_of(centre_in),
                "healpyInclusiveCount": int(len(inclusive)),
                "mocpyAreaDeg2": float(moc.sky_fraction * 4 * np.pi * (180 / np.pi) ** 2),
            }
        )
    return {"generator": f"healpy {hp.__version__}, mocpy {MOC.__module__}", "cones": out}


def synthetic_table(spec):
    """Multi-order Gaussian blob: density ∝ exp(−θ²/2σ²) at cell centres, normalised Σ ρ A = 1."""
    base = spec["baseOrder"]
    centre = hp.ang2vec(spec["raDeg"], spec["decDeg"], lonlat=True)
    orders, ipix = [], []
    for p in range(12 * 4**base):
        fine = spec.get("fineOrder")
        if fine is not None:
            v = hp.pix2vec(2**base, p, nest=True)
            if np.degrees(np.arccos(np.clip(np.dot(v, centre), -1, 1))) < spec["refineWithinDeg"]:
                step = 4 ** (fine - base)
                orders.extend([fine] * step)
                ipix.extend(range(p * step, (p + 1) * step))
                continue
        orders.append(base)
        ipix.append(p)
    orders = np.asarray(orders, dtype=np.int64)
    ipix = np.asarray(ipix, dtype=np.int64)
    x, y, z = hp.pix2vec(2**orders, ipix, nest=True)
    cross = np.cross(np.stack([x, y, z], axis=1), centre)
    theta = np.arctan2(np.linalg.norm(cross, axis=1), x * centre[0] + y * centre[1] + z * centre[2])
    sigma = np.radians(spec["sigmaDeg"])
    density = np.exp(-(theta**2) / (2 * sigma**2))
    area = hp.nside2pixarea(2**orders)
    density /= np.sum(density * area)
    return Table({"UNIQ": lmoc.nest2uniq(orders.astype(np.int8), ipix), "PROBDENSITY": density})


def stats(table, rng, label):
    """ligo.skymap crossmatch at the mode, at 12 probability-weighted cell centres and 6 uniform points."""
    order, ipix = lmoc.uniq2nest(np.asarray(table["UNIQ"], dtype=np.int64))
    order = np.asarray(order, dtype=np.int64)  # uniq2nest gives int8: 2**order would overflow
    ipix = np.asarray(ipix, dtype=np.int64)
    area = lmoc.uniq2pixarea(np.asarray(table["UNIQ"], dtype=np.int64))
    prob = np.asarray(table["PROBDENSITY"]) * area
    sorted_table = np.flipud(np.sort(table.as_array(), order="PROBDENSITY"))
    mo, mi = lmoc.uniq2nest(sorted_table["UNIQ"][:1])
    mode_lon, mode_lat = hp.pix2ang(2 ** int(mo[0]), int(mi[0]), nest=True, lonlat=True)
    p = np.clip(prob, 0, None)
    picks = rng.choice(len(table), size=12, p=p / p.sum())
    lon, lat = hp.pix2ang(2 ** order[picks], ipix[picks], nest=True, lonlat=True)
    uni_ra = rng.uniform(0, 360, 6)
    uni_dec = np.degrees(np.arcsin(rng.uniform(-1, 1, 6)))
    ras = np.concatenate([[mode_lon], lon, uni_ra])
    decs = np.concatenate([[mode_lat], lat, uni_dec])
    coords = SkyCoord(ras * u.deg, decs * u.deg)
    result = crossmatch(table, coordinates=coords, contours=(0.5, 0.9))
    # The same crossmatch on the map renormalised to a total probability of 1, as coincide reads
    # every map (issue 10: `coincide skymap` and the join both use the normalised map). The raw
    # values above stay as they were committed.
    normalised_table = Table(
        {"UNIQ": np.asarray(table["UNIQ"], dtype=np.int64), "PROBDENSITY": np.asarray(table["PROBDENSITY"], dtype=np.float64) / prob.sum()}
    )
    normalised = crossmatch(normalised_table, coordinates=coords, contours=(0.5, 0.9))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "map.fits")
        Table(
            {"UNIQ": np.asarray(table["UNIQ"], dtype=np.int64), "PROBDENSITY": np.asarray(table["PROBDENSITY"], dtype=np.float64)},
            meta={"PIXTYPE": "HEALPIX", "ORDERING": "NUNIQ", "COORDSYS": "C", "MOCORDER": int(order.max()), "INDXSCHM": "EXPLICIT"},
        ).write(path, format="fits")
        try:
            moc90 = MOC.from_multiordermap_fits_file(path, cumul_from=0.0, cumul_to=0.9)
            moc90_area = float(moc90.sky_fraction * 4 * np.pi * (180 / np.pi) ** 2)
        except Exception as error:  # noqa: BLE001 - recorded, not fatal
            print(f"note: mocpy could not read {label}: {error}", file=sys.stderr)
            moc90_area = None
    return {
        "rows": int(len(table)),
        "totalProbability": float(prob.sum()),
        "area50Deg2": float(result.contour_areas[0]),
        "area90Deg2": float(result.contour_areas[1]),
        "maxProb": {"raDeg": float(mode_lon), "decDeg": float(mode_lat)},
        "maxDensityPerSr": float(sorted_table["PROBDENSITY"][0]),
        "mocpy90AreaDeg2": moc90_area,
        "positions": [
            {
                "raDeg": float(r),
                "decDeg": float(d),
                "searchedProb": float(sp),
                "searchedAreaDeg2": float(sa),
                "probDensityPerSr": float(pd),
            }
            for r, d, sp, sa, pd in zip(ras, decs, result.searched_prob, result.searched_area, result.probdensity)
        ],
        "normalised": {
            "area50Deg2": float(normalised.contour_areas[0]),
            "area90Deg2": float(normalised.contour_areas[1]),
            "positions": [
                {"searchedProb": float(sp), "searchedAreaDeg2": float(sa), "probDensityPerSr": float(pd)}
                for sp, sa, pd in zip(normalised.searched_prob, normalised.searched_area, normalised.probdensity)
            ],
        },
    }


def skymap_reference(rng, samples_dir):
    maps = []
    for rel in SAMPLE_MAPS:
        path = os.path.join(samples_dir, rel)
        if rel.endswith(".txt"):
            with open(path) as f:
                data = base64.b64decode(json.load(f)["event"]["skymap"])
            with tempfile.NamedTemporaryFile(suffix=".fits") as tmp:
                tmp.write(data)
                tmp.flush()
                table = read_sky_map(tmp.name, moc=True)
        else:
            table = read_sky_map(path, moc=True)
        print(f"skymap {rel}: {len(table)} rows", file=sys.stderr)
        maps.append({"sample": rel, **stats(table, rng, rel)})
    synthetic = []
    for spec in SYNTHETIC:
        table = synthetic_table(spec)
        synthetic.append({"spec": spec, **stats(table, rng, spec["name"])})
    return {"generator": "ligo.skymap crossmatch", "samples": maps, "synthetic": synthetic}


def moc_io_reference():
    mocs = {
        "cone": MOC.from_cone(lon=Longitude(10 * u.deg), lat=Latitude(20 * u.deg), radius=3 * u.deg, max_depth=9),
        "polygon": MOC.from_polygon(
            Longitude([10, 20, 20, 10] * u.deg), Latitude([-5, -5, 5, 5] * u.deg), max_depth=8
        ),
        "cells": MOC.from_healpix_cells(np.array([0, 5, 6, 7, 100]), np.array([0, 3, 3, 3, 5]), max_depth=12),
    }
    out = []
    for name, moc in mocs.items():
        ranges = moc.to_depth29_ranges
        out.append(
            {
                "name": name,
                "ascii": moc.to_string(format="ascii"),
                "json": moc.to_string(format="json"),
                "depth29Ranges": [[str(int(a)), str(int(b))] for a, b in ranges],
                "areaDeg2": float(moc.sky_fraction * 4 * np.pi * (180 / np.pi) ** 2),
                "maxOrder": int(moc.max_order),
            }
        )
    return {"generator": "mocpy", "mocs": out}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    parser.add_argument("--only", choices=["healpix", "cones", "skymaps", "moc-io"])
    parser.add_argument("--out", default=OUT, help="output folder (default: test/reference/sky)")
    args = parser.parse_args()
    samples_dir = os.path.join(args.shared, "upstream-samples")
    out = args.out
    os.makedirs(out, exist_ok=True)
    if args.only in (None, "healpix"):
        data = json.dumps(healpix_reference(np.random.default_rng(SEED)), separators=(",", ":"))
        # mtime=0 and no file name in the gzip header: reruns give identical bytes.
        with open(os.path.join(out, "healpix.json.gz"), "wb") as raw:
            with gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
                f.write(data.encode("utf-8"))
    if args.only in (None, "cones"):
        with open(os.path.join(out, "cones.json"), "w") as f:
            json.dump(cone_reference(), f, separators=(",", ":"))
    if args.only in (None, "skymaps"):
        with open(os.path.join(out, "skymaps.json"), "w") as f:
            json.dump(skymap_reference(np.random.default_rng(SEED + 1), samples_dir), f, indent=1)
    if args.only in (None, "moc-io"):
        with open(os.path.join(out, "moc-io.json"), "w") as f:
            json.dump(moc_io_reference(), f, indent=1)


if __name__ == "__main__":
    main()
