#include "cli/mapped_network.h"

#include <CLI/CLI.hpp>

namespace odimo::cli {

void add_mapped_network_options(CLI::App& app, MappedNetworkChoice& c) {
  app.add_option("--soc", c.soc, "a .pbtxt path or a shipped SoC (odimo socs)")->required();
  app.add_option("--net", c.net, "a .pbtxt path or a shipped workload (odimo workloads)")->required();
  app.add_option("--input", c.input, "input shape CxHxW (default: the network's)");
  app.add_option("--mapping", c.mapping,
                 "per-layer channel split (proto/mapping.proto, text format), or all:CU: every layer on CU\n"
                 "where it can run, the others fall back (noted); default: each layer on the default CU");
}

std::optional<Shape> input_shape(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return parse_shape(text, "--input");
}

}  // namespace odimo::cli
