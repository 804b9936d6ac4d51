#include "hw/cu/odimo_formulas.h"

#include <algorithm>
#include <cmath>

namespace odimo::cost {
namespace {

// ceil(n/N) as the original computes it, floor((n+N-1)/N), with the chosen surrogate slope.
struct Ceil {
  double value;
  double slope;
};
Ceil ceil_div(double n, double N, Flavour f) {
  return {std::floor((n + N - 1) / N), f == Flavour::kCompat ? 1.0 : 1.0 / N};
}
double iceil(double a, double b) {
  return std::floor((a + b - 1) / b);
}

// G(n) = 1[n >= 1] with a ramp derivative on (0, 1).
Ceil gate(double n) {
  return {n >= 1 ? 1.0 : 0.0, (n > 0 && n < 1) ? 1.0 : 0.0};
}

}  // namespace

Geometry Geometry::of(const Layer& l) {
  Geometry g;
  g.op = l.op;
  g.c_out = l.out.c;
  if (l.op == Op::kLinear) {
    g.c_in = int(l.in.elements());
    return g;
  }
  g.c_in = l.in.c;
  g.k = l.kernel;
  g.ox = l.out.w;
  g.oy = l.out.h;
  g.groups = l.groups;
  return g;
}

CuTerm diana_digital(const Geometry& g, double n, Flavour f) {
  // cyc = ceil((n/g)/16) * C_in * ceil(Ox/16) * Oy * K * K + G(n) * Ox * Oy * (n + C_in) / 8
  // Depthwise: the original's ceil((n/g)/16) * C_in degenerates for a part of the
  // channels (n/g < 1 rounds to 0 in floor((x+15)/16)); we charge each channel on its
  // own (1/16 of the array busy), which equals the original at n = C.
  const bool dw = g.groups > 1 && g.groups == g.c_in;
  const Ceil blocks = dw ? Ceil{n, 1.0} : ceil_div(n / g.groups, 16, f);
  const double per_block = double(dw ? 1 : g.c_in) * iceil(g.ox, 16) * g.oy * g.k * g.k;
  const Ceil on = gate(n);
  const double ls = double(g.ox) * g.oy * (n + g.c_in) / 8.0;
  CuTerm t;
  t.cycles = blocks.value * per_block + on.value * ls;
  t.dcycles_dn =
      blocks.slope / (dw ? 1 : g.groups) * per_block + on.slope * ls + on.value * g.ox * g.oy / 8.0;
  return t;
}

int aimc_unroll(const Geometry& g, double n, const AimcShape& a) {
  int best = 1;
  for (int u : {1, 2, 4, 8}) {
    if (u * n <= a.cols && double(u + g.k - 1) * std::max(a.min_channel_rows, g.c_in) * g.k <= a.rows)
      best = u;
  }
  return best;
}

CuTerm diana_aimc(const Geometry& g, double n, const AimcShape& a, Flavour f) {
  // cyc = G(n) * 8 * C_in * K * K + ceil(n/512) * ceil(C_in/128) * Ox * Oy / u * 18.2
  const int u = aimc_unroll(g, n, a);
  const Ceil loads = ceil_div(n, a.cols, f);
  const double per_load = iceil(g.c_in, a.channels_per_block) * double(g.ox) * g.oy * a.cycles_per_mvm;
  const Ceil on = gate(n);
  const double program = double(a.row_program_cycles) * g.c_in * g.k * g.k;
  CuTerm t;
  t.cycles = on.value * program + loads.value * per_load / u;
  t.dcycles_dn = on.slope * program + loads.slope * per_load / u;
  if (f == Flavour::kCompat) t.dcycles_dn += -loads.value * per_load / (double(u) * u);  // d/du, passed to n
  return t;
}

CuTerm darkside_cluster(const Geometry& g, double n, Flavour f) {
  // ODiMO never puts depthwise or linear layers on the cluster; for those we use
  // PLiNIO's GAP8 models of the same PULP-NN kernels (hw/provenance.md §3.2.2):
  // depthwise 4*ceil(n/4)*Ox*Oy*K*K, linear ceil(C_in/2)*ceil(n/4).
  if (g.op == Op::kDepthwise || (g.groups > 1 && g.groups == g.c_in)) {
    const Ceil quads = ceil_div(n, 4, f);
    const double per_quad = 4.0 * g.ox * g.oy * g.k * g.k;
    return {quads.value * per_quad, quads.slope * per_quad};
  }
  if (g.op == Op::kLinear) {
    const Ceil quads = ceil_div(n, 4, f);
    const double per_quad = iceil(g.c_in, 2);
    return {quads.value * per_quad, quads.slope * per_quad};
  }
  // cyc = ceil(Oy/2) * ceil(Ox/8) * [2*K*K*C_in + ceil(n/4) * (14*ceil(K*K*C_in/4) + 15)]
  // Quirk kept: the im2col term is charged even when n = 0.
  const double tiles = iceil(g.oy, 2) * iceil(g.ox, 8);
  const double im2col = 2.0 * g.k * g.k * g.c_in;
  const Ceil quads = ceil_div(n, 4, f);
  const double matmul = 14.0 * iceil(double(g.k) * g.k * g.c_in, 4) + 15.0;
  return {tiles * (im2col + quads.value * matmul), tiles * quads.slope * matmul};
}

CuTerm darkside_dwe(const Geometry& g, double n, Flavour f) {
  // cyc = ceil(n/16) * [(9 + 9*Ox) + 4*Ox*Oy]
  const Ceil passes = ceil_div(n, 16, f);
  const double per_pass = (9.0 + 9.0 * g.ox) + 4.0 * g.ox * g.oy;
  return {passes.value * per_pass, passes.slope * per_pass};
}

}  // namespace odimo::cost
