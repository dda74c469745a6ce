"""Self-check: versions, libraries found, devices, an NVRTC compile and an
nvJitLink link, and, when a GPU is there, a kernel run with its result checked.
NVVM and nvFatbin are reported when installed; their absence is no failure.

Exit status 0 when everything present works (no GPU is not an error), 1 when
something present fails, with the reason printed.
"""
import os
import sys

import cuda.bindings

KERNEL = rb"""
extern "C" __global__ void vadd(const float *a, const float *b, float *c, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        c[i] = a[i] + b[i];
}
"""


class Check:
    def __init__(self, out):
        self.out = out
        self.failures = []

    def line(self, label, text):
        print("%-12s %s" % (label + ":", text), file=self.out)

    def fail(self, label, text):
        self.failures.append("%s: %s" % (label, text))
        self.line(label, "FAILED: " + text)


def cuda_headers():
    """The release bound and where its headers came from (one wheel or toolkit each)."""
    from cuda.bindings import _version, driver
    v = driver.CUDA_VERSION
    origins = dict.fromkeys(o for text in _version._headers_from.values() for o in text.split(", "))
    return "CUDA %d.%d (CUDA_VERSION %d) from %s" % (v // 1000, v % 1000 // 10, v, ", ".join(origins))


def driver_info():
    """Where the driver is (or why not), its version, stub or not, devices.

    {'name', 'path', 'error', 'version', 'stub', 'init_code', 'init', 'devices'}:
    path None when libcuda.so.1 was not found (error says where it looked)."""
    from cuda.bindings import cydriver, driver
    info = cydriver._library_info()
    if info["path"] is None:
        return info
    try:
        err_v, version = driver.cuDriverGetVersion()
        err_i, = driver.cuInit(0)
    except RuntimeError:   # FunctionNotFoundError: nothing resolves (the toolkit's stub driver)
        import ctypes      # so ask the library's own cuInit what it is
        err_v, version = None, None
        err_i = driver.CUresult(ctypes.CDLL(info["path"]).cuInit(0))
    devices = []
    if err_i == driver.CUresult.CUDA_SUCCESS:
        err, count = driver.cuDeviceGetCount()
        for i in range(count or 0):
            err, dev = driver.cuDeviceGet(i)
            err, name = driver.cuDeviceGetName(256, dev)
            devices.append(name.decode(errors="replace") if name else "?")
    stub = driver.CUresult.CUDA_ERROR_STUB_LIBRARY in (err_v, err_i)
    info.update(version=version, stub=stub, init_code=int(err_i), devices=devices,
                init=getattr(err_i, "name", str(int(err_i))))
    return info


def run_vector_add(cubin, n):
    """c = a + b on device 0 with the cubin's vadd(a, b, c, n); the largest error."""
    import ctypes
    from cuda.bindings import driver

    def ok(result):
        err, *rest = result
        if err != driver.CUresult.CUDA_SUCCESS:
            raise RuntimeError("%s failed: %r" % (ok.what, err))
        return rest[0] if rest else None
    ok.what = "cuInit"
    ok(driver.cuInit(0))
    ok.what = "context"
    dev = ok(driver.cuDeviceGet(0))
    ctx = ok(driver.cuDevicePrimaryCtxRetain(dev))
    ok(driver.cuCtxSetCurrent(ctx))
    ok.what = "module"
    module = ok(driver.cuModuleLoadData(cubin))
    func = ok(driver.cuModuleGetFunction(module, b"vadd"))
    a = (ctypes.c_float * n)(*range(n))
    b = (ctypes.c_float * n)(*(0.5 * i for i in range(n)))
    c = (ctypes.c_float * n)()
    ok.what = "memory"
    buffers = [ok(driver.cuMemAlloc(4 * n)) for _ in range(3)]
    try:
        ok(driver.cuMemcpyHtoD(buffers[0], a, 4 * n))
        ok(driver.cuMemcpyHtoD(buffers[1], b, 4 * n))
        ok.what = "launch"
        args = (tuple(buffers) + (n,), (None, None, None, ctypes.c_int))
        ok(driver.cuLaunchKernel(func, (n + 255) // 256, 1, 1, 256, 1, 1, 0, None, args, 0))
        ok(driver.cuMemcpyDtoH(c, buffers[2], 4 * n))
    finally:
        for d in buffers:
            driver.cuMemFree(d)
        driver.cuModuleUnload(module)
        driver.cuDevicePrimaryCtxRelease(dev)
    return max(abs(c[i] - (a[i] + b[i])) for i in range(n))


def library(check, label, core_module, version, optional=False):
    """Report where a library is and its version; True when usable.  An
    optional library that is not installed is reported, not a failure."""
    try:
        info = core_module._library_info()
    except Exception as e:  # noqa: BLE001 - reported, not raised
        check.fail(label, repr(e))
        return False
    if info["path"] is None:
        if optional:
            check.line(label, "not installed (optional; tried %s)" % info["error"][:300])
        else:
            check.fail(label, "not found (tried %s)" % info["error"])
        return False
    try:
        ver = version()
    except Exception as e:  # noqa: BLE001
        check.fail(label, "%s: version query failed: %r" % (info["path"], e))
        return False
    check.line(label, "%s at %s" % (ver, info["path"]))
    return True


def nvrtc_version():
    from cuda.bindings import nvrtc
    err, major, minor = nvrtc.nvrtcVersion()
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        raise RuntimeError(err)
    return "%d.%d" % (major, minor)


def nvjitlink_version():
    from cuda.bindings import nvjitlink
    return "%d.%d" % nvjitlink.version()


def nvvm_version():
    from cuda.bindings import nvvm
    return "%d.%d (NVVM IR %d.%d)" % (nvvm.version() + nvvm.ir_version()[:2])


def nvfatbin_version():
    from cuda.bindings import nvfatbin
    return "%d.%d" % nvfatbin.version()


def nvml_version():
    """NVML (it comes with the driver): its version, the driver's, and the devices it sees."""
    from cuda.bindings import nvml
    nvml.init_v2()
    try:
        count = nvml.device_get_count_v2()
        names = [nvml.device_get_name(nvml.device_get_handle_by_index_v2(i)) for i in range(min(count, 8))]
        more = " and %d more" % (count - len(names)) if count > len(names) else ""
        return "NVML %s, driver %s, devices: %s%s" % (nvml.system_get_nvml_version(), nvml.system_get_driver_version(),
                                                      ", ".join(names) or "none", more)
    finally:
        nvml.shutdown()


def cufile_version():
    """cuFile's version; no driver opened (that needs a GPU and may wait on nvidia-fs)."""
    from cuda.bindings import cufile
    v = cufile.get_version()
    return "cuFile %d.%d" % (v // 1000, v % 1000 // 10)


def cudla_version():
    """cuDLA's version number, as cudlaGetVersion gives it (aarch64 boards only)."""
    from cuda.bindings import cudla
    return "cuDLA version %d" % cudla.get_version()


def compile_kernel(arch, lto):
    """NVRTC: KERNEL -> (PTX or LTO-IR bytes)."""
    from cuda.bindings import nvrtc
    ok = nvrtc.nvrtcResult.NVRTC_SUCCESS
    err, prog = nvrtc.nvrtcCreateProgram(KERNEL, b"vadd.cu", 0, [], [])
    if err != ok:
        raise RuntimeError("nvrtcCreateProgram: %s" % err)
    try:
        opts = [b"-arch=" + arch.encode()] + ([b"-dlto"] if lto else [])
        err, = nvrtc.nvrtcCompileProgram(prog, len(opts), opts)
        if err != ok:
            _, size = nvrtc.nvrtcGetProgramLogSize(prog)
            log = bytearray(size)
            nvrtc.nvrtcGetProgramLog(prog, log)
            raise RuntimeError("nvrtcCompileProgram: %s\n%s" % (err, log.rstrip(b"\0").decode()))
        get_size, get = ((nvrtc.nvrtcGetLTOIRSize, nvrtc.nvrtcGetLTOIR) if lto
                         else (nvrtc.nvrtcGetPTXSize, nvrtc.nvrtcGetPTX))
        err, size = get_size(prog)
        buf = bytearray(size)
        err, = get(prog, buf)
        if err != ok:
            raise RuntimeError("%s: %s" % (get.__name__, err))
        return bytes(buf)
    finally:
        nvrtc.nvrtcDestroyProgram(prog)


def link(image, input_type, arch):
    """nvJitLink: PTX or LTO-IR -> cubin."""
    from cuda.bindings import nvjitlink
    opts = ["-arch=" + arch] + (["-lto"] if input_type == nvjitlink.InputType.LTOIR else [])
    handle = nvjitlink.create(len(opts), opts)
    try:
        nvjitlink.add_data(handle, input_type, image, len(image), "vadd")
        nvjitlink.complete(handle)
        cubin = bytearray(nvjitlink.get_linked_cubin_size(handle))
        nvjitlink.get_linked_cubin(handle, cubin)
        return bytes(cubin)
    finally:
        nvjitlink.destroy(handle)


def runtime_line(check, have_gpu):
    """The runtime is linked in: report its version, and with a GPU that it
    sees the devices the driver does."""
    try:
        from cuda.bindings import runtime
        err, v = runtime.cudaRuntimeGetVersion()
        text = "CUDA %d.%d (linked in, libcudart_static)" % (v // 1000, v % 1000 // 10)
        if have_gpu:
            err, n = runtime.cudaGetDeviceCount()
            text += "; cudaGetDeviceCount: %s" % (n if err == runtime.cudaError_t.cudaSuccess else err.name)
            if err != runtime.cudaError_t.cudaSuccess:
                check.fail("runtime", text)
                return
        check.line("runtime", text)
    except Exception as e:  # noqa: BLE001 - reported, not raised
        check.fail("runtime", repr(e))


def main(out=sys.stdout):
    check = Check(out)
    check.line("cuda.bindings", "%s (C core) at %s" % (cuda.bindings.__version__,
                                                      os.path.dirname(cuda.bindings.__file__)))
    check.line("python", sys.version.split()[0])
    check.line("headers", cuda_headers())

    # Driver: absent is fine (no GPU); a stub is reported as such.
    devices = []
    arch = "sm_90"
    try:
        drv = driver_info()
    except Exception as e:  # noqa: BLE001
        check.fail("driver", repr(e))
        drv = {"path": None, "error": repr(e)}
    if drv["path"] is None:
        check.line("driver", "none (no GPU driver: libcuda.so.1 not found; tried %s)" % drv["error"])
    elif drv.get("stub"):
        check.line("driver", "STUB library at %s: this is the toolkit's link stub, not a driver; "
                             "GPU calls return CUDA_ERROR_STUB_LIBRARY" % drv["path"])
    else:
        v = drv.get("version")
        check.line("driver", "CUDA %s at %s (cuInit: %s)" % (
            "%d.%d" % (v // 1000, v % 1000 // 10) if v else "?", drv["path"], drv["init"]))
        devices = drv.get("devices", [])
        for i, name in enumerate(devices):
            check.line("device %d" % i, name)
        if not devices:
            check.line("devices", "none")

    runtime_line(check, bool(devices))

    from cuda.bindings import cynvjitlink, cynvrtc
    have_nvrtc = library(check, "nvrtc", cynvrtc, nvrtc_version)
    have_jit = library(check, "nvjitlink", cynvjitlink, nvjitlink_version)
    from cuda.bindings import cynvfatbin, cynvvm
    library(check, "nvvm", cynvvm, nvvm_version, optional=True)
    library(check, "nvfatbin", cynvfatbin, nvfatbin_version, optional=True)
    from cuda.bindings import cynvml
    library(check, "nvml", cynvml, nvml_version, optional=True)
    if sys.platform.startswith("linux"):
        from cuda.bindings import cycufile
        library(check, "cufile", cycufile, cufile_version, optional=True)
    try:   # a -Dheaders=toolkit build of another release has no cuDLA
        from cuda.bindings import cycudla
    except ImportError:
        check.line("cudla", "not built (no cudla.h of the release bound)")
    else:
        library(check, "cudla", cycudla, cudla_version, optional=True)

    cubins = {}
    if have_nvrtc:
        try:
            ptx = compile_kernel(arch, lto=False)
            check.line("compile", "NVRTC compiled vadd to %d bytes of PTX for %s" % (len(ptx), arch))
            ltoir = compile_kernel(arch, lto=True)
            check.line("compile", "NVRTC compiled vadd to %d bytes of LTO-IR for %s" % (len(ltoir), arch))
        except Exception as e:  # noqa: BLE001
            check.fail("compile", str(e))
            have_nvrtc = False
    if have_nvrtc and have_jit:
        from cuda.bindings import nvjitlink
        try:
            cubins["ptx"] = link(ptx, nvjitlink.InputType.PTX, arch)
            cubins["lto"] = link(ltoir, nvjitlink.InputType.LTOIR, arch)
            check.line("link", "nvJitLink linked PTX -> %d-byte cubin, LTO-IR -> %d-byte cubin" % (
                len(cubins["ptx"]), len(cubins["lto"])))
        except Exception as e:  # noqa: BLE001
            check.fail("link", str(e))

    if devices and cubins:
        for kind, cubin in sorted(cubins.items()):
            try:
                err = run_vector_add(cubin, 1 << 20)
            except Exception as e:  # noqa: BLE001
                check.fail("kernel", "%s cubin: %s" % (kind, e))
                continue
            if err == 0.0:
                check.line("kernel", "vadd (%s cubin) on device 0: 1048576 sums checked, all exact" % kind)
            else:
                check.fail("kernel", "vadd (%s cubin) wrong by up to %g" % (kind, err))
    elif not devices:
        check.line("kernel", "skipped (no GPU)")

    if check.failures:
        print("\nself-check FAILED:\n  " + "\n  ".join(check.failures), file=out)
        return 1
    print("\nself-check passed", file=out)
    return 0
