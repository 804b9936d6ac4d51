// Non-negative least squares: exact recovery, the constraint, optimality (KKT).
#include <doctest/doctest.h>

#include "validation/nnls.h"

using namespace odimo;

TEST_CASE("nnls recovers non-negative coefficients exactly") {
  Eigen::MatrixXd A(6, 3);
  A << 1, 2, 0, 2, 1, 1, 3, 0, 1, 4, 1, 0, 5, 3, 2, 6, 1, 1;
  const Eigen::Vector3d x_true(0.5, 2.0, 7.0);
  const NnlsResult r = nnls(A, A * x_true);
  REQUIRE(r.converged);
  CHECK((r.x - x_true).norm() < 1e-9);
}

TEST_CASE("nnls keeps coefficients >= 0 where least squares would go negative, and satisfies KKT") {
  Eigen::MatrixXd A(5, 2);
  A << 1, 1, 2, 1, 3, 1, 4, 1, 5, 1;
  Eigen::VectorXd b(5);
  b << 10, 8, 6, 4, 2;  // slope -2: unconstrained LS gives a negative slope
  const NnlsResult r = nnls(A, b);
  REQUIRE(r.converged);
  CHECK(r.x(0) == 0.0);
  CHECK(r.x(1) == doctest::Approx(6.0));  // best constant = mean(b)
  // KKT: gradient w = A^T (b - A x) <= 0 on the zero coefficients, = 0 on the positive ones.
  const Eigen::VectorXd w = A.transpose() * (b - A * r.x);
  CHECK(w(0) <= 1e-9);
  CHECK(std::abs(w(1)) < 1e-9);
}
