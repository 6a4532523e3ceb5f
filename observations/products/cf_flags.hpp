#pragma once
// CF flag attributes (flag_masks, flag_values, flag_meanings) as products
// write them: numeric arrays, text such as "1s, 2s, 4s" (SMAP's HDF5), masks
// truncated to 16 bits for a 32-bit variable (SMOS L2). A quality test names
// a meaning; the file's own table turns it into a mask. The helpers take any
// reader with NcFile's reading calls (io::NcFile, io::H5File).
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/cf_decode.hpp"

namespace landda::observations::products {

struct FlagTable {
  std::string variable;
  std::vector<std::string> meanings;
  std::vector<long long> codes;  // masks (bit tests) or values (equality)
  bool masks = true;

  // The code of a meaning; throws InputError naming the file, variable and the meanings it has.
  long long code(const std::string& meaning, const std::string& path) const;
  bool set(long long raw, long long code) const { return masks ? (raw & code) != 0 : raw == code; }
};

// The table from the attributes' contents (`where` names the file and variable in messages).
FlagTable flag_table(const std::string& where, const std::string& variable, const std::string& meanings, bool masks,
                     std::vector<long long> codes);
// Codes written as text: "1s, 2s, 4s" -> 1, 2, 4.
std::vector<long long> parse_codes(const std::string& text, const std::string& where);
// Meanings of bits 0, 1, ... for a file without flag attributes.
FlagTable bit_table(const std::string& variable, const std::vector<std::string>& meanings);

// The variable's flag table; `fallback` (meanings of bits 0, 1, ...) when the file has none.
template <class File>
FlagTable read_flags(const File& f, const std::string& variable, const std::vector<std::string>& fallback = {}) {
  const std::string where = cat(f.path(), ": ", variable);
  if (!f.has_att(variable, "flag_meanings")) {
    if (fallback.empty()) throw InputError(cat(where, " has no flag_meanings attribute"));
    return bit_table(variable, fallback);
  }
  const std::string att = f.has_att(variable, "flag_masks") ? "flag_masks" : "flag_values";
  if (!f.has_att(variable, att)) throw InputError(cat(where, " has flag_meanings but neither flag_masks nor flag_values"));
  std::vector<long long> codes;
  if (f.att_is_text(variable, att)) {
    codes = parse_codes(f.att_text(variable, att), where);
  } else {
    for (double v : f.att_values(variable, att)) codes.push_back(static_cast<long long>(v));
  }
  return flag_table(where, variable, f.att_text(variable, "flag_meanings"), att == "flag_masks", std::move(codes));
}

// Throws InputError unless every variable is in the file, naming the product and the first one missing.
template <class File>
void require(const File& f, const std::vector<std::string>& variables, const std::string& product) {
  for (const auto& v : variables)
    if (!f.has_var(v)) throw InputError(cat(f.path(), ": variable '", v, "' is missing; a ", product, " granule has it"));
}

// Values as stored made NaN where they hold the variable's _FillValue or missing_value.
template <class File>
void mask_fill(const File& f, const std::string& variable, std::vector<double>& raw) {
  for (const char* a : {"_FillValue", "missing_value"}) {
    if (!f.has_att(variable, a)) continue;
    const double fill = f.att_values(variable, a)[0];
    for (double& x : raw)
      if (x == fill) x = std::nan("");
  }
}

// A flag variable as stored, NaN where it holds its _FillValue or missing_value.
template <class File>
std::vector<double> raw_flags(const File& f, const std::string& variable) {
  auto raw = f.get_raw(variable);
  mask_fill(f, variable, raw);
  return raw;
}

// The values of `variable` CF-decoded into `value`; a value that is not the fill
// value but lies outside valid_min/valid_max/valid_range gets bit `range_test`.
template <class File>
void read_values(const File& f, const std::string& variable, int range_test, std::vector<double>& value,
                 std::vector<std::uint64_t>& failed) {
  auto raw = f.get_raw(variable);  // read once: decoded into `value`, its fill told apart from its range
  value = raw;
  io::cf_decode(f, variable, value);
  mask_fill(f, variable, raw);
  failed.resize(value.size(), 0);
  for (std::size_t i = 0; i < value.size(); ++i)
    if (std::isnan(value[i]) && std::isfinite(raw[i])) failed[i] |= std::uint64_t{1} << range_test;
}

// One test per meaning: the names a reader reports ("surface_flag: 36_km_urban_area").
std::vector<std::string> test_names(const std::string& variable, const std::vector<std::string>& meanings);

// Sets bit `first + k` of failed[i] where raw[i] carries meaning k (NaN: fill, skipped).
void mark(const FlagTable& table, const std::vector<std::string>& meanings, const std::vector<double>& raw,
          const std::string& path, int first, std::vector<std::uint64_t>& failed);

}  // namespace landda::observations::products
