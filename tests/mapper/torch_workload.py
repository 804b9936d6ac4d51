#!/usr/bin/python3
"""PyTorch side of bench_train: builds any shipped workload (workloads/NAME.pbtxt, the Network IR
that odimo trains) as a torch module, layer by layer, and times training steps on Fashion-MNIST with
the protocol of the ResNet-8 anchor (random batches of the training set, SGD momentum 0.9, weight
decay 5e-4, lr 0.05, 5 warm-up steps). For resnet8 it builds the anchor's network (77,754
parameters); --check prints the parameter count and exits.

Run with Debian's interpreter, which sees python3-torch:
  /usr/bin/python3 torch_workload.py --net workloads/resnet20.pbtxt --input 1x28x28 --steps 50 --threads 2
Prints "torch VERSION threads T: N images/s, peak RSS M MiB, C CPU-ms per step" (the line
bench_train parses).
"""
import argparse, gzip, re, resource, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def parse_pbtxt(path):
    """The subset of text protobuf the workload files use: top-level scalars, `input {c h w}`, and
    repeated `layer { key: value ... }` blocks (repeated `inputs`)."""
    net, layers, block, cur = {}, [], None, None
    for raw in open(path):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.endswith("{"):
            block = line[:-1].strip()
            cur = {"inputs": []} if block == "layer" else {}
            continue
        if line == "}":
            (layers.append(cur) if block == "layer" else net.__setitem__(block, cur))
            block = cur = None
            continue
        key, val = (s.strip() for s in line.split(":", 1))
        val = val.strip('"')
        target = cur if cur is not None else net
        if key == "inputs":
            target["inputs"].append(val)
        else:
            target[key] = val
    return net, layers


class Workload(nn.Module):
    """The Network IR graph as a module: each layer reads its inputs by name ("input" = the image)."""

    def __init__(self, layers, in_c):
        super().__init__()
        self.layers, self.mods, chans = layers, nn.ModuleDict(), {"input": in_c}
        for l in layers:
            c = chans[l["inputs"][0]]
            op, k = l["op"], int(l.get("kernel", 1))
            s, p, bias = int(l.get("stride", 1)), int(l.get("padding", 0)), l.get("bias") == "true"
            out = int(l.get("out_channels", c))
            if op == "conv2d":
                m = nn.Conv2d(c, out, k, s, p, groups=int(l.get("groups", 1)), bias=bias)
            elif op == "depthwise":
                m = nn.Conv2d(c, c, k, s, p, groups=c, bias=bias)
            elif op == "batchnorm":
                m = nn.BatchNorm2d(c)
            elif op == "linear":
                m = nn.Linear(c, out, bias=bias)
            elif op == "avgpool":
                m = nn.AvgPool2d(k, s, p)
            elif op == "maxpool":
                m = nn.MaxPool2d(k, s, p)
            else:
                m = None
            if m is not None:
                self.mods[l["name"].replace(".", "_")] = m
            chans[l["name"]] = out if op in ("conv2d", "linear") else c

    def forward(self, x):
        val = {"input": x}
        for l in self.layers:
            a, op = [val[i] for i in l["inputs"]], l["op"]
            if op == "relu":
                y = F.relu(a[0])
            elif op == "relu6":
                y = F.relu6(a[0])
            elif op == "add":
                y = a[0]
                for b in a[1:]:
                    y = y + b
            elif op == "globalavgpool":
                y = F.adaptive_avg_pool2d(a[0], 1)
            elif op == "flatten":
                y = a[0].flatten(1)
            else:
                y = self.mods[l["name"].replace(".", "_")](a[0])
            val[l["name"]] = y
        return val[self.layers[-1]["name"]].flatten(1)


def idx(path):
    raw = gzip.open(path, "rb").read(); nd = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * nd).reshape(dims)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--net", required=True); ap.add_argument("--input", default="1x28x28")
    ap.add_argument("--steps", type=int, default=50); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128); ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(1)
    net, layers = parse_pbtxt(a.net)
    c, h, w = (int(v) for v in re.fullmatch(r"(\d+)x(\d+)x(\d+)", a.input).groups())
    m = Workload(layers, c)
    if a.check:
        print(f"{net.get('name')}: {sum(p.numel() for p in m.parameters())} parameters")
        return
    x = torch.from_numpy(idx(f"{DATA}/train-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    xtr, ytr = (x - 0.2860) / 0.3530, torch.from_numpy(idx(f"{DATA}/train-labels-idx1-ubyte.gz").astype(np.int64))
    assert (c, h, w) == (1, 28, 28), "Fashion-MNIST images are 1x28x28"
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)

    def step():
        j = torch.randint(0, len(xtr), (a.batch,))
        loss = F.cross_entropy(m(xtr[j]), ytr[j]); opt.zero_grad(); loss.backward(); opt.step()
    for _ in range(5):
        step()
    cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])  # user + system seconds, all threads
    t, c = time.perf_counter(), cpu()
    for _ in range(a.steps):
        step()
    dt, dc = time.perf_counter() - t, cpu() - c
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"torch {torch.__version__} threads {a.threads}: {a.steps * a.batch / dt:.0f} images/s, "
          f"peak RSS {rss:.0f} MiB, {1000 * dc / a.steps:.0f} CPU-ms per step")


if __name__ == "__main__":
    main()
