#!/usr/bin/env bash
# output.diagnostics: the per-source feedback files (IODA layout, read with
# xarray) hold every observation with its background and analysis H(x); the
# O-B, O-A and R statistics recomputed from them equal summary.json's.
set -eu
landda="$1"; src="$2"; work="$3"; py="$4"
rm -rf "$work"; mkdir -p "$work"
"$landda" run "$src/experiments/configs/hawaii_puaakala.yaml" --output "$work/run" --log-level warn \
  --set output.fields=false --set experiment.cycles=200 --set output.diagnostics=true
"$py" - "$work/run" <<'PY'
import json, re, sys
import numpy as np, xarray as xr
run = sys.argv[1]
summary = json.load(open(f"{run}/summary.json"))
resolved = open(f"{run}/config.resolved.yaml").read()
start = np.datetime64(re.search(r"\n  start: (\S+)Z", resolved).group(1))
spinup = int(re.search(r"\n  spinup: (\d+)", resolved).group(1))
spinup_end = start + np.timedelta64(spinup, "D")  # daily windows
fail = 0
for name, s in summary["sources"].items():
    path = f"{run}/diagnostics/{name}.nc"
    group = lambda g: xr.open_dataset(path, group=g)
    var = list(group("ObsValue").data_vars)[0]
    t = group("MetaData")["dateTime"].values
    qc = group("EffectiveQC")[var].values
    o, b, a = group("ObsValue")[var].values, group("hofx0")[var].values, group("hofx1")[var].values
    assert np.allclose(group("ombg")[var].values, o - b, equal_nan=True)
    assert np.allclose(group("oman")[var].values, o - a, equal_nan=True)
    scored = (t > spinup_end) & (qc != 1) & (qc != 2)
    omb = np.sqrt(np.mean((o - b)[scored] ** 2))
    oma = np.sqrt(np.mean((o - a)[scored] ** 2))
    used = int(np.sum(qc == 0))
    r = np.corrcoef(o[scored], b[scored])[0, 1]
    ok = (scored.sum() == s["scored"] and used == s["used"] and np.isclose(omb, s["omb_rms"], rtol=1e-9)
          and np.isclose(oma, s["oma_rms"], rtol=1e-9) and np.isclose(r, s["r_background"], rtol=1e-6) and np.all(np.diff(t) >= np.timedelta64(0)))
    print(("ok  " if ok else "FAIL"), f"{name} ({var}): {scored.sum()} scored, {used} used, O-B RMS {omb:.5f} "
          f"(summary {s['omb_rms']:.5f}), O-A RMS {oma:.5f} (summary {s['oma_rms']:.5f}), R {r:.4f} (summary "
          f"{s['r_background']:.4f})")
    fail |= not ok
# Per source and cycle in assimilate.nc: the counts add up to the run's.
ds = xr.open_dataset(f"{run}/assimilate.nc")
names = [str(n) for n in ds["source_name"].values]
for j, name in enumerate(names):
    s = summary["sources"][name]
    used, rej, miss = (int(ds[v].isel(source=j).sum()) for v in ("used", "rejected_gross_error", "missing"))
    ok = (used, rej, miss) == (s["used"], s["rejected_gross_error"], s["missing"]) and ds["omb_rms"].sizes["time"] == 200
    print(("ok  " if ok else "FAIL"), f"{name} per cycle: used {used}, rejected {rej}, missing {miss} add up")
    fail |= not ok
sys.exit(fail)
PY
