// A calibration file (mapper/cost/calibrated_model.h): --calibration FILE, for DIANA,
// and the calibrated model built on it predicting one layer.
#include "hw/soc_description.h"
#include "mapper/cost/calibrated_model.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const odimo::SocDescription soc = odimo::load_soc("diana");
  const std::string path = odimo::fuzz::write_input("calibration.pbtxt", data, size);
  return odimo::fuzz::expect_error_or_success([&] {
    std::string origin;
    (void)odimo::cost::load_calibration(path, soc, &origin);
  });
}
