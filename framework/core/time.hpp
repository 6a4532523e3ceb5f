#pragma once
// Calendar time: UTC, proleptic Gregorian, whole seconds. ISO 8601 in configs
// and files, CF "<unit> since <epoch>" in NetCDF.
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace landda {

struct Duration {
  std::int64_t seconds = 0;
  auto operator<=>(const Duration&) const = default;
  // Accepts ISO 8601 durations (P1D, PT6H, PT30M, P1DT12H) or plain seconds.
  static Duration parse(std::string_view text);
  std::string iso() const;
  double hours() const { return static_cast<double>(seconds) / 3600.0; }
};

struct Time {
  std::int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  auto operator<=>(const Time&) const = default;

  // Accepts YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss][Z] and a space instead of T.
  static Time parse(std::string_view text);
  static Time from_civil(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);
  std::string iso() const;  // YYYY-MM-DDThh:mm:ssZ
  int year() const;
  int day_of_year() const;  // 1..366

  Time operator+(Duration d) const { return Time{seconds + d.seconds}; }
  Time operator-(Duration d) const { return Time{seconds - d.seconds}; }
  Duration operator-(Time o) const { return Duration{seconds - o.seconds}; }
};

// A CF time axis: value * unit_seconds + epoch.
struct CfTimeUnits {
  double unit_seconds = 1.0;
  Time epoch;
  static CfTimeUnits parse(std::string_view units);  // "days since 2000-01-01 12:00:00"
  std::string str() const;
  Time to_time(double value) const;
  double from_time(Time t) const;
};

}  // namespace landda
