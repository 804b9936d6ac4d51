#include "mapper/search/mapping_validation.h"

namespace odimo::search {

mapper::Evaluation validate_mapping(mapper::Model& model, const std::vector<LayerArch*>& archs,
                                    const mapper::Dataset& validation, const std::vector<float>& mean,
                                    const std::vector<float>& stddev,
                                    const mapper::StatisticsImages& statistics, int batch) {
  std::vector<LayerArch*> thawed;
  for (LayerArch* a : archs)
    if (!a->frozen()) a->freeze(), thawed.push_back(a);
  if (thawed.empty()) return mapper::evaluate(model, validation, mean, stddev, batch);
  mapper::BufferSnapshot kept(model);
  mapper::reestimate_batch_norm(model, statistics, batch);
  const mapper::Evaluation ev = mapper::evaluate(model, validation, mean, stddev, batch);
  kept.restore();
  for (LayerArch* a : thawed) a->thaw();
  return ev;
}

}  // namespace odimo::search
