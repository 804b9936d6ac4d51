// A mapping file (hw/mapping.h): --mapping FILE, against tiny on DIANA.
#include "hw/mapping.h"
#include "hw/soc_description.h"
#include "tests/fuzz/fuzz_input.h"
#include "workloads/network.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const odimo::SocDescription soc = odimo::load_soc("diana");
  static const odimo::Network net = odimo::load_network("tiny");
  const std::string path = odimo::fuzz::write_input("mapping.pbtxt", data, size);
  return odimo::fuzz::expect_error_or_success([&] { (void)odimo::resolve_mapping(net, soc, path); });
}
