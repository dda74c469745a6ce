"""README.md stays true: its Python examples run, its commands are the CI's."""
import os
import re

import pytest
from helpers import ROOT, run_python

README = open(os.path.join(ROOT, "README.md")).read()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
GPU_BLOCKS = re.findall(r"```python gpu\n(.*?)```", README, re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=["python-%d" % i for i in range(len(BLOCKS))])
def test_readme_python_example_runs(code):
    r = run_python(code)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.gpu
@pytest.mark.parametrize("code", GPU_BLOCKS, ids=["python-gpu-%d" % i for i in range(len(GPU_BLOCKS))])
def test_readme_gpu_example_runs(code):
    r = run_python(code)
    assert r.returncode == 0, r.stdout + r.stderr


def test_readme_has_driver_examples():
    assert len([b for b in GPU_BLOCKS if "cuda.bindings import driver" in b]) >= 2
    assert all("cuda.bindings import" in b for b in GPU_BLOCKS)


def test_ci_runs_readme_test_command():
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    test_command = commands[1]
    assert "pytest" in test_command and "[test]" in test_command
    ci = open(os.path.join(ROOT, ".ci", "run")).read()
    assert test_command in ci


def test_the_tour_quotes_what_the_generator_writes():
    """The C of README's tour of cuMemAlloc is the generator's, line for line
    (comments and `...` aside)."""
    from helpers import header_dir, load_gen
    load_gen()
    from gen import emit_core
    from gen.emit_pymod import Shim
    from gen.load import load_model
    tour = README[README.index("## How it is made"):README.index("## Testing")]
    blocks = re.findall(r"```c\n(.*?)```", tour, re.S)
    assert len(blocks) == 2
    m = load_model("driver", header_dir("driver"))
    b = m.by_name["cuMemAlloc"]
    written = Shim(m, b).text() + emit_core.wrapper(m, b, "SLOT_cuMemAlloc")
    lines = {ln.strip() for ln in written.split("\n")}
    for block in blocks:
        for line in block.split("\n"):
            code = re.sub(r"\s*/\*.*?\*/\s*$", "", line).strip()
            if code and code != "...":
                assert code in lines, code
