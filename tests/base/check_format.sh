#!/usr/bin/env bash
# Fails if a C or CUDA source file does not follow .clang-format.
# Usage: check_format.sh CIPHERFLOW_BINARY SOURCE_DIR
set -uo pipefail
cd "$2"
if ! command -v clang-format >/dev/null; then
  echo "SKIPPED: clang-format is not installed"
  exit 77
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "SKIPPED: not a git checkout, cannot list the project's files"
  exit 77
fi
bad=0
while IFS= read -r f; do
  [[ -f $f ]] || continue
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "format: $f differs from .clang-format (run clang-format -i $f)"
    bad=1
  fi
done < <(git ls-files '*.c' '*.h' '*.cu' '*.cuh')
if ((bad == 0)); then echo "format: ok"; fi
exit $bad
