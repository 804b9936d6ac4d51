#include "hw/mapping.h"

#include <algorithm>
#include <map>
#include <set>

#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo {
namespace {

bool is_fusable_op(Op op) {
  return op == Op::kBatchNorm || op == Op::kRelu || op == Op::kRelu6;
}

// Chooses a CU for a whole layer: `wanted` if it can run it, else the first of
// Soc.fallback that can. `how` names the request in notes ("default", "all:aimc").
LayerSplit whole_layer(const SocDescription& soc, const Layer& l, const std::string& wanted,
                       const std::string& how) {
  LayerSplit s;
  std::string why;
  std::string cu = wanted;
  if (!soc.unit(wanted).can_run(l, l.op, &why)) {
    cu.clear();
    for (const auto& f : soc.soc.fallback())
      if (soc.unit(f).can_run(l, l.op)) {
        cu = f;
        break;
      }
    if (cu.empty())
      throw Error("layer '" + l.name + "': " + why + " and no fallback CU of SoC '" + soc.name() +
                  "' can run it");
    s.note = why + ": fell back to " + cu;
  }
  s.shares.push_back({cu, l.out.c, 0, l.op, ""});
  return s;
}

// Root layer whose output stage would apply layer `i` (bn/relu after a compute
// layer that feeds only it), or -1.
int fusion_target(const Network& net, const std::vector<LayerSplit>& done, const SocDescription& soc, int i) {
  const Layer& l = net.layers[i];
  if (!is_fusable_op(l.op) || l.inputs.size() != 1 || l.inputs[0] == kNetworkInput) return -1;
  const int p = l.inputs[0];
  if (net.consumers[p].size() != 1) return -1;
  const int root = done[p].fused_into >= 0 ? done[p].fused_into : p;
  if (!done[root].runs()) return -1;
  for (const auto& s : done[root].shares)
    if (!soc.unit(s.cu).fuses(l.op)) return -1;
  return root;
}

Op variant_op(const Layer& l, const std::string& variant, const std::string& where) {
  if (variant.empty()) return l.op;
  if (l.op != Op::kConv2d && l.op != Op::kDepthwise)
    throw Error(where + ": variant '" + variant + "' needs a conv2d or depthwise layer, not " +
                op_name(l.op));
  if (variant == "conv2d") return Op::kConv2d;
  if (variant == "depthwise") {
    if (l.in.c != l.out.c)
      throw Error(where + ": variant 'depthwise' needs as many input as output channels (" +
                  std::to_string(l.in.c) + " vs " + std::to_string(l.out.c) + ")");
    return Op::kDepthwise;
  }
  throw Error(where + ": unknown variant '" + variant + "' (known: conv2d, depthwise)");
}

std::vector<int> channel_list(const proto::CuChannels& c, int total, const std::string& where) {
  std::vector<int> ids(c.channels().begin(), c.channels().end());
  if (ids.empty()) {
    if (c.count() < 0 || c.first() < 0 || c.first() + c.count() > total)
      throw Error(where + ": range first " + std::to_string(c.first()) + " count " +
                  std::to_string(c.count()) + " is outside the layer's " + std::to_string(total) +
                  " output channels");
    for (int k = 0; k < c.count(); ++k) ids.push_back(c.first() + k);
  }
  for (int id : ids)
    if (id < 0 || id >= total)
      throw Error(where + ": channel " + std::to_string(id) + " is outside the layer's " +
                  std::to_string(total) + " output channels");
  std::sort(ids.begin(), ids.end());
  return ids;
}

void check_contiguous(const SocDescription& soc,
                      const std::vector<std::pair<CuShare, std::vector<int>>>& parts,
                      const std::string& where) {
  int next = 0;
  for (const auto& [share, ids] : parts) {
    if (ids.front() != next || ids.back() != next + int(ids.size()) - 1)
      throw Error(where + ": SoC '" + soc.name() +
                  "' needs each CU's channels as one contiguous range in CU order (" + soc.cu_names() +
                  "); " + share.cu + " gets channels " + std::to_string(ids.front()) + ".." +
                  std::to_string(ids.back()) + " (" + std::to_string(ids.size()) +
                  " channels), expected to start at " + std::to_string(next));
    next += int(ids.size());
  }
}

void check_permutation(const proto::LayerMapping& lm, int total, const std::string& where) {
  if (lm.permutation().empty()) return;
  std::vector<int> p(lm.permutation().begin(), lm.permutation().end());
  std::sort(p.begin(), p.end());
  for (int i = 0; i < int(p.size()); ++i)
    if (p[i] != i || int(p.size()) != total)
      throw Error(where + ": permutation is not a permutation of the " + std::to_string(total) +
                  " output channels");
}

LayerSplit explicit_split(const SocDescription& soc, const Layer& l, const proto::LayerMapping& lm,
                          const std::string& origin) {
  const std::string where = origin + ": layer '" + l.name + "'";
  std::vector<std::pair<CuShare, std::vector<int>>> parts;
  std::vector<int> owner(l.out.c, -1);
  for (const auto& c : lm.split()) {
    const auto* cu = soc.find_cu(c.cu());
    if (!cu)
      throw Error(where + ": unknown CU '" + c.cu() + "' (SoC '" + soc.name() + "' has " + soc.cu_names() +
                  ")");
    std::vector<int> ids = channel_list(c, l.out.c, where);
    if (ids.empty()) continue;
    const Op op = variant_op(l, c.variant(), where);
    std::string why;
    if (!soc.unit(c.cu()).can_run(l, op, &why)) throw Error(where + ": " + why);
    for (int id : ids) {
      if (owner[id] == int(parts.size()))
        throw Error(where + ": output channel " + std::to_string(id) + " is listed twice for " + c.cu());
      if (owner[id] >= 0)
        throw Error(where + ": output channel " + std::to_string(id) + " is covered twice (" +
                    parts[owner[id]].first.cu + " and " + c.cu() + ")");
      owner[id] = int(parts.size());
    }
    parts.push_back({{c.cu(), int(ids.size()), ids.front(), op, c.variant()}, ids});
  }
  for (int id = 0; id < l.out.c; ++id)
    if (owner[id] < 0)
      throw Error(where + ": output channel " + std::to_string(id) + " of " + std::to_string(l.out.c) +
                  " is not covered by any CU");
  check_permutation(lm, l.out.c, where);
  std::stable_sort(parts.begin(), parts.end(), [&](const auto& a, const auto& b) {
    return soc.cu_index(a.first.cu) < soc.cu_index(b.first.cu);
  });
  for (size_t i = 1; i < parts.size(); ++i)
    if (parts[i].first.cu == parts[i - 1].first.cu)
      throw Error(where + ": CU '" + parts[i].first.cu + "' is listed twice");
  if (soc.soc.split_rule() == proto::CONTIGUOUS_IN_CU_ORDER) check_contiguous(soc, parts, where);
  LayerSplit s;
  for (auto& p : parts) s.shares.push_back(p.first);
  return s;
}

ResolvedMapping resolve(const Network& net, const SocDescription& soc, const proto::Mapping* file,
                        const std::string& origin, const std::string& all_cu) {
  std::map<std::string, const proto::LayerMapping*> listed;
  if (file)
    for (const auto& lm : file->layer()) {
      if (net.find(lm.layer()) < 0)
        throw Error(origin + ": layer '" + lm.layer() + "' is not in network '" + net.name + "'");
      if (!listed.emplace(lm.layer(), &lm).second)
        throw Error(origin + ": layer '" + lm.layer() + "' is mapped twice");
    }
  ResolvedMapping m;
  m.layers.resize(net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    LayerSplit& s = m.layers[i];
    auto it = listed.find(l.name);
    if (it != listed.end()) {
      s = explicit_split(soc, l, *it->second, origin);
    } else if (l.op == Op::kFlatten) {
      s.view = true;
      s.note = "view: no data movement";
    } else if (int root = fusion_target(net, m.layers, soc, int(i)); root >= 0) {
      s.fused_into = root;
      s.note = "fused into " + net.layers[root].name;
    } else {
      const bool all = !all_cu.empty();
      s = whole_layer(soc, l, all ? all_cu : soc.soc.default_cu(), all ? "all:" + all_cu : "default");
    }
  }
  return m;
}

}  // namespace

int LayerSplit::channels_on(const std::string& cu) const {
  for (const auto& s : shares)
    if (s.cu == cu) return s.channels;
  return 0;
}

ResolvedMapping resolve_mapping(const Network& net, const SocDescription& soc, const proto::Mapping& mapping,
                                const std::string& origin) {
  if (!mapping.network().empty() && mapping.network() != net.name)
    throw Error(origin + ": field 'network': the mapping is for network '" + mapping.network() + "', not '" +
                net.name + "'");
  if (!mapping.soc().empty() && mapping.soc() != soc.name())
    throw Error(origin + ": field 'soc': the mapping is for SoC '" + mapping.soc() + "', not '" + soc.name() +
                "'");
  ResolvedMapping m = resolve(net, soc, &mapping, origin, "");
  m.spec = origin;
  return m;
}

ResolvedMapping resolve_mapping(const Network& net, const SocDescription& soc, const std::string& spec) {
  if (spec.empty() || spec == "default") {
    ResolvedMapping m = resolve(net, soc, nullptr, "", "");
    m.spec = "default";
    return m;
  }
  if (spec.rfind("all:", 0) == 0) {
    const std::string cu = spec.substr(4);
    soc.cu(cu);  // throws on an unknown CU, listing the SoC's CUs
    ResolvedMapping m = resolve(net, soc, nullptr, "", cu);
    m.spec = spec;
    return m;
  }
  proto::Mapping mapping;
  read_text_proto(spec, &mapping);
  return resolve_mapping(net, soc, mapping, spec);
}

Layer share_geometry(const Layer& layer, const CuShare& share) {
  Layer g = layer;
  g.op = share.op;
  g.out.c = share.channels;
  g.out_channels = share.channels;
  if (share.op == Op::kConv2d && layer.op == Op::kDepthwise) g.groups = 1;
  if (share.op == Op::kDepthwise) g.groups = layer.in.c;
  const int64_t pixels = int64_t(g.out.h) * g.out.w;
  switch (g.op) {
    case Op::kConv2d:
      g.macs = pixels * share.channels * (int64_t(g.in.c) / g.groups) * g.kernel * g.kernel;
      break;
    case Op::kDepthwise:
      g.macs = pixels * share.channels * g.kernel * g.kernel;
      break;
    case Op::kLinear:
      g.macs = int64_t(share.channels) * g.in.elements();
      break;
    default:
      g.macs = 0;
  }
  g.out_bytes = g.out.elements();
  return g;
}

}  // namespace odimo
