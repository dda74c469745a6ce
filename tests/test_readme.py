"""README.md stays true: its Python examples run, its commands are the CI's."""
import os
import re

import pytest
from helpers import ROOT, run_python

README = open(os.path.join(ROOT, "README.md")).read()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=["python-%d" % i for i in range(len(BLOCKS))])
def test_readme_python_example_runs(code):
    r = run_python(code)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ci_runs_readme_test_command():
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    test_command = commands[1]
    assert "pytest" in test_command and "[test]" in test_command
    ci = open(os.path.join(ROOT, ".ci", "run")).read()
    assert test_command in ci
