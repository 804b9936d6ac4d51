// The network text format (workloads/network.h): odimo inspect/simulate --net FILE.
#include "tests/fuzz/fuzz_input.h"
#include "workloads/network.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = odimo::fuzz::write_input("net.pbtxt", data, size);
  return odimo::fuzz::expect_error_or_success([&] {
    const odimo::Network net = odimo::load_network(path);
    (void)net.total_macs();
    (void)net.total_params();
  });
}
