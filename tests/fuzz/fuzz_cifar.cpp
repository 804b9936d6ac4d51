// The CIFAR binary reader (mapper/data/data.h): --dataset cifar10:DIR and cifar100:DIR,
// the input as the test file of both.
#include "mapper/data/data.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  odimo::fuzz::write_input("test_batch.bin", data, size);
  odimo::fuzz::write_input("test.bin", data, size);
  const std::string& dir = odimo::fuzz::scratch_dir();
  odimo::fuzz::expect_error_or_success([&] { (void)odimo::mapper::load_cifar(dir, false, false); });
  return odimo::fuzz::expect_error_or_success([&] { (void)odimo::mapper::load_cifar(dir, true, false); });
}
