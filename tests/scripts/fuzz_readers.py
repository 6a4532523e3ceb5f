#!/usr/bin/env python3
"""Fuzz test of landda's readers (issue 19): random truncations and byte flips
of real sample files, each read by the command that reads such a file. Every
case must end in a correct read (exit 0) or a named error (exit 2 or 3, the
damaged file named in the message) -- never a crash (a signal, exit 1 from
an unexpected error) and never a hang (the time limit).

usage: fuzz_readers.py LANDDA SRC WORK [--cases N] [--seed S] [--seconds T]
"""
import os
import random
import shutil
import subprocess
import sys
import time

landda, src, work = sys.argv[1:4]
opt = dict(zip(sys.argv[4::2], sys.argv[5::2]))
cases = int(opt.get("--cases", 40))
seed = int(opt.get("--seed", 1))
budget = float(opt.get("--seconds", 240))
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
d = lambda *p: os.path.join(src, *p)

# An observation file as landda writes it today (station names as character
# arrays: a damaged variable-length string can crash HDF5 itself, inside
# H5HG_read, before any check of ours; files from elsewhere may still hold them).
sample_ioda = os.path.join(work, "sample_smap.nc")
subprocess.run([landda, "import", "cf-dsg", "--product", "smap_l3_successful", d("data/hawaii/cells/SMAP_L3/0165.nc"),
                "--near", "-155.417,19.767,SilverSword;-155.333,19.8,PuaAkala", "--start", "2017-01-01", "--end", "2019-01-01",
                "-o", sample_ioda], check=True, capture_output=True)

# A run stopped after a checkpoint: its checkpoint is damaged in a copy of the folder and the run restarted there.
stopped = os.path.join(work, "stopped_run")
subprocess.run([landda, "run", d("experiments/configs/twin_surface.yaml"), "--output", stopped, "--set", "experiment.cycles=12", "--set", "experiment.spinup=2",
                "--set", "output.checkpoint_every=2", "--stop-after", "6", "--log-level", "error"], check=True, capture_output=True)

# reader name, sample file, the command that reads a file F (a list; "F" replaced, "D" the case's folder)
# and, for a file that lives in a folder of others, that folder (copied into each case first)
readers = [
    ("ioda", sample_ioda, [landda, "metrics", "F", d("data/hawaii/ismn_scan_sm.nc")]),
    ("ismn", d("data/hawaii/ismn/SCAN/PuaAkala/SCAN_SCAN_PuaAkala_sm_0.101600_0.101600_Hydraprobe-Analog-A_19500101_20250617.stm"),
     [landda, "import", "ismn", "F", "-o", os.path.join(work, "out_ismn.nc")]),
    ("cf-dsg", d("data/hawaii/cells/SMOS_IC/0166.nc"),
     [landda, "import", "cf-dsg", "--product", "smos_ic", "F", "--near", "-155.5,19.9", "-o", os.path.join(work, "out_dsg.nc")]),
    ("forcing", d("data/hawaii/forcing_SilverSword.nc"),
     [landda, "validate", d("experiments/configs/hawaii_silversword.yaml"), "--set", "model.forcing=F"]),
    ("smap_l2", d("data/products/SMAP_L2/2015.08.11/SMAP_L2_SM_P_02801_A_20150811T013002_R18290_001.h5"),
     [landda, "import", "smap-l2", "F", "-o", os.path.join(work, "out_smap_l2.nc")]),
    ("smos_l3", d("data/products/SMOS_L3/SM_OPER_MIR_CLF31A_20150506T000000_20150506T235959_300_002_7.DBL.nc"),
     [landda, "import", "smos-l3", "F", "--option", "quality=none", "-o", os.path.join(work, "out_smos_l3.nc")]),
    ("cgls_ssm", d("data/products/CGLS_SSM1km_V1.1_img/c_gls_SSM1km_201706010000_CEURO_S1CSAR_V1.1.1.nc"),
     [landda, "import", "cgls-ssm", "F", "-o", os.path.join(work, "out_cgls.nc")]),
    ("lis_history", d("data/products/lis_noahmp/201703/LIS_HIST_201703300000.d01.nc"),
     [landda, "import", "lis-history", "F", "-o", os.path.join(work, "out_lis.nc")]),
    ("era5_legacy", d("data/forcing-formats/era5_cds_legacy/era5_testfile.nc"),
     [landda, "import", "forcing", "--preset", "era5", "F", "--points", "12.5,55.7", "--variables", "tas,rsds,sfcWind,ps",
      "-o", os.path.join(work, "out_era5.nc")]),
    ("era5_2024", d("data/forcing-formats/era5_cds_2024/era5_total_precipitation_2020-1.nc"),
     [landda, "import", "forcing", "--preset", "era5", "F", "--points", "0.1,59.9", "--variables", "pr",
      "-o", os.path.join(work, "out_era5_2024.nc")]),
    ("ameriflux", d("data/ameriflux/AMF_USWhs_2007_L2_WG_V004.csv"),
     [landda, "import", "ameriflux", "F", "--utc-offset", "-7", "--start", "2007-07-14T12:00", "--end", "2007-12-19",
      "-o", os.path.join(work, "out_ameriflux.nc")]),
    ("checkpoint", os.path.join(stopped, "checkpoint.h5"),
     [landda, "run", d("experiments/configs/twin_surface.yaml"), "--output", "D", "--set", "experiment.cycles=12", "--set", "experiment.spinup=2",
      "--set", "output.checkpoint_every=2", "--restart", "--log-level", "error"], stopped),
    ("static", d("data/hawaii/SCAN_SCAN_SilverSword_static_variables.csv"),
     [landda, "validate", d("experiments/configs/hawaii_silversword.yaml"), "--set", "model.soil.ismn_files=[F]"]),
]

rng = random.Random(seed)
start = time.time()
counts, failures = {}, []
for name, sample, command, *template in readers:
    data = open(sample, "rb").read()
    # ISMN text files are large: mutate a slice of the head to keep each case quick.
    if name == "ismn":
        data = data[:200000]
    ext = os.path.splitext(sample)[1]
    for k in range(cases):
        if time.time() - start > budget:
            break
        b = bytearray(data)
        kind = rng.choice(["truncate", "flip", "flip", "zero"])
        if kind == "truncate":
            b = b[: rng.randrange(0, len(b))]
        elif kind == "flip":
            for _ in range(rng.randrange(1, 64)):
                i = rng.randrange(len(b))
                b[i] ^= rng.randrange(1, 256)
        else:
            i = rng.randrange(len(b))
            b[i : i + rng.randrange(1, 4096)] = bytes(min(len(b) - i, 4096))
        # ISMN files are named after their contents: keep the sample's name.
        folder = os.path.join(work, f"{name}_{k}")
        if template:
            shutil.copytree(template[0], folder)
        else:
            os.makedirs(folder)
        keep_name = name in ("ismn", "static") or template
        path = os.path.join(folder, os.path.basename(sample) if keep_name else f"case{ext}")
        open(path, "wb").write(bytes(b))
        cmd = [c.replace("F", path) if c == "F" or "=F" in c or "[F]" in c else folder if c == "D" else c for c in command]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=60, cwd=work)
            code, err = r.returncode, r.stderr
        except subprocess.TimeoutExpired:
            code, err = "timeout", ""
        counts[(name, code)] = counts.get((name, code), 0) + 1
        named = code == 0 or os.path.basename(path) in err or "--set" in err
        if code not in (0, 2, 3) or not named:
            failures.append(f"{name} case {k} ({kind}): exit {code}: {err.strip()[-300:]} (kept in {folder})")
        else:
            shutil.rmtree(folder)

elapsed = time.time() - start
for (name, code), n in sorted(counts.items(), key=str):
    print(f"  {name}: exit {code}: {n} case(s)")
print(f"{sum(counts.values())} cases in {elapsed:.0f} s")
for f in failures:
    print("FAIL " + f)
print(("ok   " if not failures else "FAIL ") + f"every damaged file was read or refused by name ({len(failures)} failures)")
sys.exit(1 if failures else 0)
