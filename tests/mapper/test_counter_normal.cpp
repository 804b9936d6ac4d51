// Counter-based normal draws (mapper/nn/counter_normal.h): a pure function of (key, index),
// standard normal to the precision a million draws can tell (fixed keys: the bounds below are
// many standard errors wide and the draws never change, so the checks cannot flake).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "mapper/nn/counter_normal.h"

using namespace odimo::mapper;

namespace {

constexpr int kDraws = 1000000;

std::vector<double> draws(uint64_t key) {
  const CounterNormal normal(key);
  std::vector<double> z(kDraws);
  for (int i = 0; i < kDraws; ++i) z[i] = normal(uint64_t(i));
  return z;
}

double phi(double x) {  // the standard normal CDF
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

}  // namespace

TEST_CASE("counter normal: a draw is a function of (key, index), in any order") {
  const CounterNormal a(7), b(7), other(8);
  std::vector<double> forward, backward(1000);
  for (uint64_t i = 0; i < 1000; ++i) forward.push_back(a(i));
  for (uint64_t i = 1000; i-- > 0;) backward[i] = b(i);
  CHECK(forward == backward);
  CHECK(a(12345) == a(12345));
  int same = 0;
  for (uint64_t i = 0; i < 1000; ++i) same += other(i) == a(i);
  CHECK(same == 0);
}

TEST_CASE("counter normal: mean 0, standard deviation 1, normal tails") {
  for (uint64_t key : {1ull, 0x5EEDull}) {
    const std::vector<double> z = draws(key);
    double sum = 0, squares = 0;
    int beyond1 = 0, beyond2 = 0, beyond3 = 0, tail = 0;  // |z| > 1, 2, 3 and > r = 3.44
    for (double v : z) {
      sum += v;
      squares += v * v;
      beyond1 += std::fabs(v) > 1;
      beyond2 += std::fabs(v) > 2;
      beyond3 += std::fabs(v) > 3;
      tail += std::fabs(v) > NormalZiggurat::kR;
    }
    const double mean = sum / kDraws, sd = std::sqrt(squares / kDraws - mean * mean);
    CHECK(std::fabs(mean) < 0.005);    // standard error 0.001
    CHECK(std::fabs(sd - 1) < 0.005);  // standard error 0.0007
    // Expected counts n p with standard error sqrt(n p (1 - p)): 317311 +- 465, 45500 +- 208,
    // 2700 +- 52, 576 +- 24; bounds at 5 standard errors or more.
    CHECK(std::abs(beyond1 - 317311) < 2500);
    CHECK(std::abs(beyond2 - 45500) < 1100);
    CHECK(std::abs(beyond3 - 2700) < 270);
    CHECK(std::abs(tail - int(std::lround(2 * kDraws * phi(-NormalZiggurat::kR)))) < 125);
  }
}

TEST_CASE("counter normal: the empirical CDF follows the normal one (Kolmogorov-Smirnov)") {
  std::vector<double> z = draws(3);
  std::sort(z.begin(), z.end());
  double d = 0;
  for (int i = 0; i < kDraws; ++i)
    d = std::max(
        {d, std::fabs(phi(z[i]) - double(i) / kDraws), std::fabs(phi(z[i]) - double(i + 1) / kDraws)});
  CHECK(d < 0.0025);      // the 0.1 % critical value at a million draws: 1.95 / sqrt(n) = 0.00195
  CHECK(z.front() > -6);  // P(|z| > 6) = 2e-9 per draw
  CHECK(z.back() < 6);
}
