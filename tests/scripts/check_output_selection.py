"""The state fields and layers a run was asked to write (output.state_fields,
output.layers), written by several ranks into one file, are those of the
run that writes everything, and nothing else is.
usage: check_output_selection.py FULL_DIR CHOSEN_DIR FIELD,FIELD LAYER,LAYER"""
import sys

import numpy as np
import xarray as xr

full = xr.open_dataset(f"{sys.argv[1]}/twin.nc")
chosen = xr.open_dataset(f"{sys.argv[2]}/twin.nc")
fields = sys.argv[3].split(",")
layers = [int(x) for x in sys.argv[4].split(",")]
kinds = ["truth", "forecast_mean", "forecast_spread", "analysis_mean", "analysis_spread"]
bad = []
if list(chosen["layer"].values) != layers:
    bad.append(f"layer coordinate {list(chosen['layer'].values)}, expected {layers}")
for kind in kinds:
    name = f"{kind}_soil_moisture"
    if kind not in fields:
        if name in chosen:
            bad.append(f"{name} written though not asked for")
        continue
    if name not in chosen:
        bad.append(f"{name} missing")
        continue
    expected = full[name].values[:, layers, :]
    got = chosen[name].values
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=0, atol=1e-10):
        bad.append(f"{name}: differs from the full output's layers {layers}")
for name in ("analysis_rmse", "lon", "lat", "ensemble_mean_drainage"):
    if not np.allclose(chosen[name].values, full[name].values, rtol=0, atol=1e-10):
        bad.append(f"{name}: differs from the full output")
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"ok   {','.join(fields)} at layers {layers}: as in the full output, nothing else")
