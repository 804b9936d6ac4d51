// Direct convolution kernels; see ops_conv_direct.h. The tiles are plain loops over
// compile-time extents so that the compiler keeps the accumulators in vector registers
// (6 pixels x 16 channels = 12 AVX2 registers for float).
#include "mapper/ops/ops_conv_direct.h"

#include <algorithm>
#include <cstring>

namespace odimo::mapper {
namespace {

constexpr int kCoTile = 16;  // output channels per register tile
constexpr int kMaxTile = 6;  // pixels (forward) or weight rows (weight gradient) per tile

// 32-byte vectors (GCC vector extension: AVX2 registers with -march=x86-64-v3, pairs of
// SSE registers otherwise); a 16-channel tile is kNv of them.
typedef float Float8 __attribute__((vector_size(32)));
typedef double Double4 __attribute__((vector_size(32)));
template <class T>
struct VecOf;
template <>
struct VecOf<float> {
  using type = Float8;
};
template <>
struct VecOf<double> {
  using type = Double4;
};
template <class T>
using Vec = typename VecOf<T>::type;
template <class T>
constexpr int kNv = kCoTile* int(sizeof(T)) / 32;

template <class T>
inline Vec<T> load(const T* p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
inline void store(T* p, Vec<T> v) {
  std::memcpy(p, &v, sizeof v);
}

// The in-bounds taps of one output pixel (or of a run of interior pixels): kernel rows
// [ky0, ky1) and, within a kernel row, the (kx, cin) elements [j0, j1) of the k*Cin run.
struct Taps {
  int ky0, ky1, j0, j1;
};

// y[p*ys + c] (+)= sum over the taps of x * w[(ky*kc + j)*cout + c] for PT pixels, 16
// channels. xp: x at the first tap (row ky0, element j0) of pixel 0; rs: image row stride;
// ps: pixel step (stride*Cin); kc = k*Cin. Out-of-image taps are skipped, not read as zeros.
template <int PT, class T>
void forward_tile(const T* __restrict xp, int64_t rs, int ps, const Taps& t, int kc, const T* __restrict w,
                  int cout, T* __restrict y, int ys, bool accumulate) {
  constexpr int NV = kNv<T>, L = 32 / int(sizeof(T));
  Vec<T> acc[PT][NV] = {};
  const int nj = t.j1 - t.j0;
  for (int ky = t.ky0; ky < t.ky1; ++ky) {
    const T* xr = xp + (ky - t.ky0) * rs;
    const T* wr = w + (int64_t(ky) * kc + t.j0) * cout;
    for (int j = 0; j < nj; ++j) {
      Vec<T> wv[NV];
      for (int v = 0; v < NV; ++v) wv[v] = load(wr + int64_t(j) * cout + v * L);
      for (int p = 0; p < PT; ++p) {
        const T xv = xr[p * ps + j];
        for (int v = 0; v < NV; ++v) acc[p][v] += xv * wv[v];
      }
    }
  }
  for (int p = 0; p < PT; ++p)
    for (int v = 0; v < NV; ++v)
      store(y + p * ys + v * L, accumulate ? load(y + p * ys + v * L) + acc[p][v] : acc[p][v]);
}

template <class T>
void forward_tiles(int pt, const T* xp, int64_t rs, int ps, const Taps& t, int kc, const T* w, int cout, T* y,
                   int ys, bool acc) {
  switch (pt) {
    case 6:
      return forward_tile<6>(xp, rs, ps, t, kc, w, cout, y, ys, acc);
    case 5:
      return forward_tile<5>(xp, rs, ps, t, kc, w, cout, y, ys, acc);
    case 4:
      return forward_tile<4>(xp, rs, ps, t, kc, w, cout, y, ys, acc);
    case 3:
      return forward_tile<3>(xp, rs, ps, t, kc, w, cout, y, ys, acc);
    case 2:
      return forward_tile<2>(xp, rs, ps, t, kc, w, cout, y, ys, acc);
    default:
      return forward_tile<1>(xp, rs, ps, t, kc, w, cout, y, ys, acc);
  }
}

// The interior outputs [lo, hi) along an axis of `in` inputs and `out` outputs: all k taps in
// the image.
inline void interior_range(const ConvGeom& g, int in, int out, int& lo, int& hi) {
  lo = std::min(out, (g.pad + g.stride - 1) / g.stride);
  hi = in - g.k + g.pad >= 0 ? std::max(lo, std::min(out, (in - g.k + g.pad) / g.stride + 1)) : lo;
}
inline void interior_columns(const ConvGeom& g, int& lo, int& hi) {
  interior_range(g, g.w, g.ow, lo, hi);
}

// fn(first, size) over n pixels cut into ceil(n/6) tiles as even as possible (26 -> 6,5,5,5,5):
// a short last tile has too few independent accumulators to hide the FMA latency.
template <class F>
inline void balanced_tiles(int n, F&& fn) {
  const int tiles = (n + kMaxTile - 1) / kMaxTile;
  for (int i = 0, at = 0; i < tiles; ++i) {
    const int pt = n / tiles + (i < n % tiles ? 1 : 0);
    fn(at, pt);
    at += pt;
  }
}

// The kx taps in the image of output column ox: elements [j0, j1) of the k*Cin run.
inline void column_taps(const ConvGeom& g, int ox, Taps& t) {
  const int ix0 = ox * g.stride - g.pad;
  t.j0 = std::max(0, -ix0) * g.cin;
  t.j1 = std::max(t.j0, std::min(g.k, g.w - ix0) * g.cin);
}

// One output row oy of image `img`: interior pixels (all kx taps in the image) in balanced
// tiles of up to 6; with `borders`, the border pixels one at a time with their kx range cut.
template <class T>
void forward_row(const ConvGeom& g, const T* img, const T* w, T* yrow, int oy, bool borders,
                 bool accumulate) {
  const int64_t rs = int64_t(g.w) * g.cin;
  const int ps = g.stride * g.cin, kc = g.k * g.cin, iy0 = oy * g.stride - g.pad;
  const int ky0 = std::max(0, -iy0), ky1 = std::min(g.k, g.h - iy0);
  int lo, hi;
  interior_columns(g, lo, hi);
  const Taps full{ky0, std::max(ky0, ky1), 0, kc};
  auto run = [&](int ox, int pt, const Taps& t) {
    const T* xp = img + (int64_t(iy0 + t.ky0) * g.w + ox * g.stride - g.pad) * g.cin + t.j0;  // the first tap
    for (int co = 0; co < g.cout; co += kCoTile)
      forward_tiles(pt, xp, rs, ps, t, kc, w + co, g.cout, yrow + int64_t(ox) * g.cout + co, g.cout,
                    accumulate);
  };
  balanced_tiles(hi - lo, [&](int at, int pt) { run(lo + at, pt, full); });
  for (int ox = 0; borders && ox < g.ow; ++ox) {
    if (ox == lo) ox = hi;
    if (ox >= g.ow) break;
    Taps t = full;
    column_taps(g, ox, t);
    run(ox, 1, t);
  }
}

// The border columns of the rows [r0, r1) whose k kernel rows all lie in the image, in tiles of
// up to 6 vertically adjacent pixels (one pixel at a time leaves the FMAs latency-bound).
template <class T>
void forward_border_columns(const ConvGeom& g, const T* img, const T* w, T* yimg, int r0, int r1,
                            bool accumulate) {
  const int64_t rs = int64_t(g.w) * g.cin;
  const int kc = g.k * g.cin, ps = int(g.stride * rs), ys = g.ow * g.cout;
  int lo, hi;
  interior_columns(g, lo, hi);
  for (int ox = 0; ox < g.ow; ++ox) {
    if (ox == lo) ox = hi;
    if (ox >= g.ow) break;
    Taps t{0, g.k, 0, 0};
    column_taps(g, ox, t);
    balanced_tiles(r1 - r0, [&](int at, int pt) {
      const int oy = r0 + at;
      const T* xp = img + (int64_t(oy * g.stride - g.pad) * g.w + ox * g.stride - g.pad) * g.cin + t.j0;
      T* y = yimg + (int64_t(oy) * g.ow + ox) * g.cout;
      for (int co = 0; co < g.cout; co += kCoTile)
        forward_tiles(pt, xp, rs, ps, t, kc, w + co, g.cout, y + co, ys, accumulate);
    });
  }
}

// acc[r] += xv[r] * d[0..16) for the JT rows of one pixel.
template <int JT, class T>
[[gnu::always_inline]] inline void weight_fma(const T* __restrict xv, const T* __restrict d,
                                              Vec<T> (&acc)[JT][kNv<T>]) {
  constexpr int NV = kNv<T>, L = 32 / int(sizeof(T));
  Vec<T> dv[NV];
  for (int v = 0; v < NV; ++v) dv[v] = load(d + v * L);
  for (int r = 0; r < JT; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] += xv[r] * dv[v];
}

// One image of the weight gradient: x read in place for the interior columns [lo, hi);
// the border columns (nb of them, [0, lo) then [hi, ow)) read their k*Cin tap runs from
// `win`, (H, nb, k*Cin) with zeros for the taps outside the image, built once per image.
template <class T>
struct WeightImage {
  const T* x;
  const T* win;
  int lo, hi, nb;
};

template <class T>
WeightImage<T> border_windows(const ConvGeom& g, const T* img, T* win) {
  WeightImage<T> im{img, win, 0, 0, 0};
  interior_columns(g, im.lo, im.hi);
  im.nb = im.lo + g.ow - im.hi;
  const int kc = g.k * g.cin;
  for (int iy = 0; iy < g.h; ++iy)
    for (int b = 0; b < im.nb; ++b) {
      const int ox = b < im.lo ? b : im.hi + b - im.lo;
      T* d = win + (int64_t(iy) * im.nb + b) * kc;
      for (int kx = 0; kx < g.k; ++kx) {
        const int ix = ox * g.stride - g.pad + kx;
        if (ix < 0 || ix >= g.w)
          std::fill(d + kx * g.cin, d + (kx + 1) * g.cin, T(0));
        else
          std::memcpy(d + kx * g.cin, img + (int64_t(iy) * g.w + ix) * g.cin, sizeof(T) * g.cin);
      }
    }
  return im;
}

// dw[(ky*kc + j + r)*cout + c] += sum over the image's output pixels of x(tap ky, j+r) * dy[., c],
// JT rows r, 16 channels. Output rows whose kernel row ky falls outside the image are skipped.
template <int JT, class T>
void weight_tile(const ConvGeom& g, const WeightImage<T>& im, int ky, int j, const T* __restrict dy,
                 T* __restrict dw) {
  constexpr int NV = kNv<T>, L = 32 / int(sizeof(T));
  Vec<T> acc[JT][NV] = {};
  const int ps = g.stride * g.cin, kc = g.k * g.cin;
  // Rows with 0 <= oy*stride - pad + ky < h.
  const int oy0 = std::max(0, (g.pad - ky + g.stride - 1) / g.stride);
  const int oy1 = std::min(g.oh, g.h - 1 + g.pad - ky >= 0 ? (g.h - 1 + g.pad - ky) / g.stride + 1 : 0);
  for (int oy = oy0; oy < oy1; ++oy) {
    const int iy = oy * g.stride - g.pad + ky;
    // x(iy, ix = -pad) + j as an offset: only interior columns index it.
    const int64_t base = (int64_t(iy) * g.w - g.pad) * g.cin + j;
    const T* drow = dy + int64_t(oy) * g.ow * g.cout;
    for (int ox = im.lo; ox < im.hi; ++ox)
      weight_fma<JT>(im.x + base + int64_t(ox) * ps, drow + int64_t(ox) * g.cout, acc);
    const T* wrow = im.win + int64_t(iy) * im.nb * kc + j;
    for (int b = 0; b < im.nb; ++b) {
      const int ox = b < im.lo ? b : im.hi + b - im.lo;
      weight_fma<JT>(wrow + int64_t(b) * kc, drow + int64_t(ox) * g.cout, acc);
    }
  }
  for (int r = 0; r < JT; ++r)
    for (int v = 0; v < NV; ++v)
      store(dw + int64_t(r) * g.cout + v * L, load(dw + int64_t(r) * g.cout + v * L) + acc[r][v]);
}

template <class T>
void weight_tiles(int jt, const ConvGeom& g, const WeightImage<T>& img, int ky, int j, const T* dy, T* dw) {
  switch (jt) {
    case 6:
      return weight_tile<6>(g, img, ky, j, dy, dw);
    case 5:
      return weight_tile<5>(g, img, ky, j, dy, dw);
    case 4:
      return weight_tile<4>(g, img, ky, j, dy, dw);
    case 3:
      return weight_tile<3>(g, img, ky, j, dy, dw);
    case 2:
      return weight_tile<2>(g, img, ky, j, dy, dw);
    default:
      return weight_tile<1>(g, img, ky, j, dy, dw);
  }
}

}  // namespace

bool direct_conv_applies(const ConvGeom& g) {
  return g.allow_direct && g.groups == 1 && g.k > 1 && g.cout % kCoTile == 0 && g.cin <= 32;
}

bool direct_conv_data_applies(const ConvGeom& g) {
  return direct_conv_applies(g) && g.stride == 1 && g.cin % kCoTile == 0 && g.pad <= g.k - 1;
}

size_t direct_border_elements(const ConvGeom& g) {
  int lo, hi;
  interior_columns(g, lo, hi);
  return std::max<size_t>(1, size_t(g.h) * (lo + g.ow - hi) * g.k * g.cin);
}

ConvGeom direct_data_geometry(const ConvGeom& g) {
  ConvGeom d = ConvGeom::make(g.n, g.oh, g.ow, g.cout, g.cin, g.k, 1, g.k - 1 - g.pad, 1);
  d.allow_direct = g.allow_direct;
  return d;
}

template <class T>
void flip_weights(const ConvGeom& g, const T* w, T* wf) {
  // wf col-major [Cin, k*k*Cout]: wf[((ky'*k + kx')*Cout + co)*Cin + ci] = w[(((k-1-ky')*k + k-1-kx')*Cin +
  // ci)*Cout + co]
  for (int ky = 0; ky < g.k; ++ky)
    for (int kx = 0; kx < g.k; ++kx)
      for (int co = 0; co < g.cout; ++co)
        for (int ci = 0; ci < g.cin; ++ci)
          wf[((int64_t(ky) * g.k + kx) * g.cout + co) * g.cin + ci] =
              w[((int64_t(g.k - 1 - ky) * g.k + (g.k - 1 - kx)) * g.cin + ci) * g.cout + co];
}

template <class T>
void direct_forward(const ConvGeom& g, const T* x, const T* w, T* y, int n0, int n1, bool accumulate) {
  int r0, r1;  // rows with all k kernel rows in the image: their border pixels go by columns
  interior_range(g, g.h, g.oh, r0, r1);
  for (int n = n0; n < n1; ++n) {
    const T* img = x + int64_t(n) * g.h * g.w * g.cin;
    T* yimg = y + int64_t(n) * g.out_pixels() * g.cout;
    for (int oy = 0; oy < g.oh; ++oy)
      forward_row(g, img, w, yimg + int64_t(oy) * g.ow * g.cout, oy, oy < r0 || oy >= r1, accumulate);
    forward_border_columns(g, img, w, yimg, r0, r1, accumulate);
  }
}

template <class T>
void direct_weight_grad(const ConvGeom& g, const T* x, const T* dy, T* dw, int n0, int n1, T* win) {
  const int kc = g.k * g.cin;
  for (int n = n0; n < n1; ++n) {
    const WeightImage<T> img = border_windows(g, x + int64_t(n) * g.h * g.w * g.cin, win);
    const T* dimg = dy + int64_t(n) * g.out_pixels() * g.cout;
    for (int ky = 0; ky < g.k; ++ky)
      for (int j = 0; j < kc; j += kMaxTile) {
        const int jt = std::min(kMaxTile, kc - j);
        for (int co = 0; co < g.cout; co += kCoTile)
          weight_tiles(jt, g, img, ky, j, dimg + co, dw + (int64_t(ky) * kc + j) * g.cout + co);
      }
  }
}

#define ODIMO_DIRECT_INSTANTIATE(T)                                                           \
  template void direct_forward<T>(const ConvGeom&, const T*, const T*, T*, int, int, bool);   \
  template void direct_weight_grad<T>(const ConvGeom&, const T*, const T*, T*, int, int, T*); \
  template void flip_weights<T>(const ConvGeom&, const T*, T*);
ODIMO_DIRECT_INSTANTIATE(float)
ODIMO_DIRECT_INSTANTIATE(double)

}  // namespace odimo::mapper
