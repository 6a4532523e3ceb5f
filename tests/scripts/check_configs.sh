#!/usr/bin/env bash
# Every config shipped in experiments/configs passes `landda validate` (keys,
# ranges, files it names), so the examples in the docs stay runnable.
set -u
landda="$1"; dir="$2"
fail=0
err="$(mktemp)"; trap 'rm -f "$err"' EXIT
for cfg in "$dir"/*.yaml; do
  if "$landda" validate "$cfg" >/dev/null 2>"$err"; then
    echo "ok   $(basename "$cfg")"
  else
    echo "FAIL $(basename "$cfg"): $(cat "$err")"
    fail=1
  fi
done
exit $fail
