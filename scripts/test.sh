#!/usr/bin/env bash
# Installs the dependencies, builds everything, and runs the whole test suite:
#   1. the proto conformance check (proto/ against appendix A of Keboola's protocol),
#   2. the unit tests,
#   3. the end-to-end tests against the real binary,
#   4. the unit and end-to-end tests again against an ASan+UBSan build.
# Set SKIP_ASAN=1 to skip step 4 while iterating locally (CI never sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc)

echo "== build"
make -j"$jobs" all
make check-proto

echo "== unit tests"
make -s unit

echo "== end-to-end tests (build/duckstore)"
DUCKSTORE_BIN=build/duckstore /usr/bin/python3 -m unittest discover -s tests/e2e -p 'test_*.py' ${E2E_VERBOSE:+-v}

if [ "${SKIP_ASAN:-0}" != "1" ]; then
  echo "== ASan+UBSan build"
  make -j"$jobs" SAN=1 all
  echo "== unit tests (ASan+UBSan)"
  make -s SAN=1 unit
  echo "== end-to-end tests (build-asan/duckstore)"
  DUCKSTORE_BIN=build-asan/duckstore /usr/bin/python3 -m unittest discover -s tests/e2e -p 'test_*.py' ${E2E_VERBOSE:+-v}
fi
echo "== all tests passed"
