#!/bin/bash
# landda bench scale: a size gives the same run whichever sizes are asked with
# it (the localization radius is stated at 10,000 cells and shrunk with the
# spacing), and each size's JSON carries the numbers docs/benchmarks.md quotes.
set -euo pipefail
landda=$1 py=$4 mpirun=$5
work=$3
rm -rf "$work" && mkdir -p "$work"
"$landda" bench scale --cells 2500 --ranks 1 --cycles 2 --members 8 --mpirun "$mpirun" > "$work/alone.json"
"$landda" bench scale --cells 10000,2500 --ranks 1 --cycles 2 --members 8 --mpirun "$mpirun" > "$work/with.json"
# A strip: 25 columns over the box's 3 degrees of longitude, 100 rows at the same 0.12-degree spacing about
# the equator; the radius 25 km x 100 / 25 (the spacing of 10,000 cells in the box is a quarter of it).
"$landda" bench scale --cells 2500 --strip 25 --box=-93,-90,-5,5 --ranks 1 --cycles 1 --members 8 --mpirun "$mpirun" \
  --scratch "$work/strip" 2>/dev/null > "$work/strip.json"
# A strip that cannot fit in latitude is refused, naming the remedy.
if "$landda" bench scale --cells 1000000 --strip 10 --mpirun "$mpirun" > "$work/nofit.txt" 2>&1; then
  echo "FAIL a strip of 100,000 rows at 1 degree was accepted"; exit 1
fi
grep -q "does not fit in latitude; narrow the --box's longitudes" "$work/nofit.txt"
"$py" - "$work" <<'PY'
import json, sys
w = sys.argv[1]
alone = json.load(open(f"{w}/alone.json"))["runs"]["cells_2500"]
both = json.load(open(f"{w}/with.json"))["runs"]
ok = True
def check(what, cond):
    global ok
    print(("ok  " if cond else "FAIL"), what)
    ok &= cond
check("2,500 cells alone: radius 50 km (25 km at 10,000 cells, x sqrt(4))", abs(alone["localization_radius_km"] - 50) < 1e-9)
check("2,500 cells after 10,000: the same radius", abs(both["cells_2500"]["localization_radius_km"] - 50) < 1e-9)
check("10,000 cells: 25 km", abs(both["cells_10000"]["localization_radius_km"] - 25) < 1e-9)
for key in ["seconds", "seconds_per_column_step_per_rank", "output_seconds", "checkpoint_seconds", "share_of_ensemble_mb",
            "estimated_mb_per_rank"]:
    check(f"{key} reported and positive", alone[key] > 0)
check("a peak per rank", len(alone["peak_mb_by_rank"]) == 1 and alone["peak_mb_by_rank"][0] > alone["share_of_ensemble_mb"])
check("ratios against the first size asked", both["cells_2500"]["cells_vs_first"] == 0.25)
strip = json.load(open(f"{w}/strip.json"))["runs"]["cells_2500"]
check("a strip of 25 x 100 cells", strip["grid"] == [25, 100])
check("the strip's radius 100 km", abs(strip["localization_radius_km"] - 100) < 1e-9)
import yaml
cfg = yaml.safe_load(open(f"{w}/strip/cells_2500/config.resolved.yaml"))["model"]["grid"]
check("its rows at the columns' spacing about the equator", abs(cfg["lat_min"] + 6) < 1e-9 and abs(cfg["lat_max"] - 6) < 1e-9)
sys.exit(0 if ok else 1)
PY
