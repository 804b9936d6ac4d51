"""Bad input raises odimo.Error (a ValueError) with odimo's one-line message; the interpreter
goes on."""
import math

import pytest

import odimo


def raises(fn, *fragments):
    with pytest.raises(odimo.Error) as info:
        fn()
    text = str(info.value)
    assert "\n" not in text.strip()
    for f in fragments:
        assert f in text, text
    assert isinstance(info.value, ValueError)


def test_unknown_soc_and_network():
    raises(lambda: odimo.load_soc("nosuchsoc"), "nosuchsoc", "not a shipped SoC")
    raises(lambda: odimo.load_network("nosuchnet"), "nosuchnet")
    raises(lambda: odimo.load_network("resnet20", input="3x32"), "input")


def test_bad_mappings():
    soc, net = odimo.load_soc("diana"), odimo.load_network("resnet8")
    raises(lambda: odimo.simulate(soc, net, {"nolayer": {"aimc": [0]}}), "nolayer")
    raises(lambda: odimo.simulate(soc, net, {"fc": {"nocu": list(range(10))}}), "nocu")
    raises(lambda: odimo.simulate(soc, net, {"fc": {"aimc": [0, 1]}}), "fc")
    raises(lambda: odimo.simulate(soc, net, {"fc": {"aimc": ["x"]}}), "not an integer")
    raises(lambda: odimo.simulate(soc, net, {"fc": [1, 2]}), "expected {cu: [channels]}")
    raises(lambda: odimo.simulate(soc, net, "all:nocu"), "nocu")
    raises(lambda: odimo.simulate(soc, net, "/nonexistent/mapping.pbtxt"), "/nonexistent/mapping.pbtxt")
    raises(lambda: odimo.simulate(soc, net, 42), "mapping")
    raises(lambda: odimo.cost(soc, net, model="magic"), "magic", "calibrated, odimo-compat")
    raises(lambda: odimo.mapping(soc, net, "all:aimc"), "dict")


def test_bad_counts():
    nc = odimo.NetworkCost("diana", "resnet8")
    good = nc.counts(nc.baseline("all:digital"))
    raises(lambda: nc.evaluate(good[:-1]), "search space has")
    raises(lambda: nc.evaluate([[1.0]] + good[1:]), "one per option")
    raises(lambda: nc.evaluate([[math.nan, 16.0]] + good[1:]), "nan")
    raises(lambda: nc.evaluate([[-1.0, 17.0]] + good[1:]), "[0, 16]")
    raises(lambda: nc.evaluate(good, temperature=-1), "temperature")
    raises(lambda: nc.export([[0] * 3]), "search space has")
    raises(lambda: nc.export([[5] * layer["channels"] for layer in nc.space]), "option 5")
    raises(lambda: nc.baseline("best"), "policy")
    raises(lambda: odimo.NetworkCost("diana", "resnet8", target="speed"), "speed")


def test_interpreter_survives_and_still_works():
    for _ in range(3):
        with pytest.raises(odimo.Error):
            odimo.simulate("diana", "resnet8", {"fc": {"aimc": [0]}})
    assert odimo.simulate("diana", "resnet8", "all:aimc").cycles > 0
