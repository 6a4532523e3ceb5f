"""Plots a landda open-loop (or twin) output: soil moisture per layer with
precipitation above, and the cumulative water budget. Uses Debian's
python3-xarray and python3-matplotlib.
usage: /usr/bin/python3 scripts/plot_openloop.py OUTPUT_DIR FIGURE.png [CELL]"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

out, fig_path = Path(sys.argv[1]), sys.argv[2]
cell = int(sys.argv[3]) if len(sys.argv) > 3 else 0
nc = next(p for p in (out / "openloop.nc", out / "twin.nc", out / "assimilate.nc") if p.exists())
ds = xr.open_dataset(nc)
who = "control" if "control_soil_moisture" in ds else "truth"
cfg = (out / "config.resolved.yaml").read_text()
bottoms = None
for line in cfg.splitlines():
    if line.strip().startswith("layer_bottoms:"):
        bottoms = [float(v) for v in line.split("[", 1)[1].rstrip("]").split(",")]
tops = [0.0] + bottoms[:-1]
t = ds.time.values
fig, axes = plt.subplots(3, 1, figsize=(10, 9), sharex=True, gridspec_kw={"height_ratios": [1, 3, 2]})
pr = ds[f"{who}_precipitation"].isel(cell=cell).values * 1000
axes[0].bar(t, pr, width=1.0, color="tab:blue")
axes[0].set_ylabel("precipitation\n(mm/day)")
axes[0].invert_yaxis()
colors = plt.cm.viridis(np.linspace(0, 0.9, len(bottoms)))
for layer, (top, bot) in enumerate(zip(tops, bottoms)):
    sm = ds[f"{who}_soil_moisture"].isel(cell=cell, layer=layer)
    mean = ds["analysis_mean_soil_moisture"].isel(cell=cell, layer=layer)
    spread = ds["analysis_spread_soil_moisture"].isel(cell=cell, layer=layer)
    label = f"{top*100:.0f}-{bot*100:.0f} cm"
    axes[1].plot(t, sm, color=colors[layer], label=label)
    axes[1].fill_between(t, mean - spread, mean + spread, color=colors[layer], alpha=0.2, lw=0)
axes[1].set_ylabel("soil moisture (m$^3$ m$^{-3}$)\nline: control, band: ensemble ±1 sd")
axes[1].legend(loc="lower left", ncol=3, fontsize=8)
for name, color in [("precipitation", "tab:blue"), ("evapotranspiration", "tab:green"), ("runoff", "tab:orange"),
                    ("drainage", "tab:purple")]:
    axes[2].plot(t, np.cumsum(ds[f"{who}_{name}"].isel(cell=cell).values) * 1000, color=color, label=name)
axes[2].set_ylabel("cumulative (mm)")
axes[2].legend(loc="upper left", fontsize=8)
summary = json.loads((out / "summary.json").read_text())
fig.suptitle(f"{ds.title}: {out.name}, cell {cell}; max water-balance error "
             f"{summary.get('max_water_balance_error_m', float('nan')):.1e} m per step")
fig.tight_layout()
fig.savefig(fig_path, dpi=110)
tot = {n: float(ds[f"{who}_{n}"].isel(cell=cell).sum()) * 1000 for n in
       ("precipitation", "evapotranspiration", "runoff", "drainage")}
print(json.dumps({k: round(v, 1) for k, v in tot.items()}))
