"""Per-call cost of cuda.bindings functions from Python, in ns per call.

Runs against whichever cuda.bindings the interpreter imports (ours or
NVIDIA's: the calls are spelled the same), so the runner can time both the
same way.  Each row is a statement timed timeit-style: the callable and its
arguments are locals of the timing loop, a fixed number of calls per
repeat, the minimum over the repeats.  Rows that launch or copy synchronise
the stream between repeats, outside the timed loop.

    python bench/calls.py [--scale F] [--json] [--cimport BUILD_DIR] [--floor LIB]

With --cimport, each row also times the same call made from Cython through
`cimport` (bench/cython/cimport_calls.pyx, built in BUILD_DIR against the
same package): the loop runs in C, so the figure is the call alone.  With
--floor, each row also times the call made straight from C (the rows of
bench/floor_rows.c built as a shared library, loaded with ctypes).  The
Python, Cython and C repeats of a row alternate in this one process, on the
same stream and memory, so the three are compared under the same
conditions.  The reference rows time Python calling builtins that do next
to nothing: the cost of any call from Python on this machine.

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

# Calls per repeat of the rows that queue work on the GPU (copies and
# launches): few enough that the stream's queue never fills, so a repeat
# times the calls themselves.  With thousands per repeat the queue fills, each
# call waits for the GPU, and that wait hides the caller's own cost (NVIDIA's
# copy rows then came out within a few ns of C, or below it).
QUEUED = 256

# (row, statement, calls per repeat, what it needs)
ROWS = [
    ("cuCtxGetCurrent", "f()", 200_000, "gpu"),
    ("cuDeviceGetAttribute", "f(attr, dev)", 200_000, "gpu"),
    ("cuDeviceGet", "f(0)", 200_000, "gpu"),
    ("cuStreamQuery", "f(stream)", 20_000, "gpu"),
    ("cuEventRecord", "f(event, stream)", 20_000, "gpu"),
    ("cuPointerGetAttribute", "f(ptr_attr, dptr)", 100_000, "gpu"),
    ("cuMemcpyHtoDAsync 256 B", "f(dptr, hptr, 256, stream)", QUEUED, "gpu"),
    ("cuLaunchKernel no args", "f(empty, 1, 1, 1, 1, 1, 1, 0, stream, None, 0)", QUEUED, "gpu"),
    ("cuLaunchKernel (values, types)", "f(k3, 1, 1, 1, 1, 1, 1, 0, stream, args, 0)", QUEUED, "gpu"),
    ("cuLaunchKernel int void**", "f(k3, 1, 1, 1, 1, 1, 1, 0, stream, argv, 0)", QUEUED, "gpu"),
    ("cuGetErrorString", "f(err)", 200_000, "driver"),
    ("CUstream(0)", "f(0)", 200_000, ""),
    ("cudaGetDevice", "f()", 200_000, "gpu"),
    ("cudaStreamQuery", "f(rstream)", 20_000, "gpu"),
    ("cudaMemcpyAsync 256 B", "f(dptr_int, hptr, 256, h2d, rstream)", QUEUED, "gpu"),
    ("nvrtcVersion", "f()", 200_000, "nvrtc"),
]

# Python's own call cost, for comparison: (row, statement, calls per repeat)
REFERENCE_ROWS = [
    ("builtin method, no arguments: (7).bit_length()", "bit_length()", 200_000),
    ("builtin function, one argument: abs(-1)", "abs_(minus_one)", 200_000),
    ("type call: object()", "object_()", 200_000),
    # the same C function through ctypes, releasing the GIL and keeping it:
    # the difference is what releasing and retaking the GIL costs a call
    ("ctypes call releasing the GIL: CDLL abs(-1)", "cdll_abs(minus_one)", 100_000),
    ("ctypes call keeping the GIL: PyDLL abs(-1)", "pydll_abs(minus_one)", 100_000),
]

REPEATS = 7

# The Cython and C rows: row -> arguments of its cimport_calls function
# and floor_rows.c function (names of setup objects, passed as ints).  The
# function is the row's first word.
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
# C has one way to pass kernel arguments, the void*[] of the int void** row
FLOOR = dict(CIMPORT, **{"cuLaunchKernel (values, types)": CIMPORT["cuLaunchKernel int void**"]})

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
        self.ns = {"f": None, "bit_length": (7).bit_length, "abs_": abs, "minus_one": -1, "object_": object,
                   "cdll_abs": ctypes.CDLL(None).abs, "pydll_abs": ctypes.PyDLL(None).abs}
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


def best_of(setup, repeats, measures):
    """Each measure's least of `repeats` runs, the runs of the measures
    taking turns and the streams drained before each."""
    best = [float("inf")] * len(measures)
    for _ in range(repeats):
        for i, measure in enumerate(measures):
            setup.sync()
            best[i] = min(best[i], measure())
    setup.sync()
    return best


def python_measure(setup, row, stmt, number, f=None, check=True):
    ns = dict(setup.ns, f=f)
    names = sorted(n for n in ns if n in stmt.replace("(", " ").replace(",", " ").replace(")", " ").split())
    first = eval(stmt, {}, ns)
    if check and not status_ok(first):
        raise RuntimeError("%s returned %r" % (row, first))
    # the objects are locals of the timed loop, as in a user's function
    timer = timeit.Timer(stmt, "; ".join("%s = ns[%r]" % (n, n) for n in names) or "pass", globals={"ns": ns})
    return lambda: timer.timeit(number) / number * 1e9


def native_measure(setup, fn, arg_names, number):
    """A Cython or C row: fn(n, *handles) makes n calls, returns elapsed ns."""
    # a handle's C value: int() works on ours and NVIDIA's
    args = [0 if a is None else int(setup.ns[a]) for a in arg_names]

    def measure():
        elapsed = fn(number, *args)
        if elapsed < 0:
            raise RuntimeError("a call in the C loop failed")
        return elapsed / number
    return measure


def load_floor(path):
    """The C rows (bench/floor_rows.c as a shared library) by row."""
    lib = ctypes.CDLL(path)
    rows = {}
    for row, arg_names in FLOOR.items():
        fn = getattr(lib, "floor_" + row.split()[0])
        fn.restype = ctypes.c_double
        fn.argtypes = [ctypes.c_long] + [ctypes.c_int if a == "dev" else ctypes.c_uint64 for a in arg_names]
        rows[row] = fn
    return rows


def row_repeats(number, repeats):
    """Rows of few calls per repeat get more repeats, about as many calls in all."""
    return repeats * max(1, 1024 // number)


def time_row(setup, row, stmt, number, repeats, cython=None, floor=None):
    """{"ns": Python[, "cimport_ns": Cython][, "c_ns": C]} for one row."""
    keys = ["ns"]
    measures = [python_measure(setup, row, stmt, number, setup.function(row), check=row != "CUstream(0)")]
    if cython is not None and row in CIMPORT:
        keys.append("cimport_ns")
        measures.append(native_measure(setup, getattr(cython, row.split()[0]), CIMPORT[row], number))
    if floor is not None and row in FLOOR:
        keys.append("c_ns")
        measures.append(native_measure(setup, floor[row], FLOOR[row], number))
    return dict(zip(keys, best_of(setup, row_repeats(number, repeats), measures)))


def run(scale=1.0, repeats=REPEATS, cimport=None, floor=None):
    setup = Setup()
    rows, reference = {}, {}
    cython = None
    if cimport is not None:
        sys.path.insert(0, cimport)
        import cimport_calls as cython
    floor_rows = floor_error = None
    if floor is not None:
        try:
            floor_rows = load_floor(floor)
        except OSError as e:  # no libcuda.so.1 to load it with
            if "gpu" not in setup.errors:
                raise
            floor_error = reason(e)
    for row, stmt, number, needs in ROWS:
        if needs == "gpu" and "gpu" in setup.errors:
            rows[row] = {"unavailable": setup.errors["gpu"]}
            continue
        number = max(1, int(number * scale))
        try:
            rows[row] = time_row(setup, row, stmt, number, repeats, cython, floor_rows)
        except Exception as e:
            if needs == "gpu" or needs == "driver" and "gpu" not in setup.errors:
                raise  # with a GPU every row must work
            rows[row] = {"unavailable": reason(e)}
    for row, stmt, number in REFERENCE_ROWS:
        measure = python_measure(setup, row, stmt, max(1, int(number * scale)), check=False)
        reference[row] = {"ns": best_of(setup, repeats, [measure])[0]}
    result = {"impl": common.describe_bindings(), "rows": rows, "reference": reference}
    if floor_error is not None:
        result["floor_unavailable"] = floor_error
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every row's calls per repeat")
    ap.add_argument("--repeats", type=int, default=REPEATS)
    ap.add_argument("--json", action="store_true", help="print JSON (for the runner)")
    ap.add_argument("--cimport", metavar="BUILD_DIR", help="also time the Cython rows built in BUILD_DIR")
    ap.add_argument("--floor", metavar="LIB", help="also time the C rows of this floor_rows library")
    args = ap.parse_args()
    common.pin_to_one_cpu()
    result = run(args.scale, args.repeats, args.cimport, args.floor)
    if args.json:
        json.dump(result, sys.stdout)
        return
    print(result["impl"])
    print("%-48s %11s %11s %11s" % ("ns per call", "Python", "Cython", "C"))
    for row, v in list(result["rows"].items()) + list(result["reference"].items()):
        if "unavailable" in v:
            print("%-48s unavailable: %s" % (row, v["unavailable"]))
            continue
        print("%-48s %s" % (row, " ".join("%11s" % ("%.1f" % v[k] if k in v else "")
                                            for k in ("ns", "cimport_ns", "c_ns"))))


if __name__ == "__main__":
    main()
