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
# HRLDAS single-point forcing: the namelist's conversions (mb -> Pa, mm per step -> kg m-2 s-1,
# specific -> relative humidity), and a value that cannot be physical refused with its line.
cat > "$work/hr.dat" <<'X'
&location
 latitude               =  40.01      ! latitude [degrees]
 longitude              = -88.37      ! longitude [degrees]
/
&conversion
 have_relative_humidity = .false.
 temperature_offset     = 0.
 temperature_scale      = 1.0
 pressure_scale         = 100.0
 precipitation_scale    = 0.000555
/
yyyy mm dd hh mi |  m s{-1}   |     K       |  kg/kg   |    mb    |  W m{-2}  |  W m{-2} | mm/timestep
2001 01 01 00 00     1.700   293.150 0.0073500  1000.000     0.000   300.000     0.000
2001 01 01 00 30     2.310   293.150 0.0073500  1000.000   100.000   300.000     1.800
X
"$landda" import hrldas "$work/hr.dat" -o "$work/hr.nc" > "$work/out"
"$py" - "$work/hr.nc" <<'X'
import sys, netCDF4
ds = netCDF4.Dataset(sys.argv[1])
pr, ps, hurs = ds["pr"][:].ravel(), ds["ps"][:].ravel(), ds["hurs"][:].ravel()
# e = q p / (0.622 + 0.378 q) = 1177.8 Pa; Bolton's es(20 C) = 2338.8 Pa: RH 50.4 %
assert abs(pr[1] - 1.8 * 0.000555) < 1e-12 and abs(ps[0] - 100000) < 1e-6 and abs(hurs[0] - 50.36) < 0.05, (pr, ps, hurs)
print(f"ok   hrldas import: precipitation {pr[1]:.6g} kg m-2 s-1, pressure {ps[0]:.0f} Pa, humidity {hurs[0]:.2f} %")
X
sed -i 's/2001 01 01 00 30     2.310   293.150/2001 01 01 00 30     2.310   493.150/' "$work/hr.dat"
if "$landda" import hrldas "$work/hr.dat" -o "$work/hr2.nc" 2> "$work/err"; then echo "FAIL 493 K accepted"; exit 1; fi
grep -q "hr.dat:14: air temperature 493.15 cannot be physical" "$work/err" || { cat "$work/err"; exit 1; }
test ! -e "$work/hr2.nc"
echo "ok   hrldas import refuses 493 K with the line: $(cat "$work/err")"
# An HRLDAS observation table: missing values, a run of identical values flagged, an impossible date refused.
cat > "$work/obs.dat" <<'X'
TIMESTAMP LAI SM1 SM2
2001050100 0.05 0.235 0.376
2001050200 0.06 -999 0.3761
2001050300 0.07 0.27 0.3762
2001050400 0.08 0.27 0.3763
2001050500 0.09 0.27 0.3764
2001050600 0.10 0.231 0.3765
X
"$landda" import hrldas-obs "$work/obs.dat" --column SM1 --lon -88.37 --lat 40.01 -o "$work/sm1.nc" > "$work/out"
grep -q "6 rows, 1 missing, 0 outside 0-1 m3/m3 and 3 in runs of 3 or more identical values flagged; 2 good" "$work/out" \
  || { cat "$work/out"; echo "FAIL hrldas-obs counts"; exit 1; }
sed -i 's/2001050600/2001023100/' "$work/obs.dat"
if "$landda" import hrldas-obs "$work/obs.dat" --column SM1 --lon -88.37 --lat 40.01 -o "$work/sm1b.nc" 2> "$work/err"; then
  echo "FAIL 2001-02-31 accepted"; exit 1
fi
grep -q "obs.dat:7: TIMESTAMP '2001023100' is not a date and hour" "$work/err" || { cat "$work/err"; exit 1; }
echo "ok   hrldas-obs import: counts, flagged runs, 2001-02-31 refused"
