#pragma once
// Builders for the shipped reference networks. The .pbtxt files in workloads/
// are written from these (odimo zoo --write DIR) and a test keeps them equal.
#include <string>
#include <vector>

#include "proto/network.pb.h"

namespace odimo {

enum class Stem { kCifar, kImageNet };

// MLPerf Tiny image-classification ResNet-8: stem conv 16, one basic block per
// stack (16, 32/s2, 64/s2), 1x1 conv + BN shortcut where the shape changes.
proto::Network resnet8(int in_channels, int size, int classes);
// CIFAR ResNet-20 (He et al. 2016, 3 stacks x 3 blocks of 16/32/64), with 1x1
// conv + BN projection shortcuts on its two stride-2 blocks, as ODiMO builds it.
proto::Network resnet20(int in_channels, int size, int classes);
// ResNet-18 (basic blocks 2-2-2-2 of 64/128/256/512). ImageNet stem: 7x7/2 conv,
// 3x3/2 max pool; CIFAR stem: one 3x3/1 conv, no pool.
proto::Network resnet18(Stem stem, int classes);
// MobileNetV1 (Howard et al. 2017) with width multiplier `width`; the CIFAR stem
// uses stride 1 in the first conv, the ImageNet stem stride 2.
proto::Network mobilenetv1(double width, Stem stem, int classes);
// A small network with every kind of layer the tests need (1x8x8 input).
proto::Network tiny();

struct ZooEntry {
  std::string file_stem;  // e.g. "resnet20"
  proto::Network net;
};
// Every shipped workload, in file order.
std::vector<ZooEntry> zoo();

}  // namespace odimo
