"""odimo from Python: the virtual SoCs (SystemC), the analytic cost models and the
search's differentiable network cost. python/README.md documents every call.

    import odimo
    soc = odimo.load_soc("diana")
    net = odimo.load_network("resnet20", input="3x32x32")
    r = odimo.simulate(soc, net, mapping="all:aimc")
    r.cycles, r.latency_us, r.energy_uj, r.layers

`odimo.torch` (needs PyTorch) wraps NetworkCost as a differentiable torch module.
"""
from odimo import _odimo
from odimo.reports import Calibration, Mapping, Report

Error = _odimo.Error
Soc = _odimo.Soc
Network = _odimo.Network
__version__ = _odimo.__version__

__all__ = ["Error", "Soc", "Network", "Report", "Mapping", "Calibration", "NetworkCost", "load_soc",
           "load_network", "simulate", "cost", "mapping", "calibrate", "validate", "shipped_socs",
           "shipped_networks"]


def load_soc(spec):
    """A shipped SoC name (diana, darkside, ...) or a SoC description file (.pbtxt)."""
    return _odimo.load_soc(str(spec))


def load_network(spec, input=None):
    """A shipped network name, a .pbtxt or a .onnx file; input: "CxHxW" (e.g. "3x32x32")."""
    return _odimo.load_network(str(spec), input)


def shipped_socs():
    return list(_odimo.shipped_socs())


def shipped_networks():
    return list(_odimo.shipped_networks())


def _soc(soc):
    return soc if isinstance(soc, Soc) else load_soc(soc)


def _network(net):
    return net if isinstance(net, Network) else load_network(net)


def _mapping_argument(mapping):
    if mapping is None or isinstance(mapping, (str, dict, Mapping)):
        return mapping
    if hasattr(mapping, "__fspath__"):
        return str(mapping.__fspath__())
    raise Error("mapping: expected \"default\", \"all:CU\", a mapping file, a {layer: {cu: [channels]}} "
                "dict or an odimo.Mapping, not %s" % type(mapping).__name__)


def simulate(soc, net, mapping="default"):
    """Runs the mapped network on the SoC's SystemC model (as `odimo simulate`).

    mapping: "default", "all:CU", a mapping file, a {layer: {cu: [channels]}} dict or an
    odimo.Mapping. Each call simulates in a child process (SystemC elaborates once per process).
    """
    soc, net = _soc(soc), _network(net)
    return Report(_odimo.simulate_json(soc, net, _mapping_argument(mapping)))


def cost(soc, net, mapping="default", model="calibrated", calibration=None):
    """The analytic cost model's prediction (as `odimo cost`): same record as simulate.

    model: "calibrated" (calibration: a coefficients file, None = the SoC's shipped one) or
    "odimo-compat" (the original ODiMO formulas).
    """
    soc, net = _soc(soc), _network(net)
    return Report(_odimo.cost_json(soc, net, _mapping_argument(mapping), model, calibration or ""))


def mapping(soc, net, layers):
    """An odimo.Mapping from {layer: {cu: [output channels]}}, checked against soc and net
    (layers not named run on the SoC's default CU)."""
    soc, net = _soc(soc), _network(net)
    if not isinstance(layers, dict):
        raise Error("mapping: expected a {layer: {cu: [channels]}} dict, not %s" % type(layers).__name__)
    return Mapping(_odimo.mapping_text(soc, net, layers))


def calibrate(soc, traces, holdout_fraction=0.0, base=None):
    """Fits the calibrated cost model on measured layers (a trace CSV, validation/README.md), as
    `odimo calibrate --traces`: an odimo.Calibration; coefficients no row informs come from `base`
    (a calibration file; None = the SoC's shipped one)."""
    return Calibration(*_odimo.calibrate_traces(_soc(soc), str(traces), float(holdout_fraction), base or ""))


def validate(soc, traces, calibration=None):
    """Measured layers (a trace CSV) against the simulator and both cost models, as
    `odimo validate --traces`: one dict per row with measured_cycles, simulated_cycles,
    calibrated_cycles, compat_cycles and the energies (measured_energy_uj < 0: not measured)."""
    return list(_odimo.validate_traces(_soc(soc), str(traces), calibration or ""))


class NetworkCost:
    """The network cost `odimo search` minimises, for channel counts computed elsewhere.

    target: "latency" (cycles) or "energy" (uJ). `space` lists the searchable layers: name,
    channels, options (CU names), variants, relaxation, split_rule, granularity. Counts are one
    list per searchable layer with the (possibly fractional) number of output channels per option.
    """

    def __init__(self, soc, net, target="latency", model="calibrated", calibration=None):
        self.soc, self.net = _soc(soc), _network(net)
        self._cost = _odimo.NetworkCost(self.soc, self.net, target, model, calibration or "")
        self.space = self._cost.space
        self.target = self._cost.target
        self.unit = "cycles" if self.target == "latency" else "uJ"
        self.fixed = self._cost.fixed
        # The cost of every layer on the SoC's default CU: `odimo search` weighs lambda * cost / reference.
        self.reference = self.evaluate(self.counts(self.baseline("all:" + self.soc.default_cu)), 0)[0]

    def evaluate(self, counts, temperature=0.05):
        """(cost, gradient per layer per option). temperature: the smooth max over CUs relative to
        the layer's cost, as `odimo search` (0.05); 0 is the hard max `odimo cost` reports."""
        return self._cost.evaluate([[float(n) for n in layer] for layer in counts], float(temperature))

    def counts(self, choices):
        """Channel counts per option of a discrete choice (option index per output channel)."""
        return self._cost.counts([[int(c) for c in layer] for layer in choices])

    def export(self, choices):
        """The odimo.Mapping of a discrete choice (option index per output channel, per searchable
        layer), with the deployment permutation that makes each CU's channels contiguous."""
        return Mapping(self._cost.export([[int(c) for c in layer] for layer in choices]))

    def baseline(self, name):
        """A baseline choice: "all:CU", "policy" (the SoC's deployment rule) or "greedy" (per layer
        the cheapest contiguous split)."""
        return [list(layer) for layer in self._cost.baseline(name)]
