"""Records returned by odimo.simulate and odimo.cost, and mappings as Python objects."""
import json
import os


class Report:
    """One mapped network's latency and energy, per layer and in total.

    `to_dict()` is exactly the JSON that `odimo simulate --report` / `odimo cost --report`
    write for the same inputs; the attributes are shortcuts into it.
    """

    def __init__(self, json_text):
        self._dict = json.loads(json_text)

    def to_dict(self):
        return json.loads(json.dumps(self._dict))

    @property
    def total(self):
        return self._dict.get("total", {})

    @property
    def cycles(self):
        return int(self.total.get("cycles", 0))

    @property
    def latency_us(self):
        return float(self.total.get("latency_us", 0.0))

    @property
    def energy_uj(self):
        return float(self.total.get("energy_uj", 0.0))

    @property
    def layers(self):
        """One dict per network layer (name, op, cycles, energy_uj, cu: per-CU shares...)."""
        return self._dict.get("layers", [])

    def busy_cycles(self):
        """Busy cycles per CU, summed over the layers: {cu: cycles}."""
        busy = {}
        for layer in self.layers:
            for cu in layer.get("cu", []):
                busy[cu["cu"]] = busy.get(cu["cu"], 0) + int(cu.get("busy_cycles", 0))
        return busy

    def layer_table(self):
        """Per-layer (cycles, energy uJ) as a NumPy array of shape (layers, 2)."""
        import numpy

        return numpy.array([[int(l.get("cycles", 0)), float(l.get("energy_uj", 0.0))] for l in self.layers],
                           dtype=numpy.float64).reshape(-1, 2)

    def __repr__(self):
        return "<odimo.Report %s: %d cycles, %.1f us, %.3f uJ>" % (
            self._dict.get("network", "?"), self.cycles, self.latency_us, self.energy_uj)


class Mapping:
    """A mapping file's content (proto/mapping.proto, text format)."""

    def __init__(self, text):
        self.text = text

    def write(self, path):
        """Writes the mapping file (`odimo simulate/replay/deploy --mapping PATH` read it)."""
        tmp = "%s.tmp.%d" % (path, os.getpid())
        with open(tmp, "w") as f:
            f.write(self.text)
        os.replace(tmp, path)

    def __repr__(self):
        return "<odimo.Mapping, %d lines>" % self.text.count("\n")


class Calibration:
    """Coefficients of the calibrated cost model (proto/calibration.proto), as `odimo calibrate`
    writes them; `fit` and `holdout` are the latency errors per CU and operator."""

    def __init__(self, text, json_text):
        self.text = text
        self._dict = json.loads(json_text)

    def to_dict(self):
        return json.loads(json.dumps(self._dict))

    @property
    def fit(self):
        return self._dict.get("fit", [])

    @property
    def holdout(self):
        return self._dict.get("holdout", [])

    def write(self, path):
        """Writes the calibration file (`odimo cost/search --calibration PATH`, calibration= here)."""
        Mapping(self.text).write(path)

    def __repr__(self):
        return "<odimo.Calibration of %s>" % self._dict.get("soc", "?")
