/* cuda.bindings.cudla's own pieces, written by hand: check_status, the
 * reference's helper of no C function; create_device, which refuses
 * CUDLA_STANDALONE (NvSci's mode, which the bindings do not support) before
 * the library is asked, as NVIDIA's; and module_get_attributes, whose
 * result depends on the attribute asked (a count, or the descriptors,
 * with room made for as many as the count says).  The generated module
 * includes this after its tables (RECORD_*) and names these in its method
 * table (gen/addressed.py).  Included once, by that module only. */
#ifndef CB_CUDLA_H
#define CB_CUDLA_H

#include "cb_args.h"
#include "cb_error.h"
#include "cb_record.h"

#include <string.h>

static const char *const names_check_status[] = {"status"};
static const cb_argspec spec_check_status = {"check_status", names_check_status, 1, 0};

/* check_status(status): None for cudlaSuccess, else CudlaError(status)
 * raised (a value that is no Status: its ValueError, as NVIDIA's). */
static PyObject *
py_check_status(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[1];
    long long status;
    if (cb_unpack(&spec_check_status, args, nargs, kwnames, argv) < 0 ||
        cb_arg_ll(argv[0], INT_MIN, INT_MAX, &status, &spec_check_status, 0) < 0)
        return NULL;
    if (status == cudlaSuccess)
        Py_RETURN_NONE;
    return cb_raise_status(module, status);
}

static const char *const names_create_device[] = {"device", "flags"};
static const cb_argspec spec_create_device = {"create_device", names_create_device, 2, 0};

/* create_device(device, flags): the new device's handle, an int. */
static PyObject *
py_create_device(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[2];
    unsigned long long device, flags;
    if (cb_unpack(&spec_create_device, args, nargs, kwnames, argv) < 0 ||
        cb_arg_ull(argv[0], UINT64_MAX, &device, &spec_create_device, 0) < 0 ||
        cb_arg_ull(argv[1], UINT32_MAX, &flags, &spec_create_device, 1) < 0)
        return NULL;
    if (flags & CUDLA_STANDALONE)
        return cb_raise_status(module, cudlaErrorUnsupportedOperation);
    cudlaDevHandle h = NULL;
    cudlaStatus status;
    Py_BEGIN_ALLOW_THREADS
    status = CudaBindings_CUDLA->cudlaCreateDevice(device, &h, (uint32_t)flags);
    Py_END_ALLOW_THREADS
    if (cb_status_failed(module, status, cudlaErrorUnknown) < 0)
        return NULL;
    return PyLong_FromLongLong((long long)(intptr_t)h);   /* intptr_t, as NVIDIA's declares it */
}

/* cudlaModuleGetAttributes without the GIL; its status, or cudlaErrorUnknown with an exception set
 * when the library or the symbol is missing. */
static cudlaStatus
cudla_module_attribute(cudlaModule h, cudlaModuleAttributeType type, cudlaModuleAttribute *out)
{
    cudlaStatus status;
    Py_BEGIN_ALLOW_THREADS
    status = CudaBindings_CUDLA->cudlaModuleGetAttributes(h, type, out);
    Py_END_ALLOW_THREADS
    return status;
}

/* The descriptors of a module's tensors: their count asked by `count_type`
 * first, then that many filled; a list of ModuleTensorDescriptor. */
static PyObject *
cudla_descriptors(PyObject *module, cudlaModule h, cudlaModuleAttributeType type,
                  cudlaModuleAttributeType count_type)
{
    cudlaModuleAttribute attr;
    memset(&attr, 0, sizeof attr);
    if (cb_status_failed(module, cudla_module_attribute(h, count_type, &attr), cudlaErrorUnknown) < 0)
        return NULL;
    uint32_t n = attr.numInputTensors;   /* the union's one count */
    cudlaModuleTensorDescriptor *room = PyMem_Calloc(n ? n : 1, sizeof *room);
    if (room == NULL)
        return PyErr_NoMemory();
    attr.inputTensorDesc = room;         /* the union's one pointer */
    PyObject *list = NULL;
    if (cb_status_failed(module, cudla_module_attribute(h, type, &attr), cudlaErrorUnknown) < 0 ||
        (list = PyList_New(n)) == NULL)
        goto done;
    for (uint32_t i = 0; i < n; i++) {
        PyObject *d = cb_record_new(module, RECORD_cudlaModuleTensorDescriptor, 1);
        if (d == NULL) {
            Py_CLEAR(list);
            goto done;
        }
        memcpy(cb_record_ptr(d), &room[i], sizeof room[i]);
        PyList_SET_ITEM(list, i, d);
    }
done:
    PyMem_Free(room);
    return list;
}

static const char *const names_module_get_attributes[] = {"h_module", "attr_type"};
static const cb_argspec spec_module_get_attributes = {"module_get_attributes", names_module_get_attributes, 2, 0};

/* module_get_attributes(h_module, attr_type): an int for the counts, a
 * list of ModuleTensorDescriptor for the descriptors; another attribute
 * is a ValueError, the library not asked, as NVIDIA's. */
static PyObject *
py_module_get_attributes(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[2];
    long long handle, type;
    if (cb_unpack(&spec_module_get_attributes, args, nargs, kwnames, argv) < 0 ||
        cb_arg_intptr(argv[0], &handle, &spec_module_get_attributes, 0) < 0 ||
        cb_arg_ll(argv[1], INT_MIN, INT_MAX, &type, &spec_module_get_attributes, 1) < 0)
        return NULL;
    cudlaModule h = (cudlaModule)(intptr_t)handle;
    switch (type) {
    case CUDLA_NUM_INPUT_TENSORS:
    case CUDLA_NUM_OUTPUT_TENSORS:
    case CUDLA_NUM_OUTPUT_TASK_STATISTICS: {
        cudlaModuleAttribute attr;
        memset(&attr, 0, sizeof attr);
        if (cb_status_failed(module, cudla_module_attribute(h, (cudlaModuleAttributeType)type, &attr),
                             cudlaErrorUnknown) < 0)
            return NULL;
        return PyLong_FromUnsignedLong(attr.numInputTensors);
    }
    case CUDLA_INPUT_TENSOR_DESCRIPTORS:
        return cudla_descriptors(module, h, CUDLA_INPUT_TENSOR_DESCRIPTORS, CUDLA_NUM_INPUT_TENSORS);
    case CUDLA_OUTPUT_TENSOR_DESCRIPTORS:
        return cudla_descriptors(module, h, CUDLA_OUTPUT_TENSOR_DESCRIPTORS, CUDLA_NUM_OUTPUT_TENSORS);
    case CUDLA_OUTPUT_TASK_STATISTICS_DESCRIPTORS:
        return cudla_descriptors(module, h, CUDLA_OUTPUT_TASK_STATISTICS_DESCRIPTORS,
                                 CUDLA_NUM_OUTPUT_TASK_STATISTICS);
    default:
        PyErr_Format(PyExc_ValueError, "Unknown attribute type: %lld", type);
        return NULL;
    }
}

#endif
