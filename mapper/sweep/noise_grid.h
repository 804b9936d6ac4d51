#pragma once
// A sweep's read-noise grid (proto/sweep.proto: aimc_noise_lsb, noise_aware_lambda,
// adc_noise_lsb): every search point and baseline planned once per AIMC read-noise level,
// sigma in ADC LSBs, deployed at that level and, when noise-aware, trained at it. The
// level is a word of the point's label ("lambda=4 noise=1lsb seed=2"), by which the
// results are split into one front per level.
#include <optional>
#include <string>
#include <vector>

#include "proto/search.pb.h"
#include "proto/sweep.pb.h"

namespace odimo::sweep {

// Checks the spec's noise fields: levels finite in [0, kMaxNoiseLsb] and listed once, each
// noise given in one unit, noise_aware_lambda only with a grid and without adc_aware.
void check_noise(const proto::SweepSpec& spec, const std::string& origin);

// The levels every point is planned at, in the spec's order: the grid, or one unset level
// (no grid: every point once, as without this file).
std::vector<std::optional<double>> noise_levels(const proto::SweepSpec& spec);

// " noise=1lsb": the label word of a level; "" for an unset one.
std::string noise_word(const std::optional<double>& level_lsb);
// The level named by a label's noise word, if it has one.
std::optional<double> label_noise(const std::string& label);
// The label without its noise word: "lambda=4 noise=1lsb soc=x" -> "lambda=4 soc=x".
std::string label_without_noise(const std::string& label);

// The training noise of a point's search: the spec's adc_aware and adc_noise (or adc_noise_lsb),
// or, for a point at a grid level that trains noise-aware (`noise_aware`: the spec's adc_aware
// or a noise_aware_lambda point), ADC-aware training with sigma = the level in LSBs.
void set_training_noise(proto::SearchConfig& config, const proto::SweepSpec& spec,
                        const proto::SweepPoint& point, bool noise_aware);

}  // namespace odimo::sweep
