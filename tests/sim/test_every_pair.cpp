// Every shipped SoC runs every shipped workload (ImageNet-size ones included)
// under its default mapping and all-on-each-CU: tiles that fit by tiling input
// channels, tensors beyond L2 through the off-chip memory. One TEST_CASE (one
// elaboration, one process) per SoC.
#include <doctest/doctest.h>

#include "hw/mapping.h"
#include "sim/network_run.h"
#include "sim/simulator.h"

using namespace odimo;

namespace {

void every_workload_on(const std::string& soc_name) {
  const SocDescription soc = load_soc(soc_name);
  std::vector<std::string> mappings = {""};
  for (const auto& unit : soc.units)
    if (!unit->is_host()) mappings.push_back("all:" + unit->name());
  sim::Simulator simulator(soc);
  for (const std::string& w : shipped_workloads()) {
    const Network net = load_network(w);
    for (const std::string& m : mappings) {
      CAPTURE(w);
      CAPTURE(m);
      const proto::Report r = sim::simulate_network(simulator, net, resolve_mapping(net, soc, m), "test");
      CHECK(r.total().cycles() > 0);
      CHECK(r.total().energy_uj() > 0);
      for (const auto& layer : r.layers())  // no layer is left unmodelled
        CHECK(layer.note().find("not modelled") == std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("every shipped workload simulates on diana") {
  every_workload_on("diana");
}
TEST_CASE("every shipped workload simulates on darkside") {
  every_workload_on("darkside");
}
TEST_CASE("every shipped workload simulates on diana-aimc2304") {
  every_workload_on("diana-aimc2304");
}
