// A sweep spec (mapper/sweep/plan.h): odimo sweep plan SPEC, read, checked, expanded.
#include "mapper/sweep/plan.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = odimo::fuzz::write_input("spec.sweep.pbtxt", data, size);
  return odimo::fuzz::expect_error_or_success([&] {
    const odimo::proto::SweepSpec spec = odimo::sweep::read_spec(path);
    (void)odimo::sweep::expand(spec);
  });
}
