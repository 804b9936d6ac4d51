// Layer nodes: shape bookkeeping around the kernels of ops_*.h.
#include "mapper/nn/layers.h"

#include <algorithm>

#include "proto/error.h"

namespace odimo::mapper {
namespace {

class FloatWeights : public WeightSource {
 public:
  explicit FloatWeights(Parameter w) : m_w(std::move(w)) {}
  const float* forward() override { return m_w.value.data(); }
  float* effective_grad() override {
    m_scratch.resize(m_w.value.size());
    return m_scratch.data();
  }
  void backward() override {
    for (size_t i = 0; i < m_scratch.size(); ++i) m_w.grad[i] += m_scratch[i];
  }
  void parameters(std::vector<Parameter*>& out) override { out.push_back(&m_w); }
  Parameter& weight() override { return m_w; }

 private:
  Parameter m_w;
  std::vector<float> m_scratch;
};

class QuantizedWeights : public WeightSource {
 public:
  QuantizedWeights(Parameter w, std::unique_ptr<WeightQuantizer> q)
      : m_w(std::move(w)), m_q(std::move(q)), m_wq(m_w.value.size()), m_dwq(m_w.value.size()) {}
  const float* forward() override {
    m_q->forward(m_w.value.data(), m_wq.data());
    return m_wq.data();
  }
  float* effective_grad() override { return m_dwq.data(); }
  void backward() override { m_q->backward(m_w.value.data(), m_dwq.data(), m_w.grad.data()); }
  void parameters(std::vector<Parameter*>& out) override {
    out.push_back(&m_w);
    for (Parameter* p : m_q->parameters()) out.push_back(p);
  }
  Parameter& weight() override { return m_w; }
  void weights_loaded() override { m_q->init(m_w.value.data()); }
  std::vector<WeightQuantizer*> quantizers() override { return {m_q.get()}; }

 private:
  Parameter m_w;
  std::unique_ptr<WeightQuantizer> m_q;
  std::vector<float> m_wq, m_dwq;
};

Flat flat(const Dims& d) {
  return {d.n, d.image()};
}

}  // namespace

std::unique_ptr<WeightSource> make_float_weights(Parameter w) {
  return std::make_unique<FloatWeights>(std::move(w));
}
std::unique_ptr<WeightSource> make_quantized_weights(Parameter w, std::unique_ptr<WeightQuantizer> q) {
  return std::make_unique<QuantizedWeights>(std::move(w), std::move(q));
}

// ---- conv ---------------------------------------------------------------------------------------

ConvNode::ConvNode(std::string n, bool depthwise, int cout, int k, int stride, int pad, int groups,
                   std::unique_ptr<WeightSource> w, std::unique_ptr<Parameter> bias)
    : Node(std::move(n)),
      m_depthwise(depthwise),
      m_cout(cout),
      m_k(k),
      m_stride(stride),
      m_pad(pad),
      m_groups(groups),
      m_weights(std::move(w)),
      m_bias(std::move(bias)) {}

ConvGeom ConvNode::geometry(int n) const {
  const Dims& d = inputs[0]->dims;
  return ConvGeom::make(n, d.h, d.w, d.c, m_cout, m_k, m_stride, m_pad, m_depthwise ? d.c : m_groups);
}

void ConvNode::forward(const RunContext& ctx) {
  const ConvGeom g = geometry(inputs[0]->dims.n);
  out.resize({g.n, g.oh, g.ow, g.cout});
  m_w = m_weights->forward();
  const float* b = m_bias ? m_bias->value.data() : nullptr;
  if (m_depthwise)
    depthwise_forward(g, inputs[0]->value.data(), m_w, b, out.value.data(), ctx.threads);
  else
    conv2d_forward(g, inputs[0]->value.data(), m_w, b, out.value.data(), *ctx.scratch, ctx.threads);
}

void ConvNode::backward(const RunContext& ctx) {
  const ConvGeom g = geometry(inputs[0]->dims.n);
  float* dx = need_grad[0] ? inputs[0]->grad.data() : nullptr;
  std::vector<float> db(m_bias ? m_cout : 0);
  float* dw = m_weights->effective_grad();
  if (m_depthwise)
    depthwise_backward(g, inputs[0]->value.data(), m_w, out.grad.data(), dx, accumulate[0], dw,
                       m_bias ? db.data() : nullptr, *ctx.scratch, ctx.threads);
  else
    conv2d_backward(g, inputs[0]->value.data(), m_w, out.grad.data(), dx, accumulate[0], dw,
                    m_bias ? db.data() : nullptr, *ctx.scratch, ctx.threads);
  m_weights->backward();
  for (size_t c = 0; c < db.size(); ++c) m_bias->grad[c] += db[c];
}

void ConvNode::parameters(std::vector<Parameter*>& out) {
  m_weights->parameters(out);
  if (m_bias) out.push_back(m_bias.get());
}

// ---- linear -------------------------------------------------------------------------------------

LinearNode::LinearNode(std::string n, int out_features, std::unique_ptr<WeightSource> w,
                       std::unique_ptr<Parameter> bias)
    : Node(std::move(n)), m_out(out_features), m_weights(std::move(w)), m_bias(std::move(bias)) {}

void LinearNode::forward(const RunContext&) {
  const Dims& d = inputs[0]->dims;
  out.resize({d.n, 1, 1, m_out});
  m_w = m_weights->forward();
  linear_forward(d.n, int(d.image()), m_out, inputs[0]->value.data(), m_w,
                 m_bias ? m_bias->value.data() : nullptr, out.value.data());
}

void LinearNode::backward(const RunContext&) {
  const Dims& d = inputs[0]->dims;
  std::vector<float> db(m_bias ? m_out : 0);
  linear_backward(d.n, int(d.image()), m_out, inputs[0]->value.data(), m_w, out.grad.data(),
                  need_grad[0] ? inputs[0]->grad.data() : nullptr, accumulate[0], m_weights->effective_grad(),
                  m_bias ? db.data() : nullptr);
  m_weights->backward();
  for (size_t c = 0; c < db.size(); ++c) m_bias->grad[c] += db[c];
}

void LinearNode::parameters(std::vector<Parameter*>& out) {
  m_weights->parameters(out);
  if (m_bias) out.push_back(m_bias.get());
}

// ---- batch norm ---------------------------------------------------------------------------------

BatchNormNode::BatchNormNode(std::string n, int channels)
    : Node(n),
      gamma(n + ".gamma", {channels}),
      beta(n + ".beta", {channels}),
      running_mean{n + ".running_mean", std::vector<float>(channels, 0.0f)},
      running_var{n + ".running_var", std::vector<float>(channels, 1.0f)} {
  std::fill(gamma.value.begin(), gamma.value.end(), 1.0f);
}

BatchNormGeom BatchNormNode::geom(const Dims& d) const {
  BatchNormGeom g;
  g.rows = int64_t(d.n) * d.h * d.w;
  g.channels = d.c;
  g.n = d.n;
  g.relu = fused_relu;
  g.momentum = momentum;
  return g;
}

void BatchNormNode::forward(const RunContext& ctx) {
  const Activation& x = *inputs[0];
  out.resize(x.dims);
  if (ctx.training)
    batchnorm_train_forward(geom(x.dims), x.value.data(), gamma.value.data(), beta.value.data(),
                            out.value.data(), m_cache, running_mean.value.data(), running_var.value.data(),
                            *ctx.sums, ctx.threads);
  else
    batchnorm_eval_forward(geom(x.dims), x.value.data(), gamma.value.data(), beta.value.data(),
                           running_mean.value.data(), running_var.value.data(), out.value.data(),
                           ctx.threads);
}

void BatchNormNode::backward(const RunContext& ctx) {
  const Activation& x = *inputs[0];
  const int C = x.dims.c;
  std::vector<float> dg(C), db(C);
  std::vector<float> unused;
  float* dx = need_grad[0] ? inputs[0]->grad.data() : nullptr;
  if (!dx) {
    unused.resize(x.value.size());
    dx = unused.data();
  }
  batchnorm_train_backward(geom(x.dims), x.value.data(), gamma.value.data(), out.grad.data(), m_cache, dx,
                           need_grad[0] && accumulate[0], dg.data(), db.data(), *ctx.sums, ctx.threads);
  for (int c = 0; c < C; ++c) gamma.grad[c] += dg[c], beta.grad[c] += db[c];
}

void BatchNormNode::parameters(std::vector<Parameter*>& out) {
  out.push_back(&gamma);
  out.push_back(&beta);
}
void BatchNormNode::buffers(std::vector<Buffer*>& out) {
  out.push_back(&running_mean);
  out.push_back(&running_var);
}

// ---- pointwise ----------------------------------------------------------------------------------

void PointwiseNode::forward(const RunContext& ctx) {
  const Activation& x = *inputs[0];
  const Flat f = flat(x.dims);
  switch (m_kind) {
    case kRelu:
      out.resize(x.dims);
      return relu_forward(f, x.value.data(), out.value.data(), ctx.threads);
    case kRelu6:
      out.resize(x.dims);
      return relu6_forward(f, x.value.data(), out.value.data(), ctx.threads);
    case kFlatten:
      out.resize({x.dims.n, 1, 1, int(x.dims.image())});
      return grad_pass(f, x.value.data(), out.value.data(), false, ctx.threads);
    case kAdd:
      out.resize(x.dims);
      for (size_t k = 1; k < inputs.size(); ++k)
        if (!(inputs[k]->dims == x.dims)) throw Error("add '" + name + "': input shapes differ");
      if (fused_relu && inputs.size() == 2)
        return add_relu_forward(f, x.value.data(), inputs[1]->value.data(), out.value.data(), ctx.threads);
      for (size_t k = 1; k < inputs.size(); ++k)
        add_forward(f, k == 1 ? x.value.data() : out.value.data(), inputs[k]->value.data(), out.value.data(),
                    false, ctx.threads);
      if (fused_relu) relu_forward(f, out.value.data(), out.value.data(), ctx.threads);
      return;
  }
}

void PointwiseNode::backward(const RunContext& ctx) {
  const Flat f = flat(out.dims);
  if (fused_relu && inputs.size() == 2 && need_grad[0] && need_grad[1] && inputs[0] != inputs[1])
    return relu_backward_pair(f, out.value.data(), out.grad.data(), inputs[0]->grad.data(),
                              bool(accumulate[0]), inputs[1]->grad.data(), bool(accumulate[1]),
                              ctx.threads);  // one pass for both
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!need_grad[k]) continue;
    float* dx = inputs[k]->grad.data();
    if (m_kind == kRelu || fused_relu)
      relu_backward(f, out.value.data(), out.grad.data(), dx, accumulate[k], ctx.threads);
    else if (m_kind == kRelu6)
      relu6_backward(f, inputs[k]->value.data(), out.grad.data(), dx, accumulate[k], ctx.threads);
    else
      grad_pass(f, out.grad.data(), dx, accumulate[k], ctx.threads);
  }
}

// ---- pooling ------------------------------------------------------------------------------------

PoolGeom PoolNode::geom() const {
  const Dims& d = inputs[0]->dims;
  return PoolGeom::make(d.n, d.h, d.w, d.c, m_k, m_stride, m_pad);
}

void PoolNode::forward(const RunContext& ctx) {
  const Activation& x = *inputs[0];
  if (m_kind == kGlobalAvg) {
    out.resize({x.dims.n, 1, 1, x.dims.c});
    return global_avgpool_forward(x.dims.n, x.dims.h * x.dims.w, x.dims.c, x.value.data(), out.value.data(),
                                  ctx.threads);
  }
  const PoolGeom g = geom();
  out.resize({g.n, g.oh, g.ow, g.c});
  if (m_kind == kAvg) return avgpool_forward(g, x.value.data(), out.value.data(), ctx.threads);
  m_argmax.resize(out.value.size());
  maxpool_forward(g, x.value.data(), out.value.data(), m_argmax.data(), ctx.threads);
}

void PoolNode::backward(const RunContext& ctx) {
  if (!need_grad[0]) return;
  const Dims& d = inputs[0]->dims;
  float* dx = inputs[0]->grad.data();
  if (m_kind == kGlobalAvg)
    return global_avgpool_backward(d.n, d.h * d.w, d.c, out.grad.data(), dx, accumulate[0], ctx.threads);
  if (m_kind == kAvg) return avgpool_backward(geom(), out.grad.data(), dx, accumulate[0], ctx.threads);
  maxpool_backward(geom(), m_argmax.data(), out.grad.data(), dx, accumulate[0], ctx.threads);
}

// ---- PACT ---------------------------------------------------------------------------------------

PactNode::PactNode(std::string n, const PactConfig& c)
    : Node(n), clip(n + ".clip", {1}, ParamGroup::kQuantizer, false), m_config(c) {
  clip.value[0] = c.init_clip;
}

void PactNode::forward(const RunContext& ctx) {
  const Activation& x = *inputs[0];
  out.resize(x.dims);
  const int64_t per = x.dims.image();
  for_each_thread(
      ctx.threads,
      [&](int t) {
        const int64_t a = share_begin(x.dims.n, t, ctx.threads) * per,
                      e = share_end(x.dims.n, t, ctx.threads) * per;
        pact_forward(m_config, clip.value[0], x.value.data() + a, out.value.data() + a, e - a);
      },
      x.dims.size());
}

void PactNode::backward(const RunContext& ctx) {
  const Activation& x = *inputs[0];
  const int64_t per = x.dims.image();
  std::vector<double> dalpha(ctx.threads, 0.0);
  std::vector<float> unused;
  float* dx = need_grad[0] ? inputs[0]->grad.data() : nullptr;
  if (!dx) {
    unused.resize(x.value.size());
    dx = unused.data();
  }
  for_each_thread(
      ctx.threads,
      [&](int t) {
        const int64_t a = share_begin(x.dims.n, t, ctx.threads) * per,
                      e = share_end(x.dims.n, t, ctx.threads) * per;
        dalpha[t] = pact_backward(m_config, clip.value[0], x.value.data() + a, out.grad.data() + a, dx + a,
                                  need_grad[0] && accumulate[0], e - a);
      },
      x.dims.size());
  double total = 0;
  for (double v : dalpha) total += v;
  clip.grad[0] += float(total);
}

}  // namespace odimo::mapper
