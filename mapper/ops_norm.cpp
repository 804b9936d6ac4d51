// Batch-norm kernels; formulas in ops_norm.h. Per-channel sums are taken per
// thread in double and reduced in thread order (train-speed.md advice 4).
#include "mapper/ops_norm.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

namespace odimo::mapper {
namespace {

// Per-channel (sum f0, sum f1) over all rows -> total (2C). f(row, a0, a1) adds a row's
// terms into per-image accumulators of type T (vectorisable, no conversions); each
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
          for (int64_t r = n * per_image; r < (n + 1) * per_image; ++r) f(r, acc.data(), acc.data() + C);
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

}  // namespace

template <class T>
void batchnorm_train_forward(const BatchNormGeom& g, const T* x, const T* gamma, const T* beta, T* y,
                             BatchNormCache<T>& cache, T* running_mean, T* running_var, Scratch<double>& s,
                             int threads) {
  const int C = g.channels;
  // One pass: sum x and sum x^2 (per image in T, then double; enough for normalised activations).
  std::vector<double> tot(2 * C);
  channel_sums<T>(g, s, threads, tot.data(), [&](int64_t r, T* s0, T* s1) {
    const T* row = x + r * C;
    for (int c = 0; c < C; ++c) {
      s0[c] += row[c];
      s1[c] += row[c] * row[c];
    }
  });
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
  std::vector<T> scale(C), shift(C);
  for (int c = 0; c < C; ++c) {
    scale[c] = gamma[c] * cache.invstd[c];
    shift[c] = beta[c] - cache.mean[c] * scale[c];
  }
  const int64_t per_image = g.rows / std::max(1, g.n);
  for_each_thread(
      threads,
      [&](int t) {
        for (int64_t r = share_begin(g.n, t, threads) * per_image; r < share_end(g.n, t, threads) * per_image;
             ++r)
          for (int c = 0; c < C; ++c) {
            const T v = x[r * C + c] * scale[c] + shift[c];
            y[r * C + c] = g.relu && v < T(0) ? T(0) : v;
          }
      },
      g.rows * C);
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
  const int64_t per_image = g.rows / std::max(1, g.n);
  for_each_thread(
      threads,
      [&](int t) {
        for (int64_t r = share_begin(g.n, t, threads) * per_image; r < share_end(g.n, t, threads) * per_image;
             ++r)
          for (int c = 0; c < C; ++c) {
            const T v = x[r * C + c] * scale[c] + shift[c];
            y[r * C + c] = g.relu && v < T(0) ? T(0) : v;
          }
      },
      g.rows * C);
}

template <class T>
void batchnorm_train_backward(const BatchNormGeom& g, const T* x, const T* gamma, const T* dy,
                              const BatchNormCache<T>& cache, T* dx, bool accumulate, T* dgamma, T* dbeta,
                              Scratch<double>& s, int threads, const T* y) {
  const int C = g.channels;
  const T* mean = cache.mean.data();
  const T* invstd = cache.invstd.data();
  std::vector<double> tot(2 * C);  // [sum dy | sum dy*x], then sum dy*xhat = invstd*(sum dy*x - mean*sum dy)
  auto sums = [&](auto relu) {
    channel_sums<T>(g, s, threads, tot.data(), [&](int64_t r, T* sdy, T* sdyx) {
      for (int c = 0; c < C; ++c) {
        T d = dy[r * C + c];
        if constexpr (decltype(relu)::value) d = y[r * C + c] > T(0) ? d : T(0);
        sdy[c] += d;
        sdyx[c] += d * x[r * C + c];
      }
    });
  };
  g.relu ? sums(std::true_type{}) : sums(std::false_type{});
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
  const int64_t per_image = g.rows / std::max(1, g.n);
  auto apply = [&](auto relu, auto add) {
    for_each_thread(
        threads,
        [&](int t) {
          const int64_t r1 = share_end(g.n, t, threads) * per_image;
          for (int64_t r = share_begin(g.n, t, threads) * per_image; r < r1; ++r)
            for (int c = 0; c < C; ++c) {
              T d = dy[r * C + c];
              if constexpr (decltype(relu)::value) d = y[r * C + c] > T(0) ? d : T(0);
              const T v = k1[c] * d + k2[c] * (x[r * C + c] - mean[c]) + k3[c];
              if constexpr (decltype(add)::value)
                dx[r * C + c] += v;
              else
                dx[r * C + c] = v;
            }
        },
        g.rows * C);
  };
  if (g.relu)
    accumulate ? apply(std::true_type{}, std::true_type{}) : apply(std::true_type{}, std::false_type{});
  else
    accumulate ? apply(std::false_type{}, std::true_type{}) : apply(std::false_type{}, std::false_type{});
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
                                            int, const T*);
ODIMO_BN_INSTANTIATE(float)
ODIMO_BN_INSTANTIATE(double)

}  // namespace odimo::mapper
