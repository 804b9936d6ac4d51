#pragma once
// Direct NHWC kernels for the narrow k x k convolutions of small CNNs (ResNet's 16- and
// 32-channel 3x3 layers, the Cin = 1 stem): no im2col, no GEMM packing.
//   forward   y[p, co]          = sum over in-image taps (ky, kx, ci) of x[tap(p), ci] * w[(ky,kx,ci), co]
//             register tiles of up to 6 interior output pixels x 16 output channels (a row's
//             interior cut evenly); border pixels of full rows in vertical tiles of up to 6, those
//             of the top/bottom rows one at a time, with their kx range cut (x read in place);
//   weights   dw[(ky,kx,ci), co] += sum over p of x[tap(p), ci] * dy[p, co], x read in place
//             (rows out of the image skipped; the border columns' tap runs, zeros outside
//             the image, copied once per image: 2 of 28 columns in ResNet); register tiles of 6 (kx,ci) rows
//             x 16 output channels, streamed over pixels;
//   data      (stride 1 only) dx is the forward kernel run on dy (read in place) with the
//             flipped, transposed weights wf[(ky',kx',co), ci] = w[(k-1-ky', k-1-kx', ci), co].
// Summation order is fixed by the geometry alone (deterministic). Used by conv2d_forward /
// conv2d_backward (ops_conv.h) when direct_conv_applies(g) and when g.allow_direct.
#include "mapper/ops/ops_conv.h"

namespace odimo::mapper {

// Ungrouped, odd square kernel with "same"-style padding k/2 (or none), Cout a multiple of 16,
// and few input channels (Cin <= 32: wider layers are better served by the GEMM).
bool direct_conv_applies(const ConvGeom& g);
// The data gradient also runs direct (stride 1 and Cin a multiple of 16).
bool direct_conv_data_applies(const ConvGeom& g);

// Images [n0, n1) of y (N,OH,OW,Cout), written (or added to when accumulate). Reads x in
// place: taps outside the image are skipped.
template <class T>
void direct_forward(const ConvGeom& g, const T* x, const T* w, T* y, int n0, int n1, bool accumulate = false);
// dw (col-major [Cout, K]) += the images [n0, n1) of x and dy; win: direct_border_elements(g).
template <class T>
void direct_weight_grad(const ConvGeom& g, const T* x, const T* dy, T* dw, int n0, int n1, T* win);
// Scratch of direct_weight_grad: the k*Cin tap runs of one image's border columns.
size_t direct_border_elements(const ConvGeom& g);
// The geometry and weights of the data gradient as a forward conv over dy (stride 1).
ConvGeom direct_data_geometry(const ConvGeom& g);
template <class T>
void flip_weights(const ConvGeom& g, const T* w, T* wf);

}  // namespace odimo::mapper
