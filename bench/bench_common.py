"""What the benchmark scripts share: which bindings run, and CPU pinning."""
import os


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
