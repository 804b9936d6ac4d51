// Channel-subset convolution; see ops_conv_channels.h.
#include "mapper/ops/ops_conv_channels.h"

#include <algorithm>

#include "proto/error.h"

namespace odimo::mapper {
namespace {

ConvGeom subset_geometry(const ConvGeom& g, const std::vector<int>& channels) {
  if (g.groups != 1) throw Error("conv2d_*_channels: an ungrouped conv only");
  ConvGeom s = g;
  s.cout = int(channels.size());
  return s;
}

// w_sub[kk * n + i] = w[kk * Cout + channels[i]]: the col-major [n, K] filters of `channels`.
template <class T>
std::vector<T> gather_filters(const ConvGeom& g, const std::vector<int>& channels, const T* w) {
  const int n = int(channels.size()), K = g.kdim();
  std::vector<T> sub(size_t(n) * K);
  for (int kk = 0; kk < K; ++kk)
    for (int i = 0; i < n; ++i) sub[size_t(kk) * n + i] = w[int64_t(kk) * g.cout + channels[i]];
  return sub;
}

}  // namespace

template <class T>
void conv2d_forward_channels(const ConvGeom& g, const std::vector<int>& channels, const T* x, const T* w,
                             T* y_sub, Scratch<T>& s, int threads) {
  if (channels.empty()) return;
  const std::vector<T> w_sub = gather_filters(g, channels, w);
  conv2d_forward(subset_geometry(g, channels), x, w_sub.data(), static_cast<const T*>(nullptr), y_sub, s,
                 threads);
}

template <class T>
void conv2d_backward_channels(const ConvGeom& g, const std::vector<int>& channels, const T* x, const T* w,
                              const T* dy_sub, T* dx, bool accumulate, T* dw, Scratch<T>& s, int threads) {
  std::fill(dw, dw + g.weights(), T(0));
  if (channels.empty()) {
    // No channel computed: nothing reaches x (written as zero unless accumulating).
    if (dx && !accumulate) std::fill(dx, dx + int64_t(g.n) * g.h * g.w * g.cin, T(0));
    return;
  }
  const int n = int(channels.size()), K = g.kdim();
  const std::vector<T> w_sub = gather_filters(g, channels, w);
  std::vector<T> dw_sub(size_t(n) * K);
  conv2d_backward(subset_geometry(g, channels), x, w_sub.data(), dy_sub, dx, accumulate, dw_sub.data(),
                  static_cast<T*>(nullptr), s, threads);
  for (int kk = 0; kk < K; ++kk)
    for (int i = 0; i < n; ++i) dw[int64_t(kk) * g.cout + channels[i]] = dw_sub[size_t(kk) * n + i];
}

template void conv2d_forward_channels<float>(const ConvGeom&, const std::vector<int>&, const float*,
                                             const float*, float*, Scratch<float>&, int);
template void conv2d_forward_channels<double>(const ConvGeom&, const std::vector<int>&, const double*,
                                              const double*, double*, Scratch<double>&, int);
template void conv2d_backward_channels<float>(const ConvGeom&, const std::vector<int>&, const float*,
                                              const float*, const float*, float*, bool, float*,
                                              Scratch<float>&, int);
template void conv2d_backward_channels<double>(const ConvGeom&, const std::vector<int>&, const double*,
                                               const double*, const double*, double*, bool, double*,
                                               Scratch<double>&, int);

}  // namespace odimo::mapper
