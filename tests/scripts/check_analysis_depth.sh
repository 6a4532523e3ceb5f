#!/usr/bin/env bash
# experiment.analysis_depth_m: the analysis updates the layers whose top lies
# above the depth and leaves the others at the forecast (their time-mean
# increment is exactly zero), in a twin with surface retrievals.
set -eu
landda="$1"; src="$2"; work="$3"; py="$4"
rm -rf "$work"; mkdir -p "$work"
for depth in 0 0.05 0.2; do
  "$landda" run "$src/experiments/configs/twin_surface.yaml" --output "$work/d$depth" --log-level warn \
    --set experiment.cycles=20 --set experiment.spinup=2 --set experiment.analysis_depth_m=$depth --set output.maps=true
done
"$py" - "$work" <<'EOF'
import sys, numpy as np, xarray as xr
work = sys.argv[1]
updated = {}
for depth in ("0", "0.05", "0.2"):
    inc = np.abs(xr.open_dataset(f"{work}/d{depth}/maps.nc").mean_increment_soil_moisture).max(dim="cell").values
    updated[depth] = [bool(x > 0) for x in inc]
    print(depth, np.round(inc, 5))
# layer tops 0, 0.05, 0.15, 0.30, 0.60, 1.00 m
ok = (updated["0"] == [True] * 6 and updated["0.05"] == [True] + [False] * 5
      and updated["0.2"] == [True] * 3 + [False] * 3)
print(("ok   " if ok else "FAIL ") + "the analysis updates exactly the layers whose top lies above analysis_depth_m")
sys.exit(0 if ok else 1)
EOF
