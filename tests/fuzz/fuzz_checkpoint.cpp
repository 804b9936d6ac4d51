// The checkpoint reader (mapper/train/checkpoint.h): odimo train --resume, read and
// restored into the tiny network with SGD and with Adam, as the trainer does.
#include "mapper/nn/model.h"
#include "mapper/train/checkpoint.h"
#include "mapper/train/optim.h"
#include "tests/fuzz/fuzz_input.h"
#include "workloads/network.h"

namespace {

struct Run {
  explicit Run(odimo::mapper::OptimizerKind kind)
      : model(net(), odimo::mapper::ModelOptions{}), opt(kind, model.parameters(), {}) {}
  static const odimo::Network& net() {
    static const odimo::Network n = odimo::load_network("tiny");
    return n;
  }
  odimo::mapper::Model model;
  odimo::mapper::Optimizer opt;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Run sgd(odimo::mapper::OptimizerKind::kSgd), adam(odimo::mapper::OptimizerKind::kAdam);
  const std::string path = odimo::fuzz::write_input("checkpoint.pb", data, size);
  return odimo::fuzz::expect_error_or_success([&] {
    const odimo::proto::Checkpoint ckpt = odimo::mapper::load_checkpoint(path);
    for (Run* r : {&sgd, &adam})
      odimo::fuzz::expect_error_or_success(
          [&] { odimo::mapper::restore_state(ckpt, path, r->model, r->opt); });
  });
}
