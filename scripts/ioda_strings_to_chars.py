#!/usr/bin/python3
"""Rewrites an IODA observation file with its variable-length strings (station names) as
character arrays, every value unchanged: usage ioda_strings_to_chars.py IN.nc OUT.nc. A damaged
variable-length string can crash HDF5 itself while reading; landda writes character arrays since
session 7, and the bundled files were rewritten with this in session 8."""
import sys
import netCDF4
import numpy as np

src, dst = sys.argv[1], sys.argv[2]
with netCDF4.Dataset(src) as a, netCDF4.Dataset(dst, "w", format="NETCDF4") as b:
    b.setncatts({k: a.getncattr(k) for k in a.ncattrs()})
    for name, dim in a.dimensions.items():
        b.createDimension(name, None if dim.isunlimited() else len(dim))
    def copy(ga, gb):
        for vname, v in ga.variables.items():
            attrs = {k: v.getncattr(k) for k in v.ncattrs()}
            if v.dtype == str:
                values = [str(x) for x in v[:]]
                width = max(1, max(len(x.encode()) for x in values))
                dname = vname + "_nchars"
                if dname not in b.dimensions:
                    b.createDimension(dname, width)
                w = gb.createVariable(vname, "S1", v.dimensions + (dname,))
                w._Encoding = "utf-8"
                w[:] = netCDF4.stringtochar(np.array(values, dtype=f"S{width}"))
                for k, x in attrs.items():
                    w.setncattr(k, x)
                continue
            fill = attrs.pop("_FillValue", None)
            w = gb.createVariable(vname, v.dtype, v.dimensions, zlib=True, fill_value=fill)
            w.setncatts(attrs)
            v.set_auto_maskandscale(False)
            w.set_auto_maskandscale(False)
            w[:] = v[:]
        for gname, g in ga.groups.items():
            copy(g, gb.createGroup(gname))
    copy(a, b)
