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
sys.exit(0 if ok else 1)
PY
