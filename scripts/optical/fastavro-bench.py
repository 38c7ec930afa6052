"""Baseline for bench/optical.ts: fastavro decoding the same packets, in the same run.

    .venv/bin/python scripts/optical/fastavro-bench.py <bench-dir> <runs>

<bench-dir> is written by bench/optical.ts: ztf/NNN.avro (one container per alert, as on
Kafka) with ztf/NNN.projected.avsc (the reader schema coincide's projected reader uses for
that file), lsst-messages.bin (Confluent-framed records, each preceded by a 4-byte big-endian
length), lsst-writer.avsc and lsst-projected.avsc. Prints one JSON object: for each case, the
alerts per second of every run.
"""
import glob
import io
import json
import os
import struct
import sys
import time

import fastavro


def timed_runs(fn, count, runs, min_run_s=0.3):
    """Warm-up, then `runs` runs of at least min_run_s: (alerts per CPU-second, per wall-second)."""
    fn()
    cpu_rates, wall_rates = [], []
    for _ in range(runs):
        alerts = 0
        wall0, cpu0 = time.perf_counter(), time.process_time()
        while True:
            fn()
            alerts += count
            if time.perf_counter() - wall0 >= min_run_s:
                break
        cpu_rates.append(alerts / (time.process_time() - cpu0))
        wall_rates.append(alerts / (time.perf_counter() - wall0))
    return cpu_rates, wall_rates


def main():
    bench_dir, runs = sys.argv[1], int(sys.argv[2])
    ztf_paths = sorted(glob.glob(os.path.join(bench_dir, "ztf", "*.avro")))
    ztf = [open(p, "rb").read() for p in ztf_paths]
    ztf_readers = [
        fastavro.parse_schema(json.load(open(p[: -len(".avro")] + ".projected.avsc"))) for p in ztf_paths
    ]
    raw = open(os.path.join(bench_dir, "lsst-messages.bin"), "rb").read()
    lsst = []
    pos = 0
    while pos < len(raw):
        (n,) = struct.unpack(">I", raw[pos : pos + 4])
        lsst.append(raw[pos + 4 + 5 : pos + 4 + n])  # skip the 5-byte Confluent header
        pos += 4 + n
    writer = fastavro.parse_schema(json.load(open(os.path.join(bench_dir, "lsst-writer.avsc"))))
    reader = fastavro.parse_schema(json.load(open(os.path.join(bench_dir, "lsst-projected.avsc"))))

    def ztf_full():
        for b in ztf:
            for _ in fastavro.reader(io.BytesIO(b)):
                pass

    def ztf_projected():
        for b, r in zip(ztf, ztf_readers):
            for _ in fastavro.reader(io.BytesIO(b), reader_schema=r):
                pass

    def lsst_full():
        for b in lsst:
            fastavro.schemaless_reader(io.BytesIO(b), writer)

    def lsst_projected():
        for b in lsst:
            fastavro.schemaless_reader(io.BytesIO(b), writer, reader)

    out = {"fastavro": fastavro.__version__}
    for key, fn, count in [
        ("ztfFull", ztf_full, len(ztf)),
        ("ztfProjected", ztf_projected, len(ztf)),
        ("lsstFull", lsst_full, len(lsst)),
        ("lsstProjected", lsst_projected, len(lsst)),
    ]:
        out[key], out[key + "Wall"] = timed_runs(fn, count, runs)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
