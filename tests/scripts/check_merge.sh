#!/usr/bin/env bash
# `landda merge` on the bundled Hawaii files: the three shipped configs run,
# write CF/IODA files xarray reads with a positive error per value, TC's
# error estimates at Silver Sword match the stored reference, every station
# of the LSTM product is cross-validated; bad merges fail naming the problem
# and write nothing.
set -eu
landda="$1"; src="$2"; py="$3"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cfg="$src/experiments/configs"
for m in mean tc lstm; do
  "$landda" merge "$cfg/hawaii_merge_$m.yaml" -o "$work/$m" --log-level warn
  "$landda" metrics "$src/data/hawaii/ismn_scan_sm.nc" "$work/$m/merged.nc" -o "$work/$m/metrics.json" > /dev/null
done
"$py" - "$work" <<'PY'
import json, sys
import numpy as np, xarray as xr
w = sys.argv[1]
for m in ("mean", "tc", "lstm"):
    v = xr.open_dataset(f"{w}/{m}/merged.nc", group="ObsValue").soilMoistureVolumetric.values
    e = xr.open_dataset(f"{w}/{m}/merged.nc", group="ObsError").soilMoistureVolumetric.values
    meta = xr.open_dataset(f"{w}/{m}/merged.nc", group="MetaData")
    assert len(v) > 3000 and np.all(np.isfinite(v)) and np.all(e > 0), m
    assert len(set(meta.stationIdentification.values.astype(str))) == 6, m
    t = meta.dateTime.values
    assert str(t.min())[:4] == "2017" and str(t.max())[:4] == "2018" and np.all(np.diff(t.astype("int64")) >= 0), m
    s = json.load(open(f"{w}/{m}/summary.json"))
    assert s["method"] == m and s["merged_values"] == len(v), (m, s["merged_values"])
    assert len(json.load(open(f"{w}/{m}/metrics.json"))) == 6
tc = json.load(open(f"{w}/tc/summary.json"))["tc"]
ss = tc["error_estimates"]["SCAN:Silver_Sword"]
ref = {"smap": 0.01692, "ascat": 0.01502, "smos": 0.01604}  # stored reference (103 collocated days)
for p, r in ref.items():
    e = ss[p]
    assert e["n"] == 103 and abs(e["error_std"] - r) < 2e-4, (p, e)
    assert e["error_variance_lo"] < e["error_variance"] < e["error_variance_hi"], (p, e)
assert tc["bins_weighted_by_tc"] > 1000 and tc["bins_by_pooled_tc"] > 0, tc
lstm = json.load(open(f"{w}/lstm/summary.json"))["lstm"]
cv = lstm["cross_validated_scores"]
assert len(cv) == 6 and all(c["n"] > 100 for c in cv.values()), cv
assert len(lstm["cross_validation"]) == 6 and lstm["error_std"] > 0
mean = json.load(open(f"{w}/mean/metrics.json"))["SCAN:Silver_Sword"]
assert abs(mean["r"] - 0.688) < 0.01, mean
print("ok   merge: three Hawaii products; TC at Silver Sword", {p: round(ss[p]["error_std"], 4) for p in ref},
      "; LSTM cross-validated R", {k.split(":")[1]: round(c["r"], 2) for k, c in cv.items()})
PY
# A bad merge fails, says why, and leaves no output folder.
bad() {  # bad <expected message> <args...>
  local expect="$1"; shift
  if "$landda" merge "$@" -o "$work/bad" --log-level off 2> "$work/err"; then echo "FAIL accepted: $*"; exit 1; fi
  grep -qF -- "$expect" "$work/err" || { echo "FAIL '$expect' not in: $(cat "$work/err")"; exit 1; }
  [ ! -e "$work/bad" ] && [ ! -e "$work/bad.partial" ] || { echo "FAIL output written by: $*"; exit 1; }
  echo "ok   bad merge: $(head -c 160 "$work/err")"
}
bad "no location 'Honolulu'" "$cfg/hawaii_merge_lstm.yaml" --set 'merger.holdout_stations=[Honolulu]' --set merger.folds=0
bad "min_sample" "$cfg/hawaii_merge_tc.yaml" --set merger.min_sample=10
bad "is used twice" "$cfg/hawaii_merge_mean.yaml" --set products.1.name=smap
bad "does not exist" "$cfg/hawaii_merge_mean.yaml" --set products.2.file=nowhere.nc
bad "trained on inputs" "$cfg/hawaii_merge_lstm.yaml" --set merger.folds=0 --set "merger.model=$work/lstm/model.pt" --set 'merger.static=""'
