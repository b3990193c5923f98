#!/usr/bin/env bash
# cipherflow infer on the example models, and its errors.
# Usage: test_infer.sh CIPHERFLOW_BINARY SOURCE_DIR
set -uo pipefail
cf=$1 src=$2
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # expect STATUS PATTERN -- ARGS...
  local want=$1 pattern=$2; shift 3
  "$cf" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: cipherflow $* exited $got, expected $want"; cat "$tmp/out" "$tmp/err"
    fails=$((fails + 1)); return
  fi
  if ! grep -qE -- "$pattern" "$tmp/out" "$tmp/err"; then
    echo "FAIL: cipherflow $* did not print /$pattern/"; cat "$tmp/out" "$tmp/err"
    fails=$((fails + 1)); return
  fi
  echo "ok: cipherflow $*"
}

for m in mlp cnn; do
  model=$src/examples/digits/digits_$m.onnx
  expect 0 'agreement: (9[5-9]|100)\.[0-9]+% \(' -- infer "$model" --quiet --executor sim
  grep -E '^(agreement|accuracy|logit precision|time):' "$tmp/out"
  expect 0 'plaintext slots' -- infer "$model" --quiet --batch 3 --limit 10 --executor sim
  expect 0 'agreement: 100\.00% \(10/10\)' -- infer "$model" --quiet --limit 10 --executor plan-sim
  expect 0 'levels per layer \(graph lowering\)' -- infer "$model" --quiet --limit 4 --slots 2048 --executor sim
  expect 0 'sample 9: predicted' -- infer "$model" --limit 10 --executor sim
  expect 1 'needs [0-9]+ levels but the parameters give 2' -- infer "$model" --levels 2 --executor sim
done
expect 2 '--batch 1000: only' -- infer "$src/examples/digits/digits_mlp.onnx" --batch 1000
expect 2 '--sched needs --executor starpu' -- infer "$src/examples/digits/digits_mlp.onnx" --executor sim --sched dmda
expect 2 '--trace needs --executor starpu' -- infer "$src/examples/digits/digits_mlp.onnx" --executor ckks --trace "$tmp/t.json"
expect 2 "--sched: .*nosuch" -- infer "$src/examples/digits/digits_mlp.onnx" --sched nosuch
expect 1 'needs [0-9]+ levels but the parameters give 6 \(per layer: conv 1, a [0-9]+' -- infer "$src/examples/digits/digits_cnn.onnx" --executor ckks --params n14 --limit 4
expect 2 '--params needs an encrypted executor' -- infer "$src/examples/digits/digits_mlp.onnx" --executor sim --params n14
expect 1 'needs [0-9]+ levels but the parameters give 6 \(per layer: conv 1, a [0-9]+' -- infer "$src/examples/digits/digits_cnn.onnx" --executor ckks --params n14 --limit 4
expect 2 '--params needs an encrypted executor' -- infer "$src/examples/digits/digits_mlp.onnx" --executor sim --params n14
expect 2 "unknown executor 'gpu'" -- infer "$src/examples/digits/digits_mlp.onnx" --executor gpu
expect 1 'cannot open' -- infer "$tmp/nope.onnx"
head -c 100 "$src/examples/digits/digits_cnn.onnx" >"$tmp/cut.onnx"
expect 1 'not a valid ONNX protobuf' -- infer "$tmp/cut.onnx"
sed 's/Sigmoid/Softmax/' "$src/examples/digits/digits_cnn.onnx" >"$tmp/softmax.onnx"
expect 1 "node 'silu_sigmoid' \(Softmax\): operator Softmax is not supported" -- infer "$tmp/softmax.onnx"

if [[ $fails -ne 0 ]]; then echo "$fails failed"; exit 1; fi
echo "infer: all checks passed"
