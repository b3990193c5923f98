#!/usr/bin/env bash
# Fails if a layer includes a header from a layer above it (DESIGN.md).
# Usage: check_layering.sh CIPHERFLOW_BINARY SOURCE_DIR
set -euo pipefail
src=$2
cd "$src"

# layer -> the project folders its sources may include from
declare -A allowed=(
  [base]="base"
  [kernels/cpu]="base kernels/cpu"
  [kernels/cuda]="base kernels/cpu kernels/cuda"
  [kernels/ckks]="base kernels/cpu kernels/ckks"
  [graph]="base kernels graph"
  [memory]="base kernels graph memory"
  [traces]="base traces"
  [scheduler]="base kernels graph traces scheduler"
  [tasks]="base kernels graph memory traces scheduler tasks"
  [frontends]="base kernels graph memory traces scheduler tasks frontends bench"
  [bench]="base kernels graph memory traces scheduler tasks frontends bench"
)
declare -A starpu_ok=([memory]=1 [scheduler]=1 [tasks]=1 [frontends]=1 [bench]=1)

bad=0
for layer in "${!allowed[@]}"; do
  [[ -d $layer ]] || continue
  while IFS= read -r hit; do
    file=${hit%%:*}
    inc=$(sed -E 's/.*#include *"([^"]+)".*/\1/' <<<"${hit#*:}")
    [[ $inc == */* ]] || continue
    [[ $inc == cipherflow/* ]] && continue
    ok=0
    for a in ${allowed[$layer]}; do [[ $inc == "$a"/* ]] && ok=1; done
    if ((!ok)); then echo "layering: $file includes \"$inc\" from a layer above $layer"; bad=1; fi
  done < <(grep -rHE '^#include *"' "$layer" --include='*.c' --include='*.h' --include='*.cu' --include='*.cuh' || true)
  if [[ -z ${starpu_ok[${layer%%/*}]:-} ]] && grep -rlE '#include *<starpu' "$layer" >/dev/null 2>&1; then
    echo "layering: $layer includes StarPU, which only memory/, scheduler/, tasks/ may use"
    bad=1
  fi
done
if [[ $bad -eq 0 ]]; then echo "layering: ok"; fi
exit $bad
