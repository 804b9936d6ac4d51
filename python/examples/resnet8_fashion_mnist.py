#!/usr/bin/python3
"""odimo's differentiable SoC cost inside a plain PyTorch training loop.

A PyTorch ResNet-8 on Fashion-MNIST learns, per output channel of every searchable layer, which
DIANA compute unit runs it: the digital array (int8 weights) or the analog in-memory core
(ternary weights). Both are fake-quantised in PyTorch; odimo supplies the latency and its gradient:

    loss = cross-entropy + lambda * latency(channel counts) / latency(all on the default CU)

At the end every channel goes to its most likely CU, the mapping is exported for odimo, simulated
on the SystemC model of DIANA, and the simulated latency is printed next to the analytic one.

    PYTHONPATH=build/python /usr/bin/python3 python/examples/resnet8_fashion_mnist.py --steps 300
Writes OUT/mapping.pbtxt (accepted by odimo simulate/replay/deploy --mapping) and OUT/summary.json.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import odimo
import odimo.torch

DATA = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


def read_idx(path):
    raw = gzip.open(path, "rb").read()
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(raw[3])]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * raw[3]).reshape(dims)


def load_split(split):
    x = torch.from_numpy(read_idx(f"{DATA}/{split}-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    y = torch.from_numpy(read_idx(f"{DATA}/{split}-labels-idx1-ubyte.gz").astype(np.int64))
    return (x - 0.2860) / 0.3530, y


class RoundSTE(torch.autograd.Function):
    """round() forward, identity backward (straight-through estimator)."""

    @staticmethod
    def forward(ctx, x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, g):
        return g


def int8_weights(w):
    """Symmetric per-output-channel int8 fake quantisation."""
    scale = w.detach().abs().flatten(1).amax(1).clamp_min(1e-8) / 127
    shape = (-1,) + (1,) * (w.dim() - 1)
    return RoundSTE.apply(w / scale.view(shape)).clamp(-127, 127) * scale.view(shape)


def ternary_weights(w):
    """Ternary {-s, 0, +s} per output channel; threshold 0.7 * mean|w| (Li & Liu, Ternary Weight
    Networks, 2016); straight-through gradient."""
    a = w.abs().flatten(1)
    threshold = 0.7 * a.mean(1, keepdim=True)
    mask = (a > threshold).float()
    scale = (a * mask).sum(1, keepdim=True) / mask.sum(1, keepdim=True).clamp_min(1)
    t = (torch.sign(w.flatten(1)) * mask * scale).view_as(w)
    return w + (t - w).detach()


QUANTISERS = {"aimc": ternary_weights}  # every other DIANA CU: int8


class ChannelChoice(nn.Module):
    """A conv or linear layer whose output channels are mixed over the SoC's options with a
    per-channel softmax over architecture logits (ODiMO's channel-wise relaxation)."""

    def __init__(self, layer, options):
        super().__init__()
        self.layer, self.options = layer, list(options)
        self.alpha = nn.Parameter(torch.zeros(len(options), layer.weight.shape[0]))
        self.temperature = 1.0

    def probabilities(self):
        return torch.softmax(self.alpha / self.temperature, dim=0)

    def counts(self):
        return self.probabilities().sum(dim=1)  # channels per option, fractional

    def forward(self, x):
        mix = self.probabilities()
        out = 0
        for k, option in enumerate(self.options):
            w = QUANTISERS.get(option, int8_weights)(self.layer.weight)
            if isinstance(self.layer, nn.Conv2d):
                y = F.conv2d(x, w, None, self.layer.stride, self.layer.padding)
                out = out + y * mix[k].view(1, -1, 1, 1)
            else:
                out = out + F.linear(x, w, self.layer.bias) * mix[k]
        return out

    def choices(self):
        return self.alpha.argmax(dim=0)

    def freeze(self):
        """Hard choice: one-hot logits at a tiny temperature."""
        with torch.no_grad():
            one_hot = F.one_hot(self.choices(), len(self.options)).T.float()
            self.alpha.copy_(one_hot * 50)


def conv(cin, cout, k, stride):
    return nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)


class ResNet8(nn.Module):
    """odimo's shipped `resnet8` (workloads/resnet8.pbtxt), layer for layer; searchable layers
    are keyed by odimo's layer names."""

    def __init__(self, space):
        super().__init__()
        plain = {"stem": conv(1, 16, 3, 1), "s1_conv1": conv(16, 16, 3, 1), "s1_conv2": conv(16, 16, 3, 1),
                 "s2_conv1": conv(16, 32, 3, 2), "s2_conv2": conv(32, 32, 3, 1), "s2_short": conv(16, 32, 1, 2),
                 "s3_conv1": conv(32, 64, 3, 2), "s3_conv2": conv(64, 64, 3, 1), "s3_short": conv(32, 64, 1, 2),
                 "fc": nn.Linear(64, 10)}
        self.bn = nn.ModuleDict({n: nn.BatchNorm2d(m.weight.shape[0]) for n, m in plain.items() if n != "fc"})
        searchable = {layer["name"]: layer for layer in space}
        for name, module in plain.items():
            if name in searchable:
                assert searchable[name]["channels"] == module.weight.shape[0], name
                plain[name] = ChannelChoice(module, searchable[name]["options"])
        missing = set(searchable) - set(plain)
        if missing:
            raise SystemExit("odimo's search space has layers this model lacks: %s" % ", ".join(sorted(missing)))
        self.layers = nn.ModuleDict(plain)

    def unit(self, name, x, relu=True):
        y = self.bn[name](self.layers[name](x))
        return F.relu(y) if relu else y

    def forward(self, x):
        x = self.unit("stem", x)
        x = F.relu(self.unit("s1_conv2", self.unit("s1_conv1", x), relu=False) + x)
        for s in ("s2", "s3"):
            x = F.relu(self.unit(s + "_conv2", self.unit(s + "_conv1", x), relu=False) +
                       self.unit(s + "_short", x, relu=False))
        return self.layers["fc"](F.adaptive_avg_pool2d(x, 1).flatten(1))

    def choice_layers(self, space):
        return [self.layers[layer["name"]] for layer in space]


def evaluate(model, x, y, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    model.train()
    return correct / max(1, len(x))


def reestimate_batch_norm(model, x, batches=8, batch=128):
    """Batch-norm statistics of the hard mapping (the soft mixes' running averages describe a
    network nobody deploys): a cumulative average over a few training batches."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    with torch.no_grad():
        for i in range(batches):
            model(x[i * batch:(i + 1) * batch])


def train(model, choice, cost, x, y, args):
    weights = [p for n, p in model.named_parameters() if not n.endswith("alpha")]
    optimiser = torch.optim.SGD(weights, lr=args.lr, momentum=0.9, weight_decay=5e-4)
    arch = torch.optim.Adam([c.alpha for c in choice], lr=args.arch_lr)
    generator = torch.Generator().manual_seed(args.seed)
    for step in range(args.steps):
        for c in choice:  # anneal 1 -> 0.1 over the run
            c.temperature = 0.1 ** (step / max(1, args.steps - 1))
        batch = torch.randint(0, len(x), (args.batch,), generator=generator)
        ce = F.cross_entropy(model(x[batch]), y[batch])
        latency = cost([c.counts() for c in choice])
        loss = ce + args.lam * latency / cost.reference
        optimiser.zero_grad()
        arch.zero_grad()
        loss.backward()
        optimiser.step()
        arch.step()
        if step % max(1, args.steps // 10) == 0 or step == args.steps - 1:
            print("step %4d  ce %.3f  latency %.0f cycles (%.2fx the all-digital network)" %
                  (step, ce.item(), latency.item(), latency.item() / cost.reference), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lam", type=float, default=1.0, help="weight of latency / reference latency")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--arch-lr", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-images", type=int, default=60000)
    ap.add_argument("--test-images", type=int, default=10000)
    ap.add_argument("--out", default="odimo-torch-example")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    soc = odimo.load_soc("diana")
    net = odimo.load_network("resnet8")  # 1x28x28
    cost = odimo.torch.NetworkCost(soc, net, target="latency")
    x, y = load_split("train")
    xt, yt = load_split("t10k")
    x, y, xt, yt = x[:args.train_images], y[:args.train_images], xt[:args.test_images], yt[:args.test_images]
    model = ResNet8(cost.space)
    choice = model.choice_layers(cost.space)

    start = time.time()
    train(model, choice, cost, x, y, args)
    seconds = time.time() - start
    for c in choice:
        c.freeze()
    reestimate_batch_norm(model, x, batch=args.batch)
    accuracy = evaluate(model, xt, yt)
    choices = [c.choices() for c in choice]
    os.makedirs(args.out, exist_ok=True)
    mapping = cost.export(choices)
    mapping.write(os.path.join(args.out, "mapping.pbtxt"))
    hard = cost([c.counts().detach().double() for c in choice], temperature=0).item()
    simulated = odimo.simulate(soc, net, mapping)
    summary = {"steps": args.steps, "lambda": args.lam, "train_seconds": seconds, "test_accuracy": accuracy,
               "analytic_cycles": hard, "analytic_latency_us": hard / soc.clock_mhz,
               "simulated_cycles": simulated.cycles, "simulated_latency_us": simulated.latency_us,
               "channels": {layer["name"]: {o: int((ch == k).sum()) for k, o in enumerate(layer["options"])}
                            for layer, ch in zip(cost.space, choices)}}
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print("\ntest accuracy (hard mapping, fake-quantised): %.2f%%" % (100 * accuracy))
    print("latency: analytic %.1f us, simulated (SystemC) %.1f us" % (hard / soc.clock_mhz, simulated.latency_us))
    print("wrote %s/mapping.pbtxt and %s/summary.json" % (args.out, args.out))


if __name__ == "__main__":
    main()
