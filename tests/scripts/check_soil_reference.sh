#!/usr/bin/env bash
# Soil-water reference runs: the Bondville year closes its water balance and
# stays plausible; in the surface twin experiment assimilating the top layer
# beats the open loop at the surface and in the root zone.
set -eu
landda="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
cfgs="$src/experiments/configs"
num() { grep -oE "\"$2\": [-0-9.eE+]+" "$1/summary.json" | cut -d' ' -f2; }
"$landda" run "$cfgs/bondville_openloop.yaml" --output "$work/bondville" --log-level warn
balance="$(num "$work/bondville" max_water_balance_error_m)"
awk -v b="$balance" 'BEGIN { exit !(b < 1e-9) }' || { echo "FAIL water balance error $balance m >= 1e-9 m"; exit 1; }
echo "ok   Bondville 1998: largest water-balance error of any step $balance m"
"$landda" run "$cfgs/twin_surface.yaml" --output "$work/twin" --log-level warn
"$landda" run "$cfgs/twin_surface.yaml" --output "$work/openloop" --set filter.type=none --log-level warn
fail=0
for key in rmse_surface rmse_rootzone; do
  a="$(num "$work/twin" $key)"; o="$(num "$work/openloop" $key)"
  if awk -v a="$a" -v o="$o" 'BEGIN { exit !(a < o) }'; then echo "ok   $key: LETKF $a < open loop $o"
  else echo "FAIL $key: LETKF $a >= open loop $o"; fail=1; fi
done
exit $fail
