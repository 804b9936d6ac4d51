"""Shared fixtures: the odimo command line next to the module (ODIMO_CLI, set by CTest)."""
import json
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("ODIMO_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("ODIMO_CLI does not name the odimo binary")

    def run(*args, report=None):
        result = subprocess.run([path, *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        if report:
            with open(report) as f:
                return json.load(f)
        return result

    run.path = path
    return run
