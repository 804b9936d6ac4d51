#pragma once
// Small builders shared by the hw/ and sim/ tests: networks and SoCs from text.
#include <string>

#include "hw/soc_description.h"
#include "proto/error.h"
#include "proto/proto_io.h"
#include "workloads/network.h"

namespace odimo::test {

inline Network net_from_text(const std::string& text) {
  proto::Network pn;
  parse_text_proto(text, "test-net.pbtxt", &pn);
  return build_network(pn, "test-net.pbtxt");
}

// One conv2d layer: input CxHxW, `k` output channels, kernel/stride/padding.
inline Network one_conv(int c, int h, int w, int k, int kernel, int stride = 1, int padding = -1,
                        const std::string& op = "conv2d") {
  if (padding < 0) padding = kernel / 2;
  return net_from_text("name: 'one' input { c: " + std::to_string(c) + " h: " + std::to_string(h) +
                       " w: " + std::to_string(w) + " }\nlayer { name: 'conv' op: '" + op +
                       "' out_channels: " + std::to_string(k) + " kernel: " + std::to_string(kernel) +
                       " stride: " + std::to_string(stride) + " padding: " + std::to_string(padding) +
                       " }\n");
}

// A shipped SoC with `edit` (text-format fields) merged on top of it.
inline SocDescription soc_with(const std::string& name, const std::string& edit) {
  SocDescription base = load_soc(name);
  proto::Soc patch;
  parse_text_proto(edit, "edit", &patch);
  proto::Soc merged = base.soc;
  // repeated fields are replaced whole by the edit when present
  if (patch.cu_size()) merged.clear_cu();
  if (patch.memory_size()) merged.clear_memory();
  merged.MergeFrom(patch);
  return build_soc(merged, "edited-" + name);
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace odimo::test
