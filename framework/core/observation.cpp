#include "core/observation.hpp"

#include <cmath>

#include "core/error.hpp"

namespace landda {

void ObsBatch::resize(Eigen::Index n) {
  value.resize(n);
  error.resize(n);
  const auto un = static_cast<std::size_t>(n);
  x.resize(un);
  y.resize(un);
  time.resize(un);
  qc.assign(un, 0);
  source.assign(un, 0);
}

void ObsBatch::append(const ObsBatch& o) {
  const Eigen::Index n0 = size(), n1 = o.size();
  const int src0 = static_cast<int>(source_names.size());
  Eigen::VectorXd v(n0 + n1), e(n0 + n1);
  v << value, o.value;
  e << error, o.error;
  value = std::move(v);
  error = std::move(e);
  x.insert(x.end(), o.x.begin(), o.x.end());
  y.insert(y.end(), o.y.begin(), o.y.end());
  time.insert(time.end(), o.time.begin(), o.time.end());
  qc.insert(qc.end(), o.qc.begin(), o.qc.end());
  for (int s : o.source) source.push_back(s + src0);
  source_names.insert(source_names.end(), o.source_names.begin(), o.source_names.end());
}

void ObsBatch::append(ObsBatch&& o) {
  if (size() == 0 && source_names.empty()) {
    *this = std::move(o);
    return;
  }
  append(static_cast<const ObsBatch&>(o));
}

ObsBatch ObsBatch::rows(const std::vector<Eigen::Index>& which) const {
  ObsBatch out;
  out.source_names = source_names;
  out.resize(static_cast<Eigen::Index>(which.size()));
  for (std::size_t k = 0; k < which.size(); ++k) {
    const Eigen::Index i = which[k];
    const auto ki = static_cast<Eigen::Index>(k);
    out.value[ki] = value[i];
    out.error[ki] = error[i];
    out.x[k] = x[static_cast<std::size_t>(i)];
    out.y[k] = y[static_cast<std::size_t>(i)];
    out.time[k] = time[static_cast<std::size_t>(i)];
    out.qc[k] = qc[static_cast<std::size_t>(i)];
    out.source[k] = source[static_cast<std::size_t>(i)];
  }
  return out;
}

ObsBatch ObsBatch::passed() const {
  std::vector<Eigen::Index> keep;
  for (std::size_t i = 0; i < qc.size(); ++i)
    if (qc[i] == 0) keep.push_back(static_cast<Eigen::Index>(i));
  return rows(keep);
}

ObsBatch ObsBatch::slice(Eigen::Index begin, Eigen::Index count) const {
  std::vector<Eigen::Index> which(static_cast<std::size_t>(count));
  for (Eigen::Index k = 0; k < count; ++k) which[static_cast<std::size_t>(k)] = begin + k;
  return rows(which);
}

void ObsBatch::check(const std::string& origin) const {
  const auto n = static_cast<std::size_t>(size());
  if (static_cast<std::size_t>(error.size()) != n || x.size() != n || y.size() != n || time.size() != n ||
      qc.size() != n || source.size() != n)
    throw InputError(cat(origin, ": observation arrays differ in length"));
  for (std::size_t i = 0; i < n; ++i) {
    if (qc[i] != 0) continue;
    if (!std::isfinite(value[i])) throw InputError(cat(origin, ": observation ", i, " has a non-finite value"));
    if (!(error[i] > 0.0) || !std::isfinite(error[i]))
      throw InputError(cat(origin, ": observation ", i, " has error ", error[i], "; expected a positive finite standard deviation"));
  }
}

}  // namespace landda
