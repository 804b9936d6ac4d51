#pragma once
// Test helpers: central-difference gradient checks in double (ggml's
// test-backend-ops style: each op states its tolerance) and the PyTorch
// reference file reader.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace odimo::mapper::test {

inline std::vector<double> random_vector(size_t n, std::mt19937_64& rng, double lo = -1, double hi = 1) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = u(rng);
  return v;
}

// L(theta) = sum(dy * f(theta)) for a fixed random dy; `forward` recomputes
// f with the current values of `theta`. Checks analytic[i] against
// (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps) for every i, with
// |a - n| <= atol + rtol * |n|. Returns the largest error seen.
inline double check_gradient(const char* what, std::vector<double>& theta,
                             const std::vector<double>& analytic, const std::function<double()>& loss,
                             double atol = 1e-7, double rtol = 1e-6, double eps = 1e-6) {
  REQUIRE(theta.size() == analytic.size());
  double worst = 0;
  int failures = 0;
  for (size_t i = 0; i < theta.size(); ++i) {
    const double keep = theta[i];
    theta[i] = keep + eps;
    const double up = loss();
    theta[i] = keep - eps;
    const double down = loss();
    theta[i] = keep;
    const double numeric = (up - down) / (2 * eps);
    const double err = std::fabs(analytic[i] - numeric);
    worst = std::max(worst, err);
    if (err > atol + rtol * std::fabs(numeric) && ++failures <= 5)
      MESSAGE(what << "[" << i << "]: analytic " << analytic[i] << " numeric " << numeric);
  }
  CHECK_MESSAGE(failures == 0,
                what << ": " << failures << " of " << theta.size() << " gradients off, worst " << worst);
  return worst;
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// torch_reference.txt: "case.name count values..." per line.
inline const std::map<std::string, std::vector<double>>& torch_reference() {
  static const std::map<std::string, std::vector<double>> ref = [] {
    std::map<std::string, std::vector<double>> m;
    std::ifstream in(std::string(ODIMO_MAPPER_TEST_DIR) + "/torch_reference.txt");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream s(line);
      std::string name;
      size_t n = 0;
      s >> name >> n;
      std::vector<double> v(n);
      for (double& x : v) s >> x;
      m[name] = std::move(v);
    }
    return m;
  }();
  return ref;
}

inline const std::vector<double>& torch_ref(const std::string& name) {
  const auto& m = torch_reference();
  auto it = m.find(name);
  REQUIRE_MESSAGE(it != m.end(), "missing reference tensor " << name);
  return it->second;
}

}  // namespace odimo::mapper::test
