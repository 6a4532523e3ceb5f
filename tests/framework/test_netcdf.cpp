#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "core/error.hpp"
#include "io/netcdf.hpp"

using namespace landda;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("landda_test_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
}  // namespace

TEST_CASE("NetCDF files round-trip with CF decoding", "[framework][io]") {
  const fs::path dir = scratch("nc");
  const std::string path = (dir / "a.nc").string();
  {
    auto nc = io::NcFile::create(path);
    nc.def_dim("time", 0);
    nc.def_dim("cell", 3);
    nc.def_var({"sm", io::NcType::f64, {"time", "cell"}, {4, 3}, 4, -9999.0});
    nc.put_att("sm", "units", "m3 m-3");
    nc.put_att("", "Conventions", "CF-1.8");
    nc.def_var({"packed", io::NcType::i32, {"cell"}});
    nc.put_att("packed", "scale_factor", 0.01);
    nc.put_att("packed", "add_offset", 1.0);
    nc.put_att_int("packed", "_FillValue", -1);
    nc.end_def();
    const double row0[] = {0.1, 0.2, -9999.0}, row1[] = {0.3, 0.4, 0.5};
    nc.put("sm", row0, {0, 0}, {1, 3});
    nc.put("sm", row1, {1, 0}, {1, 3});
    const int packed[] = {10, -1, 250};
    nc.put("packed", packed);
    CHECK_FALSE(fs::exists(path));  // nothing under the final name until commit
    nc.commit();
  }
  REQUIRE(fs::exists(path));
  const auto nc = io::NcFile::open(path);
  CHECK(nc.dim_len("time") == 2);
  CHECK(nc.var_shape("sm") == std::vector<std::size_t>{2, 3});
  CHECK(nc.att_text("sm", "units") == "m3 m-3");
  CHECK(nc.att_text("", "Conventions") == "CF-1.8");
  const auto sm = nc.get("sm");
  CHECK(sm[1] == 0.2);
  CHECK(std::isnan(sm[2]));  // _FillValue
  CHECK(sm[5] == 0.5);
  const auto row = nc.get("sm", {1, 1}, {1, 2});
  CHECK(row == std::vector<double>{0.4, 0.5});
  const auto packed = nc.get("packed");
  CHECK(packed[0] == Approx(1.1));
  CHECK(std::isnan(packed[1]));
  CHECK(packed[2] == Approx(3.5));
  CHECK(nc.get_raw("packed")[2] == 250.0);
  CHECK_THROWS_WITH(nc.get("nope"), Catch::Contains("a.nc: variable 'nope' not found"));
  CHECK_THROWS_AS(nc.att_text("sm", "long_name"), InputError);
}

TEST_CASE("An output that is not committed leaves nothing behind", "[framework][io]") {
  const fs::path dir = scratch("nc_abort");
  const std::string path = (dir / "b.nc").string();
  {
    auto nc = io::NcFile::create(path);
    nc.def_dim("x", 2);
    nc.end_def();
  }  // an error would unwind here
  CHECK(fs::is_empty(dir));
}

TEST_CASE("Opening bad files gives errors that name them", "[framework][io]") {
  const fs::path dir = scratch("nc_bad");
  CHECK_THROWS_WITH(io::NcFile::open((dir / "missing.nc").string()), Catch::Contains("missing.nc: no such file"));
  const std::string junk = (dir / "junk.nc").string();
  io::write_text_file(junk, "this is not NetCDF");
  CHECK_THROWS_WITH(io::NcFile::open(junk), Catch::Contains("junk.nc: not a readable NetCDF file"));
  CHECK_THROWS_WITH(io::NcFile::create((dir / "no/such/dir/x.nc").string()), Catch::Contains("does not exist"));
}
