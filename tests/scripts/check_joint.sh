#!/usr/bin/env bash
# The SMAP/AMSR2/ASCAT twin: every single source beats the open loop, and
# assimilating all three jointly beats every single source, at the surface and
# in the root zone.
set -eu
landda="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
cfg="$src/experiments/configs/twin_smap_amsr2_ascat.yaml"
w=(--log-level warn --set output.fields=false)
"$landda" run "$cfg" --output "$work/openloop" --set filter.type=none "${w[@]}"
"$landda" run "$cfg" --output "$work/joint" "${w[@]}"
"$landda" run "$cfg" --output "$work/smap" --set experiment.observations.1.assimilate=false --set experiment.observations.2.assimilate=false "${w[@]}"
"$landda" run "$cfg" --output "$work/amsr2" --set experiment.observations.0.assimilate=false --set experiment.observations.2.assimilate=false "${w[@]}"
"$landda" run "$cfg" --output "$work/ascat" --set experiment.observations.0.assimilate=false --set experiment.observations.1.assimilate=false "${w[@]}"
num() { grep -oE "\"$2\": [-0-9.eE+]+" "$work/$1/summary.json" | cut -d' ' -f2; }
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
fail=0
for key in rmse_surface rmse_rootzone; do
  ol="$(num openloop $key)"; joint="$(num joint $key)"
  for s in smap amsr2 ascat; do
    v="$(num $s $key)"
    if less "$v" "$ol" && less "$joint" "$v"; then echo "ok   $key: joint $joint < $s $v < open loop $ol"
    else echo "FAIL $key: joint $joint, $s $v, open loop $ol"; fail=1; fi
  done
done
exit $fail
