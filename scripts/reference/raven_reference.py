#!/usr/bin/env python3
"""RAVEN reference values for test/join/live-raven.test.ts.

Reads a JSON list of GW x external cases (written by the test) and, for each, runs
ligo-raven's ``coinc_far`` (which calls ``skymap_overlap_integral``) through a local stand-in
for the GraceDB client that serves the sky map files from disk, and computes an independent,
finely sampled continuous overlap integral:

    I = 4 pi E_p[rho_GW(Omega)],  Omega drawn from the external density p

by stratified sampling (radial quantiles of the external density x azimuths), rho_GW looked
up in the multi-order GW map at each sample (the cell containing it, order-29 ranges).

External densities are built here from the case parameters, independently of coincide's code:
Gaussian cone exp(-theta^2 / 2 sigma^2); Fermi GBM core + tail (two Fisher densities,
Connaughton et al. 2015); an ellipse as a bivariate Gaussian in the zenithal-equidistant
projection; each as a flat NESTED HEALPix map of probability per pixel (what gwcelery hands
RAVEN as an external sky map). A point uses RAVEN's use_radec path.

Usage: raven_reference.py CASES.json OUT.json WORKDIR
"""
import json
import os
import sys

import astropy_healpix as ah
import healpy as hp
import numpy as np
from astropy import units as u
from ligo.raven import search
from ligo.skymap.io import fits

GPS_T0 = 1_300_000_000.0


class _Response:
    def __init__(self, payload=None, path=None):
        self._payload = payload
        self._path = path

    def json(self):
        return self._payload

    def read(self):
        with open(self._path, "rb") as f:
            return f.read()


class StandInGraceDb:
    """The part of ligo.gracedb.rest.GraceDb that RAVEN's SE and ExtTrig use, served locally."""

    _service_url = "https://gracedb.invalid/api/"

    def __init__(self):
        self.superevents = {}
        self.events = {}
        self.file_paths = {}

    def superevent(self, graceid):
        return _Response(self.superevents[graceid])

    def event(self, graceid):
        return _Response(self.events[graceid])

    def files(self, graceid, filename, raw=True):
        return _Response(path=self.file_paths[(graceid, filename)])


def unit_vector(ra_deg, dec_deg):
    a, d = np.radians(ra_deg), np.radians(dec_deg)
    return np.array([np.cos(d) * np.cos(a), np.cos(d) * np.sin(a), np.sin(d)])


def local_frame(ra_deg, dec_deg):
    a, d = np.radians(ra_deg), np.radians(dec_deg)
    east = np.array([-np.sin(a), np.cos(a), 0.0])
    north = np.array([-np.sin(d) * np.cos(a), -np.sin(d) * np.sin(a), np.cos(d)])
    return unit_vector(ra_deg, dec_deg), east, north


def fisher(kappa, theta):
    """kappa / (4 pi sinh kappa) exp(kappa cos theta), overflow-safe."""
    return kappa / (2 * np.pi * -np.expm1(-2 * kappa)) * np.exp(-2 * kappa * np.sin(theta / 2) ** 2)


def radial_density(spec):
    """The unnormalised radial density f(theta) of a circle spec, and its smallest scale (rad)."""
    if spec["model"] == "gaussian":
        sigma = np.radians(spec["radiusDeg"] / np.sqrt(-2 * np.log(1 - spec["containment"])))
        return (lambda t: np.exp(-(t ** 2) / (2 * sigma ** 2))), sigma
    if spec["model"] == "gbm":
        stat = np.radians(spec["radiusDeg"])
        w, core, tail = spec["coreWeight"], np.radians(spec["coreSysDeg"]), np.radians(spec["tailSysDeg"])
        k1 = 1 / (0.4356 * (stat ** 2 + core ** 2))
        k2 = 1 / (0.4356 * (stat ** 2 + tail ** 2))
        return (lambda t: w * fisher(k1, t) + (1 - w) * fisher(k2, t)), 1 / np.sqrt(k1)
    raise ValueError(spec["model"])


def ellipse_m2(spec, vectors):
    """Squared Mahalanobis distance of unit vectors (N x 3) from an ellipse spec."""
    c, e, n = local_frame(spec["raDeg"], spec["decDeg"])
    k = np.sqrt(-2 * np.log(1 - spec["containment"]))
    sa, sb = np.radians(spec["semiMajorDeg"]) / k, np.radians(spec["semiMinorDeg"]) / k
    pa = np.radians(spec["posAngleDeg"])
    xi, eta, w = vectors @ e, vectors @ n, vectors @ c
    s = np.hypot(xi, eta)
    rho = np.arctan2(s, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        uu = np.where(s > 0, rho * (xi * np.sin(pa) + eta * np.cos(pa)) / s, 0.0)
        vv = np.where(s > 0, rho * (xi * np.cos(pa) - eta * np.sin(pa)) / s, 0.0)
    return (uu / sa) ** 2 + (vv / sb) ** 2


def external_flat_map(spec, nside):
    """Probability per pixel (NESTED) of an analytic external density."""
    x, y, z = hp.pix2vec(nside, np.arange(hp.nside2npix(nside)), nest=True)
    vectors = np.stack([x, y, z], axis=1)
    if spec["kind"] == "ellipse":
        density = np.exp(-0.5 * ellipse_m2(spec, vectors))
    else:
        f, _ = radial_density(spec)
        theta = np.arccos(np.clip(vectors @ unit_vector(spec["raDeg"], spec["decDeg"]), -1, 1))
        density = f(theta)
    return density / density.sum()


def samples(spec, n_radial=256, n_azimuth=96):
    """Stratified samples (unit vectors, equal weights) of an analytic external density."""
    c, e, n = local_frame(spec["raDeg"], spec["decDeg"])
    q = (np.arange(n_radial) + 0.5) / n_radial
    phi = 2 * np.pi * (np.arange(n_azimuth) + 0.5) / n_azimuth
    if spec["kind"] == "ellipse":
        k = np.sqrt(-2 * np.log(1 - spec["containment"]))
        sa, sb = np.radians(spec["semiMajorDeg"]) / k, np.radians(spec["semiMinorDeg"]) / k
        pa = np.radians(spec["posAngleDeg"])
        r = np.sqrt(-2 * np.log(1 - q))[:, None]
        uu = (r * sa * np.cos(phi)[None, :]).ravel()
        vv = (r * sb * np.sin(phi)[None, :]).ravel()
        rho = np.hypot(uu, vv)
        with np.errstate(invalid="ignore", divide="ignore"):
            xi = np.where(rho > 0, (uu * np.sin(pa) + vv * np.cos(pa)) / rho, 0.0)
            eta = np.where(rho > 0, (uu * np.cos(pa) - vv * np.sin(pa)) / rho, 0.0)
        d = xi[:, None] * e[None, :] + eta[:, None] * n[None, :]
        return np.cos(rho)[:, None] * c[None, :] + np.sin(rho)[:, None] * d
    f, scale = radial_density(spec)
    t_max = min(np.pi, 60 * scale) if spec["model"] == "gaussian" else np.pi
    t = np.linspace(0, t_max, 400_001)
    g = f(t) * np.sin(t)
    cdf = np.concatenate([[0], np.cumsum(0.5 * (g[1:] + g[:-1]) * np.diff(t))])
    cdf /= cdf[-1]
    theta = np.interp(q, cdf, t)
    theta = np.repeat(theta, n_azimuth)
    ph = np.tile(phi, n_radial)
    d = np.cos(ph)[:, None] * n[None, :] + np.sin(ph)[:, None] * e[None, :]
    return np.cos(theta)[:, None] * c[None, :] + np.sin(theta)[:, None] * d


class MocLookup:
    """rho_GW at positions: the multi-order cell containing each one (order-29 ranges)."""

    def __init__(self, path):
        table = fits.read_sky_map(path, moc=True)
        uniq = np.asarray(table["UNIQ"]).astype(np.int64)
        level, ipix = ah.uniq_to_level_ipix(uniq)
        level = np.asarray(level, dtype=np.int64)
        ipix = np.asarray(ipix, dtype=np.int64)
        shift = 2 * (29 - level)
        starts = ipix << shift
        order = np.argsort(starts)
        self.starts = starts[order]
        self.ends = ((ipix + 1) << shift)[order]
        density = np.asarray(table["PROBDENSITY"], dtype=float)[order]
        areas = ah.nside_to_pixel_area(ah.level_to_nside(level[order])).to_value(u.sr)
        self.density = density / np.sum(density * areas)

    def __call__(self, vectors):
        lon = np.arctan2(vectors[:, 1], vectors[:, 0])
        lat = np.arcsin(np.clip(vectors[:, 2], -1, 1))
        ipix = np.asarray(ah.lonlat_to_healpix(lon * u.rad, lat * u.rad, 2 ** 29, order="nested"), dtype=np.int64)
        k = np.searchsorted(self.starts, ipix, side="right") - 1
        inside = (k >= 0) & (ipix < self.ends[np.maximum(k, 0)])
        return np.where(inside, self.density[np.maximum(k, 0)], 0.0)


def main():
    cases_path, out_path, workdir = sys.argv[1:4]
    with open(cases_path) as f:
        cases = json.load(f)
    gracedb = StandInGraceDb()
    lookups = {}
    results = []
    for i, case in enumerate(cases):
        se_id, ext_id = f"S{i:04d}", f"E{i:04d}"
        gw_name = os.path.basename(case["gwMap"])
        gracedb.superevents[se_id] = {"preferred_event": f"G{i:04d}", "far": case["gwFarHz"], "t_0": GPS_T0}
        gracedb.file_paths[(se_id, gw_name)] = case["gwMap"]
        ext = case["external"]
        event = {"pipeline": case["pipeline"], "gpstime": GPS_T0 + case["dtSec"], "extra_attributes": {}}
        kwargs = {}
        if ext["kind"] == "point":
            event["extra_attributes"]["GRB"] = {"ra": ext["raDeg"], "dec": ext["decDeg"]}
            kwargs = {"use_radec": True}
        elif ext["kind"] == "map":
            ext_name = os.path.basename(ext["path"])
            gracedb.file_paths[(ext_id, ext_name)] = ext["path"]
            kwargs = {"ext_fitsfile": ext_name, "ext_moc": False, "ext_nested": True}
        else:
            ext_name = f"ext-{i:04d}.fits"
            path = os.path.join(workdir, ext_name)
            hp.write_map(path, external_flat_map(ext, case["nside"]), nest=True, overwrite=True, dtype=np.float64)
            gracedb.file_paths[(ext_id, ext_name)] = path
            kwargs = {"ext_fitsfile": ext_name, "ext_moc": False, "ext_nested": True}
        gracedb.events[ext_id] = event
        optional = {}
        if case["search"] == "SubGRBTargeted":
            optional["far_grb"] = case["externalFarHz"]
        else:
            optional["em_rate"] = case["rateHz"]
        out = search.coinc_far(
            se_id, ext_id, case["tl"], case["th"],
            grb_search=case["search"], se_fitsfile=gw_name, incl_sky=True, gracedb=gracedb,
            se_moc=True, **kwargs, **optional,
        )
        result = {"id": case["id"]}
        if isinstance(out, str):
            result["ravenMessage"] = out
        else:
            st = float(out["spatiotemporal_coinc_far"])
            result.update({
                "temporalFarHz": float(out["temporal_coinc_far"]),
                # Zero overlap: numpy divides to inf, which JSON cannot carry.
                "spaceTimeFarHz": st if np.isfinite(st) else None,
                "overlap": float(out["skymap_overlap"]),
            })
        if ext["kind"] in ("circle", "ellipse"):
            lookup = lookups.setdefault(case["gwMap"], MocLookup(case["gwMap"]))
            result["continuousOverlap"] = float(4 * np.pi * np.mean(lookup(samples(ext))))
        elif ext["kind"] == "point":
            lookup = lookups.setdefault(case["gwMap"], MocLookup(case["gwMap"]))
            result["continuousOverlap"] = float(4 * np.pi * lookup(unit_vector(ext["raDeg"], ext["decDeg"])[None, :])[0])
        results.append(result)
        if ext["kind"] not in ("point", "map"):
            os.remove(gracedb.file_paths[(ext_id, ext_name)])
    with open(out_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
