#!/usr/bin/python3
"""Digest of a landda run folder for regression tests: summary.json's numbers
and, for every numeric variable of every NetCDF output, its count of finite
values, sum and sum of squares. `digest.py DIR` prints the digest as JSON;
`digest.py DIR --against REF.json [--rtol R]` compares with a stored one and
exits 1 naming every value that moved."""
import glob, json, math, os, sys

import netCDF4
import numpy as np

SKIP = {"wall_seconds", "output_seconds", "checkpoint_seconds", "mpi_ranks", "restarted", "seconds", "memory_per_rank", "mpi_per_rank"}  # measured, per machine


def flatten(prefix, obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k not in SKIP:
                flatten(f"{prefix}{k}.", v, out)
    elif isinstance(obj, bool):
        out[prefix[:-1]] = float(obj)
    elif isinstance(obj, (int, float)):
        out[prefix[:-1]] = float(obj)
    elif obj is None:
        out[prefix[:-1]] = None


def walk(group, path, out):
    for name, var in group.variables.items():
        if var.dtype is str or var.dtype.kind not in "fiu":
            continue
        a = np.ma.filled(var[...].astype(float), np.nan).ravel()
        a = a[np.isfinite(a)]
        out[f"{path}{name}.count"] = float(a.size)
        out[f"{path}{name}.sum"] = float(a.sum())
        out[f"{path}{name}.sumsq"] = float((a * a).sum())
    for gname, g in group.groups.items():
        walk(g, f"{path}{gname}/", out)


def digest(run_dir):
    out = {}
    summary = os.path.join(run_dir, "summary.json")
    if os.path.exists(summary):
        flatten("summary:", json.load(open(summary)), out)
    for f in sorted(glob.glob(os.path.join(run_dir, "**", "*.nc"), recursive=True)):
        rel = os.path.relpath(f, run_dir)
        with netCDF4.Dataset(f) as ds:
            ds.set_auto_mask(True)
            walk(ds, rel + ":", out)
    return out


def main():
    args = sys.argv[1:]
    run_dir = args[0]
    d = digest(run_dir)
    if "--against" not in args:
        json.dump(d, sys.stdout, indent=1, sort_keys=True)
        print()
        return 0
    ref = json.load(open(args[args.index("--against") + 1]))
    rtol = float(args[args.index("--rtol") + 1]) if "--rtol" in args else 1e-6
    bad = []
    for k, v in ref.items():
        if k not in d:
            bad.append(f"{k}: in the reference, not in the run")
            continue
        w = d[k]
        if v is None or w is None:
            if v is not w:
                bad.append(f"{k}: {w} against {v}")
            continue
        # sums of squares and counts scale the tolerance with the magnitude of the terms
        if not math.isclose(w, v, rel_tol=rtol, abs_tol=1e-9 * max(1.0, abs(d.get(k.replace(".sum", ".count"), 1.0)))):
            bad.append(f"{k}: {w!r} against {v!r}")
    for k in d:
        if k not in ref:
            bad.append(f"{k}: new in the run, not in the reference")
    name = os.path.basename(args[args.index("--against") + 1])
    for b in bad:
        print("FAIL", name, b)
    print(("ok  " if not bad else "FAIL"), f"{name}: {len(ref)} values within rtol {rtol}" if not bad else f"{name}: {len(bad)} of {len(ref)} differ")
    return 1 if bad else 0


sys.exit(main())
