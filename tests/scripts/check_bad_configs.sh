#!/usr/bin/env bash
# Every config in the folder must be rejected by `landda validate` (and by
# `landda run`, which must write nothing) with the messages in its
# "# expect:" lines.
set -u
landda="$1"
dir="$2"
fail=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for cfg in "$dir"/*.yaml; do
  name="$(basename "$cfg")"
  cd "$dir"
  "$landda" validate "$name" >"$tmp/out" 2>"$tmp/err"
  code=$?
  if [ "$code" -eq 0 ]; then
    echo "FAIL $name: landda validate exited 0"
    fail=1
  fi
  while IFS= read -r line; do
    expect="${line#\# expect: }"
    if ! grep -qF -- "$expect" "$tmp/err"; then
      echo "FAIL $name: expected message not printed: $expect"
      echo "  got: $(cat "$tmp/err")"
      fail=1
    fi
  done < <(grep '^# expect: ' "$cfg")
  "$landda" run "$name" --output "$tmp/run_$name" >/dev/null 2>&1
  if [ $? -eq 0 ] || [ -e "$tmp/run_$name" ]; then
    echo "FAIL $name: landda run did not fail cleanly (exit 0 or an output folder was written)"
    fail=1
  fi
  [ $fail -eq 0 ] && echo "ok   $name: $(head -c 200 "$tmp/err")"
done
exit $fail
