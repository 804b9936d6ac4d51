#!/usr/bin/python3
"""How far odimo's cost gradient is from the cost's change over one staircase step.

For every searchable layer and option whose CU has a whole step [a, a + g] away from 0 channels
(g: the CU's channel granularity), compares the gradient at the step's centre with the central
difference (cost(a + g) - cost(a)) / g, at the hard max and at the search's temperature, for the
latency and the energy target. Prints the median and worst relative gap per case.

    PYTHONPATH=build/python /usr/bin/python3 python/examples/gradient_check.py
"""
import statistics

import odimo

CASES = [("diana", "resnet20", "3x32x32"), ("darkside", "mobilenetv1-0.25-odimo", "1x28x28")]


def steps(nc):
    """(searchable layer, option, step centre, g) for every option whose CU has a whole step
    [a, a + g] away from 0 channels (g: the CU's channel granularity)."""
    for s, layer in enumerate(nc.space):
        c = layer["channels"]
        for k, g in enumerate(layer["granularity"]):
            m = max(1, min((c - g) // g, (c // 2) // g))
            if g * m + g <= c:
                yield s, k, g * m + g / 2, g


def counts_around(nc, s, k, centre):
    """Channel counts with option k of layer s at `centre`, everything else split evenly."""
    counts = []
    for t, layer in enumerate(nc.space):
        n = len(layer["options"])
        v = [layer["channels"] / n] * n
        if t == s:
            v = [(layer["channels"] - centre) / (n - 1)] * n
            v[k] = centre
        counts.append(v)
    return counts


def gaps(nc, temperature):
    """Per step: |central difference - gradient| / max(|both|)."""
    out = []
    for s, k, centre, g in steps(nc):
        counts = counts_around(nc, s, k, centre)
        grad = nc.evaluate(counts, temperature)[1][s][k]
        counts[s][k] = centre + g / 2
        up = nc.evaluate(counts, temperature)[0]
        counts[s][k] = centre - g / 2
        down = nc.evaluate(counts, temperature)[0]
        fd = (up - down) / g
        out.append(abs(fd - grad) / max(abs(fd), abs(grad), 1e-12))
    return out


def main():
    print("%-9s %-24s %-8s %-11s %5s %12s %12s" % ("soc", "network", "target", "temperature", "steps",
                                                   "median gap", "worst gap"))
    for soc, net, input in CASES:
        network = odimo.load_network(net, input=input)
        for target in ("latency", "energy"):
            nc = odimo.NetworkCost(soc, network, target=target)
            for temperature in (0.0, 0.05):
                g = gaps(nc, temperature)
                print("%-9s %-24s %-8s %-11g %5d %11.2g%% %11.3g%%" % (
                    soc, net, target, temperature, len(g), 100 * statistics.median(g), 100 * max(g)))


if __name__ == "__main__":
    main()
