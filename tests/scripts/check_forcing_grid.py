#!/usr/bin/python3
"""`landda import forcing` against an independent xarray/numpy computation at
every cell and step (1e-6 relative), on the real ERA5 samples in both CDS
layouts (data/forcing-formats) and on files written here from the documented
layouts of ERA5-Land, GLDAS-2.1, NLDAS-2 and MERRA-2 (no real sample of those
is in the repository). Also: the ERA5-Land sample, all missing over its sea
grid, is refused, and a map of one's own (YAML) works like a preset.

usage: check_forcing_grid.py LANDDA DATA_DIR"""
import os
import subprocess
import sys
import tempfile

import netCDF4
import numpy as np
import xarray as xr

landda, data = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp()


def landda_import(args, expect=0):
    r = subprocess.run([landda, "import", "forcing", *args], capture_output=True, text=True)
    if r.returncode != expect:
        sys.exit(f"FAIL landda import forcing {' '.join(args)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r


def read_forcing(path):
    ds = xr.open_dataset(path)
    t0 = ds["time"].values[0]
    return ds, t0


def check(name, path, expected, cells):
    """expected: {variable: array (records, cells)}"""
    ds, _ = read_forcing(path)
    for v, exp in expected.items():
        got = ds[v].values
        got = got.reshape(len(ds["time"]), -1)
        assert got.shape == exp.shape, f"{name}: {v} shape {got.shape} != {exp.shape}"
        np.testing.assert_allclose(got, exp, rtol=1e-6, atol=1e-9, err_msg=f"{name}: {v}")
    print(f"ok   {name}: {', '.join(expected)} at {cells} cell(s) x {len(ds['time'])} records equal the independent computation")


def bilinear(da, lon, lat, lat_name="latitude", lon_name="longitude"):
    """xarray's linear interpolation in both axes at the points (lon, lat): (time, points)."""
    pts = da.interp({lat_name: xr.DataArray(lat, dims="p"), lon_name: xr.DataArray(lon, dims="p")})
    return pts.values


def es(t):
    return 611.2 * np.exp(17.67 * (t - 273.15) / (t - 29.65))  # Bolton (1980)


def era5_2024():
    d = os.path.join(data, "era5_cds_2024")
    lon, lat = np.array([0.1, 0.6, 0.35]), np.array([59.9, 59.3, 59.55])
    out = os.path.join(work, "era5.nc")
    files = [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.startswith("era5_")]
    landda_import(["--preset", "era5", *files, "--points", ";".join(f"{x},{y},p{i}" for i, (x, y) in enumerate(zip(lon, lat))),
                   "--variables", "pr,rsds,rlds,sfcWind,ps", "-o", out])
    op = lambda stem, v: xr.open_dataset(os.path.join(d, f"era5_{stem}_2020-1.nc"))[v]
    mtpr, ssrd, strd = op("total_precipitation", "mtpr"), op("surface_solar_radiation_downwards", "ssrd"), op(
        "surface_thermal_radiation_downwards", "strd")
    u, v, sp = op("eastward_component_of_wind", "u10"), op("northward_component_of_wind", "v10"), op("surface_pressure", "sp")
    # records 00, 01, 02 UTC: a mean or total over the hour ending at a stamp belongs to the record an hour earlier
    exp = {
        "pr": bilinear(mtpr, lon, lat)[1:4],
        "rsds": bilinear(ssrd, lon, lat)[1:4] / 3600.0,
        "rlds": bilinear(strd, lon, lat)[1:4] / 3600.0,
        "sfcWind": np.hypot(bilinear(u, lon, lat), bilinear(v, lon, lat))[0:3],
        "ps": bilinear(sp, lon, lat)[0:3],
    }
    check("ERA5, CDS layout since 2024 (one variable a file, valid_time, decreasing latitude)", out, exp, 3)
    # The ERA5-Land files of the sample are all missing (a sea grid): refused, naming variable, time and place.
    r = landda_import(["--preset", "era5", d, "--points", "0.1,59.9,sea", "-o", os.path.join(work, "no.nc")], expect=3)
    assert "t2m (for tas) has no value at 2020-01-01T00:00:00Z for cell 0 'sea'" in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(work, "no.nc"))
    print("ok   ERA5-Land sample (all missing over its sea grid): refused with the variable, time and place")


def era5_legacy():
    path = os.path.join(data, "era5_cds_legacy", "era5_testfile.nc")
    out = os.path.join(work, "legacy.nc")
    landda_import(["--preset", "era5", path, "--points", "12.5,55.7,cph", "--variables", "tas,rsds,sfcWind,ps", "-o", out])
    # The packed int16 decoded in double precision (xarray's own decoding stops at float32).
    ds = xr.open_dataset(path, mask_and_scale=False)

    def sel(v):
        a = ds[v]
        raw = a.values[:, 0, 0].astype(np.float64)
        out = raw * a.attrs["scale_factor"] + a.attrs["add_offset"]
        return np.where(raw == a.attrs["_FillValue"], np.nan, out)
    exp = {"tas": sel("t2m")[:-1], "rsds": sel("msdwswrf")[1:], "sfcWind": np.hypot(sel("u10"), sel("v10"))[:-1],
           "ps": sel("sp")[:-1]}
    check("ERA5, legacy CDS layout (packed int16, hours since 1900, one point)", out, {k: v[:, None] for k, v in exp.items()}, 1)


def write_grid(path, times, time_units, lat, lon, variables, lat_name="lat", lon_name="lon", time_name="time"):
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension(time_name, len(times))
        nc.createDimension(lat_name, len(lat))
        nc.createDimension(lon_name, len(lon))
        t = nc.createVariable(time_name, "f8", (time_name,))
        t.units = time_units
        t[:] = times
        y = nc.createVariable(lat_name, "f8", (lat_name,))
        y.units = "degrees_north"
        y[:] = lat
        x = nc.createVariable(lon_name, "f8", (lon_name,))
        x.units = "degrees_east"
        x[:] = lon
        for name, (units, values) in variables.items():
            v = nc.createVariable(name, "f4", (time_name, lat_name, lon_name), fill_value=-9999.0)
            v.units = units
            v[:] = values


rng = np.random.default_rng(3)
LAT, LON = np.array([41.0, 40.75, 40.5]), np.array([-88.5, -88.25, -88.0])  # decreasing latitude, as ERA5
PLON, PLAT = np.array([-88.37, -88.1]), np.array([40.01 + 0.6, 40.9])
POINTS = ";".join(f"{x},{y},s{i}" for i, (x, y) in enumerate(zip(PLON, PLAT)))


def field(n, lo, hi):
    return rng.uniform(lo, hi, (n, len(LAT), len(LON)))


def era5_land_synthetic():
    """ERA5-Land: tp, ssrd, strd accumulate from 00 UTC (the 00 UTC value holds the day before)."""
    n = 49
    hourly = {"tp": field(n, 0, 2e-4), "ssrd": field(n, 0, 3e6), "strd": field(n, 1e6, 1.2e6)}
    acc = {}
    for k, h in hourly.items():
        a = np.zeros_like(h)
        for i in range(n):  # stamp i: hours since 2020-01-01T00; accumulation over (reset, stamp]
            a[i] = h[i] + (a[i - 1] if i > 0 and i % 24 != 1 else 0)
        acc[k] = a
    t2m, d2m = field(n, 270, 290), None
    d2m = t2m - field(n, 0.5, 8)
    vars_ = {"tp": ("m", acc["tp"]), "ssrd": ("J m**-2", acc["ssrd"]), "strd": ("J m**-2", acc["strd"]),
             "t2m": ("K", t2m), "d2m": ("K", d2m), "u10": ("m s**-1", field(n, -5, 5)), "v10": ("m s**-1", field(n, -5, 5)),
             "sp": ("Pa", field(n, 95000, 101000))}
    path = os.path.join(work, "era5_land.nc")
    write_grid(path, np.arange(n) * 3600, "seconds since 2020-01-01", LAT, LON, vars_, "latitude", "longitude", "valid_time")
    out = os.path.join(work, "era5_land_out.nc")
    landda_import(["--preset", "era5_land", path, "--points", POINTS, "-o", out])
    ds = xr.open_dataset(path)
    b = lambda v: bilinear(ds[v], PLON, PLAT)
    # record r (hour r to r+1) from the accumulations at stamps r+1 and r; hour 00-01 is the value at 01 itself
    def deacc(v):
        a = b(v)
        rec = a[1:] - a[:-1]
        rec[0::24] = a[1::24]
        return rec[:48] / 3600.0
    tas = b("t2m")[:48]
    exp = {"pr": deacc("tp") * 1000, "rsds": deacc("ssrd"), "rlds": deacc("strd"), "tas": tas,
           "hurs": np.minimum(100, 100 * es(b("d2m")[:48]) / es(tas)), "sfcWind": np.hypot(b("u10"), b("v10"))[:48],
           "ps": b("sp")[:48]}
    check("ERA5-Land (written from the documented layout: accumulations since 00 UTC)", out, exp, 2)


def gldas_synthetic():
    """GLDAS-2.1 Noah 3-hourly: tavg fields are backward 3-hour means ending at the stamp; Qair specific humidity."""
    n = 17
    vars_ = {"Rainf_f_tavg": ("kg m-2 s-1", field(n, 0, 1e-3)), "Tair_f_inst": ("K", field(n, 260, 300)),
             "SWdown_f_tavg": ("W m-2", field(n, 0, 800)), "LWdown_f_tavg": ("W m-2", field(n, 200, 400)),
             "Qair_f_inst": ("kg/kg", field(n, 0.001, 0.012)), "Wind_f_inst": ("m/s", field(n, 0, 10)),
             "Psurf_f_inst": ("Pa", field(n, 90000, 101000))}
    vars_["Wind_f_inst"] = ("m s-1", vars_["Wind_f_inst"][1])
    path = os.path.join(work, "GLDAS_NOAH025_3H.A20200101.nc4")
    write_grid(path, np.arange(n) * 180, "minutes since 2020-01-01 00:00:00", LAT, LON, vars_)
    out = os.path.join(work, "gldas_out.nc")
    landda_import(["--preset", "gldas", path, "--points", POINTS, "-o", out])
    ds = xr.open_dataset(path)
    b = lambda v: bilinear(ds[v], PLON, PLAT, "lat", "lon")
    t, q, p = b("Tair_f_inst")[:-1], b("Qair_f_inst")[:-1], b("Psurf_f_inst")[:-1]
    e = q * p / (0.622 + 0.378 * q)
    exp = {"pr": b("Rainf_f_tavg")[1:], "tas": t, "rsds": b("SWdown_f_tavg")[1:], "rlds": b("LWdown_f_tavg")[1:],
           "hurs": np.minimum(100, 100 * e / es(t)), "sfcWind": b("Wind_f_inst")[:-1], "ps": p}
    check("GLDAS-2.1 (written from the documented layout: 3-hourly, tavg ending at the stamp)", out, exp, 2)


def nldas_synthetic():
    """NLDAS-2 FORA hourly: Rainf is the total over the hour starting at the stamp, radiation that hour's mean."""
    n = 12
    vars_ = {"Rainf": ("kg m-2", field(n, 0, 3)), "Tair": ("K", field(n, 260, 300)), "SWdown": ("W m-2", field(n, 0, 800)),
             "LWdown": ("W m-2", field(n, 200, 400)), "Qair": ("kg kg-1", field(n, 0.001, 0.012)),
             "Wind_E": ("m s-1", field(n, -6, 6)), "Wind_N": ("m s-1", field(n, -6, 6)), "PSurf": ("Pa", field(n, 90000, 101000))}
    path = os.path.join(work, "NLDAS_FORA0125_H.A20200101.nc")
    write_grid(path, np.arange(n), "hours since 2020-01-01 00:00:00", LAT, LON, vars_)
    out = os.path.join(work, "nldas_out.nc")
    landda_import(["--preset", "nldas", path, "--points", POINTS, "--method", "nearest", "-o", out])
    ds = xr.open_dataset(path)
    near = lambda v: ds[v].sel(lat=xr.DataArray(PLAT, dims="p"), lon=xr.DataArray(PLON, dims="p"), method="nearest").values
    t, q, p = near("Tair"), near("Qair"), near("PSurf")
    e = q * p / (0.622 + 0.378 * q)
    exp = {"pr": near("Rainf") / 3600.0, "tas": t, "rsds": near("SWdown"), "rlds": near("LWdown"),
           "hurs": np.minimum(100, 100 * e / es(t)), "sfcWind": np.hypot(near("Wind_E"), near("Wind_N")), "ps": p}
    check("NLDAS-2 (written from the documented layout; nearest grid point)", out, exp, 2)


def merra2_synthetic():
    """MERRA-2 tavg1 collections: hourly means stamped at the half hour they centre on."""
    n = 10
    vars_ = {"PRECTOTCORR": ("kg m-2 s-1", field(n, 0, 1e-3)), "T2M": ("K", field(n, 260, 300)),
             "SWGDN": ("W m-2", field(n, 0, 800)), "LWGAB": ("W m-2", field(n, 200, 400)), "QV2M": ("kg kg-1", field(n, 0.001, 0.012)),
             "U10M": ("m s-1", field(n, -6, 6)), "V10M": ("m s-1", field(n, -6, 6)), "PS": ("Pa", field(n, 90000, 101000))}
    path = os.path.join(work, "MERRA2_400.tavg1_2d_slv_Nx.20200101.nc4")
    write_grid(path, 30 + 60 * np.arange(n), "minutes since 2020-01-01 00:00:00", LAT[::-1], LON, {k: (u, v[:, ::-1, :]) for k, (u, v) in vars_.items()})
    out = os.path.join(work, "merra2_out.nc")
    landda_import(["--preset", "merra2", path, "--points", POINTS, "-o", out])
    ds = xr.open_dataset(path)
    b = lambda v: bilinear(ds[v], PLON, PLAT, "lat", "lon")
    t, q, p = b("T2M"), b("QV2M"), b("PS")
    e = q * p / (0.622 + 0.378 * q)
    exp = {"pr": b("PRECTOTCORR"), "tas": t, "rsds": b("SWGDN"), "rlds": b("LWGAB"), "hurs": np.minimum(100, 100 * e / es(t)),
           "sfcWind": np.hypot(b("U10M"), b("V10M")), "ps": p}
    check("MERRA-2 (written from the documented layout: means centred on HH:30, increasing latitude)", out, exp, 2)
    assert str(xr.open_dataset(out)["time"].values[0]).startswith("2020-01-01T00:00"), "MERRA-2 records start at 00:00"


def own_map_onto_config():
    """A map written by a user (here: GLDAS's names in degrees C, by hand) onto the cells of a run config."""
    n = 5
    tc = field(n, -10, 20)
    vars_ = {"precip": ("mm/s", field(n, 0, 1e-3)), "temp": ("degC", tc)}
    path = os.path.join(work, "own.nc")
    write_grid(path, np.arange(n), "hours since 2021-06-01", LAT, LON, vars_)
    with open(os.path.join(work, "map.yaml"), "w") as f:
        f.write("variables:\n  - {target: pr, name: precip, units: [mm/s], timing: mean_ending}\n"
                "  - {target: tas, name: temp, units: [degC], offset: 273.15}\n")
    with open(os.path.join(work, "run.yaml"), "w") as f:
        f.write("model:\n  type: soil_water\n  grid: {kind: lonlat, lon_min: -88.4, lon_max: -88.1, lat_min: 40.6, "
                "lat_max: 40.9, nx: 2, ny: 2}\n")
    out = os.path.join(work, "own_out.nc")
    landda_import(["--map", os.path.join(work, "map.yaml"), path, "--onto", os.path.join(work, "run.yaml"), "-o", out])
    ds = xr.open_dataset(path)
    lon = np.array([-88.4, -88.1, -88.4, -88.1]); lat = np.array([40.6, 40.6, 40.9, 40.9])  # the config's cells, row-major
    b = lambda v: bilinear(ds[v], lon, lat, "lat", "lon")
    exp = {"pr": b("precip")[1:], "tas": b("temp")[:-1] + 273.15}
    check("a map of one's own (YAML) onto a run config's 2 x 2 cells", out, exp, 4)


def elevation_correction():
    """The GLDAS file again, with the forcing's terrain as geopotential and the cells' heights listed:
    tas - 6.5 K/km x dz, ps x exp(-g dz / (R_d (tas - 0.00325 dz))), hurs as at the forcing's terrain."""
    path = os.path.join(work, "GLDAS_NOAH025_3H.A20200101.nc4")
    z = rng.uniform(100, 900, (len(LAT), len(LON)))
    orog = os.path.join(work, "geopotential.nc")
    with netCDF4.Dataset(orog, "w") as nc:
        nc.createDimension("latitude", len(LAT))
        nc.createDimension("longitude", len(LON))
        nc.createVariable("latitude", "f8", ("latitude",))[:] = LAT
        nc.createVariable("longitude", "f8", ("longitude",))[:] = LON
        v = nc.createVariable("z", "f8", ("latitude", "longitude"))
        v.units = "m**2 s**-2"
        v[:] = z * 9.80665
    heights = [1500.0, 50.0]
    plain, corrected = os.path.join(work, "gldas_plain.nc"), os.path.join(work, "gldas_height.nc")
    landda_import(["--preset", "gldas", path, "--points", POINTS, "-o", plain])
    landda_import(["--preset", "gldas", path, "--points", POINTS, "--source-elevation", orog,
                   "--cell-elevation", ",".join(map(str, heights)), "-o", corrected])
    zs = xr.DataArray(z, dims=("lat", "lon"), coords={"lat": LAT, "lon": LON}).interp(
        lat=xr.DataArray(PLAT, dims="p"), lon=xr.DataArray(PLON, dims="p")).values
    dz = np.array(heights) - zs
    p0 = xr.open_dataset(plain)
    t0 = p0["tas"].values
    exp = {"tas": t0 - 0.0065 * dz, "ps": p0["ps"].values * np.exp(-9.80665 * dz / (287.05 * (t0 - 0.00325 * dz))),
           "hurs": p0["hurs"].values, "pr": p0["pr"].values}
    check("elevation correction (lapse rate, hypsometric pressure, humidity kept)", corrected, exp, 2)


for c in (era5_2024, era5_legacy, era5_land_synthetic, gldas_synthetic, nldas_synthetic, merra2_synthetic, own_map_onto_config,
          elevation_correction):
    c()
