#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "observations/ismn/ismn_file.hpp"

using namespace landda;
namespace fs = std::filesystem;

namespace {
std::string write(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / "landda_ismn";
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}
}  // namespace

TEST_CASE("ISMN header+values files", "[observations][ismn]") {
  const auto path = write("COSMOS_COSMOS_ARM-1_sm_0.000000_0.190000_Cosmic-ray-Probe_20170810_20180809.stm",
                          "COSMOS     COSMOS          ARM-1             36.60540   -97.48780  322.00    0.00    0.19 Cosmic-ray-Probe\n"
                          "2017/08/10 00:00   0.1410 G M\n2017/08/10 01:00   0.1420 D03 M\n2017/08/10 02:00   0.1430 G M\n");
  const auto f = observations::read_ismn(path);
  CHECK(f.network == "COSMOS");
  CHECK(f.station == "ARM-1");
  CHECK(f.variable == "sm");
  CHECK(f.lat == 36.6054);
  CHECK(f.depth_to == 0.19);
  REQUIRE(f.time.size() == 3);
  CHECK(f.time[1].iso() == "2017-08-10T01:00:00Z");
  CHECK(f.value[2] == 0.143);
  CHECK(f.good(0));
  CHECK_FALSE(f.good(1));
}

TEST_CASE("ISMN CEOP separate files", "[observations][ismn]") {
  const auto path = write("SCAN_SCAN_PuaAkala_p_0.000000_0.000000_Pulse-Count_20170101_20181231.stm",
                          "2017/01/01 00:00 2017/01/01 00:00 SCAN       SCAN            Pua_Akala         19.80000  -155.33300 1948.89    0.00    0.00   0.0000 G M\n"
                          "2017/01/01 01:00 2017/01/01 01:00 SCAN       SCAN            Pua_Akala         19.80000  -155.33300 1948.89    0.00    0.00   2.5400 G M\n");
  const auto f = observations::read_ismn(path);
  CHECK(f.variable == "p");
  CHECK(f.station == "Pua_Akala");
  CHECK(f.lon == -155.333);
  CHECK(f.value[1] == 2.54);
}

TEST_CASE("Bad ISMN files are refused with the file and line", "[observations][ismn]") {
  const std::string name = "SCAN_SCAN_X_sm_0.05_0.05_probe_20170101_20181231.stm";
  CHECK_THROWS_WITH(observations::read_ismn(write(name, "SCAN SCAN X 19.8 -155.3 10 0.05 0.05 probe\n2017/01/01 01:00 0.2 G M\n2017/01/01 00:00 0.3 G M\n")),
                    Catch::Contains(":3: time 2017-01-01T00:00:00Z is not after the previous line's"));
  CHECK_THROWS_WITH(observations::read_ismn(write(name, "SCAN SCAN X 19.8 -155.3 10 0.05 0.05 probe\n2017/01/01 00:00 wet G M\n")),
                    Catch::Contains(":2: value 'wet' is not a number"));
  CHECK_THROWS_WITH(observations::read_ismn(write(name, "SCAN SCAN X 19.8 -155.3 10 0.05 0.05 probe\n2017/13/01 00:00 0.2 G M\n")),
                    Catch::Contains(":2: time '2017/13/01 00:00' is out of range"));
  CHECK_THROWS_WITH(observations::read_ismn(write(name, "SCAN SCAN X 19.8 -155.3 10 0.05 0.05 probe\n")), Catch::Contains("no data lines"));
  CHECK_THROWS_WITH(observations::read_ismn(write("station.stm", "2017/01/01 00:00 0.2 G M\n")),
                    Catch::Contains("file name does not follow ISMN's"));
  CHECK_THROWS_WITH(observations::read_ismn("/no/such/file.stm"), Catch::Contains("cannot open"));
  // A file cut off in the middle of a line.
  CHECK_THROWS_WITH(observations::read_ismn(write(name, "SCAN SCAN X 19.8 -155.3 10 0.05 0.05 probe\n2017/01/01 00:00 0.2 G M\n2017/01/01 01:")),
                    Catch::Contains(":3:"));
}

TEST_CASE("ISMN values flagged good that cannot be soil moisture are not imported", "[observations][ismn]") {
  const auto path = write("SCAN_SCAN_Odd_sm_0.050800_0.050800_n.s._20170101_20170102.stm",
                          "SCAN SCAN Odd 19.7 -155.4 100 0.0508 0.0508 n.s.\n"
                          "2017/01/01 00:00 0.25 G M\n2017/01/01 01:00 99 G M\n2017/01/01 02:00 -5 G M\n2017/01/01 03:00 0.26 G M\n");
  const auto f = observations::read_ismn(path);
  const auto obs = observations::ismn_to_obs({f}, Time::from_civil(2017, 1, 1), Time::from_civil(2017, 1, 2), 0.02);
  REQUIRE(obs.obs.size() == 2);
  CHECK(obs.obs.value[0] == 0.25);
  CHECK(obs.obs.value[1] == 0.26);
}
