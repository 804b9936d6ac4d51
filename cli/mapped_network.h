#pragma once
// --soc SOC --net NET [--input CxHxW] [--mapping FILE|all:CU], shared by the
// commands that run or predict one mapped network (simulate, cost).
#include <optional>
#include <string>

#include "workloads/network.h"

namespace CLI {
class App;
}

namespace odimo::cli {

struct MappedNetworkChoice {
  std::string soc, net, input, mapping;
};

void add_mapped_network_options(CLI::App& app, MappedNetworkChoice& choice);

// --input CxHxW when given (Error naming the option otherwise).
std::optional<Shape> input_shape(const std::string& text);

}  // namespace odimo::cli
