// Layer nodes: shape bookkeeping around the kernels of ops_*.h.
#include "mapper/layers.h"

#include <algorithm>

#include "proto/error.h"

namespace odimo::mapper {
namespace {

class FloatWeights : public WeightSource {
 public:
  explicit FloatWeights(Parameter w) : w_(std::move(w)) {}
  const float* forward() override { return w_.value.data(); }
  float* effective_grad() override {
    scratch_.resize(w_.value.size());
    return scratch_.data();
  }
  void backward() override {
    for (size_t i = 0; i < scratch_.size(); ++i) w_.grad[i] += scratch_[i];
  }
  void parameters(std::vector<Parameter*>& out) override { out.push_back(&w_); }
  Parameter& weight() override { return w_; }

 private:
  Parameter w_;
  std::vector<float> scratch_;
};

class QuantizedWeights : public WeightSource {
 public:
  QuantizedWeights(Parameter w, std::unique_ptr<WeightQuantizer> q)
      : w_(std::move(w)), q_(std::move(q)), wq_(w_.value.size()), dwq_(w_.value.size()) {}
  const float* forward() override {
    q_->forward(w_.value.data(), wq_.data());
    return wq_.data();
  }
  float* effective_grad() override { return dwq_.data(); }
  void backward() override { q_->backward(w_.value.data(), dwq_.data(), w_.grad.data()); }
  void parameters(std::vector<Parameter*>& out) override {
    out.push_back(&w_);
    for (Parameter* p : q_->parameters()) out.push_back(p);
  }
  Parameter& weight() override { return w_; }

 private:
  Parameter w_;
  std::unique_ptr<WeightQuantizer> q_;
  std::vector<float> wq_, dwq_;
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
      depthwise_(depthwise),
      cout_(cout),
      k_(k),
      stride_(stride),
      pad_(pad),
      groups_(groups),
      weights_(std::move(w)),
      bias_(std::move(bias)) {}

ConvGeom ConvNode::geometry(int n) const {
  const Dims& d = inputs[0]->dims;
  return ConvGeom::make(n, d.h, d.w, d.c, cout_, k_, stride_, pad_, depthwise_ ? d.c : groups_);
}

void ConvNode::forward(const RunContext& ctx) {
  const ConvGeom g = geometry(inputs[0]->dims.n);
  out.resize({g.n, g.oh, g.ow, g.cout});
  w_ = weights_->forward();
  const float* b = bias_ ? bias_->value.data() : nullptr;
  if (depthwise_)
    depthwise_forward(g, inputs[0]->value.data(), w_, b, out.value.data(), ctx.threads);
  else
    conv2d_forward(g, inputs[0]->value.data(), w_, b, out.value.data(), *ctx.scratch, ctx.threads);
}

void ConvNode::backward(const RunContext& ctx) {
  const ConvGeom g = geometry(inputs[0]->dims.n);
  float* dx = need_grad[0] ? inputs[0]->grad.data() : nullptr;
  std::vector<float> db(bias_ ? cout_ : 0);
  float* dw = weights_->effective_grad();
  if (depthwise_)
    depthwise_backward(g, inputs[0]->value.data(), w_, out.grad.data(), dx, accumulate[0], dw,
                       bias_ ? db.data() : nullptr, *ctx.scratch, ctx.threads);
  else
    conv2d_backward(g, inputs[0]->value.data(), w_, out.grad.data(), dx, accumulate[0], dw,
                    bias_ ? db.data() : nullptr, *ctx.scratch, ctx.threads);
  weights_->backward();
  for (size_t c = 0; c < db.size(); ++c) bias_->grad[c] += db[c];
}

void ConvNode::parameters(std::vector<Parameter*>& out) {
  weights_->parameters(out);
  if (bias_) out.push_back(bias_.get());
}

// ---- linear -------------------------------------------------------------------------------------

LinearNode::LinearNode(std::string n, int out_features, std::unique_ptr<WeightSource> w,
                       std::unique_ptr<Parameter> bias)
    : Node(std::move(n)), out_(out_features), weights_(std::move(w)), bias_(std::move(bias)) {}

void LinearNode::forward(const RunContext&) {
  const Dims& d = inputs[0]->dims;
  out.resize({d.n, 1, 1, out_});
  w_ = weights_->forward();
  linear_forward(d.n, int(d.image()), out_, inputs[0]->value.data(), w_,
                 bias_ ? bias_->value.data() : nullptr, out.value.data());
}

void LinearNode::backward(const RunContext&) {
  const Dims& d = inputs[0]->dims;
  std::vector<float> db(bias_ ? out_ : 0);
  linear_backward(d.n, int(d.image()), out_, inputs[0]->value.data(), w_, out.grad.data(),
                  need_grad[0] ? inputs[0]->grad.data() : nullptr, accumulate[0], weights_->effective_grad(),
                  bias_ ? db.data() : nullptr);
  weights_->backward();
  for (size_t c = 0; c < db.size(); ++c) bias_->grad[c] += db[c];
}

void LinearNode::parameters(std::vector<Parameter*>& out) {
  weights_->parameters(out);
  if (bias_) out.push_back(bias_.get());
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
  return g;
}

void BatchNormNode::forward(const RunContext& ctx) {
  const Activation& x = *inputs[0];
  out.resize(x.dims);
  if (ctx.training)
    batchnorm_train_forward(geom(x.dims), x.value.data(), gamma.value.data(), beta.value.data(),
                            out.value.data(), cache_, running_mean.value.data(), running_var.value.data(),
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
  batchnorm_train_backward(geom(x.dims), x.value.data(), gamma.value.data(), out.grad.data(), cache_, dx,
                           need_grad[0] && accumulate[0], dg.data(), db.data(), *ctx.sums, ctx.threads,
                           out.value.data());
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
  switch (kind_) {
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
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!need_grad[k]) continue;
    float* dx = inputs[k]->grad.data();
    if (kind_ == kRelu || fused_relu)
      relu_backward(f, out.value.data(), out.grad.data(), dx, accumulate[k], ctx.threads);
    else if (kind_ == kRelu6)
      relu6_backward(f, inputs[k]->value.data(), out.grad.data(), dx, accumulate[k], ctx.threads);
    else
      grad_pass(f, out.grad.data(), dx, accumulate[k], ctx.threads);
  }
}

// ---- pooling ------------------------------------------------------------------------------------

PoolGeom PoolNode::geom() const {
  const Dims& d = inputs[0]->dims;
  return PoolGeom::make(d.n, d.h, d.w, d.c, k_, stride_, pad_);
}

void PoolNode::forward(const RunContext& ctx) {
  const Activation& x = *inputs[0];
  if (kind_ == kGlobalAvg) {
    out.resize({x.dims.n, 1, 1, x.dims.c});
    return global_avgpool_forward(x.dims.n, x.dims.h * x.dims.w, x.dims.c, x.value.data(), out.value.data(),
                                  ctx.threads);
  }
  const PoolGeom g = geom();
  out.resize({g.n, g.oh, g.ow, g.c});
  if (kind_ == kAvg) return avgpool_forward(g, x.value.data(), out.value.data(), ctx.threads);
  argmax_.resize(out.value.size());
  maxpool_forward(g, x.value.data(), out.value.data(), argmax_.data(), ctx.threads);
}

void PoolNode::backward(const RunContext& ctx) {
  if (!need_grad[0]) return;
  const Dims& d = inputs[0]->dims;
  float* dx = inputs[0]->grad.data();
  if (kind_ == kGlobalAvg)
    return global_avgpool_backward(d.n, d.h * d.w, d.c, out.grad.data(), dx, accumulate[0], ctx.threads);
  if (kind_ == kAvg) return avgpool_backward(geom(), out.grad.data(), dx, accumulate[0], ctx.threads);
  maxpool_backward(geom(), argmax_.data(), out.grad.data(), dx, accumulate[0], ctx.threads);
}

// ---- PACT ---------------------------------------------------------------------------------------

PactNode::PactNode(std::string n, const PactConfig& c)
    : Node(n), clip(n + ".clip", {1}, ParamGroup::kQuantizer, false), config_(c) {
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
        pact_forward(config_, clip.value[0], x.value.data() + a, out.value.data() + a, e - a);
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
        dalpha[t] = pact_backward(config_, clip.value[0], x.value.data() + a, out.grad.data() + a, dx + a,
                                  need_grad[0] && accumulate[0], e - a);
      },
      x.dims.size());
  double total = 0;
  for (double v : dalpha) total += v;
  clip.grad[0] += float(total);
}

}  // namespace odimo::mapper
