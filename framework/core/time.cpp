#include "core/time.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"

namespace landda {
namespace {

// Days since 1970-01-01 for a civil date (H. Hinnant, "chrono-compatible
// low-level date algorithms").
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

[[noreturn]] void bad_time(std::string_view text, std::string_view why) {
  throw ConfigError(cat("invalid time '", text, "': ", why,
                        " (expected ISO 8601, e.g. 2017-01-01 or 2017-01-01T06:00:00Z)"));
}

}  // namespace

Time Time::from_civil(int year, int month, int day, int hour, int minute, int second) {
  return Time{days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
              hour * 3600 + minute * 60 + second};
}

Time Time::parse(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::string str(text);
  while (!str.empty() && std::isspace(static_cast<unsigned char>(str.back()))) str.pop_back();
  if (!str.empty() && str.back() == 'Z') str.pop_back();
  int consumed = 0;
  if (std::sscanf(str.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10)
    bad_time(text, "the date must be YYYY-MM-DD");
  if (str.size() > 10) {
    const char sep = str[10];
    if (sep != 'T' && sep != ' ') bad_time(text, "date and time must be separated by 'T'");
    const std::string clock = str.substr(11);
    int n = 0;
    if (std::sscanf(clock.c_str(), "%2d:%2d:%2d%n", &h, &mi, &s, &n) == 3 && n == static_cast<int>(clock.size())) {
    } else if (s = 0, std::sscanf(clock.c_str(), "%2d:%2d%n", &h, &mi, &n) == 2 &&
                          n == static_cast<int>(clock.size())) {
    } else {
      bad_time(text, "the time of day must be hh:mm or hh:mm:ss");
    }
  }
  if (mo < 1 || mo > 12) bad_time(text, "month out of range 1-12");
  if (d < 1 || d > days_in_month(y, mo)) bad_time(text, "day out of range for the month");
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) bad_time(text, "time of day out of range");
  return from_civil(y, mo, d, h, mi, s);
}

std::string Time::iso() const {
  const std::int64_t days = floor_div(seconds, 86400);
  const std::int64_t sod = seconds - days * 86400;
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, static_cast<int>(sod / 3600),
                static_cast<int>(sod % 3600 / 60), static_cast<int>(sod % 60));
  return buf;
}

int Time::year() const {
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(floor_div(seconds, 86400), y, m, d);
  return y;
}

int Time::day_of_year() const {
  const std::int64_t days = floor_div(seconds, 86400);
  return static_cast<int>(days - days_from_civil(year(), 1, 1)) + 1;
}

Duration Duration::parse(std::string_view text) {
  const std::string str(text);
  if (str.empty()) throw ConfigError("empty duration (expected e.g. PT6H, P1D or seconds)");
  if (str[0] != 'P') {
    char* end = nullptr;
    const long long v = std::strtoll(str.c_str(), &end, 10);
    if (*end != '\0') throw ConfigError(cat("invalid duration '", text, "' (expected e.g. PT6H, P1D or seconds)"));
    return Duration{v};
  }
  std::int64_t total = 0;
  bool in_time = false, any = false;
  std::size_t i = 1;
  while (i < str.size()) {
    if (str[i] == 'T') {
      in_time = true;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < str.size() && std::isdigit(static_cast<unsigned char>(str[j]))) ++j;
    if (j == i || j == str.size())
      throw ConfigError(cat("invalid duration '", text, "' (expected e.g. PT6H, P1D, P1DT12H)"));
    const std::int64_t v = std::stoll(str.substr(i, j - i));
    const char u = str[j];
    if (!in_time && u == 'D') total += v * 86400;
    else if (!in_time && u == 'W') total += v * 7 * 86400;
    else if (in_time && u == 'H') total += v * 3600;
    else if (in_time && u == 'M') total += v * 60;
    else if (in_time && u == 'S') total += v;
    else
      throw ConfigError(cat("invalid duration '", text,
                            "': only W, D (date part) and H, M, S (time part) are supported"));
    any = true;
    i = j + 1;
  }
  if (!any) throw ConfigError(cat("invalid duration '", text, "'"));
  return Duration{total};
}

std::string Duration::iso() const {
  std::int64_t s = seconds;
  std::string out = s < 0 ? "-P" : "P";
  if (s < 0) s = -s;
  if (s >= 86400) out += std::to_string(s / 86400) + "D";
  s %= 86400;
  if (s != 0 || out.size() <= 2) {
    out += "T";
    if (s >= 3600) out += std::to_string(s / 3600) + "H";
    if (s % 3600 >= 60) out += std::to_string(s % 3600 / 60) + "M";
    if (s % 60 != 0 || out.back() == 'T') out += std::to_string(s % 60) + "S";
  }
  return out;
}

CfTimeUnits CfTimeUnits::parse(std::string_view units) {
  const std::string str(units);
  const auto pos = str.find(" since ");
  if (pos == std::string::npos)
    throw InputError(cat("time units '", units, "' are not CF ('<unit> since <date>')"));
  const std::string unit = str.substr(0, pos);
  CfTimeUnits cf;
  if (unit == "seconds" || unit == "second" || unit == "s") cf.unit_seconds = 1;
  else if (unit == "minutes" || unit == "minute" || unit == "min") cf.unit_seconds = 60;
  else if (unit == "hours" || unit == "hour" || unit == "h") cf.unit_seconds = 3600;
  else if (unit == "days" || unit == "day" || unit == "d") cf.unit_seconds = 86400;
  else
    throw InputError(cat("time units '", units, "': unit '", unit, "' is not one of seconds, minutes, hours, days"));
  std::string epoch = str.substr(pos + 7);
  // CF allows "2000-1-1 0:0:0" and a trailing time zone "UTC"/"+00:00"; normalise the common forms.
  for (const char* tz : {" UTC", " utc", "+00:00", " +0000", "Z"}) {
    const std::string t(tz);
    if (epoch.size() > t.size() && epoch.compare(epoch.size() - t.size(), t.size(), t) == 0)
      epoch.erase(epoch.size() - t.size());
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  const int n = std::sscanf(epoch.c_str(), "%d-%d-%d%*[ T]%d:%d:%lf", &y, &mo, &d, &h, &mi, &s);
  if (n < 3) throw InputError(cat("time units '", units, "': cannot read the reference date '", epoch, "'"));
  cf.epoch = Time::from_civil(y, mo, d, h, mi, static_cast<int>(s));
  return cf;
}

std::string CfTimeUnits::str() const {
  const char* unit = unit_seconds == 86400 ? "days" : unit_seconds == 3600 ? "hours" : unit_seconds == 60 ? "minutes" : "seconds";
  std::string iso = epoch.iso();
  iso[10] = ' ';
  iso.pop_back();  // drop Z: CF readers expect "YYYY-MM-DD hh:mm:ss"
  return std::string(unit) + " since " + iso;
}

Time CfTimeUnits::to_time(double value) const {
  return Time{epoch.seconds + static_cast<std::int64_t>(std::llround(value * unit_seconds))};
}

double CfTimeUnits::from_time(Time t) const {
  return static_cast<double>(t.seconds - epoch.seconds) / unit_seconds;
}

}  // namespace landda
