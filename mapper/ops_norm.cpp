// Batch-norm kernels; formulas in ops_norm.h. Per-channel sums are taken per
// thread in double and reduced in thread order (train-speed.md advice 4).
#include "mapper/ops_norm.h"

#include <algorithm>
#include <cmath>

namespace odimo::mapper {
namespace {

// part[t] = (sum f0, sum f1) per channel over thread t's rows; returns totals (2C).
template <class T, class F>
void channel_sums(const BatchNormGeom& g, Scratch<double>& s, int threads, double* total, F&& f) {
  const int C = g.channels;
  const int64_t per_image = g.rows / std::max(1, g.n);
  for_each_thread(
      threads,
      [&](int t) {
        double* part = s.get(t, 0, 2 * size_t(C));
        std::fill(part, part + 2 * C, 0.0);
        const int64_t r0 = share_begin(g.n, t, threads) * per_image,
                      r1 = share_end(g.n, t, threads) * per_image;
        for (int64_t r = r0; r < r1; ++r) f(r, part, part + C);
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
  // One pass: sum x and sum x^2 in double (exact enough for float activations).
  std::vector<double> tot(2 * C);
  channel_sums<T>(g, s, threads, tot.data(), [&](int64_t r, double* s0, double* s1) {
    const T* row = x + r * C;
    for (int c = 0; c < C; ++c) {
      const double v = row[c];
      s0[c] += v;
      s1[c] += v * v;
    }
  });
  cache.mean.resize(C);
  cache.invstd.resize(C);
  for (int c = 0; c < C; ++c) cache.mean[c] = T(tot[c] / double(g.rows));
  for (int c = 0; c < C; ++c) {
    const double m = tot[c] / double(g.rows);
    const double var = std::max(0.0, tot[C + c] / double(g.rows) - m * m);
    cache.invstd[c] = T(1.0 / std::sqrt(var + g.eps));
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
  channel_sums<T>(g, s, threads, tot.data(), [&](int64_t r, double* sdy, double* sdyx) {
    for (int c = 0; c < C; ++c) {
      const double d = g.relu && !(y[r * C + c] > T(0)) ? 0.0 : double(dy[r * C + c]);
      sdy[c] += d;
      sdyx[c] += d * double(x[r * C + c]);
    }
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
  const int64_t per_image = g.rows / std::max(1, g.n);
  for_each_thread(
      threads,
      [&](int t) {
        for (int64_t r = share_begin(g.n, t, threads) * per_image; r < share_end(g.n, t, threads) * per_image;
             ++r)
          for (int c = 0; c < C; ++c) {
            const T d = g.relu && !(y[r * C + c] > T(0)) ? T(0) : dy[r * C + c];
            const T v = k1[c] * d + k2[c] * (x[r * C + c] - mean[c]) + k3[c];
            if (accumulate)
              dx[r * C + c] += v;
            else
              dx[r * C + c] = v;
          }
      },
      g.rows * C);
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
