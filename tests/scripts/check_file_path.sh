#!/usr/bin/env bash
# Synthetic retrievals written as IODA files and assimilated by the
# `assimilate` experiment (the real-data path) give the twin's analysis bit
# for bit on a longitude-latitude grid, and to rounding on a projected (LAEA)
# grid, where the files' longitudes and latitudes go through the projection.
set -eu
landda="$1"; src="$(cd "$2" && pwd)"; work="$3"; py="$4"
rm -rf "$work"; mkdir -p "$work"
cfg="$src/experiments/configs/twin_smap_amsr2_ascat.yaml"
"$py" - "$cfg" "$work" "$src" <<'X'
import re, sys
cfg, work, src = sys.argv[1:4]
s = open(cfg).read()
s = s.replace("type: twin", "type: assimilate").replace("  perturb_nature: true", "").replace("  nature_spinup: 0\n", "")
s = s.replace("../../data/", src + "/data/")
for name in ("smap", "amsr2", "ascat"):
    s = s.replace(f"    - name: {name}\n", f"    - name: {name}\n      file: {work}/twin/observations/{name}.nc\n")
for key in ("every", "stride", "offset", "gap_fraction"):
    s = re.sub(rf"\n      {key}: [0-9.]+", "", s)
s = re.sub(r"(?m)^  perturb_nature:.*\n", "", s)
open(f"{work}/assimilate.yaml", "w").write(s)
X
compare() {  # folder, tolerance
  "$py" - "$1" "$2" <<'X'
import sys, json, math
import numpy as np, xarray as xr
w, tol = sys.argv[1], float(sys.argv[2])
a, b = xr.open_dataset(f"{w}/twin/twin.nc"), xr.open_dataset(f"{w}/assimilate/assimilate.nc")
for v in ("forecast_mean_soil_moisture", "analysis_mean_soil_moisture", "analysis_spread_soil_moisture"):
    d = float(np.abs(a[v] - b[v]).max())
    assert d <= tol, f"{w}: {v} differs by {d}"
sa = json.load(open(f"{w}/twin/summary.json"))["sources"]
sb = json.load(open(f"{w}/assimilate/summary.json"))["sources"]
for k in sa:
    for key, x in sa[k].items():
        assert math.isclose(x, sb[k][key], rel_tol=tol, abs_tol=tol), (w, k, key, x, sb[k][key])
print(f"ok   {w}: the file path reproduces the twin's analysis to {tol}; per-source statistics agree")
X
}
run_pair() {  # folder, extra --set arguments...
  local dir="$1"; shift
  local sets=(--set experiment.cycles=20 --set experiment.spinup=2 --log-level warn "$@")
  mkdir -p "$dir"
  "$landda" run "$cfg" "${sets[@]}" --set output.observations=true --output "$dir/twin"
  sed "s|$work/twin/|$dir/twin/|" "$work/assimilate.yaml" > "$dir/assimilate.yaml"
  "$landda" run "$dir/assimilate.yaml" "${sets[@]}" --output "$dir/assimilate"
}
run_pair "$work/lonlat"
compare "$work/lonlat" 0
run_pair "$work/projected" --set model.grid.kind=projected --set model.grid.center_lon=-88.4 \
  --set model.grid.center_lat=40.0 --set model.grid.x_min=-34 --set model.grid.x_max=34 \
  --set model.grid.y_min=-44 --set model.grid.y_max=44
compare "$work/projected" 1e-9

# Thinning in time: the daily AMSR2 file with `every: 2` is read only in every
# second window (cycles 1, 3, 5, ...), and the analysis then differs.
sed "s|^\(      file: .*amsr2.nc\)$|\1\n      every: 2|" "$work/lonlat/assimilate.yaml" > "$work/lonlat/thinned.yaml"
grep -q "every: 2" "$work/lonlat/thinned.yaml" || { echo "FAIL could not thin the AMSR2 source"; exit 1; }
"$landda" run "$work/lonlat/thinned.yaml" --set experiment.cycles=20 --set experiment.spinup=2 --log-level warn \
  --set output.diagnostics=true --output "$work/lonlat/thinned"
"$py" - "$work/lonlat" <<'X'
import sys
import numpy as np, netCDF4, xarray as xr
w = sys.argv[1]
start = np.datetime64("1998-01-01T06:30:00").astype("datetime64[s]").astype(np.int64)
t = np.array(netCDF4.Dataset(f"{w}/thinned/diagnostics/amsr2.nc")["MetaData/dateTime"][:], dtype=np.int64)
cycles = sorted({int((s - start - 1) // 86400) for s in t})  # an observation at t belongs to the window (t0, t1]
assert cycles == list(range(1, 20, 2)), cycles
a, b = xr.open_dataset(f"{w}/assimilate/assimilate.nc"), xr.open_dataset(f"{w}/thinned/assimilate.nc")
assert float(np.abs(a["analysis_mean_soil_moisture"] - b["analysis_mean_soil_moisture"]).max()) > 0
print("ok   every: 2 on a file source: AMSR2 read in windows", cycles)
X
