// Convolution kernels; see ops_conv.h for layouts and the GEMM formulation.
#include "mapper/ops/ops_conv.h"
#include "mapper/ops/eigen_blocking.h"

#include <Eigen/Core>
#include <algorithm>
#include <cstring>

#include "mapper/ops/ops_conv_direct.h"
#include "proto/error.h"

namespace odimo::mapper {

// Before any product of this file runs (eigen_blocking.h).
[[maybe_unused]] const bool kEigenBlockingFixed = fix_eigen_blocking();
namespace {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using MapM = Eigen::Map<Mat<T>>;
template <class T>
using CMapM = Eigen::Map<const Mat<T>>;
template <class T>
using StridedMap = Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>>;
template <class T>
using CStridedMap = Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>>;

// About 384 KB of col per chunk for float: fits the 1 MB L2 (the chunk size barely matters).
constexpr int64_t kColElements = 96 * 1024;

int64_t macs(const ConvGeom& g) {
  return g.n * g.out_pixels() * g.cout * g.kdim();
}

int chunk_images(const ConvGeom& g) {
  const int64_t per_image = int64_t(g.kdim()) * g.out_pixels();
  return int(std::max<int64_t>(1, kColElements / std::max<int64_t>(1, per_image)));
}

// d[0..n) += s[0..n) on non-aliasing runs (vectorised).
template <class T>
inline void add_run(T* __restrict d, const T* __restrict s, int n) {
  for (int i = 0; i < n; ++i) d[i] += s[i];
}

// col[K, P*(n1-n0)] (col-major) for group `grp` of images [n0, n1). Each column
// is one output pixel: k*k runs of Cin_g input channels, zeros where padded.
template <class T>
void im2col(const ConvGeom& g, const T* x, int n0, int n1, int grp, T* col) {
  const int cg = g.cin_g(), K = g.kdim();
  const bool whole_rows = g.groups == 1;  // a kx run of k*Cin is contiguous in NHWC
  T* dst = col;
  for (int n = n0; n < n1; ++n) {
    const T* img = x + int64_t(n) * g.h * g.w * g.cin + int64_t(grp) * cg;
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox, dst += K) {
        T* d = dst;
        const int ix0 = ox * g.stride - g.pad;
        for (int ky = 0; ky < g.k; ++ky, d += g.k * cg) {
          const int iy = oy * g.stride - g.pad + ky;
          if (iy < 0 || iy >= g.h) {
            std::fill(d, d + g.k * cg, T(0));
            continue;
          }
          const T* row = img + int64_t(iy) * g.w * g.cin;
          if (whole_rows && ix0 >= 0 && ix0 + g.k <= g.w) {
            std::memcpy(d, row + int64_t(ix0) * g.cin, sizeof(T) * g.k * cg);
            continue;
          }
          for (int kx = 0; kx < g.k; ++kx) {
            const int ix = ix0 + kx;
            if (ix < 0 || ix >= g.w)
              std::fill(d + kx * cg, d + (kx + 1) * cg, T(0));
            else
              std::memcpy(d + kx * cg, row + int64_t(ix) * g.cin, sizeof(T) * cg);
          }
        }
      }
  }
}

// Adjoint of im2col: dx += scatter(dcol) for group `grp` of images [n0, n1).
template <class T>
void col2im(const ConvGeom& g, const T* dcol, int n0, int n1, int grp, T* dx) {
  const int cg = g.cin_g(), K = g.kdim();
  const T* src = dcol;
  for (int n = n0; n < n1; ++n) {
    T* img = dx + int64_t(n) * g.h * g.w * g.cin + int64_t(grp) * cg;
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox, src += K) {
        const T* s = src;
        const int ix0 = ox * g.stride - g.pad;
        for (int ky = 0; ky < g.k; ++ky) {
          const int iy = oy * g.stride - g.pad + ky;
          if (g.groups == 1 && iy >= 0 && iy < g.h && ix0 >= 0 && ix0 + g.k <= g.w) {
            T* d = img + (int64_t(iy) * g.w + ix0) * g.cin;  // the k*Cin run is contiguous in NHWC
            add_run(d, s, g.k * cg);
            s += g.k * cg;
            continue;
          }
          for (int kx = 0; kx < g.k; ++kx, s += cg) {
            const int ix = ox * g.stride - g.pad + kx;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            add_run(img + (int64_t(iy) * g.w + ix) * g.cin, s, cg);
          }
        }
      }
  }
}

// Y (N,OH,OW,Cout) for images [n0, n1) of one chunk.
template <class T>
void forward_chunk(const ConvGeom& g, const T* x, const T* w, T* y, int n0, int n1, T* col) {
  const int64_t P = g.out_pixels() * (n1 - n0);
  const int cog = g.cout_g(), K = g.kdim();
  T* y0 = y + n0 * g.out_pixels() * g.cout;
  if (g.pointwise()) {
    MapM<T>(y0, g.cout, P).noalias() =
        CMapM<T>(w, g.cout, K) * CMapM<T>(x + int64_t(n0) * g.h * g.w * g.cin, K, P);
    return;
  }
  for (int grp = 0; grp < g.groups; ++grp) {
    im2col(g, x, n0, n1, grp, col);
    StridedMap<T>(y0 + grp * cog, cog, P, Eigen::OuterStride<>(g.cout)).noalias() =
        CMapM<T>(w + int64_t(grp) * cog * K, cog, K) * CMapM<T>(col, K, P);
  }
}

template <class T>
void backward_chunk(const ConvGeom& g, const T* x, const T* w, const T* dy, T* dx, bool accumulate, T* dw,
                    int n0, int n1, T* col, T* dcol) {
  const int64_t P = g.out_pixels() * (n1 - n0);
  const int cog = g.cout_g(), K = g.kdim();
  const T* dy0 = dy + n0 * g.out_pixels() * g.cout;
  const int64_t in0 = int64_t(n0) * g.h * g.w * g.cin, in_len = int64_t(n1 - n0) * g.h * g.w * g.cin;
  if (g.pointwise()) {
    CMapM<T> X(x + in0, K, P), dY(dy0, g.cout, P);
    MapM<T>(dw, g.cout, K).noalias() += dY * X.transpose();
    if (!dx) return;
    if (accumulate)
      MapM<T>(dx + in0, K, P).noalias() += CMapM<T>(w, g.cout, K).transpose() * dY;
    else
      MapM<T>(dx + in0, K, P).noalias() = CMapM<T>(w, g.cout, K).transpose() * dY;
    return;
  }
  if (dx && !accumulate) std::fill(dx + in0, dx + in0 + in_len, T(0));
  for (int grp = 0; grp < g.groups; ++grp) {
    im2col(g, x, n0, n1, grp, col);
    CStridedMap<T> dY(dy0 + grp * cog, cog, P, Eigen::OuterStride<>(g.cout));
    MapM<T>(dw + int64_t(grp) * cog * K, cog, K).noalias() += dY * CMapM<T>(col, K, P).transpose();
    if (!dx) continue;
    MapM<T>(dcol, K, P).noalias() = CMapM<T>(w + int64_t(grp) * cog * K, cog, K).transpose() * dY;
    col2im(g, dcol, n0, n1, grp, dx);
  }
}

// dX for images [n0, n1) through dcol = W^T dY and col2im (groups = 1): the data gradient
// of the direct path when it cannot run direct itself (stride 2).
template <class T>
void data_grad_chunk(const ConvGeom& g, const T* w, const T* dy, T* dx, bool accumulate, int n0, int n1,
                     T* dcol) {
  const int64_t P = g.out_pixels() * (n1 - n0);
  const int64_t in0 = int64_t(n0) * g.h * g.w * g.cin, in_len = int64_t(n1 - n0) * g.h * g.w * g.cin;
  if (!accumulate) std::fill(dx + in0, dx + in0 + in_len, T(0));
  MapM<T>(dcol, g.kdim(), P).noalias() =
      CMapM<T>(w, g.cout, g.kdim()).transpose() * CMapM<T>(dy + n0 * g.out_pixels() * g.cout, g.cout, P);
  col2im(g, dcol, n0, n1, 0, dx);
}

// Thread t's images [a, e) of the direct path's backward (ops_conv_direct.h): dW into
// `part`; dX direct over the padded dy with the flipped weights `wf` (stride 1), else by col2im.
template <class T>
void direct_backward_share(const ConvGeom& g, const T* x, const T* w, const T* wf, const T* dy, T* dx,
                           bool accumulate, T* part, int t, int a, int e, Scratch<T>& s) {
  direct_weight_grad(g, x, dy, part, a, e, s.get(t, 0, direct_border_elements(g)));
  if (!dx) return;
  if (wf) {
    direct_forward(direct_data_geometry(g), dy, wf, dx, a, e, accumulate);
    return;
  }
  const int chunk = chunk_images(g);
  T* dcol = s.get(t, 1, size_t(g.kdim()) * g.out_pixels() * std::max(1, std::min(chunk, e - a)));
  for (int n0 = a; n0 < e; n0 += chunk)
    data_grad_chunk(g, w, dy, dx, accumulate, n0, std::min(e, n0 + chunk), dcol);
}

// db[c] = sum over images and pixels of dy[.., c]; per-thread partials reduced in order.
template <class T>
void bias_grad(const ConvGeom& g, const T* dy, T* db, Scratch<T>& s, int threads, int slot) {
  const int64_t pixels = g.out_pixels();
  for_each_thread(
      threads,
      [&](int t) {
        T* part = s.get(t, slot, g.cout);
        std::fill(part, part + g.cout, T(0));
        const int n0 = share_begin(g.n, t, threads), n1 = share_end(g.n, t, threads);
        for (int64_t p = n0 * pixels; p < n1 * pixels; ++p)
          for (int c = 0; c < g.cout; ++c) part[c] += dy[p * g.cout + c];
      },
      g.n * pixels * g.cout);
  std::fill(db, db + g.cout, T(0));
  for (int t = 0; t < threads; ++t) {
    const T* part = s.get(t, slot, g.cout);
    for (int c = 0; c < g.cout; ++c) db[c] += part[c];
  }
}

template <class T>
void add_bias(const ConvGeom& g, const T* b, T* y, int n0, int n1) {
  for (int64_t p = n0 * g.out_pixels(); p < n1 * g.out_pixels(); ++p)
    for (int c = 0; c < g.cout; ++c) y[p * g.cout + c] += b[c];
}

}  // namespace

ConvGeom ConvGeom::make(int n, int h, int w, int cin, int cout, int k, int stride, int pad, int groups) {
  ConvGeom g;
  g.n = n, g.h = h, g.w = w, g.cin = cin, g.cout = cout, g.k = k, g.stride = stride, g.pad = pad;
  g.groups = groups;
  if (groups < 1 || cin % groups || cout % groups || stride < 1 || k < 1)
    throw Error("conv geometry: bad groups/stride/kernel");
  // Output size as in PyTorch: floor((H + 2p - k) / s) + 1.
  g.oh = (h + 2 * pad - k) / stride + 1;
  g.ow = (w + 2 * pad - k) / stride + 1;
  if (g.oh < 1 || g.ow < 1) throw Error("conv geometry: kernel larger than the padded input");
  return g;
}

template <class T>
void conv2d_forward(const ConvGeom& g, const T* x, const T* w, const T* b, T* y, Scratch<T>& s, int threads) {
  if (direct_conv_applies(g)) {
    for_each_thread(
        threads,
        [&](int t) {
          const int a = share_begin(g.n, t, threads), e = share_end(g.n, t, threads);
          direct_forward(g, x, w, y, a, e);
          if (b) add_bias(g, b, y, a, e);
        },
        macs(g));
    return;
  }
  const int chunk = chunk_images(g);
  for_each_thread(
      threads,
      [&](int t) {
        const int a = share_begin(g.n, t, threads), e = share_end(g.n, t, threads);
        T* col =
            g.pointwise() ? nullptr : s.get(t, 0, size_t(g.kdim()) * g.out_pixels() * std::min(chunk, e - a));
        for (int n0 = a; n0 < e; n0 += chunk) {
          const int n1 = std::min(e, n0 + chunk);
          forward_chunk(g, x, w, y, n0, n1, col);
          if (b) add_bias(g, b, y, n0, n1);
        }
      },
      macs(g));
}

template <class T>
void conv2d_backward(const ConvGeom& g, const T* x, const T* w, const T* dy, T* dx, bool accumulate, T* dw,
                     T* db, Scratch<T>& s, int threads) {
  const int chunk = chunk_images(g);
  const size_t nw = size_t(g.weights());
  const bool direct = direct_conv_applies(g);
  T* wf = nullptr;  // flipped weights of the direct data gradient, computed once per call
  if (direct && dx && direct_conv_data_applies(g)) {
    wf = s.get(0, 4, nw);
    flip_weights(g, w, wf);
  }
  for_each_thread(
      threads,
      [&](int t) {
        const int a = share_begin(g.n, t, threads), e = share_end(g.n, t, threads);
        if (direct) {
          T* part = s.get(t, 2, nw);
          std::fill(part, part + nw, T(0));
          return direct_backward_share(g, x, w, wf, dy, dx, accumulate, part, t, a, e, s);
        }
        const size_t ncol = size_t(g.kdim()) * g.out_pixels() * std::max(1, std::min(chunk, e - a));
        T* col = g.pointwise() ? nullptr : s.get(t, 0, ncol);
        T* dcol = g.pointwise() ? nullptr : s.get(t, 1, ncol);
        T* part = s.get(t, 2, nw);
        std::fill(part, part + nw, T(0));
        for (int n0 = a; n0 < e; n0 += chunk)
          backward_chunk(g, x, w, dy, dx, accumulate, part, n0, std::min(e, n0 + chunk), col, dcol);
      },
      macs(g));
  std::fill(dw, dw + nw, T(0));
  for (int t = 0; t < threads; ++t) {  // fixed order: deterministic for a given thread count
    const T* part = s.get(t, 2, nw);
    for (size_t i = 0; i < nw; ++i) dw[i] += part[i];
  }
  if (db) bias_grad(g, dy, db, s, threads, 3);
}

template <class T>
void depthwise_forward(const ConvGeom& g, const T* x, const T* w, const T* b, T* y, int threads) {
  const int C = g.cin;
  for_each_thread(
      threads,
      [&](int t) {
        for (int n = share_begin(g.n, t, threads); n < share_end(g.n, t, threads); ++n) {
          const T* img = x + int64_t(n) * g.h * g.w * C;
          for (int oy = 0; oy < g.oh; ++oy)
            for (int ox = 0; ox < g.ow; ++ox) {
              T* out = y + ((int64_t(n) * g.oh + oy) * g.ow + ox) * C;
              for (int c = 0; c < C; ++c) out[c] = b ? b[c] : T(0);
              for (int ky = 0; ky < g.k; ++ky) {
                const int iy = oy * g.stride - g.pad + ky;
                if (iy < 0 || iy >= g.h) continue;
                for (int kx = 0; kx < g.k; ++kx) {
                  const int ix = ox * g.stride - g.pad + kx;
                  if (ix < 0 || ix >= g.w) continue;
                  const T* in = img + (int64_t(iy) * g.w + ix) * C;
                  const T* wk = w + (ky * g.k + kx) * C;
                  for (int c = 0; c < C; ++c) out[c] += in[c] * wk[c];
                }
              }
            }
        }
      },
      macs(g));
}

template <class T>
void depthwise_backward(const ConvGeom& g, const T* x, const T* w, const T* dy, T* dx, bool accumulate, T* dw,
                        T* db, Scratch<T>& s, int threads) {
  const int C = g.cin;
  const size_t nw = size_t(g.k) * g.k * C;
  for_each_thread(
      threads,
      [&](int t) {
        T* part = s.get(t, 2, nw);
        std::fill(part, part + nw, T(0));
        const int a = share_begin(g.n, t, threads), e = share_end(g.n, t, threads);
        if (dx && !accumulate)
          std::fill(dx + int64_t(a) * g.h * g.w * C, dx + int64_t(e) * g.h * g.w * C, T(0));
        for (int n = a; n < e; ++n)
          for (int oy = 0; oy < g.oh; ++oy)
            for (int ox = 0; ox < g.ow; ++ox) {
              const T* d = dy + ((int64_t(n) * g.oh + oy) * g.ow + ox) * C;
              for (int ky = 0; ky < g.k; ++ky) {
                const int iy = oy * g.stride - g.pad + ky;
                if (iy < 0 || iy >= g.h) continue;
                for (int kx = 0; kx < g.k; ++kx) {
                  const int ix = ox * g.stride - g.pad + kx;
                  if (ix < 0 || ix >= g.w) continue;
                  const int64_t at = ((int64_t(n) * g.h + iy) * g.w + ix) * C;
                  const T* wk = w + (ky * g.k + kx) * C;
                  T* dwk = part + (ky * g.k + kx) * C;
                  for (int c = 0; c < C; ++c) dwk[c] += d[c] * x[at + c];
                  if (dx)
                    for (int c = 0; c < C; ++c) dx[at + c] += d[c] * wk[c];
                }
              }
            }
      },
      macs(g));
  std::fill(dw, dw + nw, T(0));
  for (int t = 0; t < threads; ++t) {
    const T* part = s.get(t, 2, nw);
    for (size_t i = 0; i < nw; ++i) dw[i] += part[i];
  }
  if (db) bias_grad(g, dy, db, s, threads, 3);
}

#define ODIMO_CONV_INSTANTIATE(T)                                                                       \
  template void conv2d_forward<T>(const ConvGeom&, const T*, const T*, const T*, T*, Scratch<T>&, int); \
  template void conv2d_backward<T>(const ConvGeom&, const T*, const T*, const T*, T*, bool, T*, T*,     \
                                   Scratch<T>&, int);                                                   \
  template void depthwise_forward<T>(const ConvGeom&, const T*, const T*, const T*, T*, int);           \
  template void depthwise_backward<T>(const ConvGeom&, const T*, const T*, const T*, T*, bool, T*, T*,  \
                                      Scratch<T>&, int);
ODIMO_CONV_INSTANTIATE(float)
ODIMO_CONV_INSTANTIATE(double)

}  // namespace odimo::mapper
