#include "workloads/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "proto/error.h"
#include "proto/proto_io.h"
#include "workloads/network.h"

namespace odimo {
namespace {

// The walk over one graph: tensor names -> the layer producing them, constants.
class Importer {
 public:
  Importer(const std::string& path, const onnx::GraphProto& g) : m_path(path), m_graph(g) {}
  OnnxImport run();

 private:
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& what) const {
    throw Error(m_path + ": node '" + n.name() + "' (" + n.op_type() + "): " + what);
  }
  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) const;
  std::vector<int64_t> ints(const onnx::NodeProto& n, const std::string& name) const;
  int64_t int_attr(const onnx::NodeProto& n, const std::string& name, int64_t fallback) const;
  float float_attr(const onnx::NodeProto& n, const std::string& name, float fallback) const;
  // A 64-bit size or count of the file as the Network IR holds it (int): refused when it does not fit.
  int narrow(const onnx::NodeProto& n, const std::string& what, int64_t v) const;
  // Values of a constant tensor (initializer or Constant output), or false.
  bool constant(const std::string& tensor, std::vector<double>* values, std::vector<int64_t>* dims) const;
  std::string source(const onnx::NodeProto& n, int input) const;  // our layer name or "input"
  // The initializer (or shaped parameter input) read by input `input` of `n`.
  OnnxTensor tensor(const onnx::NodeProto& n, int input) const;
  void keep_weights(const onnx::NodeProto& n, const std::string& layer, std::vector<int> inputs);
  proto::Layer& add(const onnx::NodeProto& n, const std::string& op, std::vector<int> inputs);
  void window(const onnx::NodeProto& n, proto::Layer& l, bool has_kernel_attr) const;
  void conv(const onnx::NodeProto& n);
  void linear(const onnx::NodeProto& n, bool gemm);
  void clip(const onnx::NodeProto& n);
  bool bias_add(const onnx::NodeProto& n);
  void alias(const onnx::NodeProto& n);
  void batchnorm(const onnx::NodeProto& n);
  void pool(const onnx::NodeProto& n);
  void reduce_mean(const onnx::NodeProto& n);
  void reshape(const onnx::NodeProto& n);
  void node(const onnx::NodeProto& n);
  void set_input();
  void record_shapes(OnnxImport& out) const;

  const std::string& m_path;
  const onnx::GraphProto& m_graph;
  proto::Network m_net;
  std::map<std::string, std::string> m_layer_of;  // tensor -> our layer ("input" for the graph input)
  std::map<std::string, const onnx::TensorProto*> m_constants;
  std::map<std::string, std::vector<int64_t>> m_parameter_inputs;  // graph inputs after the first: weights
  std::set<std::string> m_names;
  std::map<std::string, OnnxLayerWeights> m_weights;
};

const onnx::AttributeProto* Importer::attr(const onnx::NodeProto& n, const std::string& name) const {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::vector<int64_t> Importer::ints(const onnx::NodeProto& n, const std::string& name) const {
  const auto* a = attr(n, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}

int64_t Importer::int_attr(const onnx::NodeProto& n, const std::string& name, int64_t fallback) const {
  const auto* a = attr(n, name);
  return a ? a->i() : fallback;
}

float Importer::float_attr(const onnx::NodeProto& n, const std::string& name, float fallback) const {
  const auto* a = attr(n, name);
  return a ? a->f() : fallback;
}

int Importer::narrow(const onnx::NodeProto& n, const std::string& what, int64_t v) const {
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
    fail(n, what + " " + std::to_string(v) + " is out of range: expected at most 2147483647");
  return int(v);
}

bool Importer::constant(const std::string& tensor, std::vector<double>* values,
                        std::vector<int64_t>* dims) const {
  auto it = m_constants.find(tensor);
  if (it == m_constants.end()) {
    // exported without parameters (torch's export_params=False): a weight is a graph
    // input whose type gives its shape, and has no values
    auto p = m_parameter_inputs.find(tensor);
    if (p == m_parameter_inputs.end() || values) return false;
    if (dims) *dims = p->second;
    return true;
  }
  const onnx::TensorProto& t = *it->second;
  if (dims) dims->assign(t.dims().begin(), t.dims().end());
  if (!values) return true;
  values->clear();
  const std::string& raw = t.raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      for (float f : t.float_data()) values->push_back(f);
      for (size_t i = 0; i + 4 <= raw.size(); i += 4) {
        float f;
        std::memcpy(&f, raw.data() + i, 4);
        values->push_back(f);
      }
      return true;
    case onnx::TensorProto::INT64:
      for (int64_t v : t.int64_data()) values->push_back(double(v));
      for (size_t i = 0; i + 8 <= raw.size(); i += 8) {
        int64_t v;
        std::memcpy(&v, raw.data() + i, 8);
        values->push_back(double(v));
      }
      return true;
    default:
      return true;  // shape only
  }
}

OnnxTensor Importer::tensor(const onnx::NodeProto& n, int input) const {
  OnnxTensor out;
  out.name = n.input(input);
  if (auto p = m_parameter_inputs.find(out.name); p != m_parameter_inputs.end()) {
    out.dims = p->second;
    return out;
  }
  auto it = m_constants.find(out.name);
  if (it == m_constants.end()) fail(n, "reads '" + out.name + "', which is no constant tensor");
  const onnx::TensorProto& t = *it->second;
  out.dims.assign(t.dims().begin(), t.dims().end());
  if (t.external_data_size() > 0)
    fail(n, "tensor '" + out.name + "' is stored outside the file (external data is not supported)");
  if (t.data_type() != onnx::TensorProto::FLOAT)
    fail(n,
         "tensor '" + out.name + "' has data type " + std::to_string(t.data_type()) + ", expected float (1)");
  out.values.assign(t.float_data().begin(), t.float_data().end());
  const std::string& raw = t.raw_data();
  for (size_t i = 0; i + 4 <= raw.size(); i += 4) {
    float f;
    std::memcpy(&f, raw.data() + i, 4);
    out.values.push_back(f);
  }
  out.has_values = true;
  return out;
}

void Importer::keep_weights(const onnx::NodeProto& n, const std::string& layer, std::vector<int> inputs) {
  OnnxLayerWeights& w = m_weights[layer];
  w.node = n.name();
  for (int i : inputs)
    if (i < n.input_size() && !n.input(i).empty()) w.tensors.push_back(tensor(n, i));
}

std::string Importer::source(const onnx::NodeProto& n, int input) const {
  if (input >= n.input_size()) fail(n, "has no input " + std::to_string(input));
  auto it = m_layer_of.find(n.input(input));
  if (it == m_layer_of.end()) {
    const std::string& t = n.input(input);
    if (m_parameter_inputs.count(t))
      fail(n,
           "reads '" + t + "', a graph input after the first, as data: odimo networks take one data input");
    bool after = false;  // nodes are walked in file order: a producer at or after `n` is out of order
    for (const auto& m : m_graph.node()) {
      after = after || &m == &n;
      for (const auto& o : m.output()) {
        if (o != t || !after) continue;
        if (&m == &n) fail(n, "reads '" + t + "', its own output: a cycle");
        fail(n, "reads '" + t + "', which node '" + m.name() + "' (" + m.op_type() +
                    ") after it produces: a cycle, or nodes not in the topological order ONNX requires");
      }
    }
    fail(n, "reads '" + t + "', which no supported node produces");
  }
  return it->second;
}

proto::Layer& Importer::add(const onnx::NodeProto& n, const std::string& op, std::vector<int> inputs) {
  // torch names nodes "/layer1/layer1.0/conv1/Conv": keep the path, dotted
  std::string name = n.name().empty() ? n.op_type() + "_" + std::to_string(m_net.layer_size()) : n.name();
  if (name.size() > 1 && name[0] == '/') name.erase(0, 1);
  for (char& c : name)
    if (c == '/' || c == ':' || c == ' ' || c == ',') c = '.';  // one cell in tables and trace files
  while (!m_names.insert(name).second) name += "_";
  proto::Layer* l = m_net.add_layer();
  l->set_name(name);
  l->set_op(op);
  for (int i : inputs) l->add_inputs(source(n, i));
  m_layer_of[n.output(0)] = name;
  return *l;
}

// Square kernel, equal strides, symmetric equal padding (ONNX pads: begins then ends).
void Importer::window(const onnx::NodeProto& n, proto::Layer& l, bool has_kernel_attr) const {
  std::vector<int64_t> k = ints(n, "kernel_shape"), s = ints(n, "strides"), p = ints(n, "pads");
  if (has_kernel_attr && (k.size() != 2 || k[0] != k[1])) fail(n, "kernel_shape must be square (k x k)");
  if (!s.empty() && (s.size() != 2 || s[0] != s[1])) fail(n, "strides must be equal in both axes");
  if (!p.empty() && (p.size() != 4 || p[0] != p[1] || p[0] != p[2] || p[0] != p[3]))
    fail(n, "pads must be equal on every border");
  for (int64_t d : ints(n, "dilations"))
    if (d != 1) fail(n, "dilation " + std::to_string(d) + " is not supported (only 1)");
  if (const auto* a = attr(n, "auto_pad"); a && a->s() != "NOTSET" && a->s() != "VALID")
    fail(n, "auto_pad " + a->s() + " is not supported: export with explicit pads");
  if (int_attr(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode 1 is not supported");
  if (has_kernel_attr) l.set_kernel(narrow(n, "kernel_shape", k[0]));
  l.set_stride(s.empty() ? 1 : narrow(n, "strides", s[0]));
  l.set_padding(p.empty() ? 0 : narrow(n, "pads", p[0]));
}

void Importer::conv(const onnx::NodeProto& n) {
  std::vector<int64_t> w;
  if (n.input_size() < 2 || !constant(n.input(1), nullptr, &w) || w.size() != 4)
    fail(n, "needs a constant 4-D weight (K, C/groups, kH, kW)");
  if (w[2] != w[3])
    fail(n, "kernel must be square, not " + std::to_string(w[2]) + "x" + std::to_string(w[3]));
  const int64_t group = int_attr(n, "group", 1);
  // one input channel per group and more than one group: a depthwise convolution
  const bool depthwise = group > 1 && w[1] == 1;
  proto::Layer& l = add(n, depthwise ? "depthwise" : "conv2d", {0});
  l.set_out_channels(narrow(n, "output channels (weight dimension 0)", w[0]));
  if (!depthwise && group > 1) l.set_groups(narrow(n, "group", group));
  l.set_kernel(narrow(n, "kernel (weight dimension 2)", w[2]));
  window(n, l, false);
  if (auto k = ints(n, "kernel_shape"); !k.empty() && (k.size() != 2 || k[0] != w[2] || k[1] != w[3]))
    fail(n, "kernel_shape disagrees with the weight's shape");
  l.set_bias(n.input_size() > 2 && !n.input(2).empty());
  keep_weights(n, l.name(), {1, 2});
}

void Importer::linear(const onnx::NodeProto& n, bool gemm) {
  std::vector<int64_t> w;
  if (n.input_size() < 2 || !constant(n.input(1), nullptr, &w) || w.size() != 2)
    fail(n, "needs a constant 2-D weight");
  if (gemm) {
    if (int_attr(n, "transA", 0) != 0) fail(n, "transA 1 is not supported");
    if (float_attr(n, "alpha", 1) != 1 || float_attr(n, "beta", 1) != 1) fail(n, "alpha and beta must be 1");
  }
  const bool trans_b = gemm && int_attr(n, "transB", 0) != 0;
  proto::Layer& l = add(n, "linear", {0});
  l.set_out_channels(narrow(n, "output features (weight dimension " + std::to_string(trans_b ? 0 : 1) + ")",
                            trans_b ? w[0] : w[1]));
  l.set_bias(gemm && n.input_size() > 2 && !n.input(2).empty());
  keep_weights(n, l.name(), gemm ? std::vector<int>{1, 2} : std::vector<int>{1});
  m_weights[l.name()].in_out = !trans_b;
}

void Importer::clip(const onnx::NodeProto& n) {
  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
  if (attr(n, "min")) lo = float_attr(n, "min", 0);
  if (attr(n, "max")) hi = float_attr(n, "max", 0);
  for (int i = 1; i <= 2 && i < n.input_size(); ++i) {
    if (n.input(i).empty()) continue;
    std::vector<double> v;
    if (!constant(n.input(i), &v, nullptr) || v.size() != 1) fail(n, "bounds must be constants");
    (i == 1 ? lo : hi) = v[0];
  }
  if (lo == 0 && hi == 6) {
    add(n, "relu6", {0});
  } else if (lo == 0 && std::isinf(hi)) {
    add(n, "relu", {0});
  } else {
    std::ostringstream o;
    o << "bounds " << lo << ".." << hi << " are not supported (0..6 is relu6)";
    fail(n, o.str());
  }
}

// Add of a constant to a MatMul output: the linear layer's bias.
bool Importer::bias_add(const onnx::NodeProto& n) {
  if (n.input_size() != 2) return false;  // add() names the missing input (found by fuzz_onnx)
  for (int i = 0; i < 2; ++i) {
    if (!m_constants.count(n.input(1 - i))) continue;
    auto it = m_layer_of.find(n.input(i));
    if (it == m_layer_of.end()) continue;
    for (auto& l : *m_net.mutable_layer())
      if (l.name() == it->second && l.op() == "linear" && !l.bias()) {
        l.set_bias(true);
        m_weights[l.name()].tensors.push_back(tensor(n, 1 - i));
        m_layer_of[n.output(0)] = l.name();
        return true;
      }
  }
  return false;
}

// Identity or Dropout: an alias of a constant, a parameter or a layer's output.
void Importer::alias(const onnx::NodeProto& n) {
  if (n.input_size() < 1) fail(n, "has no input");
  if (auto c = m_constants.find(n.input(0)); c != m_constants.end()) {
    m_constants[n.output(0)] = c->second;
  } else if (auto p = m_parameter_inputs.find(n.input(0)); p != m_parameter_inputs.end()) {
    m_parameter_inputs[n.output(0)] = p->second;
  } else {
    m_layer_of[n.output(0)] = source(n, 0);
  }
}

void Importer::batchnorm(const onnx::NodeProto& n) {
  const std::string layer = add(n, "batchnorm", {0}).name();
  keep_weights(n, layer, {1, 2, 3, 4});
  m_weights[layer].epsilon = float_attr(n, "epsilon", 1e-5f);
}

// MaxPool or AveragePool.
void Importer::pool(const onnx::NodeProto& n) {
  const bool max = n.op_type() == "MaxPool";
  if (!max && int_attr(n, "count_include_pad", 0) != 0 && !ints(n, "pads").empty())
    fail(n, "count_include_pad 1 with padding is not supported");
  proto::Layer& l = add(n, max ? "maxpool" : "avgpool", {0});
  window(n, l, true);
}

// A mean over the spatial axes: a global average pool (and a flatten without keepdims).
void Importer::reduce_mean(const onnx::NodeProto& n) {
  std::vector<int64_t> axes = ints(n, "axes");
  if (axes.empty() && n.input_size() > 1) {  // opset 18: axes as an input
    std::vector<double> v;
    if (constant(n.input(1), &v, nullptr))
      for (double a : v) axes.push_back(int64_t(a));
  }
  if (axes != std::vector<int64_t>{2, 3} && axes != std::vector<int64_t>{-2, -1})
    fail(n, "only a mean over the spatial axes (2, 3) is supported");
  add(n, "globalavgpool", {0});
  if (int_attr(n, "keepdims", 1) == 0) {  // (N, C): our pool keeps (C, 1, 1); a flatten makes it (C)
    onnx::NodeProto f = n;
    f.set_name(n.name() + "_flatten");
    f.set_input(0, n.output(0));
    add(f, "flatten", {0});
  }
}

// Flatten from axis 1, or a Reshape to (N, -1): a flatten.
void Importer::reshape(const onnx::NodeProto& n) {
  if (n.op_type() == "Flatten") {
    if (int_attr(n, "axis", 1) != 1) fail(n, "only axis 1 is supported");
  } else {
    std::vector<double> shape;
    if (n.input_size() < 2 || !constant(n.input(1), &shape, nullptr) || shape.size() != 2 ||
        !(shape[1] == -1 || shape[0] == -1 || shape[0] == 0 || shape[0] == 1))
      fail(n, "only a Reshape that flattens to (N, -1) is supported");
  }
  add(n, "flatten", {0});
}

void Importer::node(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (n.output_size() < 1) fail(n, "has no output");
  if (op == "Constant") {
    if (const auto* a = attr(n, "value")) m_constants[n.output(0)] = &a->t();
    return;
  }
  if (op == "Identity" || op == "Dropout") return alias(n);
  if (op == "Conv") return conv(n);
  if (op == "Gemm") return linear(n, true);
  if (op == "MatMul") return linear(n, false);
  if (op == "Clip") return clip(n);
  if (op == "BatchNormalization") return batchnorm(n);
  if (op == "Relu") {
    add(n, "relu", {0});
    return;
  }
  if (op == "Add") {
    if (!bias_add(n)) add(n, "add", {0, 1});
    return;
  }
  if (op == "MaxPool" || op == "AveragePool") return pool(n);
  if (op == "GlobalAveragePool") {
    add(n, "globalavgpool", {0});
    return;
  }
  if (op == "ReduceMean") return reduce_mean(n);
  if (op == "Flatten" || op == "Reshape") return reshape(n);
  fail(n, "operator not supported (see odimo's README, \"Your own network\")");
}

void Importer::set_input() {
  for (const auto& in : m_graph.input()) {
    if (m_constants.count(in.name())) continue;  // an initializer listed as an input (old exporters)
    const auto& dims = in.type().tensor_type().shape().dim();
    if (!m_layer_of.empty()) {  // after the data input: parameters exported as inputs (shapes only)
      std::vector<int64_t>& d = m_parameter_inputs[in.name()];
      for (const auto& x : dims) d.push_back(x.has_dim_value() ? x.dim_value() : -1);
      continue;
    }
    if (dims.size() != 4 && dims.size() != 2)
      throw Error(m_path + ": input '" + in.name() + "' must be (N, C, H, W) or (N, features), it has " +
                  std::to_string(dims.size()) + " dimensions");
    std::vector<int64_t> d;
    for (int i = 1; i < dims.size(); ++i) {
      if (!dims[i].has_dim_value() || dims[i].dim_value() <= 0 || dims[i].dim_value() > (1 << 24))
        throw Error(m_path + ": input '" + in.name() + "' dimension " + std::to_string(i) +
                    " must be a fixed size in [1, 16777216] (only the batch may be symbolic)");
      d.push_back(dims[i].dim_value());
    }
    m_net.mutable_input()->set_c(int(d[0]));
    m_net.mutable_input()->set_h(d.size() > 1 ? int(d[1]) : 1);
    m_net.mutable_input()->set_w(d.size() > 2 ? int(d[2]) : 1);
    m_layer_of[in.name()] = "input";
  }
  if (m_layer_of.empty()) throw Error(m_path + ": the graph has no non-constant input");
}

void Importer::record_shapes(OnnxImport& out) const {
  auto record = [&](const onnx::ValueInfoProto& v) {
    auto it = m_layer_of.find(v.name());
    if (it == m_layer_of.end() || it->second == "input") return;
    const auto& dims = v.type().tensor_type().shape().dim();
    std::vector<int64_t> d;
    for (int i = 1; i < dims.size(); ++i) {
      if (!dims[i].has_dim_value()) return;  // symbolic: nothing to check
      d.push_back(dims[i].dim_value());
    }
    if (!d.empty()) out.recorded[it->second] = d;
  };
  for (const auto& v : m_graph.value_info()) record(v);
  for (const auto& v : m_graph.output()) record(v);
}

OnnxImport Importer::run() {
  for (const auto& t : m_graph.initializer()) m_constants[t.name()] = &t;
  set_input();
  for (const auto& n : m_graph.node()) node(n);
  if (m_net.layer_size() == 0) throw Error(m_path + ": the graph has no layer odimo can run");
  OnnxImport out;
  out.net = m_net;
  out.weights = m_weights;
  record_shapes(out);
  return out;
}

}  // namespace

OnnxImport import_onnx(const std::string& path) {
  onnx::ModelProto model;
  if (!model.ParseFromString(read_file(path)))
    throw Error(path + ": not an ONNX model (the protobuf does not parse)");
  if (!model.has_graph()) throw Error(path + ": the model has no graph");
  for (const auto& o : model.opset_import())
    if ((o.domain().empty() || o.domain() == "ai.onnx") && (o.version() < 7 || o.version() > 18))
      throw Error(path + ": opset " + std::to_string(o.version()) + " is not supported (7 to 18)");
  OnnxImport imported = Importer(path, model.graph()).run();
  imported.net.set_name(model.graph().name().empty() || model.graph().name() == "torch_jit"
                            ? std::filesystem::path(path).stem().string()
                            : model.graph().name());
  return imported;
}

void check_recorded_shapes(const OnnxImport& imported, const Network& net, const std::string& path) {
  for (const Layer& l : net.layers) {
    auto it = imported.recorded.find(l.name);
    if (it == imported.recorded.end()) continue;
    std::vector<int64_t> ours = {l.out.c, l.out.h, l.out.w};
    ours.resize(it->second.size(), 1);
    if (l.op == Op::kFlatten || l.op == Op::kLinear) ours = {int64_t(l.out.elements())};
    if (ours != it->second) {
      std::string theirs;
      for (int64_t d : it->second) theirs += (theirs.empty() ? "" : "x") + std::to_string(d);
      throw Error(path + ": layer '" + l.name + "': the file records shape " + theirs + ", odimo infers " +
                  l.out.str());
    }
  }
}

}  // namespace odimo
