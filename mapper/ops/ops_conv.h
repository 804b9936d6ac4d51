#pragma once
// Convolutions as paired forward/backward kernels on NHWC activations.
// Standard and grouped conv: im2col over chunks of images + single-threaded
// Eigen GEMM, batch split over threads (the measured strategy of mapper/README.md "Speed"):
//   Y[Cout_g, P]  = W_g[Cout_g, K] * col[K, P]          (forward)
//   dW_g         += dY[Cout_g, P] * col[K, P]^T         (backward, per-thread, reduced in order)
//   dcol[K, P]    = W_g^T * dY;  dX = col2im(dcol)
// Backward recomputes im2col instead of caching it. Narrow ungrouped k x k convs (Cout a
// multiple of 16, Cin <= 32: ResNet's 16/32-channel layers and the stem) skip im2col and
// GEMM altogether: direct register-tiled kernels (ops_conv_direct.h). Depthwise is a direct loop.
// T is float for training and double for gradient tests.
#include "mapper/tensor/tensor.h"

namespace odimo::mapper {

struct ConvGeom {
  int n = 0, h = 0, w = 0, cin = 0;  // input N,H,W,C
  int oh = 0, ow = 0, cout = 0;      // output H,W,C
  int k = 1, stride = 1, pad = 0, groups = 1;
  bool allow_direct = true;  // false: always im2col + GEMM (tests compare the two paths)

  static ConvGeom make(int n, int h, int w, int cin, int cout, int k, int stride, int pad, int groups);
  int cin_g() const { return cin / groups; }
  int cout_g() const { return cout / groups; }
  int kdim() const { return k * k * cin_g(); }  // K: rows of col per group
  int64_t weights() const { return int64_t(cout) * kdim(); }
  int64_t out_pixels() const { return int64_t(oh) * ow; }
  // True for a 1x1, stride-1, unpadded, ungrouped conv: col is X itself.
  bool pointwise() const { return k == 1 && stride == 1 && pad == 0 && groups == 1; }
};

// x (N,H,W,Cin), w per group col-major [Cout_g, K], b (Cout) or null -> y (N,OH,OW,Cout).
template <class T>
void conv2d_forward(const ConvGeom& g, const T* x, const T* w, const T* b, T* y, Scratch<T>& s, int threads);

// dy (N,OH,OW,Cout) -> dx (N,H,W,Cin) (skipped when null; added to when accumulate),
// dw (written), db (written, skipped when null). Caches nothing: recomputes im2col.
template <class T>
void conv2d_backward(const ConvGeom& g, const T* x, const T* w, const T* dy, T* dx, bool accumulate, T* dw,
                     T* db, Scratch<T>& s, int threads);

// Depthwise (channel multiplier 1): x (N,H,W,C), w (k,k,C), b (C) or null -> y (N,OH,OW,C).
template <class T>
void depthwise_forward(const ConvGeom& g, const T* x, const T* w, const T* b, T* y, int threads);
template <class T>
void depthwise_backward(const ConvGeom& g, const T* x, const T* w, const T* dy, T* dx, bool accumulate, T* dw,
                        T* db, Scratch<T>& s, int threads);

}  // namespace odimo::mapper
