"""Differential probe: the reliability issue's cases (objects that misbehave
while they are converted, values that do not fit, fake handles, outputs into
shared bytes), each in a fresh interpreter of this same environment so that
a crash is a line ("crashed: signal N"), not a lost run.  Each line is the
exception's type or a short form of the result; messages are left out (they
differ on purpose).  Runs with or without a GPU: with the toolkit's stub
driver first on LD_LIBRARY_PATH it needs none."""
import subprocess
import sys

CASES = {
    "list emptied by __index__ (struct field)": """
from cuda.bindings import runtime
L = []
class E:
    def __index__(self):
        L.clear(); return 0
L[:] = [E(), 0, 0]
p = runtime.cudaDeviceProp()
p.maxThreadsDim = L
out = list(p.maxThreadsDim)
""",
    "program destroyed by a later __index__": """
from cuda.bindings import nvrtc
err, p = nvrtc.nvrtcCreateProgram(b"__global__ void k() {}", b"k.cu", 0, [], [])
class K:
    def __index__(self):
        nvrtc.nvrtcDestroyProgram(p); return 0
out = nvrtc.nvrtcCompileProgram(p, K(), [])[0]
""",
    "program destroyed by the options' __iter__": """
from cuda.bindings import nvrtc
err, p = nvrtc.nvrtcCreateProgram(b"__global__ void k() {}", b"k.cu", 0, [], [])
class O(list):
    def __iter__(self):
        nvrtc.nvrtcDestroyProgram(p); return iter([])
out = nvrtc.nvrtcCompileProgram(p, 0, O())[0]
""",
    "fake handle as cuLaunchKernel extra": """
from cuda.bindings import driver
class F:
    __slots__ = ("a", "b"); _cb_handle_kind = 0
out = driver.cuLaunchKernel(0, 1, 1, 1, 1, 1, 1, 0, 0, None, F())[0]
""",
    "nvrtcGetPTX(prog, 1)": """
from cuda.bindings import nvrtc
err, p = nvrtc.nvrtcCreateProgram(b"__global__ void k() {}", b"k.cu", 0, [], [])
nvrtc.nvrtcCompileProgram(p, 0, [])
out = nvrtc.nvrtcGetPTX(p, 1)
""",
    "b' ' turned into b'\\0' by an empty log into b' ' * 1": """
from cuda.bindings import nvrtc
err, p = nvrtc.nvrtcCreateProgram(b"__global__ void k() {}", b"k.cu", 0, [], [])
nvrtc.nvrtcCompileProgram(p, 0, [])
nvrtc.nvrtcGetProgramLog(p, b" " * 1)
out = b" " == b"\\0"
""",
    "CUdevice(2**32 + 5)": "from cuda.bindings import driver\nout = int(driver.CUdevice(2 ** 32 + 5))",
    "cuuint32_t(2**32)": "from cuda.bindings import driver\nout = int(driver.cuuint32_t(2 ** 32))",
    "CUdevice(-2**31 - 1)": "from cuda.bindings import driver\nout = int(driver.CUdevice(-2 ** 31 - 1))",
    "CUdevice(-1)": "from cuda.bindings import driver\nout = int(driver.CUdevice(-1))",
    "CUstream(-1)": "from cuda.bindings import driver\nout = int(driver.CUstream(-1))",
    "CUdeviceptr(2**64)": "from cuda.bindings import driver\nout = int(driver.CUdeviceptr(2 ** 64))",
    "non-contiguous buffer in a kernel argument": """
from cuda.bindings import driver
import ctypes
out = driver.cuLaunchKernel(0, 1, 1, 1, 1, 1, 1, 0, 0, ([memoryview(bytearray(16))[::2]], [None]), 0)[0]
""",
    "subinterpreter import": """
try:
    import _interpreters as si
    i = si.create(); r = si.run_string(i, "import cuda.bindings.driver")
    out = "ImportError" if r is not None and "ImportError" in str(r) else r
except ImportError:
    import _xxsubinterpreters as si
    import cuda.bindings.driver
    try:
        si.run_string(si.create(), "import cuda.bindings.driver"); out = "imported"
    except Exception as e:
        out = "ImportError" if "ImportError" in str(e) else type(e).__name__
""",
}

WRAP = """
try:
%s
    print("->", out if isinstance(out, (int, bool, str, list)) and not hasattr(out, "name") else
          getattr(out, "name", type(out).__name__))
except Exception as e:
    print("raises", type(e).__name__)
"""


def outcome(code):
    body = "\n".join("    " + ln for ln in code.strip().splitlines())
    r = subprocess.run([sys.executable, "-P", "-c", WRAP % body], capture_output=True, text=True, timeout=120,
                       cwd="/")
    if r.returncode < 0:
        return "crashed: signal %d" % -r.returncode
    return r.stdout.strip() or (r.stderr.strip().splitlines() or ["?"])[-1]


if __name__ == "__main__":
    for name, code in CASES.items():
        print("%s: %s" % (name, outcome(code)))
