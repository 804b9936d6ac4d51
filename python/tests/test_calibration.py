"""odimo.calibrate and odimo.validate on trace CSVs, against the command line."""
import pytest

import odimo


@pytest.fixture(scope="module")
def traces(tmp_path_factory, cli):
    """Measured-style rows of ResNet-20 on DIANA under two mappings, written by odimo simulate."""
    folder = tmp_path_factory.mktemp("traces")
    rows = []
    for i, mapping in enumerate(["all:aimc", "default"]):
        path = str(folder / ("t%d.csv" % i))
        cli("simulate", "--soc", "diana", "--net", "resnet20", "--input", "3x32x32", "--mapping", mapping,
            "--trace-csv", path)
        lines = open(path).read().splitlines()
        rows += lines[1:] if rows else lines
    path = str(folder / "traces.csv")
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")
    return path


def test_calibrate_equals_cli(cli, tmp_path, traces):
    out = str(tmp_path / "cal.pbtxt")
    cli("calibrate", "--soc", "diana", "--traces", traces, "--holdout-fraction", "0.25", "--out", out)
    cal = odimo.calibrate("diana", traces, holdout_fraction=0.25)
    written = open(out).read()
    assert written.startswith("#") and written.split("\n", 1)[1] == cal.text
    assert cal.fit and cal.holdout
    path = str(tmp_path / "mine.pbtxt")
    cal.write(path)
    assert odimo.cost("diana", odimo.load_network("resnet20", input="3x32x32"), "all:aimc",
                      calibration=path).cycles > 0


def test_validate_rows(traces):
    rows = odimo.validate("diana", traces)
    assert len(rows) == len(open(traces).read().splitlines()) - 1
    for r in rows:
        # rows written by the simulator: simulating them again gives the same cycles
        assert r["simulated_cycles"] == r["measured_cycles"] > 0
        assert r["calibrated_cycles"] > 0 and r["compat_cycles"] >= 0  # odimo-compat: 0 where ODiMO has no formula
        assert r["network"] == "resnet20"


def test_bad_traces(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,op\nx,conv2d\n")
    with pytest.raises(odimo.Error, match="bad.csv"):
        odimo.calibrate("diana", str(bad))
    with pytest.raises(odimo.Error, match="holdout_fraction"):
        odimo.calibrate("diana", str(bad), holdout_fraction=1.5)
    with pytest.raises(odimo.Error, match="nope.csv"):
        odimo.validate("diana", str(tmp_path / "nope.csv"))
