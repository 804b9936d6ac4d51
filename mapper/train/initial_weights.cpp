// Initial weights: ONNX initializers -> the mapper's layout, and one loader for
// checkpoints, imported weight files and .onnx models (see initial_weights.h).
#include "mapper/train/initial_weights.h"

#include <filesystem>
#include <map>
#include <sstream>

#include "mapper/ops/ops_norm.h"
#include "mapper/train/checkpoint.h"
#include "proto/error.h"

namespace odimo::mapper {
namespace {

template <class T>
std::string shape_str(const T& dims) {
  std::string s;
  for (auto d : dims) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

// Elements of a tensor of shape `dims` as a file states it, or -1 when a dimension is negative
// or the product exceeds 2^40 (checked before multiplying: the file may be corrupt).
template <class T>
int64_t elements(const T& dims) {
  int64_t n = 1;
  for (auto d : dims) {
    if (d < 0 || (d > 0 && n > (int64_t(1) << 40) / int64_t(d))) return -1;
    n *= int64_t(d);
  }
  return n;
}

// One float tensor of the Network IR, as the mapper holds it.
struct NetworkTensor {
  std::string name, layer;
  std::vector<int> shape;
  bool buffer = false;  // batch-norm running statistics
};

std::vector<NetworkTensor> network_tensors(const Network& net) {
  std::vector<NetworkTensor> out;
  for (const Layer& l : net.layers) {
    if (l.has_weights()) {
      out.push_back({l.name + ".weight", l.name, {l.out_channels, int(l.weights_per_channel())}});
      if (l.bias) out.push_back({l.name + ".bias", l.name, {l.out_channels}});
    } else if (l.op == Op::kBatchNorm) {
      out.push_back({l.name + ".gamma", l.name, {l.in.c}});
      out.push_back({l.name + ".beta", l.name, {l.in.c}});
      out.push_back({l.name + ".running_mean", l.name, {l.in.c}, true});
      out.push_back({l.name + ".running_var", l.name, {l.in.c}, true});
    }
  }
  return out;
}

// ---- ONNX -> mapper layout ----------------------------------------------------------------------

// Checks an initializer's presence, values and shape; returns its values.
const std::vector<float>& checked(const OnnxTensor& t, const std::vector<int64_t>& expected,
                                  const std::string& path, const Layer& l, const char* what) {
  const std::string where = path + ": tensor '" + t.name + "' (" + what + " of layer '" + l.name + "')";
  if (!t.has_values)
    throw Error(where + ": no values: expected an initializer (export the model with export_params=True)");
  bool same = t.dims == expected;
  if (!same && expected.size() == 1) {  // a bias may be (1, C)
    same = t.dims.size() == 2 && t.dims[0] == 1 && t.dims[1] == expected[0];
  }
  if (!same) throw Error(where + ": shape " + shape_str(t.dims) + ": expected " + shape_str(expected));
  const int64_t n = elements(t.dims);
  if (int64_t(t.values.size()) != n)
    throw Error(where + ": " + std::to_string(t.values.size()) + " values: expected " + std::to_string(n) +
                " (shape " + shape_str(t.dims) + ")");
  check_values(t.values.data(), t.values.size(), where, std::string(what) == "var");
  return t.values;
}

// OIHW (per group (Cout_g, Cin_g, k, k)) -> per group col-major [Cout_g, (ky,kx,cin_g)];
// depthwise (C, 1, k, k) -> (ky, kx, C).
std::vector<float> conv_weights(const Layer& l, const std::vector<float>& w) {
  const int64_t taps = int64_t(l.kernel) * l.kernel, C = l.out_channels;
  std::vector<float> out(w.size());
  if (l.op == Op::kDepthwise) {
    for (int64_t c = 0; c < C; ++c)
      for (int64_t t = 0; t < taps; ++t) out[t * C + c] = w[c * taps + t];
    return out;
  }
  const int64_t G = l.groups, cout_g = C / G, cin_g = l.in.c / G, block = cout_g * cin_g * taps;
  for (int64_t g = 0; g < G; ++g)
    for (int64_t co = 0; co < cout_g; ++co)
      for (int64_t ci = 0; ci < cin_g; ++ci)
        for (int64_t t = 0; t < taps; ++t)
          out[g * block + (t * cin_g + ci) * cout_g + co] = w[((g * cout_g + co) * cin_g + ci) * taps + t];
  return out;
}

// The (C, H, W) the features of linear layer `l` were flattened from: PyTorch flattens NCHW,
// the mapper NHWC, so the input features of a linear layer after a spatial flatten are permuted.
Shape flattened_from(const Network& net, const Layer& l) {
  int src = l.inputs[0];
  while (src != kNetworkInput && net.layers[src].op == Op::kFlatten) src = net.layers[src].inputs[0];
  return src == kNetworkInput ? net.input : net.layers[src].out;
}

// (out, in) or (in, out) over NCHW features -> memory (in, out) over NHWC features.
std::vector<float> linear_weights(const Network& net, const Layer& l, const std::vector<float>& w,
                                  bool in_out) {
  const Shape s = flattened_from(net, l);
  const int64_t out_f = l.out_channels, in_f = l.weights_per_channel(), hw = int64_t(s.h) * s.w;
  const bool permute = hw > 1 && s.elements() == in_f;
  std::vector<float> out(w.size());
  for (int64_t i = 0; i < in_f; ++i) {
    const int64_t src = permute ? (i % s.c) * hw + i / s.c : i;  // ours i = (h*W + w)*C + c
    for (int64_t o = 0; o < out_f; ++o) out[i * out_f + o] = in_out ? w[src * out_f + o] : w[o * in_f + src];
  }
  return out;
}

void batchnorm_weights(const Layer& l, const OnnxLayerWeights& src, const std::string& path,
                       proto::Checkpoint& out) {
  const std::vector<int64_t> c = {l.in.c};
  const char* roles[] = {"scale", "B", "mean", "var"};
  const char* ours[] = {".gamma", ".beta", ".running_mean", ".running_var"};
  for (int k = 0; k < 4; ++k) {
    std::vector<float> v = checked(src.tensors[k], c, path, l, roles[k]);
    if (k == 3) {  // (x - m) / sqrt(var + eps) = (x - m) / sqrt((var + eps - 1e-5) + 1e-5)
      const double shift = src.epsilon - BatchNormGeom{}.eps;
      for (float& x : v) {
        x = float(double(x) + shift);
        if (!(x >= 0))
          throw Error(path + ": node '" + src.node + "': epsilon " + std::to_string(src.epsilon) +
                      ": expected at least 1e-05 (odimo's batch norm) for this running_var");
      }
    }
    put_tensor(k < 2 ? out.mutable_parameters() : out.mutable_buffers(), l.name + ours[k], {l.in.c}, v);
  }
}

void layer_weights(const Network& net, const Layer& l, const OnnxLayerWeights& src, const std::string& path,
                   proto::Checkpoint& out) {
  const size_t want = l.has_weights() ? 1 + l.bias : 4;
  if (src.tensors.size() != want)
    throw Error(path + ": layer '" + l.name + "': " + std::to_string(src.tensors.size()) +
                " initializers: expected " + std::to_string(want));
  if (l.op == Op::kBatchNorm) return batchnorm_weights(l, src, path, out);
  const int64_t C = l.out_channels, k = l.kernel;
  std::vector<int64_t> dims;
  if (l.op == Op::kLinear)
    dims = src.in_out ? std::vector<int64_t>{l.weights_per_channel(), C}
                      : std::vector<int64_t>{C, l.weights_per_channel()};
  else
    dims = {C, l.op == Op::kDepthwise ? 1 : l.in.c / l.groups, k, k};
  const std::vector<float>& w = checked(src.tensors[0], dims, path, l, "weight");
  put_tensor(out.mutable_parameters(), l.name + ".weight", {int(C), int(l.weights_per_channel())},
             l.op == Op::kLinear ? linear_weights(net, l, w, src.in_out) : conv_weights(l, w));
  if (l.bias)
    put_tensor(out.mutable_parameters(), l.name + ".bias", {int(C)},
               checked(src.tensors[1], {C}, path, l, "bias"));
}

}  // namespace

proto::Checkpoint onnx_weights(const OnnxImport& imported, const Network& net, const std::string& path) {
  proto::Checkpoint out;
  out.set_network(net.name);
  out.set_quant("float");
  for (const Layer& l : net.layers) {
    if (!l.has_weights() && l.op != Op::kBatchNorm) continue;
    auto it = imported.weights.find(l.name);
    if (it == imported.weights.end())
      throw Error(path + ": layer '" + l.name + "': no initializers recorded for it");
    layer_weights(net, l, it->second, path, out);
  }
  return out;
}

proto::Checkpoint read_initial_weights(const std::string& path) {
  if (std::filesystem::path(path).extension() != ".onnx") return load_checkpoint(path);
  const OnnxImport imported = import_onnx(path);
  const Network net = build_network(imported.net, path);
  check_recorded_shapes(imported, net, path);
  return onnx_weights(imported, net, path);
}

namespace {

bool is_weight_name(const std::string& name) {
  for (const char* role : {".weight", ".bias", ".gamma", ".beta", ".running_mean", ".running_var"}) {
    const std::string r = role;
    if (name.size() > r.size() && name.compare(name.size() - r.size(), r.size(), r) == 0) return true;
  }
  return false;
}

// The model's parameters and buffers by name (their values).
std::map<std::string, std::vector<float>*> model_tensors(Model& model) {
  std::map<std::string, std::vector<float>*> out;
  for (Parameter* p : model.parameters()) out[p->name] = &p->value;
  for (Buffer* b : model.buffers()) out[b->name] = &b->value;
  return out;
}

void check_count(const proto::NamedTensor& t, const std::string& path) {
  const int64_t n = elements(t.shape());
  if (n != t.values_size())
    throw Error(path + ": tensor '" + t.name() + "': " + std::to_string(t.values_size()) +
                " values: expected " + std::to_string(n) + " (shape " + shape_str(t.shape()) + ")");
}

}  // namespace

std::string load_initial_weights(const std::string& path, Model& model) {
  const proto::Checkpoint file = read_initial_weights(path);
  std::map<std::string, const proto::NamedTensor*> in_file;
  for (const auto* list : {&file.parameters(), &file.buffers()})
    for (const auto& t : *list)
      if (!in_file.emplace(t.name(), &t).second)
        throw Error(path + ": tensor '" + t.name() + "': listed twice: expected once");
  const Network& net = model.network();
  const auto targets = model_tensors(model);
  std::map<std::string, bool> used;
  for (const NetworkTensor& want : network_tensors(net)) {
    auto it = in_file.find(want.name);
    if (it == in_file.end())
      throw Error(path + ": tensor '" + want.name + "': missing: expected by layer '" + want.layer + "' of " +
                  net.name + " (a file of another network?)");
    const proto::NamedTensor& t = *it->second;
    if (!std::equal(t.shape().begin(), t.shape().end(), want.shape.begin(), want.shape.end()))
      throw Error(path + ": tensor '" + want.name + "': shape " + shape_str(t.shape()) + ": expected " +
                  shape_str(want.shape) + " (layer '" + want.layer + "' of " + net.name + ")");
    check_count(t, path);
    auto target = targets.find(want.name);
    if (target == targets.end()) throw Error(net.name + ": the model has no tensor '" + want.name + "'");
    target->second->assign(t.values().begin(), t.values().end());
    used[want.name] = true;
  }
  std::vector<const proto::NamedTensor*> state;  // quantizer state under the model's own names
  int unused = 0;
  for (const auto& [name, t] : in_file) {
    if (used.count(name)) continue;
    auto target = targets.find(name);
    if (target != targets.end() && int64_t(target->second->size()) == t->values_size()) {
      state.push_back(t);
    } else if (is_weight_name(name)) {
      throw Error(path + ": tensor '" + name + "': extra: " + net.name +
                  " has no such tensor (a file of another network?)");
    } else {
      ++unused;
    }
  }
  for (const auto& node : model.nodes()) node->weights_loaded();
  for (const proto::NamedTensor* t : state)
    targets.at(t->name())->assign(t->values().begin(), t->values().end());
  std::ostringstream s;
  s << "initial weights from " << path << ": " << used.size() << " tensors";
  if (!state.empty()) s << " + " << state.size() << " quantizer tensors";
  if (unused) s << " (" << unused << " quantizer tensors of another quantization not used)";
  return s.str();
}

}  // namespace odimo::mapper
