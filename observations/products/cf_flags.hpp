#pragma once
// CF flag attributes (flag_masks, flag_values, flag_meanings) as products
// write them: numeric arrays, text such as "1s, 2s, 4s" (SMAP's HDF5), masks
// truncated to 16 bits for a 32-bit variable (SMOS L2). A quality test names
// a meaning; the file's own table turns it into a mask.
#include <string>
#include <vector>

#include "io/netcdf.hpp"

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

// The variable's flag table; `fallback` (meanings of bits 0, 1, ...) when the file has none.
FlagTable read_flags(const io::NcFile& nc, const std::string& variable, const std::vector<std::string>& fallback = {});

// Throws InputError unless every variable is in the file, naming the product and the first one missing.
void require(const io::NcFile& nc, const std::vector<std::string>& variables, const std::string& product);

// One test per meaning: the names a reader reports ("surface_flag: 36_km_urban_area").
std::vector<std::string> test_names(const std::string& variable, const std::vector<std::string>& meanings);

// Sets bit `first + k` of failed[i] where raw[i] carries meaning k (raw[i] == fill_code is skipped).
void mark(const FlagTable& table, const std::vector<std::string>& meanings, const std::vector<double>& raw,
          const std::string& path, int first, std::vector<std::uint64_t>& failed);

// A flag variable as stored, NaN where it holds its _FillValue or missing_value.
std::vector<double> raw_flags(const io::NcFile& nc, const std::string& variable);

// The values of `variable` CF-decoded into g.value; a value that is not the fill
// value but lies outside valid_min/valid_max/valid_range gets bit `range_test`.
void read_values(const io::NcFile& nc, const std::string& variable, int range_test, std::vector<double>& value,
                 std::vector<std::uint64_t>& failed);

}  // namespace landda::observations::products
