#pragma once
// What the search's validation measures: the network as it would be exported now.
//
// Once every searchable layer is frozen (the fine-tune, baselines) that is the model with its
// own running statistics, as `odimo deploy` runs it. Before (warmup, search, refinement) it is
// the hard assignment of every layer (argmax / mask: what export_mapping writes) with the
// batch-norm statistics re-estimated for it on fixed training images
// (mapper/nn/batch_norm_statistics.h). The running averages the search steps leave behind mix
// the outputs of mappings the search has since left (soft channel mixes on DIANA, a
// thermometric boundary that moves every step on Darkside), so evaluating with them measured
// none of the networks the search could export: the validation swung by tens of points
// between epochs while the training accuracy moved by one, and a split refinement judged on
// it, or on training loss with batch statistics, could not tell a gain from a loss.
// Deterministic: the same number for the same weights, mapping and images, whatever the
// running statistics were.
#include <vector>

#include "mapper/data/data.h"
#include "mapper/nn/batch_norm_statistics.h"
#include "mapper/nn/model.h"
#include "mapper/search/arch.h"
#include "mapper/train/trainer.h"

namespace odimo::search {

// Leaves the model as it found it (buffers, architecture logits, frozen layers).
mapper::Evaluation validate_mapping(mapper::Model& model, const std::vector<LayerArch*>& archs,
                                    const mapper::Dataset& validation, const std::vector<float>& mean,
                                    const std::vector<float>& stddev,
                                    const mapper::StatisticsImages& statistics, int batch);

}  // namespace odimo::search
