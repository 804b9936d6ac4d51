#pragma once
// `odimo deploy DIR`: a search or sweep point (report.json, mapping.pbtxt,
// weights.pb) converted to the integer network (integer_network.h) and run on the
// test set. Writes FILE (default DIR/deployed.json) and, when FILE is DIR/deployed.json,
// DIR/report.json's `deployed` (the deployment the point's fronts are drawn on).
#include <cstdint>
#include <iosfwd>
#include <string>

#include "hw/cu/analog_nonideality.h"
#include "hw/mapping.h"
#include "mapper/data/data.h"
#include "mapper/deploy/integer_network.h"
#include "mapper/search/arch.h"
#include "proto/search.pb.h"

namespace odimo::deploy {

struct DeployConfig {
  std::string dir;
  std::string dataset;   // "" = the report's
  std::string out;       // "" = DIR/deployed.json
  ReadNoise aimc_noise;  // read noise on each AIMC column sum (hw/cu/analog_nonideality.h)
  uint64_t seed = 1;     // of the noise and of the chip instances
  // > 0: run on this many chip instances, each with the column mismatch the SoC file states
  // (drawn from `seed`); test_accuracy is their mean. 0: the ideal chip, no mismatch.
  int chips = 0;
  int threads = 2;
  int calibration_images = 256;  // training images the ADC gains are calibrated on
  int max_images = 0;            // > 0: only the first test images (quick runs, tests)
  bool progress = true;
};

// FILE: --out, or DIR/deployed.json.
std::string deployed_file(const DeployConfig& config);

// Whether the deployment is the point's own (FILE is DIR/deployed.json, however
// spelled): only then is it recorded in DIR/report.json. A deployment written
// elsewhere (`--out DIR/deployed-sigma0.05.json`) leaves the report as it was.
bool records_in_report(const DeployConfig& config);

proto::DeployReport deploy_point(const DeployConfig& config, std::ostream& log);

// The steps of a deployment, shared with the sensitivity baseline (sensitivity.h).

// Output channel -> CU index of every layer, from the mapping file (listed layers) or the
// resolved mapping's single share.
std::vector<std::vector<int>> channel_cus(const Network& net, const SocDescription& soc,
                                          const proto::Mapping& mapping, const ResolvedMapping& resolved,
                                          const std::string& origin);
// The deployment permutation of each layer (identity when the file gives none); checked: a
// permutation, and each CU's channels contiguous in SoC order.
std::vector<std::vector<int>> deployment_orders(const Network& net, const proto::Mapping& mapping,
                                                const std::vector<std::vector<int>>& cus,
                                                const std::string& origin);
// The searchable layers' relaxations forced and frozen to the channels' CUs.
void freeze_to_mapping(const std::vector<search::SearchableLayer>& space,
                       std::vector<search::LayerArch*>& archs, const std::vector<std::vector<int>>& cus);
// The first n images of `d` as the training engine evaluates them (normalised, whole images or
// an image folder's centre crop).
std::vector<float> normalised_images(const mapper::Dataset& d, const mapper::DataSplits& splits, int n);
// Each AIMC layer's ADC gain: an ADC-aware checkpoint's (buffer <layer>.adc_shift), else the
// smallest shift that keeps the largest column sum of the n images x in range. Returns each
// weighted layer's source ("trained", "calibrated"; "" without AIMC channels).
std::vector<std::string> choose_adc_shifts(IntegerNetwork& net, mapper::Model& model, const float* x, int n,
                                           int64_t image_elems);

}  // namespace odimo::deploy
