#!/usr/bin/env bash
# `cipherflow compile` on every example program, with outputs, grain and
# fusion variants, and its error paths.
# Usage: test_compile_examples.sh CIPHERFLOW_BINARY SOURCE_DIR
set -uo pipefail
cf=$1
src=$2
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for prog in "$src"/examples/programs/*.cfp; do
  name=$(basename "$prog" .cfp)
  for args in "--grain 1" "--grain 4 --fuse" "--grain 0"; do
    # shellcheck disable=SC2086
    if ! "$cf" compile "$prog" $args --dag-out "$tmp/$name.dag" --dot "$tmp/$name.dot" \
        --dag-dot "$tmp/$name.dag.dot" >"$tmp/out" 2>"$tmp/err"; then
      fail "compile $name $args: $(cat "$tmp/err")"; continue
    fi
    for want in 'ops:' 'depth: multiplicative' 'keys:' 'dag: [0-9]+ tasks' 'critical path: '; do
      grep -qE "$want" "$tmp/out" || fail "compile $name $args: no '$want' in output"
    done
    ntasks=$(grep -cE '^task ' "$tmp/$name.dag")
    stated=$(sed -nE 's/^dag: ([0-9]+) tasks.*/\1/p' "$tmp/out")
    [[ "$ntasks" == "$stated" ]] || fail "$name $args: $ntasks task lines, statistics say $stated"
    grep -q '^digraph program' "$tmp/$name.dot" || fail "$name: program DOT"
    grep -q '^digraph dag' "$tmp/$name.dag.dot" || fail "$name: DAG DOT"
  done
  echo "ok: compile $name"
done

# The DAG is deterministic.
"$cf" compile "$src/examples/programs/mlp.cfp" --grain 2 --fuse --dag-out "$tmp/a.dag" >/dev/null
"$cf" compile "$src/examples/programs/mlp.cfp" --grain 2 --fuse --dag-out "$tmp/b.dag" >/dev/null
cmp -s "$tmp/a.dag" "$tmp/b.dag" || fail "DAG output differs between runs"

# Errors: one line naming the culprit, status 1 (failure) or 2 (usage).
"$cf" compile "$tmp/missing.cfp" >/dev/null 2>"$tmp/err"; st=$?
[[ $st -eq 1 ]] && grep -q "missing.cfp" "$tmp/err" || fail "missing file: status $st, $(cat "$tmp/err")"
printf 'cfprogram 1\nchain logn=12\n' >"$tmp/bad.cfp"
"$cf" compile "$tmp/bad.cfp" >/dev/null 2>"$tmp/err"; st=$?
[[ $st -eq 1 ]] && grep -q "line 2" "$tmp/err" || fail "bad program: status $st, $(cat "$tmp/err")"
"$cf" compile "$src/examples/programs/square_add.cfp" --grain -1 >/dev/null 2>"$tmp/err"; st=$?
[[ $st -eq 2 ]] && grep -q -- "--grain" "$tmp/err" || fail "bad grain: status $st"
"$cf" compile >/dev/null 2>&1; st=$?
[[ $st -eq 2 ]] || fail "no program: status $st"
"$cf" compile "$src/examples/programs/square_add.cfp" --dag-out /nonexistent/dir/x >/dev/null 2>"$tmp/err"; st=$?
[[ $st -ne 0 ]] && grep -q "/nonexistent/dir/x" "$tmp/err" || fail "unwritable output: status $st"

echo "$((fails == 0 ? 1 : 0)) passed, $fails failed"
exit $((fails > 0))
