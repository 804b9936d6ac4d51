#!/usr/bin/python3
"""Writes the ONNX test models of tests/data/onnx/ and their expected totals.

Run with Debian's PyTorch 1.13 and torchvision 0.14 (python3-torch, python3-torchvision):
    /usr/bin/python3 tests/workloads/make_onnx.py tests/data/onnx
CI does not run it: the .onnx files and totals.txt are committed. torchvision models are
exported without their parameters (export_params=False: weights become shaped graph inputs),
so the files stay a few kB; the small hand-written models keep theirs, and for those
NAME.io.txt holds fixed input images and PyTorch's outputs on them (eval mode, float32), against
which tests/mapper/test_initial_weights.cpp checks the imported network with its weights.
"""
import sys

import torch
import torch.nn as nn
import torchvision


def totals(model, x):
    """MACs of conv, linear and matmul layers and the parameter count of the exported model, as odimo
    counts them. The exporter folds every BatchNorm into the bias-free conv before it: its scale and
    shift (2 C) become that conv's bias (C), unless the model keeps its batch norms (keeps_batchnorm)."""
    macs = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            macs[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            macs[0] += m.in_features * m.out_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x)
    for h in hs:
        h.remove()
    params = sum(p.numel() for p in model.parameters())
    if not getattr(model, "keeps_batchnorm", False):
        params -= sum(m.num_features for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    return macs[0] + getattr(model, "matmul_macs", 0), params


class SmallResidual(nn.Module):
    """conv-bn-relu, a residual block with an add, max and average pooling, GAP and a MatMul + bias head."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.block = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                                   nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8))
        self.pool = nn.MaxPool2d(2)
        self.avg = nn.AvgPool2d(2, count_include_pad=False)
        self.w = nn.Parameter(torch.randn(16, 10) * 0.1)
        self.b = nn.Parameter(torch.zeros(10))
        self.wide = nn.Conv2d(8, 16, 1)
        self.matmul_macs = 16 * 10  # x @ w is no nn.Linear for the hooks

    def forward(self, x):
        x = self.stem(x)
        x = torch.relu(x + self.block(x))
        x = self.avg(self.pool(x))
        x = self.wide(x).mean([2, 3])
        return x @ self.w + self.b


class SmallMobile(nn.Module):
    """depthwise + pointwise with ReLU6, a flattening Reshape and a Gemm head."""

    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU6(),
                               nn.Conv2d(16, 16, 3, padding=1, groups=16), nn.ReLU6(),
                               nn.Conv2d(16, 32, 1), nn.ReLU6(), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(self.f(x).reshape(1, -1))


class SmallWeights(nn.Module):
    """What the weight conversion must get right: a grouped conv, a depthwise conv, batch norms
    the exporter keeps (after a ReLU or an add; non-default eps and running statistics), a
    residual add, a flatten of a 4x4 map into a Gemm (transB 1: nn.Linear) and a Gemm with
    transB 0 (addmm)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8, eps=1e-3)
        self.grouped = nn.Conv2d(8, 8, 3, padding=1, groups=2)
        self.dw = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.bn2 = nn.BatchNorm2d(8)
        self.fc1 = nn.Linear(8 * 4 * 4, 12)
        self.w2 = nn.Parameter(torch.randn(12, 10) * 0.3)
        self.b2 = nn.Parameter(torch.randn(10) * 0.1)
        self.matmul_macs = 12 * 10  # addmm is no nn.Linear for the hooks
        self.keeps_batchnorm = True  # no conv right before either: the exporter cannot fold them
        for bn in (self.bn1, self.bn2):  # statistics as after training
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.data.uniform_(0.5, 1.5)
            bn.bias.data.uniform_(-0.3, 0.3)

    def forward(self, x):
        x = self.bn1(torch.relu(self.stem(x)))
        x = x + torch.relu(self.grouped(x))
        x = self.bn2(torch.relu(self.dw(x)))
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        return torch.addmm(self.b2, x, self.w2)


def seeded(make, seed):
    """make() drawing from its own seed, leaving the global generator (the other files) as it was."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return make()


def write_io(model, x, path):
    """The inputs (NCHW) and PyTorch's outputs, one image at a time (some models fix batch 1)."""
    with torch.no_grad():
        y = torch.cat([model(x[i:i + 1]) for i in range(x.shape[0])])
    with open(path, "w") as f:
        f.write("# written by tests/workloads/make_onnx.py: input (N,C,H,W) and PyTorch's output, eval, float32\n")
        for name, t in (("input", x), ("output", y)):
            f.write(name + " " + " ".join(str(d) for d in t.shape) + "\n")
            f.write(" ".join("%.9g" % v for v in t.flatten().tolist()) + "\n")


def export(model, x, path, params=True, fold=True):
    model.eval()
    torch.onnx.export(model, x, path, opset_version=13, export_params=params, do_constant_folding=fold,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes=None if not params else {"input": {0: "batch"}} if fold else None)


def main(out):
    torch.manual_seed(0)
    lines = []
    cases = [
        ("small-residual", SmallResidual(), torch.zeros(1, 1, 28, 28), True, True),
        ("small-mobile", SmallMobile(), torch.zeros(1, 3, 32, 32), True, True),
        ("resnet18", torchvision.models.resnet18(), torch.zeros(1, 3, 224, 224), False, False),
        ("mobilenet_v2", torchvision.models.mobilenet_v2(), torch.zeros(1, 3, 224, 224), False, False),
        ("mnasnet0_5", torchvision.models.mnasnet0_5(), torch.zeros(1, 3, 224, 224), False, False),
        ("small-weights", seeded(SmallWeights, 2), torch.zeros(1, 3, 8, 8), True, True),
    ]
    for name, model, x, params, fold in cases:
        model.eval()
        export(model, x, f"{out}/{name}.onnx", params, fold)
        macs, p = totals(model, x)
        lines.append(f"{name} {macs} {p}")
        if params:
            gen = torch.Generator().manual_seed(1)
            write_io(model, torch.rand((2,) + tuple(x.shape[1:]), generator=gen) * 2 - 1, f"{out}/{name}.io.txt")
    # what odimo must refuse, each with one line naming the node
    export(nn.Sequential(nn.Conv2d(3, 8, 3, dilation=2)), torch.zeros(1, 3, 16, 16), f"{out}/bad-dilation.onnx")
    export(nn.Sequential(nn.Conv2d(3, 8, 3), nn.LeakyReLU()), torch.zeros(1, 3, 16, 16), f"{out}/bad-leakyrelu.onnx")
    export(nn.Sequential(nn.Conv2d(3, 8, 3), nn.Hardtanh(-1, 1)), torch.zeros(1, 3, 16, 16), f"{out}/bad-clip.onnx")
    with open(f"{out}/totals.txt", "w") as f:
        f.write("# name MACs params, counted on the PyTorch model by tests/workloads/make_onnx.py\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
