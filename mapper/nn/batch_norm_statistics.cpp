#include "mapper/nn/batch_norm_statistics.h"

#include <algorithm>

#include "mapper/nn/layers.h"

namespace odimo::mapper {

void reestimate_batch_norm(Model& model, const StatisticsImages& images, int batch) {
  std::vector<BatchNormNode*> norms;
  for (const auto& node : model.nodes())
    if (auto* bn = dynamic_cast<BatchNormNode*>(node.get())) norms.push_back(bn);
  if (norms.empty() || images.n == 0) return;
  Tape tape;
  int i = 0;
  for (int first = 0; first < images.n; first += batch, ++i) {
    for (BatchNormNode* bn : norms) bn->momentum = 1.0 / double(i + 1);
    const int m = std::min(batch, images.n - first);
    model.forward(images.x.data() + size_t(first) * size_t(images.per_image), m, true, &tape);
    tape.clear();
  }
  for (BatchNormNode* bn : norms) bn->momentum = BatchNormNode::kTrainingMomentum;
}

BufferSnapshot::BufferSnapshot(Model& model) : m_buffers(model.buffers()) {
  for (const Buffer* b : m_buffers) m_values.push_back(b->value);
}

void BufferSnapshot::restore() {
  for (size_t b = 0; b < m_buffers.size(); ++b) m_buffers[b]->value = m_values[b];
}

}  // namespace odimo::mapper
