#pragma once
// Eigen chooses the block sizes of its matrix products (and with them the order in which a
// product's terms are summed) from the L1/L2/L3 cache sizes it detects on the running CPU, so
// the same binary, inputs and seed gave different bits on machines with other caches (a 32 KiB
// instead of a 48 KiB L1 changes a conv GEMM's result). The training engine fixes them once,
// before its first product, to the values of the machine its reference results were computed
// on: results then depend on the binary and the thread count only. Speed may differ slightly
// on other cache sizes; the bits do not.
#include <cstddef>

namespace odimo::mapper {

inline constexpr std::ptrdiff_t kEigenL1Bytes = 49152, kEigenL2Bytes = 1048576, kEigenL3Bytes = 532676608;

// Sets Eigen's cache sizes to the constants above; idempotent. Returns true.
bool fix_eigen_blocking();

}  // namespace odimo::mapper
