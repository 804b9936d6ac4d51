#include "cli/mapped_network.h"

#include <CLI/CLI.hpp>

namespace odimo::cli {

CLI::Option* add_soc_option(CLI::App& app, std::string& soc) {
  return app.add_option("--soc", soc, "a .pbtxt path or a shipped SoC (odimo socs)");
}

CLI::Option* add_net_option(CLI::App& app, std::string& net) {
  return app.add_option("--net", net, "a .pbtxt or .onnx path, or a shipped workload (odimo workloads)")
      ->default_str("");
}

CLI::Option* add_input_option(CLI::App& app, std::string& input) {
  return app.add_option("--input", input,
                        "input shape CxHxW: overrides the network's, shapes inferred again");
}

void add_mapped_network_options(CLI::App& app, MappedNetworkChoice& c) {
  add_soc_option(app, c.soc)->required();
  add_net_option(app, c.net)->required();
  add_input_option(app, c.input);
  app.add_option("--mapping", c.mapping,
                 "per-layer channel split (proto/mapping.proto, text format), or all:CU: every layer on CU\n"
                 "where it can run, the others fall back (noted); default: each layer on the default CU");
}

std::optional<Shape> input_shape(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return parse_shape(text, "--input");
}

std::vector<InputFile> network_inputs(const MappedNetworkChoice& choice) {
  return {{"--soc", choice.soc}, {"--net", choice.net}, {"--mapping", choice.mapping}};
}

}  // namespace odimo::cli
