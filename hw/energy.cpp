#include "hw/energy.h"

#include <algorithm>

namespace odimo {

double cu_power_pj(const SocDescription& soc, const proto::ComputeUnit& cu, double busy_cycles, double T) {
  const double b = std::clamp(busy_cycles, 0.0, std::max(0.0, T));
  return power_pj(cu.busy_power_mw(), b, soc.clock_mhz()) +
         power_pj(cu.idle_power_mw(), T - b, soc.clock_mhz());
}

double off_chip_pj(const SocDescription& soc, int64_t in_bytes, int64_t out_bytes) {
  const proto::Memory* off = soc.off_chip();
  if (!off) return 0;
  const proto::Memory& l2 = soc.l2();
  return double(in_bytes) * (off->read_pj_per_byte() + l2.write_pj_per_byte()) +
         double(out_bytes) * (l2.read_pj_per_byte() + off->write_pj_per_byte());
}

}  // namespace odimo
