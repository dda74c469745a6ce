/* cuda.bindings._driver_probe: what the self-check asks of the driver.
 *
 * It goes through the same loader (csrc/cb_loader.c + cb_driver.c) that the
 * driver bindings use: libcuda.so.1 by soname, symbols via cuGetProcAddress.
 * It reports where the driver is, whether it is the toolkit's stub, its
 * version and devices, and runs a vector-add cubin to check a real launch.
 */
#include "cb_driver.h"

#include <cuda.h>
#include <string.h>

enum {
    S_cuInit, S_cuDriverGetVersion, S_cuDeviceGetCount, S_cuDeviceGet, S_cuDeviceGetName,
    S_cuGetErrorName, S_cuDevicePrimaryCtxRetain, S_cuDevicePrimaryCtxRelease, S_cuCtxPushCurrent,
    S_cuCtxPopCurrent, S_cuModuleLoadData, S_cuModuleUnload, S_cuModuleGetFunction, S_cuMemAlloc,
    S_cuMemFree, S_cuMemcpyHtoD, S_cuMemcpyDtoH, S_cuLaunchKernel, S_cuCtxSynchronize, NSYM
};

static const char *const symbols[] = {
    "cuInit", "cuDriverGetVersion", "cuDeviceGetCount", "cuDeviceGet", "cuDeviceGetName",
    "cuGetErrorName", "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease", "cuCtxPushCurrent",
    "cuCtxPopCurrent", "cuModuleLoadData", "cuModuleUnload", "cuModuleGetFunction", "cuMemAlloc",
    "cuMemFree", "cuMemcpyHtoD", "cuMemcpyDtoH", "cuLaunchKernel", "cuCtxSynchronize",
};

/* The ABI version of each symbol that matches the cuda.h prototype we call
 * (its PFN_<name>_v<N> typedef in cudaTypedefs.h).  Asking for CUDA_VERSION
 * instead would hand back newer ABIs: CUDA 13's cuCtxSynchronize takes a
 * context argument, for one. */
static const unsigned int versions[] = {
    2000, 2020, 2000, 2000, 2000,
    6000, 7000, 11000, 4000,
    4000, 2000, 2000, 2000, 3020,
    3020, 3020, 3020, 4000, 2000,
};
_Static_assert(sizeof versions / sizeof versions[0] == NSYM, "one version per symbol");

static _Atomic(void *) slots[NSYM];

static cb_library driver = {
    .display = "CUDA driver",
    .pathfinder = NULL,
    .sonames = cb_driver_sonames,
    .symbols = symbols,
    .versions = versions,
    .nsymbols = NSYM,
    .slots = slots,
    .resolve = cb_driver_resolve,
};

/* Look symbol `s` up into the function pointer at `f`; -1 with
 * RuntimeError set when the driver lacks it. */
static int
need(void *f, int s)
{
    void *p = cb_symbol(&driver, (size_t)s);
    if (p == NULL) {
        cb_report_missing(&driver, (size_t)s);
        return -1;
    }
    memcpy(f, &p, sizeof p);
    return 0;
}

/* The driver's name for a status; the stub driver answers even this with
 * CUDA_ERROR_STUB_LIBRARY, so unknown names come back as NULL. */
static const char *
error_name(CUresult rc)
{
    CUresult (*get)(CUresult, const char **) = NULL;
    void *p = cb_symbol(&driver, S_cuGetErrorName);
    memcpy(&get, &p, sizeof p);
    const char *name = NULL;
    if (get == NULL || get(rc, &name) != CUDA_SUCCESS)
        return NULL;
    return name;
}

static PyObject *
raise_cu(const char *what, CUresult rc)
{
    const char *name = error_name(rc);
    PyErr_Format(PyExc_RuntimeError, "%s failed: %s (%d)", what, name ? name : "CUresult", (int)rc);
    return NULL;
}

static PyObject *
probe_info(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    (void)module;
    PyObject *info = cb_library_info(&driver);
    if (info == NULL || atomic_load(&driver.handle) == NULL)
        return info;
    CUresult (*init)(unsigned int);
    CUresult (*version)(int *);
    CUresult (*count)(int *);
    CUresult (*get)(CUdevice *, int);
    CUresult (*name)(char *, int, CUdevice);
    if (need(&init, S_cuInit) < 0 || need(&version, S_cuDriverGetVersion) < 0 ||
        need(&count, S_cuDeviceGetCount) < 0 || need(&get, S_cuDeviceGet) < 0 ||
        need(&name, S_cuDeviceGetName) < 0) {
        Py_DECREF(info);
        return NULL;
    }
    int v = 0, n = 0;
    CUresult rv = version(&v);
    CUresult ri = init(0);
    CUresult rn = ri == CUDA_SUCCESS ? count(&n) : ri;
    PyObject *devices = PyList_New(0);
    for (int i = 0; devices != NULL && rn == CUDA_SUCCESS && i < n; i++) {
        CUdevice dev;
        char buf[256] = "";
        if (get(&dev, i) == CUDA_SUCCESS)
            name(buf, (int)sizeof buf, dev);
        PyObject *s = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)strlen(buf), "replace");
        if (s == NULL || PyList_Append(devices, s) < 0)
            Py_CLEAR(devices);
        Py_XDECREF(s);
    }
    if (devices == NULL) {
        Py_DECREF(info);
        return NULL;
    }
    int stub = rv == CUDA_ERROR_STUB_LIBRARY || ri == CUDA_ERROR_STUB_LIBRARY;
    PyObject *extra = Py_BuildValue("{s:N, s:O, s:i, s:z, s:N}", "version",
                                    rv == CUDA_SUCCESS ? PyLong_FromLong(v) : Py_NewRef(Py_None),
                                    "stub", stub ? Py_True : Py_False, "init_code", (int)ri,
                                    "init", error_name(ri), "devices", devices);
    if (extra == NULL || PyDict_Update(info, extra) < 0) {
        Py_XDECREF(extra);
        Py_DECREF(info);
        return NULL;
    }
    Py_DECREF(extra);
    return info;
}

/* run_vector_add(cubin, n): c = a + b on device 0 with kernel "vadd(const
 * float *a, const float *b, float *c, int n)"; returns the largest error. */
static PyObject *
probe_run_vector_add(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer image;
    int n;
    if (!PyArg_ParseTuple(args, "y*i:run_vector_add", &image, &n))
        return NULL;
    PyObject *result = NULL;
    CUresult (*init)(unsigned int);
    CUresult (*get)(CUdevice *, int);
    CUresult (*retain)(CUcontext *, CUdevice);
    CUresult (*release)(CUdevice);
    CUresult (*push)(CUcontext);
    CUresult (*pop)(CUcontext *);
    CUresult (*load)(CUmodule *, const void *);
    CUresult (*unload)(CUmodule);
    CUresult (*getfn)(CUfunction *, CUmodule, const char *);
    CUresult (*alloc)(CUdeviceptr *, size_t);
    CUresult (*mfree)(CUdeviceptr);
    CUresult (*htod)(CUdeviceptr, const void *, size_t);
    CUresult (*dtoh)(void *, CUdeviceptr, size_t);
    CUresult (*launch)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                       CUstream, void **, void **);
    CUresult (*sync)(void);
    if (n <= 0 || n > (1 << 24)) {
        PyBuffer_Release(&image);
        return PyErr_Format(PyExc_ValueError, "n must be in [1, 2**24], got %d", n);
    }
    if (need(&init, S_cuInit) < 0 || need(&get, S_cuDeviceGet) < 0 ||
        need(&retain, S_cuDevicePrimaryCtxRetain) < 0 || need(&release, S_cuDevicePrimaryCtxRelease) < 0 ||
        need(&push, S_cuCtxPushCurrent) < 0 || need(&pop, S_cuCtxPopCurrent) < 0 ||
        need(&load, S_cuModuleLoadData) < 0 || need(&unload, S_cuModuleUnload) < 0 ||
        need(&getfn, S_cuModuleGetFunction) < 0 || need(&alloc, S_cuMemAlloc) < 0 ||
        need(&mfree, S_cuMemFree) < 0 || need(&htod, S_cuMemcpyHtoD) < 0 ||
        need(&dtoh, S_cuMemcpyDtoH) < 0 || need(&launch, S_cuLaunchKernel) < 0 ||
        need(&sync, S_cuCtxSynchronize) < 0) {
        PyBuffer_Release(&image);
        return NULL;
    }
    size_t bytes = (size_t)n * sizeof(float);
    float *host = PyMem_Malloc(3 * bytes);
    if (host == NULL) {
        PyBuffer_Release(&image);
        return PyErr_NoMemory();
    }
    float *a = host, *b = host + n, *c = host + 2 * n;
    for (int i = 0; i < n; i++) {
        a[i] = (float)i * 0.5f;
        b[i] = (float)(n - i) * 0.25f;
        c[i] = -1.0f;
    }
    CUdevice dev;
    CUcontext ctx = NULL;
    CUmodule mod = NULL;
    CUfunction fn;
    CUdeviceptr d[3] = {0, 0, 0};
    CUresult rc;
    const char *step = "cuInit";
    if ((rc = init(0)) != CUDA_SUCCESS)
        goto fail;
    step = "cuDeviceGet";
    if ((rc = get(&dev, 0)) != CUDA_SUCCESS)
        goto fail;
    step = "cuDevicePrimaryCtxRetain";
    if ((rc = retain(&ctx, dev)) != CUDA_SUCCESS)
        goto fail;
    step = "cuCtxPushCurrent";
    if ((rc = push(ctx)) != CUDA_SUCCESS)
        goto fail_release;
    step = "cuModuleLoadData";
    if ((rc = load(&mod, image.buf)) != CUDA_SUCCESS)
        goto fail_pop;
    step = "cuModuleGetFunction";
    if ((rc = getfn(&fn, mod, "vadd")) != CUDA_SUCCESS)
        goto fail_unload;
    step = "cuMemAlloc";
    for (int i = 0; i < 3; i++)
        if ((rc = alloc(&d[i], bytes)) != CUDA_SUCCESS)
            goto fail_free;
    step = "cuMemcpyHtoD";
    if ((rc = htod(d[0], a, bytes)) != CUDA_SUCCESS || (rc = htod(d[1], b, bytes)) != CUDA_SUCCESS ||
        (rc = htod(d[2], c, bytes)) != CUDA_SUCCESS)
        goto fail_free;
    void *params[] = {&d[0], &d[1], &d[2], &n};
    step = "cuLaunchKernel";
    if ((rc = launch(fn, (unsigned)((n + 255) / 256), 1, 1, 256, 1, 1, 0, NULL, params, NULL)) != CUDA_SUCCESS)
        goto fail_free;
    step = "cuCtxSynchronize";
    if ((rc = sync()) != CUDA_SUCCESS)
        goto fail_free;
    step = "cuMemcpyDtoH";
    if ((rc = dtoh(c, d[2], bytes)) != CUDA_SUCCESS)
        goto fail_free;
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
        double err = (double)c[i] - ((double)a[i] + (double)b[i]);
        if (err < 0)
            err = -err;
        if (err > worst || err != err)
            worst = err;
    }
    result = PyFloat_FromDouble(worst);
fail_free:
    for (int i = 0; i < 3; i++)
        if (d[i])
            mfree(d[i]);
fail_unload:
    unload(mod);
fail_pop:
    pop(&ctx);
fail_release:
    release(dev);
fail:
    if (result == NULL)
        raise_cu(step, rc);
    PyMem_Free(host);
    PyBuffer_Release(&image);
    return result;
}

static PyMethodDef methods[] = {
    {"info", probe_info, METH_NOARGS,
     "info($module, /)\n--\n\nWhere the driver is (or why not), its version, stub or not, devices."},
    {"run_vector_add", probe_run_vector_add, METH_VARARGS,
     "run_vector_add($module, cubin, n, /)\n--\n\nRun vadd(a, b, c, n) from `cubin` on device 0; "
     "return the largest error of c = a + b."},
    {NULL, NULL, 0, NULL},
};

static int
probe_exec(PyObject *module)
{
    /* The toolkit headers this package was generated and built from. */
    return PyModule_AddIntConstant(module, "CUDA_VERSION", CUDA_VERSION);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, probe_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "cuda.bindings._driver_probe",
    .m_doc = "The driver checks of `python -m cuda.bindings`.",
    .m_size = 0,
    .m_methods = methods,
    .m_slots = module_slots,
};

PyMODINIT_FUNC
PyInit__driver_probe(void)
{
    return PyModuleDef_Init(&module_def);
}
