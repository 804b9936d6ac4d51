#!/usr/bin/python3
"""Writes the ONNX test models of tests/data/onnx/ and their expected totals.

Run with Debian's PyTorch 1.13 and torchvision 0.14 (python3-torch, python3-torchvision):
    /usr/bin/python3 tests/workloads/make_onnx.py tests/data/onnx
CI does not run it: the .onnx files and totals.txt are committed. torchvision models are
exported without their parameters (export_params=False: weights become shaped graph inputs),
so the files stay a few kB; the small hand-written models keep theirs.
"""
import sys

import torch
import torch.nn as nn
import torchvision


def totals(model, x):
    """MACs of conv, linear and matmul layers and the parameter count of the exported model, as odimo
    counts them. The exporter folds every BatchNorm into the bias-free conv before it: its scale and
    shift (2 C) become that conv's bias (C)."""
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
    ]
    for name, model, x, params, fold in cases:
        model.eval()
        export(model, x, f"{out}/{name}.onnx", params, fold)
        macs, p = totals(model, x)
        lines.append(f"{name} {macs} {p}")
    # what odimo must refuse, each with one line naming the node
    export(nn.Sequential(nn.Conv2d(3, 8, 3, dilation=2)), torch.zeros(1, 3, 16, 16), f"{out}/bad-dilation.onnx")
    export(nn.Sequential(nn.Conv2d(3, 8, 3), nn.LeakyReLU()), torch.zeros(1, 3, 16, 16), f"{out}/bad-leakyrelu.onnx")
    export(nn.Sequential(nn.Conv2d(3, 8, 3), nn.Hardtanh(-1, 1)), torch.zeros(1, 3, 16, 16), f"{out}/bad-clip.onnx")
    with open(f"{out}/totals.txt", "w") as f:
        f.write("# name MACs params, counted on the PyTorch model by tests/workloads/make_onnx.py\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
