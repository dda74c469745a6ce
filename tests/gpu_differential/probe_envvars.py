"""Differential probe: how the package reads its boolean environment
variables (CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM, read at first use),
each value in a fresh interpreter of this same environment."""
import os
import subprocess
import sys

CHILD = """
from cuda.bindings import driver as cu
cu.cuInit(0)
err, dev = cu.cuDeviceGet(0)
err, ctx = cu.cuDevicePrimaryCtxRetain(dev)
cu.cuCtxSetCurrent(ctx)
ids = [cu.cuStreamGetId(s)[1] for s in (None, cu.CU_STREAM_LEGACY, cu.CU_STREAM_PER_THREAD)]
print("legacy" if ids[0] == ids[1] else "per-thread" if ids[0] == ids[2] else "?")
"""


def default_stream(value):
    """What stream 0 is in a fresh interpreter with the variable at `value` (None: unset)."""
    env = dict(os.environ)
    env.pop("CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM", None)
    if value is not None:
        env["CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM"] = value
    r = subprocess.run([sys.executable, "-P", "-c", CHILD], capture_output=True, text=True, env=env, timeout=120)
    # an error as its type: messages are not compared (ours names the variable)
    return r.stdout.strip() or (r.stderr.strip().splitlines() or ["?"])[-1].split(":")[0]


if __name__ == "__main__":
    for value in (None, "", "0", "1", "2", " 1 ", "-0", "true", "yes", "off", "abc"):
        print("PTDS=%r -> %s" % (value, default_stream(value)))
