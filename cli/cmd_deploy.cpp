// odimo deploy DIR: a search or sweep point run bit-true on the CUs' integer
// pipelines (mapper/deploy/, hw/cu/integer_behaviour.h).
#include <iostream>

#include "cli/command_line.h"
#include "cli/registry.h"
#include "cli/table.h"
#include "hw/cu/analog_nonideality.h"
#include "mapper/deploy/deploy_run.h"
#include "mapper/search_files/search_report.h"
#include "mapper/tensor/limits.h"
#include "proto/error.h"
#include "proto/output_file.h"

namespace odimo::cli {
namespace {

int run_deploy(const deploy::DeployConfig& c) {
  // The outputs checked before the work (minutes of integer inference), once DIR is a result.
  const proto::SearchReport rep = search::read_search_report(c.dir);
  check_output_files({{"--out", deploy::deployed_file(c)},
                      {"DIR", deploy::records_in_report(c) ? c.dir + "/report.json" : ""}},
                     {{"DIR", c.dir + "/" + rep.mapping_file()},
                      {"DIR", c.dir + "/" + rep.weights_file()},
                      {"the report's soc_file", search::soc_source(rep)},
                      {"the report's network_file", search::network_source(rep)}});
  const proto::DeployReport d = deploy::deploy_point(c, std::cerr);
  double sat = 0;
  for (const auto& l : d.layers()) sat = std::max(sat, l.saturation());
  std::cout << "deploy " << c.dir << ": integer test accuracy " << fixed(100 * d.test_accuracy(), 2)
            << " % (training engine " << fixed(100 * d.trained_test_accuracy(), 2) << " %, same class on "
            << fixed(100 * d.argmax_agreement(), 2) << " % of " << d.images()
            << " images), max logit deviation " << fixed(d.max_logit_deviation(), 4) << ", ADC saturation "
            << fixed(100 * d.adc_saturation(), 3) << " % (worst layer " << fixed(100 * sat, 3)
            << " %), aimc noise " << c.aimc_noise.text();
  if (d.chips() > 0)
    std::cout << ", mean of " << d.chips() << " chip instances (worst "
              << fixed(100 * d.worst_test_accuracy(), 2) << " %)";
  std::cout << "\n";
  return 0;
}

Action define_deploy(CLI::App& app) {
  auto c = std::make_shared<deploy::DeployConfig>();
  app.add_option("DIR", c->dir, "a search or sweep point folder (report.json, mapping.pbtxt, weights.pb)")
      ->required();
  app.add_option("--dataset", c->dataset, "test set (default: the report's)");
  add_noise_option(app, "--aimc-noise", c->aimc_noise,
                   "Gaussian read noise on each AIMC column sum before the ADC, sigma as a fraction of the\n"
                   "ADC full scale (2^(adc_bits-1) LSB) or NLSB, e.g. 1lsb (assumption)");
  app.add_option("--chips", c->chips,
                 "run on N chip instances, each with the column gain and offset mismatch the SoC file\n"
                 "states (seeded by --seed); test_accuracy is their mean (0: the ideal chip)")
      ->default_val(0)
      ->check(count_range(0, kMaxChips));
  app.add_option("--seed", c->seed, "seed of the noise and of the chip instances")->default_val(1);
  app.add_option("--out", c->out, "FILE (default DIR/deployed.json)");
  app.add_option("--threads", c->threads, "images in parallel")
      ->default_val(2)
      ->check(count_range(1, mapper::kMaxThreads));
  app.add_option("--calibration-images", c->calibration_images,
                 "training images the ADC gains are calibrated on")
      ->default_val(256)
      ->check(count_range(1, 1 << 24));
  app.add_option("--images", c->max_images, "only the first N test images (0: all)")
      ->default_val(0)
      ->check(count_range(0, 1 << 24));
  app.add_flag_callback(
      "--quiet", [c] { c->progress = false; }, "no progress bar");
  app.footer(
      "Folds batch norm, converts the trained network to the integer pipelines of the CUs the mapping\n"
      "puts each channel on (AIMC: 7-bit rows, ternary weights, 6-bit ADC with a calibrated power-of-two\n"
      "gain per layer; digital: int8), runs the test set and writes test_accuracy, per-layer ADC\n"
      "saturation and the largest deviation from the training engine to FILE and to DIR/report.json.");
  return [c] { return run_deploy(*c); };
}

}  // namespace

static const Registration kDeploy({"deploy", "run a search result bit-true on the integer pipelines", 72,
                                   define_deploy});

}  // namespace odimo::cli
