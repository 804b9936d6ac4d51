// The ONNX importer (workloads/onnx_import.h): odimo import MODEL.onnx, imported,
// built into a Network and checked against the shapes the file records.
#include "tests/fuzz/fuzz_input.h"
#include "workloads/network.h"
#include "workloads/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = odimo::fuzz::write_input("model.onnx", data, size);
  return odimo::fuzz::expect_error_or_success([&] {
    const odimo::OnnxImport imported = odimo::import_onnx(path);
    const odimo::Network net = odimo::build_network(imported.net, path);
    odimo::check_recorded_shapes(imported, net, path);
  });
}
