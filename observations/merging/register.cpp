// Every merging method landda knows: one line each.
#include "observations/merging/lstm/lstm.hpp"
#include "observations/merging/mean/mean.hpp"
#include "observations/merging/merge.hpp"
#include "observations/merging/tc/tc.hpp"

namespace landda::observations::merging {

const MergerRegistry& mergers() {
  static const MergerRegistry r = [] {
    MergerRegistry m("merger");
    m.add<MeanMerger>("mean");
    m.add<TcMerger>("tc");
    m.add<LstmMerger>("lstm");
    return m;
  }();
  return r;
}

}  // namespace landda::observations::merging
