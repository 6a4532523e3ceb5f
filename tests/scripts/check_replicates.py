"""`landda compare` with replicates (every experiment run with seeds seed,
seed + 1, ...), checked against an independent reading of the runs' feedback
files: each replicate in its folder with its seed; the scores in report.csv
the means over the replicates; each difference to the open loop the mean of
the replicates' paired differences (R, anomaly R from 35-day moving means,
ubRMSE, recomputed here with numpy); and replicates that really differ (a
test of the averaging that cannot pass on copies of one run).

usage: check_replicates.py LANDDA SOURCE_DIR WORK_DIR"""
import csv, json, os, subprocess, sys

import netCDF4
import numpy as np
import yaml

landda, src, work = sys.argv[1:4]
out = os.path.join(work, "replicates")
K = 3
subprocess.run([landda, "compare", os.path.join(src, "experiments/configs/hawaii_compare.yaml"), "-o", out,
                "--log-level", "warn", "--set", "retrievals=[smap, ascat]", "--set", "merged=[]", "--set", "joint=false",
                "--set", f"replicates={K}", "--set", "output.figures=false",
                "--base-set", "experiment.start=2017-11-01T00:00:00Z", "--base-set", "experiment.cycles=300",
                "--base-set", "experiment.spinup=30"], check=True)
exps = ["open_loop", "smap", "ascat"]
fail = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        fail.append(what)


def folder(e, k, seed0):
    return os.path.join(out, e) if k == 0 else os.path.join(out, f"seed_{seed0 + k}", e)


seed0 = yaml.safe_load(open(os.path.join(out, "open_loop", "config.resolved.yaml")))["seed"]
for k in range(K):
    for e in exps:
        cfg = os.path.join(folder(e, k, seed0), "config.resolved.yaml")
        check(os.path.exists(cfg) and yaml.safe_load(open(cfg))["seed"] == seed0 + k, f"{e} replicate {k + 1} ran with seed {seed0 + k}")


def series(e, k):
    """(time, obs, model) of the validation source after the spin-up, as compare reads it."""
    d = netCDF4.Dataset(os.path.join(folder(e, k, seed0), "diagnostics", "insitu.nc"))
    d.set_auto_mask(False)
    qc = d["EffectiveQC/soilMoistureVolumetric"][:]
    o = d["ObsValue/soilMoistureVolumetric"][:]
    m = d["hofx/soilMoistureVolumetric"][:]
    t = d["MetaData/dateTime"][:].astype(np.int64)
    ok = ((qc == 0) | (qc == 20)) & np.isfinite(o) & np.isfinite(m) & (np.abs(o) < 1e10) & (np.abs(m) < 1e10)
    start = yaml.safe_load(open(os.path.join(folder(e, k, seed0), "config.resolved.yaml")))["experiment"]["start"]
    t0 = int(start.timestamp()) + 30 * 86400  # the spin-up
    ok &= t >= t0
    return t[ok], o[ok], m[ok]


def anomalies(t, v, half=35 * 86400 // 2):
    return np.array([v[i] - v[(t >= t[i] - half) & (t <= t[i] + half)].mean() for i in range(len(v))])


def scores(t, o, m):
    e = m - o
    return np.array([np.corrcoef(o, m)[0, 1], np.corrcoef(anomalies(t, o), anomalies(t, m))[0, 1],
                     np.sqrt(np.mean((e - e.mean()) ** 2))])


runs = {(e, k): series(e, k) for e in exps for k in range(K)}
# The replicates differ: the open loops of two seeds are not the same run.
t0, _, m0 = runs[("open_loop", 0)]
t1, _, m1 = runs[("open_loop", 1)]
check(np.array_equal(t0, t1) and np.max(np.abs(m0 - m1)) > 1e-4,
      f"the open loop's replicates differ (largest difference {np.max(np.abs(m0 - m1)):.4f} m3/m3)")
rows = {(r["experiment"], r["layer"], r["station"]): r for r in csv.DictReader(open(os.path.join(out, "report.csv")))}
station = [s for (e, l, s) in rows if e == "open_loop" and s != "all stations (mean)"][0]
for e in exps:
    mean = np.mean([scores(*runs[(e, k)]) for k in range(K)], axis=0)
    r = rows[(e, "surface", station)]
    got = np.array([float(r["r"]), float(r["anomaly_r"]), float(r["ubrmse"])])
    check(np.allclose(got, mean, atol=2e-6), f"{e}: R, anomaly R and ubRMSE are the means over {K} replicates ({got} vs {mean})")
    if e == "open_loop":
        continue
    diffs = []
    for k in range(K):
        # the pairs where every run has a value (here every run has the same times)
        (t, o, m), (_, _, b) = runs[(e, k)], runs[("open_loop", k)]
        diffs.append(scores(t, o, m) - scores(t, o, b))
    d = np.mean(diffs, axis=0)
    got = np.array([float(r["d_r"]), float(r["d_anomaly_r"]), float(r["d_ubrmse"])])
    check(np.allclose(got, d, atol=2e-6), f"{e}: the differences to the open loop are the means of the replicates' ({got} vs {d})")
    check(all(float(r[f"d_{m}_lo"]) < float(r[f"d_{m}_hi"]) for m in ("r", "anomaly_r", "ubrmse")), f"{e}: intervals")
s = json.load(open(os.path.join(out, "summary.json")))
check(s["replicates"] == K, "summary.json states the replicates")
check(f"ran {K} times with other seeds" in open(os.path.join(out, "report.md")).read(), "report.md says how the intervals were made")
sys.exit(1 if fail else 0)
