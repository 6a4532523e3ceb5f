#!/usr/bin/python3
"""`landda import` of every product reader on the real samples in data/products,
checked against an independent reading with netCDF4 and numpy that follows each
product's documentation: the values kept, their errors, places and times, and
the report's count for every quality test. SMAP's times are also checked
against the granule's own tb_time_utc strings (read with h5dump: NetCDF-C 4.9
crashes on that fixed-length HDF5 string, so landda never reads it).

usage: check_products.py LANDDA DATA_DIR"""
import json
import os
import re
import subprocess
import sys
import tempfile

import netCDF4
import numpy as np

landda, data = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp()
T2000 = 946684800  # 2000-01-01T00:00:00Z


def run(kind, inputs, *extra):
    out = os.path.join(work, kind + ".nc")
    r = subprocess.run([landda, "import", kind, *inputs, "-o", out, *extra], capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"FAIL {kind}: landda import exited {r.returncode}\n{r.stdout}{r.stderr}")
    ds = netCDF4.Dataset(out)
    var = [v for v in ds["ObsValue"].variables][0]
    got = {
        "lat": ds["MetaData"]["latitude"][:].filled(np.nan),
        "lon": ds["MetaData"]["longitude"][:].filled(np.nan),
        "time": ds["MetaData"]["dateTime"][:].astype(np.int64),
        "value": ds["ObsValue"][var][:].filled(np.nan),
        "error": ds["ObsError"][var][:].filled(np.nan),
        "report": json.loads(ds.import_report),
        "units": ds["ObsValue"][var].units,
    }
    assert np.all(np.diff(got["time"]) >= 0), f"{kind}: times not sorted"
    return got


def compare(kind, got, exp, tests, units, pixels=None):
    """Kept rows equal as sets (ordered by time, place, value); counts equal per test."""
    assert got["units"] == units, f"{kind}: units {got['units']} != {units}"
    key = lambda d: np.lexsort((d["value"], d["lon"], d["lat"], d["time"]))
    g, e = key(got), key(exp)
    assert len(g) == len(e), f"{kind}: {len(g)} values written, {len(e)} expected"
    for f in ("lat", "lon", "value", "error"):
        np.testing.assert_allclose(got[f][g], exp[f][e], rtol=1e-6, atol=1e-9, err_msg=f"{kind}: {f}")
    assert np.array_equal(got["time"][g], exp["time"][e]), f"{kind}: times differ"
    rep = got["report"]
    for name, count in tests.items():
        assert rep["failed_per_test"][name] == count, f"{kind}: test '{name}': {rep['failed_per_test'][name]} != {count}"
    assert rep["written"] == len(e), f"{kind}: report written {rep['written']} != {len(e)}"
    kept = len(e) if pixels is None else pixels
    assert rep["kept"] == kept, f"{kind}: report kept {rep['kept']} != {kept}"
    print(f"ok   {kind}: {len(e)} values, their errors, places and times as read independently; "
          f"{len(tests)} test counts equal")


def raw(var):
    var.set_auto_maskandscale(False)
    return var[:]


def files(folder, pattern):
    out = []
    for root, _, names in os.walk(os.path.join(data, folder)):
        out += [os.path.join(root, n) for n in names if re.fullmatch(pattern, n)]
    return sorted(out, key=os.path.basename)


def gather(parts):
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def smap():
    kept, counts = [], {}
    names = ["36_km_snow_or_ice", "36_km_permanent_snow_or_ice", "36_km_radiometer_frozen_ground", "36_km_model_frozen_ground"]
    for path in files("SMAP_L2", r"SMAP_L2_SM_P_.*\.h5"):
        g = netCDF4.Dataset(path)["Soil_Moisture_Retrieval_Data"]
        sm, err = raw(g["soil_moisture"]), raw(g["soil_moisture_error"])
        lat, lon, sec = raw(g["latitude"]), raw(g["longitude"]), raw(g["tb_time_seconds"])
        q, s = raw(g["retrieval_qual_flag"]).astype(np.int64), raw(g["surface_flag"]).astype(np.int64)
        meanings = g["surface_flag"].flag_meanings.split()
        placed = np.abs(lat) <= 90
        value_ok = (sm != -9999) & (sm >= 0.02) & (sm <= 0.5)
        fails = {"retrieval_qual_flag: Soil_moisture_retrieval_recommended": (q != 65534) & (q & 1 != 0)}
        for n in names:
            fails["surface_flag: " + n] = (s != 65534) & (s & (1 << meanings.index(n)) != 0)
        fails["soil_moisture: outside valid_min/valid_max"] = (sm != -9999) & ~value_ok
        for k, f in fails.items():
            counts[k] = counts.get(k, 0) + int(np.sum(f & placed))
        any_fail = np.logical_or.reduce(list(fails.values()))
        keep = placed & ~any_fail & value_ok & (sec > 0)
        time = 946728000 + np.round(sec).astype(np.int64)
        kept.append({"lat": lat[keep], "lon": lon[keep], "value": sm[keep],
                     "error": np.where((err[keep] != -9999) & (err[keep] > 0), err[keep], 0.04), "time": time[keep]})
        check_smap_utc(path, sec, keep)
    compare("smap_l2", run("smap_l2", [os.path.join(data, "SMAP_L2")]), gather(kept), counts, "m3 m-3")
    # Granules whose names sort against their times (the later orbit first, each twice): the
    # writer merges the overlapping runs into one file in time order, every value kept twice.
    swapped = os.path.join(work, "swapped")
    os.makedirs(swapped)
    for k, path in enumerate(list(reversed(files("SMAP_L2", r"SMAP_L2_SM_P_.*\.h5"))) * 2):
        os.symlink(os.path.abspath(path), os.path.join(swapped, f"SMAP_L2_SM_P_{k}.h5"))
    twice = gather([gather(kept), gather(kept)])
    compare("smap_l2 (granules out of time order, merged)", run("smap_l2", [swapped]), twice,
            {k: 2 * v for k, v in counts.items()}, "m3 m-3")
    # 70 overlapping granules: more runs than one merge takes (64), so two passes.
    many = os.path.join(work, "many")
    os.makedirs(many)
    for k, path in enumerate(list(reversed(files("SMAP_L2", r"SMAP_L2_SM_P_.*\.h5"))) * 35):
        os.symlink(os.path.abspath(path), os.path.join(many, f"SMAP_L2_SM_P_{k:03d}.h5"))
    compare("smap_l2 (70 overlapping granules, two merge passes)", run("smap_l2", [many]),
            gather([gather(kept)] * 35), {k: 35 * v for k, v in counts.items()}, "m3 m-3")


def check_smap_utc(path, sec, keep):
    out = subprocess.run(["h5dump", "-y", "-w", "0", "-d", "/Soil_Moisture_Retrieval_Data/tb_time_utc", path],
                         capture_output=True, text=True, check=True).stdout
    body = out[out.index("DATA {"):]
    body = body[:body.index("}")]
    utc = re.findall(r'"([^"]*)"', body)
    assert len(utc) == len(sec), f"{path}: {len(utc)} tb_time_utc strings for {len(sec)} values"
    for i in np.flatnonzero(keep)[::25]:
        t = np.datetime64(utc[i].rstrip("Z"), "ms").astype(np.int64) / 1000.0
        assert abs(t - (946728000 + sec[i])) < 0.002, f"{path}: row {i}: tb_time_utc {utc[i]} vs tb_time_seconds {sec[i]}"


def smos_l3():
    kept = []
    for path in files("SMOS_L3", r"SM_.*_MIR_CLF3.*\.nc"):
        ds = netCDF4.Dataset(path)
        sm = raw(ds["Soil_Moisture"]).astype(float)
        good = sm != -32768
        days, secs = raw(ds["Mean_Acq_Time_Days"]).astype(np.int64), raw(ds["Mean_Acq_Time_Seconds"]).astype(np.int64)
        lat2, lon2 = np.meshgrid(ds["lat"][:], ds["lon"][:], indexing="ij")
        v = sm * ds["Soil_Moisture"].scale_factor + ds["Soil_Moisture"].add_offset
        keep = good & (days != -2147483647) & (v >= 0) & (v <= 1)
        kept.append({"lat": lat2[keep], "lon": lon2[keep], "value": v[keep], "error": np.full(keep.sum(), 0.04),
                     "time": T2000 + days[keep] * 86400 + secs[keep]})
    compare("smos_l3", run("smos_l3", [os.path.join(data, "SMOS_L3")], "--option", "quality=none"), gather(kept), {},
            "m3 m-3")


def cgls(kind, folder, var, noise, flags, extra=()):
    kept, counts = [], {}
    for path in files(folder, r"c_gls_.*\.nc"):
        ds = netCDF4.Dataset(path)
        r = raw(ds[var])[0].astype(np.int64)
        meanings = ds[var].flag_meanings.split()
        for n in flags:
            counts[f"{var}: {n}"] = counts.get(f"{var}: {n}", 0) + int(np.sum(r == ds[var].flag_values[meanings.index(n)]))
        day = ds["time"][0]
        t = np.int64(round((day + 0.5) * 86400))  # days since 1970-01-01T12:00
        lat2, lon2 = np.meshgrid(ds["lat"][:], ds["lon"][:], indexing="ij")
        keep = r <= 200
        if noise:
            n = raw(ds[noise])[0].astype(np.int64)
            e = np.where(n <= 200, n * 0.5, 10.0)
        else:
            e = np.full(r.shape, 8.0)
        if var.startswith("SWI"):
            ssf = raw(ds["SSF"])[0]
            keep &= (ssf != 2) & (ssf != 3)
        kept.append({"lat": lat2[keep], "lon": lon2[keep], "value": r[keep] * 0.5, "error": e[keep],
                     "time": np.full(keep.sum(), t)})
    return kept, counts


def cgls_ssm():
    kept, counts = cgls("cgls_ssm", "CGLS_SSM1km_V1.1_img", "ssm", "ssm_noise",
                        ["ExceedingMin", "ExceedingMax", "WaterMask", "SensitivityMask", "SlopeMask"])
    compare("cgls_ssm", run("cgls_ssm", [os.path.join(data, "CGLS_SSM1km_V1.1_img")]), gather(kept), counts, "%")


def cgls_ssm_onto():
    """Super-observations onto a run config's lonlat cells (0.25 degrees, centres 1.0-3.0 E, 42.0-44.0 N):
    each pixel to the cell whose box holds it, the super-observation at the cell's centre."""
    cfg = os.path.join(work, "onto.yaml")
    with open(cfg, "w") as f:
        f.write("model:\n  type: soil_water\n  grid: {kind: lonlat, lon_min: 1.0, lon_max: 3.0, lat_min: 42.0, "
                "lat_max: 44.0, nx: 9, ny: 9}\n")
    kept, _ = cgls("cgls_ssm", "CGLS_SSM1km_V1.1_img", "ssm", "ssm_noise", [])
    out = []
    for p in kept:
        i = np.round((p["lon"] - 1.0) / 0.25).astype(np.int64)
        j = np.round((p["lat"] - 42.0) / 0.25).astype(np.int64)
        inside = (i >= 0) & (i < 9) & (j >= 0) & (j < 9)
        q = {k: v[inside] for k, v in p.items()}
        for c in np.unique(j[inside] * 9 + i[inside]):
            m = (j[inside] * 9 + i[inside]) == c
            o = superobs([{k: v[m] for k, v in q.items()}], 360.0, 5.0)
            o["lon"][:] = 1.0 + 0.25 * (c % 9)
            o["lat"][:] = 42.0 + 0.25 * (c // 9)
            out.append(o)
    exp = gather(out)
    got = run("cgls_ssm", [os.path.join(data, "CGLS_SSM1km_V1.1_img")], "--onto", cfg, "--error-correlation-km", "5")
    compare("cgls_ssm onto a config's 9 x 9 cells", got, exp, {}, "%", pixels=sum(len(p["value"]) for p in kept))
    assert 20 < len(exp["value"]) <= 2 * 81, len(exp["value"])


def superobs(parts, deg, corr_km):
    """Each granule's values averaged in deg-degree boxes; error sigma*sqrt(rho + (1-rho)/n)."""
    out = []
    for p in parts:
        i = np.floor((p["lon"] + 180) / deg).astype(np.int64)
        j = np.floor((p["lat"] + 90) / deg).astype(np.int64)
        for key in np.unique(j * 1000000 + i):
            m = (j * 1000000 + i) == key
            lat, lon, e = p["lat"][m], p["lon"][m], p["error"][m]
            n = m.sum()
            idx = np.arange(0, n, (n + 199) // 200)
            rho = 0.0
            if len(idx) > 1:
                la, lo = np.radians(lat[idx]), np.radians(lon[idx])
                a = (np.sin((la[:, None] - la[None, :]) / 2) ** 2 +
                     np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin((lo[:, None] - lo[None, :]) / 2) ** 2)
                d = 2 * 6371 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
                iu = np.triu_indices(len(idx), 1)
                rho = np.mean(np.exp(-d[iu] / corr_km))
            var = np.mean(e ** 2)
            err = np.sqrt(var * (rho + (1 - rho) / n)) if n > 1 else e[0]
            out.append({"lat": [lat.mean()], "lon": [lon.mean()], "value": [p["value"][m].mean()], "error": [err],
                        "time": [p["time"][m][0]]})
    return {k: np.concatenate([np.asarray(o[k], dtype=float if k != "time" else np.int64) for o in out]) for k in out[0]}


def cgls_swi():
    kept, counts = cgls("cgls_swi", "CGLS_SWI1km_V1.0_img", "SWI_040", None,
                        ["WaterMask", "SensitivityMask", "SlopeMask", "LowQFLAG"])
    got = run("cgls_swi", [os.path.join(data, "CGLS_SWI1km_V1.0_img")], "--option", "t=40", "--superob-deg", "0.25",
              "--error-correlation-km", "10")
    compare("cgls_swi (0.25 degree super-observations)", got, superobs(kept, 0.25, 10.0), counts, "%",
            pixels=sum(len(p["value"]) for p in kept))


def lis():
    kept = []
    for path in files("lis_noahmp", r"LIS_HIST_.*\.nc"):
        ds = netCDF4.Dataset(path)
        sm = raw(ds["SoilMoist_inst"])[1]
        keep = (sm != -9999) & (sm >= 0) & (sm <= 1)
        t = netCDF4.date2num(netCDF4.num2date(ds["time"][0], ds["time"].units), "seconds since 1970-01-01")
        kept.append({"lat": raw(ds["lat"])[keep], "lon": raw(ds["lon"])[keep], "value": sm[keep],
                     "error": np.full(keep.sum(), 0.04), "time": np.full(keep.sum(), int(t))})
    compare("lis_history", run("lis_history", [os.path.join(data, "lis_noahmp")], "--option", "layer=2"), gather(kept),
            {}, "m3 m-3")


def smos_l2():
    """The NetCDF UDP has no coordinates: a DGG table is written here (each ID at a made-up but
    distinct place) and the import must put every value at its ID's place."""
    paths = files("SMOS_L2", r"SM_.*_MIR_SMUDP2_.*\.nc")
    ids = np.unique(np.concatenate([raw(netCDF4.Dataset(p)["Grid_Point_ID"]) for p in paths]).astype(np.int64))
    place = lambda i: ((i % 1789) * 0.1 - 89.0, (i % 3593) * 0.1 - 179.0)
    dgg = os.path.join(work, "isea4h9.txt")
    with open(dgg, "w") as f:
        f.write("# id lat lon\n")
        for i in ids:
            la, lo = place(i)
            f.write(f"{i} {la:.4f} {lo:.4f}\n")
    kept, counts = [], {}
    sci = ["FL_TOPO_S", "FL_FROST", "FL_ICE", "FL_SNOW_WET", "FL_SNOW_MIX"]
    conf = ["FL_RFI_PRONE_H", "FL_RFI_PRONE_V", "FL_NO_PROD", "FL_RANGE", "FL_DQX", "FL_CHI2_P"]
    for path in paths:
        ds = netCDF4.Dataset(path)
        sm, dqx = raw(ds["Soil_Moisture"]), raw(ds["Soil_Moisture_DQX"])
        gid = raw(ds["Grid_Point_ID"]).astype(np.int64)
        s, c = raw(ds["Science_Flags"]).astype(np.int64), raw(ds["Confidence_Flags"]).astype(np.int64) & 0xFFFF
        sm_meanings, c_meanings = ds["Science_Flags"].flag_meanings.split(), ds["Confidence_Flags"].flag_meanings.split()
        c_masks = [int(m) & 0xFFFF for m in ds["Confidence_Flags"].flag_masks]
        rfi = raw(ds["RFI_Prob"]).astype(float)
        rfi_v = np.where(rfi != 0, rfi * ds["RFI_Prob"].scale_factor, np.nan)
        fails = {}
        for n in sci:
            fails["Science_Flags: " + n] = (s != 0) & (s & (1 << sm_meanings.index(n)) != 0)
        for n in conf:
            fails["Confidence_Flags: " + n] = (c != 0) & (c & c_masks[c_meanings.index(n)] != 0)
        fails["RFI_Prob above 0.1"] = rfi_v > 0.1
        fails["Soil_Moisture_DQX above 0.1"] = (dqx != -999) & (dqx > 0.1)
        for k, f in fails.items():
            counts[k] = counts.get(k, 0) + int(np.sum(f))
        days, secs = raw(ds["Days"]).astype(np.int64), raw(ds["Seconds"]).astype(np.int64)
        keep = ~np.logical_or.reduce(list(fails.values())) & (sm != -999) & (days != 0) & (sm >= 0) & (sm <= 1)
        la, lo = place(gid[keep])
        kept.append({"lat": np.round(la, 4).astype(np.float32).astype(float), "lon": np.round(lo, 4).astype(np.float32).astype(float),
                     "value": sm[keep], "error": np.where((dqx[keep] != -999) & (dqx[keep] > 0), dqx[keep], 0.04),
                     "time": T2000 + days[keep] * 86400 + secs[keep]})
    compare("smos_l2", run("smos_l2", [os.path.join(data, "SMOS_L2")], "--option", "dgg_grid=" + dgg), gather(kept),
            counts, "m3 m-3")


for check in (smap, smos_l3, cgls_ssm, cgls_ssm_onto, cgls_swi, lis, smos_l2):
    check()
