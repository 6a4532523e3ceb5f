#!/usr/bin/python3
"""What an experiment's analysis changes at each probe depth, station by station.

From a `landda compare` output of a stations config (its feedback files,
output.diagnostics): daily means of the model at each probe, anomalies from a
35-day centred moving mean; d = experiment minus open loop, e = probe minus
open loop. Prints sd(e), sd(d), corr(d, e) and the open loop's and the
experiment's anomaly R per station and depth. corr(d, e) near 0 with sd(d)
comparable to sd(e) is a change that is noise to that probe.

usage: analysis_change_by_depth.py COMPARE_DIR [EXPERIMENT (joint)]
"""
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd


def load(path):
    with netCDF4.Dataset(path) as d:
        d.set_auto_chartostring(True)
        var = list(d["ObsValue"].variables)[0]
        value = lambda g: np.ma.filled(d[f"{g}/{var}"][:].astype(float), np.nan)
        return pd.DataFrame({"station": d["MetaData/stationIdentification"][:],
                             "time": pd.to_datetime(d["MetaData/dateTime"][:], unit="s"),
                             "o": value("ObsValue"), "h": value("hofx")})


def daily(frame, station):
    x = frame[frame.station == station].set_index("time").sort_index()
    return x[~x.index.duplicated()].resample("1D").mean(numeric_only=True)


def anomaly(s):
    return s - s.rolling("35D", center=True, min_periods=1).mean()


def main():
    run = Path(sys.argv[1])
    exp = sys.argv[2] if len(sys.argv) > 2 else "joint"
    print("probe station days sd(e) sd(d) corr(d,e) anomalyR_open_loop anomalyR_" + exp)
    for probe in sorted(p.stem for p in (run / "open_loop" / "diagnostics").glob("insitu_*cm.nc")):
        a = load(run / "open_loop" / "diagnostics" / f"{probe}.nc")
        b = load(run / exp / "diagnostics" / f"{probe}.nc")
        for station in sorted(set(a.station)):
            x, y = daily(a, station), daily(b, station)
            y = y.reindex(x.index)
            ok = x.o.notna() & x.h.notna() & y.h.notna()
            if ok.sum() < 50:
                continue
            x, y = x[ok], y[ok]
            e, d = anomaly(x.o - x.h), anomaly(y.h - x.h)
            oa = anomaly(x.o)
            print(f"{probe} {station} {len(x)} {e.std():.4f} {d.std():.4f} {np.corrcoef(d, e)[0, 1]:.3f} "
                  f"{np.corrcoef(oa, anomaly(x.h))[0, 1]:.3f} {np.corrcoef(oa, anomaly(y.h))[0, 1]:.3f}")


if __name__ == "__main__":
    main()
