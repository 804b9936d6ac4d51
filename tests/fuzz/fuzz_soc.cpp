// The SoC description (hw/soc_description.h): --soc FILE.
#include "hw/soc_description.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = odimo::fuzz::write_input("soc.pbtxt", data, size);
  return odimo::fuzz::expect_error_or_success([&] { (void)odimo::load_soc(path); });
}
