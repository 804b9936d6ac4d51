#include "mapper/ops/eigen_blocking.h"

#include <Eigen/Core>

namespace odimo::mapper {

bool fix_eigen_blocking() {
  Eigen::setCpuCacheSizes(kEigenL1Bytes, kEigenL2Bytes, kEigenL3Bytes);
  return true;
}

}  // namespace odimo::mapper
