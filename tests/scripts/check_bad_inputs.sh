#!/usr/bin/env bash
# Every case of tests/bad_inputs: the command fails with its exit code and
# message, and writes nothing.
set -u
landda="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
fail=0
for case in "$src"/tests/bad_inputs/*.case; do
  name="$(basename "$case")"
  args="$(sed -n 's/^args: //p' "$case" | sed "s#{src}#$src#g; s#{work}#$work#g")"
  want="$(sed -n 's/^exit: //p' "$case")"
  # shellcheck disable=SC2086
  "$landda" $args >"$work/stdout" 2>"$work/stderr"
  code=$?
  ok=1
  [ "$code" = "$want" ] || { echo "FAIL $name: exit $code, expected $want"; ok=0; }
  while IFS= read -r expect; do
    grep -qF -- "$expect" "$work/stderr" || { echo "FAIL $name: expected '$expect', got: $(cat "$work/stderr")"; ok=0; }
  done < <(sed -n 's/^expect: //p' "$case")
  [ -e "$work/out" ] && { echo "FAIL $name: wrote $work/out"; ok=0; rm -rf "$work/out"; }
  [ $ok = 1 ] && echo "ok   $name: exit $code: $(head -c 160 "$work/stderr")" || fail=1
done
exit $fail
