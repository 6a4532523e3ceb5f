#!/usr/bin/env bash
# Observation errors learned from the data.
# (1) innovations, in the overpass OSSE whose true errors are known (SMAP-like
#     0.04 m3/m3, AMSR2-like 0.05, ASCAT-like 8 %), started from wrong ones
#     (0.12, 0.02, 20): after a year each learned error is within 20 % of the
#     truth, every normalized innovation variance within 0.8-1.2, and the
#     analysis beats the run that keeps the wrong errors, at the surface and in
#     the root zone.
# (2) tc, at Silver Sword: the learned SMAP error equals triple collocation of
#     the daily means of the rescaled SMAP, ASCAT and SMOS observations
#     (nearest location within 50 km, n - 1 covariances) computed here from the
#     feedback files, as pytesmo computes it.
set -eu
landda="$1"; src="$2"; work="$3"; py="$4"
rm -rf "$work"; mkdir -p "$work"
cfg="$src/experiments/configs"
wrong=(--set experiment.cycles=365 --log-level warn --set experiment.observations.0.assumed_error=0.12
       --set experiment.observations.1.assumed_error=0.02 --set experiment.observations.2.assumed_error=20)
learn=()
for k in 0 1 2; do learn+=(--set experiment.observations.$k.learn_error=innovations); done
"$landda" run "$cfg/osse_overpass.yaml" -o "$work/wrong" "${wrong[@]}"
"$landda" run "$cfg/osse_overpass.yaml" -o "$work/learned" "${wrong[@]}" "${learn[@]}"
"$py" - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a = json.load(open(f"{w}/learned/summary.json")); b = json.load(open(f"{w}/wrong/summary.json"))
fail = 0
for name, truth in (("smap", 0.04), ("amsr2", 0.05), ("ascat", 8.0)):
    s = a["sources"][name]
    ok = abs(s["learned_error"] / truth - 1) < 0.2 and 0.8 <= s["normalized_innovation_variance"] <= 1.2
    print(("ok  " if ok else "FAIL"), f"{name}: learned error {s['learned_error']:.4g} (truth {truth}), normalized "
          f"innovation variance {s['normalized_innovation_variance']:.3f} (with the wrong error "
          f"{b['sources'][name]['normalized_innovation_variance']:.3f})")
    fail |= not ok
ok = a["rmse_surface"] < b["rmse_surface"] and a["rmse_rootzone"] < b["rmse_rootzone"]
print(("ok  " if ok else "FAIL"), f"learned errors: surface RMSE {a['rmse_surface']:.5f} against {b['rmse_surface']:.5f} "
      f"with the wrong ones, root zone {a['rmse_rootzone']:.5f} against {b['rmse_rootzone']:.5f}")
sys.exit(fail | (not ok))
PY
"$landda" run "$cfg/hawaii_silversword.yaml" -o "$work/tc" --log-level warn --set output.diagnostics=true \
  --set experiment.observations.0.learn_error=tc --set 'experiment.observations.0.learn_tc_with=[ascat, smos]'
"$py" - "$work/tc" <<'PY'
import json, math, sys
import netCDF4, numpy as np
w = sys.argv[1]
start = np.datetime64("2017-01-01T00:00:00")

def daily(name):
    with netCDF4.Dataset(f"{w}/diagnostics/{name}.nc") as nc:
        var = list(nc["ObsValue"].variables)[0]
        v = nc["ObsValue"][var][:].filled(np.nan)
        qc = nc["EffectiveQC"][var][:]
        t = nc["MetaData"]["dateTime"][:].astype("int64")
        lon, lat = nc["MetaData"]["longitude"][:], nc["MetaData"]["latitude"][:]
    keep = np.isfinite(v) & (qc != 1)
    day = (t - (start - np.datetime64("1970-01-01T00:00:00")).astype("int64")) // 86400
    out = {}
    for x, y in set(zip(lon[keep], lat[keep])):
        m = keep & (lon == x) & (lat == y)
        s = {}
        for d, val in zip(day[m], v[m]):
            s.setdefault(int(d), []).append(val)
        out[(float(x), float(y))] = {d: float(np.mean(vals)) for d, vals in s.items()}
    return out

def km(a, b):
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[0] - a[0]) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))

smap, ascat, smos = daily("smap"), daily("ascat"), daily("smos")
estimates = []
for loc, series in smap.items():
    partners = []
    for other in (ascat, smos):
        near = min(other, key=lambda o: km(loc, o))
        partners.append(other[near] if km(loc, near) <= 50 else {})
    days = sorted(set(series) & set(partners[0]) & set(partners[1]))
    if len(days) < 50:
        continue
    c = np.cov(np.array([[series[d] for d in days], [partners[0][d] for d in days], [partners[1][d] for d in days]]))
    estimates.append(math.sqrt(c[0, 0] - c[0, 1] * c[0, 2] / c[1, 2]))
learned = json.load(open(f"{w}/summary.json"))["sources"]["smap"]["learned_error"]
ok = len(estimates) == 1 and math.isclose(learned, estimates[0], rel_tol=1e-9)
print(("ok  " if ok else "FAIL"), f"SMAP's error by TC with ASCAT and SMOS: {learned:.6f} in landda, {estimates} here")
sys.exit(not ok)
PY
