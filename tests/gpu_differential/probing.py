"""What the differential probes print: values as both packages give them
the same way (addresses as zero or not), and each call's result or the
type of what it raised."""
import enum


def render(x):
    if isinstance(x, enum.Enum) or hasattr(type(x), "__members__"):
        return repr(x)
    if x is None or type(x) in (bool, float, bytes, str):
        return "%s:%r" % (type(x).__name__, x)
    if type(x) is int:
        return "int:%d" % x if abs(x) < 1 << 20 else "int:big"   # big ints are addresses
    if isinstance(x, (list, tuple)):
        return "%s[%s]" % (type(x).__name__, ", ".join(render(i) for i in x))
    if hasattr(x, "getPtr") and hasattr(x, "__int__"):
        return "<%s %s>" % (type(x).__name__, "nonzero" if int(x) else "0")
    return "<%s>" % type(x).__name__


def make_show(render, runtime_note=False):
    """show(label, f, *args): f's result as `render` writes it, or the type of
    what it raised (and whether that is a RuntimeError, with runtime_note)."""
    def show(label, f, *a, **k):
        try:
            r = f(*a, **k)
            print(label, "->", render(r))
            return r
        except BaseException as e:
            print(label, "RAISES", type(e).__name__,
                  *(["(a RuntimeError)" if isinstance(e, RuntimeError) else ""] if runtime_note else []))
            return None
    return show


show = make_show(render)


def value(r):
    """The one output of a (status, output) result, or None."""
    return r[1] if isinstance(r, tuple) and len(r) == 2 else None


def context_and_cubin(source, filename):
    """The primary context of device 0 made current, and `source` compiled
    by NVRTC to a cubin for it: (device, context, cubin bytes)."""
    from cuda.bindings import driver as cu, nvrtc
    print(cu.cuInit(0))
    err, dev = cu.cuDeviceGet(0)
    err, ctx = cu.cuDevicePrimaryCtxRetain(dev)
    show("cuCtxSetCurrent", cu.cuCtxSetCurrent, ctx)
    cc = [value(cu.cuDeviceGetAttribute(getattr(cu.CUdevice_attribute, "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_" + m),
                                        dev)) for m in ("MAJOR", "MINOR")]
    err, prog = nvrtc.nvrtcCreateProgram(source, filename, 0, [], [])
    print("compile", nvrtc.nvrtcCompileProgram(prog, 1, [b"--gpu-architecture=sm_%d%d" % tuple(cc)]))
    cubin = bytearray(value(nvrtc.nvrtcGetCUBINSize(prog)))
    nvrtc.nvrtcGetCUBIN(prog, cubin)
    return dev, ctx, bytes(cubin)
