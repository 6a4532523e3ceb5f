#!/usr/bin/env bash
# One rank and two ranks give the same results (to 1e-10) for every filter.
set -eu
landda="$1"; src="$2"; work="$3"; py="$4"; mpirun="$5"
rm -rf "$work"; mkdir -p "$work"
cfg="$src/experiments/configs/quickstart.yaml"
for f in etkf enkf letkf none; do
  sets=(--set filter.type=$f --set experiment.cycles=400 --log-level warn)
  [ $f = letkf ] && sets+=(--set filter.localization.radius=10)
  [ $f = enkf ] && sets+=(--set filter.inflation.factor=1.05)
  "$landda" run "$cfg" "${sets[@]}" --output "$work/$f-1"
  $mpirun "$landda" run "$cfg" "${sets[@]}" --output "$work/$f-2"
  "$py" "$src/tests/scripts/compare_outputs.py" "$work/$f-1" "$work/$f-2" 1e-10
done
soil="$src/experiments/configs/twin_surface.yaml"
for f in letkf none; do
  sets=(--set filter.type=$f --set experiment.cycles=20 --set experiment.spinup=2 --log-level warn)
  "$landda" run "$soil" "${sets[@]}" --output "$work/soil-$f-1"
  $mpirun "$landda" run "$soil" "${sets[@]}" --output "$work/soil-$f-2"
  "$py" "$src/tests/scripts/compare_outputs.py" "$work/soil-$f-1" "$work/soil-$f-2" 1e-10
done
echo "results do not depend on the number of ranks"
