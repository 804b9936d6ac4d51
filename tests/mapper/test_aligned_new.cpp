// mapper/tensor/aligned_new.cpp, linked into this program: every heap block 64-byte
// aligned, blocks of 2 MiB and more 2 MiB aligned, each usable over its whole size.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace {
std::uintptr_t address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}
}  // namespace

TEST_CASE("operator new: blocks 64-byte aligned, 2 MiB aligned from 2 MiB on, usable to their end") {
  const std::size_t huge = std::size_t(2) << 20;
  std::vector<std::unique_ptr<unsigned char[]>> blocks;
  for (std::size_t n :
       {std::size_t(0), std::size_t(1), std::size_t(8), std::size_t(63), std::size_t(64), std::size_t(65),
        std::size_t(1000), std::size_t(4096), std::size_t(200000), huge - 1, huge, huge + 1, 3 * huge})
    for (int k = 0; k < 3; ++k) {
      blocks.emplace_back(new unsigned char[n]);
      unsigned char* p = blocks.back().get();
      CHECK(address(p) % (n >= huge ? huge : 64) == 0);
      if (n > 0) std::memset(p, 0xab, n);  // the whole block belongs to it
    }
  // Freed and allocated again in another order: still aligned.
  for (size_t i = 0; i < blocks.size(); i += 2) blocks[i].reset();
  for (int n = 1; n < 300; n += 7) {
    std::unique_ptr<double> d(new double(n));
    CHECK(address(d.get()) % 64 == 0);
  }
  CHECK(std::unique_ptr<int>(new (std::nothrow) int(7)) != nullptr);
}
