// odimo socs [SOC]: the shipped SoC descriptions, or one description as loaded
// and validated (text format, every field resolved).
#include <iostream>

#include "cli/args.h"
#include "cli/registry.h"
#include "cli/table.h"
#include "hw/soc_description.h"
#include "proto/proto_io.h"

namespace odimo::cli {
namespace {

constexpr const char* kUsage = "odimo socs [SOC]";

std::string accepted(const proto::ComputeUnit& cu) {
  std::string s;
  for (const auto& op : cu.accepts()) s += (s.empty() ? "" : ",") + op;
  return s;
}

int run_socs(int argc, char** argv) {
  Args args("socs", argc, argv, {}, {"help"});
  if (args.flag("help")) {
    std::cout << "usage: " << kUsage
              << "\n\nWithout SOC: lists the shipped SoC descriptions (hw/socs, or $ODIMO_SOCS) with their\n"
                 "compute units. With SOC (a name or a .pbtxt path): validates it and prints it in text\n"
                 "format. Copy a shipped file and edit its numbers to model a variant (hw/README.md).\n";
    return 0;
  }
  args.expect_positional(0, 1, kUsage);
  if (!args.positional().empty()) {
    const SocDescription soc = load_soc(args.positional()[0]);
    std::cout << "# " << soc.origin << " (validated)\n" << to_text_proto(soc.soc);
    return 0;
  }
  Table t({"soc", "clock MHz", "CU", "kind", "accepts", "busy mW"}, {false, true, false, false, false, true});
  for (const auto& name : shipped_socs()) {
    const SocDescription soc = load_soc(name);
    for (int i = 0; i < soc.soc.cu_size(); ++i) {
      const auto& cu = soc.soc.cu(i);
      t.add({i == 0 ? name : "", i == 0 ? fixed(soc.clock_mhz(), 0) : "",
             cu.name() + (cu.name() == soc.soc.default_cu() ? " (default)" : ""), soc.unit(cu.name()).kind_name(),
             accepted(cu), fixed(cu.busy_power_mw(), 2)});
    }
  }
  std::cout << "Shipped SoC descriptions in " << socs_dir() << ":\n\n";
  t.print(std::cout);
  return 0;
}

}  // namespace

static const Registration kSocs({"socs", run_socs, "list the shipped SoC descriptions, or print one", 85});

}  // namespace odimo::cli
