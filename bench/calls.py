"""Per-call cost of cuda.bindings functions from Python, in ns per call.

Runs against whichever cuda.bindings the interpreter imports (ours or
NVIDIA's: the calls are spelled the same), so the runner can time both the
same way.  Each row is a statement timed timeit-style: the callable and its
arguments are locals of the timing loop, a fixed number of calls per
repeat, the minimum over the repeats.  Rows that launch or copy synchronise
the stream between repeats, outside the timed loop.

    python bench/calls.py [--scale F] [--json] [--cimport BUILD_DIR]

With --cimport, the rows are the same calls made from Cython through
`cimport` (bench/cython/cimport_calls.pyx, built in BUILD_DIR against the
same package): the loop runs in C, so the figure is the call alone.

Every row is called once first and its CUDA status checked, so a row can
never time an error path.  Rows whose setup fails (no GPU, no driver) are
reported as unavailable with the reason.
"""
import argparse
import ctypes
import json
import sys
import timeit

import bench_common as common

# (row, statement, calls per repeat, what it needs)
ROWS = [
    ("cuCtxGetCurrent", "f()", 200_000, "gpu"),
    ("cuDeviceGetAttribute", "f(attr, dev)", 200_000, "gpu"),
    ("cuDeviceGet", "f(0)", 200_000, "gpu"),
    ("cuStreamQuery", "f(stream)", 20_000, "gpu"),
    ("cuEventRecord", "f(event, stream)", 20_000, "gpu"),
    ("cuPointerGetAttribute", "f(ptr_attr, dptr)", 100_000, "gpu"),
    ("cuMemcpyHtoDAsync 256 B", "f(dptr, hptr, 256, stream)", 5_000, "gpu"),
    ("cuLaunchKernel no args", "f(empty, 1, 1, 1, 1, 1, 1, 0, stream, None, 0)", 5_000, "gpu"),
    ("cuLaunchKernel (values, types)", "f(k3, 1, 1, 1, 1, 1, 1, 0, stream, args, 0)", 5_000, "gpu"),
    ("cuLaunchKernel int void**", "f(k3, 1, 1, 1, 1, 1, 1, 0, stream, argv, 0)", 5_000, "gpu"),
    ("cuGetErrorString", "f(err)", 200_000, "driver"),
    ("CUstream(0)", "f(0)", 200_000, ""),
    ("cudaGetDevice", "f()", 200_000, "gpu"),
    ("cudaStreamQuery", "f(rstream)", 20_000, "gpu"),
    ("cudaMemcpyAsync 256 B", "f(dptr_int, hptr, 256, h2d, rstream)", 5_000, "gpu"),
    ("nvrtcVersion", "f()", 200_000, "nvrtc"),
]

REPEATS = 7

# The Cython rows: row -> arguments of its cimport_calls function (names
# of setup objects, passed as ints).  The function is the row's first word.
CIMPORT = {
    "cuCtxGetCurrent": (),
    "cuDeviceGetAttribute": ("dev",),
    "cuDeviceGet": (),
    "cuStreamQuery": ("stream",),
    "cuEventRecord": ("event", "stream"),
    "cuPointerGetAttribute": ("dptr",),
    "cuMemcpyHtoDAsync 256 B": ("dptr", "hptr", "stream"),
    "cuLaunchKernel no args": ("empty", "stream", None),
    "cuLaunchKernel int void**": ("k3", "stream", "argv"),
    "cuGetErrorString": (),
    "cudaGetDevice": (),
    "cudaStreamQuery": ("rstream",),
    "cudaMemcpyAsync 256 B": ("dptr", "hptr", "rstream"),
    "nvrtcVersion": (),
}

KERNELS = rb"""
extern "C" __global__ void empty() {}
extern "C" __global__ void k3(float *p, int n, float a)
{
    if (n < 0)
        p[threadIdx.x] = a;
}
"""


def reason(exc):
    return ("%s: %s" % (type(exc).__name__, exc))[:100]


def status_ok(result):
    """A call's CUDA status is success (tuple-style or a bare status)."""
    status = result[0] if isinstance(result, tuple) else result
    return int(status) == 0


class Setup:
    """The objects the rows use, made with the bindings under test."""

    def __init__(self):
        from cuda.bindings import driver, nvrtc, runtime
        self.driver, self.runtime, self.nvrtc = driver, runtime, nvrtc
        self.ns = {"f": None}
        self.errors = {}
        self.ns["err"] = driver.CUresult.CUDA_ERROR_INVALID_VALUE
        self.gpu()

    def check(self, what, result):
        if not status_ok(result):
            raise RuntimeError("%s failed: %r" % (what, result))
        return result[1] if isinstance(result, tuple) and len(result) == 2 else result

    def gpu(self):
        d, r = self.driver, self.runtime
        try:
            self.check("cuInit", d.cuInit(0))
            dev = self.check("cuDeviceGet", d.cuDeviceGet(0))
        except Exception as e:  # no driver or no device: the gpu rows say why
            self.errors["gpu"] = reason(e)
            return
        ctx = self.check("cuDevicePrimaryCtxRetain", d.cuDevicePrimaryCtxRetain(dev))
        self.check("cuCtxSetCurrent", d.cuCtxSetCurrent(ctx))
        major = self.check("cc", d.cuDeviceGetAttribute(
            d.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev))
        minor = self.check("cc", d.cuDeviceGetAttribute(
            d.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev))
        module = self.check("cuModuleLoadData", d.cuModuleLoadData(self.cubin("sm_%d%d" % (major, minor))))
        dptr = self.check("cuMemAlloc", d.cuMemAlloc(256))
        hptr = self.check("cuMemAllocHost", d.cuMemAllocHost(256))
        # the void*[] of k3's arguments, as a C caller builds it
        self.argv_keep = [ctypes.c_void_p(int(dptr)), ctypes.c_int(3), ctypes.c_float(1.5)]
        self.argv_array = (ctypes.c_void_p * 3)(*[ctypes.addressof(v) for v in self.argv_keep])
        self.ns.update(
            dev=dev,
            attr=d.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
            stream=self.check("cuStreamCreate", d.cuStreamCreate(0)),
            event=self.check("cuEventCreate", d.cuEventCreate(d.CUevent_flags.CU_EVENT_DISABLE_TIMING)),
            ptr_attr=d.CUpointer_attribute.CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
            dptr=dptr, dptr_int=int(dptr), hptr=hptr,
            empty=self.check("cuModuleGetFunction", d.cuModuleGetFunction(module, b"empty")),
            k3=self.check("cuModuleGetFunction", d.cuModuleGetFunction(module, b"k3")),
            args=((int(dptr), 3, 1.5), (ctypes.c_void_p, ctypes.c_int, ctypes.c_float)),
            argv=ctypes.addressof(self.argv_array),
            rstream=self.check("cudaStreamCreate", r.cudaStreamCreate()),
            h2d=r.cudaMemcpyKind.cudaMemcpyHostToDevice,
        )

    def cubin(self, arch):
        n = self.nvrtc
        prog = self.check("nvrtcCreateProgram", n.nvrtcCreateProgram(KERNELS, b"bench.cu", 0, [], []))
        self.check("nvrtcCompileProgram", n.nvrtcCompileProgram(prog, 1, [b"--gpu-architecture=" + arch.encode()]))
        size = self.check("nvrtcGetCUBINSize", n.nvrtcGetCUBINSize(prog))
        image = bytearray(size)
        self.check("nvrtcGetCUBIN", n.nvrtcGetCUBIN(prog, image))
        n.nvrtcDestroyProgram(prog)
        return bytes(image)

    def function(self, row):
        d, r = self.driver, self.runtime
        name = row.split()[0]
        if name == "CUstream(0)":
            return d.CUstream
        for module in (d, r, self.nvrtc):
            if hasattr(module, name):
                return getattr(module, name)
        raise LookupError(name)

    def sync(self):
        if "stream" in self.ns:
            self.check("cuStreamSynchronize", self.driver.cuStreamSynchronize(self.ns["stream"]))
            self.check("cudaStreamSynchronize", self.runtime.cudaStreamSynchronize(self.ns["rstream"]))


def best_of(setup, repeats, measure):
    """The least of `repeats` measurements, the stream drained before each."""
    best = float("inf")
    for _ in range(repeats):
        setup.sync()
        best = min(best, measure())
    setup.sync()
    return best


def time_row(setup, row, stmt, number, repeats):
    ns = dict(setup.ns, f=setup.function(row))
    names = sorted(n for n in ns if n in stmt.replace("(", " ").replace(",", " ").replace(")", " ").split())
    first = eval(stmt, {}, ns)
    if row != "CUstream(0)" and not status_ok(first):
        raise RuntimeError("%s returned %r" % (row, first))
    # the objects are locals of the timed loop, as in a user's function
    timer = timeit.Timer(stmt, "; ".join("%s = ns[%r]" % (n, n) for n in names) or "pass", globals={"ns": ns})
    return best_of(setup, repeats, lambda: timer.timeit(number) / number * 1e9)


def time_cimport_row(setup, module, row, number, repeats):
    fn = getattr(module, row.split()[0])
    # a handle's C value: int() works on ours and NVIDIA's
    args = [0 if a is None else int(setup.ns[a]) for a in CIMPORT[row]]
    return best_of(setup, repeats, lambda: fn(number, *args) / number)


def run(scale=1.0, repeats=REPEATS, cimport=None):
    setup = Setup()
    rows = {}
    if cimport is not None:
        sys.path.insert(0, cimport)
        import cimport_calls as module
    for row, stmt, number, needs in ROWS:
        if needs == "gpu" and "gpu" in setup.errors:
            rows[row] = {"unavailable": setup.errors["gpu"]}
            continue
        number = max(1, int(number * scale))
        try:
            if cimport is None:
                rows[row] = {"ns": time_row(setup, row, stmt, number, repeats)}
            elif row in CIMPORT:
                rows[row] = {"ns": time_cimport_row(setup, module, row, number, repeats)}
        except Exception as e:
            if needs == "gpu" or needs == "driver" and "gpu" not in setup.errors:
                raise  # with a GPU every row must work
            rows[row] = {"unavailable": reason(e)}
    return {"impl": common.describe_bindings(), "rows": rows}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every row's calls per repeat")
    ap.add_argument("--repeats", type=int, default=REPEATS)
    ap.add_argument("--json", action="store_true", help="print JSON (for the runner)")
    ap.add_argument("--cimport", metavar="BUILD_DIR", help="time the Cython rows built in BUILD_DIR")
    args = ap.parse_args()
    common.pin_to_one_cpu()
    result = run(args.scale, args.repeats, args.cimport)
    if args.json:
        json.dump(result, sys.stdout)
        return
    print(result["impl"])
    for row, v in result["rows"].items():
        print("%-32s %s" % (row, "%9.1f ns" % v["ns"] if "ns" in v else "unavailable: " + v["unavailable"]))


if __name__ == "__main__":
    main()
