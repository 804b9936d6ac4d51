#pragma once
// Optimizers with parameter groups (weights, quantizer parameters, architecture
// logits each with their own hyper-parameters) and learning-rate schedules.
// Update rules follow PyTorch's torch.optim.SGD and torch.optim.Adam exactly, so
// runs are comparable with the anchor (tests/mapper/torch_workload.py).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mapper/tensor/tensor.h"

namespace odimo::mapper {

enum class OptimizerKind { kSgd, kAdam };
OptimizerKind parse_optimizer(const std::string& text);

struct GroupHyper {
  double lr = 0.05;
  double momentum = 0.9;                          // SGD
  bool nesterov = false;                          // SGD
  double weight_decay = 0;                        // L2 added to the gradient (parameters with decay = true)
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // Adam
};

class Optimizer {
 public:
  Optimizer(OptimizerKind kind, std::vector<Parameter*> params,
            const std::array<GroupHyper, kParamGroups>& groups);
  // One update with each group's lr multiplied by `lr_factor` (the schedule).
  void step(double lr_factor);
  int64_t steps() const { return m_steps; }
  // State for checkpoints: first/second moments per parameter (second empty for SGD).
  std::vector<std::vector<float>>& first_moments() { return m_first; }
  std::vector<std::vector<float>>& second_moments() { return m_second; }
  void set_steps(int64_t s) { m_steps = s; }
  GroupHyper& group(ParamGroup g) { return m_groups[int(g)]; }

 private:
  void sgd(Parameter& p, std::vector<float>& buf, const GroupHyper& h, double lr);
  void adam(Parameter& p, std::vector<float>& m, std::vector<float>& v, const GroupHyper& h, double lr);

  OptimizerKind m_kind;
  std::vector<Parameter*> m_params;
  std::array<GroupHyper, kParamGroups> m_groups;
  std::vector<std::vector<float>> m_first, m_second;
  int64_t m_steps = 0;
};

// Learning-rate factor over training.
//   constant   1
//   step       gamma^floor(epoch / step_epochs)
//   multistep  gamma^(number of milestones <= epoch)
//   cosine     (1 + cos(pi * step / total_steps)) / 2, per step (PyTorch CosineAnnealingLR, eta_min 0)
enum class ScheduleKind { kConstant, kStep, kMultiStep, kCosine };
struct Schedule {
  ScheduleKind kind = ScheduleKind::kConstant;
  double gamma = 0.1;
  int step_epochs = 30;
  std::vector<int> milestones;
  int64_t total_steps = 1;
  double factor(int epoch, int64_t step) const;
};
ScheduleKind parse_schedule(const std::string& text);

}  // namespace odimo::mapper
