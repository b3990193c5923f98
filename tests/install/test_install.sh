#!/usr/bin/env bash
# Installs the library into a temporary prefix and builds a separate project
# against it twice: through find_package(cipherflow) and through pkg-config.
# Usage: test_install.sh BUILD_DIR CONSUMER_SOURCE_DIR
set -euo pipefail
build=$1
consumer=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$consumer" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cmake-build" >/dev/null
"$tmp/cmake-build/consumer" | tee "$tmp/out1"

libdir=$(find "$tmp/prefix" -name cipherflow.pc -printf '%h\n')
export PKG_CONFIG_PATH=$libdir
cc -std=c17 -o "$tmp/consumer-pc" "$consumer/main.c" $(pkg-config --cflags cipherflow) \
  $(pkg-config --libs cipherflow) -Wl,-rpath,"$(pkg-config --variable=libdir cipherflow)"
"$tmp/consumer-pc" | tee "$tmp/out2"
grep -q '^consumer: cipherflow ' "$tmp/out1"
grep -q '^consumer: cipherflow ' "$tmp/out2"
echo "1 passed, 0 failed"
