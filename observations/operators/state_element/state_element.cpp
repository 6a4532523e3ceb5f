#include "observations/operators/state_element/state_element.hpp"

#include "core/error.hpp"

namespace landda::observations {

void StateElement::Params::visit(config::Visitor& v) {
  v("variable", variable, config::doc("state variable observed (empty: the model's first)"));
  v("layer", layer, config::doc("layer observed (0: top)").range(0, 1000));
  footprint.visit(v);
}

void StateElement::prepare(const ObsGeometry&) {
  if (p_.layer >= n_layers_)
    throw ConfigError(cat("state_element: layer ", p_.layer, " but the variable has ", n_layers_, " layer(s)"));
  weights_ = Eigen::VectorXd::Zero(n_layers_);
  weights_[p_.layer] = 1.0;
}

}  // namespace landda::observations
