#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/time.hpp"

using namespace landda;

TEST_CASE("ISO 8601 times parse, print and count days", "[framework][time]") {
  CHECK(Time::parse("1970-01-01").seconds == 0);
  CHECK(Time::parse("1970-01-02T00:00:01Z").seconds == 86401);
  CHECK(Time::parse("2017-03-01 06:30").iso() == "2017-03-01T06:30:00Z");
  CHECK(Time::parse("2016-02-29T23:59:59").iso() == "2016-02-29T23:59:59Z");
  CHECK(Time::parse("1969-12-31T23:00:00Z").seconds == -3600);
  CHECK(Time::parse("1969-12-31T23:00:00Z").iso() == "1969-12-31T23:00:00Z");
  CHECK(Time::parse("2018-12-31").day_of_year() == 365);
  CHECK(Time::parse("2016-12-31").day_of_year() == 366);
  CHECK(Time::parse("2017-06-01").year() == 2017);
  // Every day of four years round-trips through iso().
  for (std::int64_t d = 0; d < 4 * 366; ++d) {
    const Time t{Time::parse("2015-01-01").seconds + d * 86400 + 3723};
    CHECK(Time::parse(t.iso()) == t);
  }
}

TEST_CASE("Bad times are rejected with the reason", "[framework][time]") {
  CHECK_THROWS_WITH(Time::parse("2017-02-29"), Catch::Contains("day out of range"));
  CHECK_THROWS_WITH(Time::parse("2017-13-01"), Catch::Contains("month out of range"));
  CHECK_THROWS_WITH(Time::parse("17-1-1"), Catch::Contains("YYYY-MM-DD"));
  CHECK_THROWS_WITH(Time::parse("2017-01-01T25:00"), Catch::Contains("out of range"));
  CHECK_THROWS_AS(Time::parse("2017-01-01X06:00"), ConfigError);
}

TEST_CASE("Durations accept ISO 8601 and seconds", "[framework][time]") {
  CHECK(Duration::parse("PT6H").seconds == 21600);
  CHECK(Duration::parse("P1D").seconds == 86400);
  CHECK(Duration::parse("P1DT12H30M5S").seconds == 86400 + 12 * 3600 + 30 * 60 + 5);
  CHECK(Duration::parse("P2W").seconds == 14 * 86400);
  CHECK(Duration::parse("3600").seconds == 3600);
  CHECK(Duration::parse("P1DT12H").iso() == "P1DT12H");
  CHECK(Duration::parse(Duration{5430}.iso()).seconds == 5430);
  CHECK_THROWS_AS(Duration::parse("6h"), ConfigError);
  CHECK_THROWS_AS(Duration::parse("PT"), ConfigError);
  CHECK_THROWS_AS(Duration::parse("P1H"), ConfigError);  // hours belong after T
}

TEST_CASE("CF time units convert both ways", "[framework][time]") {
  const auto cf = CfTimeUnits::parse("days since 2000-01-01 12:00:00");
  CHECK(cf.unit_seconds == 86400);
  CHECK(cf.to_time(1.5).iso() == "2000-01-03T00:00:00Z");
  CHECK(cf.from_time(Time::parse("2000-01-02T12:00:00")) == Approx(1.0));
  const auto smap = CfTimeUnits::parse("seconds since 2000-01-01 12:00");
  CHECK(smap.to_time(3600).iso() == "2000-01-01T13:00:00Z");
  const auto tz = CfTimeUnits::parse("hours since 1900-01-01 00:00:00.0 UTC");
  CHECK(tz.epoch.iso() == "1900-01-01T00:00:00Z");
  CHECK(CfTimeUnits::parse(cf.str()).epoch == cf.epoch);
  CHECK_THROWS_WITH(CfTimeUnits::parse("fortnights since 2000-01-01"), Catch::Contains("fortnights"));
  CHECK_THROWS_AS(CfTimeUnits::parse("days"), InputError);
}
