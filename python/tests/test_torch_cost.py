"""odimo.torch.NetworkCost: gradients against finite differences, hard counts, bad tensors."""
import pytest

torch = pytest.importorskip("torch")
import odimo  # noqa: E402
import odimo.torch  # noqa: E402

NETWORKS = [("diana", "resnet20", "3x32x32"), ("darkside", "mobilenetv1-0.25-odimo", "1x28x28")]


def windows(nc):
    """Per searchable layer and option with a whole staircase step [a, a + g] away from 0 (g: the
    CU's channel granularity, over which odimo's gradient is the secant slope): (layer, option,
    centre, g)."""
    for s, layer in enumerate(nc.space):
        c, k_options = layer["channels"], len(layer["options"])
        for k, g in enumerate(layer["granularity"]):
            m = max(1, min((c - g) // g, (c // 2) // g))
            if g * m + g <= c:
                yield s, k, g * m + g / 2, g


def counts_around(nc, s, k, centre):
    counts = []
    for t, layer in enumerate(nc.space):
        n = len(layer["options"])
        if t == s:
            v = [(layer["channels"] - centre) / (n - 1)] * n
            v[k] = centre
        else:
            v = [layer["channels"] / n] * n
        counts.append(torch.tensor(v, dtype=torch.float64))
    return counts


@pytest.mark.parametrize("soc,net,input", NETWORKS)
def test_gradcheck_against_the_staircase(soc, net, input):
    """torch.autograd.gradcheck with central differences over one staircase step (eps = g/2), at the
    hard max: where the perturbed CU is the layer's slowest over the whole step, the gradient the
    search sees is exactly the cost's change per channel. Steps where another CU becomes the
    slowest (a kink) are left out; every layer kind keeps cases. The shared-port term, which the
    model leaves out of the gradient (mapper/cost/calibrated_model.h), moves the cost by up to a few
    percent of a step where the perturbed CU moves the least data: rtol 3 %."""
    nc = odimo.torch.NetworkCost(soc, odimo.load_network(net, input=input), target="latency")
    checked = set()
    for s, k, centre, g in windows(nc):
        counts = counts_around(nc, s, k, centre)
        ends = []
        for x in (centre - g / 2 + 0.25, centre, centre + g / 2 - 0.25):
            counts[s][k] = x
            ends.append(nc.cost.evaluate([c.tolist() for c in counts], 0)[1][s][k])
        counts[s][k] = centre
        if ends[1] == 0 or max(ends) != min(ends):
            continue  # not the slowest CU, or the slowest changes inside the step
        x = counts[s][k:k + 1].clone().requires_grad_()

        def cost_of(v, s=s, k=k, counts=counts):
            row = torch.cat([counts[s][:k], v, counts[s][k + 1:]])
            return nc(counts[:s] + [row] + counts[s + 1:], temperature=0) / nc.reference

        assert torch.autograd.gradcheck(cost_of, (x,), eps=g / 2, atol=1e-9, rtol=0.03), nc.space[s]["name"]
        checked.add((nc.space[s]["relaxation"], tuple(nc.space[s]["variants"])))
    kinds = {(layer["relaxation"], tuple(layer["variants"])) for layer in nc.space}
    assert checked == kinds, (checked, kinds)


@pytest.mark.parametrize("soc,net,input", NETWORKS)
@pytest.mark.parametrize("target,temperature,median", [("latency", 0.05, 0.05), ("energy", 0, 1e-8),
                                                       ("energy", 0.05, 0.01)])
def test_gradient_against_the_staircase_over_every_step(soc, net, input, target, temperature, median):
    """Over every step away from 0 channels, the median relative gap between the gradient and the
    central difference (eps = g/2) stays small: the smooth max bends over a step (latency at the
    search's temperature); the energy gradient is the reported energy's (mapper/cost/calibrated_model.h)."""
    nc = odimo.torch.NetworkCost(soc, odimo.load_network(net, input=input), target=target)
    gaps = []
    for s, k, centre, g in windows(nc):
        counts = [c.tolist() for c in counts_around(nc, s, k, centre)]
        grad = nc.cost.evaluate(counts, temperature)[1][s][k]
        counts[s][k] = centre + g / 2
        up = nc.cost.evaluate(counts, temperature)[0]
        counts[s][k] = centre - g / 2
        down = nc.cost.evaluate(counts, temperature)[0]
        fd = (up - down) / g
        gaps.append(abs(fd - grad) / max(abs(fd), abs(grad), 1e-12))
    gaps.sort()
    assert gaps and gaps[len(gaps) // 2] < median, gaps


def test_hard_counts_match_the_cpp_cost_and_gradient_flows():
    nc = odimo.torch.NetworkCost("diana", "resnet8")
    choice = nc.cost.baseline("greedy")
    counts = [torch.tensor(c, dtype=torch.float64, requires_grad=True) for c in nc.cost.counts(choice)]
    value = nc(counts, temperature=0)
    assert value.item() == nc.cost.evaluate(nc.cost.counts(choice), 0)[0]
    soft = nc(counts)
    (soft / nc.reference).backward()
    assert all(c.grad is not None and torch.isfinite(c.grad).all() for c in counts)


def test_float32_counts_and_export():
    nc = odimo.torch.NetworkCost("diana", "resnet8")
    counts = [torch.full((2,), layer["channels"] / 2.0, requires_grad=True) for layer in nc.space]
    out = nc(counts)
    assert out.dtype == torch.float32
    out.backward()
    assert counts[0].grad.dtype == torch.float32
    m = nc.export([torch.zeros(layer["channels"], dtype=torch.long) for layer in nc.space])
    assert "layer" in m.text


def test_bad_tensors_raise():
    nc = odimo.torch.NetworkCost("diana", "resnet8")
    good = [torch.full((2,), layer["channels"] / 2.0, dtype=torch.float64) for layer in nc.space]
    with pytest.raises(odimo.Error, match="search space has"):
        nc(good[:-1])
    with pytest.raises(odimo.Error, match="expected a floating-point tensor of 2 counts"):
        nc([torch.ones(3, dtype=torch.float64)] + good[1:])
    with pytest.raises(odimo.Error, match="expected a floating-point tensor"):
        nc([torch.ones(2, dtype=torch.long)] + good[1:])
    with pytest.raises(odimo.Error, match="nan"):
        nc([torch.tensor([float("nan"), 1.0], dtype=torch.float64)] + good[1:])
    assert nc(good).item() > 0
