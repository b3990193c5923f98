#!/usr/bin/env bash
# cipherflow infer --executor ckks: the example models encrypted under
# 128-bit parameters, end to end (keygen, encrypt, run, decrypt), against the
# plaintext model. Slow: real parameters.
# Usage: test_infer_ckks.sh CIPHERFLOW_BINARY SOURCE_DIR
set -uo pipefail
cf=$1 src=$2
fails=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

check() { # check NAME ARGS...: exit 0, agreement >= 95 %, at least MIN_BITS of logit precision
  local name=$1; shift
  if ! "$cf" infer "$@" --quiet >"$out" 2>&1; then
    echo "FAIL: $name exited non-zero"; cat "$out"; fails=$((fails + 1)); return
  fi
  grep -E '^(parameters|agreement|accuracy|logit precision|time):' "$out"
  local agree bits
  agree=$(sed -nE 's/^agreement: ([0-9.]+)%.*/\1/p' "$out")
  bits=$(sed -nE 's/^logit precision: ([0-9.]+) bits.*/\1/p' "$out")
  if ! awk -v a="$agree" -v b="$bits" -v mb="$MIN_BITS" 'BEGIN { exit !(a >= 95 && b >= mb) }'; then
    echo "FAIL: $name: agreement $agree%, $bits bits"; fails=$((fails + 1)); return
  fi
  grep -q 'encrypted' "$out" || { echo "FAIL: $name did not run encrypted"; fails=$((fails + 1)); return; }
  echo "ok: $name"
}

MIN_BITS=10 check mlp "$src/examples/digits/digits_mlp.onnx" --limit 128 --executor ckks
MIN_BITS=10 check mlp-dag "$src/examples/digits/digits_mlp.onnx" --limit 128 --executor ckks-dag
# SiLU at tolerance 1e-2: the logit error is the approximation's, not CKKS noise.
MIN_BITS=4 check cnn "$src/examples/digits/digits_cnn.onnx" --limit 64 --tol 1e-2 --executor ckks
if [[ $fails -ne 0 ]]; then echo "$fails failed"; exit 1; fi
echo "infer ckks: all checks passed"
