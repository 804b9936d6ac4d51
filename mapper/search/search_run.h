#pragma once
// One ODiMO search (or one baseline) end to end, without the simulator:
// warmup -> search (weights, quantizer parameters and architecture logits, loss =
// cross-entropy + lambda * cost / cost of the all-default mapping) -> discretise ->
// refine the splits (refine.h) -> fine-tune with the mapping frozen, keeping the weights with the best
// validation accuracy -> test accuracy, exported mapping and weights, analytic cost. `odimo replay` adds the
// simulated cost (cli/, SystemC).
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "hw/cu/analog_nonideality.h"
#include "mapper/cost/cost_model.h"
#include "mapper/nn/model.h"
#include "mapper/search/arch.h"
#include "mapper/search/network_cost.h"
#include "proto/search.pb.h"

namespace odimo::search {

// A search as the engine runs it. The fields it shares with proto::SearchConfig start at that
// message's defaults (search_config.h, their one home); the others are the engine's own.
struct SearchConfig {
  SearchConfig();
  std::string net;
  std::optional<Shape> input;
  std::string dataset;
  double lambda = 1.0;  // weight of cost / cost(all on the default CU)
  Target target = Target::kLatency;
  int warmup_epochs, search_epochs, finetune_epochs;
  int batch;
  int steps_per_epoch;  // > 0: cut each epoch (quick runs, tests)
  int threads;
  uint64_t seed;
  double lr;                        // weights: SGD, momentum 0.9, weight decay 5e-4, cosine per phase
  double arch_lr;                   // architecture logits: Adam (ODiMO: Adam 1e-3 over 200 epochs)
  double rel_temperature = 0.05;    // smooth max over CUs, relative to the layer's own cost
  double final_temperature = 0.02;  // softmax temperature reached at the end of the search
  bool compat;                      // ODiMO's quirks (temperature e^-0.045/epoch, sign(0) = 0)
  // After the last search epoch, refine each layer's split on the discrete cost (refine.h;
  // odimo's addition, not the paper's). Its record is an epoch of phase "refine".
  bool refine;
  double val_fraction = 0.1;
  // Baselines: skip warmup and search, fine-tune this assignment (per searchable layer).
  std::optional<std::vector<std::vector<int>>> fixed;
  // Pretrained float weights every CU's copy starts from (mapper/train/initial_weights.h): a float
  // `odimo train` checkpoint, an `odimo import --weights` file or a .onnx; empty: random.
  std::string init;
  // The assignment the init weights were trained with (a search or baseline's weights.pb): the
  // quantizers of options it leaves idle are re-derived from the loaded weights
  // (rederive_idle_quantizers). Unset: a float file, every quantizer is derived from it already.
  std::optional<std::vector<std::vector<int>>> init_assignment;
  std::string label;    // report label ("lambda=..." by default)
  std::string out_dir;  // mapping.pbtxt, weights.pb, report.json (atomic); empty: none
  // out_dir/search-checkpoint.pb is written after every epoch; resume: continue from it (same
  // bytes as an uninterrupted run; a checkpoint of other options is an error).
  bool resume = false;
  int stop_after_epochs = 0;  // > 0: return an empty report after this many epochs, as if killed (tests)
  bool progress = true;
  // ADC-aware training (mapper/nn/adc.h): the AIMC option of every searchable conv/linear
  // layer converts its row tiles' column sums through the ADC, in warmup, search and
  // fine-tune; adc_noise: training-time read noise (hw/cu/analog_nonideality.h), from
  // adc_noise (a fraction of the ADC full scale) or adc_noise_lsb (ADC LSBs).
  bool adc_aware;
  ReadNoise adc_noise;
  // Thermometric layers: channels with m_c below it skip the conv branch where its output is
  // not needed (ThermometricNode, search_nodes.h); 0: every channel computed.
  double conv_branch_threshold;
};

// The engine's view of a checked configuration: its input shape and target parsed, the read
// noise in the form given, the label defaulted ("lambda=L" or the baseline). Not the
// baseline's assignment (`fixed`: it needs the network and the cost model), nor where the
// results go.
SearchConfig engine_config(const proto::SearchConfig& config);

// The options that change a search's trajectory, as one line (search-checkpoint.pb).
std::string search_fingerprint(const SearchConfig& config, const std::string& soc,
                               const std::string& cost_model);

// The model a search trains on `soc` (every layer in the number format of the CU running it,
// mapper/search/quantization.h; the searchable layers' relaxations; their architecture parameters in *archs).
// `soc` and `archs` must outlive the model.
std::unique_ptr<mapper::Model> make_search_model(const Network& net, const SocDescription& soc,
                                                 const std::vector<SearchableLayer>& space, uint64_t seed,
                                                 int threads, bool compat, std::vector<LayerArch*>* archs,
                                                 const mapper::AdcTraining* adc = nullptr);

// Runs one point; `cost` scores the search (its target), `compat` is reported next to it.
proto::SearchReport run_search(const SearchConfig& config, const SocDescription& soc,
                               const cost::CostModel& cost, const cost::CostModel& compat, std::ostream& log);

}  // namespace odimo::search
