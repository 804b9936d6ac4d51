#pragma once
// A discrete search result as a mapping file (proto/mapping.proto): per
// searchable layer the output channels of each CU and the deployment
// permutation that makes each CU's channels contiguous (DIANA: channels grouped
// by CU in SoC order, original order kept inside a group; the next layer's input
// channels are permuted the same way). Darkside's thermometric splits are
// contiguous already (first k on the first CU), so their permutation is the identity.
#include <vector>

#include "mapper/search/search_space.h"
#include "proto/mapping.pb.h"

namespace odimo::search {

proto::Mapping export_mapping(const Network& net, const SocDescription& soc,
                              const std::vector<SearchableLayer>& space,
                              const std::vector<std::vector<int>>& assignments);

}  // namespace odimo::search
