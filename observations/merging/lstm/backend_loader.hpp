#pragma once
// Loads liblandda_lstm.so (the libtorch module) on first use.
#include <memory>

#include "observations/merging/lstm/lstm_backend.hpp"

namespace landda::observations::merging {

std::unique_ptr<lstm::Backend> make_lstm_backend();

}  // namespace landda::observations::merging
