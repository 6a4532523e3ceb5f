#!/usr/bin/env bash
# Station experiments: `--validate-with` a generated ISMN folder of stations
# hawaii_stations.yaml never names. A station with soil moisture gets a
# column (forced by the nearest gauge, here a generated one) and rows in the
# tables; one that cannot be forced and a gauge without soil moisture are
# listed with their reasons. Without a stations section the grid is fixed:
# the same stations are listed as having no column near them.
set -eu
landda="$1"; src="$2"; work="$3"; py="$4"
rm -rf "$work"; mkdir -p "$work"
gen="$work/new_stations"
"$py" - "$gen" <<'EOF'
import math, os, sys
root = sys.argv[1]
def write(station, var, depth, lat, lon, elev, value):
    d = os.path.join(root, "TEST", station)
    os.makedirs(d, exist_ok=True)
    name = f"TEST_TEST_{station}_{var}_{depth:.6f}_{depth:.6f}_Probe-A_20170101_20170401.stm"
    with open(os.path.join(d, name), "w") as f:
        f.write(f"TEST TEST {station} {lat:.5f} {lon:.5f} {elev:.1f} {depth:.4f} {depth:.4f} Probe-A\n")
        for h in range(90 * 24 + 1):  # 2017-01-01 to 04-01: 65 days after a 10-day spin-up score a difference (50)
            day, hour = divmod(h, 24)
            month, dom = (1, day + 1) if day < 31 else (2, day - 30) if day < 59 else (3, day - 58) if day < 90 else (4, 1)
            f.write(f"2017/{month:02d}/{dom:02d} {hour:02d}:00 {value(h):.4f} G M\n")
static = ("quantity_name;unit;depth_from[m];depth_to[m];value;\nsaturation;m^3*m^-3;0.00;0.30;0.55;\n"
          "clay fraction;% weight;0.00;0.30;18.00;\nsand fraction;% weight;0.00;0.30;35.00;\n"
          "silt fraction;% weight;0.00;0.30;47.00;\nclay fraction;% weight;0.30;1.00;22.00;\n"
          "sand fraction;% weight;0.30;1.00;33.00;\nsilt fraction;% weight;0.30;1.00;45.00;\n")
sm = lambda h: 0.30 + 0.05 * math.sin(h / 240.0)
write("Makahalau", "sm", 0.05, 20.03, -155.65, 1100, sm)
write("Makahalau", "sm", 0.20, 20.03, -155.65, 1100, lambda h: 0.32 + 0.03 * math.sin(h / 300.0))
open(os.path.join(root, "TEST", "Makahalau", "TEST_TEST_Makahalau_static_variables.csv"), "w").write(static)
write("Gauge", "p", 0.0, 20.031, -155.651, 1100, lambda h: 1.0 if h % 50 == 0 else 0.0)
write("Honolulu", "sm", 0.05, 21.30, -157.85, 10, sm)
open(os.path.join(root, "TEST", "Honolulu", "TEST_TEST_Honolulu_static_variables.csv"), "w").write(static)
EOF
short=(--log-level warn --set output.figures=false --set 'merged=[]' --set replicates=1 --base-set experiment.cycles=75 --base-set experiment.spinup=10)
"$landda" compare "$src/experiments/configs/hawaii_stations.yaml" --validate-with "$gen" --output "$work/stations" "${short[@]}"
"$landda" compare "$src/experiments/configs/hawaii_compare.yaml" --validate-with "$gen" --output "$work/point" "${short[@]}"
"$py" - "$work" <<'EOF'
import csv, json, sys
work = sys.argv[1]
fail = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    ok or fail.append(what)
s = json.load(open(f"{work}/stations/summary.json"))["stations"]
col = s["columns"].get("TEST:Makahalau", {})
check(col.get("validation_only") is True, "a generated station gets a validation-only column")
check("from TEST:Gauge" in col.get("precipitation", ""), "its rain comes from the nearest gauge, a generated one: " + col.get("precipitation", ""))
check("from SCAN:" in col.get("air_temperature", ""), "its temperature from a SCAN station by the lapse rate: " + col.get("air_temperature", ""))
check("precipitation is missing" in s["not_scored"].get("TEST:Honolulu", ""), "a station no gauge can force is listed: " + s["not_scored"].get("TEST:Honolulu", ""))
check(s["not_scored"].get("TEST:Gauge") == "no soil-moisture file", "a gauge without soil moisture is listed")
check(len(s["columns"]) == 7, f"six SCAN columns and the new one ({len(s['columns'])})")
rows = list(csv.DictReader(open(f"{work}/stations/report.csv")))
for layer in ("surface", "depth_20cm"):
    got = {r["experiment"] for r in rows if r["station"] == "TEST:Makahalau" and r["layer"] == layer and int(r["n"]) > 100}
    check(got == {"open_loop", "smap", "ascat", "smos", "joint"}, f"every experiment scored at the new station, {layer}: {sorted(got)}")
    paired = [r for r in rows if r["station"] == "TEST:Makahalau" and r["layer"] == layer and r["experiment"] == "smap"]
    check(bool(paired) and paired[0]["d_ubrmse_lo"] != "", f"with a paired interval against the open loop ({layer})")
md = open(f"{work}/stations/report.md").read()
check("## Stations not scored" in md and "TEST:Honolulu" in md and "### Probes at 20 cm" in md, "report.md lists them and groups tables by depth")
# A column with nothing to assimilate (no ASCAT grid point near Kukuihaele) is the open loop bit for bit.
import numpy as np, xarray as xr
def at(exp, station):
    f = f"{work}/stations/{exp}/diagnostics/insitu_5cm.nc"
    meta = xr.open_dataset(f, group="MetaData")
    hofx = xr.open_dataset(f, group="hofx")
    v = list(hofx.data_vars)[0]
    return hofx[v].values[meta.stationIdentification.values == station]
same = np.array_equal(at("ascat", "SCAN:Kukuihaele"), at("open_loop", "SCAN:Kukuihaele"), equal_nan=True)
moved = not np.array_equal(at("ascat", "SCAN:WaimeaPlain"), at("open_loop", "SCAN:WaimeaPlain"), equal_nan=True)
check(same and moved, "a station without ASCAT equals the open loop exactly in the ASCAT experiment; one with ASCAT does not")
p = json.load(open(f"{work}/point/summary.json"))["stations"]["not_scored"]
check("no model column within 10 km" in p.get("TEST:Makahalau", ""), "without stations: the new station is listed, not dropped: " + p.get("TEST:Makahalau", ""))
sys.exit(1 if fail else 0)
EOF
