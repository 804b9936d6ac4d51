#pragma once
// A standard (ungrouped) conv that computes only some of its output channels: their filters
// are gathered into a conv with channels.size() outputs, run by conv2d_forward / conv2d_backward
// (ops_conv.h), so the arithmetic is channels.size() / Cout of the full conv's. Used by the
// search's thermometric layers (mapper/search/search_nodes.h), whose conv branch contributes
// nothing on the channels the mask gives to the depthwise branch.
//   `channels`: ascending, distinct, each in [0, g.cout); `g` is the full conv's geometry.
//   w: the full conv's weights, col-major [Cout, K] (K = k*k*Cin), as conv2d_forward.
#include <vector>

#include "mapper/ops/ops_conv.h"

namespace odimo::mapper {

// x (N,H,W,Cin) -> y_sub (N,OH,OW,n), n = channels.size(): y_sub[..., i] = y[..., channels[i]]
// of the full conv (no bias).
template <class T>
void conv2d_forward_channels(const ConvGeom& g, const std::vector<int>& channels, const T* x, const T* w,
                             T* y_sub, Scratch<T>& s, int threads);

// dy_sub (N,OH,OW,n), the gradient of y_sub -> dx (N,H,W,Cin) (skipped when null, added to when
// accumulate) and dw (the full [Cout, K], written: zero on the rows of channels not computed).
// Equal to conv2d_backward with dy zero on those channels, up to the order of summation.
template <class T>
void conv2d_backward_channels(const ConvGeom& g, const std::vector<int>& channels, const T* x, const T* w,
                              const T* dy_sub, T* dx, bool accumulate, T* dw, Scratch<T>& s, int threads);

}  // namespace odimo::mapper
