#include "validation/nnls.h"

#include <limits>
#include <vector>

namespace odimo {
namespace {

// Unconstrained least squares on the columns in `passive` (others are 0).
Eigen::VectorXd solve_passive(const Eigen::MatrixXd& A, const Eigen::VectorXd& b,
                              const std::vector<bool>& passive) {
  std::vector<int> cols;
  for (int j = 0; j < int(passive.size()); ++j)
    if (passive[j]) cols.push_back(j);
  Eigen::MatrixXd sub(A.rows(), Eigen::Index(cols.size()));
  for (size_t k = 0; k < cols.size(); ++k) sub.col(Eigen::Index(k)) = A.col(cols[k]);
  const Eigen::VectorXd z_sub = sub.colPivHouseholderQr().solve(b);
  Eigen::VectorXd z = Eigen::VectorXd::Zero(A.cols());
  for (size_t k = 0; k < cols.size(); ++k) z(cols[k]) = z_sub(Eigen::Index(k));
  return z;
}

}  // namespace

NnlsResult nnls(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, int max_iterations) {
  const int n = int(A.cols());
  if (max_iterations <= 0) max_iterations = 3 * n + 10;
  NnlsResult r;
  r.x = Eigen::VectorXd::Zero(n);
  std::vector<bool> passive(n, false);
  const double tol = 1e-10 * (A.norm() * b.norm() + 1.0);
  for (r.iterations = 0; r.iterations < max_iterations; ++r.iterations) {
    const Eigen::VectorXd w = A.transpose() * (b - A * r.x);  // negative gradient
    int best = -1;
    double best_w = tol;
    for (int j = 0; j < n; ++j)
      if (!passive[j] && w(j) > best_w) best_w = w(best = j);
    if (best < 0) {
      r.converged = true;
      return r;
    }
    passive[best] = true;
    // Inner loop: step toward the unconstrained solution on the passive set,
    // stopping at the first coefficient that would turn negative.
    for (int inner = 0; inner <= n; ++inner) {
      const Eigen::VectorXd z = solve_passive(A, b, passive);
      double alpha = std::numeric_limits<double>::infinity();
      for (int j = 0; j < n; ++j)
        if (passive[j] && z(j) <= 0) alpha = std::min(alpha, r.x(j) / (r.x(j) - z(j)));
      if (alpha == std::numeric_limits<double>::infinity()) {
        r.x = z;
        break;
      }
      r.x += alpha * (z - r.x);
      for (int j = 0; j < n; ++j)
        if (passive[j] && r.x(j) <= 1e-14) {
          passive[j] = false;
          r.x(j) = 0;
        }
    }
  }
  return r;
}

}  // namespace odimo
