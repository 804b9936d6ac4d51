#include "validation/suite.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::validation {
namespace {

// Small deterministic generator (64-bit LCG, Knuth MMIX constants): the same
// numbers on every platform, unlike std:: distributions.
class Lcg {
 public:
  explicit Lcg(uint32_t seed) : m_state(seed * 2654435761ull + 1) {}
  uint32_t next() {
    m_state = m_state * 6364136223846793005ull + 1442695040888963407ull;
    return uint32_t(m_state >> 33);
  }
  int pick(int n) { return int(next() % uint32_t(n)); }
  template <class T, size_t N>
  T pick(const T (&xs)[N]) {
    return xs[pick(int(N))];
  }

 private:
  uint64_t m_state;
};

// The SoC's two accelerators: the default CU first, then the other non-host CU.
std::vector<const proto::ComputeUnit*> accelerators(const SocDescription& soc) {
  std::vector<const proto::ComputeUnit*> out;
  if (auto* d = soc.find_cu(soc.soc.default_cu()); d && !soc.unit(d->name()).is_host()) out.push_back(d);
  for (const auto& cu : soc.soc.cu())
    if (!soc.unit(cu.name()).is_host() && cu.name() != soc.soc.default_cu()) out.push_back(&cu);
  return out;
}

// The operator variant `cu` would compute `l` with ("" = its own), or false.
bool variant_for(const CuModel& cu, const Layer& l, std::string* variant) {
  Op op = l.op;
  if (!cu.runnable_op(l, &op)) return false;
  *variant = op == l.op ? "" : op_name(op);
  return true;
}

proto::CuChannels range(const std::string& cu, int first, int count, const std::string& variant) {
  proto::CuChannels c;
  c.set_cu(cu);
  c.set_first(first);
  c.set_count(count);
  c.set_variant(variant);
  return c;
}

// The one-layer network a case describes (an add reads the input twice).
Network single_layer_net(const proto::SuiteCase& c, const std::string& where) {
  proto::Network pn;
  *pn.mutable_input() = c.input();
  proto::Layer* l = pn.add_layer();
  *l = c.layer();
  l->set_name(c.name());
  l->clear_inputs();
  l->add_inputs("input");
  if (l->op() == "add") l->add_inputs("input");
  return build_network(pn, where);
}

// Adds the split points of `c` (already holding input and layer).
void add_splits(const SocDescription& soc, proto::SuiteCase& c) {
  const Layer l = single_layer_net(c, c.name()).layers[0];
  const int n = l.out.c;
  std::vector<std::pair<const proto::ComputeUnit*, std::string>> able;
  for (auto* cu : accelerators(soc)) {
    std::string v;
    if (variant_for(soc.unit(cu->name()), l, &v)) able.push_back({cu, v});
  }
  if (able.empty()) {  // software on the host (or wherever the SoC falls back)
    auto* s = c.add_split();
    *s->add_cu() =
        range(soc.soc.fallback_size() ? soc.soc.fallback(soc.soc.fallback_size() - 1) : soc.soc.default_cu(),
              0, n, "");
    return;
  }
  if (able.size() == 1 || n < 4) {
    *c.add_split()->add_cu() = range(able[0].first->name(), 0, n, able[0].second);
    return;
  }
  for (int quarter = 4; quarter >= 0; --quarter) {
    const int k = n * quarter / 4;  // channels on the first accelerator
    auto* s = c.add_split();
    if (k > 0) *s->add_cu() = range(able[0].first->name(), 0, k, able[0].second);
    if (k < n) *s->add_cu() = range(able[1].first->name(), k, n - k, able[1].second);
  }
}

proto::SuiteCase make_case(const std::string& name, const Shape& in, const Layer& l) {
  proto::SuiteCase c;
  c.set_name(name);
  c.mutable_input()->set_c(in.c);
  c.mutable_input()->set_h(in.h);
  c.mutable_input()->set_w(in.w);
  auto* p = c.mutable_layer();
  p->set_name(name);
  p->set_op(op_name(l.op));
  if (l.op == Op::kConv2d || l.op == Op::kLinear) p->set_out_channels(l.out_channels);
  if (l.op == Op::kConv2d || l.op == Op::kDepthwise || l.op == Op::kAvgPool || l.op == Op::kMaxPool) {
    p->set_kernel(l.kernel);
    p->set_stride(l.stride);
    p->set_padding(l.padding);
  }
  if (l.op == Op::kConv2d && l.groups > 1) p->set_groups(l.groups);
  return c;
}

// A random layer geometry; false if it is too big for a micro-benchmark.
bool random_layer(Lcg& rng, bool square_3x3, Shape* in, Layer* l) {
  static const int kChannels[] = {3, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024};
  static const int kSpatial[] = {1, 2, 4, 7, 8, 14, 16, 28, 32, 56, 112};
  static const int kKernels[] = {1, 3, 3, 3, 5, 7};
  static const Op kOps[] = {Op::kConv2d, Op::kConv2d,    Op::kConv2d,    Op::kConv2d,
                            Op::kConv2d, Op::kDepthwise, Op::kDepthwise, Op::kLinear,
                            Op::kAdd,    Op::kAvgPool,   Op::kMaxPool};
  *l = Layer{};
  l->op = square_3x3 ? Op::kConv2d : rng.pick(kOps);
  const int s = rng.pick(kSpatial);
  *in = {rng.pick(kChannels), s, s};
  l->out_channels = l->op == Op::kConv2d ? (square_3x3 ? in->c : rng.pick(kChannels)) : in->c;
  if (l->op == Op::kLinear) {
    *in = {rng.pick(kChannels), 1, 1};
    l->out_channels = rng.pick(kChannels);
  }
  l->kernel = square_3x3 ? 3 : rng.pick(kKernels);
  if (l->op == Op::kAvgPool || l->op == Op::kMaxPool) l->kernel = 2;
  l->stride = 1 + rng.pick(2);
  l->padding = l->op == Op::kAvgPool || l->op == Op::kMaxPool ? 0 : l->kernel / 2;
  if (l->kernel > s + 2 * l->padding) return false;
  const int64_t out_px = int64_t((s + 2 * l->padding - l->kernel) / l->stride + 1) *
                         ((s + 2 * l->padding - l->kernel) / l->stride + 1);
  const int64_t macs =
      out_px * l->out_channels * (l->op == Op::kDepthwise ? 1 : in->c) * l->kernel * l->kernel;
  const int64_t bytes = in->elements() + out_px * l->out_channels;
  return macs <= 40'000'000 && bytes <= 160'000;  // in + out activations fit a 256 KiB L1 comfortably
}

}  // namespace

proto::Suite generate_suite(const SocDescription& soc, uint32_t seed, int random_cases) {
  proto::Suite suite;
  suite.set_soc(soc.name());
  suite.set_seed(seed);
  suite.set_description(
      "Generated by `odimo calibrate --make-suite`: shipped CIFAR-size workload layers + seeded random "
      "geometries");
  std::set<std::string> seen;
  auto add = [&](const std::string& name, const Shape& in, const Layer& l) {
    proto::SuiteCase c = make_case(name, in, l);
    proto::Layer key = c.layer();
    key.clear_name();
    const std::string sig = in.str() + key.SerializeAsString();
    if (!seen.insert(sig).second) return;
    add_splits(soc, c);
    c.set_holdout(suite.cases_size() % 5 == 4);
    *suite.add_cases() = c;
  };
  for (const char* w : {"resnet20", "resnet8", "mobilenetv1-0.25-cifar", "mobilenetv1-1.0-cifar"}) {
    const Network net = load_network(w);
    for (const Layer& l : net.layers)
      if (l.has_weights() || l.op == Op::kAdd) add(std::string(w) + "." + l.name, l.in, l);
  }
  Lcg rng(seed);
  // square 3x3 convs with as many inputs as outputs, when a CU runs them only as depthwise (a DWE)
  const bool has_dwe = std::any_of(soc.units.begin(), soc.units.end(), [](const auto& u) {
    return !u->is_host() && !u->accepts(Op::kConv2d) && u->accepts(Op::kDepthwise);
  });
  for (int made = 0, tries = 0; made < random_cases && tries < 100 * random_cases; ++tries) {
    Shape in;
    Layer l;
    if (!random_layer(rng, has_dwe && rng.pick(3) == 0, &in, &l)) continue;
    const size_t before = suite.cases_size();
    add("r" + std::to_string(made), in, l);
    made += suite.cases_size() > int(before);
  }
  return suite;
}

std::string suites_dir() {
  if (const char* env = std::getenv("ODIMO_SUITES"); env && *env) return env;
  return ODIMO_SOURCE_DIR "/validation/suites";
}

proto::Suite load_suite(const std::string& spec, const SocDescription& soc, std::string* origin) {
  *origin = spec.empty() ? suites_dir() + "/" + soc.name() + ".pbtxt" : spec;
  if (spec.empty() && !file_exists(*origin)) {
    throw Error(*origin + ": no shipped suite for SoC '" + soc.name() +
                "' (give --suite FILE, or make one with "
                "odimo calibrate --soc " +
                soc.name() + " --make-suite FILE)");
  }
  proto::Suite suite;
  read_text_proto(*origin, &suite);
  if (suite.soc() != soc.name()) {
    throw Error(*origin + ": field 'soc': suite is for '" + suite.soc() + "', not '" + soc.name() + "'");
  }
  return suite;
}

std::vector<SuitePoint> expand_suite(const proto::Suite& suite, const SocDescription& soc,
                                     const std::string& origin) {
  std::vector<SuitePoint> points;
  std::set<std::string> names;
  for (const auto& c : suite.cases()) {
    const std::string where = origin + ": case '" + c.name() + "'";
    if (!names.insert(c.name()).second) throw Error(where + ": field 'name': duplicate case name");
    if (c.split_size() == 0) throw Error(where + ": field 'split': no split points");
    const Network net = single_layer_net(c, where);
    for (int s = 0; s < c.split_size(); ++s) {
      proto::Mapping m;
      auto* lm = m.add_layer();
      lm->set_layer(c.name());
      for (const auto& cu : c.split(s).cu()) *lm->add_split() = cu;
      const ResolvedMapping r = resolve_mapping(net, soc, m, where + " split " + std::to_string(s));
      SuitePoint p;
      p.name = c.name() + "/" + std::to_string(s);
      p.layer = net.layers[0];
      p.split = r.layers[0];
      p.holdout = c.holdout();
      p.cus = int(p.split.shares.size());
      points.push_back(std::move(p));
    }
  }
  return points;
}

}  // namespace odimo::validation
