"""Instructions a call costs, ours against NVIDIA's, counted by callgrind.

    python bench/callgrind.py --ours PYTHON --nvidia PYTHON [--rows NAME ...]

Seconds vary with the machine; instruction counts do not (the same binary,
inputs and environment count the same, whatever else runs).  Each row is a
loop of one call against bench/fake_cuda.c, a libcuda.so.1 that answers at
once, so that what is counted is the binding's work around the call: the
loop run N and 2N times under callgrind, and the difference divided by N
(Python's start and the package's import fall out).  No GPU is needed, and
none is used.  The loop's own cost is the "the loop alone" row: subtract it
to compare the bindings.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
N = 20000

SETUP = """
import ctypes
from cuda.bindings import driver
k = driver.CUfunction(0x1000)
s = driver.CUstream(0)
keep = [ctypes.c_void_p(0x2000), ctypes.c_int(3), ctypes.c_float(1.5)]
arr = (ctypes.c_void_p * 3)(*[ctypes.addressof(v) for v in keep])
vt = ((0x2000, 3, 1.5), (ctypes.c_void_p, ctypes.c_int, ctypes.c_float))
ptr = ctypes.addressof(arr)
attr = driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK
err = driver.CUresult.CUDA_SUCCESS
dev = driver.CUdevice(0)
"""
ROWS = {
    "the loop alone": "pass",
    "cuCtxGetCurrent": "driver.cuCtxGetCurrent()",
    "cuDeviceGetAttribute": "driver.cuDeviceGetAttribute(attr, dev)",
    "cuStreamQuery": "driver.cuStreamQuery(s)",
    "cuGetErrorString": "driver.cuGetErrorString(err)",
    "cuLaunchKernel no args": "driver.cuLaunchKernel(k, 1, 1, 1, 1, 1, 1, 0, s, 0, 0)",
    "cuLaunchKernel (values, types)": "driver.cuLaunchKernel(k, 1, 1, 1, 1, 1, 1, 0, s, vt, 0)",
    "cuLaunchKernel int void**": "driver.cuLaunchKernel(k, 1, 1, 1, 1, 1, 1, 0, s, ptr, 0)",
}
PROGRAM = SETUP + """
import sys
def loop(n):
    for _ in range(n):
        {call}
{call}   # the first call resolves the function and builds its enums: outside the count
loop(int(sys.argv[1]))
"""


def build_driver(work):
    subprocess.run([os.environ.get("CC", "cc"), "-O2", "-shared", "-fPIC", "-o", os.path.join(work, "libcuda.so.1"),
                    os.path.join(HERE, "fake_cuda.c")], check=True)


def instructions(python, call, n, work):
    path = os.path.join(work, "row.py")
    with open(path, "w") as f:
        f.write(PROGRAM.format(call=call))
    out = os.path.join(work, "callgrind.out")
    env = dict(os.environ, LD_LIBRARY_PATH=work)
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, python, "-P", path, str(n)],
                       capture_output=True, text=True, env=env, cwd=work)
    if r.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (call, r.stderr[-2000:]))
    with open(out) as f:
        total = next(int(m.group(1)) for m in (re.match(r"(?:summary|totals): (\d+)", ln) for ln in f) if m)
    return total


def per_call(python, call, work, n=N):
    return (instructions(python, call, 2 * n, work) - instructions(python, call, n, work)) / n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", required=True)
    ap.add_argument("--nvidia", required=True)
    ap.add_argument("--rows", nargs="*", default=list(ROWS), choices=list(ROWS))
    ap.add_argument("--calls", type=int, default=N, help="calls in the shorter loop (the longer has twice)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    found = {}
    with tempfile.TemporaryDirectory() as work:
        build_driver(work)
        if not args.json:
            print("| call | NVIDIA's | ours | ours/NVIDIA |\n|---|---:|---:|---:|")
        for row in args.rows:
            theirs, ours = (per_call(py, ROWS[row], work, args.calls) for py in (args.nvidia, args.ours))
            found[row] = {"nvidia": theirs, "ours": ours}
            if not args.json:
                print("| %s | %.0f | %.0f | %.2f |" % (row, theirs, ours, ours / theirs))
                sys.stdout.flush()
    if args.json:
        json.dump(found, sys.stdout)


if __name__ == "__main__":
    main()
