#!/usr/bin/env bash
# Builds the project's Python virtual environment (.venv) with the VTP interoperability peers
# (Comet 3.1.0, pygcn) and, with --reference, the reference libraries (healpy, mocpy,
# ligo.skymap, fastavro, ligo-raven). Idempotent: pip skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements/peers.txt
if [[ "${1:-}" == "--reference" ]]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements/reference.txt
fi
