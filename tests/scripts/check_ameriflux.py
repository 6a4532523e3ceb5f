#!/usr/bin/python3
"""`landda import ameriflux` and `ameriflux-swc` on the Lucky Hills 2007 file
(data/ameriflux) against an independent pandas reading of the CSV: every
forcing record and soil-moisture value, with its time (the end of each
half hour in local standard time, UTC-7, to records starting half an hour
earlier in UTC); the bundled files equal a fresh import; and the run of
experiments/configs/lucky_hills2007_compare.yaml (assimilate SWC1, score at
SWC2) gives its paired answer, the assimilated probe fitted better.

usage: check_ameriflux.py LANDDA SRC WORK"""
import csv
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import xarray as xr

landda, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
csv_path = os.path.join(src, "data/ameriflux/AMF_USWhs_2007_L2_WG_V004.csv")
start, end = "2007-07-14T12:00", "2007-12-19"


def run(*args):
    r = subprocess.run([landda, *args], capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"FAIL landda {' '.join(args)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


# The independent reading: 17 header lines, names, units, % valid, rows.
df = pd.read_csv(csv_path, skiprows=17, header=0, skipinitialspace=True).iloc[2:].astype(float)
df = df.replace([-9999.0, -6999.0], np.nan)
local_end = (pd.to_datetime(df["YEAR"].astype(int).astype(str), format="%Y") + pd.to_timedelta(df["DOY"] - 1, unit="D")
             + pd.to_timedelta((df["HRMIN"] // 100) * 60 + df["HRMIN"] % 100, unit="min"))
df.index = local_end + pd.Timedelta(hours=7)  # UTC = local standard time + 7 h at UTC-7
start_t, end_t = pd.Timestamp(start), pd.Timestamp(end)
win = df[(df.index - pd.Timedelta(minutes=30) >= start_t) & (df.index <= end_t)]

out = os.path.join(work, "forcing.nc")
run("import", "ameriflux", csv_path, "--utc-offset", "-7", "--start", start, "--end", end, "-o", out)
f = xr.open_dataset(out)
t0 = pd.Timestamp(f["time"].values[0])
assert t0 == win.index[0] - pd.Timedelta(minutes=30), f"first record {t0}, expected {win.index[0] - pd.Timedelta(minutes=30)}"
assert len(f["time"]) == len(win), f"{len(f['time'])} records, {len(win)} periods"
rg = win["Rg"].where(~((win["Rg"] < 0) & (win["Rg"] >= -10)), 0.0)
expected = {"pr": win["PREC"] / 1800.0, "tas": win["TA"] + 273.15, "hurs": win["RH"], "ps": win["PRESS"] * 1000.0,
            "sfcWind": win["WS"], "rsds": rg}
for name, e in expected.items():
    e = e.interpolate(limit_area="inside").values  # landda fills short gaps linearly (a handful of values here)
    np.testing.assert_allclose(f[name].values, e, rtol=1e-9, atol=1e-12, err_msg=name)
assert "rlds" not in f, "Rgl is all missing: no rlds"
print(f"ok   forcing: {len(win)} half-hour records from {t0} (UTC), pr, tas, hurs, ps, sfcWind, rsds equal the CSV "
      f"read with pandas (mm/1800 s, deg C + 273.15, kPa x 1000, night-time Rg down to -10 W m-2 set to 0)")

for c in ("SWC1", "SWC2"):
    o = os.path.join(work, c + ".nc")
    run("import", "ameriflux-swc", csv_path, "--utc-offset", "-7", "--column", c, "--start", "2007-07-15", "--end", end, "-o", o)
    sel = df[(df.index - pd.Timedelta(minutes=30) >= pd.Timestamp("2007-07-15")) & (df.index <= end_t)][c].dropna()
    ds = xr.open_dataset(o, group="ObsValue")
    meta = xr.open_dataset(o, group="MetaData")
    np.testing.assert_allclose(ds["soilMoistureVolumetric"].values, sel.values / 100.0, rtol=1e-12, err_msg=c)
    got_t = pd.to_datetime(meta["dateTime"].values)  # xarray decodes the CF time
    assert (got_t == sel.index).all(), f"{c}: times differ"
    bundled = xr.open_dataset(os.path.join(src, f"data/ameriflux/us_whs_{c.lower()}.nc"), group="ObsValue")
    assert np.array_equal(bundled["soilMoistureVolumetric"].values, ds["soilMoistureVolumetric"].values), f"{c}: bundled file differs"
    print(f"ok   {c}: {len(sel)} values (% / 100) at the end of each half hour (UTC) as in the CSV; the bundled file equals a fresh import")
bundled = xr.open_dataset(os.path.join(src, "data/ameriflux/us_whs_forcing.nc"))
for v in expected:
    assert np.array_equal(bundled[v].values, f[v].values), f"bundled forcing differs in {v}"

run("compare", os.path.join(src, "experiments/configs/lucky_hills2007_compare.yaml"), "-o", os.path.join(work, "cmp"),
    "--log-level", "warn")
rows = {r["experiment"]: r for r in csv.DictReader(open(os.path.join(work, "cmp/report.csv")))
        if r["station"].startswith("Lucky Hills")}
ol, da = rows["open_loop"], rows["swc1"]
for k in ("d_r_lo", "d_r_hi", "d_ubrmse_lo", "d_ubrmse_hi"):
    assert da[k] != "", f"the paired interval {k} is missing"
assert float(da["d_r_lo"]) <= float(da["d_r"]) <= float(da["d_r_hi"])
s_ol = json.load(open(os.path.join(work, "cmp/open_loop/summary.json")))["sources"]["swc1"]
s_da = json.load(open(os.path.join(work, "cmp/swc1/summary.json")))["sources"]["swc1"]
assert s_da["used"] > 7000 and s_da["omb_ubrms"] < s_ol["omb_ubrms"], (s_da, s_ol)
assert float(ol["r"]) > 0.9, f"open-loop R at SWC2 {ol['r']}"
print(f"ok   Lucky Hills run: SWC2 (15 cm), {da['n']} pairs: R {float(ol['r']):.3f} open loop, {float(da['r']):.3f} assimilating "
      f"SWC1 ({float(da['d_r']):+.3f} [{float(da['d_r_lo']):.3f}, {float(da['d_r_hi']):.3f}] {da['r_verdict']}); ubRMSE "
      f"{float(ol['ubrmse']):.4f} -> {float(da['ubrmse']):.4f} ({da['ubrmse_verdict']}); SWC1 O-B ubRMS "
      f"{s_ol['omb_ubrms']:.4f} -> {s_da['omb_ubrms']:.4f} over {s_da['used']} values")
