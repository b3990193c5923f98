#!/usr/bin/env bash
# Headless Chromium loads pages made by `cipherflow trace view` from a
# realistic synthetic trace and from a real StarPU run of examples/programs/mlp.cfp,
# and must draw every task, worker row, memory lane
# and summary figure. The DOM dump and a screenshot stay in $CF_TEST_OUT.
# Usage: test_trace_browser.sh CIPHERFLOW SOURCE_DIR (CF_TRACE_GEN: the generator;
# CF_CHROMIUM overrides the browser found on PATH)
set -uo pipefail
cf=$1
src=$2
gen=${CF_TRACE_GEN:?CF_TRACE_GEN must name cf_trace_gen}
out=${CF_TEST_OUT:-$(mktemp -d)}
chromium=${CF_CHROMIUM:-$(command -v chromium || true)}
if [[ -z $chromium || ! -x $chromium ]]; then
  echo "SKIP: chromium is not installed (scripts/install-deps --with-browser installs it)"
  exit 77
fi
mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.html
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

workers=4
ntasks=$("$gen" "$out/trace.json" $workers 12 10 $RANDOM) || { echo "generator failed"; exit 1; }
"$cf" trace view "$out/trace.json" -o "$out/page.html" || exit 1
"$cf" trace summary --json "$out/trace.json" >"$out/summary.json" || exit 1

browse() { # browse URL_SUFFIX ARGS...: headless Chromium on the page, bounded in time
  local suffix=$1; shift
  timeout 70 "$chromium" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run \
    --user-data-dir="$tmp/profile" --virtual-time-budget=10000 --window-size=1400,1000 \
    "$@" "file://${page:-$out/page.html}$suffix" 2>>"$out/chromium.log"
}
browse "" --dump-dom >"$out/dom.html" || fail "chromium --dump-dom failed (see chromium.log)"
browse "" --screenshot="$out/trace-viewer.png" >/dev/null || fail "chromium --screenshot failed"
# The page drives its own wheel, drag, reset and hover handlers on #selftest.
browse "#selftest" --dump-dom >"$out/selftest.html" || fail "chromium self-test run failed"
st=$(grep -o 'data-selftest="[^"]*"' "$out/selftest.html")
[[ $st == 'data-selftest="zoom:ok pan:ok reset:ok hover:ok"' ]] \
  && echo "ok: interactions ($st)" || fail "interactions: ${st:-no data-selftest}"

count() { grep -o -- "$1" "$out/dom.html" | wc -l; }
[[ $(count 'data-ready="1"') -eq 1 ]] || fail "the viewer script did not finish (no data-ready)"
n=$(count '<rect class="task')
[[ $n -eq $ntasks ]] && echo "ok: $n task rectangles" || fail "$n task rectangles, expected $ntasks"
n=$(count 'class="worker-row"')
[[ $n -eq $workers ]] && echo "ok: $n worker rows" || fail "$n worker rows, expected $workers"
n=$(count 'class="memory-lane"')
[[ $n -eq 2 ]] && echo "ok: 2 memory lanes" || fail "$n memory lanes, expected 2 (RAM, disk)"
n=$(count 'class="link-row"')
[[ $n -ge 1 ]] || fail "no transfer row"
grep -q "data-tasks=\"$ntasks\"" "$out/dom.html" || fail "summary lacks data-tasks=$ntasks"
# The makespan card shows the command's own figure, formatted as the page does.
ms=$(grep -o '"makespan_ns":[0-9]*' "$out/summary.json" | cut -d: -f2)
want=$(awk -v n="$ms" 'BEGIN { printf "%.3f ms", n / 1e6 }')
grep -q "id=\"card-makespan\"><div class=\"k\">makespan</div><div class=\"v\">$want<" "$out/dom.html" \
  && echo "ok: makespan card shows $want" || fail "makespan card does not show $want"
grep -q 'id="card-critical"><div class="k">critical path</div><div class="v">[0-9.]* [mu]*s (' \
  "$out/dom.html" || fail "critical path card missing"
nk=$(grep -o '"kernels":\[[^]]*\]' "$out/summary.json" | grep -o '"name"' | wc -l)
n=$(count 'class="item" data-kernel=')
[[ $n -eq $nk ]] && echo "ok: legend has $n kernels" || fail "legend has $n kernels, expected $nk"
grep -q 'id="t-gaps"' "$out/dom.html" || fail "idle gaps table missing"
size=$(stat -c %s "$out/trace-viewer.png" 2>/dev/null || echo 0)
[[ $size -gt 20000 ]] && echo "ok: screenshot $out/trace-viewer.png ($size bytes)" \
  || fail "screenshot missing or blank ($size bytes)"

# A real run: the trace of an HE program executed on StarPU.
export STARPU_SILENT=1 STARPU_HOME=$tmp/home HWLOC_PLUGINS_BLACKLIST=hwloc_pci
if (cd "$src" && "$cf" run examples/programs/mlp.cfp --ncpus 2 --grain 4 --model-dir "$tmp/models" \
  --trace "$out/run-trace.json" >"$out/run.log" 2>&1); then
  "$cf" trace view "$out/run-trace.json" -o "$out/run-page.html" || fail "trace view of a run"
  "$cf" trace summary --json "$out/run-trace.json" >"$out/run-summary.json" || fail "run summary"
  page=$out/run-page.html
  browse "" --dump-dom >"$out/run-dom.html" || fail "chromium on the run's page"
  browse "" --screenshot="$out/run-trace-viewer.png" >/dev/null || fail "run screenshot"
  rtasks=$(grep -o '"tasks":[0-9]*' "$out/run-summary.json" | head -1 | cut -d: -f2)
  rworkers=$(grep -o '"busy_ns"' "$out/run-summary.json" | wc -l)
  n=$(grep -o '<rect class="task' "$out/run-dom.html" | wc -l)
  [[ -n $rtasks && $n -eq $rtasks ]] && echo "ok: real run, $n task rectangles" \
    || fail "real run: $n task rectangles, expected ${rtasks:-?}"
  n=$(grep -o 'class="worker-row"' "$out/run-dom.html" | wc -l)
  [[ $n -eq $rworkers ]] && echo "ok: real run, $n worker rows" \
    || fail "real run: $n worker rows, expected $rworkers"
  grep -q 'id="card-critical"><div class="k">critical path</div><div class="v">[0-9.]* [mu]*s (' \
    "$out/run-dom.html" && echo "ok: real run, critical path shown" || fail "real run: no critical path"
else
  fail "cipherflow run failed (see $out/run.log)"
fi

echo "$((fails == 0 ? 1 : 0)) passed, $fails failed"
exit $((fails > 0))
