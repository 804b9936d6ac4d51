#pragma once
// `odimo deploy DIR`: a search or sweep point (report.json, mapping.pbtxt,
// weights.pb) converted to the integer network (integer_network.h) and run on the
// test set. Writes FILE (default DIR/deployed.json) and, when FILE is DIR/deployed.json,
// DIR/report.json's `deployed` (the deployment the point's fronts are drawn on).
#include <cstdint>
#include <iosfwd>
#include <string>

#include "hw/cu/analog_nonideality.h"
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

}  // namespace odimo::deploy
