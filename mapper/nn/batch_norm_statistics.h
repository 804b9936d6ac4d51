#pragma once
// Batch-norm running statistics re-estimated for a model as it stands (after its mapping
// changed, say), so that an evaluation in eval mode measures that model and not the running
// averages of the steps before. The search evaluates every mapping this way
// (mapper/search/README.md, "What the search's validation measures").
#include <cstdint>
#include <vector>

#include "mapper/nn/model.h"

namespace odimo::mapper {

// Fixed images for the re-estimation: n images of per_image floats each, normalised.
struct StatisticsImages {
  std::vector<float> x;
  int n = 0;
  int64_t per_image = 0;
};

// Every batch-norm layer's running mean and variance become the average, over the batches
// of `images` (in order, `batch` at a time), of each batch's mean and unbiased variance: a
// forward pass in training mode per batch with momentum 1/(i+1) at batch i (PyTorch's
// momentum=None). Parameters are not touched; other buffers a training forward updates (the
// ADC's running column maximum) move as in training. Deterministic at fixed threads.
void reestimate_batch_norm(Model& model, const StatisticsImages& images, int batch);

// Every buffer of the model (batch-norm statistics, ADC ranges), to put back after a
// measurement that must leave the model as it was.
class BufferSnapshot {
 public:
  explicit BufferSnapshot(Model& model);
  void restore();

 private:
  std::vector<Buffer*> m_buffers;
  std::vector<std::vector<float>> m_values;
};

}  // namespace odimo::mapper
