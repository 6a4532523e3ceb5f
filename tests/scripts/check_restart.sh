#!/usr/bin/env bash
# A run stopped after a checkpoint and continued with --restart ends with the
# same outputs as one that never stopped.
set -eu
landda="$1"; src="$2"; work="$3"; py="$4"
rm -rf "$work"; mkdir -p "$work"
cfg="$src/experiments/configs/quickstart.yaml"
common=(--set experiment.cycles=600 --set output.checkpoint_every=100 --log-level warn)
for f in etkf enkf; do
  "$landda" run "$cfg" "${common[@]}" --set filter.type=$f --output "$work/$f-full"
  "$landda" run "$cfg" "${common[@]}" --set filter.type=$f --output "$work/$f-stop" --stop-after 350
  test -e "$work/$f-stop/twin.nc.partial"
  test ! -e "$work/$f-stop/twin.nc"
  test ! -e "$work/$f-stop/summary.json"
  "$landda" run "$cfg" "${common[@]}" --set filter.type=$f --output "$work/$f-stop" --restart
  "$py" "$src/tests/scripts/compare_outputs.py" "$work/$f-full" "$work/$f-stop" 0
done
# The soil-water twin: model memory (snow, perturbation state, parameters) and fluxes carry over too.
soil="$src/experiments/configs/twin_surface.yaml"
soil_sets=(--set experiment.cycles=40 --set experiment.spinup=5 --set output.checkpoint_every=10 --log-level warn)
"$landda" run "$soil" "${soil_sets[@]}" --output "$work/soil-full"
"$landda" run "$soil" "${soil_sets[@]}" --output "$work/soil-stop" --stop-after 25
# What a run killed while writing leaves (a temporary of a process that is gone) is cleaned on the next start.
touch "$work/soil-stop/.checkpoint.h5.tmp.4194303"
"$landda" run "$soil" "${soil_sets[@]}" --output "$work/soil-stop" --restart
test ! -e "$work/soil-stop/.checkpoint.h5.tmp.4194303" || { echo "FAIL a stale temporary file was left"; exit 1; }
"$py" "$src/tests/scripts/compare_outputs.py" "$work/soil-full" "$work/soil-stop" 0
# Learned observation errors (their per-location statistics are in the checkpoint) carry over too.
learn=(--set experiment.cycles=60 --set experiment.spinup=5 --set output.checkpoint_every=10 --log-level warn
       --set experiment.observations.0.learn_error=innovations --set experiment.observations.1.learn_error=innovations
       --set experiment.observations.0.learn_min_count=3 --set experiment.observations.1.learn_min_count=3)
overpass="$src/experiments/configs/osse_overpass.yaml"
"$landda" run "$overpass" "${learn[@]}" --output "$work/learn-full"
"$landda" run "$overpass" "${learn[@]}" --output "$work/learn-stop" --stop-after 35
"$landda" run "$overpass" "${learn[@]}" --output "$work/learn-stop" --restart
"$py" "$src/tests/scripts/compare_outputs.py" "$work/learn-full" "$work/learn-stop" 0
# The same run however its config and output folder are spelled, and with the folder moved:
# a restart is recognised by what the run is, not by its paths.
"$landda" run "$soil" "${soil_sets[@]}" --output "$work/spelled" --stop-after 25
mv "$work/spelled" "$work/moved"
(cd "$src/experiments" && "$landda" run "configs/../configs/$(basename "$soil")" "${soil_sets[@]}" --output "$work/./moved" --restart)
"$py" "$src/tests/scripts/compare_outputs.py" "$work/soil-full" "$work/moved" 0
# Killed after the main output was renamed into place but before the last files were written:
# --restart finishes the run.
cp -r "$work/soil-full" "$work/late-kill"
rm "$work/late-kill/summary.json" "$work/late-kill/config.resolved.yaml"
"$landda" run "$soil" "${soil_sets[@]}" --output "$work/late-kill" --restart
"$py" "$src/tests/scripts/compare_outputs.py" "$work/soil-full" "$work/late-kill" 0
# A restart with a changed config is refused.
if "$landda" run "$cfg" "${common[@]}" --set filter.type=etkf --set filter.members=21 --output "$work/etkf-stop" --restart 2>"$work/err"; then
  echo "FAIL restart with another config was accepted"; exit 1
fi
grep -q "different configuration" "$work/err"
echo "restart reproduces the uninterrupted run"
