"""Typing: the installed stubs agree with the modules (mypy's stubtest), and
mypy --strict accepts a program that uses every module (tests/typing/sample.py)."""
import os
import subprocess
import sys

import pytest
from helpers import ROOT


pytest.importorskip("mypy", reason="mypy is not installed (pip install .[test])")


def run_mypy(args, tmp_path):
    env = dict(os.environ, MYPY_CACHE_DIR=str(tmp_path / "cache"))
    return subprocess.run([sys.executable, "-m"] + args, capture_output=True, text=True, cwd=str(tmp_path),
                          env=env, timeout=600)


def test_stubs_match_the_modules(tmp_path):
    """Every module of the package (the self-check's __main__ is a script, not checked)."""
    allow = tmp_path / "allowlist.txt"
    allow.write_text("cuda.bindings.__main__\n")
    # PEP 800's @disjoint_base is left out so that older type checkers read the stubs.
    r = run_mypy(["mypy.stubtest", "--ignore-disjoint-bases", "--allowlist", str(allow), "cuda.bindings"],
                 tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    checked = int(r.stdout.split(" issues found in ")[1].split()[0])
    assert checked >= 20, r.stdout   # the package, 12 extension modules, utils and its parts


def test_a_program_using_every_module_passes_mypy_strict(tmp_path):
    r = run_mypy(["mypy", "--strict", "--no-incremental", os.path.join(ROOT, "tests", "typing", "sample.py")],
                 tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_wrong_call_is_caught(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from cuda.bindings import driver, nvvm\n"
                   "driver.cuMemAlloc('a lot')\n"
                   "nvvm.compile_program(nvvm.create_program(), 1, 5.5)\n"
                   "x: bytes = driver.cuInit(0)\n")
    r = run_mypy(["mypy", "--strict", str(bad)], tmp_path)
    assert r.returncode == 1
    assert "bad.py:2:" in r.stdout and "bad.py:3:" in r.stdout and "bad.py:4:" in r.stdout, r.stdout
