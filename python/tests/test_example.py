"""The PyTorch example trains a few steps, exports, simulates; odimo simulate accepts its mapping."""
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("torch")

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "resnet8_fashion_mnist.py")


def test_example_trains_exports_and_replays(cli, tmp_path):
    out = str(tmp_path / "run")
    result = subprocess.run([sys.executable, EXAMPLE, "--steps", "3", "--batch", "16", "--threads", "1",
                             "--train-images", "256", "--test-images", "128", "--out", out],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "simulated (SystemC)" in result.stdout
    summary = json.load(open(os.path.join(out, "summary.json")))
    assert summary["simulated_cycles"] > 0 and summary["analytic_cycles"] > 0
    assert 0 <= summary["test_accuracy"] <= 1
    report = str(tmp_path / "r.json")
    simulated = cli("simulate", "--soc", "diana", "--net", "resnet8", "--mapping", os.path.join(out, "mapping.pbtxt"),
                    "--report", report, report=report)
    assert int(simulated["total"]["cycles"]) == summary["simulated_cycles"]
