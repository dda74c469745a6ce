/* A C user of the driver's and the runtime's capsule tables that defines no
 * interop macro: every slot of cuda.h and cuda_runtime_api.h is typed. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <cuda_bindings/driver.h>
#include <cuda_bindings/runtime.h>

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

static PyMethodDef methods[] = {
    {"ctx_create", ctx_create, METH_VARARGS, NULL},
    {"event_synchronize", event_synchronize, METH_NOARGS, NULL},
    {"device_reset", device_reset, METH_NOARGS, NULL},
    {"runtime_event_synchronize", runtime_event_synchronize, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "consumer_c_plain", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit_consumer_c_plain(void)
{
    if (CudaBindings_ImportDRIVER() < 0 || CudaBindings_ImportRUNTIME() < 0)
        return NULL;
    return PyModule_Create(&moddef);
}
