#include "observations/products/cf_flags.hpp"

#include <cmath>
#include <cstdint>
#include <sstream>

#include "core/error.hpp"

namespace landda::observations::products {
namespace {

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream is(text);
  for (std::string w; is >> w;) out.push_back(w);
  return out;
}

// "1s, 2s, 4s" (an HDF5 text attribute written from CDL) -> 1, 2, 4.
std::vector<long long> parse_codes(const std::string& text, const std::string& where) {
  std::vector<long long> out;
  std::string item;
  std::istringstream is(text);
  while (std::getline(is, item, ',')) {
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      throw InputError(cat(where, ": flag code '", item, "' is not an integer"));
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

long long FlagTable::code(const std::string& meaning, const std::string& path) const {
  for (std::size_t k = 0; k < meanings.size(); ++k)
    if (meanings[k] == meaning) return codes[k];
  std::string all;
  for (const auto& m : meanings) all += (all.empty() ? "" : ", ") + m;
  throw InputError(cat(path, ": ", variable, " has no flag '", meaning, "'; its flag_meanings are: ", all));
}

FlagTable read_flags(const io::NcFile& nc, const std::string& variable, const std::vector<std::string>& fallback) {
  FlagTable t;
  t.variable = variable;
  const std::string where = cat(nc.path(), ": ", variable);
  if (!nc.has_att(variable, "flag_meanings")) {
    if (fallback.empty()) throw InputError(cat(where, " has no flag_meanings attribute"));
    t.meanings = fallback;
    for (std::size_t k = 0; k < fallback.size(); ++k) t.codes.push_back(1LL << k);
    return t;
  }
  t.meanings = split_words(nc.att_text(variable, "flag_meanings"));
  const std::string att = nc.has_att(variable, "flag_masks") ? "flag_masks" : "flag_values";
  t.masks = att == "flag_masks";
  if (!nc.has_att(variable, att)) throw InputError(cat(where, " has flag_meanings but neither flag_masks nor flag_values"));
  if (nc.att_is_text(variable, att)) {
    t.codes = parse_codes(nc.att_text(variable, att), where);
  } else {
    for (double v : nc.att_values(variable, att)) t.codes.push_back(static_cast<long long>(v));
  }
  // 16-bit attributes of a wider variable: negative codes are the top bit, zeros
  // pad the meanings past bit 15; when the masks are the bits in order, keep that order.
  bool bits_in_order = t.masks;
  for (std::size_t k = 0; k < t.codes.size(); ++k) {
    if (t.codes[k] < 0) t.codes[k] += 1LL << 16;
    if (t.codes[k] != 0 && t.codes[k] != (1LL << k)) bits_in_order = false;
  }
  if (bits_in_order) {
    t.codes.resize(t.meanings.size());
    for (std::size_t k = 0; k < t.meanings.size() && k < 63; ++k) t.codes[k] = 1LL << k;
  }
  if (t.codes.size() != t.meanings.size())
    throw InputError(cat(where, " lists ", t.meanings.size(), " flag_meanings for ", t.codes.size(), " ", att));
  return t;
}

void require(const io::NcFile& nc, const std::vector<std::string>& variables, const std::string& product) {
  for (const auto& v : variables)
    if (!nc.has_var(v))
      throw InputError(cat(nc.path(), ": variable '", v, "' is missing; a ", product, " granule has it"));
}

std::vector<std::string> test_names(const std::string& variable, const std::vector<std::string>& meanings) {
  std::vector<std::string> out;
  for (const auto& m : meanings) out.push_back(variable + ": " + m);
  return out;
}

void mark(const FlagTable& table, const std::vector<std::string>& meanings, const std::vector<double>& raw,
          const std::string& path, int first, std::vector<std::uint64_t>& failed) {
  for (std::size_t k = 0; k < meanings.size(); ++k) {
    const long long code = table.code(meanings[k], path);
    const std::uint64_t bit = std::uint64_t{1} << (first + static_cast<int>(k));
    for (std::size_t i = 0; i < raw.size(); ++i)
      if (std::isfinite(raw[i]) && table.set(static_cast<long long>(raw[i]), code)) failed[i] |= bit;
  }
}

std::vector<double> raw_flags(const io::NcFile& nc, const std::string& variable) {
  auto raw = nc.get_raw(variable);
  const auto fill = nc.att_double(variable, "_FillValue"), missing = nc.att_double(variable, "missing_value");
  for (double& x : raw)
    if ((fill && x == *fill) || (missing && x == *missing)) x = std::nan("");
  return raw;
}

void read_values(const io::NcFile& nc, const std::string& variable, int range_test, std::vector<double>& value,
                 std::vector<std::uint64_t>& failed) {
  value = nc.get(variable);
  const auto raw = raw_flags(nc, variable);
  failed.resize(value.size(), 0);
  for (std::size_t i = 0; i < value.size(); ++i)
    if (std::isnan(value[i]) && std::isfinite(raw[i])) failed[i] |= std::uint64_t{1} << range_test;
}

}  // namespace landda::observations::products
