#!/usr/bin/env bash
# Builds duckstore and the raw-DuckDB baseline tool, makes sure PostgreSQL 15 is installed (the baseline of
# case 2; Debian's package, installed here and not by setup.sh because only this benchmark needs it), then runs
# bench/import.py (see its header and bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
fi
make -s -j"$(nproc)" build/duckstore pyproto bench-bins
exec /usr/bin/python3 bench/import.py "$@"
