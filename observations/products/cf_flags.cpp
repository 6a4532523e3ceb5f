#include "observations/products/cf_flags.hpp"

#include <sstream>

namespace landda::observations::products {

long long FlagTable::code(const std::string& meaning, const std::string& path) const {
  for (std::size_t k = 0; k < meanings.size(); ++k)
    if (meanings[k] == meaning) return codes[k];
  std::string all;
  for (const auto& m : meanings) all += (all.empty() ? "" : ", ") + m;
  throw InputError(cat(path, ": ", variable, " has no flag '", meaning, "'; its flag_meanings are: ", all));
}

std::vector<long long> parse_codes(const std::string& text, const std::string& where) {
  std::vector<long long> out;
  std::string item;
  std::istringstream is(text);
  while (std::getline(is, item, ',')) {
    try {
      out.push_back(std::stoll(item));
    } catch (const std::exception&) {
      throw InputError(cat(where, ": flag code '", item, "' is not an integer"));
    }
  }
  return out;
}

FlagTable bit_table(const std::string& variable, const std::vector<std::string>& meanings) {
  FlagTable t;
  t.variable = variable;
  t.meanings = meanings;
  for (std::size_t k = 0; k < meanings.size(); ++k) t.codes.push_back(1LL << k);
  return t;
}

FlagTable flag_table(const std::string& where, const std::string& variable, const std::string& meanings, bool masks,
                     std::vector<long long> codes) {
  FlagTable t;
  t.variable = variable;
  t.masks = masks;
  std::istringstream is(meanings);
  for (std::string w; is >> w;) t.meanings.push_back(w);
  t.codes = std::move(codes);
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
    throw InputError(cat(where, " lists ", t.meanings.size(), " flag_meanings for ", t.codes.size(),
                         masks ? " flag_masks" : " flag_values"));
  return t;
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

}  // namespace landda::observations::products
