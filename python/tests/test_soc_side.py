"""odimo.simulate, odimo.cost and odimo.mapping against the command line's JSON."""
import os

import pytest

import odimo

CASES = [("diana", "default"), ("diana", "all:aimc"), ("diana", "all:digital"),
         ("darkside", "default"), ("darkside", "all:dwe")]


@pytest.fixture(scope="module")
def resnet20():
    return odimo.load_network("resnet20", input="3x32x32")


@pytest.mark.parametrize("soc,mapping", CASES)
def test_simulate_equals_cli(cli, tmp_path, resnet20, soc, mapping):
    report = str(tmp_path / "r.json")
    expected = cli("simulate", "--soc", soc, "--net", "resnet20", "--input", "3x32x32", "--mapping", mapping,
                   "--report", report, report=report)
    r = odimo.simulate(soc, resnet20, mapping=mapping)
    assert r.to_dict() == expected
    assert r.cycles == int(expected["total"]["cycles"]) > 0
    assert r.latency_us == expected["total"]["latency_us"]
    assert len(r.layers) == len(resnet20.layers)


@pytest.mark.parametrize("model", ["calibrated", "odimo-compat"])
@pytest.mark.parametrize("soc,mapping", CASES)
def test_cost_equals_cli(cli, tmp_path, resnet20, soc, mapping, model):
    report = str(tmp_path / "c.json")
    expected = cli("cost", "--soc", soc, "--net", "resnet20", "--input", "3x32x32", "--mapping", mapping,
                   "--model", model, "--report", report, report=report)
    assert odimo.cost(soc, resnet20, mapping=mapping, model=model).to_dict() == expected


def test_dict_mapping_written_is_accepted_by_cli(cli, tmp_path):
    soc = odimo.load_soc("diana")
    net = odimo.load_network("resnet8")
    layers = {"s1_conv1": {"digital": list(range(0, 16, 2)), "aimc": list(range(1, 16, 2))}}
    m = odimo.mapping(soc, net, layers)
    path = str(tmp_path / "m.pbtxt")
    m.write(path)
    report = str(tmp_path / "r.json")
    expected = cli("simulate", "--soc", "diana", "--net", "resnet8", "--mapping", path, "--report", report,
                   report=report)
    from_dict = odimo.simulate(soc, net, mapping=layers).to_dict()
    from_file = odimo.simulate(soc, net, mapping=path).to_dict()
    assert from_file == expected
    assert from_dict["total"] == expected["total"]
    assert from_dict["layers"] == expected["layers"]
    split = {c["cu"]: c["channels"] for c in from_dict["layers"][net.layers.index("s1_conv1")]["cu"]}
    assert split == {"digital": 8, "aimc": 8}


def test_report_shortcuts():
    r = odimo.simulate("diana", "resnet8", mapping="all:aimc")
    busy = r.busy_cycles()
    assert set(busy) <= set(odimo.load_soc("diana").cus) and busy["aimc"] > 0
    table = r.layer_table()
    assert table.shape == (len(r.layers), 2)
    assert table[:, 0].sum() == r.cycles
    assert "cycles" in repr(r)


def test_shipped_names_and_objects():
    assert "diana" in odimo.shipped_socs() and "darkside" in odimo.shipped_socs()
    assert "resnet20" in odimo.shipped_networks()
    soc = odimo.load_soc("diana")
    assert soc.name == "diana" and soc.clock_mhz > 0 and soc.default_cu in soc.cus
    net = odimo.load_network("resnet8")
    assert net.input == "1x28x28" and "fc" in net.layers
    assert os.path.exists(soc.origin)
