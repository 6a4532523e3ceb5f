#!/usr/bin/env bash
# `landda metrics`: a file against itself gives bias 0, ubRMSD 0 and R 1 at
# every location; SMAP against the Hawaii SCAN probes matches the stored
# reference (Silver Sword: 293 pairs, R 0.685).
set -eu
landda="$1"; src="$2"; py="$3"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$landda" metrics "$src/data/hawaii/smap_l3.nc" "$src/data/hawaii/smap_l3.nc" -o "$work/self.json" > /dev/null
"$landda" metrics "$src/data/hawaii/ismn_scan_sm.nc" "$src/data/hawaii/smap_l3.nc" -o "$work/smap.json"
if "$landda" metrics "$src/data/hawaii/smap_l3.nc" "$work/none.nc" 2> "$work/err"; then echo "FAIL missing file accepted"; exit 1; fi
grep -q "none.nc" "$work/err" || { cat "$work/err"; echo "FAIL message does not name the file"; exit 1; }
"$py" - "$work" <<'PY'
import json, sys
w = sys.argv[1]
self_ = json.load(open(f"{w}/self.json"))
assert len(self_) >= 6, self_.keys()
for name, m in self_.items():
    if m["n"] >= 10:
        assert abs(m["bias"]) < 1e-12 and m["ubrmsd"] < 1e-12 and abs(m["r"] - 1) < 1e-12, (name, m)
smap = json.load(open(f"{w}/smap.json"))
assert len(smap) == 6, smap.keys()
ss = smap["SCAN:Silver_Sword"]
assert ss["n"] == 293 and abs(ss["r"] - 0.685) < 0.005 and ss["r_lo"] < ss["r"] < ss["r_hi"], ss
print("ok   metrics: self-comparison exact at", len(self_), "locations; Silver Sword SMAP R", round(ss["r"], 3))
PY
# Daily matching (QA4SM) and triple collocation equal an independent numpy/scipy computation of
# pytesmo's definitions (tests/scripts/metrics_reference.py): pairwise to 1e-6, TC to 1e-4.
"$landda" metrics "$src/data/hawaii/ismn_scan_sm.nc" "$src/data/hawaii/smap_l3.nc" --matching daily -o "$work/daily.json" > /dev/null
"$py" "$src/tests/scripts/metrics_reference.py" "$src/data/hawaii/ismn_scan_sm.nc" "$src/data/hawaii/smap_l3.nc" "$work/daily.json"
"$landda" metrics "$src/data/hawaii/ismn_scan_sm.nc" "$src/data/hawaii/smap_l3.nc" --tc "$src/data/hawaii/ascat_h119.nc" \
  -o "$work/tc.json" > /dev/null
"$py" -W ignore "$src/tests/scripts/metrics_reference.py" "$src/data/hawaii/ismn_scan_sm.nc" "$src/data/hawaii/smap_l3.nc" \
  "$src/data/hawaii/ascat_h119.nc" "$work/tc.json"
