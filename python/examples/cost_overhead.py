#!/usr/bin/python3
"""What odimo's differentiable cost adds to a PyTorch training step.

Times one cost + gradient call of odimo.torch.NetworkCost (DIANA, latency, soft counts) for
ResNet-20 (3x32x32) and ResNet-18 (CIFAR, 3x32x32), next to one PyTorch training step of a
ResNet-20 (batch 128, CPU). Rounds alternate between the measurements; medians are printed.

    PYTHONPATH=build/python /usr/bin/python3 python/examples/cost_overhead.py [--rounds 7] [--threads 2]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import odimo
import odimo.torch


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        self.short = None if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (x if self.short is None else self.short(x)))


def resnet20():
    layers, cin = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for b in range(3):
            layers.append(Block(cin, cout, stride if b == 0 else 1))
            cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def cost_call(cost, counts):
    def run():
        for c in counts:
            c.grad = None
        cost(counts).backward()
    return run


def train_step(model, optimiser, x, y):
    def run():
        optimiser.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimiser.step()
    return run


def timed(fn, repeat):
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    calls = {}
    for name in ("resnet20", "resnet18-cifar"):
        cost = odimo.torch.NetworkCost("diana", odimo.load_network(name, input="3x32x32"))
        counts = [torch.full((len(l["options"]),), l["channels"] / len(l["options"]), dtype=torch.float64,
                             requires_grad=True) for l in cost.space]
        calls["%s cost+grad (%d layers)" % (name, len(cost.space))] = (cost_call(cost, counts), 200)
    model = resnet20()
    optimiser = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x, y = torch.randn(128, 3, 32, 32), torch.randint(0, 10, (128,))
    calls["resnet20 training step, batch 128"] = (train_step(model, optimiser, x, y), 3)
    for fn, repeat in calls.values():
        fn()  # warm-up
    samples = {k: [] for k in calls}
    for _ in range(args.rounds):
        for k, (fn, repeat) in calls.items():
            samples[k].append(timed(fn, repeat))
    step = statistics.median(samples["resnet20 training step, batch 128"])
    print("median of %d alternating rounds, %d torch threads:" % (args.rounds, args.threads))
    for k, v in samples.items():
        m = statistics.median(v)
        print("  %-42s %12.1f us  (%.3f%% of the training step)" % (k, m, 100 * m / step))


if __name__ == "__main__":
    main()
