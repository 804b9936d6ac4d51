// Elementwise, pooling and head kernels; contracts in ops_misc.h.
#include "mapper/ops/ops_misc.h"
#include "mapper/ops/eigen_blocking.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "proto/error.h"

namespace odimo::mapper {

// Before any product of this file runs (eigen_blocking.h).
[[maybe_unused]] const bool kEigenBlockingFixed = fix_eigen_blocking();
namespace {

template <class T>
inline void put(T& d, T v, bool accumulate) {
  d = accumulate ? d + v : v;
}

// fn(first, last) over each thread's element range.
template <class F>
void ranges(const Flat& f, int threads, F&& fn) {
  for_each_thread(
      threads,
      [&](int t) {
        fn(share_begin(f.n, t, threads) * f.per_image, share_end(f.n, t, threads) * f.per_image);
      },
      f.n * f.per_image);
}

// The loops below take __restrict pointers and select without branches, so they
// vectorise (a lambda-per-element version compiled to a scalar loop with a
// mispredicted branch per ReLU mask bit: 9% of a ResNet-8 step).
template <bool kAccumulate, class T>
void masked_store(const T* __restrict mask, T lo, T hi, const T* __restrict dy, T* __restrict dx, int64_t a,
                  int64_t e) {
  for (int64_t i = a; i < e; ++i) {
    const T v = (mask[i] > lo) & (mask[i] < hi) ? dy[i] : T(0);
    if constexpr (kAccumulate)
      dx[i] += v;
    else
      dx[i] = v;
  }
}

template <class T>
void masked(const Flat& f, const T* mask, T lo, T hi, const T* dy, T* dx, bool accumulate, int threads) {
  ranges(f, threads, [&](int64_t a, int64_t e) {
    accumulate ? masked_store<true>(mask, lo, hi, dy, dx, a, e)
               : masked_store<false>(mask, lo, hi, dy, dx, a, e);
  });
}

template <class T>
void clamp_range(const T* __restrict x, T* __restrict y, T hi, int64_t a, int64_t e) {
  for (int64_t i = a; i < e; ++i) y[i] = std::min(std::max(x[i], T(0)), hi);
}

template <bool kAccumulate, bool kRelu, class T>
void sum_range(const T* __restrict a, const T* __restrict b, T* __restrict y, int64_t i0, int64_t i1) {
  for (int64_t i = i0; i < i1; ++i) {
    T v = a[i] + b[i];
    if constexpr (kRelu) v = std::max(v, T(0));
    if constexpr (kAccumulate)
      y[i] += v;
    else
      y[i] = v;
  }
}

}  // namespace

template <class T>
void relu_forward(const Flat& f, const T* x, T* y, int threads) {
  ranges(f, threads, [&](int64_t a, int64_t e) {
    if (x == y) {  // in place (a fused add of more than two inputs)
      for (int64_t i = a; i < e; ++i) y[i] = std::max(y[i], T(0));
      return;
    }
    clamp_range(x, y, std::numeric_limits<T>::infinity(), a, e);
  });
}
template <class T>
void relu_backward(const Flat& f, const T* y, const T* dy, T* dx, bool accumulate, int threads) {
  masked(f, y, T(0), std::numeric_limits<T>::infinity(), dy, dx, accumulate, threads);
}
template <bool kAcc0, bool kAcc1, class T>
void relu_pair_range(const T* __restrict y, const T* __restrict dy, T* __restrict dx0, T* __restrict dx1,
                     int64_t a, int64_t e) {
  for (int64_t i = a; i < e; ++i) {
    const T v =
        (y[i] > T(0)) & (y[i] < std::numeric_limits<T>::infinity()) ? dy[i] : T(0);  // as relu_backward
    dx0[i] = kAcc0 ? dx0[i] + v : v;
    dx1[i] = kAcc1 ? dx1[i] + v : v;
  }
}
template <class T>
void relu_backward_pair(const Flat& f, const T* y, const T* dy, T* dx0, bool acc0, T* dx1, bool acc1,
                        int threads) {
  ranges(f, threads, [&](int64_t a, int64_t e) {
    if (acc0)
      acc1 ? relu_pair_range<true, true>(y, dy, dx0, dx1, a, e)
           : relu_pair_range<true, false>(y, dy, dx0, dx1, a, e);
    else
      acc1 ? relu_pair_range<false, true>(y, dy, dx0, dx1, a, e)
           : relu_pair_range<false, false>(y, dy, dx0, dx1, a, e);
  });
}
template <class T>
void relu6_forward(const Flat& f, const T* x, T* y, int threads) {
  ranges(f, threads, [&](int64_t a, int64_t e) { clamp_range(x, y, T(6), a, e); });
}
template <class T>
void relu6_backward(const Flat& f, const T* x, const T* dy, T* dx, bool accumulate, int threads) {
  masked(f, x, T(0), T(6), dy, dx, accumulate, threads);
}
template <class T>
void add_forward(const Flat& f, const T* a, const T* b, T* y, bool accumulate, int threads) {
  ranges(f, threads, [&](int64_t i0, int64_t i1) {
    if (a == y || b == y) {  // chained adds of more than two inputs write in place
      for (int64_t i = i0; i < i1; ++i) y[i] = (accumulate ? y[i] : T(0)) + a[i] + b[i];
      return;
    }
    accumulate ? sum_range<true, false>(a, b, y, i0, i1) : sum_range<false, false>(a, b, y, i0, i1);
  });
}
template <class T>
void add_relu_forward(const Flat& f, const T* a, const T* b, T* y, int threads) {
  ranges(f, threads, [&](int64_t i0, int64_t i1) { sum_range<false, true>(a, b, y, i0, i1); });
}
template <class T>
void grad_pass(const Flat& f, const T* dy, T* dx, bool accumulate, int threads) {
  ranges(f, threads, [&](int64_t a, int64_t e) {
    if (accumulate)
      for (int64_t i = a; i < e; ++i) dx[i] += dy[i];
    else
      std::copy(dy + a, dy + e, dx + a);
  });
}

PoolGeom PoolGeom::make(int n, int h, int w, int c, int k, int stride, int pad) {
  PoolGeom g{n, h, w, c, (h + 2 * pad - k) / stride + 1, (w + 2 * pad - k) / stride + 1, k, stride, pad};
  if (g.oh < 1 || g.ow < 1 || stride < 1) throw Error("pool geometry: window larger than the padded input");
  return g;
}

// fn(n, oy, ox, iy, ix) for every in-bounds window tap of thread t's images.
template <class F>
void pool_taps(const PoolGeom& g, int threads, F&& fn) {
  for_each_thread(
      threads,
      [&](int t) {
        for (int n = share_begin(g.n, t, threads); n < share_end(g.n, t, threads); ++n)
          for (int oy = 0; oy < g.oh; ++oy)
            for (int ox = 0; ox < g.ow; ++ox)
              for (int ky = 0; ky < g.k; ++ky)
                for (int kx = 0; kx < g.k; ++kx) {
                  const int iy = oy * g.stride - g.pad + ky, ix = ox * g.stride - g.pad + kx;
                  if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) fn(n, oy, ox, iy, ix, ky == 0 && kx == 0);
                }
      },
      int64_t(g.n) * g.oh * g.ow * g.c * g.k * g.k);
}

template <class T>
void avgpool_forward(const PoolGeom& g, const T* x, T* y, int threads) {
  const T inv = T(1) / T(g.k * g.k);
  std::fill(y, y + int64_t(g.n) * g.oh * g.ow * g.c, T(0));
  pool_taps(g, threads, [&](int n, int oy, int ox, int iy, int ix, bool) {
    T* o = y + ((int64_t(n) * g.oh + oy) * g.ow + ox) * g.c;
    const T* in = x + ((int64_t(n) * g.h + iy) * g.w + ix) * g.c;
    for (int c = 0; c < g.c; ++c) o[c] += in[c] * inv;
  });
}
template <class T>
void avgpool_backward(const PoolGeom& g, const T* dy, T* dx, bool accumulate, int threads) {
  const T inv = T(1) / T(g.k * g.k);
  if (!accumulate) std::fill(dx, dx + int64_t(g.n) * g.h * g.w * g.c, T(0));
  pool_taps(g, threads, [&](int n, int oy, int ox, int iy, int ix, bool) {
    const T* d = dy + ((int64_t(n) * g.oh + oy) * g.ow + ox) * g.c;
    T* o = dx + ((int64_t(n) * g.h + iy) * g.w + ix) * g.c;
    for (int c = 0; c < g.c; ++c) o[c] += d[c] * inv;
  });
}
template <class T>
void maxpool_forward(const PoolGeom& g, const T* x, T* y, int32_t* argmax, int threads) {
  const int64_t out = int64_t(g.n) * g.oh * g.ow * g.c;
  std::fill(argmax, argmax + out, int32_t(-1));
  pool_taps(g, threads, [&](int n, int oy, int ox, int iy, int ix, bool) {
    const int64_t o = ((int64_t(n) * g.oh + oy) * g.ow + ox) * g.c;
    const int64_t in = ((int64_t(n) * g.h + iy) * g.w + ix) * g.c;
    for (int c = 0; c < g.c; ++c)
      if (argmax[o + c] < 0 || x[in + c] > y[o + c]) y[o + c] = x[in + c], argmax[o + c] = int32_t(in + c);
  });
}
template <class T>
void maxpool_backward(const PoolGeom& g, const int32_t* argmax, const T* dy, T* dx, bool accumulate,
                      int threads) {
  if (!accumulate) std::fill(dx, dx + int64_t(g.n) * g.h * g.w * g.c, T(0));
  const int64_t per_image = int64_t(g.oh) * g.ow * g.c;
  for_each_thread(
      threads,
      [&](int t) {  // argmax of image n lies in image n: no races
        for (int64_t o = share_begin(g.n, t, threads) * per_image; o < share_end(g.n, t, threads) * per_image;
             ++o)
          dx[argmax[o]] += dy[o];
      },
      int64_t(g.n) * per_image);
}
template <class T>
void global_avgpool_forward(int n, int pixels, int c, const T* x, T* y, int threads) {
  for_each_thread(
      threads,
      [&](int t) {
        for (int i = share_begin(n, t, threads); i < share_end(n, t, threads); ++i) {
          Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>> X(x + int64_t(i) * pixels * c, c,
                                                                               pixels);
          Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>(y + int64_t(i) * c, c) =
              X.rowwise().sum() / T(pixels);
        }
      },
      int64_t(n) * pixels * c);
}
template <class T>
void global_avgpool_backward(int n, int pixels, int c, const T* dy, T* dx, bool accumulate, int threads) {
  const T inv = T(1) / T(pixels);
  for_each_thread(
      threads,
      [&](int t) {
        for (int i = share_begin(n, t, threads); i < share_end(n, t, threads); ++i)
          for (int p = 0; p < pixels; ++p)
            for (int ch = 0; ch < c; ++ch)
              put(dx[(int64_t(i) * pixels + p) * c + ch], dy[int64_t(i) * c + ch] * inv, accumulate);
      },
      int64_t(n) * pixels * c);
}

template <class T>
using MapM = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>;
template <class T>
using CMapM = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>;

template <class T>
void linear_forward(int n, int in, int out, const T* x, const T* w, const T* b, T* y) {
  MapM<T> Y(y, out, n);  // Y[Out, N] = W[Out, In] * X[In, N]
  Y.noalias() = CMapM<T>(w, out, in) * CMapM<T>(x, in, n);
  if (b) Y.colwise() += Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>(b, out);
}
template <class T>
void linear_backward(int n, int in, int out, const T* x, const T* w, const T* dy, T* dx, bool accumulate,
                     T* dw, T* db) {
  CMapM<T> dY(dy, out, n);
  MapM<T>(dw, out, in).noalias() = dY * CMapM<T>(x, in, n).transpose();
  if (db) Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>(db, out) = dY.rowwise().sum();
  if (!dx) return;
  if (accumulate)
    MapM<T>(dx, in, n).noalias() += CMapM<T>(w, out, in).transpose() * dY;
  else
    MapM<T>(dx, in, n).noalias() = CMapM<T>(w, out, in).transpose() * dY;
}

template <class T>
double softmax_cross_entropy(int n, int k, const T* logits, const int* labels, T* dlogits, int* correct) {
  double loss = 0;
  int right = 0;
  for (int i = 0; i < n; ++i) {
    const T* z = logits + int64_t(i) * k;
    const int best = int(std::max_element(z, z + k) - z);
    right += best == labels[i];
    const double m = z[best];
    double sum = 0;
    for (int j = 0; j < k; ++j) sum += std::exp(double(z[j]) - m);
    loss += std::log(sum) + m - double(z[labels[i]]);  // -log softmax_label, stable form
    if (!dlogits) continue;
    for (int j = 0; j < k; ++j)
      dlogits[int64_t(i) * k + j] = T((std::exp(double(z[j]) - m) / sum - (j == labels[i])) / n);
  }
  if (correct) *correct = right;
  return loss / n;
}

#define ODIMO_MISC_INSTANTIATE(T)                                                                  \
  template void relu_forward<T>(const Flat&, const T*, T*, int);                                   \
  template void relu_backward<T>(const Flat&, const T*, const T*, T*, bool, int);                  \
  template void relu_backward_pair<T>(const Flat&, const T*, const T*, T*, bool, T*, bool, int);   \
  template void relu6_forward<T>(const Flat&, const T*, T*, int);                                  \
  template void relu6_backward<T>(const Flat&, const T*, const T*, T*, bool, int);                 \
  template void add_forward<T>(const Flat&, const T*, const T*, T*, bool, int);                    \
  template void add_relu_forward<T>(const Flat&, const T*, const T*, T*, int);                     \
  template void grad_pass<T>(const Flat&, const T*, T*, bool, int);                                \
  template void avgpool_forward<T>(const PoolGeom&, const T*, T*, int);                            \
  template void avgpool_backward<T>(const PoolGeom&, const T*, T*, bool, int);                     \
  template void maxpool_forward<T>(const PoolGeom&, const T*, T*, int32_t*, int);                  \
  template void maxpool_backward<T>(const PoolGeom&, const int32_t*, const T*, T*, bool, int);     \
  template void global_avgpool_forward<T>(int, int, int, const T*, T*, int);                       \
  template void global_avgpool_backward<T>(int, int, int, const T*, T*, bool, int);                \
  template void linear_forward<T>(int, int, int, const T*, const T*, const T*, T*);                \
  template void linear_backward<T>(int, int, int, const T*, const T*, const T*, T*, bool, T*, T*); \
  template double softmax_cross_entropy<T>(int, int, const T*, const int*, T*, int*);
ODIMO_MISC_INSTANTIATE(float)
ODIMO_MISC_INSTANTIATE(double)

}  // namespace odimo::mapper
