"""The examples (examples/*.py), of the driver and the runtime, run on a
real GPU and report right results."""
import os
import subprocess
import sys

import pytest
from helpers import ROOT

pytestmark = pytest.mark.gpu

EXAMPLES = ["vector_add_nvrtc.py", "streams_events.py", "graph_capture.py", "runtime_saxpy.py"]
COUNTS_WRONG = {"runtime_saxpy.py"}   # must print how many results were wrong: " 0 wrong"


@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_run(example):
    r = subprocess.run([sys.executable, "-P", os.path.join(ROOT, "examples", example)],
                       capture_output=True, text=True, timeout=300, cwd="/")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "wrong" not in r.stdout.lower() or " 0 wrong" in r.stdout
    if example in COUNTS_WRONG:
        assert " 0 wrong" in r.stdout
