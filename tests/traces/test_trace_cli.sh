#!/usr/bin/env bash
# cipherflow trace: summary (text and JSON), diff, view, svg, export, and
# one-line errors naming the culprit. Usage: test_trace_cli.sh CIPHERFLOW SOURCE_DIR
# (CF_TRACE_GEN names the synthetic trace generator).
set -uo pipefail
cf=$1
gen=${CF_TRACE_GEN:?CF_TRACE_GEN must name cf_trace_gen}
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect() { # expect STATUS PATTERN -- ARGS...
  local want=$1 pattern=$2; shift 3
  "$cf" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $want ]]; then fail "cipherflow $* exited $got, expected $want"; cat "$tmp/err"; return; fi
  if ! grep -qE -- "$pattern" "$tmp/out" "$tmp/err"; then
    fail "cipherflow $* did not print /$pattern/"; head -5 "$tmp/out" "$tmp/err"; return
  fi
  echo "ok: cipherflow $*"
}

seed=$RANDOM
ntasks=$("$gen" "$tmp/a.json" 3 8 6 "$seed") || { echo "generator failed"; exit 1; }
"$gen" "$tmp/b.json" 4 8 6 "$seed" >/dev/null || exit 1

expect 0 'usage: cipherflow trace' -- trace --help
expect 2 'usage: cipherflow trace' -- trace
expect 0 'usage: cipherflow trace summary' -- trace summary --help
expect 0 "makespan .*, $ntasks tasks, 3 workers" -- trace summary "$tmp/a.json"
expect 0 'critical path .* of the makespan' -- trace summary "$tmp/a.json"
expect 0 'longest idle gaps' -- trace summary "$tmp/a.json"
expect 0 'disk -> RAM' -- trace summary "$tmp/a.json"
expect 0 "\"tasks\":$ntasks," -- trace summary --json "$tmp/a.json"
expect 0 'makespan' -- trace diff "$tmp/a.json" "$tmp/b.json"
expect 0 'cpu3' -- trace diff "$tmp/a.json" "$tmp/b.json"
expect 0 "wrote .*a.html \\($ntasks tasks" -- trace view "$tmp/a.json" -o "$tmp/a.html"
expect 0 'wrote .*a.svg' -- trace svg "$tmp/a.json" -o "$tmp/a.svg"
expect 0 'wrote .*small.json' -- trace export "$tmp/a.json" -o "$tmp/small.json" --max-events 50
expect 0 'aggregated at export' -- trace summary "$tmp/small.json"

# The JSON summary agrees with the text one, and the diff of a trace with itself is zero.
"$cf" trace summary --json "$tmp/a.json" >"$tmp/s.json"
grep -q '"makespan_ns":[1-9]' "$tmp/s.json" || fail "makespan missing from --json"
"$cf" trace diff "$tmp/a.json" "$tmp/a.json" >"$tmp/self"
grep -E '^  makespan ' "$tmp/self" | grep -q '+0 ns *+0.0%' || { fail "self-diff is not zero"; cat "$tmp/self"; }

# The page embeds the viewer and the trace, with no network reference.
grep -q 'id="cf-trace"' "$tmp/a.html" || fail "page lacks the trace"
grep -q '@@CF_' "$tmp/a.html" && fail "page has unfilled markers"
grep -qiE 'src="https?:|href="https?:' "$tmp/a.html" && fail "page refers to the network"
n=$(grep -o '<rect class="task"' "$tmp/a.svg" | wc -l)
[[ $n -eq $ntasks ]] || fail "svg has $n task rectangles, expected $ntasks"
"$cf" trace svg "$tmp/a.json" -o "$tmp/small.svg" --max-events 40 2>/dev/null || fail "svg --max-events"
n=$(grep -o '<rect class="task"' "$tmp/small.svg" | wc -l)
[[ $n -le 40 && $n -gt 0 ]] || fail "aggregated svg has $n task rectangles"
n=$(grep -o '"cat":"task"' "$tmp/small.json" | wc -l)
[[ $n -le 50 && $n -gt 0 ]] || fail "aggregated export has $n task slices"

# Errors: one line, exit 1 for bad files, 2 for bad usage.
echo '{"traceEvents": [' >"$tmp/bad.json"
expect 1 "bad.json' is not valid JSON \(line" -- trace summary "$tmp/bad.json"
expect 1 "cannot read trace '$tmp/none.json'" -- trace summary "$tmp/none.json"
expect 2 'missing -o PATH' -- trace view "$tmp/a.json"
expect 2 "unknown subcommand 'frob'" -- trace frob
expect 2 "unknown option '--nope'" -- trace summary --nope "$tmp/a.json"
expect 2 'missing argument' -- trace diff "$tmp/a.json"
expect 2 'max-events must be >= 0' -- trace export "$tmp/a.json" -o "$tmp/x.json" --max-events -3
"$cf" trace summary "$tmp/bad.json" 2>"$tmp/err" >/dev/null
[[ $(wc -l <"$tmp/err") -eq 1 ]] || fail "error is not one line"

echo "$((fails == 0 ? 1 : 0)) passed, $fails failed"
exit $((fails > 0))
