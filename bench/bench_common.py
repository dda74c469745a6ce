"""What the benchmark scripts share: which bindings run, CPU pinning, and
building the C floor."""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
CUDA_HOME = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"


def import_child(statement):
    """Code for a fresh interpreter that times `statement` (an import) and its
    resident-set growth, and says whether numpy came with it: one JSON line."""
    return r"""
import json, os, sys, time
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
r0 = rss()
t0 = time.perf_counter()
%s
t1 = time.perf_counter()
print(json.dumps({"ms": (t1 - t0) * 1e3, "rss_mb": (rss() - r0) / 2**20, "numpy": "numpy" in sys.modules}))
""" % statement


def describe_bindings():
    """Where cuda.bindings comes from and whose it is."""
    import cuda.bindings
    path = os.path.dirname(cuda.bindings.__file__)
    # NVIDIA's package ships its loader helpers under _internal; ours has a C core
    ours = os.path.exists(os.path.join(path, "include", "cuda_bindings"))
    return {"name": "ours" if ours else "nvidia", "version": cuda.bindings.__version__, "path": path}


def pin_to_one_cpu():
    """Run on one CPU (BENCH_CPU, else the last one allowed), so that the
    timings of every process the runner starts come from the same core."""
    if not hasattr(os, "sched_setaffinity"):
        return
    allowed = sorted(os.sched_getaffinity(0))
    cpu = int(os.environ.get("BENCH_CPU", allowed[-1]))
    if cpu in allowed:
        os.sched_setaffinity(0, {cpu})


def build_floor(work, cflags=()):
    """Build the C floor in `work`: the standalone program (floor.c) and the
    library of its rows that calls.py --floor loads.  Returns both paths."""
    cc = os.environ.get("CC", "cc")
    lib = os.path.join(CUDA_HOME, "lib64")
    # cudart linked in statically, as the C program has it; its symbols kept
    # inside the library so that no other copy of cudart in the process binds them
    link = ["-I", os.path.join(CUDA_HOME, "include"), "-L", lib, "-L", os.path.join(lib, "stubs"),
            "-lcudart_static", "-lnvrtc", "-lcuda", "-ldl", "-lpthread", "-lrt", "-Wl,-rpath," + lib]
    rows = os.path.join(HERE, "floor_rows.c")
    program, library = os.path.join(work, "floor"), os.path.join(work, "libfloor_rows.so")
    for cmd in ([cc, "-O2", *cflags, os.path.join(HERE, "floor.c"), rows, *link, "-o", program],
                [cc, "-O2", *cflags, "-shared", "-fPIC", rows, *link, "-Wl,--exclude-libs,ALL", "-o", library]):
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("%s failed:\n%s" % (" ".join(cmd), out.stderr))
    return program, library
