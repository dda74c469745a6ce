/* A C user of cuda.bindings: the capsule tables of cuda_bindings/<lib>.h.
 * No interop macro is defined: every slot of cuda.h and cuda_runtime_api.h
 * is typed without the graphics headers. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <cuda_bindings/cufile.h>
#include <cuda_bindings/cudla.h>
#include <cuda_bindings/driver.h>
#include <cuda_bindings/runtime.h>
#include <cuda_bindings/nvfatbin.h>
#include <cuda_bindings/nvjitlink.h>
#include <cuda_bindings/nvrtc.h>
#include <cuda_bindings/nvvm.h>

static PyObject *
nvrtc_version(PyObject *self, PyObject *Py_UNUSED(args))
{
    int major = 0, minor = 0;
    (void)self;
    nvrtcResult err = CudaBindings_NVRTC->nvrtcVersion(&major, &minor);
    if (err == NVRTC_ERROR_INVALID_INPUT && PyErr_Occurred())
        return NULL;
    return Py_BuildValue("(iii)", (int)err, major, minor);
}

static PyObject *
compile_ptx(PyObject *self, PyObject *args)
{
    const char *src, *option;
    (void)self;
    if (!PyArg_ParseTuple(args, "yy", &src, &option))
        return NULL;
    const CudaBindings_NVRTC_API *api = CudaBindings_NVRTC;
    nvrtcProgram prog = NULL;
    size_t size = 0;
    const char *opts[] = {option};
    nvrtcResult err;
    Py_BEGIN_ALLOW_THREADS
    err = api->nvrtcCreateProgram(&prog, src, "k.cu", 0, NULL, NULL);
    if (err == NVRTC_SUCCESS)
        err = api->nvrtcCompileProgram(prog, 1, opts);
    if (err == NVRTC_SUCCESS)
        err = api->nvrtcGetPTXSize(prog, &size);
    Py_END_ALLOW_THREADS
    if (err != NVRTC_SUCCESS) {
        api->nvrtcDestroyProgram(&prog);
        return Py_BuildValue("(iO)", (int)err, Py_None);
    }
    PyObject *ptx = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (ptx != NULL)
        err = api->nvrtcGetPTX(prog, PyBytes_AS_STRING(ptx));
    api->nvrtcDestroyProgram(&prog);
    if (ptx == NULL)
        return NULL;
    return Py_BuildValue("(iN)", (int)err, ptx);
}

static PyObject *
api_header(PyObject *self, PyObject *Py_UNUSED(args))
{
    (void)self;
    return Py_BuildValue("(II)", CudaBindings_NVRTC->abi_version, CudaBindings_NVRTC->count);
}

static PyObject *
jitlink_version(PyObject *self, PyObject *Py_UNUSED(args))
{
    unsigned int major = 0, minor = 0;
    (void)self;
    nvJitLinkResult err = CudaBindings_NVJITLINK->nvJitLinkVersion(&major, &minor);
    return Py_BuildValue("(iII)", (int)err, major, minor);
}

static PyObject *
nvvm_version(PyObject *self, PyObject *Py_UNUSED(args))
{
    int major = 0, minor = 0;
    (void)self;
    nvvmResult err = CudaBindings_NVVM->nvvmVersion(&major, &minor);
    if (err == NVVM_ERROR_INVALID_INPUT && PyErr_Occurred())
        return NULL;
    return Py_BuildValue("(iii)", (int)err, major, minor);
}

static PyObject *
fatbin_version(PyObject *self, PyObject *Py_UNUSED(args))
{
    unsigned int major = 0, minor = 0;
    (void)self;
    nvFatbinResult err = CudaBindings_NVFATBIN->nvFatbinVersion(&major, &minor);
    if (err == NVFATBIN_ERROR_INTERNAL && PyErr_Occurred())
        return NULL;
    return Py_BuildValue("(iII)", (int)err, major, minor);
}

/* cuCtxCreate (cuCtxCreate_v4 through cuda.h's macro) with no parameters;
 * a context it makes is destroyed again. */
static PyObject *
ctx_create(PyObject *self, PyObject *args)
{
    int dev;
    (void)self;
    if (!PyArg_ParseTuple(args, "i", &dev))
        return NULL;
    CUcontext ctx = NULL;
    CUresult err = CudaBindings_DRIVER->cuCtxCreate(&ctx, NULL, 0, (CUdevice)dev);
    if (PyErr_Occurred())
        return NULL;
    if (err == CUDA_SUCCESS)
        CudaBindings_DRIVER->cuCtxDestroy(ctx);
    return PyLong_FromLong((long)err);
}

static PyObject *
event_synchronize(PyObject *self, PyObject *Py_UNUSED(args))
{
    (void)self;
    CUresult err = CudaBindings_DRIVER->cuEventSynchronize(NULL);
    return PyErr_Occurred() ? NULL : PyLong_FromLong((long)err);
}

static PyObject *
device_reset(PyObject *self, PyObject *Py_UNUSED(args))
{
    (void)self;
    cudaError_t err = CudaBindings_RUNTIME->cudaDeviceReset();
    return PyErr_Occurred() ? NULL : PyLong_FromLong((long)err);
}

static PyObject *
runtime_event_synchronize(PyObject *self, PyObject *Py_UNUSED(args))
{
    (void)self;
    cudaError_t err = CudaBindings_RUNTIME->cudaEventSynchronize(NULL);
    return PyErr_Occurred() ? NULL : PyLong_FromLong((long)err);
}

/* cuFile's version, and the slots cufile.h's renaming macro sends
 * cuFileDriverClose to: (CUfileOpError, CUresult, version, slots equal). */
static PyObject *
cufile_version(PyObject *self, PyObject *Py_UNUSED(args))
{
    int version = 0;
    (void)self;
    CUfileError_t err = CudaBindings_CUFILE->cuFileGetVersion(&version);
    if (err.err == CU_FILE_INTERNAL_ERROR && PyErr_Occurred())
        return NULL;
    int renamed = (void (*)(void))CudaBindings_CUFILE->cuFileDriverClose ==
                  (void (*)(void))CudaBindings_CUFILE->cuFileDriverClose_v2;
    return Py_BuildValue("(iiii)", (int)err.err, (int)err.cu_err, version, renamed);
}

/* cuDLA's version through cuda_bindings/cudla.h: (cudlaStatus, version); where
 * no libcudla can be loaded (x86-64), the RuntimeError the slot sets. */
static PyObject *
cudla_version(PyObject *self, PyObject *Py_UNUSED(args))
{
    uint64_t version = 0;
    (void)self;
    cudlaStatus status = CudaBindings_CUDLA->cudlaGetVersion(&version);
    if (status == cudlaErrorUnknown && PyErr_Occurred())
        return NULL;
    return Py_BuildValue("(iK)", (int)status, (unsigned long long)version);
}

static PyMethodDef methods[] = {
    {"cufile_version", cufile_version, METH_NOARGS, NULL},
    {"cudla_version", cudla_version, METH_NOARGS, NULL},
    {"nvrtc_version", nvrtc_version, METH_NOARGS, NULL},
    {"compile_ptx", compile_ptx, METH_VARARGS, NULL},
    {"api_header", api_header, METH_NOARGS, NULL},
    {"jitlink_version", jitlink_version, METH_NOARGS, NULL},
    {"nvvm_version", nvvm_version, METH_NOARGS, NULL},
    {"fatbin_version", fatbin_version, METH_NOARGS, NULL},
    {"ctx_create", ctx_create, METH_VARARGS, NULL},
    {"event_synchronize", event_synchronize, METH_NOARGS, NULL},
    {"device_reset", device_reset, METH_NOARGS, NULL},
    {"runtime_event_synchronize", runtime_event_synchronize, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "consumer_c", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit_consumer_c(void)
{
    if (CudaBindings_ImportNVRTC() < 0 || CudaBindings_ImportNVJITLINK() < 0 ||
        CudaBindings_ImportNVVM() < 0 || CudaBindings_ImportNVFATBIN() < 0 ||
        CudaBindings_ImportDRIVER() < 0 || CudaBindings_ImportRUNTIME() < 0 || CudaBindings_ImportCUFILE() < 0 ||
        CudaBindings_ImportCUDLA() < 0)
        return NULL;
    return PyModule_Create(&moddef);
}
