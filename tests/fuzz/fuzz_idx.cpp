// The IDX reader (mapper/data/data.h): --dataset fashion-mnist. The input is the images
// file, then "\n--labels--\n", then the labels file (gzip or plain: zlib reads both).
#include <algorithm>
#include <cstring>

#include "mapper/data/data.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char kSep[] = "\n--labels--\n";
  const uint8_t* end = data + size;
  const uint8_t* sep = std::search(data, end, kSep, kSep + std::strlen(kSep));
  const uint8_t* labels = sep == end ? end : sep + std::strlen(kSep);
  odimo::fuzz::write_input("train-images-idx3-ubyte.gz", data, size_t(sep - data));
  odimo::fuzz::write_input("train-labels-idx1-ubyte.gz", labels, size_t(end - labels));
  return odimo::fuzz::expect_error_or_success(
      [&] { (void)odimo::mapper::load_fashion_mnist(odimo::fuzz::scratch_dir(), true); });
}
