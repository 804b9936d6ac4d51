#pragma once
// --soc SOC --net NET [--input CxHxW] [--mapping FILE|all:CU], shared by the
// commands that run or predict one mapped network (simulate, cost).
#include <optional>
#include <string>
#include <vector>

#include "proto/output_file.h"

#include "workloads/network.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace odimo::cli {

struct MappedNetworkChoice {
  std::string soc, net, input, mapping;
};

void add_mapped_network_options(CLI::App& app, MappedNetworkChoice& choice);

// --soc, --net and --mapping as inputs no output may overwrite (proto/output_file.h).
std::vector<InputFile> network_inputs(const MappedNetworkChoice& choice);

// --soc SOC, --net NET and --input CxHxW, each declared here only (not required:
// the caller says so on the returned option when it is).
CLI::Option* add_soc_option(CLI::App& app, std::string& soc);
CLI::Option* add_net_option(CLI::App& app, std::string& net);
CLI::Option* add_input_option(CLI::App& app, std::string& input);

// --input CxHxW when given (Error naming the option otherwise).
std::optional<Shape> input_shape(const std::string& text);

}  // namespace odimo::cli
