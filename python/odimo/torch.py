"""The search's differentiable SoC cost as a PyTorch module (needs python3-torch).

    import odimo, odimo.torch
    nc = odimo.torch.NetworkCost("diana", net, target="latency")
    nc.space                       # searchable layers: name, channels, options, ...
    cost = nc(counts)              # counts: one tensor per searchable layer, channels per option
    (ce + lam * cost / nc.reference).backward()

The value and its gradient come from odimo's C++ cost model (float64), the same relaxation,
smooth max and temperature as `odimo search`; hard counts at temperature 0 give `odimo cost`'s number.
"""
import torch as _torch

import odimo as _odimo


class _CostFunction(_torch.autograd.Function):
    @staticmethod
    def forward(ctx, cost, temperature, *counts):
        values = [c.detach().to(_torch.float64).reshape(-1).tolist() for c in counts]
        total, grads = cost.evaluate(values, temperature)
        ctx.grads = [_torch.tensor(g, dtype=c.dtype, device=c.device).reshape(c.shape) for g, c in zip(grads, counts)]
        return _torch.tensor(total, dtype=counts[0].dtype, device=counts[0].device)

    @staticmethod
    def backward(ctx, grad_output):
        return (None, None) + tuple(grad_output.to(g.dtype) * g for g in ctx.grads)


class NetworkCost(_torch.nn.Module):
    """Latency (cycles) or energy (uJ) of a network on a SoC as a function of the channel counts
    per option (CU) of each searchable layer. `reference` is the cost with every layer on the
    SoC's default CU: `odimo search` weighs lambda * cost / reference."""

    def __init__(self, soc, net, target="latency", model="calibrated", calibration=None, temperature=0.05):
        super().__init__()
        self.cost = _odimo.NetworkCost(soc, net, target, model, calibration)
        self.space = self.cost.space
        self.target, self.unit = self.cost.target, self.cost.unit
        self.reference = self.cost.reference
        self.temperature = temperature

    def forward(self, counts, temperature=None):
        """counts: one tensor per searchable layer with its channels per option (floating point, any
        shape with that many elements). temperature: None = the module's; 0 = the hard max."""
        t = self.temperature if temperature is None else temperature
        counts = list(counts)
        if len(counts) != len(self.space):
            raise _odimo.Error("counts: %d tensors given, the search space has %d layers" %
                               (len(counts), len(self.space)))
        for c, layer in zip(counts, self.space):
            if not isinstance(c, _torch.Tensor) or not c.is_floating_point() or c.numel() != len(layer["options"]):
                raise _odimo.Error("searchable layer '%s': expected a floating-point tensor of %d counts (one per "
                                   "option: %s)" % (layer["name"], len(layer["options"]), ", ".join(layer["options"])))
        return _CostFunction.apply(self.cost, float(t), *counts)

    def export(self, choices):
        """odimo.Mapping of per-channel option indices (tensors or lists), one per searchable layer."""
        return self.cost.export([c.tolist() if isinstance(c, _torch.Tensor) else list(c) for c in choices])
