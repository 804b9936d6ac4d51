// odimo import MODEL.onnx -o NET.pbtxt [--weights W.pb]: an ONNX model as an odimo network
// file, for users who want to read or edit it (every command also takes the .onnx itself),
// and its initializers as a weights file for --init (mapper/train/initial_weights.h).
#include <filesystem>
#include <iostream>

#include "cli/command_line.h"
#include "cli/registry.h"
#include "mapper/train/checkpoint.h"
#include "mapper/train/initial_weights.h"
#include "proto/error.h"
#include "proto/output_file.h"
#include "proto/proto_io.h"
#include "workloads/network.h"
#include "workloads/onnx_import.h"

namespace odimo::cli {
namespace {

struct ImportOptions {
  std::string model, out, weights;
};

int run_import(const ImportOptions& o) {
  if (std::filesystem::path(o.model).extension() != ".onnx")
    throw Error(o.model + ": expected an ONNX model (a .onnx file)");
  check_output_files({{"--out", o.out}, {"--weights", o.weights}}, {{"MODEL", o.model}});
  const OnnxImport imported = import_onnx(o.model);
  const Network net = build_network(imported.net, o.model);  // shapes inferred and checked first
  check_recorded_shapes(imported, net, o.model);
  proto::Checkpoint weights;  // converted and checked before anything is written
  if (!o.weights.empty()) weights = mapper::onnx_weights(imported, net, o.model);
  write_file_atomic(o.out, "# Imported by `odimo import " + o.model + "`: the network only" +
                               (o.weights.empty() ? ", no weights" : "; its weights are in " + o.weights) +
                               ".\n" + to_text_proto(imported.net));
  std::cout << "wrote " << o.out << ": " << net.name << ", " << net.layers.size() << " layers, "
            << net.total_macs() << " MACs, " << net.total_params() << " params\n";
  if (!o.weights.empty()) {
    mapper::save_checkpoint(o.weights, weights);
    std::cout << "wrote " << o.weights << ": " << weights.parameters_size() + weights.buffers_size()
              << " tensors (odimo train/search --init)\n";
  }
  return 0;
}

Action define_import(CLI::App& app) {
  auto o = std::make_shared<ImportOptions>();
  app.add_option("MODEL", o->model, "an ONNX model (torch.onnx.export, opsets 11-17)")->required();
  app.add_option("-o,--out", o->out, "network file to write (.pbtxt)")->required();
  app.add_option("--weights", o->weights,
                 "W.pb: also write the initializers (parameters and batch-norm statistics, binary\n"
                 "proto::Checkpoint in odimo's layout) for odimo train/search --init W.pb");
  app.footer(
      "Converts the graph of MODEL into odimo's network format (proto/network.proto): Conv, "
      "BatchNormalization,\n"
      "Relu, Clip 0..6, Add, pooling, Flatten/Reshape, Gemm, MatMul + Add. Every command taking NET accepts\n"
      "the .onnx directly; see README.md \"Your own network\".");
  return [o] { return run_import(*o); };
}

}  // namespace

static const Registration kImport({"import", "an ONNX model as an odimo network file", 12, define_import});

}  // namespace odimo::cli
