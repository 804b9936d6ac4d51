#pragma once
// Bank conflicts in a shared multi-banked L1 (Darkside's TCDM), at phase
// granularity: while CU jobs are active they register their TCDM masters; a
// phase's accesses each stall (contenders - 1) * access_density / banks cycles
// on average, contenders = the asking CU's own masters + every other active
// CU's masters. (Uniform random bank choice; Memory.access_density in soc.proto.)
#include <algorithm>

namespace odimo::hw {

class TcdmBanks {
 public:
  TcdmBanks(int banks, double access_density) : m_banks(std::max(1, banks)), m_density(access_density) {}

  void enter(int masters) { m_active += masters; }
  void leave(int masters) { m_active -= masters; }
  int active_masters() const { return m_active; }

  // Expected stall cycles per access for a CU that registered `registered`
  // masters and has `internal` masters competing among themselves.
  double stall_per_access(int registered, int internal) const {
    const int contenders = (m_active - registered) + internal;
    return std::max(0, contenders - 1) * m_density / m_banks;
  }

 private:
  int m_banks;
  double m_density;
  int m_active = 0;
};

}  // namespace odimo::hw
