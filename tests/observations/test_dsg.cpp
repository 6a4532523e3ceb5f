#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "observations/dsg/dsg_import.hpp"

using namespace landda;
namespace fs = std::filesystem;

namespace {

std::string path(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / "landda_dsg";
  fs::create_directories(d);
  return (d / name).string();
}

// Two locations; observations alternate between them; flags and fills mixed in.
void write_common(io::NcFile& nc) {
  nc.def_dim("locations", 2);
  nc.def_var({"lon", io::NcType::f32, {"locations"}});
  nc.def_var({"lat", io::NcType::f32, {"locations"}});
  nc.def_var({"location_id", io::NcType::i64, {"locations"}});
}
void put_common(io::NcFile& nc) {
  const float lon[] = {-155.4f, -155.3f}, lat[] = {19.8f, 19.9f};
  const long long id[] = {101, 102};
  nc.put("lon", lon);
  nc.put("lat", lat);
  nc.put("location_id", id);
}

}  // namespace

TEST_CASE("TU Wien cell files in all three layouts give the valid counts the flags allow", "[observations][dsg]") {
  // Indexed ragged (SMAP): 6 observations; flag bit 0 set on two, one fill value.
  {
    auto nc = io::NcFile::create(path("smap.nc"));
    write_common(nc);
    nc.def_dim("time", 0);
    nc.def_var({"locationIndex", io::NcType::i64, {"time"}});
    nc.def_var({"time", io::NcType::f64, {"time"}});
    nc.put_att("time", "units", "seconds since 2000-01-01 12:00:00");
    nc.def_var({"soil_moisture", io::NcType::f32, {"time"}, {}, 0, -9999.0});
    nc.def_var({"retrieval_qual_flag", io::NcType::i32, {"time"}});
    nc.end_def();
    put_common(nc);
    const long long loc[] = {0, 1, 0, 1, 0, 1};
    const double t[] = {0, 10, 86400, 86410, 172800, 172810};
    const float sm[] = {0.2f, 0.3f, -9999.0f, 0.31f, 0.22f, 0.33f};
    const int flag[] = {0, 1, 0, 10, 9, 0};  // 10: bit 1 (not attempted) and bit 3
    nc.put("locationIndex", loc, {0}, {6});
    nc.put("time", t, {0}, {6});
    nc.put("soil_moisture", sm, {0}, {6});
    nc.put("retrieval_qual_flag", flag, {0}, {6});
    nc.commit();
  }
  const Time a = Time::parse("2000-01-01"), b = Time::parse("2001-01-01");
  auto smap = observations::import_dsg(observations::DsgProduct::preset("smap_l3"), {path("smap.nc")}, {}, a, b);
  REQUIRE(smap.matches.size() == 2);
  CHECK(smap.matches[0].total == 3);
  CHECK(smap.matches[0].valid == 1);  // fill and bit 0 remove two
  CHECK(smap.matches[1].valid == 2);  // bit 0 removes one; flag 8 (bit 3) passes
  CHECK(smap.file.obs.size() == 3);
  CHECK(smap.file.obs.time[0].iso() == "2000-01-01T12:00:00Z");
  {
    // From 2000-01-02 12:00 the location at the site (gpi 101) has only a fill and a flagged value: the
    // site takes the nearest location that has data in the period, and says it passed one over.
    const auto later = observations::import_dsg(observations::DsgProduct::preset("smap_l3"), {path("smap.nc")},
                                                {{"site", -155.4, 19.8}}, Time::parse("2000-01-02T12:00:00Z"), b);
    REQUIRE(later.matches.size() == 1);
    CHECK(later.matches[0].gpi == 102);
    CHECK(later.matches[0].nearer_empty == 1);
    CHECK(later.matches[0].valid > 0);
  }
  auto ok = observations::import_dsg(observations::DsgProduct::preset("smap_l3_successful"), {path("smap.nc")}, {}, a, b);
  CHECK(ok.file.obs.size() == 4);  // the fill value and the row with bit 1 (retrieval not attempted) go

  // Contiguous ragged (ASCAT): scale factor and missing value; two flag rules.
  {
    auto nc = io::NcFile::create(path("ascat.nc"));
    write_common(nc);
    nc.def_dim("obs", 5);
    nc.def_var({"row_size", io::NcType::i64, {"locations"}});
    nc.def_var({"time", io::NcType::f64, {"obs"}});
    nc.put_att("time", "units", "days since 1900-01-01 00:00:00");
    nc.def_var({"sm", io::NcType::i32, {"obs"}});
    nc.put_att("sm", "scale_factor", 0.01);
    nc.put_att_int("sm", "missing_value", 65535);
    nc.def_var({"conf_flag", io::NcType::i32, {"obs"}});
    nc.def_var({"proc_flag", io::NcType::i32, {"obs"}});
    nc.def_var({"ssf", io::NcType::i32, {"obs"}});
    nc.end_def();
    put_common(nc);
    const long long rows[] = {3, 2};
    const double t[] = {36525, 36526, 36527, 36525.5, 36526.5};  // 2000-01-02 onwards
    const int sm[] = {4500, 65535, 5000, 6000, 7000}, conf[] = {0, 0, 2, 0, 0}, proc[] = {0, 0, 0, 0, 5},
              ssf[] = {1, 1, 0, 2, 0};  // 2: frozen
    nc.put("row_size", rows);
    nc.put("time", t);
    nc.put("sm", sm);
    nc.put("conf_flag", conf);
    nc.put("proc_flag", proc);
    nc.put("ssf", ssf);
    nc.commit();
  }
  auto ascat = observations::import_dsg(observations::DsgProduct::preset("ascat_h119"), {path("ascat.nc")},
                                        {{"near", -155.39, 19.81}}, a, b);
  REQUIRE(ascat.matches.size() == 1);
  CHECK(ascat.matches[0].gpi == 101);
  CHECK(ascat.matches[0].total == 3);
  CHECK(ascat.matches[0].valid == 1);  // the missing value and conf_flag 2 go
  CHECK(ascat.file.obs.value[0] == Approx(45.0));
  CHECK(ascat.file.units == "%");
  CHECK(ascat.file.variable == "soilMoistureSaturation");
  // The second location's one good-looking value was taken on frozen ground (ssf 2): nothing from it.
  CHECK(observations::import_dsg(observations::DsgProduct::preset("ascat_h119"), {path("ascat.nc")}, {}, a, b).file.obs.size() == 1);

  // Orthogonal (SMOS-IC): (locations, time).
  {
    auto nc = io::NcFile::create(path("smos.nc"));
    write_common(nc);
    nc.def_dim("time", 3);
    nc.def_var({"time", io::NcType::f64, {"time"}});
    nc.put_att("time", "units", "days since 1858-11-17 00:00:00");
    nc.def_var({"Soil_Moisture", io::NcType::f64, {"locations", "time"}, {}, 0, -9999.0});
    nc.def_var({"Quality_Flag", io::NcType::f64, {"locations", "time"}});
    nc.end_def();
    put_common(nc);
    const double t[] = {51545, 51546, 51547};  // 2000-01-01 ...
    const double sm[] = {0.1, 0.2, -9999, 0.3, 1.2, 0.5}, qf[] = {0, 1, 0, 0, 0, 1};  // 1.2 m3/m3: not physical
    nc.put("time", t);
    nc.put("Soil_Moisture", sm);
    nc.put("Quality_Flag", qf);
    nc.commit();
  }
  auto smos = observations::import_dsg(observations::DsgProduct::preset("smos_ic"), {path("smos.nc")}, {}, a, b);
  CHECK(smos.matches[0].valid == 1);
  CHECK(smos.matches[1].valid == 1);
  CHECK(smos.matches[1].total == 3);

  // SMOS L3: strong topography (bit 3) and ice (bit 12) go, other bits stay.
  {
    auto nc = io::NcFile::create(path("smos_l3.nc"));
    write_common(nc);
    nc.def_dim("time", 3);
    nc.def_var({"time", io::NcType::f64, {"time"}});
    nc.put_att("time", "units", "days since 2000-01-01 00:00:00");
    nc.def_var({"Soil_Moisture", io::NcType::f32, {"locations", "time"}, {}, 0, -999.0});
    nc.def_var({"Soil_Moisture_Dqx", io::NcType::f32, {"locations", "time"}, {}, 0, -999.0});
    nc.def_var({"Science_Flags", io::NcType::f64, {"locations", "time"}});
    nc.end_def();
    put_common(nc);
    const double t[] = {0, 1, 2};
    const float sm[] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, -999.0f}, dqx[] = {0.03f, -999.0f, 0.04f, 0.05f, 0.02f, 0.01f};
    const double sf[] = {0, 8, 1 << 12, 2 + 16, 0, 0};
    nc.put("time", t);
    nc.put("Soil_Moisture", sm);
    nc.put("Soil_Moisture_Dqx", dqx);
    nc.put("Science_Flags", sf);
    nc.commit();
  }
  auto l3 = observations::import_dsg(observations::DsgProduct::preset("smos_l3"), {path("smos_l3.nc")}, {}, a, b);
  CHECK(l3.matches[0].valid == 1);  // bit 3, bit 12
  CHECK(l3.matches[1].valid == 2);  // bits 1 and 4 are not mandatory; the fill goes
  CHECK(l3.file.obs.error[0] == Approx(0.03));

  // GLDAS: kg m-2 over 0-10 cm become m3 m-3.
  {
    auto nc = io::NcFile::create(path("gldas.nc"));
    write_common(nc);
    nc.def_dim("time", 2);
    nc.def_var({"time", io::NcType::f64, {"time"}});
    nc.put_att("time", "units", "days since 2000-01-01 00:00:00");
    nc.def_var({"SoilMoi0_10cm_inst", io::NcType::f64, {"locations", "time"}, {}, 0, -9999.0});
    nc.end_def();
    put_common(nc);
    const double t[] = {0, 0.125}, sm[] = {25.0, 26.0, 30.0, -9999.0};
    nc.put("time", t);
    nc.put("SoilMoi0_10cm_inst", sm);
    nc.commit();
  }
  auto gl = observations::import_dsg(observations::DsgProduct::preset("gldas"), {path("gldas.nc")}, {}, a, b);
  REQUIRE(gl.file.obs.size() == 3);
  CHECK(gl.file.obs.value[0] == Approx(0.25));
  CHECK(gl.file.obs.error[0] == Approx(0.05));
  CHECK(gl.file.units == "m3 m-3");

  // Far sites get no grid point; a file without the product's variable is refused.
  auto far = observations::import_dsg(observations::DsgProduct::preset("smos_ic"), {path("smos.nc")}, {{"far", 0, 0}}, a, b);
  CHECK(far.matches[0].gpi == -1);
  CHECK_THROWS_WITH(observations::import_dsg(observations::DsgProduct::preset("smap_l3"), {path("smos.nc")}, {}, a, b),
                    Catch::Contains("needs variable 'soil_moisture'"));
  CHECK_THROWS_WITH(observations::DsgProduct::preset("amsr9"), Catch::Contains("unknown product 'amsr9'"));
  // A cell file cut short (an interrupted download) is refused, naming it.
  const std::string cut = path("smos_cut.nc");
  fs::copy_file(path("smos.nc"), cut, fs::copy_options::overwrite_existing);
  fs::resize_file(cut, fs::file_size(cut) / 2);
  CHECK_THROWS_WITH(observations::import_dsg(observations::DsgProduct::preset("smos_ic"), {cut}, {}, a, b),
                    Catch::Contains("smos_cut.nc"));
  // Mislabelled: time units that are not CF.
  {
    auto nc = io::NcFile::create(path("badtime.nc"));
    write_common(nc);
    nc.def_dim("time", 1);
    nc.def_var({"time", io::NcType::f64, {"time"}});
    nc.put_att("time", "units", "fortnights after the flood");
    nc.def_var({"Soil_Moisture", io::NcType::f64, {"locations", "time"}});
    nc.def_var({"Quality_Flag", io::NcType::f64, {"locations", "time"}});
    nc.end_def();
    put_common(nc);
    const double t[] = {1}, sm[] = {0.1, 0.2}, qf[] = {0, 0};
    nc.put("time", t);
    nc.put("Soil_Moisture", sm);
    nc.put("Quality_Flag", qf);
    nc.commit();
  }
  CHECK_THROWS_WITH(observations::import_dsg(observations::DsgProduct::preset("smos_ic"), {path("badtime.nc")}, {}, a, b),
                    Catch::Contains("fortnights"));
}
