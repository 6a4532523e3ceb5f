// ObsBatch: a window's observations gathered from its sources.
#include <catch2/catch.hpp>

#include "core/observation.hpp"

using namespace landda;

namespace {

ObsBatch batch_of(const std::string& name, std::initializer_list<double> values) {
  ObsBatch b;
  b.resize(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (const double v : values) {
    b.value[i] = v;
    b.error[i] = 0.04;
    b.x[static_cast<std::size_t>(i)] = static_cast<double>(i);
    b.y[static_cast<std::size_t>(i)] = 1.0;
    b.qc[static_cast<std::size_t>(i)] = 0;
    b.source[static_cast<std::size_t>(i)] = 0;
    ++i;
  }
  b.source_names = {name};
  return b;
}

}  // namespace

TEST_CASE("A batch handed over to an empty one is taken whole; later ones are appended with their sources renumbered",
          "[framework][observation]") {
  ObsBatch window;
  ObsBatch smap = batch_of("smap", {0.2, 0.3});
  const double* storage = smap.value.data();
  window.append(std::move(smap));
  CHECK(window.value.data() == storage);  // taken, not copied
  window.append(batch_of("ascat", {40.0}));
  window.append(batch_of("smos", {0.1, 0.15}));
  REQUIRE(window.size() == 5);
  CHECK(window.source_names == std::vector<std::string>{"smap", "ascat", "smos"});
  CHECK(window.source == std::vector<int>{0, 0, 1, 2, 2});
  CHECK(window.value[2] == 40.0);
  CHECK(window.value[4] == 0.15);
  CHECK(window.x == std::vector<double>{0, 1, 0, 0, 1});
  // Handed to a batch that already holds observations: appended, the sources after its own.
  ObsBatch more = batch_of("smap", {0.25});
  more.append(std::move(window));
  CHECK(more.size() == 6);
  CHECK(more.source == std::vector<int>{0, 1, 1, 2, 3, 3});
}
