#pragma once
// Batch normalisation over (N,H,W) per channel of an NHWC tensor, as in
// PyTorch's BatchNorm2d (Ioffe & Szegedy 2015): training normalises with the
// biased batch variance and updates running statistics with the unbiased one.
#include "mapper/tensor/tensor.h"

namespace odimo::mapper {

struct BatchNormGeom {
  int64_t rows = 0;  // N*H*W
  int channels = 0;
  int n = 0;  // images, the unit the batch is split over threads
  double eps = 1e-5;
  double momentum = 0.1;  // running = (1-m)*running + m*batch
  bool relu = false;      // fused ReLU: y = max(bn(x), 0) (saves a pass each way)
};

// What training forward caches for backward: per-channel mean and 1/sqrt(var+eps), and the
// affine map y = x*scale + shift it applied (the fused ReLU's mask is recomputed from x with it).
template <class T>
struct BatchNormCache {
  std::vector<T> mean, invstd, scale, shift;
};

// x (rows,C) -> y (rows,C); updates running_mean/var (C) when they are non-null.
template <class T>
void batchnorm_train_forward(const BatchNormGeom& g, const T* x, const T* gamma, const T* beta, T* y,
                             BatchNormCache<T>& cache, T* running_mean, T* running_var, Scratch<double>& s,
                             int threads);
// Eval: y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta.
template <class T>
void batchnorm_eval_forward(const BatchNormGeom& g, const T* x, const T* gamma, const T* beta,
                            const T* running_mean, const T* running_var, T* y, int threads);
// dx = gamma*invstd*(dy - mean(dy) - xhat*mean(dy*xhat)); dgamma = sum dy*xhat; dbeta = sum dy.
// With g.relu, dy is first masked by y > 0, recomputed from x and the cache's affine map (the
// same float expression as the forward: the same bits, one memory stream less than reading y).
template <class T>
void batchnorm_train_backward(const BatchNormGeom& g, const T* x, const T* gamma, const T* dy,
                              const BatchNormCache<T>& cache, T* dx, bool accumulate, T* dgamma, T* dbeta,
                              Scratch<double>& s, int threads);

// Folds eval-mode batch norm into the preceding conv/linear (as ODiMO does before
// its search, odimo-method.md §2.1): w'[o,:] = w[o,:]*a_o, b'_o = (b_o - mean_o)*a_o + beta_o
// with a_o = gamma_o/sqrt(var_o+eps). `bias` may be empty (no bias yet); it is resized.
void fold_batchnorm(std::vector<float>& weight, std::vector<float>& bias, const ChannelLayout& layout,
                    const std::vector<float>& gamma, const std::vector<float>& beta,
                    const std::vector<float>& mean, const std::vector<float>& var, double eps = 1e-5);

}  // namespace odimo::mapper
