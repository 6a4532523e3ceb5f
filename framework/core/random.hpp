#pragma once
// Random streams keyed by (run seed, purpose, member), so that a member draws
// the same numbers whichever rank advances it. xoshiro256** (Blackman & Vigna
// 2018) for its small checkpointable state; normal deviates by Box-Muller with
// no cached second value, so the state is the four words alone.
#include <array>
#include <cstdint>
#include <string_view>

namespace landda {

class RandomStream {
 public:
  using State = std::array<std::uint64_t, 4>;

  RandomStream() : RandomStream(0, "default", 0) {}
  RandomStream(std::uint64_t seed, std::string_view purpose, std::uint64_t member);

  std::uint64_t next();
  double uniform();  // [0, 1)
  double normal();   // N(0, 1)
  double normal(double mean, double sd) { return mean + sd * normal(); }

  const State& state() const { return s_; }
  void set_state(const State& s) { s_ = s; }

 private:
  State s_{};
};

// FNV-1a of a purpose name: the same text gives the same stream on every platform.
std::uint64_t hash_name(std::string_view name);

// Counter-based draws (Salmon et al. 2011, with SplitMix64's mixing, Steele et al. 2014): the i-th normal
// deviate of a key, computed without the ones before it, for values nobody keeps (a member's per-cell
// parameter multipliers, drawn again where a block of cells is advanced).
double normal_at(std::uint64_t key, std::uint64_t i);

}  // namespace landda
