// The shipped networks: known totals pinned, files in sync with their builders,
// and every one loads at its own and at an overridden input shape.
#include <doctest/doctest.h>

#include "proto/proto_io.h"
#include "workloads/network.h"
#include "workloads/zoo.h"

using namespace odimo;

// Counting convention (the one torchvision-style summaries and the papers use):
// MACs = multiply-accumulates of conv and linear layers only (BN, ReLU, add and
// pooling count 0); params = conv/linear weights + biases + BN scale and shift
// (running statistics are buffers, not parameters).

TEST_CASE("ResNet-20 at 3x32x32: about 41 M MACs and 0.27 M params") {
  Network n = load_network("resnet20");
  // Convs of option-A ResNet-20 (He et al. 2016): stem 16*27*32^2, stack 1: 6 x 16*144*32^2,
  // stacks 2 and 3: one stride-2 conv + 5 convs each; fc 64*10. 269,722 params with BN.
  const int64_t stem = 16 * 27 * 1024, s1 = 6 * 16 * 144 * 1024;
  const int64_t s2 = 32 * 144 * 256 + 5 * 32 * 288 * 256, s3 = 64 * 288 * 64 + 5 * 64 * 576 * 64;
  CHECK(stem + s1 + s2 + s3 + 640 == 40551040);  // the commonly quoted 40.55 M
  // The two 1x1 projection shortcuts add 16*32*16^2 + 32*64*8^2 MACs, 2,560 weights and 192 BN params.
  CHECK(n.total_macs() == 40551040 + 16 * 32 * 256 + 32 * 64 * 64);
  CHECK(n.total_params() == 269722 + 2560 + 192);
}

TEST_CASE("ResNet-18 (ImageNet stem) at 3x224x224: 1.82 G MACs and 11.7 M params") {
  Network n = load_network("resnet18-imagenet");
  CHECK(n.total_macs() == 1813561344 + 512000);  // torchvision resnet18: 1.8136 GMAC conv + 0.5 M fc
  CHECK(n.total_params() == 11689512);           // torchvision resnet18 parameter count
}

TEST_CASE("MobileNetV1-1.0 at 3x224x224: 569 M MACs and 4.2 M params") {
  Network n = load_network("mobilenetv1-1.0-imagenet");
  CHECK(n.total_macs() == 567716352 + 1024000);  // Howard et al. 2017, Table: 569 M mult-adds (conv + fc)
  CHECK(n.total_params() == 4231976);            // 4.2 M (conv + BN scale/shift + fc)
}

TEST_CASE("ResNet-8 matches the PyTorch anchor's 77,754 parameters") {
  Network n = load_network("resnet8");
  CHECK(n.input == Shape{1, 28, 28});
  CHECK(n.total_params() ==
        77754);  // MLPerf Tiny ResNet-8 has 77,754 parameters (the PyTorch anchor prints the same)
}

TEST_CASE("every shipped file equals its builder's output") {
  for (const auto& e : zoo()) {
    CAPTURE(e.file_stem);
    proto::Network shipped;
    read_text_proto(workloads_dir() + "/" + e.file_stem + ".pbtxt", &shipped);
    CHECK(shipped.SerializeAsString() == e.net.SerializeAsString());
  }
  CHECK(shipped_workloads().size() == zoo().size());
}

TEST_CASE("every shipped workload loads, also at a 1x28x28 input") {
  for (const auto& name : shipped_workloads()) {
    CAPTURE(name);
    Network n = load_network(name);
    CHECK(n.total_macs() > 0);
    CHECK(n.layers.back().out.c == n.classes);
    if (name == "tiny") continue;
    Network small = load_network(name, Shape{1, 28, 28});
    CHECK(small.layers.back().out.c == n.classes);
    CHECK(small.total_macs() < n.total_macs() * 3);
  }
}
