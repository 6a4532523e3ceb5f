"""Compares two landda output folders: every NetCDF variable (read with
xarray, as users do), the feedback and synthetic draws files (both runs
must have them), and every number of summary.json except timings.
usage: compare_outputs.py DIR_A DIR_B TOLERANCE"""
import json
import math
import sys
from pathlib import Path

import netCDF4
import numpy as np
import xarray as xr

a, b, tol = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
failures = []
for nc in sorted(a.glob("*.nc")):
    da, db = xr.open_dataset(nc), xr.open_dataset(b / nc.name)
    for name in da.variables:
        x, y = da[name].values, db[name].values
        if x.shape != y.shape:
            failures.append(f"{nc.name}:{name}: shapes {x.shape} and {y.shape}")
            continue
        if np.issubdtype(x.dtype, np.number):
            diff = np.nanmax(np.abs(x.astype(float) - y.astype(float))) if x.size else 0.0
            if not diff <= tol or not np.array_equal(np.isnan(x), np.isnan(y)):
                failures.append(f"{nc.name}:{name}: max difference {diff}")
        elif not np.array_equal(x, y):
            failures.append(f"{nc.name}:{name}: values differ")


def walk(group, path=""):
    """Every variable of a NetCDF-4 file, its groups' too (the IODA feedback and draws files); numbers as
    floats with NaN where missing."""
    for name, var in group.variables.items():
        x = np.ma.asarray(var[...])
        yield path + name, np.ma.filled(x.astype(float), np.nan) if x.dtype.kind in "fiu" else np.asarray(x)
    for name, sub in group.groups.items():
        yield from walk(sub, path + name + "/")


# The feedback (diagnostics/) and synthetic draws (observations/): a restarted run continues them, so both
# runs must have them.
for nc in sorted(list(a.glob("diagnostics/*.nc")) + list(a.glob("observations/*.nc"))):
    other = b / nc.relative_to(a)
    if not other.exists():
        failures.append(f"{nc.relative_to(a)}: not written by {b}")
        continue
    with netCDF4.Dataset(nc) as fa, netCDF4.Dataset(other) as fb:
        va, vb = dict(walk(fa)), dict(walk(fb))
        if va.keys() != vb.keys():
            failures.append(f"{nc.relative_to(a)}: variables {sorted(va)} and {sorted(vb)}")
            continue
        for name, x in va.items():
            y = vb[name]
            if x.shape != y.shape:
                failures.append(f"{nc.relative_to(a)}:{name}: shapes {x.shape} and {y.shape}")
            elif x.dtype.kind == "f":
                diff = np.nanmax(np.abs(x - y)) if x.size else 0.0
                if not diff <= tol or not np.array_equal(np.isnan(x), np.isnan(y)):
                    failures.append(f"{nc.relative_to(a)}:{name}: max difference {diff}")
            elif not np.array_equal(x, y):
                failures.append(f"{nc.relative_to(a)}:{name}: values differ")
SKIP = ("wall_seconds", "output_seconds", "checkpoint_seconds", "mpi_ranks", "restarted", "memory_per_rank", "mpi_per_rank")  # per rank and machine


def compare(path, va, vb):
    """Numbers within the tolerance, at any depth of nested objects; anything else equal."""
    if isinstance(va, dict) and isinstance(vb, dict):
        for key in va.keys() | vb.keys():
            if key not in SKIP:
                compare(f"{path}.{key}", va.get(key), vb.get(key))
    elif isinstance(va, list) and isinstance(vb, list) and len(va) == len(vb):
        for i, (x, y) in enumerate(zip(va, vb)):
            compare(f"{path}[{i}]", x, y)
    elif isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool):
        if not math.isclose(va, vb, rel_tol=0, abs_tol=tol):
            failures.append(f"{path}: {va} vs {vb}")
    elif va != vb:
        failures.append(f"{path}: {va} vs {vb}")


compare("summary.json", json.loads((a / "summary.json").read_text()), json.loads((b / "summary.json").read_text()))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"{a} and {b} agree to {tol}")
