#include "mapper/search/export.h"

namespace odimo::search {

proto::Mapping export_mapping(const Network& net, const SocDescription& soc,
                              const std::vector<SearchableLayer>& space,
                              const std::vector<std::vector<int>>& assignments) {
  proto::Mapping m;
  m.set_soc(soc.name());
  m.set_network(net.name);
  for (size_t s = 0; s < space.size(); ++s) {
    const SearchableLayer& sl = space[s];
    const std::vector<int>& a = assignments[s];
    auto* lm = m.add_layer();
    lm->set_layer(net.layers[sl.layer].name);
    std::vector<int> permutation;
    for (size_t i = 0; i < sl.cus.size(); ++i) {
      std::vector<int> mine;
      for (int c = 0; c < sl.channels; ++c)
        if (a[c] == int(i)) mine.push_back(c);
      if (mine.empty()) continue;
      auto* split = lm->add_split();
      split->set_cu(soc.soc.cu(sl.cus[i]).name());
      split->set_variant(sl.variants[i]);
      const bool contiguous = mine.back() - mine.front() + 1 == int(mine.size());
      if (contiguous) {
        split->set_first(mine.front());
        split->set_count(int(mine.size()));
      } else {
        for (int c : mine) split->add_channels(c);
      }
      permutation.insert(permutation.end(), mine.begin(), mine.end());
    }
    bool identity = true;
    for (int c = 0; c < int(permutation.size()); ++c) identity &= permutation[c] == c;
    if (!identity)
      for (int c : permutation) lm->add_permutation(c);
  }
  return m;
}

}  // namespace odimo::search
