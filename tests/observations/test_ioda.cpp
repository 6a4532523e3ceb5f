#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "observations/ioda/ioda_file.hpp"

using namespace landda;
namespace fs = std::filesystem;

// GCC 12 reports a false -Wrestrict on assigning string literals here (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

namespace {
std::string scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / "landda_ioda";
  fs::create_directories(d);
  return (d / name).string();
}

observations::ObsFile sample() {
  observations::ObsFile f;
  f.platform = "SMAP";
  f.sensor = "smap_l3";
  f.source = "test";
  f.obs.resize(3);
  f.obs.source_names = {"smap"};
  const double lat[] = {19.7, 19.8, 19.9}, lon[] = {-155.5, -155.4, -155.3}, v[] = {0.21, std::nan(""), 0.35};
  for (int i = 0; i < 3; ++i) {
    f.obs.y[static_cast<std::size_t>(i)] = lat[i];
    f.obs.x[static_cast<std::size_t>(i)] = lon[i];
    f.obs.time[static_cast<std::size_t>(i)] = Time::parse("2017-05-01T06:00:00Z") + Duration{3600LL * i};
    f.obs.value[i] = v[i];
    f.obs.error[i] = 0.04;
  }
  f.station = {"a", "b", "c"};
  return f;
}
}  // namespace

TEST_CASE("IODA observation files round-trip", "[observations][ioda]") {
  const std::string path = scratch("smap.nc");
  observations::write_ioda(sample(), path);
  const auto nc = io::NcFile::open(path);
  CHECK(nc.has_var("ObsValue/soilMoistureVolumetric"));
  CHECK(nc.has_var("MetaData/dateTime"));
  CHECK(nc.att_text("ObsValue/soilMoistureVolumetric", "units") == "m3 m-3");
  const auto f = observations::read_ioda(path, "soilMoistureVolumetric", "m3 m-3");
  REQUIRE(f.obs.size() == 3);
  CHECK(f.obs.value[0] == 0.21);
  CHECK(f.obs.qc[1] == static_cast<int>(QcFlag::missing));  // the gap came back as a missing value
  CHECK(f.obs.qc[2] == 0);
  CHECK(f.obs.time[2].iso() == "2017-05-01T08:00:00Z");
  CHECK(f.obs.x[2] == -155.3);
  CHECK(f.station[1] == "b");
  CHECK(f.platform == "SMAP");
  CHECK(observations::read_ioda(path).variable == "soilMoistureVolumetric");
}

TEST_CASE("IODA readers refuse bad files with the reason", "[observations][ioda]") {
  const std::string path = scratch("bad.nc");
  observations::write_ioda(sample(), path);
  CHECK_THROWS_WITH(observations::read_ioda(path, "soilMoistureVolumetric", "%"),
                    Catch::Contains("has units 'm3 m-3'; expected '%'"));
  CHECK_THROWS_WITH(observations::read_ioda(path, "brightnessTemperature"),
                    Catch::Contains("IODA variable 'ObsValue/brightnessTemperature' is missing"));
  auto disorder = sample();
  std::swap(disorder.obs.time[0], disorder.obs.time[2]);
  CHECK_THROWS_WITH(observations::write_ioda(disorder, scratch("disorder.nc")), Catch::Contains("sort by time"));
  auto negative = sample();
  negative.obs.error[2] = -0.1;
  observations::write_ioda(negative, scratch("negative.nc"));
  CHECK_THROWS_WITH(observations::read_ioda(scratch("negative.nc")),
                    Catch::Contains("ObsError/soilMoistureVolumetric at location 2 is -0.1"));
  {  // a file whose times go backwards, written by hand
    auto nc = io::NcFile::create(scratch("backwards.nc"));
    nc.def_dim("Location", 2);
    nc.def_var({"MetaData/latitude", io::NcType::f64, {"Location"}});
    nc.def_var({"MetaData/longitude", io::NcType::f64, {"Location"}});
    nc.def_var({"MetaData/dateTime", io::NcType::i64, {"Location"}});
    nc.put_att("MetaData/dateTime", "units", "seconds since 1970-01-01T00:00:00Z");
    nc.def_var({"ObsValue/soilMoistureVolumetric", io::NcType::f64, {"Location"}});
    nc.put_att("ObsValue/soilMoistureVolumetric", "units", "m3 m-3");
    nc.def_var({"ObsError/soilMoistureVolumetric", io::NcType::f64, {"Location"}});
    nc.end_def();
    const double lat[] = {10, 11}, lon[] = {20, 21}, v[] = {0.2, 0.3}, e[] = {0.04, 0.04};
    const long long t[] = {100, 50};
    nc.put("MetaData/latitude", lat);
    nc.put("MetaData/longitude", lon);
    nc.put("MetaData/dateTime", t);
    nc.put("ObsValue/soilMoistureVolumetric", v);
    nc.put("ObsError/soilMoistureVolumetric", e);
    nc.commit();
  }
  CHECK_THROWS_WITH(observations::read_ioda(scratch("backwards.nc")), Catch::Contains("MetaData/dateTime is out of order at location 1"));
  io::write_text_file(scratch("text.nc"), "not netcdf");
  CHECK_THROWS_WITH(observations::read_ioda(scratch("text.nc")), Catch::Contains("not a readable NetCDF file"));
}

TEST_CASE("Truncated observation files are refused with the file name, never a crash", "[observations][ioda]") {
  const std::string good = scratch("whole.nc");
  observations::write_ioda(sample(), good);
  const auto size = fs::file_size(good);
  for (const double frac : {0.1, 0.5, 0.9}) {
    const std::string cut = scratch("cut_" + std::to_string(static_cast<int>(frac * 100)) + ".nc");
    fs::copy_file(good, cut, fs::copy_options::overwrite_existing);
    fs::resize_file(cut, static_cast<std::uintmax_t>(static_cast<double>(size) * frac));
    try {
      (void)observations::read_ioda(cut);
      FAIL("a truncated file was read: " << cut);
    } catch (const Error& e) {
      CHECK_THAT(e.what(), Catch::Contains(cut));
    }
  }
}

TEST_CASE("Observation values are held to their variable's units and physical range", "[observations][ioda]") {
  // Degree of saturation in % labelled as volumetric water content would be assimilated as 25 m3/m3.
  auto pct = sample();
  pct.units = "%";
  observations::write_ioda(pct, scratch("percent.nc"));
  CHECK_THROWS_WITH(observations::read_ioda(scratch("percent.nc")),
                    Catch::Contains("percent.nc: ObsValue/soilMoistureVolumetric has units '%'; expected 'm3 m-3'"));
  auto none = sample();
  none.units = "";
  observations::write_ioda(none, scratch("no_units.nc"));
  CHECK_THROWS_WITH(observations::read_ioda(scratch("no_units.nc")), Catch::Contains("has no units attribute"));
  // Values that cannot be physical are flagged (QC bounds), counted, and never used.
  auto wild = sample();
  wild.obs.value[0] = 99.0;
  wild.obs.value[2] = -1.0;
  observations::write_ioda(wild, scratch("wild.nc"));
  const auto f = observations::read_ioda(scratch("wild.nc"));
  CHECK(f.out_of_range == 2);
  CHECK(f.obs.qc[0] == static_cast<int>(QcFlag::bounds));
  CHECK(f.obs.qc[1] == static_cast<int>(QcFlag::missing));
  CHECK(f.obs.qc[2] == static_cast<int>(QcFlag::bounds));
  // A value the file already rejects keeps the file's flag and is not counted.
  auto flagged = wild;
  flagged.obs.qc[0] = 20;
  observations::write_ioda(flagged, scratch("flagged.nc"));
  const auto h = observations::read_ioda(scratch("flagged.nc"));
  CHECK(h.out_of_range == 1);
  CHECK(h.obs.qc[0] == 20);
  // Degree of saturation in % is fine up to 100.
  auto sat = sample();
  sat.variable = "soilMoistureSaturation";
  sat.units = "%";
  sat.obs.value[0] = 55.0;
  sat.obs.value[2] = 101.0;
  observations::write_ioda(sat, scratch("saturation.nc"));
  const auto g = observations::read_ioda(scratch("saturation.nc"));
  CHECK(g.obs.qc[0] == 0);
  CHECK(g.obs.qc[2] == static_cast<int>(QcFlag::bounds));
}
