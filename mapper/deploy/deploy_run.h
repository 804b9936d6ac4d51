#pragma once
// `odimo deploy DIR`: a search or sweep point (report.json, mapping.pbtxt,
// weights.pb) converted to the integer network (integer_network.h) and run on the
// test set. Writes FILE (default DIR/deployed.json) and DIR/report.json's `deployed`.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "proto/search.pb.h"

namespace odimo::deploy {

struct DeployConfig {
  std::string dir;
  std::string dataset;  // "" = the report's
  std::string out;      // "" = DIR/deployed.json
  double aimc_noise = 0;
  uint64_t seed = 1;
  int threads = 2;
  int calibration_images = 256;  // training images the ADC gains are calibrated on
  int max_images = 0;            // > 0: only the first test images (quick runs, tests)
  bool progress = true;
};

proto::DeployReport deploy_point(const DeployConfig& config, std::ostream& log);

}  // namespace odimo::deploy
