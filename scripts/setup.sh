#!/usr/bin/env bash
# Installs everything duckstore needs to build, run and test on Debian 12:
# Debian packages (compiler, gRPC C core, protobuf-c, libmicrohttpd, jansson, OpenSSL, libcurl, test clients)
# and DuckDB 1.4 LTS from the npm registry (header + libduckdb.so), pinned by version and sha256, into deps/.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

DUCKDB_VERSION=1.4.4
DUCKDB_BINDINGS_VERSION=1.4.4-r.4
DUCKDB_HEADER_SHA256=5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed
DUCKDB_LIB_SHA256=732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b

APT_PACKAGES=(
  build-essential pkg-config ca-certificates
  libgrpc-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libprotobuf-dev grpc-proto
  libmicrohttpd-dev libjansson-dev libssl-dev libcurl4-openssl-dev
  python3 python3-grpcio python3-protobuf python3-requests openssl
  python3-boto3 awscli
)
# npm comes with the machine image; install Debian's only when it is missing.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -f deps/lib/libduckdb.so ] && [ -f deps/include/duckdb.h ] && [ "$(cat deps/VERSION 2>/dev/null)" = "$DUCKDB_BINDINGS_VERSION" ]; then
  exit 0
fi
echo "setup: fetching DuckDB $DUCKDB_VERSION from the npm registry"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "duckdb@$DUCKDB_VERSION" "@duckdb/node-bindings-linux-x64@$DUCKDB_BINDINGS_VERSION" >/dev/null 2>&1)
h="$tmp/duckdb-$DUCKDB_VERSION.tgz"; l="$tmp/duckdb-node-bindings-linux-x64-$DUCKDB_BINDINGS_VERSION.tgz"
echo "$DUCKDB_HEADER_SHA256  $h" | sha256sum -c --quiet -
echo "$DUCKDB_LIB_SHA256  $l" | sha256sum -c --quiet -
mkdir -p deps/include deps/lib
tar -xzf "$h" -O package/src/duckdb/src/include/duckdb.h > deps/include/duckdb.h
tar -xzf "$l" -O package/libduckdb.so > deps/lib/libduckdb.so
echo "$DUCKDB_BINDINGS_VERSION" > deps/VERSION
echo "setup: DuckDB ready in deps/"
