#!/usr/bin/env bash
# A run killed (kill -9) at 20 random instants, inside output and checkpoint
# writes included, and restarted each time ends with the outputs of a run
# that was never interrupted, variable by variable.
set -u
landda="$1"; src="$2"; work="$3"; py="$4"
rm -rf "$work"; mkdir -p "$work"
cfg="$src/experiments/configs/twin_surface.yaml"
sets=(--set experiment.cycles=300 --set experiment.spinup=5 --set filter.members=64 --set output.checkpoint_every=3
      --set output.maps=true --log-level error)
"$landda" run "$cfg" "${sets[@]}" --output "$work/full" || exit 1
RANDOM=17  # the same instants on every machine (as far as its speed allows)
restart=() kills=0
while [ $kills -lt 20 ] && [ ! -e "$work/kill/summary.json" ]; do
  "$landda" run "$cfg" "${sets[@]}" --output "$work/kill" "${restart[@]}" & pid=$!
  sleep "0.$(( RANDOM % 10 ))$(( RANDOM % 10 ))"
  kill -9 $pid 2>/dev/null && kills=$((kills + 1))
  wait $pid 2>/dev/null; code=$?
  if [ $code -ne 0 ] && [ $code -ne 137 ]; then echo "FAIL the run after kill $kills exited $code"; exit 1; fi
  [ -e "$work/kill/checkpoint.h5" ] && restart=(--restart)
done
[ -e "$work/kill/summary.json" ] || "$landda" run "$cfg" "${sets[@]}" --output "$work/kill" "${restart[@]}" || {
  echo "FAIL the last restart did not finish the run"; exit 1; }
"$py" "$src/tests/scripts/compare_outputs.py" "$work/full" "$work/kill" 0 || exit 1
echo "ok   killed $kills times at random instants and restarted: the outputs equal the uninterrupted run's"
