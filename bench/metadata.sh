#!/usr/bin/env bash
# Builds duckstore and the C load generator, then runs bench/metadata.py (see its header and bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
make -s -j"$(nproc)" build/duckstore pyproto bench-bins
exec /usr/bin/python3 bench/metadata.py "$@"
