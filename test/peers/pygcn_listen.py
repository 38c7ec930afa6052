"""Runs pygcn's gcn.listen() against a broker and saves every event it hands to its handler.

Usage: python pygcn_listen.py HOST PORT OUTDIR
Each event is written to OUTDIR/NNNN.xml (raw payload bytes) and announced on stdout.
"""
import logging
import os
import sys

import gcn

host, port, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
logging.basicConfig(level=logging.INFO, stream=sys.stdout)
count = [0]


def handler(payload, root):
    count[0] += 1
    path = os.path.join(outdir, "%04d.xml" % count[0])
    with open(path + ".tmp", "wb") as f:
        f.write(payload)
    os.rename(path + ".tmp", path)
    print("RECEIVED", root.attrib.get("ivorn"), flush=True)


gcn.listen(host=host, port=port, handler=handler)
