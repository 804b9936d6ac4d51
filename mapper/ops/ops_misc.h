#pragma once
// Elementwise ops, pooling and the classifier head as paired forward/backward
// kernels on NHWC tensors. `accumulate` backward variants add into dx (a tensor
// read by several layers); otherwise they overwrite it.
#include <cstdint>

#include "mapper/tensor/tensor.h"

namespace odimo::mapper {

// Elementwise ops see a tensor as n images of `per_image` values.
struct Flat {
  int n = 0;
  int64_t per_image = 0;
};

// y = max(x, 0). Backward caches nothing: the mask is y > 0.
template <class T>
void relu_forward(const Flat& f, const T* x, T* y, int threads);
template <class T>
void relu_backward(const Flat& f, const T* y, const T* dy, T* dx, bool accumulate, int threads);
// relu_backward into two distinct gradients at once (the two inputs of an add with a fused ReLU).
template <class T>
void relu_backward_pair(const Flat& f, const T* y, const T* dy, T* dx0, bool acc0, T* dx1, bool acc1,
                        int threads);
// y = min(max(x, 0), 6). Backward passes dy where 0 < x < 6 (as PyTorch's hardtanh).
template <class T>
void relu6_forward(const Flat& f, const T* x, T* y, int threads);
template <class T>
void relu6_backward(const Flat& f, const T* x, const T* dy, T* dx, bool accumulate, int threads);
// y = a + b; backward gives dy to both (the caller calls grad_pass per input).
template <class T>
void add_forward(const Flat& f, const T* a, const T* b, T* y, bool accumulate, int threads);
// y = max(a + b, 0): an add followed by its only consumer, a ReLU (backward: relu_backward_pair, or
// relu_backward per input).
template <class T>
void add_relu_forward(const Flat& f, const T* a, const T* b, T* y, int threads);
template <class T>
void grad_pass(const Flat& f, const T* dy, T* dx, bool accumulate, int threads);

struct PoolGeom {
  int n = 0, h = 0, w = 0, c = 0, oh = 0, ow = 0, k = 1, stride = 1, pad = 0;
  static PoolGeom make(int n, int h, int w, int c, int k, int stride, int pad);
};
// Average over the k*k window, padding counted (PyTorch's count_include_pad=True).
template <class T>
void avgpool_forward(const PoolGeom& g, const T* x, T* y, int threads);
template <class T>
void avgpool_backward(const PoolGeom& g, const T* dy, T* dx, bool accumulate, int threads);
// Max over the window; caches the flat input index of each maximum (first on ties).
template <class T>
void maxpool_forward(const PoolGeom& g, const T* x, T* y, int32_t* argmax, int threads);
template <class T>
void maxpool_backward(const PoolGeom& g, const int32_t* argmax, const T* dy, T* dx, bool accumulate,
                      int threads);
// (N,H,W,C) -> (N,1,1,C) mean over pixels.
template <class T>
void global_avgpool_forward(int n, int pixels, int c, const T* x, T* y, int threads);
template <class T>
void global_avgpool_backward(int n, int pixels, int c, const T* dy, T* dx, bool accumulate, int threads);

// Linear: x (N,In) row-major, w col-major [Out,In], b (Out) or null -> y (N,Out).
template <class T>
void linear_forward(int n, int in, int out, const T* x, const T* w, const T* b, T* y);
// dw, db written; dx written or added, skipped when null.
template <class T>
void linear_backward(int n, int in, int out, const T* x, const T* w, const T* dy, T* dx, bool accumulate,
                     T* dw, T* db);

// Mean softmax cross-entropy of logits (N,K) against labels; writes dlogits =
// (softmax - onehot)/N when non-null and counts correct argmax predictions.
template <class T>
double softmax_cross_entropy(int n, int k, const T* logits, const int* labels, T* dlogits, int* correct);

}  // namespace odimo::mapper
