"""Helpers shared by the tests (tests/ is on sys.path via pytest's `pythonpath`)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code, env=None, python=None, cwd=None):
    """Run code in a fresh interpreter; returns CompletedProcess (text)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([python or sys.executable, "-c", code], capture_output=True, text=True,
                          env=full_env, cwd=cwd or "/", timeout=300)


KERNEL = rb"""
extern "C" __global__ void vadd(const float *a, const float *b, float *c, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        c[i] = a[i] + b[i];
}
"""
