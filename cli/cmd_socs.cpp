// odimo socs [SOC]: the shipped SoC descriptions, or one description as loaded
// and validated (text format, every field resolved).
#include <iostream>

#include "cli/command_line.h"
#include "cli/registry.h"
#include "cli/table.h"
#include "hw/soc_description.h"
#include "proto/proto_io.h"

namespace odimo::cli {
namespace {

std::string accepted(const proto::ComputeUnit& cu) {
  std::string s;
  for (const auto& op : cu.accepts()) s += (s.empty() ? "" : ",") + op;
  return s;
}

int list_socs() {
  Table t({"soc", "clock MHz", "CU", "kind", "accepts", "busy mW"}, {false, true, false, false, false, true});
  for (const auto& name : shipped_socs()) {
    const SocDescription soc = load_soc(name);
    for (int i = 0; i < soc.soc.cu_size(); ++i) {
      const auto& cu = soc.soc.cu(i);
      t.add({i == 0 ? name : "", i == 0 ? fixed(soc.clock_mhz(), 0) : "",
             cu.name() + (cu.name() == soc.soc.default_cu() ? " (default)" : ""),
             soc.unit(cu.name()).kind_name(), accepted(cu), fixed(cu.busy_power_mw(), 2)});
    }
  }
  std::cout << "Shipped SoC descriptions in " << socs_dir() << ":\n\n";
  t.print(std::cout);
  return 0;
}

Action define_socs(CLI::App& app) {
  auto soc = std::make_shared<std::string>();
  app.add_option("SOC", *soc, "a shipped SoC name or a .pbtxt path: validate it and print it in text format");
  app.footer(
      "Without SOC: lists the shipped SoC descriptions (hw/socs, or $ODIMO_SOCS) with their\n"
      "compute units. Copy a shipped file and edit its numbers to model a variant (hw/README.md).");
  return [soc] {
    if (soc->empty()) return list_socs();
    const SocDescription d = load_soc(*soc);
    std::cout << "# " << d.origin << " (validated)\n" << to_text_proto(d.soc);
    return 0;
  };
}

}  // namespace

static const Registration kSocs({"socs", "list the shipped SoC descriptions, or print one", 85, define_socs});

}  // namespace odimo::cli
