#include "workloads/network.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <sstream>

#include "proto/error.h"
#include "proto/proto_io.h"
#include "workloads/onnx_import.h"

namespace odimo {
namespace {

struct OpInfo {
  Op op;
  const char* name;
};
constexpr OpInfo kOps[] = {
    {Op::kConv2d, "conv2d"},
    {Op::kDepthwise, "depthwise"},
    {Op::kLinear, "linear"},
    {Op::kAdd, "add"},
    {Op::kAvgPool, "avgpool"},
    {Op::kMaxPool, "maxpool"},
    {Op::kGlobalAvgPool, "globalavgpool"},
    {Op::kRelu, "relu"},
    {Op::kRelu6, "relu6"},
    {Op::kBatchNorm, "batchnorm"},
    {Op::kFlatten, "flatten"},
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// Builds error messages that name the file, the layer and the field.
struct Where {
  const std::string& origin;
  [[noreturn]] void fail(const std::string& layer, const std::string& field, const std::string& what) const {
    std::string msg = origin + ": layer '" + layer + "'";
    if (!field.empty()) msg += ": field '" + field + "'";
    throw Error(msg + ": " + what);
  }
};

// Records the first back edge met by a depth-first search: proof of a cycle.
struct CycleFinder : boost::default_dfs_visitor {
  std::pair<int, int>* back;
  explicit CycleFinder(std::pair<int, int>* b) : back(b) {}
  void back_edge(Graph::edge_descriptor e, const Graph& g) const {
    if (back->first < 0) *back = {int(boost::source(e, g)), int(boost::target(e, g))};
  }
};

int positive(const Where& at, const proto::Layer& l, const char* field, int value) {
  if (value <= 0) {
    at.fail(l.name(), field, "value " + std::to_string(value) + " must be > 0");
  }
  return value;
}

// Limits that keep every count of a layer inside int64 (MACs = output elements x
// weights per channel): sizes and window fields first, tensors and weights after.
constexpr int64_t kMaxSide = 1 << 16, kMaxChannels = 1 << 24, kMaxWindow = 1 << 12;
constexpr int64_t kMaxElements = int64_t(1) << 31;

void check_window_fields(const Where& at, const proto::Layer& p) {
  const std::pair<const char*, int64_t> fields[] = {
      {"kernel", p.kernel()}, {"stride", p.stride()}, {"padding", p.padding()}};
  for (const auto& [name, v] : fields)
    if (v > kMaxWindow)
      at.fail(p.name(), name, "value " + std::to_string(v) + " exceeds " + std::to_string(kMaxWindow));
  if (p.out_channels() > kMaxChannels)
    at.fail(p.name(), "out_channels",
            "value " + std::to_string(p.out_channels()) + " exceeds " + std::to_string(kMaxChannels));
  if (p.groups() > kMaxChannels)
    at.fail(p.name(), "groups",
            "value " + std::to_string(p.groups()) + " exceeds " + std::to_string(kMaxChannels));
}

void check_sizes(const Where& at, const Layer& l) {
  if (l.out.elements() > kMaxElements)
    at.fail(l.name, "", "output " + l.out.str() + " has more than 2^31 elements");
  if (l.has_weights() && l.weights_per_channel() * l.out.c > kMaxElements)
    at.fail(l.name, "", "more than 2^31 weights");
}

int window_out(const Where& at, const Layer& l, int size, const char* axis) {
  const int padded = size + 2 * l.padding;
  if (l.kernel > padded) {
    at.fail(l.name, "kernel",
            "kernel " + std::to_string(l.kernel) + " is larger than the padded input " + axis + " " +
                std::to_string(padded) + " (input " + l.in.str() + ", padding " + std::to_string(l.padding) +
                ")");
  }
  return (padded - l.kernel) / l.stride + 1;
}

// Resolves defaults, checks the fields the operator needs, infers the output
// shape and the per-layer counts. `ins` are the input shapes.
void infer_layer(const Where& at, const proto::Layer& p, const std::vector<Shape>& ins, Layer& l) {
  l.in = ins.front();
  const Shape in = l.in;
  if (p.padding() < 0) at.fail(l.name, "padding", "value " + std::to_string(p.padding()) + " must be >= 0");
  if (p.stride() < 0) at.fail(l.name, "stride", "value " + std::to_string(p.stride()) + " must be > 0");
  l.padding = p.padding();
  l.bias = p.bias();
  switch (l.op) {
    case Op::kConv2d:
    case Op::kDepthwise: {
      l.kernel = positive(at, p, "kernel", p.kernel());
      l.stride = p.stride() == 0 ? 1 : p.stride();
      if (l.op == Op::kDepthwise) {
        if (p.groups() != 0 && p.groups() != in.c) {
          at.fail(l.name, "groups",
                  "depthwise takes groups = input channels (" + std::to_string(in.c) + "), got " +
                      std::to_string(p.groups()));
        }
        l.groups = in.c;
        l.out_channels = p.out_channels() == 0 ? in.c : positive(at, p, "out_channels", p.out_channels());
      } else {
        if (p.groups() < 0)
          at.fail(l.name, "groups", "value " + std::to_string(p.groups()) + " must be >= 1");
        l.groups = p.groups() == 0 ? 1 : p.groups();
        l.out_channels = positive(at, p, "out_channels", p.out_channels());
      }
      if (in.c % l.groups != 0 || l.out_channels % l.groups != 0) {
        at.fail(l.name, "groups",
                "input channels " + std::to_string(in.c) + " and out_channels " +
                    std::to_string(l.out_channels) + " must both be multiples of groups " +
                    std::to_string(l.groups));
      }
      const int oh = window_out(at, l, in.h, "height");
      const int ow = window_out(at, l, in.w, "width");
      l.out = {l.out_channels, oh, ow};
      l.macs = l.out.elements() * l.weights_per_channel();
      l.params = int64_t(l.out_channels) * l.weights_per_channel() + (l.bias ? l.out_channels : 0);
      break;
    }
    case Op::kLinear:
      l.out_channels = positive(at, p, "out_channels", p.out_channels());
      l.out = {l.out_channels, 1, 1};
      l.macs = in.elements() * l.out_channels;
      l.params = l.macs + (l.bias ? l.out_channels : 0);
      break;
    case Op::kAvgPool:
    case Op::kMaxPool:
      l.kernel = positive(at, p, "kernel", p.kernel());
      l.stride = p.stride() == 0 ? l.kernel : p.stride();
      l.out = {in.c, window_out(at, l, in.h, "height"), window_out(at, l, in.w, "width")};
      break;
    case Op::kGlobalAvgPool:
      l.out = {in.c, 1, 1};
      break;
    case Op::kFlatten:
      l.out = {int(in.elements()), 1, 1};
      break;
    case Op::kBatchNorm:
      l.params = 2 * int64_t(in.c);  // scale and shift; running statistics are not trained
      l.out = in;
      break;
    case Op::kAdd:
      if (ins[1] != in) {
        at.fail(l.name, "inputs",
                "add needs equal shapes, got " + in.str() + " from '" + p.inputs(0) + "' and " +
                    ins[1].str() + " from '" + p.inputs(1) + "'");
      }
      l.out = in;
      break;
    case Op::kRelu:
    case Op::kRelu6:
      l.out = in;
      break;
  }
  if (l.op != Op::kConv2d && l.op != Op::kDepthwise && l.op != Op::kAvgPool && l.op != Op::kMaxPool &&
      (p.kernel() != 0 || p.stride() != 0 || p.padding() != 0)) {
    at.fail(l.name,
            p.kernel()   ? "kernel"
            : p.stride() ? "stride"
                         : "padding",
            std::string("operator ") + op_name(l.op) + " takes no kernel, stride or padding");
  }
  l.out_channels = l.out.c;
  l.out_bytes = l.out.elements();
  l.in_bytes = 0;
  for (const Shape& s : ins) l.in_bytes += s.elements();
}

}  // namespace

const char* op_name(Op op) {
  for (const auto& o : kOps)
    if (o.op == op) return o.name;
  return "?";
}

std::optional<Op> op_from_name(const std::string& name) {
  for (const auto& o : kOps)
    if (name == o.name) return o.op;
  return std::nullopt;
}

std::string all_op_names() {
  std::string s;
  for (const auto& o : kOps) s += (s.empty() ? "" : ", ") + std::string(o.name);
  return s;
}

std::string Shape::str() const {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

Shape parse_shape(const std::string& text, const std::string& what) {
  Shape s;
  char x1 = 0, x2 = 0;
  std::istringstream in(text);
  std::string rest;
  if (!(in >> s.c >> x1 >> s.h >> x2 >> s.w) || x1 != 'x' || x2 != 'x' || (in >> rest) || s.c <= 0 ||
      s.h <= 0 || s.w <= 0) {
    throw Error(what + ": '" + text + "' is not a shape CxHxW with positive sizes (e.g. 1x28x28)");
  }
  return s;
}

int64_t Layer::weights_per_channel() const {
  switch (op) {
    case Op::kConv2d:
    case Op::kDepthwise:
      return int64_t(in.c / groups) * kernel * kernel;
    case Op::kLinear:
      return in.elements();
    default:
      return 0;
  }
}

int Network::find(const std::string& n) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == n) return int(i);
  return -1;
}

int64_t Network::total_macs() const {
  int64_t t = 0;
  for (const auto& l : layers) t += l.macs;
  return t;
}

int64_t Network::total_params() const {
  int64_t t = 0;
  for (const auto& l : layers) t += l.params;
  return t;
}

namespace {

// The network input: `input` when given, else the file's (positive, within the limits).
Shape network_input(const proto::Network& pn, const std::string& origin, std::optional<Shape> input) {
  Shape in = input ? *input : Shape{pn.input().c(), pn.input().h(), pn.input().w()};
  if (!input && (in.c <= 0 || in.h <= 0 || in.w <= 0))
    throw Error(origin + ": field 'input': shape " + in.str() + " must have positive sizes");
  if (in.c > kMaxChannels || in.h > kMaxSide || in.w > kMaxSide || in.elements() > kMaxElements)
    throw Error(origin + ": field 'input': shape " + in.str() +
                " exceeds the limits (channels <= " + std::to_string(kMaxChannels) +
                ", height and width <= " + std::to_string(kMaxSide) + ", at most 2^31 elements)");
  return in;
}

// Layer index by name, every name and operator checked.
std::map<std::string, int> layer_index(const proto::Network& pn, const Where& at) {
  std::map<std::string, int> index;
  for (int i = 0; i < pn.layer_size(); ++i) {
    const auto& p = pn.layer(i);
    if (p.name().empty())
      throw Error(at.origin + ": layer #" + std::to_string(i + 1) + ": field 'name' is empty");
    if (p.name() == "input") at.fail(p.name(), "name", "'input' is reserved for the network input");
    if (!index.emplace(p.name(), i).second) at.fail(p.name(), "name", "duplicate layer name");
    if (!op_from_name(p.op())) {
      at.fail(p.name(), "op", "unknown operator '" + p.op() + "' (expected one of " + all_op_names() + ")");
    }
  }
  return index;
}

// The inputs of every layer in file order (kNetworkInput or a file index; a layer without
// `inputs` reads the previous one), as edges of `g`.
std::vector<std::vector<int>> layer_inputs(const proto::Network& pn, const Where& at,
                                           const std::map<std::string, int>& index, Graph& g) {
  std::vector<std::vector<int>> inputs(pn.layer_size());
  for (int i = 0; i < pn.layer_size(); ++i) {
    const auto& p = pn.layer(i);
    const Op op = *op_from_name(p.op());
    const int want = op == Op::kAdd ? 2 : 1;
    if (p.inputs_size() == 0) {
      if (op == Op::kAdd) at.fail(p.name(), "inputs", "add needs two inputs, none given");
      inputs[i].push_back(i == 0 ? kNetworkInput : i - 1);
    }
    for (const auto& src : p.inputs()) {
      if (src == "input") {
        inputs[i].push_back(kNetworkInput);
        continue;
      }
      auto it = index.find(src);
      if (it == index.end()) at.fail(p.name(), "inputs", "no layer called '" + src + "' (dangling input)");
      inputs[i].push_back(it->second);
      boost::add_edge(it->second, i, g);
    }
    if (int(inputs[i].size()) != want) {
      at.fail(p.name(), "inputs",
              std::string(op_name(op)) + " takes " + std::to_string(want) + " input" + (want > 1 ? "s" : "") +
                  ", got " + std::to_string(inputs[i].size()));
    }
    if (p.inputs_size() == 0 && i > 0) boost::add_edge(i - 1, i, g);
  }
  return inputs;
}

// A topological order of the layers (file indices): the file's own order whenever it is one
// (it is for hand-written files), else a DFS-based one; a cycle is an error.
std::vector<int> layer_order(const proto::Network& pn, const Where& at, const Graph& g,
                             const std::vector<std::vector<int>>& inputs) {
  const int n = pn.layer_size();
  std::pair<int, int> back{-1, -1};
  boost::depth_first_search(g, boost::visitor(CycleFinder(&back)));
  if (back.first >= 0) {
    at.fail(pn.layer(back.second).name(), "inputs",
            "cycle in the graph: '" + pn.layer(back.second).name() + "' depends on '" +
                pn.layer(back.first).name() + "', which depends on it");
  }
  std::vector<int> rev;
  boost::topological_sort(g, std::back_inserter(rev));
  std::vector<int> order(rev.rbegin(), rev.rend());
  bool file_order_ok = true;
  for (int i = 0; i < n && file_order_ok; ++i)
    for (int src : inputs[i]) file_order_ok &= src < i;
  if (file_order_ok)
    for (int i = 0; i < n; ++i) order[i] = i;
  return order;
}

// The layers in `order`, their inputs renumbered, shapes inferred and checked.
void infer_layers(const proto::Network& pn, const Where& at, const std::vector<int>& order,
                  const std::vector<std::vector<int>>& inputs, Network& net) {
  const int n = pn.layer_size();
  std::vector<int> pos(n);
  for (int k = 0; k < n; ++k) pos[order[k]] = k;
  net.layers.resize(n);
  net.consumers.assign(n, {});
  for (int k = 0; k < n; ++k) {
    const int i = order[k];
    const auto& p = pn.layer(i);
    Layer& l = net.layers[k];
    l.name = p.name();
    l.op = *op_from_name(p.op());
    std::vector<Shape> ins;
    for (int src : inputs[i]) {
      const int s = src == kNetworkInput ? kNetworkInput : pos[src];
      l.inputs.push_back(s);
      ins.push_back(s == kNetworkInput ? net.input : net.layers[s].out);
      if (s != kNetworkInput) net.consumers[s].push_back(k);
    }
    check_window_fields(at, p);
    infer_layer(at, p, ins, l);
    check_sizes(at, l);
  }
}

}  // namespace

Network build_network(const proto::Network& pn, const std::string& origin, std::optional<Shape> input) {
  const Where at{origin};
  Network net;
  net.name = pn.name().empty() ? std::filesystem::path(origin).stem().string() : pn.name();
  net.origin = origin;
  net.classes = pn.classes();
  net.input = network_input(pn, origin, input);
  if (pn.layer_size() == 0) throw Error(origin + ": field 'layer': the network has no layers");
  const std::map<std::string, int> index = layer_index(pn, at);
  Graph g(pn.layer_size());
  const std::vector<std::vector<int>> inputs = layer_inputs(pn, at, index, g);
  infer_layers(pn, at, layer_order(pn, at, g, inputs), inputs, net);
  // 0 leaves the number of classes unstated (an imported model); a stated one is a claim
  // about the last layer, and a wrong claim is refused rather than ignored.
  const Layer& last = net.layers.back();
  if (pn.classes() < 0 || (pn.classes() != 0 && pn.classes() != last.out.c))
    throw Error(origin + ": field 'classes': " + std::to_string(pn.classes()) + " but the last layer '" +
                last.name + "' produces " + std::to_string(last.out.c) + " channels (0: unstated)");
  return net;
}

std::string workloads_dir() {
  if (const char* env = std::getenv("ODIMO_WORKLOADS"); env && *env) return env;
  return ODIMO_SOURCE_DIR "/workloads";
}

std::vector<std::string> shipped_workloads() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(workloads_dir(), ec))
    if (e.path().extension() == ".pbtxt") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

Network load_network(const std::string& spec, std::optional<Shape> input) {
  std::string path = spec;
  if (!file_exists(path) && spec.find('/') == std::string::npos) {
    const std::string shipped = workloads_dir() + "/" + spec + ".pbtxt";
    if (!file_exists(shipped)) {
      std::string names;
      for (const auto& s : shipped_workloads()) names += (names.empty() ? "" : ", ") + s;
      throw Error(spec + ": no such file, and not a shipped workload (shipped: " + names + ")");
    }
    path = shipped;
  }
  if (std::filesystem::path(path).extension() == ".onnx") {
    const OnnxImport imported = import_onnx(path);
    Network net = build_network(imported.net, path, input);
    if (!input) check_recorded_shapes(imported, net, path);
    return net;
  }
  proto::Network pn;
  read_text_proto(path, &pn);
  return build_network(pn, path, input);
}

}  // namespace odimo
