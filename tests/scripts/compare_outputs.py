"""Compares two landda output folders: every NetCDF variable (read with
xarray, as users do) and every number of summary.json except timings.
usage: compare_outputs.py DIR_A DIR_B TOLERANCE"""
import json
import math
import sys
from pathlib import Path

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
sa = json.loads((a / "summary.json").read_text())
sb = json.loads((b / "summary.json").read_text())
for key, va in sa.items():
    if key in ("wall_seconds", "output_seconds", "checkpoint_seconds", "mpi_ranks", "restarted", "memory_per_rank", "mpi_per_rank"):  # per rank and machine
        continue
    vb = sb.get(key)
    if isinstance(va, (int, float)) and isinstance(vb, (int, float)):
        if not math.isclose(va, vb, rel_tol=0, abs_tol=tol):
            failures.append(f"summary.json:{key}: {va} vs {vb}")
    elif va != vb:
        failures.append(f"summary.json:{key}: {va} vs {vb}")
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"{a} and {b} agree to {tol}")
