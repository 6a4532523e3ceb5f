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
# Observations at their own hour (4D) with errors learned from the innovations, members over two ranks.
overpass="$src/experiments/configs/osse_overpass.yaml"
sets=(--set experiment.cycles=40 --set experiment.spinup=5 --log-level warn
      --set experiment.observations.0.learn_error=innovations --set experiment.observations.0.learn_min_count=3)
"$landda" run "$overpass" "${sets[@]}" --output "$work/overpass-1"
$mpirun "$landda" run "$overpass" "${sets[@]}" --output "$work/overpass-2"
"$py" "$src/tests/scripts/compare_outputs.py" "$work/overpass-1" "$work/overpass-2" 1e-10
# The cells layout keeps each location's learned error on the rank that owns its observations: the same
# errors on 3 ranks, and after a checkpoint on 3 ranks restarted on 2 (feedback and draws files compared
# too: every rank writes its block of them, and a restart continues them).
sets+=(--set output.diagnostics=true --set output.observations=true)
"$landda" run "$overpass" "${sets[@]}" --output "$work/overpass-members"
${mpirun/-n 2/-n 3} "$landda" run "$overpass" "${sets[@]}" --set parallel.layout=cells --output "$work/overpass-cells-3"
"$py" "$src/tests/scripts/compare_outputs.py" "$work/overpass-members" "$work/overpass-cells-3" 1e-10
# With a radius of about a cell and a half, a rank holds only part of each window's observations (its own and
# those near its cells; footprints of 6-18 km reach into its neighbours' cells): the same results, and no rank
# held every row of a window.
near=(--set filter.localization.radius=12)
"$landda" run "$overpass" "${sets[@]}" "${near[@]}" --output "$work/overpass-near-members"
${mpirun/-n 2/-n 3} "$landda" run "$overpass" "${sets[@]}" "${near[@]}" --set parallel.layout=cells --output "$work/overpass-near-cells-3"
"$py" "$src/tests/scripts/compare_outputs.py" "$work/overpass-near-members" "$work/overpass-near-cells-3" 1e-10
"$py" - "$work/overpass-near-cells-3/summary.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["memory_per_rank"]
rows, held = m["window_observations"], m["window_observations_held_by_rank"]
print(f"a window's {rows:.0f} observations, held by rank: {held}")
if not (rows > 0 and len(held) == 3 and all(0 < h < rows for h in held)):
    sys.exit("each rank should hold some but not all of a window's observations")
PY
rm -rf "$work/overpass-3to2"
sets+=(--set parallel.layout=cells --set output.checkpoint_every=5)
${mpirun/-n 2/-n 3} "$landda" run "$overpass" "${sets[@]}" --output "$work/overpass-3to2" --stop-after 22
$mpirun "$landda" run "$overpass" "${sets[@]}" --output "$work/overpass-3to2" --restart
"$py" "$src/tests/scripts/compare_outputs.py" "$work/overpass-members" "$work/overpass-3to2" 1e-10
# One model task of two ranks: each member's cells split between them. The
# Newton scheme splits in whole batches of 256 cells (600 cells: 512 + 88),
# the linearized one anywhere (25 cells: 13 + 12).
for scheme in newton linearized; do
  sets=(--set filter.type=letkf --set experiment.cycles=12 --set experiment.spinup=2 --set model.scheme=$scheme --log-level warn)
  [ $scheme = newton ] && sets+=(--set model.grid.nx=30 --set model.grid.ny=20)
  "$landda" run "$soil" "${sets[@]}" --output "$work/split-$scheme-1"
  $mpirun "$landda" run "$soil" "${sets[@]}" --set parallel.ranks_per_task=2 --output "$work/split-$scheme-2"
  "$py" "$src/tests/scripts/compare_outputs.py" "$work/split-$scheme-1" "$work/split-$scheme-2" 1e-10
done
# Split and stopped after a checkpoint, continued with --restart: the same as one rank uninterrupted.
sets=(--set experiment.cycles=20 --set experiment.spinup=2 --set output.checkpoint_every=5 --set model.scheme=linearized
      --set output.maps=true --log-level error)
"$landda" run "$soil" "${sets[@]}" --output "$work/restart-1"
$mpirun "$landda" run "$soil" "${sets[@]}" --set parallel.ranks_per_task=2 --output "$work/restart-split" --stop-after 12
$mpirun "$landda" run "$soil" "${sets[@]}" --set parallel.ranks_per_task=2 --output "$work/restart-split" --restart
"$py" "$src/tests/scripts/compare_outputs.py" "$work/restart-1" "$work/restart-split" 1e-10
# Checkpointed on 4 ranks (each writing its own members into one file), restarted on 1, 2 and 3:
# the same as one rank uninterrupted (maps.nc too: each rank's sums of its own rows, gathered into
# the checkpoint, taken back by the rows each rank holds after the restart, written by every rank).
for n in 1 2 3; do
  rm -rf "$work/restart-4to$n"
  ${mpirun/-n 2/-n 4} "$landda" run "$soil" "${sets[@]}" --output "$work/restart-4to$n" --stop-after 12
  ${mpirun/-n 2/-n $n} "$landda" run "$soil" "${sets[@]}" --output "$work/restart-4to$n" --restart
  "$py" "$src/tests/scripts/compare_outputs.py" "$work/restart-1" "$work/restart-4to$n" 1e-10
done
# Fields and layers chosen (output.state_fields, output.layers), written by three ranks
# (25 cells: 9 + 8 + 8) into one file: the full run's values there, nothing else.
${mpirun/-n 2/-n 3} "$landda" run "$soil" "${sets[@]}" --set output.checkpoint_every=0 \
  --set "output.state_fields=[truth, analysis_mean]" --set "output.layers=[0, 2]" --output "$work/chosen-3"
"$py" "$src/tests/scripts/check_output_selection.py" "$work/restart-1" "$work/chosen-3" truth,analysis_mean 0,2
# The cells layout (each rank every member of its own cells, observation footprints reaching
# into a neighbour's cells fetched from it), with synthetic observations, feedback files and
# diagnostics, on 1, 2 and 3 ranks (600 cells in Newton batches: 512 + 88, 256 + 256 + 88;
# 25 linearized cells: 13 + 12, 9 + 8 + 8): the members layout's results.
for scheme in newton linearized; do
  sets=(--set experiment.cycles=12 --set experiment.spinup=2 --set model.scheme=$scheme --set output.diagnostics=true
        --set output.observations=true --set output.maps=true --log-level warn)
  [ $scheme = newton ] && sets+=(--set model.grid.nx=30 --set model.grid.ny=20)
  "$landda" run "$soil" "${sets[@]}" --output "$work/members-$scheme"
  for n in 1 2 3; do
    ${mpirun/-n 2/-n $n} "$landda" run "$soil" "${sets[@]}" --set parallel.layout=cells --output "$work/cells-$scheme-$n"
    "$py" "$src/tests/scripts/compare_outputs.py" "$work/members-$scheme" "$work/cells-$scheme-$n" 1e-10
  done
done
# The cells layout checkpointed on 3 ranks (each writing its own cells into one file; Newton
# batches 256 + 256 + 88) and restarted on 1, 2 and 4 (the fourth rank holding no cells):
# the members layout's uninterrupted results.
sets=(--set experiment.cycles=12 --set experiment.spinup=2 --set model.scheme=newton --set output.diagnostics=true
      --set model.grid.nx=30 --set model.grid.ny=20 --set output.checkpoint_every=4 --set output.maps=true --log-level error)
"$landda" run "$soil" "${sets[@]}" --output "$work/members-checkpointed"
for n in 1 2 4; do
  rm -rf "$work/cells-3to$n"
  ${mpirun/-n 2/-n 3} "$landda" run "$soil" "${sets[@]}" --set parallel.layout=cells --output "$work/cells-3to$n" --stop-after 6
  ${mpirun/-n 2/-n $n} "$landda" run "$soil" "${sets[@]}" --set parallel.layout=cells --output "$work/cells-3to$n" --restart
  "$py" "$src/tests/scripts/compare_outputs.py" "$work/members-checkpointed" "$work/cells-3to$n" 1e-10
done
# Real data in the cells layout on two ranks (one station: the second rank holds no cell), retrievals
# from files, not rescaled (degree_of_saturation sets up from the model's static fields every window):
# the members layout's results.
real="$src/experiments/configs/hawaii_silversword.yaml"
sets=(--set experiment.cycles=120 --set experiment.spinup=10 --log-level warn)
for k in 0 1 2; do sets+=(--set experiment.observations.$k.rescale=none); done
"$landda" run "$real" "${sets[@]}" --output "$work/real-members"
$mpirun "$landda" run "$real" "${sets[@]}" --set parallel.layout=cells --output "$work/real-cells-2"
"$py" "$src/tests/scripts/compare_outputs.py" "$work/real-members" "$work/real-cells-2" 1e-10
# A model whose cells are coupled cannot be split, and says so.
if $mpirun "$landda" run "$cfg" --set parallel.ranks_per_task=2 --log-level warn --output "$work/l96-split" 2> "$work/l96-split.err"; then
  echo "Lorenz-96 with ranks_per_task 2 should have been refused"; exit 1
fi
grep -q "couples its cells" "$work/l96-split.err" || { cat "$work/l96-split.err"; exit 1; }
echo "results do not depend on the number of ranks"
