#pragma once
// Layer suites: the micro-benchmarks calibration fits on and validation checks
// (proto/calibration.proto, files in validation/suites/<soc>.pbtxt).
#include <cstdint>
#include <string>
#include <vector>

#include "hw/mapping.h"
#include "hw/soc_description.h"
#include "proto/calibration.pb.h"
#include "workloads/network.h"

namespace odimo::validation {

// Builds a suite for `soc`: every distinct conv/depthwise/linear geometry of the
// CIFAR-size shipped workloads, plus `random_cases` seeded random geometries
// (channels 3-1024, spatial 1-112, kernels 1/3/5/7, strides 1/2, depthwise,
// linear, add, pooling), each at split points between the SoC's two
// accelerators (all, 3/4, 1/2, 1/4, none) where both can run it. Every fifth
// case is held out. Deterministic: the same SoC and seed give the same suite.
proto::Suite generate_suite(const SocDescription& soc, uint32_t seed, int random_cases);

// Where shipped suites live: $ODIMO_SUITES, else the source tree's validation/suites.
std::string suites_dir();
// `spec` is a path, or "" for the shipped suite of `soc` (<suites dir>/<soc name>.pbtxt).
proto::Suite load_suite(const std::string& spec, const SocDescription& soc, std::string* origin);

// One (case, split) pair, ready to simulate or to cost.
struct SuitePoint {
  std::string name;  // "<case>/<split index>"
  Layer layer;
  LayerSplit split;
  bool holdout = false;
  int cus = 0;  // CUs with channels
};

// Validates every case (shapes, mapping rules) and expands its splits; errors
// name `origin` and the case.
std::vector<SuitePoint> expand_suite(const proto::Suite& suite, const SocDescription& soc,
                                     const std::string& origin);

}  // namespace odimo::validation
