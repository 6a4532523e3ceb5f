#!/usr/bin/env bash
# Bondville 2001 (bundled: HRLDAS forcing, daily probes at two depths):
# assimilating the upper probe (SM1) against the open loop, scored at the
# withheld lower probe (SM2, 10-40 cm) with the paired answer. The surface
# information reaches the lower layer: R at the lower probe rises with a 95 %
# interval above zero and its ubRMSE falls with one below zero.
set -eu
landda="$1"; src="$2"; work="$3"; py="$4"
rm -rf "$work"; mkdir -p "$work"
"$landda" compare "$src/experiments/configs/bondville2001_compare.yaml" -o "$work/cmp" --log-level warn
"$py" - "$work/cmp" <<'PY'
import csv, json, sys
w = sys.argv[1]
rows = {r["experiment"]: r for r in csv.DictReader(open(f"{w}/report.csv")) if r["station"] == "US-Bo1"}
ol, da = rows["open_loop"], rows["sm1"]
ok = float(da["d_r_lo"]) > 0 and float(da["d_ubrmse_hi"]) < 0
print(("ok  " if ok else "FAIL"), f"lower probe (10-40 cm), {da['n']} days: R {float(ol['r']):.3f} open loop, "
      f"{float(da['r']):.3f} assimilating the upper probe (difference {float(da['d_r']):+.3f} "
      f"[{float(da['d_r_lo']):.3f}, {float(da['d_r_hi']):.3f}]); ubRMSE {float(ol['ubrmse']):.4f} -> "
      f"{float(da['ubrmse']):.4f} ({float(da['d_ubrmse']):+.4f} [{float(da['d_ubrmse_lo']):.4f}, {float(da['d_ubrmse_hi']):.4f}])")
s_ol = json.load(open(f"{w}/open_loop/summary.json"))["sources"]["sm1"]
s_da = json.load(open(f"{w}/sm1/summary.json"))["sources"]["sm1"]
ok2 = s_da["used"] > 100 and s_da["omb_ubrms"] < s_ol["omb_ubrms"]
print(("ok  " if ok2 else "FAIL"), f"upper probe: {s_da['used']} assimilated, O-B ubRMS {s_ol['omb_ubrms']:.4f} -> {s_da['omb_ubrms']:.4f}")
sys.exit(not (ok and ok2))
PY
