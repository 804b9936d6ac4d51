// odimo inspect NET [--input CxHxW] [--json]: the per-layer view of a network;
// odimo workloads: the shipped networks.
#include <iostream>
#include <sstream>

#include "cli/command_line.h"
#include "cli/mapped_network.h"
#include "cli/registry.h"
#include "cli/table.h"
#include "proto/error.h"
#include "proto/json_string.h"
#include "proto/output_file.h"
#include "proto/proto_io.h"
#include "workloads/network.h"
#include "workloads/zoo.h"

namespace odimo::cli {
namespace {

std::string geometry(const Layer& l) {
  switch (l.op) {
    case Op::kConv2d:
    case Op::kDepthwise:
    case Op::kAvgPool:
    case Op::kMaxPool: {
      std::string s =
          std::to_string(l.kernel) + "x" + std::to_string(l.kernel) + "/" + std::to_string(l.stride);
      if (l.padding) s += " p" + std::to_string(l.padding);
      if (l.groups > 1) s += " g" + std::to_string(l.groups);
      return s;
    }
    default:
      return "";
  }
}

std::string input_names(const Network& net, const Layer& l) {
  std::string s;
  for (int i : l.inputs)
    s += (s.empty() ? "" : ",") + (i == kNetworkInput ? std::string("input") : net.layers[i].name);
  return s;
}

void print_table(const Network& net) {
  std::cout << net.name << " (" << net.origin << "), input " << net.input.str() << ", " << net.layers.size()
            << " layers\n\n";
  Table t({"#", "layer", "op", "input", "output", "k/s", "MACs", "params", "act in B", "act out B"},
          {true, false, false, false, false, false, true, true, true, true});
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    t.add({std::to_string(i), l.name, op_name(l.op), l.in.str(), l.out.str(), geometry(l),
           l.macs ? grouped(l.macs) : "", l.params ? grouped(l.params) : "", grouped(l.in_bytes),
           grouped(l.out_bytes)});
  }
  t.separator();
  t.add({"", "total", "", "", "", "", grouped(net.total_macs()), grouped(net.total_params()), "", ""});
  t.print(std::cout);
  std::cout << "\n"
            << si(double(net.total_macs())) << "MAC and " << si(double(net.total_params()))
            << " parameters per sample. MACs count conv and linear multiply-accumulates; params count\n"
               "weights, biases and batch-norm scale/shift; activation bytes assume 8-bit values.\n";
}

void print_json(const Network& net) {
  std::ostringstream o;
  o << "{\n  \"network\": " << json_string(net.name) << ",\n  \"origin\": " << json_string(net.origin)
    << ",\n  \"input\": " << json_string(net.input.str()) << ",\n  \"layers\": [\n";
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    o << "    {\"name\": " << json_string(l.name) << ", \"op\": " << json_string(op_name(l.op))
      << ", \"inputs\": " << json_string(input_names(net, l)) << ", \"input_shape\": [" << l.in.c << ", "
      << l.in.h << ", " << l.in.w << "], \"output_shape\": [" << l.out.c << ", " << l.out.h << ", " << l.out.w
      << "], \"kernel\": " << l.kernel << ", \"stride\": " << l.stride << ", \"padding\": " << l.padding
      << ", \"groups\": " << l.groups << ", \"macs\": " << l.macs << ", \"params\": " << l.params
      << ", \"input_bytes\": " << l.in_bytes << ", \"output_bytes\": " << l.out_bytes << "}"
      << (i + 1 < net.layers.size() ? "," : "") << "\n";
  }
  o << "  ],\n  \"total\": {\"macs\": " << net.total_macs() << ", \"params\": " << net.total_params()
    << ", \"layers\": " << net.layers.size() << "}\n}\n";
  std::cout << o.str();
}

struct InspectOptions {
  std::string net, input;
  bool json = false;
};

Action define_inspect(CLI::App& app) {
  auto o = std::make_shared<InspectOptions>();
  app.add_option("NET", o->net, "a .pbtxt or .onnx path, or a shipped workload (odimo workloads)")
      ->required();
  add_input_option(app, o->input);
  app.add_flag("--json", o->json, "machine-readable output");
  app.footer("Prints every layer of NET with shapes, MACs and parameters.");
  return [o] {
    Network net = load_network(o->net, input_shape(o->input));
    if (o->json)
      print_json(net);
    else
      print_table(net);
    return 0;
  };
}

struct WorkloadsOptions {
  std::string write;
};

int list_workloads() {
  Table t({"workload", "input", "layers", "MACs", "params"}, {false, false, true, true, true});
  for (const auto& name : shipped_workloads()) {
    Network net = load_network(name);
    t.add({name, net.input.str(), std::to_string(net.layers.size()), si(double(net.total_macs())),
           si(double(net.total_params()))});
  }
  std::cout << "Shipped workloads in " << workloads_dir() << ":\n\n";
  t.print(std::cout);
  return 0;
}

Action define_workloads(CLI::App& app) {
  auto o = std::make_shared<WorkloadsOptions>();
  app.add_option("--write", o->write, "regenerate the shipped .pbtxt files into DIR from workloads/zoo.cpp");
  app.footer("Lists the shipped networks with their size.");
  return [o] {
    if (o->write.empty()) return list_workloads();
    check_output_dir(o->write, "--write");
    for (const auto& e : zoo()) {
      const std::string path = o->write + "/" + e.file_stem + ".pbtxt";
      write_file_atomic(
          path, "# Generated by `odimo workloads --write` from workloads/zoo.cpp; edit the builder.\n" +
                    to_text_proto(e.net));
      std::cout << "wrote " << path << "\n";
    }
    return 0;
  };
}

}  // namespace

static const Registration kInspect({"inspect", "per-layer shapes, MACs and parameters of a network", 10,
                                    define_inspect});
static const Registration kWorkloads({"workloads", "list the shipped networks (or regenerate their files)",
                                      90, define_workloads});

}  // namespace odimo::cli
