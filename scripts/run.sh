#!/usr/bin/env bash
# Installs the dependencies, builds duckstore and starts it on its embedded defaults:
# data in ./data, gRPC on :50051, REST on :8000, the admin key in data/admin.key (created on first start).
# Extra arguments go to `duckstore serve` (see `build/duckstore serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
make -j"$(nproc)" build/duckstore
exec build/duckstore serve "$@"
