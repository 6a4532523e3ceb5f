#!/usr/bin/env bash
# Observations at their own time (4D). (1) The OSSE with retrievals at their
# overpass hours and daily windows: for three seeds, H at each observation's
# model step (nearest_step) gives a lower analysis RMSE than H at the window's
# end, at the surface and in the root zone, and its normalized innovation
# variance is nearer 1. (2) With windows of one model step the two modes are
# the same run: a real-data run (hourly probe, retrievals at their times) and a
# twin with overpasses give identical outputs.
set -eu
landda="$1"; src="$2"; work="$3"; py="$4"
rm -rf "$work"; mkdir -p "$work"
cfg="$src/experiments/configs"
for seed in 1 2 3; do
  for mode in nearest_step window_end; do
    "$landda" run "$cfg/osse_overpass.yaml" -o "$work/overpass_${mode}_$seed" --log-level warn \
      --set seed=$seed --set experiment.obs_timing=$mode
  done
done
"$py" - "$work" <<'PY'
import json, sys
w = sys.argv[1]
fail = 0
for seed in (1, 2, 3):
    a = json.load(open(f"{w}/overpass_nearest_step_{seed}/summary.json"))
    b = json.load(open(f"{w}/overpass_window_end_{seed}/summary.json"))
    nis = lambda s: max(abs(v["normalized_innovation_variance"] - 1) for v in s["sources"].values())
    ok = a["rmse_surface"] < b["rmse_surface"] and a["rmse_rootzone"] < b["rmse_rootzone"] and nis(a) < nis(b)
    print(("ok  " if ok else "FAIL"), f"seed {seed}: surface RMSE {a['rmse_surface']:.5f} (4D) against "
          f"{b['rmse_surface']:.5f} (window end), root zone {a['rmse_rootzone']:.5f} against {b['rmse_rootzone']:.5f}; "
          f"largest |NIV - 1| {nis(a):.3f} against {nis(b):.3f}")
    fail |= not ok
sys.exit(fail)
PY
one_step=(--log-level warn --set experiment.window=PT1H --set output.diagnostics=true)
for mode in nearest_step window_end; do
  "$landda" run "$cfg/hawaii_silversword.yaml" -o "$work/hourly_$mode" "${one_step[@]}" \
    --set experiment.cycles=2160 --set experiment.spinup=240 --set experiment.obs_timing=$mode
  "$landda" run "$cfg/osse_overpass.yaml" -o "$work/overpass_hourly_$mode" "${one_step[@]}" \
    --set experiment.cycles=480 --set experiment.spinup=48 --set experiment.obs_timing=$mode
done
for run in hourly overpass_hourly; do
  "$py" "$src/tests/regression/digest.py" "$work/${run}_window_end" > "$work/${run}_window_end.json"
  "$py" "$src/tests/regression/digest.py" "$work/${run}_nearest_step" --against "$work/${run}_window_end.json" --rtol 1e-12
done
