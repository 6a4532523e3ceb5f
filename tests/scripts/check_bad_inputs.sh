#!/usr/bin/env bash
# Every case of tests/bad_inputs: the command fails with its exit code and
# message, and writes nothing: {work}/out holds the same files, unchanged,
# after the command as after the case's `setup:` (a shell command, optional).
set -u
landda="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
fail=0
for case in "$src"/tests/bad_inputs/*.case; do
  name="$(basename "$case")"
  args="$(sed -n 's/^args: //p' "$case" | sed "s#{src}#$src#g; s#{work}#$work#g")"
  want="$(sed -n 's/^exit: //p' "$case")"
  rm -rf "$work/out"
  setup="$(sed -n 's/^setup: //p' "$case" | sed "s#{src}#$src#g; s#{work}#$work#g; s#{landda}#$landda#g")"
  [ -n "$setup" ] && bash -c "$setup"
  before="$( [ -e "$work/out" ] && (cd "$work/out" && find . -type f -exec md5sum {} + | sort) )"
  # shellcheck disable=SC2086
  "$landda" $args >"$work/stdout" 2>"$work/stderr"
  code=$?
  after="$( [ -e "$work/out" ] && (cd "$work/out" && find . -type f -exec md5sum {} + | sort) )"
  ok=1
  [ "$code" = "$want" ] || { echo "FAIL $name: exit $code, expected $want"; ok=0; }
  while IFS= read -r expect; do
    grep -qF -- "$expect" "$work/stderr" || { echo "FAIL $name: expected '$expect', got: $(cat "$work/stderr")"; ok=0; }
  done < <(sed -n 's/^expect: //p' "$case")
  [ "$before" = "$after" ] || { echo "FAIL $name: the command changed $work/out"; ok=0; }
  [ $ok = 1 ] && echo "ok   $name: exit $code: $(head -c 160 "$work/stderr")" || fail=1
done
exit $fail
