// Batch-norm kernels; formulas in ops_norm.h. Per-channel sums are taken per
// thread in double and reduced in thread order.
#include "mapper/ops/ops_norm.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

namespace odimo::mapper {
namespace {

// Per-channel (sum f0, sum f1) over all rows -> total (2C). f(first_row, last_row, a0, a1)
// adds one image's rows into accumulators of type T (vectorisable, no conversions); each
// image's sums are added to the thread's double partials, reduced in thread order.
template <class T, class F>
void channel_sums(const BatchNormGeom& g, Scratch<double>& s, int threads, double* total, F&& f) {
  const int C = g.channels;
  const int64_t per_image = g.rows / std::max(1, g.n);
  for_each_thread(
      threads,
      [&](int t) {
        double* part = s.get(t, 0, 2 * size_t(C));
        std::fill(part, part + 2 * C, 0.0);
        std::vector<T> acc(2 * size_t(C));
        for (int n = share_begin(g.n, t, threads); n < share_end(g.n, t, threads); ++n) {
          std::fill(acc.begin(), acc.end(), T(0));
          f(n * per_image, (n + 1) * per_image, acc.data(), acc.data() + C);
          for (int c = 0; c < 2 * C; ++c) part[c] += double(acc[c]);
        }
      },
      g.rows * C);
  std::fill(total, total + 2 * C, 0.0);
  for (int t = 0; t < threads; ++t) {
    const double* part = s.get(t, 0, 2 * size_t(C));
    for (int c = 0; c < 2 * C; ++c) total[c] += part[c];
  }
}

// Row kernels on __restrict pointers: lambdas capturing by reference compiled to
// scalar loops that reload every pointer per element.
template <class T>
void sum_rows(const T* __restrict x, int64_t r0, int64_t r1, int C, T* __restrict s0, T* __restrict s1) {
  for (int64_t r = r0; r < r1; ++r)
    for (int c = 0; c < C; ++c) {
      const T v = x[r * C + c];
      s0[c] += v;
      s1[c] += v * v;
    }
}

// The forward's affine map; the fused ReLU's backward recomputes its sign with this same
// expression (y > 0 exactly where affine(x) > 0, NaN included: max(NaN, 0) is NaN).
template <class T>
[[gnu::always_inline]] inline T affine(T x, T scale, T shift) {
  return x * scale + shift;
}

// The affine map of the fused ReLU's mask: null without kRelu.
template <class T>
struct ReluMask {
  const T* __restrict scale;
  const T* __restrict shift;
};

template <bool kRelu, class T>
void grad_sum_rows(const T* __restrict x, const T* __restrict dy, ReluMask<T> m, int64_t r0, int64_t r1,
                   int C, T* __restrict sdy, T* __restrict sdyx) {
  for (int64_t r = r0; r < r1; ++r)
    for (int c = 0; c < C; ++c) {
      T d = dy[r * C + c];
      if constexpr (kRelu) d = affine(x[r * C + c], m.scale[c], m.shift[c]) > T(0) ? d : T(0);
      sdy[c] += d;
      sdyx[c] += d * x[r * C + c];
    }
}

template <bool kRelu, class T>
void affine_rows(const T* __restrict x, const T* __restrict scale, const T* __restrict shift, T* __restrict y,
                 int64_t r0, int64_t r1, int C) {
  for (int64_t r = r0; r < r1; ++r)
    for (int c = 0; c < C; ++c) {
      T v = affine(x[r * C + c], scale[c], shift[c]);
      if constexpr (kRelu) v = std::max(v, T(0));
      y[r * C + c] = v;
    }
}

// dx = k1*dy' + k2*(x - mean) + k3 with dy' = dy masked by affine(x) > 0 when kRelu.
template <bool kRelu, bool kAccumulate, class T>
void dx_rows(const T* __restrict x, const T* __restrict dy, ReluMask<T> m, const T* __restrict mean,
             const T* __restrict k1, const T* __restrict k2, const T* __restrict k3, T* __restrict dx,
             int64_t r0, int64_t r1, int C) {
  for (int64_t r = r0; r < r1; ++r)
    for (int c = 0; c < C; ++c) {
      T d = dy[r * C + c];
      if constexpr (kRelu) d = affine(x[r * C + c], m.scale[c], m.shift[c]) > T(0) ? d : T(0);
      const T v = k1[c] * d + k2[c] * (x[r * C + c] - mean[c]) + k3[c];
      if constexpr (kAccumulate)
        dx[r * C + c] += v;
      else
        dx[r * C + c] = v;
    }
}

// fn(first_row, last_row) over each thread's images.
template <class F>
void row_ranges(const BatchNormGeom& g, int threads, F&& fn) {
  const int64_t per_image = g.rows / std::max(1, g.n);
  for_each_thread(
      threads,
      [&](int t) { fn(share_begin(g.n, t, threads) * per_image, share_end(g.n, t, threads) * per_image); },
      g.rows * g.channels);
}

}  // namespace

template <class T>
void batchnorm_train_forward(const BatchNormGeom& g, const T* x, const T* gamma, const T* beta, T* y,
                             BatchNormCache<T>& cache, T* running_mean, T* running_var, Scratch<double>& s,
                             int threads) {
  const int C = g.channels;
  // One pass: sum x and sum x^2 (per image in T, then double; enough for normalised activations).
  std::vector<double> tot(2 * C);
  channel_sums<T>(g, s, threads, tot.data(),
                  [&](int64_t r0, int64_t r1, T* s0, T* s1) { sum_rows(x, r0, r1, C, s0, s1); });
  cache.mean.resize(C);
  cache.invstd.resize(C);
  for (int c = 0; c < C; ++c) cache.mean[c] = T(tot[c] / double(g.rows));
  for (int c = 0; c < C; ++c) {
    const double m = tot[c] / double(g.rows);
    const double var = std::max(0.0, tot[C + c] / double(g.rows) - m * m);
    // Overflowed statistics must not normalise to finite garbage: NaN makes the loss
    // NaN, which the trainer reports as divergence.
    const bool finite = std::isfinite(m) && std::isfinite(tot[C + c]);
    cache.invstd[c] = finite ? T(1.0 / std::sqrt(var + g.eps)) : T(NAN);
    if (running_mean) {
      const double unbiased = g.rows > 1 ? var * double(g.rows) / double(g.rows - 1) : var;
      running_mean[c] = T((1 - g.momentum) * running_mean[c] + g.momentum * cache.mean[c]);
      running_var[c] = T((1 - g.momentum) * running_var[c] + g.momentum * unbiased);
    }
  }
  std::vector<T>&scale = cache.scale, &shift = cache.shift;
  scale.resize(C);
  shift.resize(C);
  for (int c = 0; c < C; ++c) {
    scale[c] = gamma[c] * cache.invstd[c];
    shift[c] = beta[c] - cache.mean[c] * scale[c];
  }
  row_ranges(g, threads, [&](int64_t r0, int64_t r1) {
    g.relu ? affine_rows<true>(x, scale.data(), shift.data(), y, r0, r1, C)
           : affine_rows<false>(x, scale.data(), shift.data(), y, r0, r1, C);
  });
}

template <class T>
void batchnorm_eval_forward(const BatchNormGeom& g, const T* x, const T* gamma, const T* beta,
                            const T* running_mean, const T* running_var, T* y, int threads) {
  const int C = g.channels;
  std::vector<T> scale(C), shift(C);
  for (int c = 0; c < C; ++c) {
    scale[c] = T(gamma[c] / std::sqrt(double(running_var[c]) + g.eps));
    shift[c] = beta[c] - running_mean[c] * scale[c];
  }
  row_ranges(g, threads, [&](int64_t r0, int64_t r1) {
    g.relu ? affine_rows<true>(x, scale.data(), shift.data(), y, r0, r1, C)
           : affine_rows<false>(x, scale.data(), shift.data(), y, r0, r1, C);
  });
}

template <class T>
void batchnorm_train_backward(const BatchNormGeom& g, const T* x, const T* gamma, const T* dy,
                              const BatchNormCache<T>& cache, T* dx, bool accumulate, T* dgamma, T* dbeta,
                              Scratch<double>& s, int threads) {
  const int C = g.channels;
  const T* mean = cache.mean.data();
  const T* invstd = cache.invstd.data();
  const ReluMask<T> m{cache.scale.data(), cache.shift.data()};
  std::vector<double> tot(2 * C);  // [sum dy | sum dy*x], then sum dy*xhat = invstd*(sum dy*x - mean*sum dy)
  channel_sums<T>(g, s, threads, tot.data(), [&](int64_t r0, int64_t r1, T* sdy, T* sdyx) {
    g.relu ? grad_sum_rows<true>(x, dy, m, r0, r1, C, sdy, sdyx)
           : grad_sum_rows<false>(x, dy, m, r0, r1, C, sdy, sdyx);
  });
  for (int c = 0; c < C; ++c) tot[C + c] = double(invstd[c]) * (tot[C + c] - double(mean[c]) * tot[c]);
  // dx = k1*dy + k2*xhat + k3 per channel.
  std::vector<T> k1(C), k2(C), k3(C);
  for (int c = 0; c < C; ++c) {
    dbeta[c] = T(tot[c]);
    dgamma[c] = T(tot[C + c]);
    const double a = double(gamma[c]) * invstd[c];
    k1[c] = T(a);
    k2[c] = T(-a * tot[C + c] / double(g.rows) * invstd[c]);  // applied to (x - mean)
    k3[c] = T(-a * tot[c] / double(g.rows));
  }
  row_ranges(g, threads, [&](int64_t r0, int64_t r1) {
    const T *a = k1.data(), *b = k2.data(), *c3 = k3.data();
    if (g.relu)
      accumulate ? dx_rows<true, true>(x, dy, m, mean, a, b, c3, dx, r0, r1, C)
                 : dx_rows<true, false>(x, dy, m, mean, a, b, c3, dx, r0, r1, C);
    else
      accumulate ? dx_rows<false, true>(x, dy, m, mean, a, b, c3, dx, r0, r1, C)
                 : dx_rows<false, false>(x, dy, m, mean, a, b, c3, dx, r0, r1, C);
  });
}

void fold_batchnorm(std::vector<float>& weight, std::vector<float>& bias, const ChannelLayout& layout,
                    const std::vector<float>& gamma, const std::vector<float>& beta,
                    const std::vector<float>& mean, const std::vector<float>& var, double eps) {
  const int channels = layout.channels;
  std::vector<double> a(channels);
  for (int c = 0; c < channels; ++c) a[c] = gamma[c] / std::sqrt(double(var[c]) + eps);
  for (int64_t i = 0; i < int64_t(weight.size()); ++i) weight[i] = float(weight[i] * a[layout.channel(i)]);
  bias.resize(channels, 0.0f);
  for (int c = 0; c < channels; ++c) bias[c] = float((bias[c] - mean[c]) * a[c] + beta[c]);
}

#define ODIMO_BN_INSTANTIATE(T)                                                                           \
  template void batchnorm_train_forward<T>(const BatchNormGeom&, const T*, const T*, const T*, T*,        \
                                           BatchNormCache<T>&, T*, T*, Scratch<double>&, int);            \
  template void batchnorm_eval_forward<T>(const BatchNormGeom&, const T*, const T*, const T*, const T*,   \
                                          const T*, T*, int);                                             \
  template void batchnorm_train_backward<T>(const BatchNormGeom&, const T*, const T*, const T*,           \
                                            const BatchNormCache<T>&, T*, bool, T*, T*, Scratch<double>&, \
                                            int);
ODIMO_BN_INSTANTIATE(float)
ODIMO_BN_INSTANTIATE(double)

}  // namespace odimo::mapper
