#pragma once
// The first-order per-CU latency formulas of the original ODiMO code, exactly
// (mapper/search/odimo-method.md §6; hw/provenance.md §2.2.3, §2.3.3, §3.2.2, §3.3),
// each evaluated at a real-valued channel count n together with d/dn.
//
// Surrogate gradients (odimo-method.md §4.3), chosen deliberately:
//  - ceil(n/N) is computed as floor((n+N-1)/N); its derivative is taken as 1
//    (identity straight-through, as the original) in the `compat` flavour and
//    1/N (the slope of the average staircase) in the `smooth` flavour.
//  - the gate G(n) = 1[n >= 1] that switches fixed overheads on: forward exact;
//    derivative 1 on 0 < n < 1 and 0 elsewhere (a linear ramp). The original
//    returns 1/(upstream+1) there, which depends on the loss scale; we do not.
//  - the AIMC unroll factor u(n) is piecewise constant: forward exact, the
//    derivative through u is 0 in the `smooth` flavour; `compat` passes the
//    upstream gradient to n unchanged, as the original does.
#include "workloads/network.h"

namespace odimo::cost {

// Layer geometry as the cost formulas see it. Linear layers are 1x1 convs on a
// 1x1 map with C_in = input features.
struct Geometry {
  Op op = Op::kConv2d;
  int c_in = 0;    // input channels (features for linear)
  int c_out = 0;   // output channels of the whole layer
  int k = 1;       // square kernel side
  int ox = 1;      // output columns
  int oy = 1;      // output rows
  int groups = 1;  // conv groups (C_in for depthwise)
  static Geometry of(const Layer& l);
};

enum class Flavour { kCompat, kSmooth };

// Cycles of n output channels on one CU and d(cycles)/dn.
struct CuTerm {
  double cycles = 0;
  double dcycles_dn = 0;
};

// DIANA 16x16 digital array: compute on the array + activation load/store at 8 B/cycle.
CuTerm diana_digital(const Geometry& g, double n, Flavour f = Flavour::kCompat);

// DIANA AIMC macro constants (ODiMO: 1152x512 array, 70 ns MVM at 260 MHz).
struct AimcShape {
  int rows = 1152;
  int cols = 512;
  int min_channel_rows = 64;     // a channel occupies at least 64 rows
  int channels_per_block = 128;  // ceil(C_in/128) array activations per pixel
  double cycles_per_mvm = 18.2;  // 70 ns x 260 MHz
  int row_program_cycles = 8;    // per unrolled weight row (4 x 2 bit-planes)
};
// Largest unroll u in {1,2,4,8} with u*n <= cols and (u+K-1)*max(64,C_in)*K <= rows.
int aimc_unroll(const Geometry& g, double n, const AimcShape& a);
CuTerm diana_aimc(const Geometry& g, double n, const AimcShape& a = {}, Flavour f = Flavour::kCompat);

// Darkside 8-core cluster: PULP-NN im2col + 4x2 SIMD matmul (standard conv).
CuTerm darkside_cluster(const Geometry& g, double n, Flavour f = Flavour::kCompat);
// Darkside depthwise engine: 16 channels per pass, 3x3 hard-wired in the formula.
CuTerm darkside_dwe(const Geometry& g, double n, Flavour f = Flavour::kCompat);

}  // namespace odimo::cost
