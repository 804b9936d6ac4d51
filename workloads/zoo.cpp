#include "workloads/zoo.h"

#include <cmath>

namespace odimo {
namespace {

// Appends layers to a network; each method returns the new layer's name.
class NetBuilder {
 public:
  NetBuilder(const std::string& name, int c, int h, int w, int classes, const std::string& source) {
    m_net.set_name(name);
    m_net.mutable_input()->set_c(c);
    m_net.mutable_input()->set_h(h);
    m_net.mutable_input()->set_w(w);
    m_net.set_classes(classes);
    m_net.set_source(source);
  }

  std::string conv(const std::string& name, const std::string& in, int out, int k, int stride,
                   int groups = 1) {
    auto* l = add(name, "conv2d", {in});
    l->set_out_channels(out);
    l->set_kernel(k);
    if (stride != 1) l->set_stride(stride);
    l->set_padding(k / 2);
    if (groups != 1) l->set_groups(groups);
    return name;
  }
  std::string depthwise(const std::string& name, const std::string& in, int k, int stride) {
    auto* l = add(name, "depthwise", {in});
    l->set_kernel(k);
    if (stride != 1) l->set_stride(stride);
    l->set_padding(k / 2);
    return name;
  }
  std::string op(const std::string& name, const std::string& op, const std::vector<std::string>& in) {
    add(name, op, in);
    return name;
  }
  std::string pool(const std::string& name, const std::string& op, const std::string& in, int k, int stride,
                   int padding) {
    auto* l = add(name, op, {in});
    l->set_kernel(k);
    l->set_stride(stride);
    l->set_padding(padding);
    return name;
  }
  std::string linear(const std::string& name, const std::string& in, int out) {
    auto* l = add(name, "linear", {in});
    l->set_out_channels(out);
    l->set_bias(true);
    return name;
  }
  // conv + batch-norm (+ relu): the unit every network here is made of.
  std::string conv_bn(const std::string& name, const std::string& in, int out, int k, int stride,
                      bool relu = true) {
    std::string x = op(name + "_bn", "batchnorm", {conv(name, in, out, k, stride)});
    return relu ? op(name + "_relu", "relu", {x}) : x;
  }
  // Basic residual block (two 3x3 conv+BN); 1x1 conv+BN shortcut when the shape changes.
  std::string basic_block(const std::string& name, const std::string& in, int cin, int cout, int stride) {
    std::string y = conv_bn(name + "_conv1", in, cout, 3, stride);
    y = conv_bn(name + "_conv2", y, cout, 3, 1, false);
    std::string s = in;
    if (stride != 1 || cin != cout) s = conv_bn(name + "_short", in, cout, 1, stride, false);
    return op(name + "_relu", "relu", {op(name + "_add", "add", {y, s})});
  }
  // Global average pool, flatten, linear classifier.
  void head(const std::string& in, int classes) {
    std::string x = op("pool", "globalavgpool", {in});
    linear("fc", op("flatten", "flatten", {x}), classes);
  }
  proto::Network take() { return m_net; }

 private:
  proto::Layer* add(const std::string& name, const std::string& op, const std::vector<std::string>& in) {
    auto* l = m_net.add_layer();
    l->set_name(name);
    l->set_op(op);
    for (const auto& s : in) l->add_inputs(s);
    return l;
  }
  proto::Network m_net;
};

}  // namespace

proto::Network resnet8(int in_channels, int size, int classes) {
  NetBuilder b("resnet8", in_channels, size, size, classes,
               "MLPerf Tiny image classification ResNet-8 (Banbury et al. 2021)");
  std::string x = b.conv_bn("stem", "input", 16, 3, 1);
  x = b.basic_block("s1", x, 16, 16, 1);
  x = b.basic_block("s2", x, 16, 32, 2);
  x = b.basic_block("s3", x, 32, 64, 2);
  b.head(x, classes);
  return b.take();
}

proto::Network resnet20(int in_channels, int size, int classes) {
  NetBuilder b("resnet20", in_channels, size, size, classes,
               "CIFAR ResNet-20 (He et al. 2016), 1x1 projection shortcuts as in the ODiMO code");
  std::string x = b.conv_bn("stem", "input", 16, 3, 1);
  const int widths[] = {16, 32, 64};
  int cin = 16;
  for (int s = 0; s < 3; ++s) {
    for (int k = 0; k < 3; ++k) {
      const int stride = (s > 0 && k == 0) ? 2 : 1;
      x = b.basic_block("s" + std::to_string(s + 1) + "b" + std::to_string(k + 1), x, cin, widths[s], stride);
      cin = widths[s];
    }
  }
  b.head(x, classes);
  return b.take();
}

proto::Network resnet18(Stem stem, int classes) {
  const bool cifar = stem == Stem::kCifar;
  NetBuilder b(cifar ? "resnet18-cifar" : "resnet18-imagenet", 3, cifar ? 32 : 224, cifar ? 32 : 224, classes,
               "ResNet-18 (He et al. 2016); CIFAR stem as in common CIFAR ports");
  std::string x;
  if (cifar) {
    x = b.conv_bn("stem", "input", 64, 3, 1);
  } else {
    x = b.conv_bn("stem", "input", 64, 7, 2);
    x = b.pool("stem_pool", "maxpool", x, 3, 2, 1);
  }
  const int widths[] = {64, 128, 256, 512};
  int cin = 64;
  for (int s = 0; s < 4; ++s) {
    for (int k = 0; k < 2; ++k) {
      const int stride = (s > 0 && k == 0) ? 2 : 1;
      x = b.basic_block("s" + std::to_string(s + 1) + "b" + std::to_string(k + 1), x, cin, widths[s], stride);
      cin = widths[s];
    }
  }
  b.head(x, classes);
  return b.take();
}

proto::Network mobilenetv1(double width, Stem stem, int classes) {
  const bool cifar = stem == Stem::kCifar;
  char wname[16];
  std::snprintf(wname, sizeof wname, width == 1.0 ? "%.1f" : "%g", width);
  NetBuilder b(std::string("mobilenetv1-") + wname + (cifar ? "-cifar" : "-imagenet"), 3, cifar ? 32 : 224,
               cifar ? 32 : 224, classes,
               "MobileNetV1 (Howard et al. 2017), width multiplier applied to every layer");
  auto ch = [&](int c) { return int(std::lround(c * width)); };
  std::string x = b.conv_bn("stem", "input", ch(32), 3, cifar ? 1 : 2);
  // (output channels, stride) of the 13 depthwise-separable blocks.
  const int blocks[13][2] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1},  {512, 2}, {512, 1},
                             {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  for (int i = 0; i < 13; ++i) {
    const std::string n = "b" + std::to_string(i + 1);
    x = b.op(n + "_dw_relu", "relu",
             {b.op(n + "_dw_bn", "batchnorm", {b.depthwise(n + "_dw", x, 3, blocks[i][1])})});
    x = b.conv_bn(n + "_pw", x, ch(blocks[i][0]), 1, 1);
  }
  b.head(x, classes);
  return b.take();
}

// ODiMO's Darkside search network (`mbv1_search` in eml-eda/odimo-journal, see
// mapper/search/odimo-method.md §3.2): MobileNetV1 where every stride-1 block whose
// pointwise keeps the width (blocks 3, 5, 7-11, 13) is a single 3x3 layer C->C instead of
// depthwise + pointwise. odimo's Darkside split rule then searches, per channel, a standard
// 3x3 conv on the cluster against a 3x3 depthwise on the DWE for exactly those layers (and,
// a deviation, for block 1's depthwise, which ODiMO keeps fixed).
proto::Network mobilenetv1_odimo(double width, int classes) {
  char wname[16];
  std::snprintf(wname, sizeof wname, width == 1.0 ? "%.1f" : "%g", width);
  NetBuilder b(std::string("mobilenetv1-") + wname + "-odimo", 3, 32, 32, classes,
               "ODiMO's Darkside search network: MobileNetV1 (CIFAR stem) whose 8 width-keeping "
               "stride-1 blocks are one 3x3 layer each (conv on the cluster or depthwise on the DWE)");
  auto ch = [&](int c) { return int(std::lround(c * width)); };
  std::string x = b.conv_bn("stem", "input", ch(32), 3, 1);
  const int blocks[13][2] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1},  {512, 2}, {512, 1},
                             {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  int c = ch(32);
  for (int i = 0; i < 13; ++i) {
    const std::string n = "b" + std::to_string(i + 1);
    x = b.op(n + "_dw_relu", "relu",
             {b.op(n + "_dw_bn", "batchnorm", {b.depthwise(n + "_dw", x, 3, blocks[i][1])})});
    const bool searchable = blocks[i][1] == 1 && ch(blocks[i][0]) == c;
    if (!searchable) x = b.conv_bn(n + "_pw", x, ch(blocks[i][0]), 1, 1);
    c = ch(blocks[i][0]);
  }
  b.head(x, classes);
  return b.take();
}

proto::Network tiny() {
  NetBuilder b("tiny", 1, 8, 8, 4, "odimo test network: one of each layer kind, 1x8x8 input");
  std::string x = b.conv_bn("conv1", "input", 8, 3, 1);
  std::string y = b.conv_bn("conv2", x, 8, 3, 1, false);
  x = b.op("add", "add", {y, x});
  x = b.op("relu6", "relu6", {x});
  x = b.op("dw_relu", "relu", {b.op("dw_bn", "batchnorm", {b.depthwise("dw", x, 3, 2)})});
  x = b.conv_bn("pw", x, 16, 1, 1);
  x = b.pool("maxpool", "maxpool", x, 2, 2, 0);
  x = b.pool("avgpool", "avgpool", x, 2, 1, 0);
  b.head(x, 4);
  return b.take();
}

std::vector<ZooEntry> zoo() {
  std::vector<ZooEntry> z;
  z.push_back({"tiny", tiny()});
  z.push_back({"resnet8", resnet8(1, 28, 10)});
  z.push_back({"resnet20", resnet20(3, 32, 10)});
  z.push_back({"resnet18-cifar", resnet18(Stem::kCifar, 10)});
  z.push_back({"resnet18-imagenet", resnet18(Stem::kImageNet, 1000)});
  for (double w : {0.25, 0.5, 1.0}) {
    for (Stem s : {Stem::kCifar, Stem::kImageNet}) {
      proto::Network n = mobilenetv1(w, s, s == Stem::kCifar ? 10 : 1000);
      z.push_back({n.name(), n});
    }
  }
  for (double w : {0.25, 1.0}) {
    proto::Network n = mobilenetv1_odimo(w, 10);
    z.push_back({n.name(), n});
  }
  return z;
}

}  // namespace odimo
