// Network IR: loading, shape inference, counts, and every validation error
// with its message (file, layer, field).
#include <doctest/doctest.h>

#include <string>

#include "proto/error.h"
#include "proto/proto_io.h"
#include "workloads/network.h"

using namespace odimo;

namespace {

Network parse(const std::string& text) {
  proto::Network pn;
  parse_text_proto(text, "test.pbtxt", &pn);
  return build_network(pn, "test.pbtxt");
}

// The message of the Error that loading `text` throws ("" if none).
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const char* kHead = "name: 'n' input { c: 3 h: 8 w: 8 }\n";

}  // namespace

TEST_CASE("conv, pooling and linear shapes and counts are inferred") {
  Network n = parse(std::string(kHead) +
                    "layer { name: 'c' op: 'conv2d' out_channels: 16 kernel: 3 padding: 1 stride: 2 }\n"
                    "layer { name: 'bn' op: 'batchnorm' }\n"
                    "layer { name: 'r' op: 'relu6' }\n"
                    "layer { name: 'g' op: 'conv2d' out_channels: 32 kernel: 1 groups: 4 bias: true }\n"
                    "layer { name: 'd' op: 'depthwise' kernel: 3 padding: 1 }\n"
                    "layer { name: 'p' op: 'maxpool' kernel: 2 }\n"
                    "layer { name: 'f' op: 'flatten' }\n"
                    "layer { name: 'fc' op: 'linear' out_channels: 10 bias: true }\n");
  REQUIRE(n.layers.size() == 8);
  const Layer& c = n.layers[0];
  CHECK(c.out == Shape{16, 4, 4});
  CHECK(c.macs == 16 * 4 * 4 * 3 * 9);
  CHECK(c.params == 16 * 3 * 9);
  CHECK(c.in_bytes == 3 * 8 * 8);
  CHECK(c.out_bytes == 16 * 4 * 4);
  CHECK(n.layers[1].params == 32);                   // BN: scale + shift per channel
  CHECK(n.layers[3].macs == 32 * 4 * 4 * (16 / 4));  // grouped 1x1
  CHECK(n.layers[3].params == 32 * (16 / 4) + 32);   // + bias
  CHECK(n.layers[4].groups == 32);
  CHECK(n.layers[4].macs == 32 * 4 * 4 * 9);  // depthwise: one filter per channel
  CHECK(n.layers[5].out == Shape{32, 2, 2});  // pool stride defaults to kernel
  CHECK(n.layers[6].out == Shape{128, 1, 1});
  CHECK(n.layers[7].macs == 128 * 10);
  CHECK(n.layers[7].params == 128 * 10 + 10);
  CHECK(n.total_macs() == c.macs + n.layers[3].macs + n.layers[4].macs + n.layers[7].macs);
}

TEST_CASE("explicit inputs build a DAG in topological order, consumers recorded") {
  // Written out of order on purpose: 'sum' appears before one of its producers.
  Network n = parse(std::string(kHead) +
                    "layer { name: 'a' op: 'conv2d' inputs: 'input' out_channels: 4 kernel: 3 padding: 1 }\n"
                    "layer { name: 'sum' op: 'add' inputs: 'a' inputs: 'b' }\n"
                    "layer { name: 'b' op: 'conv2d' inputs: 'input' out_channels: 4 kernel: 1 }\n"
                    "layer { name: 'gap' op: 'globalavgpool' inputs: 'sum' }\n");
  auto pos = [&](const char* name) { return n.find(name); };
  CHECK(pos("a") < pos("sum"));
  CHECK(pos("b") < pos("sum"));
  CHECK(pos("sum") < pos("gap"));
  CHECK(n.layers[pos("gap")].out == Shape{4, 1, 1});
  CHECK(n.consumers[pos("a")] == std::vector<int>{pos("sum")});
  CHECK(n.layers[pos("sum")].inputs.size() == 2);
  CHECK(n.layers[pos("a")].inputs == std::vector<int>{kNetworkInput});
}

TEST_CASE("input override re-runs shape inference") {
  proto::Network pn;
  parse_text_proto(std::string(kHead) + "layer { name: 'c' op: 'conv2d' out_channels: 2 kernel: 3 }\n", "t",
                   &pn);
  Network n = build_network(pn, "t", Shape{1, 28, 28});
  CHECK(n.layers[0].in == Shape{1, 28, 28});
  CHECK(n.layers[0].out == Shape{2, 26, 26});
}

TEST_CASE("parse_shape accepts CxHxW and rejects the rest") {
  CHECK(parse_shape("1x28x28", "--input") == Shape{1, 28, 28});
  CHECK_THROWS_WITH_AS(parse_shape("1x28", "--input"), doctest::Contains("--input: '1x28' is not a shape"),
                       Error);
  CHECK_THROWS_AS(parse_shape("0x28x28", "--input"), Error);
  CHECK_THROWS_AS(parse_shape("1x28x28x", "--input"), Error);
}

TEST_CASE("validation: unknown operator names file, layer and field") {
  CHECK(error_of(std::string(kHead) + "layer { name: 'x' op: 'conv3d' }") ==
        "test.pbtxt: layer 'x': field 'op': unknown operator 'conv3d' (expected one of conv2d, depthwise, "
        "linear, add, avgpool, maxpool, globalavgpool, relu, relu6, batchnorm, flatten)");
}

TEST_CASE("validation: cycle in the graph") {
  const std::string e = error_of(std::string(kHead) +
                                 "layer { name: 'a' op: 'relu' inputs: 'b' }\n"
                                 "layer { name: 'b' op: 'relu' inputs: 'a' }\n");
  CHECK(e.find("test.pbtxt: layer '") == 0);
  CHECK(e.find("field 'inputs': cycle in the graph") != std::string::npos);
}

TEST_CASE("validation: dangling input") {
  CHECK(error_of(std::string(kHead) + "layer { name: 'a' op: 'relu' inputs: 'nowhere' }") ==
        "test.pbtxt: layer 'a': field 'inputs': no layer called 'nowhere' (dangling input)");
}

TEST_CASE("validation: shape and channel mismatch at an add") {
  CHECK(
      error_of(std::string(kHead) +
               "layer { name: 'a' op: 'conv2d' inputs: 'input' out_channels: 4 kernel: 1 }\n"
               "layer { name: 'b' op: 'conv2d' inputs: 'input' out_channels: 8 kernel: 1 }\n"
               "layer { name: 's' op: 'add' inputs: 'a' inputs: 'b' }\n") ==
      "test.pbtxt: layer 's': field 'inputs': add needs equal shapes, got 4x8x8 from 'a' and 8x8x8 from 'b'");
  CHECK(
      error_of(std::string(kHead) +
               "layer { name: 'a' op: 'conv2d' inputs: 'input' out_channels: 4 kernel: 1 stride: 2 }\n"
               "layer { name: 'b' op: 'conv2d' inputs: 'input' out_channels: 4 kernel: 1 }\n"
               "layer { name: 's' op: 'add' inputs: 'a' inputs: 'b' }\n") ==
      "test.pbtxt: layer 's': field 'inputs': add needs equal shapes, got 4x4x4 from 'a' and 4x8x8 from 'b'");
  CHECK(error_of(std::string(kHead) + "layer { name: 's' op: 'add' inputs: 'input' }") ==
        "test.pbtxt: layer 's': field 'inputs': add takes 2 inputs, got 1");
}

TEST_CASE("validation: kernel larger than the padded input") {
  CHECK(error_of(std::string(kHead) +
                 "layer { name: 'c' op: 'conv2d' out_channels: 4 kernel: 11 padding: 1 }") ==
        "test.pbtxt: layer 'c': field 'kernel': kernel 11 is larger than the padded input height 10 "
        "(input 3x8x8, padding 1)");
}

TEST_CASE("validation: duplicate layer names") {
  CHECK(error_of(std::string(kHead) + "layer { name: 'a' op: 'relu' }\nlayer { name: 'a' op: 'relu' }") ==
        "test.pbtxt: layer 'a': field 'name': duplicate layer name");
}

TEST_CASE("validation: zero or negative sizes") {
  CHECK(error_of(std::string(kHead) + "layer { name: 'c' op: 'conv2d' out_channels: 0 kernel: 3 }") ==
        "test.pbtxt: layer 'c': field 'out_channels': value 0 must be > 0");
  CHECK(error_of(std::string(kHead) + "layer { name: 'c' op: 'conv2d' out_channels: 4 kernel: -3 }") ==
        "test.pbtxt: layer 'c': field 'kernel': value -3 must be > 0");
  CHECK(error_of(std::string(kHead) +
                 "layer { name: 'c' op: 'conv2d' out_channels: 4 kernel: 3 padding: -1 }") ==
        "test.pbtxt: layer 'c': field 'padding': value -1 must be >= 0");
  CHECK(error_of("name: 'n' input { c: 3 h: 0 w: 8 }\nlayer { name: 'r' op: 'relu' }") ==
        "test.pbtxt: field 'input': shape 3x0x8 must have positive sizes");
  CHECK(
      error_of(std::string(kHead) + "layer { name: 'c' op: 'conv2d' out_channels: 6 kernel: 1 groups: 4 }") ==
      "test.pbtxt: layer 'c': field 'groups': input channels 3 and out_channels 6 must both be multiples of "
      "groups 4");
}

TEST_CASE("validation: unknown fields are text-format errors with line:column") {
  CHECK(error_of(std::string(kHead) + "layer { name: 'c' op: 'relu' colour: 3 }") ==
        "test.pbtxt:2:36: Message type \"odimo.proto.Layer\" has no field named \"colour\".");
  CHECK(error_of("name: 'n' input { c: 3 h: 8 w: 8 }\nlayer { name: 'c' op: relu") ==
        "test.pbtxt:2:23: Expected string, got: relu");
}

TEST_CASE("validation: fields an operator does not take, empty networks") {
  CHECK(error_of(std::string(kHead) + "layer { name: 'r' op: 'relu' kernel: 3 }") ==
        "test.pbtxt: layer 'r': field 'kernel': operator relu takes no kernel, stride or padding");
  CHECK(error_of(kHead) == "test.pbtxt: field 'layer': the network has no layers");
}
