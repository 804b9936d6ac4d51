// SGD and Adam as in PyTorch 1.13 (torch/optim/sgd.py, adam.py), and LR schedules.
#include "mapper/train/optim.h"

#include <cmath>

#include "proto/error.h"

namespace odimo::mapper {

OptimizerKind parse_optimizer(const std::string& text) {
  if (text == "sgd") return OptimizerKind::kSgd;
  if (text == "adam") return OptimizerKind::kAdam;
  throw Error("--optimizer: unknown optimizer '" + text + "' (sgd or adam)");
}

ScheduleKind parse_schedule(const std::string& text) {
  if (text == "constant") return ScheduleKind::kConstant;
  if (text == "step") return ScheduleKind::kStep;
  if (text == "multistep") return ScheduleKind::kMultiStep;
  if (text == "cosine") return ScheduleKind::kCosine;
  throw Error("--schedule: unknown schedule '" + text + "' (constant, step, multistep or cosine)");
}

double Schedule::factor(int epoch, int64_t step) const {
  switch (kind) {
    case ScheduleKind::kConstant:
      return 1.0;
    case ScheduleKind::kStep:
      return std::pow(gamma, epoch / std::max(1, step_epochs));
    case ScheduleKind::kMultiStep: {
      int passed = 0;
      for (int m : milestones) passed += epoch >= m;
      return std::pow(gamma, passed);
    }
    case ScheduleKind::kCosine:
      return 0.5 * (1.0 + std::cos(M_PI * double(std::min(step, total_steps)) /
                                   double(std::max<int64_t>(1, total_steps))));
  }
  return 1.0;
}

Optimizer::Optimizer(OptimizerKind kind, std::vector<Parameter*> params,
                     const std::array<GroupHyper, kParamGroups>& groups)
    : m_kind(kind), m_params(std::move(params)), m_groups(groups) {
  m_first.resize(m_params.size());
  m_second.resize(m_params.size());
  for (size_t i = 0; i < m_params.size(); ++i) {
    m_first[i].assign(m_params[i]->value.size(), 0.0f);
    if (kind == OptimizerKind::kAdam) m_second[i].assign(m_params[i]->value.size(), 0.0f);
  }
}

void Optimizer::step(double lr_factor) {
  ++m_steps;
  for (size_t i = 0; i < m_params.size(); ++i) {
    Parameter& p = *m_params[i];
    const GroupHyper& h = m_groups[int(p.group)];
    const double lr = h.lr * lr_factor;
    if (m_kind == OptimizerKind::kSgd)
      sgd(p, m_first[i], h, lr);
    else
      adam(p, m_first[i], m_second[i], h, lr);
  }
}

// g += wd*w; buf = momentum*buf + g (buf = g on the first step); g = nesterov ? g + momentum*buf : buf.
void Optimizer::sgd(Parameter& p, std::vector<float>& buf, const GroupHyper& h, double lr) {
  const float wd = p.decay ? float(h.weight_decay) : 0.0f, mom = float(h.momentum);
  const bool first = m_steps == 1;
  for (size_t j = 0; j < p.value.size(); ++j) {
    float g = p.grad[j] + wd * p.value[j];
    if (mom != 0.0f) {
      buf[j] = first ? g : mom * buf[j] + g;
      g = h.nesterov ? g + mom * buf[j] : buf[j];
    }
    p.value[j] -= float(lr) * g;
  }
}

// m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; w -= lr/(1-b1^t) * m / (sqrt(v/(1-b2^t)) + eps).
void Optimizer::adam(Parameter& p, std::vector<float>& m, std::vector<float>& v, const GroupHyper& h,
                     double lr) {
  const float wd = p.decay ? float(h.weight_decay) : 0.0f;
  const double bc1 = 1.0 - std::pow(h.beta1, double(m_steps)), bc2 = 1.0 - std::pow(h.beta2, double(m_steps));
  const float b1 = float(h.beta1), b2 = float(h.beta2), step = float(lr / bc1),
              rbc2 = float(1.0 / std::sqrt(bc2));
  for (size_t j = 0; j < p.value.size(); ++j) {
    const float g = p.grad[j] + wd * p.value[j];
    m[j] = b1 * m[j] + (1 - b1) * g;
    v[j] = b2 * v[j] + (1 - b2) * g * g;
    p.value[j] -= step * m[j] / (std::sqrt(v[j]) * rbc2 + float(h.eps));
  }
}

}  // namespace odimo::mapper
