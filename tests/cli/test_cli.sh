#!/usr/bin/env bash
# The command's contract: help, --version, and exit status 2 with a one-line
# error naming the culprit for unknown subcommands and flags.
# Usage: test_cli.sh CIPHERFLOW_BINARY SOURCE_DIR
set -uo pipefail
cf=$1
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # expect STATUS PATTERN -- ARGS...
  local want=$1 pattern=$2; shift 3
  "$cf" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: cipherflow $* exited $got, expected $want"; fails=$((fails + 1)); return
  fi
  if ! grep -qE -- "$pattern" "$tmp/out" "$tmp/err"; then
    echo "FAIL: cipherflow $* did not print /$pattern/"; cat "$tmp/out" "$tmp/err"
    fails=$((fails + 1)); return
  fi
  echo "ok: cipherflow $*"
}

expect 0 '^cipherflow [0-9]+\.[0-9]+\.[0-9]+$' -- --version
expect 0 '^cipherflow [0-9]+\.[0-9]+\.[0-9]+$' -- version
expect 0 'subcommands:' -- help
expect 0 'usage: cipherflow bench' -- help bench
expect 0 'usage: cipherflow bench' -- bench --help
expect 2 "unknown subcommand 'frobnicate'" -- frobnicate
expect 2 "unknown option '--frobnicate'" -- --frobnicate
expect 2 "unknown option '--nope'" -- bench --nope
expect 2 "unknown option '--nope'" -- version --nope
expect 2 "--reps expects an integer, got 'x'" -- bench all --reps x
expect 2 "unknown suite 'nosuch'" -- bench nosuch
expect 2 "unknown subcommand 'nosuch'" -- help nosuch
expect 2 'usage: cipherflow' --

# Errors are one line.
"$cf" bench --nope 2>"$tmp/err" >/dev/null
if [[ $(wc -l <"$tmp/err") -ne 1 ]]; then echo "FAIL: error is not one line"; fails=$((fails + 1)); fi

# Every subcommand answers --help with exit 0 and a usage line.
for sub in $("$cf" help | awk '/^subcommands:/{on=1; next} on && NF {print $1} on && !NF {exit}'); do
  expect 0 "usage: cipherflow $sub" -- "$sub" --help
done

echo "$((fails == 0 ? 1 : 0)) passed, $fails failed"
exit $((fails > 0))
