#!/usr/bin/python3
"""`landda import lis-state`: a LIS history file's soil moisture onto a run
config's cells and layers, against an independent computation (the grid from
the file's SOUTH_WEST_CORNER_LAT/LON, DX, DY; xarray's linear interpolation;
each landda layer the depth-weighted mean of the LIS layers it overlaps, the
deepest LIS layer standing for everything below it); and
`experiment.initial.file`: an open loop started from a wet and a dry state
file keeps them apart, the deep layers near the file's values a day later.

usage: check_lis_state.py LANDDA SRC WORK"""
import os
import shutil
import subprocess
import sys

import netCDF4
import numpy as np
import xarray as xr

landda, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
lis = os.path.join(src, "data/products/lis_noahmp/201703/LIS_HIST_201703300000.d01.nc")


def run(*args):
    r = subprocess.run([landda, *args], capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"FAIL landda {' '.join(args)}: exit {r.returncode}\n{r.stdout}{r.stderr}")


bottoms = [0.05, 0.15, 0.3, 0.6, 1.0, 2.0, 3.0]
cfg = os.path.join(work, "run.yaml")
with open(cfg, "w") as f:
    f.write("model:\n  type: soil_water\n  grid: {kind: lonlat, lon_min: -9.3, lon_max: -8.5, lat_min: 30.0, lat_max: 30.8, "
            f"nx: 3, ny: 3}}\n  layer_bottoms: {bottoms}\n")
out = os.path.join(work, "state.nc")
run("import", "lis-state", lis, "--onto", cfg, "-o", out)

ds = netCDF4.Dataset(lis)
ny, nx = ds["SoilMoist_inst"].shape[1:]
lat = ds.SOUTH_WEST_CORNER_LAT + ds.DY * np.arange(ny)
lon = ds.SOUTH_WEST_CORNER_LON + ds.DX * np.arange(nx)
sm = xr.DataArray(ds["SoilMoist_inst"][:].filled(np.nan).astype(np.float64), dims=("layer", "lat", "lon"), coords={"lat": lat, "lon": lon})
clon = np.tile(np.linspace(-9.3, -8.5, 3), 3)
clat = np.repeat(np.linspace(30.0, 30.8, 3), 3)
at = sm.interp(lat=xr.DataArray(clat, dims="c"), lon=xr.DataArray(clon, dims="c")).values  # (LIS layer, cell)
assert np.isfinite(at).all(), "the test's cells must have land all around"
edges = np.concatenate([[0], np.cumsum(ds.SOIL_LAYER_THICKNESSES) / 100.0])
edges[-1] = max(edges[-1], bottoms[-1])  # the deepest LIS layer stands for everything below
exp = []
for top, bottom in zip([0] + bottoms[:-1], bottoms):
    w = np.clip(np.minimum(bottom, edges[1:]) - np.maximum(top, edges[:-1]), 0, None)
    exp.append((w[:, None] * at).sum(0) / w.sum())
got = xr.open_dataset(out)["soil_moisture"].values
np.testing.assert_allclose(got, np.array(exp), rtol=1e-6)
print(f"ok   lis-state: {got.shape[1]} cells x {got.shape[0]} layers equal the independent interpolation and layer weighting")

# An open loop from a wet and from a dry state file.
levels = {}
for v in (0.40, 0.15):
    path = os.path.join(work, f"state_{int(v * 100)}.nc")
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("layer", 6)
        nc.createDimension("cell", 1)
        x = nc.createVariable("soil_moisture", "f8", ("layer", "cell"))
        x.units = "m3 m-3"
        x[:] = v
    o = os.path.join(work, f"ol_{int(v * 100)}")
    run("run", os.path.join(src, "experiments/configs/bondville_openloop.yaml"), "-o", o, "--set", "experiment.cycles=2",
        "--set", f"experiment.initial.file={path}", "--log-level", "warn")
    levels[v] = xr.open_dataset(os.path.join(o, "openloop.nc"))["control_soil_moisture"].values[0, 3:, 0]
for v, deep in levels.items():
    assert np.all(np.abs(deep - v) < 0.02), f"started at {v}, the deep layers are at {deep} a day later"
print(f"ok   experiment.initial.file: layers 4-6 a day after starting at 0.40 and 0.15: {np.round(levels[0.40], 3)} and "
      f"{np.round(levels[0.15], 3)}")
