#!/usr/bin/env bash
# Lorenz-96 reference (Sakov & Oke 2008 setting: 40 variables, F = 8, dt = 0.05,
# all observed every step with R = I, 10,000 cycles after 1,000 of spin-up):
# the time-mean analysis RMSE of each filter must stay within the bounds PDAF
# reaches on this machine (0.176, 0.190, 0.208, 0.186) plus a small margin.
set -eu
landda="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
cfgs="$src/experiments/configs"
fail=0
check() {  # check <name> <bound> <config> [--set ...]
  local name="$1" bound="$2" cfg="$3"
  shift 3
  "$landda" run "$cfgs/$cfg" --output "$work/$name" --set output.fields=false --log-level warn "$@"
  local rmse
  rmse="$(grep -oE '"analysis_rmse": [0-9.eE+-]+' "$work/$name/summary.json" | cut -d' ' -f2)"
  if awk -v r="$rmse" -v b="$bound" 'BEGIN { exit !(r <= b) }'; then
    echo "ok   $name: analysis RMSE $rmse <= $bound"
  else
    echo "FAIL $name: analysis RMSE $rmse > $bound"
    fail=1
  fi
}
check etkf_n40 0.18 l96_etkf.yaml --set filter.members=40 --set filter.inflation.factor=1.01 --set filter.inflation.apply=posterior
check etkf_n20 0.20 l96_etkf.yaml
check enkf_n40 0.22 l96_enkf.yaml
check letkf_n20 0.19 l96_letkf.yaml
check etkf_n20_enkf_n 0.20 l96_etkf.yaml --set filter.inflation.factor=1.0 --set filter.inflation.adaptive=enkf_n --set filter.inflation.enkf_n_strength=2
exit $fail
