#pragma once
// Non-negative least squares: min ||A x - b||_2 subject to x >= 0
// (Lawson & Hanson, "Solving Least Squares Problems", 1974, ch. 23, the active-set
// algorithm). Calibration fits cost-model coefficients with it so that every
// coefficient keeps its physical sign (cycles per MAC, per byte, per transfer).
#include <Eigen/Dense>

namespace odimo {

struct NnlsResult {
  Eigen::VectorXd x;
  int iterations = 0;
  bool converged = false;
};

NnlsResult nnls(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, int max_iterations = 0);

}  // namespace odimo
