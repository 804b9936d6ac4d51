"""odimo.NetworkCost: hard counts give odimo cost's number; the search space description."""
import pytest

import odimo


@pytest.mark.parametrize("soc,net,input", [("diana", "resnet20", "3x32x32"), ("darkside", "mobilenetv1-0.25-cifar", "3x32x32"),
                                           ("darkside", "mobilenetv1-0.25-odimo", "1x28x28")])
@pytest.mark.parametrize("target", ["latency", "energy"])
def test_hard_counts_equal_odimo_cost(cli, tmp_path, soc, net, input, target):
    network = odimo.load_network(net, input=input)
    nc = odimo.NetworkCost(soc, network, target=target)
    assert nc.space, "no searchable layer"
    for baseline in ["all:" + nc.space[0]["options"][0], "all:" + nc.space[0]["options"][-1], "greedy"]:
        choice = nc.baseline(baseline)
        value, _ = nc.evaluate(nc.counts(choice), temperature=0)
        path = str(tmp_path / "m.pbtxt")
        nc.export(choice).write(path)
        report = str(tmp_path / "c.json")
        expected = cli("cost", "--soc", soc, "--net", net, "--input", input, "--mapping", path, "--report", report,
                       report=report)
        total = expected["total"]
        want = int(total["cycles"]) if target == "latency" else total["energy_uj"]
        assert value == pytest.approx(want, rel=1e-9, abs=len(network.layers)), baseline


def test_space_describes_both_relaxations():
    diana = odimo.NetworkCost("diana", "resnet8").space
    assert {l["relaxation"] for l in diana} == {"channel-softmax"}
    assert all(set(l["options"]) == {"digital", "aimc"} for l in diana)
    assert all(l["split_rule"] == "any-subset" for l in diana)
    dark = odimo.NetworkCost("darkside", odimo.load_network("mobilenetv1-0.25-odimo", input="1x28x28")).space
    assert {l["relaxation"] for l in dark} == {"thermometric"}
    assert all(l["split_rule"] == "contiguous-in-cu-order" for l in dark)
    for layer in diana + dark:
        assert layer["channels"] > 0 and len(layer["options"]) >= 2
        assert len(layer["granularity"]) == len(layer["options"]) and min(layer["granularity"]) >= 1


def test_reference_is_the_all_default_cost():
    nc = odimo.NetworkCost("diana", "resnet8")
    default = nc.evaluate(nc.counts(nc.baseline("all:" + nc.soc.default_cu)), 0)[0]
    assert nc.reference == default > nc.fixed >= 0
