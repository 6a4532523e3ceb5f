#!/usr/bin/env python3
"""Figures and the HTML page of a `landda compare` run.

usage: make_report.py COMPARE_OUTPUT_DIR

Reads report.csv, report.md, each experiment's diagnostics/ (feedback files of
the validation sources) and maps.nc, and the forcing named in the resolved
configs; writes figures/*.png and report.html. Needs python3 with xarray and
matplotlib (Debian: python3-xarray python3-matplotlib).
"""
import csv
import html
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402


def experiments(out):
    rows = list(csv.DictReader(open(os.path.join(out, "report.csv"))))
    names = []
    for r in rows:
        if r["experiment"] not in names:
            names.append(r["experiment"])
    return rows, names


def feedback(path):
    """Station series of one feedback file: {station: (time, reference, analysis)}."""
    meta = xr.open_dataset(path, group="MetaData")
    var = [v for v in xr.open_dataset(path, group="ObsValue").data_vars][0]
    obs = xr.open_dataset(path, group="ObsValue")[var].values
    # the run's state at each observation's own time (hofx); files of older runs have hofx1 only
    try:
        ana = xr.open_dataset(path, group="hofx")[var].values
    except (OSError, KeyError, ValueError):
        ana = xr.open_dataset(path, group="hofx1")[var].values
    qc = xr.open_dataset(path, group="EffectiveQC")[var].values
    if "stationIdentification" in meta:
        keys = meta.stationIdentification.values.astype(str)
    else:
        keys = np.array(["%.4f,%.4f" % (x, y) for x, y in zip(meta.longitude.values, meta.latitude.values)])
    t = meta.dateTime.values
    ok = np.isfinite(obs) & np.isfinite(ana) & ((qc == 0) | (qc == 20))
    out = {}
    for k in dict.fromkeys(keys[ok]):
        m = ok & (keys == k)
        out[k] = (t[m], obs[m], ana[m])
    return out


def forcing_of(out, exp):
    """Daily precipitation (mm) of the run's forcing file at a station: a function of the station's
    name (the station's own column of a station-set forcing; a point forcing serves every station), or None."""
    cfg = os.path.join(out, exp, "config.resolved.yaml")
    if not os.path.exists(cfg):
        return None
    m = re.search(r"^\s*forcing:\s*(\S+)\s*$", open(cfg).read(), re.M)
    if not m or not os.path.exists(m.group(1)):
        return None
    ds = xr.open_dataset(m.group(1))
    if len(ds.time) < 2:
        return None
    daily = (ds["pr"] * 86400.0 / 24.0).resample(time="1D").sum()
    names = [str(n) for n in ds["station_name"].values] if "station_name" in ds else None

    def at(station):
        if daily.ndim == 1:
            return daily
        if names and station in names:
            return daily.isel(cell=names.index(station))
        return None
    return at


def point_run(out, exp):
    """True when the run's model grid is a set of points (stations): maps say nothing there."""
    cfg = os.path.join(out, exp, "config.resolved.yaml")
    return os.path.exists(cfg) and re.search(r"^\s*kind:\s*points\s*$", open(cfg).read(), re.M) is not None


def anomalies(t, v, days=35):
    """Each value minus the mean of the values within +-days/2 (pytesmo's moving-average climatology)."""
    import pandas as pd
    s = pd.Series(np.asarray(v, dtype=float), index=pd.DatetimeIndex(t))
    clim = s.rolling(f"{days}D", center=True, min_periods=1).mean()
    return (s - clim).values


VERDICT_COLOUR = {"better": "tab:green", "worse": "tab:red", "no significant difference": "0.45"}


def interval_plot(rows, names, layers, figdir):
    """Each experiment minus the open loop (R, anomaly R, ubRMSE) with its 95 % interval: the mean over
    stations (large) and every station (small), coloured by the verdict."""
    metrics = (("r", "R"), ("anomaly_r", "anomaly R"), ("ubrmse", "ubRMSE (m3/m3)"))
    exps = [e for e in names if e != "open_loop"]
    if not exps or not any(r.get("d_r") for r in rows):
        return None
    fig, axes = plt.subplots(len(layers), 3, figsize=(13, 0.5 * len(exps) * len(layers) + 1.6 * len(layers)),
                             squeeze=False)
    for li, layer in enumerate(layers):
        for mi, (m, label) in enumerate(metrics):
            ax = axes[li][mi]
            for y, e in enumerate(exps):
                for r in rows:
                    if r["experiment"] != e or r["layer"] != layer or not r.get(f"d_{m}"):
                        continue
                    mean = r["station"] == "all stations (mean)"
                    d, lo, hi = float(r[f"d_{m}"]), float(r[f"d_{m}_lo"]), float(r[f"d_{m}_hi"])
                    c = VERDICT_COLOUR.get(r[f"{m}_verdict"], "0.45")
                    yy = y + (0 if mean else 0.25)
                    # a percentile interval need not contain its point estimate (skewed resamples)
                    ax.errorbar([d], [yy], xerr=[[max(d - lo, 0)], [max(hi - d, 0)]], fmt="o", color=c, ms=7 if mean else 3,
                                lw=2 if mean else 0.8, capsize=3 if mean else 0)
            ax.axvline(0, color="k", lw=0.8)
            ax.set_yticks(range(len(exps)))
            ax.set_yticklabels(exps if mi == 0 else [])
            ax.invert_yaxis()
            ax.set_title(f"{layer}: {label} minus the open loop", fontsize=9)
    fig.tight_layout()
    name = "intervals.png"
    fig.savefig(os.path.join(figdir, name), dpi=90)
    plt.close(fig)
    return name


def validation_sources(out):
    """The validation sources the comparison scored (summary.json)."""
    return list(json.load(open(os.path.join(out, "summary.json"))).get("validation", {}).keys())


def main(out):
    rows, names = experiments(out)
    figdir = os.path.join(out, "figures")
    os.makedirs(figdir, exist_ok=True)
    figures = []
    layers = []
    for r in rows:
        if r["layer"] not in layers:
            layers.append(r["layer"])
    station_layer = {}
    for r in rows:
        if r["station"] == "all stations (mean)":
            continue
        station_layer.setdefault(r["layer"], [])
        if r["station"] not in station_layer[r["layer"]]:
            station_layer[r["layer"]].append(r["station"])

    # The paired answer: differences to the open loop with their intervals.
    name = interval_plot(rows, names, layers, figdir)
    if name:
        figures.append((name, "each experiment minus the open loop with its 95 % moving-block bootstrap interval: "
                              "the mean over stations (large) and every station (small); green better, red worse, "
                              "grey no significant difference"))
    rows = [r for r in rows if r["station"] != "all stations (mean)"]

    # Box plots of ubRMSE and R across stations, where a layer has enough stations for a box.
    box_layers = [l for l in layers if len(station_layer.get(l, [])) >= 5]
    for metric, label in (("ubrmse", "ubRMSE (m3/m3)"), ("r", "Pearson R")):
        if not box_layers:
            break
        fig, axes = plt.subplots(1, len(box_layers), figsize=(5 * len(box_layers), 4), squeeze=False)
        for ax, layer in zip(axes[0], box_layers):
            data = [[float(r[metric]) for r in rows if r["experiment"] == e and r["layer"] == layer and r[metric]]
                    for e in names]
            ax.boxplot(data, labels=names)
            ax.set_title(f"{layer}: {label} across stations")
            ax.tick_params(axis="x", rotation=45)
        fig.tight_layout()
        name = f"box_{metric}.png"
        fig.savefig(os.path.join(figdir, name), dpi=90)
        plt.close(fig)
        figures.append((name, f"{label} of every experiment across the validation stations"))

    # Time series at a few stations, precipitation below.
    base = names[0]
    pr = forcing_of(out, base)
    for src in validation_sources(out):
        series = {e: feedback(os.path.join(out, e, "diagnostics", src + ".nc")) for e in names
                  if os.path.exists(os.path.join(out, e, "diagnostics", src + ".nc"))}
        stations = list(series[base].keys())[:8]
        if not stations:
            continue
        fig, axes = plt.subplots(3 * len(stations), 1, figsize=(11, 4.6 * len(stations)), squeeze=False,
                                 gridspec_kw={"height_ratios": [3, 2, 1] * len(stations)})
        for i, st in enumerate(stations):
            ax, axa, axp = axes[3 * i][0], axes[3 * i + 1][0], axes[3 * i + 2][0]
            t, ref, _ = series[base][st]
            ax.plot(t, ref, "k.", ms=2, label="reference")
            axa.plot(t, anomalies(t, ref), "k.", ms=2)
            for e in names:
                if st in series.get(e, {}):
                    te, _, a = series[e][st]
                    ax.plot(te, a, lw=0.8, label=e)
                    axa.plot(te, anomalies(te, a), lw=0.8)
            ax.set_title(f"{src} at {st}")
            ax.set_ylabel("soil moisture")
            axa.set_ylabel("anomaly (35 d)")
            axa.axhline(0, color="k", lw=0.5)
            if i == 0:
                ax.legend(fontsize=7, ncol=4)
            p = pr(st) if pr is not None else None
            if p is not None:
                p = p.sel(time=slice(t.min(), t.max()))
                axp.bar(p.time.values, p.values, width=1.0, color="tab:blue")
            axa.set_xlim(ax.get_xlim())
            axp.set_xlim(ax.get_xlim())
            axp.set_ylabel("P (mm/day)")
        fig.tight_layout()
        name = f"timeseries_{src}.png"
        fig.savefig(os.path.join(figdir, name), dpi=80)
        plt.close(fig)
        figures.append((name, f"{src}: each experiment at the stations (reference: black dots), its anomalies from "
                              f"a 35-day moving average, and precipitation"))

    # Maps: time-mean surface soil moisture (open loop or first) and the mean increment of each experiment.
    maps = {e: os.path.join(out, e, "maps.nc") for e in names if os.path.exists(os.path.join(out, e, "maps.nc"))}
    if maps and not point_run(out, base):
        ds0 = xr.open_dataset(maps[base] if base in maps else next(iter(maps.values())))
        var = [v for v in ds0.data_vars if v.startswith("time_mean_")][0]
        inc = var.replace("time_mean_", "mean_increment_")
        lon = ds0["lon"].values if "lon" in ds0 else ds0["x"].values
        lat = ds0["lat"].values if "lat" in ds0 else ds0["y"].values
        panels = [(base, var, "time-mean surface " + var.replace("time_mean_", ""))]
        panels += [(e, inc, "mean surface increment") for e in names if e in maps and e != "open_loop"]
        ncol = min(4, len(panels))
        nrow = (len(panels) + ncol - 1) // ncol
        fig, axes = plt.subplots(nrow, ncol, figsize=(4 * ncol, 3.6 * nrow), squeeze=False)
        for ax in axes.flat:
            ax.axis("off")
        lim = max(1e-6, max(float(np.nanmax(np.abs(xr.open_dataset(maps[e])[inc].values[0]))) for e, _, _ in panels[1:])) if len(panels) > 1 else 1
        for ax, (e, v, title) in zip(axes.flat, panels):
            ax.axis("on")
            vals = xr.open_dataset(maps[e])[v].values[0]
            kw = dict(cmap="RdBu", vmin=-lim, vmax=lim) if v == inc else dict(cmap="viridis_r")
            sc = ax.scatter(lon, lat, c=vals, s=max(2, 4000 / max(1, len(lon))), marker="s", **kw)
            fig.colorbar(sc, ax=ax, shrink=0.8)
            ax.set_title(f"{e}: {title}", fontsize=9)
        fig.tight_layout()
        fig.savefig(os.path.join(figdir, "maps.png"), dpi=80)
        plt.close(fig)
        figures.append(("maps.png", "time-mean surface soil moisture and each experiment's mean analysis increment"))

    # The page: the report's tables and every figure; a check that the images loaded.
    figs = "".join(f'<figure><img src="figures/{n}" alt="{html.escape(c)}"><figcaption>{html.escape(c)}</figcaption></figure>'
                   for n, c in figures)
    md = open(os.path.join(out, "report.md")).read()
    body = []
    table = []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(set(c) <= set("-") for c in cells):
                table.append(cells)
            continue
        if table:
            body.append("<table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in table[0]) + "</tr>"
                        + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in table[1:])
                        + "</table>")
            table = []
        if line.startswith("## Per station"):
            body.append("<h2>Figures</h2>" + figs)
        if line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.strip():
            body.append(f"<p>{html.escape(line)}</p>")
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>landda comparison</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:auto}} table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:2px 6px}} img{{max-width:100%}}</style></head>
<body>
{''.join(body)}
<p id="image-check">images: not checked</p>
<script>
window.addEventListener("load", function () {{
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;
  document.getElementById("image-check").textContent = "images loaded: " + ok + " of " + imgs.length;
}});
</script>
</body></html>
"""
    with open(os.path.join(out, "report.html.tmp"), "w") as f:
        f.write(page)
    os.replace(os.path.join(out, "report.html.tmp"), os.path.join(out, "report.html"))
    print(f"report: {os.path.join(out, 'report.html')} ({len(figures)} figures)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
