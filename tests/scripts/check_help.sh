#!/usr/bin/env bash
# The command line explains itself to a newcomer.
set -u
landda="$1"
fail=0
expect() {  # expect <description> <substring> -- command...
  local what="$1" needle="$2"
  shift 3
  local out
  out="$("$@" 2>&1)"
  if ! grep -qF -- "$needle" <<<"$out"; then
    echo "FAIL $what: '$needle' not in output of: $*"
    echo "$out" | head -20
    fail=1
  else
    echo "ok   $what"
  fi
}
expect "usage lists commands" "validate CONFIG" -- "$landda" --help
expect "version" "landda 0." -- "$landda" --version
expect "run --help explains --set" "--set" -- "$landda" run --help
expect "run --help explains --restart" "--restart" -- "$landda" run --help
expect "validate --help" "resolved config" -- "$landda" validate --help
expect "describe lists filters" "etkf" -- "$landda" describe
expect "describe lists models" "lorenz96" -- "$landda" describe
expect "describe lists experiments" "twin" -- "$landda" describe
expect "describe shows top-level keys" "seed: integer" -- "$landda" describe
expect "describe etkf shows members" "members: integer = 20; allowed [2, 100000]" -- "$landda" describe etkf
expect "describe letkf shows radius" "radius: number" -- "$landda" describe letkf
expect "describe twin shows observations" "observations: list of sections" -- "$landda" describe twin
expect "unknown command suggests" "did you mean 'run'" -- "$landda" rnu
expect "unknown type suggests" "did you mean 'letkf'" -- "$landda" describe lektf
expect "bench --help" "fraction" -- "$landda" bench --help
expect "usage lists merge" "merge CONFIG" -- "$landda" --help
expect "merge --help names the methods" "mean | tc | lstm" -- "$landda" merge --help
expect "describe lists mergers" "merger types" -- "$landda" describe
expect "describe merge shows products" "products: list of sections" -- "$landda" describe merge
expect "describe tc shows min_samples" "min_samples: integer = 100" -- "$landda" describe tc
expect "describe lstm shows folds" "folds: integer = 0" -- "$landda" describe lstm
expect "bench lstm --help" "seconds per epoch" -- "$landda" bench lstm --help
expect "usage lists compare" "compare CONFIG" -- "$landda" --help
expect "compare --help names validate-with" "--validate-with" -- "$landda" compare --help
expect "describe compare shows retrievals" "retrievals: list of strings" -- "$landda" describe compare
"$landda" rnu >/dev/null 2>&1 && { echo "FAIL unknown command exits 0"; fail=1; }
"$landda" run >/dev/null 2>&1 && { echo "FAIL run without config exits 0"; fail=1; }
"$landda" merge >/dev/null 2>&1 && { echo "FAIL merge without config exits 0"; fail=1; }
exit $fail
