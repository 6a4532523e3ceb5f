#!/usr/bin/python3
"""Independent reference for `landda metrics --matching daily [--tc C]`:
pytesmo's definitions written out with numpy and scipy (not landda's code).

    metrics_reference.py A.nc B.nc [C.nc] LANDDA.json

For every location of A (station name, else coordinates): B's (and C's)
nearest location within 25 km (haversine, R = 6371 km), daily means by UTC
date of the good values (PreQC 0), the dates present in all; then
bias = mean(B) - mean(A), RMSD, ubRMSD, Pearson R (scipy.stats.pearsonr) and
Spearman rho (scipy.stats.spearmanr) on at least 50 pairs; with C, pytesmo's
tcol_metrics (numpy.cov, n - 1): SNR in dB, error standard deviations scaled
to A (sqrt(err_var) * beta) and beta. Compares with landda's JSON: pairwise
metrics to 1e-6, TC to 1e-4; exits 1 naming every difference."""
import json
import math
import sys

import netCDF4
import numpy as np
from scipy import stats


def read(path):
    with netCDF4.Dataset(path) as nc:
        var = list(nc["ObsValue"].variables)[0]
        v = nc["ObsValue"][var][:].filled(np.nan).astype(float)
        qc = nc["PreQC"][var][:].filled(1)
        t = nc["MetaData"]["dateTime"][:].astype("int64")
        lon = nc["MetaData"]["longitude"][:].astype(float)
        lat = nc["MetaData"]["latitude"][:].astype(float)
        names = nc["MetaData"]["stationIdentification"][:] if "stationIdentification" in nc["MetaData"].variables else None
    series = {}
    for i in range(len(v)):
        if qc[i] != 0 or not np.isfinite(v[i]):
            continue
        name = str(names[i]) if names is not None and str(names[i]) else None
        key = (lon[i], lat[i], name)
        s = series.setdefault(key, {"lon": lon[i], "lat": lat[i], "name": name, "days": {}})
        s["days"].setdefault(int(t[i] // 86400), []).append(v[i])
    for s in series.values():
        # summed in time order like a plain loop (numpy's pairwise sum rounds differently and
        # turns some ties of equal daily means into near-ties, which moves Spearman's rho)
        s["daily"] = {d: sum(x) / len(x) for d, x in s["days"].items()}
    return list(series.values())


def km(a, b):
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b["lon"] - a["lon"]) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def nearest(series, s):
    best, dbest = None, 25.0
    for o in series:
        d = km(s, o)
        if d < dbest or (d == dbest and best is not None and o["name"] == s["name"]) or (best is None and d <= dbest):
            best, dbest = o, d
    return best


def main():
    paths = sys.argv[1:-1]
    got = json.load(open(sys.argv[-1]))
    files = [read(p) for p in paths]
    bad, checked = [], 0
    for s in files[0]:
        label = s["name"] if s["name"] else f"{s['lon']},{s['lat']}"
        others = [nearest(f, s) for f in files[1:]]
        if any(o is None for o in others):
            continue
        days = sorted(set(s["daily"]).intersection(*[set(o["daily"]) for o in others]))
        if len(days) < 50:
            continue
        a = np.array([s["daily"][d] for d in days])
        b = np.array([others[0]["daily"][d] for d in days])
        want = {"n": len(days), "bias": b.mean() - a.mean(), "rmsd": math.sqrt(np.mean((b - a) ** 2)),
                "ubrmsd": math.sqrt(np.mean(((b - b.mean()) - (a - a.mean())) ** 2)),
                "r": stats.pearsonr(b, a)[0], "spearman": stats.spearmanr(b, a)[0]}
        row = next((v for k, v in got.items() if k == label or k.replace(" ", "") == label), None)
        if row is None:
            bad.append(f"{label}: not in landda's table")
            continue
        for k, v in want.items():
            if not math.isclose(row[k], v, rel_tol=1e-6, abs_tol=1e-9):
                bad.append(f"{label} {k}: landda {row[k]!r}, reference {v!r}")
        if len(others) == 2:
            c = np.array([others[1]["daily"][d] for d in days])
            cov = np.cov(np.vstack((a, b, c)))
            ind = (0, 1, 2, 0, 1, 2)
            snr = [10 * np.log10(((cov[i, i] * cov[ind[i + 1], ind[i + 2]]) / (cov[i, ind[i + 1]] * cov[i, ind[i + 2]]) - 1) ** (-1)) for i in range(3)]
            err_var = [cov[i, i] - cov[i, ind[i + 1]] * cov[i, ind[i + 2]] / cov[ind[i + 1], ind[i + 2]] for i in range(3)]
            beta = [1.0, cov[0, 2] / cov[1, 2], cov[0, 1] / cov[2, 1]]
            for i, w in enumerate("abc"):
                pairs = {f"err_std_{w}": math.sqrt(err_var[i]) * beta[i] if err_var[i] > 0 else float("nan"),
                         f"snr_db_{w}": snr[i], f"beta_{w}": beta[i]}
                for k, v in pairs.items():
                    g = row["tc"][k]
                    if not (math.isnan(v) and g is None) and not math.isclose(g, v, rel_tol=1e-4, abs_tol=1e-8):
                        bad.append(f"{label} TC {k}: landda {g!r}, reference {v!r}")
        checked += 1
    for b in bad:
        print("FAIL", b)
    print(("ok  " if not bad and checked else "FAIL"),
          f"landda metrics equals the numpy/scipy reference at {checked} location(s) ({'with TC' if len(paths) == 3 else 'pairwise'})")
    return 1 if bad or not checked else 0


sys.exit(main())
