// Mapping resolution: defaults, all:CU with fallbacks, fusion, explicit files
// and every error a user can make in them.
#include <doctest/doctest.h>

#include "hw/mapping.h"
#include "tests/sim/helpers.h"

using namespace odimo;
using odimo::test::error_of;

namespace {

ResolvedMapping from_text(const Network& net, const SocDescription& soc, const std::string& text) {
  proto::Mapping m;
  parse_text_proto(text, "map.pbtxt", &m);
  return resolve_mapping(net, soc, m, "map.pbtxt");
}

const LayerSplit& split_of(const Network& net, const ResolvedMapping& m, const std::string& layer) {
  return m.layers.at(net.find(layer));
}

}  // namespace

TEST_CASE("default mapping on DIANA: convs on digital, bn/relu fused, pooling on the host") {
  Network net = load_network("resnet20");
  ResolvedMapping m = resolve_mapping(net, load_soc("diana"), "");
  CHECK(m.spec == "default");
  CHECK(split_of(net, m, "stem").channels_on("digital") == 16);
  CHECK(split_of(net, m, "stem_bn").fused_into == net.find("stem"));
  CHECK(split_of(net, m, "stem_relu").fused_into == net.find("stem"));
  CHECK(split_of(net, m, "s1b1_add").channels_on("digital") == 16);
  CHECK(split_of(net, m, "s1b1_relu").fused_into == net.find("s1b1_add"));
  const LayerSplit& pool = m.layers[net.find("flatten") - 1];
  CHECK(pool.channels_on("host") == 64);
  CHECK(pool.note == "digital cannot run globalavgpool: fell back to host");
  CHECK(split_of(net, m, "flatten").view);
}

TEST_CASE("all:aimc falls back to digital for depthwise and says so") {
  Network net = load_network("mobilenetv1-0.25-cifar");
  ResolvedMapping m = resolve_mapping(net, load_soc("diana"), "all:aimc");
  CHECK(split_of(net, m, "b1_pw").channels_on("aimc") == 16);
  const LayerSplit& dw = split_of(net, m, "b1_dw");
  CHECK(dw.channels_on("digital") == 8);
  CHECK(dw.note == "aimc cannot run depthwise: fell back to digital");
}

TEST_CASE("all:dwe on Darkside: depthwise on the DWE, the rest on the cluster") {
  Network net = load_network("mobilenetv1-0.25-cifar");
  ResolvedMapping m = resolve_mapping(net, load_soc("darkside"), "all:dwe");
  CHECK(split_of(net, m, "b1_dw").channels_on("dwe") == 8);
  CHECK(split_of(net, m, "b1_pw").channels_on("cluster") == 16);
  CHECK(split_of(net, m, "b1_pw").note == "dwe cannot run conv2d: fell back to cluster");
}

TEST_CASE("unknown CU in all:CU lists the SoC's CUs") {
  Network net = load_network("tiny");
  CHECK(error_of([&] { resolve_mapping(net, load_soc("diana"), "all:gpu"); }) ==
        "unknown CU 'gpu' on SoC 'diana' (CUs: host, digital, aimc)");
}

TEST_CASE("an explicit DIANA split: any subset, channel counts per CU") {
  Network net = odimo::test::one_conv(16, 8, 8, 32, 3);
  ResolvedMapping m = from_text(net, load_soc("diana"),
                                "layer { layer: 'conv' split { cu: 'aimc' channels: [0, 2, 4, 6] }"
                                " split { cu: 'digital' first: 8 count: 24 }"
                                " split { cu: 'host' channels: [1, 3, 5, 7] } }");
  const LayerSplit& s = m.layers[0];
  REQUIRE(s.shares.size() == 3);
  CHECK(s.shares[0].cu == "host");
  CHECK(s.channels_on("aimc") == 4);
  CHECK(s.channels_on("digital") == 24);
  CHECK(s.channels_on("host") == 4);
  CHECK(s.note.empty());
}

TEST_CASE("explicit mapping errors") {
  SocDescription diana = load_soc("diana");
  Network net = odimo::test::one_conv(16, 8, 8, 32, 3);
  auto err = [&](const std::string& text) { return error_of([&] { from_text(net, diana, text); }); };
  CHECK(err("layer { layer: 'conv' split { cu: 'gpu' first: 0 count: 32 } }") ==
        "map.pbtxt: layer 'conv': unknown CU 'gpu' (SoC 'diana' has host, digital, aimc)");
  CHECK(err("layer { layer: 'conv' split { cu: 'digital' first: 0 count: 30 } }") ==
        "map.pbtxt: layer 'conv': output channel 30 of 32 is not covered by any CU");
  CHECK(err("layer { layer: 'conv' split { cu: 'digital' first: 0 count: 20 } split { cu: 'aimc' first: 16 "
            "count: 16 } }") ==
        "map.pbtxt: layer 'conv': output channel 16 is covered twice (digital and aimc)");
  CHECK(err("layer { layer: 'conv' split { cu: 'digital' first: 0 count: 40 } }")
            .find("outside the layer's 32") != std::string::npos);
  CHECK(err("layer { layer: 'nope' split { cu: 'digital' first: 0 count: 32 } }") ==
        "map.pbtxt: layer 'nope' is not in network 'one'");
  CHECK(err("network: 'resnet8' layer { layer: 'conv' split { cu: 'digital' first: 0 count: 32 } }") ==
        "map.pbtxt: field 'network': the mapping is for network 'resnet8', not 'one'");
  CHECK(err("layer { layer: 'conv' split { cu: 'digital' first: 0 count: 32 } permutation: [0, 1] }")
            .find("permutation is not a permutation") != std::string::npos);

  Network dw = odimo::test::one_conv(16, 8, 8, 16, 3, 1, 1, "depthwise");
  CHECK(error_of([&] {
          from_text(dw, diana, "layer { layer: 'conv' split { cu: 'aimc' first: 0 count: 16 } }");
        }) == "map.pbtxt: layer 'conv': aimc cannot run depthwise");
}

TEST_CASE("Darkside: first k channels on the cluster, the rest on the DWE") {
  SocDescription ds = load_soc("darkside");
  Network dw = odimo::test::one_conv(32, 8, 8, 32, 3, 1, 1, "depthwise");
  ResolvedMapping m = from_text(dw, ds,
                                "layer { layer: 'conv' split { cu: 'dwe' first: 8 count: 24 }"
                                " split { cu: 'cluster' first: 0 count: 8 variant: 'conv2d' } }");
  const LayerSplit& s = m.layers[0];
  REQUIRE(s.shares.size() == 2);
  CHECK(s.shares[0].cu == "cluster");  // SoC order
  CHECK(s.shares[0].op == Op::kConv2d);
  CHECK(s.shares[1].channels == 24);
  CHECK(error_of([&] {
          from_text(dw, ds,
                    "layer { layer: 'conv' split { cu: 'dwe' first: 0 count: 8 } split { cu: 'cluster' "
                    "first: 8 count: 24 } }");
        })
            .find("needs each CU's channels as one contiguous range in CU order (cluster, dwe); cluster gets "
                  "channels "
                  "8..31") != std::string::npos);
  CHECK(error_of([&] {
          from_text(dw, ds,
                    "layer { layer: 'conv' split { cu: 'cluster' channels: [0, 2] } split { cu: 'dwe' "
                    "channels: [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, "
                    "23, 24, 25, 26, 27, 28, 29, 30, 31] } }");
        }).find("contiguous") != std::string::npos);
}

TEST_CASE("share geometry recomputes MACs for the CU's channels and variant") {
  Network dw = odimo::test::one_conv(32, 8, 8, 32, 3, 1, 1, "depthwise");
  Layer g = share_geometry(dw.layers[0], {"cluster", 8, 0, Op::kConv2d, "conv2d"});
  CHECK(g.groups == 1);
  CHECK(g.macs == int64_t(8) * 8 * 8 * 32 * 9);
  Layer d = share_geometry(dw.layers[0], {"dwe", 24, 8, Op::kDepthwise, ""});
  CHECK(d.macs == int64_t(24) * 8 * 8 * 9);
  CHECK(d.out_bytes == 24 * 64);
}
