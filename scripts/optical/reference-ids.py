"""Reference values for test/optical, computed independently of coincide's decoder.

Decodes every Avro alert sample in ../shared/upstream-samples with fastavro (which reads
Avro longs as exact Python ints) and writes the identifiers as decimal strings, plus the
fields the mapping uses, to test/reference/optical-ids.json. Also converts a few MJD (TAI)
values to UTC with astropy.time, to check src/optical/tai-utc.ts.

    .venv/bin/python scripts/optical/reference-ids.py
"""
import glob
import json
import os

import fastavro
from astropy.time import Time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "..", "shared", "upstream-samples")
OUT = os.path.join(ROOT, "test", "reference", "optical-ids.json")


def ztf(rec):
    c = rec["candidate"]
    return {
        "survey": "ZTF",
        "objectId": rec["objectId"],
        "candid": str(rec["candid"]),
        "candidateCandid": str(c["candid"]),
        "ra": c["ra"],
        "dec": c["dec"],
        "jd": c["jd"],
        "fid": c["fid"],
        "magpsf": c["magpsf"],
        "isdiffpos": c["isdiffpos"],
        "jdstarthist": c.get("jdstarthist"),
        "drb": c.get("drb"),
        "rb": c.get("rb"),
        "ssdistnr": c.get("ssdistnr"),
        "nPrvCandidates": len(rec.get("prv_candidates") or []),
    }


def lsst(rec):
    s = rec["diaSource"]
    o = rec.get("diaObject") or {}
    return {
        "survey": "LSST",
        "diaSourceId": str(s["diaSourceId"]),
        "diaSourceDiaObjectId": None if s.get("diaObjectId") is None else str(s["diaObjectId"]),
        "diaObjectId": None if o.get("diaObjectId") is None else str(o["diaObjectId"]),
        "prvDiaSourceIds": [str(p["diaSourceId"]) for p in (rec.get("prvDiaSources") or [])],
        "ra": s["ra"],
        "dec": s["dec"],
        "midpointMjdTai": s["midpointMjdTai"],
        "band": s.get("band"),
        "psfFlux": s["psfFlux"],
    }


def main():
    files = sorted(glob.glob(os.path.join(SAMPLES, "ztf-avro", "**", "*.avro"), recursive=True))
    files += sorted(glob.glob(os.path.join(SAMPLES, "lsst-avro", "*", "*.avro")))
    samples = {}
    for path in files:
        with open(path, "rb") as fh:
            records = list(fastavro.reader(fh))
        rel = os.path.relpath(path, SAMPLES)
        samples[rel] = [ztf(r) if "candidate" in r else lsst(r) for r in records]
    # (Not on a leap-second day itself: astropy spreads that day's 86401 s over the MJD fraction.)
    tai = [50000.0, 57752.5, 57754.0005, 60000.5, 60902.993305483615]
    conversions = [{"mjdTai": t, "mjdUtc": Time(t, format="mjd", scale="tai").utc.mjd} for t in tai]
    with open(OUT, "w") as fh:
        json.dump(
            {
                "generatedBy": "scripts/optical/reference-ids.py (fastavro %s)" % fastavro.__version__,
                "samples": samples,
                "taiToUtc": conversions,
            },
            fh,
            indent=1,
        )
        fh.write("\n")


if __name__ == "__main__":
    main()
