#pragma once
// One weighted layer of the integer network as converted (integer_network.cpp) and run
// (integer_run.cpp): per output channel its CU, weight codes and output stage, the AIMC row
// tiling, and the vectorised form of integer_kernels.h. Private to mapper/deploy/.
#include <cstdint>
#include <string>
#include <vector>

#include "hw/cu/integer_behaviour.h"
#include "mapper/deploy/integer_network.h"

namespace odimo::deploy {

struct IntegerNetwork::Weighted {
  int layer = 0;
  std::string name;
  Layer geom;
  int src = -1;                         // producer layer, -1: the network input
  std::vector<int> order;               // deployment order of the output channels
  std::vector<int> cu;                  // per channel: CU index
  std::vector<uint8_t> depthwise;       // per channel: computes from channel c only
  std::vector<std::vector<int32_t>> w;  // per channel, fan-in codes
  std::vector<OutputStage> stage;       // per channel
  int adc_shift = 0;
  int64_t chunk = 0;  // AIMC: input channels (conv) or inputs (linear) per row tile
  int tiles = 1;
  bool analog = false;
  // The vectorised form (integer_kernels.h), when the layer's numbers fit it (pack()):
  // every channel's weights in patch order, and the dot products one pixel needs, four
  // channels sharing a range of the patch at a time; a channel's sums land in `slot`
  // (one per channel, an AIMC channel one per row tile).
  struct DotBlock {
    int64_t begin = 0, len = 0;  // range of the patch
    int n = 0;
    int64_t w[4] = {0, 0, 0, 0};  // offsets in `packed`
    int slot[4] = {0, 0, 0, 0};
  };
  bool fast = false;
  bool tap_major = false;  // patch order (integer_kernels.h: gather_patch)
  int64_t patch_len = 0;
  std::vector<int16_t> packed;
  std::vector<DotBlock> blocks;
  std::vector<int> slot;     // per channel: its first sum
  std::vector<uint8_t> adc;  // per channel: its sums go through the ADC
  std::vector<int> column;   // per channel: its AIMC column (RunSettings::chip)
  int slots = 0;
};

}  // namespace odimo::deploy
