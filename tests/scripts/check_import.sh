#!/usr/bin/env bash
# `landda import` on small files of each kind: counts of good values, gap
# filling and the refusal of bad input.
set -eu
landda="$1"; py="$2"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
# ISMN soil moisture, both layouts, with flags other than G.
cat > "$work/COSMOS_COSMOS_A_sm_0.000000_0.190000_probe_20170101_20170102.stm" <<'X'
COSMOS     COSMOS          A             36.60540   -97.48780  322.00    0.00    0.19 Cosmic-ray-Probe
2017/01/01 00:00   0.1410 G M
2017/01/01 01:00   0.1420 D03 M
2017/01/01 02:00   0.1430 G M
X
cat > "$work/SCAN_SCAN_B_sm_0.050800_0.050800_probe_20170101_20170102.stm" <<'X'
2017/01/01 00:30 2017/01/01 00:30 SCAN       SCAN            B         19.80000  -155.33300 1948.89    0.05    0.05   0.3000 G M
2017/01/01 01:30 2017/01/01 01:30 SCAN       SCAN            B         19.80000  -155.33300 1948.89    0.05    0.05   0.3100 C01 M
X
"$landda" import ismn "$work"/*_sm_*.stm -o "$work/obs.nc" > "$work/out"
grep -q "imported 3 observation(s)" "$work/out" || { cat "$work/out"; echo "FAIL ismn count"; exit 1; }
"$py" - "$work/obs.nc" <<'X'
import sys, netCDF4
ds = netCDF4.Dataset(sys.argv[1])
v = ds["ObsValue"]["soilMoistureVolumetric"][:]
t = ds["MetaData"]["dateTime"][:]
assert list(v) == [0.141, 0.3, 0.143], list(v)
assert all(t[i] <= t[i + 1] for i in range(len(t) - 1)), "times not sorted"
print("ok   ismn import: 3 good values, sorted by time, readable by netCDF4")
X
# Bondville text forcing with a short gap (filled) and then a long one (refused).
{
  echo "header"; echo "<Forcing> data follow"
  for h in 0 1 2 3 4 5; do
    t=$([ $h = 2 ] && echo -6999.0 || echo 280.0)
    echo "1998 01 01 0$h 00 3.0 100 $t 80.0 1000.0 0.0 300.0 0.0"
  done
} > "$work/bv.dat"
"$landda" import bondville "$work/bv.dat" -o "$work/bv.nc" > "$work/out"
grep -q "filled 1 missing value(s) of tas" "$work/out" || { cat "$work/out"; echo "FAIL bondville gap fill"; exit 1; }
if "$landda" import bondville "$work/bv.dat" -o "$work/bv2.nc" --max-gap 0 2> "$work/err"; then echo "FAIL long gap accepted"; exit 1; fi
grep -q "tas is missing from 1998-01-01T02:00:00Z" "$work/err" || { cat "$work/err"; exit 1; }
test ! -e "$work/bv2.nc"
echo "ok   bondville import fills short gaps, refuses long ones, writes nothing then"
