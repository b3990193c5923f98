#!/usr/bin/env bash
# cipherflow infer on StarPU (the default executor) with a trace: the digits
# MLP under preset n14 (the smallest 128-bit preset), 128 images in one
# ciphertext, must agree with the plaintext model on every image, the StarPU
# outputs must be bit-identical to the sequential run of the same DAG
# (--verify), and the trace must load in `trace summary` with every task
# named by its HE operation and a critical path from the DAG's edges.
# Usage: test_infer_starpu.sh CIPHERFLOW_BINARY SOURCE_DIR
set -uo pipefail
cf=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export STARPU_SILENT=1 STARPU_HOME=$tmp/home HWLOC_PLUGINS_BLACKLIST=hwloc_pci
unset STARPU_SCHED
cd "$tmp" || exit 1
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null; exit 1; }

"$cf" infer "$src/examples/digits/digits_mlp.onnx" --params n14 --limit 128 --ncpus 2 --verify \
  --trace "$tmp/mlp.json" --model-dir "$tmp/models" --quiet >"$tmp/out" 2>"$tmp/err"
rc=$?
if grep -q "found no worker" "$tmp/err"; then echo "skip: StarPU has no worker here"; exit 77; fi
[[ $rc -eq 0 ]] || fail "infer exited $rc"
cat "$tmp/out"
grep -q 'run on StarPU (encrypted)' "$tmp/out" || fail "infer did not use the StarPU executor"
grep -qE '^agreement: 100\.00% \(128/128\)' "$tmp/out" || fail "agreement below 100%"
bits=$(sed -nE 's/^logit precision: ([0-9.]+) bits.*/\1/p' "$tmp/out")
awk -v b="$bits" 'BEGIN { exit !(b >= 10) }' || fail "logit precision $bits bits < 10"
grep -qE '^time per stage: keygen [0-9.]+ s, encrypt [0-9.]+ s, run [0-9.]+ s, decrypt' \
  "$tmp/out" || fail "no time per stage"
grep -q '^verify: every StarPU output bit-identical' "$tmp/out" || fail "no verify line"
grep -q 'run: ciphertext 1/1' "$tmp/err" || fail "no progress line"
ntasks=$(sed -nE 's/.* ([0-9]+) tasks per ciphertext.*/\1/p' "$tmp/out")

"$cf" trace summary "$tmp/mlp.json" >"$tmp/out" 2>"$tmp/err" || fail "trace summary failed"
cat "$tmp/out"
# The DAG's tasks plus the host's encryption, sequential reference, data
# registration and decryption.
grep -qE "^makespan .* $((ntasks + 4)) tasks, 3 workers" "$tmp/out" ||
  fail "summary: not $ntasks + 4 tasks on 2 StarPU workers and the host"
grep -qE '^critical path [0-9.]+ [mun]?s = [0-9.]+% of the makespan, [0-9]+ tasks' "$tmp/out" ||
  fail "summary: no critical path"
grep -q '^by HE op' "$tmp/out" || fail "summary: no HE operations"
grep -qE '^  linear ' "$tmp/out" || fail "summary: no linear-transform tasks"
grep -qE '^  CPU 0 ' "$tmp/out" && grep -qE '^  host ' "$tmp/out" || fail "summary: workers not named"
python3 - "$tmp/mlp.json" "$ntasks" <<'PY' || fail "trace content"
import json, sys
d = json.load(open(sys.argv[1]))
every = [e for e in d["traceEvents"] if e.get("cat") == "task"]
host = [t for t in every if t["name"] in ("ENCRYPT", "SEQ_REFERENCE", "DATA_IN", "DECRYPT")]
tasks = [t for t in every if t not in host]
assert len(tasks) == int(sys.argv[2]) and len(host) == 4, (len(tasks), len(host), sys.argv[2])
ids = {t["args"]["id"] for t in every}
# Host stages in order, and no DAG task before the data is in.
order = [h["name"] for h in sorted(host, key=lambda h: h["ts"])]
assert order == ["ENCRYPT", "SEQ_REFERENCE", "DATA_IN", "DECRYPT"], order
data_in = [h for h in host if h["name"] == "DATA_IN"][0]
assert min(t["ts"] for t in tasks) >= data_in["ts"] + data_in["dur"] - 1e-3
assert all(t["args"]["op"] for t in tasks), "a task without HE op"
assert all(0 <= t["args"]["limbs"][0] < t["args"]["limbs"][1] for t in tasks), "limb range"
deps = [x for t in tasks for x in t["args"].get("deps", [])]
assert deps and all(x in ids for x in deps), "dependencies missing or dangling"
assert [m["name"] for m in d["otherData"]["memnodes"]] == ["RAM"], d["otherData"]["memnodes"]
PY
# run --trace: the same recorder on an HE program file; tasks carry their ops.
"$cf" run "$src/examples/programs/square_add.cfp" --ncpus 2 --trace "$tmp/run.json" \
  --model-dir "$tmp/models" >"$tmp/out" 2>"$tmp/err" || fail "run --trace failed"
"$cf" trace summary "$tmp/run.json" >"$tmp/out" 2>"$tmp/err" || fail "trace summary of run failed"
grep -qE '^critical path [0-9.]+ [mun]?s = ' "$tmp/out" || fail "run trace: no critical path"
grep -qE '^  (mul|relin|rescale|add) ' "$tmp/out" || fail "run trace: tasks without HE ops"
echo "infer on StarPU: all checks passed"
