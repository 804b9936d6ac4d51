#!/usr/bin/python3
"""Generates torch_reference.txt: forward and backward values of conv2d, grouped
conv2d, depthwise, batch norm (training mode), linear and a small residual block
(resblock.pbtxt) computed by PyTorch in float64, in odimo's layouts (NHWC
activations; conv weights (ky,kx,cin_g,cout_g) per group; depthwise (ky,kx,C);
linear (in,out)). The C++ tests (test_torch_reference.cpp) compare against it, so
CI needs no torch. Regenerate with Debian's interpreter:

    /usr/bin/python3 tests/mapper/make_torch_reference.py > tests/mapper/torch_reference.txt

Format: one tensor per line, "case.name count v0 v1 ...".
"""
import torch
import torch.nn.functional as F

torch.manual_seed(5)
torch.set_default_dtype(torch.float64)
out = []


def emit(case, name, t):
    v = t.detach().reshape(-1).tolist()
    out.append(f"{case}.{name} {len(v)} " + " ".join(f"{x:.17g}" for x in v))


def nhwc(t):
    return t.permute(0, 2, 3, 1)


def conv_weight(w, groups):  # [Cout, Cin_g, k, k] -> per group (ky, kx, cin_g, cout_g)
    co, cig, k, _ = w.shape
    return w.reshape(groups, co // groups, cig, k, k).permute(0, 3, 4, 2, 1)


def conv_case(case, n, cin, h, cout, k, stride, pad, groups, bias):
    x = torch.randn(n, cin, h, h, requires_grad=True)
    w = torch.randn(cout, cin // groups, k, k, requires_grad=True)
    b = torch.randn(cout, requires_grad=True) if bias else None
    y = F.conv2d(x, w, b, stride, pad, 1, groups)
    dy = torch.randn_like(y)
    y.backward(dy)
    emit(case, "x", nhwc(x)); emit(case, "w", conv_weight(w, groups)); emit(case, "dy", nhwc(dy))
    emit(case, "y", nhwc(y)); emit(case, "dx", nhwc(x.grad)); emit(case, "dw", conv_weight(w.grad, groups))
    if bias:
        emit(case, "b", b); emit(case, "db", b.grad)


def depthwise_case(case, n, c, h, k, stride, pad):
    x = torch.randn(n, c, h, h, requires_grad=True)
    w = torch.randn(c, 1, k, k, requires_grad=True)
    b = torch.randn(c, requires_grad=True)
    y = F.conv2d(x, w, b, stride, pad, 1, c)
    dy = torch.randn_like(y)
    y.backward(dy)
    dw_layout = lambda t: t.permute(2, 3, 1, 0)  # (ky, kx, 1, C)
    emit(case, "x", nhwc(x)); emit(case, "w", dw_layout(w)); emit(case, "b", b); emit(case, "dy", nhwc(dy))
    emit(case, "y", nhwc(y)); emit(case, "dx", nhwc(x.grad)); emit(case, "dw", dw_layout(w.grad))
    emit(case, "db", b.grad)


def batchnorm_case(case, n, c, h):
    bn = torch.nn.BatchNorm2d(c)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(c) + 0.5); bn.bias.copy_(torch.randn(c))
    x = (torch.randn(n, c, h, h) * 2 + 1).requires_grad_(True)
    y = bn(x)
    dy = torch.randn_like(y)
    y.backward(dy)
    emit(case, "x", nhwc(x)); emit(case, "gamma", bn.weight); emit(case, "beta", bn.bias); emit(case, "dy", nhwc(dy))
    emit(case, "y", nhwc(y)); emit(case, "dx", nhwc(x.grad)); emit(case, "dgamma", bn.weight.grad)
    emit(case, "dbeta", bn.bias.grad); emit(case, "running_mean", bn.running_mean)
    emit(case, "running_var", bn.running_var)


def linear_case(case, n, fin, fout):
    x = torch.randn(n, fin, requires_grad=True)
    w = torch.randn(fout, fin, requires_grad=True)
    b = torch.randn(fout, requires_grad=True)
    y = F.linear(x, w, b)
    dy = torch.randn_like(y)
    y.backward(dy)
    emit(case, "x", x); emit(case, "w", w.t()); emit(case, "b", b); emit(case, "dy", dy)
    emit(case, "y", y); emit(case, "dx", x.grad); emit(case, "dw", w.grad.t()); emit(case, "db", b.grad)


def resblock_case(case):
    """resblock.pbtxt in training mode, loss = mean cross-entropy."""
    x = torch.randn(2, 2, 6, 6)
    labels = torch.tensor([0, 2])
    p = {
        "conv_a.weight": torch.randn(4, 2, 3, 3) * 0.4, "conv_c.weight": torch.randn(4, 4, 3, 3) * 0.3,
        "proj.weight": torch.randn(4, 2, 1, 1) * 0.5, "fc.weight": torch.randn(3, 4) * 0.5, "fc.bias": torch.randn(3),
    }
    for bn in ("bn_a", "bn_c", "bn_p"):
        p[bn + ".gamma"] = torch.rand(4) + 0.5
        p[bn + ".beta"] = torch.randn(4) * 0.3
    for t in p.values():
        t.requires_grad_(True)
    bn = lambda t, name: F.batch_norm(t, None, None, p[name + ".gamma"], p[name + ".beta"], True)
    a = F.relu(bn(F.conv2d(x, p["conv_a.weight"], None, 2, 1), "bn_a"))
    c = bn(F.conv2d(a, p["conv_c.weight"], None, 1, 1), "bn_c")
    s = bn(F.conv2d(x, p["proj.weight"], None, 2, 0), "bn_p")
    logits = F.linear(F.adaptive_avg_pool2d(F.relu(c + s), 1).flatten(1), p["fc.weight"], p["fc.bias"])
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    emit(case, "x", nhwc(x)); emit(case, "labels", labels.double()); emit(case, "logits", logits)
    emit(case, "loss", loss.reshape(1))
    for name, t in p.items():
        conv = name.endswith(".weight") and t.dim() == 4
        fc = name == "fc.weight"
        emit(case, name, conv_weight(t, 1) if conv else (t.t() if fc else t))
        emit(case, "grad." + name, conv_weight(t.grad, 1) if conv else (t.grad.t() if fc else t.grad))


conv_case("conv", 2, 3, 5, 4, 3, 2, 1, 1, True)
conv_case("gconv", 2, 4, 4, 6, 3, 1, 1, 2, False)
depthwise_case("depthwise", 2, 3, 5, 3, 2, 1)
batchnorm_case("batchnorm", 3, 3, 3)
linear_case("linear", 3, 5, 4)
resblock_case("resblock")
print("\n".join(out))
