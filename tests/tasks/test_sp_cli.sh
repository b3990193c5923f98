#!/usr/bin/env bash
# run / tune / calibrate on StarPU from the command line: a small program
# runs with --verify (bit-identical to the sequential DAG run), tuning saves
# a configuration that run then uses, bad knobs fail with a clear message.
# Usage: test_sp_cli.sh CIPHERFLOW_BINARY SOURCE_DIR
set -uo pipefail
cf=$1
src=$2
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export STARPU_SILENT=1 STARPU_HOME=$tmp/home HWLOC_PLUGINS_BLACKLIST=hwloc_pci
unset STARPU_SCHED
prog=$src/examples/programs/square_add.cfp
cd "$tmp" || exit 1

expect() { # expect STATUS PATTERN -- ARGS...
  local want=$1 pattern=$2; shift 3
  "$cf" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -eq 77 ]] || grep -q "found no worker" "$tmp/err"; then
    echo "skip: StarPU has no worker here"; exit 77
  fi
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

md=$tmp/models
expect 0 'bit-identical' -- run "$prog" --verify --ncpus 2 --grain 1 --model-dir "$md"
expect 0 'policy dmdas, grain all' -- run "$prog" --sched dmdas --grain 0 --no-fuse --no-prio \
  --ncpus 2 --model-dir "$md" --trace "$tmp/t.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(e["ph"]=="X" for e in d["traceEvents"])' \
  "$tmp/t.json" && echo "ok: trace is JSON with task events" || { echo "FAIL: trace"; fails=$((fails + 1)); }
expect 0 'critical path' -- trace summary "$tmp/t.json"
expect 2 "unknown scheduling policy 'fastest'.*cf-affinity" -- run "$prog" --sched fastest
expect 2 'refused' -- run "$prog" --sched modular-heteroprio-heft
expect 2 'CPU workers requested' -- run "$prog" --ncpus 99
expect 0 'best configuration saved' -- tune "$prog" --policies eager,cf-critpath --grains 2,all \
  --reps 1 --ncpus 2 --model-dir "$md" --trace-dir "$tmp"
for t in eager-g2 eager-gall cf-critpath-g2 cf-critpath-gall; do
  expect 0 "policy +(eager|cf-critpath)" -- trace summary "$tmp/$t.json"
done
expect 0 'policy (eager|cf-critpath), grain (2|all)' -- run "$prog" --ncpus 2 --model-dir "$md"
expect 0 'models written' -- calibrate toy --runs 1 --model-dir "$md"
ls "$md"/sampling/codelets/*/cf_ntt.cipherflow >/dev/null 2>&1 && echo "ok: NTT model file" ||
  { echo "FAIL: no cf_ntt model under $md"; fails=$((fails + 1)); }
exit $((fails > 0))
