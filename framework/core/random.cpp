#include "core/random.hpp"

#include <cmath>
#include <numbers>

namespace landda {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

double to_unit(std::uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }  // [0, 1)

// Box-Muller of two uniforms; 1 - u keeps the logarithm's argument in (0, 1].
double box_muller(double u1, double u2) {
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace

std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

RandomStream::RandomStream(std::uint64_t seed, std::string_view purpose, std::uint64_t member) {
  // Mix the three keys through splitmix64 so that neighbouring members get unrelated streams.
  std::uint64_t x = seed;
  std::uint64_t k = splitmix64(x) ^ hash_name(purpose);
  k = splitmix64(k) ^ member;
  for (auto& w : s_) w = splitmix64(k);
}

std::uint64_t RandomStream::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double RandomStream::uniform() { return to_unit(next()); }

double RandomStream::normal() {
  const double u1 = uniform();
  return box_muller(u1, uniform());
}

double normal_at(std::uint64_t key, std::uint64_t i) {
  // SplitMix64 at positions 2i and 2i + 1 of the sequence the key seeds.
  std::uint64_t x = key + 2 * i * 0x9e3779b97f4a7c15ULL;
  const double u1 = to_unit(splitmix64(x));
  return box_muller(u1, to_unit(splitmix64(x)));
}

}  // namespace landda
