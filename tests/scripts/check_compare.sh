#!/usr/bin/env bash
# `landda compare` on a small OSSE (the shipped osse_compare.yaml on a 12 x 12
# grid, 60 days): every experiment is scored at every validation cell in both
# layers; the tidy CSV has the documented columns; assimilating anything beats
# the open loop at the surface; two MPI ranks give the same table as one; a
# real browser (headless chromium) opens report.html and every image loads.
set -eu
landda="$1"; src="$2"; py="$3"; mpirun="$4"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
small=(--base-set model.grid.nx=12 --base-set model.grid.ny=12 --base-set model.grid.lon_max=-89.61
       --base-set model.grid.lat_max=39.07 --base-set experiment.cycles=60 --base-set experiment.spinup=10
       --base-set experiment.observations.4.stride=13 --base-set experiment.observations.5.stride=13
       --base-set experiment.observations.3.stride=17
       --set 'merged=[{type: mean}, {type: tc, min_samples: 20}]' --log-level warn)
"$landda" compare "$src/experiments/configs/osse_compare.yaml" -o "$work/one" "${small[@]}"
$mpirun "$landda" compare "$src/experiments/configs/osse_compare.yaml" -o "$work/two" "${small[@]}" --set output.figures=false
cmp "$work/one/report.csv" "$work/two/report.csv" || { echo "FAIL report.csv differs between 1 and 2 ranks"; exit 1; }
"$py" - "$work/one" <<'PY'
import csv, json, sys
w = sys.argv[1]
rows = list(csv.DictReader(open(f"{w}/report.csv")))
assert list(rows[0].keys()) == ["experiment", "station", "layer", "n", "bias", "rmse", "ubrmse", "r", "anomaly_r"], rows[0].keys()
exps = ["open_loop", "smap", "amsr2", "ascat", "joint", "merged_mean", "merged_tc"]
assert sorted({r["experiment"] for r in rows}) == sorted(exps), {r["experiment"] for r in rows}
stations = {r["station"] for r in rows}
assert len(stations) >= 10, stations
assert len(rows) == len(exps) * len(stations) * 2, len(rows)
s = json.load(open(f"{w}/summary.json"))
ol = s["open_loop/surface"]["ubrmse"]
for e in exps[1:]:
    assert s[f"{e}/surface"]["ubrmse"] < ol, (e, s[f"{e}/surface"], ol)
md = open(f"{w}/report.md").read()
assert "## Surface" in md and "## Root zone" in md and "| rank | experiment |" in md
print("ok   compare:", len(rows), "rows;", {e: round(s[f"{e}/surface"]["ubrmse"], 4) for e in exps})
PY
# The HTML report in a real browser: every image loaded, and a screenshot.
for f in box_ubrmse box_r maps timeseries_truth_surface timeseries_truth_rootzone; do
  [ -s "$work/one/figures/$f.png" ] || { echo "FAIL figure $f.png missing"; exit 1; }
done
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || { echo "FAIL no chromium (scripts/setup.sh test installs it)"; exit 1; }
flags=(--headless --no-sandbox --disable-gpu --virtual-time-budget=10000)
check="$(timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/one/report.html" 2>/dev/null | grep -o 'images loaded: [0-9]* of [0-9]*' || true)"
read -r _ _ ok _ total <<<"$check"
[ -n "$check" ] && [ "$ok" = "$total" ] && [ "$total" -ge 5 ] || { echo "FAIL browser: '${check:-no check ran}'"; exit 1; }
timeout 120 "$browser" "${flags[@]}" --hide-scrollbars --window-size=1200,1600 --screenshot="$work/shot.png" \
  "file://$work/one/report.html" >/dev/null 2>&1
[ -s "$work/shot.png" ] || { echo "FAIL no screenshot"; exit 1; }
echo "ok   report.html in chromium: $check; screenshot $(stat -c %s "$work/shot.png") bytes"
