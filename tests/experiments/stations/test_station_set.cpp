#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "experiments/stations/station_set.hpp"
#include "io/netcdf.hpp"
#include "observations/ioda/ioda_file.hpp"

using namespace landda;
namespace fs = std::filesystem;

namespace {

// An ISMN "header+values" file of hourly values 2017-01-01 00:00 .. 2017-01-03 00:00 from value(hour).
template <class F>
void ismn_file(const fs::path& dir, const std::string& station, const std::string& var, double depth, const std::string& sensor,
               double lat, double lon, double elev, F value, const std::string& network = "SCAN") {
  fs::create_directories(dir / network / station);
  char depths[64];
  std::snprintf(depths, sizeof depths, "%.6f_%.6f", depth, depth);
  std::ofstream f(dir / network / station /
                  (network + "_" + network + "_" + station + "_" + var + "_" + depths + "_" + sensor + "_20170101_20170103.stm"));
  char head[200];
  std::snprintf(head, sizeof head, "%s %s %s %.5f %.5f %.1f %.4f %.4f %s\n", network.c_str(), network.c_str(), station.c_str(),
                lat, lon, elev, depth, depth, sensor.c_str());
  f << head;
  for (int h = 0; h <= 48; ++h) {
    char line[80];
    std::snprintf(line, sizeof line, "2017/01/%02d %02d:00 %.4f G M\n", 1 + h / 24, h % 24, value(h));
    f << line;
  }
}

void static_file(const fs::path& dir, const std::string& station) {
  std::ofstream(dir / "SCAN" / station / ("SCAN_SCAN_" + station + "_static_variables.csv"))
      << "quantity_name;unit;depth_from[m];depth_to[m];value;\n"
         "saturation;m^3*m^-3;0.00;0.30;0.45;\nclay fraction;% weight;0.00;0.30;20.00;\n"
         "sand fraction;% weight;0.00;0.30;40.00;\nsilt fraction;% weight;0.00;0.30;40.00;\n"
         "clay fraction;% weight;0.30;1.00;25.00;\nsand fraction;% weight;0.30;1.00;35.00;\n";
}

// Alpha: a full station; Beta 5.6 km north, 500 m higher, soil moisture only; Delta a rain and
// temperature gauge without soil moisture; Gamma far from every gauge; Epsilon without static file.
fs::path make_folder() {
  const fs::path dir = fs::temp_directory_path() / "landda_stations_test";
  fs::remove_all(dir);
  const auto rain = [](int h) { return h % 5 == 0 ? 1.0 + h * 0.1 : 0.0; };
  const auto temp = [](int h) { return 10.0 + 5.0 * std::sin(h / 24.0 * 2 * M_PI); };
  ismn_file(dir, "Alpha", "p", 0, "n.s.", 20.0, -155.0, 1000, rain);
  ismn_file(dir, "Alpha", "ta", -2, "n.s.", 20.0, -155.0, 1000, temp);
  ismn_file(dir, "Alpha", "sm", 0.0508, "Hydraprobe-A", 20.0, -155.0, 1000, [](int) { return 0.20; });
  ismn_file(dir, "Alpha", "sm", 0.0508, "Hydraprobe-B", 20.0, -155.0, 1000, [](int) { return 0.30; });
  ismn_file(dir, "Alpha", "sm", 0.508, "Hydraprobe-A", 20.0, -155.0, 1000, [](int) { return 0.30; });
  ismn_file(dir, "Alpha", "sm", 1.016, "Hydraprobe-A", 20.0, -155.0, 1000, [](int) { return 0.40; });
  static_file(dir, "Alpha");
  ismn_file(dir, "Beta", "sm", 0.0508, "Hydraprobe-A", 20.05, -155.0, 1500, [](int h) { return 0.1 + 0.001 * h; });
  static_file(dir, "Beta");
  ismn_file(dir, "Delta", "p", 0, "n.s.", 20.2, -155.0, 800, [](int) { return 9.0; });
  ismn_file(dir, "Delta", "ta", -2, "n.s.", 20.2, -155.0, 800, [](int) { return 30.0; });
  ismn_file(dir, "Gamma", "sm", 0.0508, "Hydraprobe-A", 25.0, -150.0, 10, [](int) { return 0.2; });
  static_file(dir, "Gamma");
  ismn_file(dir, "Epsilon", "sm", 0.0508, "Hydraprobe-A", 20.01, -155.01, 1000, [](int) { return 0.2; });
  return dir;
}

}  // namespace

TEST_CASE("A station set forces each station from its own or the nearest gauge and lists the rest with reasons",
          "[experiments][stations]") {
  const fs::path dir = make_folder();
  experiments::StationsParams p;
  p.ismn = {dir.string()};
  p.max_gap_hours = 2;
  const Time start = Time::from_civil(2017, 1, 1), end = Time::from_civil(2017, 1, 3);
  const auto set = experiments::prepare_stations(p, {}, start, end, true, (dir / "out").string(), true);
  REQUIRE(set.columns.size() == 2);
  CHECK(set.columns[0].key == "SCAN:Alpha");
  CHECK(set.columns[1].key == "SCAN:Beta");
  std::map<std::string, std::string> unused(set.unused.begin(), set.unused.end());
  CHECK(unused["SCAN:Delta"] == "no soil-moisture file");
  CHECK_THAT(unused["SCAN:Gamma"], Catch::Contains("precipitation is missing for 48 hour(s) from 2017-01-01T00:00:00Z") &&
                                       Catch::Contains("nor a station within 50 km (0 such)"));
  CHECK_THAT(unused["SCAN:Epsilon"], Catch::Contains("no static-variables file"));

  // Beta takes Alpha's rain (nearest, 5.6 km) and Alpha's temperature carried 500 m up at 6.5 K/km.
  const auto& beta = set.columns[1];
  REQUIRE(beta.tas.donors.size() == 1);
  CHECK(beta.tas.donors[0].station == "SCAN:Alpha");
  CHECK(beta.tas.donors[0].hours == 48);
  CHECK(beta.tas.donors[0].elevation_difference_m == Approx(-500));
  CHECK(beta.pr.donors[0].station == "SCAN:Alpha");
  CHECK(set.columns[0].pr.own == 48);
  const auto nc = io::NcFile::open(set.forcing);
  const auto tas = nc.get("tas"), pr = nc.get("pr");
  REQUIRE(tas.size() == 96);
  for (int h = 0; h < 48; ++h) {
    const double alpha = 10.0 + 5.0 * std::sin(h / 24.0 * 2 * M_PI) + 273.15;
    CHECK(tas[2 * h] == Approx(alpha));
    CHECK(tas[2 * h + 1] == Approx(alpha - 3.25));
    // Rain at stamp h + 1 fell in the hour [h, h + 1): the flux of record h, in kg m-2 s-1.
    const double rain = (h + 1) % 5 == 0 ? 1.0 + (h + 1) * 0.1 : 0.0;
    CHECK(pr[2 * h] == Approx(rain / 3600.0));
    CHECK(pr[2 * h + 1] == Approx(rain / 3600.0));
  }

  // Probes: two sensors at one depth are averaged; the 0-1 m profile integrates the piecewise-linear
  // profile (0.25 down to 5 cm, 0.30 at 51 cm, 0.40 at 102 cm) over 0-1 m.
  std::map<std::string, experiments::StationProbe> probes;
  for (const auto& pr_ : set.probes) probes[pr_.name] = pr_;
  REQUIRE(probes.count("insitu_5cm"));
  CHECK(probes["insitu_5cm"].layer == "surface");
  CHECK(probes["insitu_51cm"].layer == "depth_51cm");
  CHECK(probes["profile_0_100cm"].op == "layer_average");
  CHECK(set.columns[0].profile);
  CHECK_FALSE(set.columns[1].profile);
  const auto surface = observations::read_ioda(probes["insitu_5cm"].file);
  CHECK(surface.obs.value[0] == Approx(0.25));
  const auto profile = observations::read_ioda(probes["profile_0_100cm"].file);
  const double expect = 0.25 * 0.0508 + 0.5 * (0.25 + 0.30) * (0.508 - 0.0508) +
                        0.5 * (0.30 + (0.30 + 0.10 * (1.0 - 0.508) / (1.016 - 0.508))) * (1.0 - 0.508);
  CHECK(profile.obs.value[0] == Approx(expect).epsilon(1e-12));
  CHECK(fs::exists(dir / "out" / "stations.csv"));
}

TEST_CASE("Stations become the base's grid only under a filter that keeps their columns apart",
          "[experiments][stations]") {
  const fs::path dir = make_folder();
  experiments::StationsParams p;
  p.ismn = {dir.string()};
  p.networks = {"SCAN"};
  const auto set = experiments::prepare_stations(p, {}, Time::from_civil(2017, 1, 1), Time::from_civil(2017, 1, 3), false,
                                                 (dir / "out").string(), false);
  CHECK(set.columns.size() == 3);  // Epsilon too: its soil need not come from ISMN
  CHECK_FALSE(fs::exists(dir / "out"));  // nothing written when asked not to
  YAML::Node run = YAML::Load("{experiment: {observations: []}, model: {type: soil_water}, filter: {type: etkf}}");
  CHECK_THROWS_WITH(experiments::apply_stations(set, run, "c.yaml"),
                    Catch::Contains("c.yaml: stations: 3 station columns need a local filter: filter type letkf") &&
                        Catch::Contains("the base's is etkf"));
  run["filter"] = YAML::Load("{type: letkf, localization: {radius: 5}}");
  CHECK_THROWS_WITH(experiments::apply_stations(set, run, "c.yaml"),
                    Catch::Contains("filter.localization.radius 5 km lets one station's observations update another"));
  run["filter"]["localization"]["radius"] = 0.5;
  experiments::apply_stations(set, run, "c.yaml");
  CHECK(run["model"]["grid"]["names"][2].as<std::string>() == "SCAN:Epsilon");
  CHECK(run["model"]["forcing"].as<std::string>() == set.forcing);
  p.retrievals.push_back({"amsr2", "smap_l3", {}, 25});
  auto with_retrieval = set;
  with_retrieval.retrieval_files.emplace_back("amsr2", "x.nc");
  CHECK_THROWS_WITH(experiments::apply_stations(with_retrieval, run, "c.yaml"),
                    Catch::Contains("stations.retrievals: the base config has no source 'amsr2'"));
}

TEST_CASE("Validation stations from another folder become columns, forced from every folder's gauges",
          "[experiments][stations]") {
  const fs::path dir = make_folder();
  const fs::path extra = fs::temp_directory_path() / "landda_stations_extra";
  fs::remove_all(extra);
  ismn_file(extra, "Zeta", "sm", 0.1016, "Hydraprobe-A", 19.98, -155.0, 900, [](int) { return 0.3; });
  static_file(extra, "Zeta");
  ismn_file(extra, "Alpha", "sm", 0.0508, "Hydraprobe-A", 20.0, -155.0, 1000, [](int) { return 0.3; });
  // A cosmic-ray probe: its own validation source through the CRNS operator, not a depth.
  ismn_file(extra, "Omega", "sm", 0.0, "Cosmic-ray-Probe", 20.02, -155.0, 1000, [](int) { return 0.22; }, "COSMOS");
  experiments::StationsParams p;
  p.ismn = {dir.string()};
  const auto set = experiments::prepare_stations(p, {extra.string()}, Time::from_civil(2017, 1, 1),
                                                 Time::from_civil(2017, 1, 3), false, (dir / "out2").string(), true);
  REQUIRE(set.columns.size() == 5);  // Alpha, Beta, Epsilon (no static file needed here), Omega, Zeta
  CHECK(set.columns[3].key == "COSMOS:Omega");
  CHECK(set.columns[3].crns);
  CHECK(set.columns[4].key == "SCAN:Zeta");
  CHECK(set.columns[4].validation_only);
  CHECK_FALSE(set.columns[0].validation_only);
  CHECK(set.columns[4].pr.donors.at(0).station == "SCAN:Alpha");
  bool listed = false;
  for (const auto& [key, why] : set.unused) listed = listed || (key == "SCAN:Alpha" && why.find("already a column") != std::string::npos);
  CHECK(listed);
  std::map<std::string, experiments::StationProbe> probes;
  for (const auto& pr_ : set.probes) probes[pr_.name] = pr_;
  CHECK(probes.at("insitu_10cm").layer == "depth_10cm");
  CHECK(probes.at("crns").op == "crns");
  CHECK(probes.at("crns").layer == "crns");
  const auto crns = observations::read_ioda(probes.at("crns").file);
  CHECK(crns.station.at(0) == "COSMOS:Omega");
  CHECK(probes.count("insitu_0cm") == 0);  // the cosmic-ray probe is not a depth
}
