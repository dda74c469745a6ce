/* NVML's calls whose request structs hold bytes or room the Python function
 * sizes from its arguments, written by hand: the generated cuda.bindings.nvml
 * module includes this after its record tables (RECORD_*) and registers the
 * functions (gen/nvml.py HAND_WRITTEN).  Each converts its arguments as
 * NVIDIA's 13.5.0 does, in order, and raises the NvmlError subclass of a
 * failed status.  Included once, by that module only. */
#ifndef CB_NVML_CALLS_H
#define CB_NVML_CALLS_H

#include "cb_args.h"
#include "cb_error.h"
#include "cb_record.h"
#include "cb_result.h"

#include <string.h>

/* A status the call returned: 0 on success, else -1 with its exception set
 * (the library's lookup failing has set one already). */
static int
nvml_failed(PyObject *module, nvmlReturn_t status)
{
    return cb_status_failed(module, (long long)status, NVML_ERROR_FUNCTION_NOT_FOUND);
}

/* -1 with the TypeError NVIDIA's typed parameters raise for an object of another type. */
static int
nvml_wrong_type(PyObject *o, const char *name, const char *expected)
{
    PyErr_Format(PyExc_TypeError, "Argument '%s' has incorrect type (expected %s, got %.200s)", name, expected,
                 Py_TYPE(o)->tp_name);
    return -1;
}

/* bytes, and nothing else, as NVIDIA's typed `bytes` parameters take them. */
static int
nvml_bytes_arg(PyObject *o, const char *name)
{
    return PyBytes_Check(o) ? 0 : nvml_wrong_type(o, name, "bytes");
}

static const char *const names_uuidv[] = {"type", "uuid"};
static const cb_argspec spec_uuidv = {"device_get_handle_by_uuidv", names_uuidv, 2, 0};

/* device_get_handle_by_uuidv(int type, bytes uuid) -> intptr_t: the 40
 * characters of an ASCII UUID ("GPU-..."), or the 16 bytes of a binary one. */
static PyObject *
py_nvmlDeviceGetHandleByUUIDV(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[2];
    long long type;
    if (cb_unpack(&spec_uuidv, args, nargs, kwnames, argv) < 0 ||
        cb_arg_ll(argv[0], INT_MIN, INT_MAX, &type, &spec_uuidv, 0) < 0 || nvml_bytes_arg(argv[1], "uuid") < 0)
        return NULL;
    nvmlUUID_t uuid;
    memset(&uuid, 0, sizeof uuid);
    uuid.version = nvmlUUID_v1;
    uuid.type = (unsigned int)type;
    Py_ssize_t n = PyBytes_GET_SIZE(argv[1]);
    if (type == NVML_UUID_TYPE_ASCII && n == NVML_DEVICE_UUID_ASCII_LEN - 1)
        memcpy(uuid.value.str, PyBytes_AS_STRING(argv[1]), (size_t)n);
    else if (type == NVML_UUID_TYPE_BINARY && n == NVML_DEVICE_UUID_BINARY_LEN)
        memcpy(uuid.value.bytes, PyBytes_AS_STRING(argv[1]), (size_t)n);
    else
        return PyErr_Format(PyExc_ValueError, type == NVML_UUID_TYPE_ASCII ? "UUID ASCII string must be %d bytes long"
                            : type == NVML_UUID_TYPE_BINARY ? "UUID binary string must be %d bytes long"
                            : "Invalid UUID format specified",
                            type == NVML_UUID_TYPE_ASCII ? NVML_DEVICE_UUID_ASCII_LEN - 1 : NVML_DEVICE_UUID_BINARY_LEN);
    nvmlDevice_t device = NULL;
    nvmlReturn_t status;
    Py_BEGIN_ALLOW_THREADS
    status = CudaBindings_NVML->nvmlDeviceGetHandleByUUIDV(&uuid, &device);
    Py_END_ALLOW_THREADS
    return nvml_failed(module, status) < 0 ? NULL : PyLong_FromVoidPtr(device);
}

static const char *const names_context_data[] = {"set", "index"};
static const cb_argspec spec_context_data = {"event_set_get_context_data_v1", names_context_data, 2, 0};

/* event_set_get_context_data_v1(intptr_t set, unsigned int index) -> bytes:
 * the size asked with no room first, then the payload in room of that size. */
static PyObject *
py_nvmlEventSetGetContextData_v1(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[2], *room = NULL;
    unsigned long long set, index;
    if (cb_unpack(&spec_context_data, args, nargs, kwnames, argv) < 0 ||
        cb_arg_int_handle(argv[0], &set, &spec_context_data, 0) < 0 ||
        cb_arg_ull(argv[1], UINT_MAX, &index, &spec_context_data, 1) < 0)
        return NULL;
    nvmlEventSetGetContextData_v1_t params = {NULL, (unsigned int)index, 0};
    nvmlReturn_t status;
    Py_BEGIN_ALLOW_THREADS
    status = CudaBindings_NVML->nvmlEventSetGetContextData_v1((nvmlEventSet_t)(uintptr_t)set, &params);
    Py_END_ALLOW_THREADS
    if (status == NVML_SUCCESS || status == NVML_ERROR_INSUFFICIENT_SIZE) {   /* asked again, as NVIDIA's */
        if ((room = PyBytes_FromStringAndSize(NULL, params.dataSize)) == NULL)
            return NULL;
        memset(PyBytes_AS_STRING(room), 0, params.dataSize);
        params.data = PyBytes_AS_STRING(room);
        Py_BEGIN_ALLOW_THREADS
        status = CudaBindings_NVML->nvmlEventSetGetContextData_v1((nvmlEventSet_t)(uintptr_t)set, &params);
        Py_END_ALLOW_THREADS
    }
    if (nvml_failed(module, status) < 0) {
        Py_XDECREF(room);
        return NULL;
    }
    if (room == NULL)
        return PyBytes_FromStringAndSize("", 0);
    if (params.dataSize < (unsigned int)PyBytes_GET_SIZE(room))   /* what the second call wrote */
        Py_SETREF(room, PyBytes_FromStringAndSize(PyBytes_AS_STRING(room), params.dataSize));
    return room;
}

static const char *const names_event_wait[] = {"event_set", "timeout_ms", "buffer_size"};
static const cb_argspec spec_event_wait = {"system_event_set_wait", names_event_wait, 3, 0};

/* system_event_set_wait(intptr_t event_set, unsigned int timeout_ms,
 * unsigned int buffer_size): room for buffer_size SystemEventData_v1, the
 * first numEvent of them returned. */
static PyObject *
py_nvmlSystemEventSetWait(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[3];
    unsigned long long set, timeout, size;
    if (cb_unpack(&spec_event_wait, args, nargs, kwnames, argv) < 0 ||
        cb_arg_int_handle(argv[0], &set, &spec_event_wait, 0) < 0 ||
        cb_arg_ull(argv[1], UINT_MAX, &timeout, &spec_event_wait, 1) < 0 ||
        cb_arg_ull(argv[2], UINT_MAX, &size, &spec_event_wait, 2) < 0)
        return NULL;
    PyObject *data = cb_record_new(module, RECORD_nvmlSystemEventData_v1_t, (Py_ssize_t)size);
    if (data == NULL)
        return NULL;
    nvmlSystemEventSetWaitRequest_t request;
    memset(&request, 0, sizeof request);
    request.version = nvmlSystemEventSetWaitRequest_v1;
    request.timeoutms = (unsigned int)timeout;
    request.set = (nvmlSystemEventSet_t)(uintptr_t)set;
    request.data = (nvmlSystemEventData_v1_t *)cb_record_ptr(data);
    request.dataSize = (unsigned int)size;
    nvmlReturn_t status;
    Py_BEGIN_ALLOW_THREADS
    status = CudaBindings_NVML->nvmlSystemEventSetWait(&request);
    Py_END_ALLOW_THREADS
    if (nvml_failed(module, status) < 0) {
        Py_DECREF(data);
        return NULL;
    }
    Py_ssize_t got = request.numEvent < size ? (Py_ssize_t)request.numEvent : (Py_ssize_t)size;
    PyObject *stop = PyLong_FromSsize_t(got);
    PyObject *slice = stop != NULL ? PySlice_New(NULL, stop, NULL) : NULL;
    PyObject *r = slice != NULL ? PyObject_GetItem(data, slice) : NULL;   /* data[:numEvent] */
    Py_XDECREF(stop);
    Py_XDECREF(slice);
    Py_DECREF(data);
    return r;
}

static const char *const names_attestation[] = {"device", "nonce"};
static const cb_argspec spec_attestation = {"device_get_conf_compute_gpu_attestation_report", names_attestation, 2, 0};

/* device_get_conf_compute_gpu_attestation_report(intptr_t device, char *nonce):
 * the nonce's bytes (up to NVML_CC_GPU_CEC_NONCE_SIZE of them) in the
 * request, the report returned. */
static PyObject *
py_nvmlDeviceGetConfComputeGpuAttestationReport(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                                                PyObject *kwnames)
{
    PyObject *argv[2];
    unsigned long long device;
    if (cb_unpack(&spec_attestation, args, nargs, kwnames, argv) < 0 ||
        cb_arg_int_handle(argv[0], &device, &spec_attestation, 0) < 0)
        return NULL;
    if (!PyBytes_Check(argv[1]))
        return PyErr_Format(PyExc_TypeError, "expected bytes, %.200s found", Py_TYPE(argv[1])->tp_name);
    PyObject *report = cb_record_new(module, RECORD_nvmlConfComputeGpuAttestationReport_t, 1);
    if (report == NULL)
        return NULL;
    nvmlConfComputeGpuAttestationReport_t *r = cb_record_ptr(report);
    Py_ssize_t n = PyBytes_GET_SIZE(argv[1]);
    memcpy(r->nonce, PyBytes_AS_STRING(argv[1]), n < (Py_ssize_t)sizeof r->nonce ? (size_t)n : sizeof r->nonce);
    nvmlReturn_t status;
    Py_BEGIN_ALLOW_THREADS
    status = CudaBindings_NVML->nvmlDeviceGetConfComputeGpuAttestationReport((nvmlDevice_t)(uintptr_t)device, r);
    Py_END_ALLOW_THREADS
    if (nvml_failed(module, status) < 0)
        Py_CLEAR(report);
    return report;
}

static const char *const names_prm[] = {"device", "in_data"};
static const cb_argspec spec_prm = {"device_read_write_prm_v1", names_prm, 2, 0};

/* device_read_write_prm_v1(intptr_t device, bytes in_data) -> (status, bytes):
 * up to NVML_PRM_DATA_MAX_SIZE - 1 bytes in, the PRM status and the bytes
 * the call wrote back out. */
static PyObject *
py_nvmlDeviceReadWritePRM_v1(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[2];
    unsigned long long device;
    if (cb_unpack(&spec_prm, args, nargs, kwnames, argv) < 0 ||
        cb_arg_int_handle(argv[0], &device, &spec_prm, 0) < 0 || nvml_bytes_arg(argv[1], "in_data") < 0)
        return NULL;
    nvmlPRMTLV_v1_t buffer;
    memset(&buffer, 0, sizeof buffer);
    Py_ssize_t n = PyBytes_GET_SIZE(argv[1]);
    if (n >= NVML_PRM_DATA_MAX_SIZE)
        return PyErr_Format(PyExc_ValueError, "Input data size exceeds maximum allowed size of %d bytes",
                            NVML_PRM_DATA_MAX_SIZE - 1);
    buffer.dataSize = (unsigned)n;
    memcpy(buffer.inData, PyBytes_AS_STRING(argv[1]), (size_t)n);
    nvmlReturn_t status;
    Py_BEGIN_ALLOW_THREADS
    status = CudaBindings_NVML->nvmlDeviceReadWritePRM_v1((nvmlDevice_t)(uintptr_t)device, &buffer);
    Py_END_ALLOW_THREADS
    if (nvml_failed(module, status) < 0)
        return NULL;
    size_t out = buffer.dataSize < sizeof buffer.outData ? buffer.dataSize : sizeof buffer.outData;
    return Py_BuildValue("(Iy#)", buffer.status, (const char *)buffer.outData, (Py_ssize_t)out);
}

static const char *const names_prm_counters[] = {"device", "counters"};
static const cb_argspec spec_prm_counters = {"device_read_prm_counters_v1", names_prm_counters, 2, 0};

/* device_read_prm_counters_v1(intptr_t device, PRMCounter_v1 counters): the
 * call reads and fills the counters; the same object returned. */
static PyObject *
py_nvmlDeviceReadPRMCounters_v1(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[2];
    unsigned long long device;
    if (cb_unpack(&spec_prm_counters, args, nargs, kwnames, argv) < 0 ||
        cb_arg_int_handle(argv[0], &device, &spec_prm_counters, 0) < 0)
        return NULL;
    if (argv[1] == Py_None)   /* NVIDIA's asks its len() first */
        return PyErr_Format(PyExc_TypeError, "object of type 'NoneType' has no len()");
    if (!cb_record_check(module, argv[1], RECORD_nvmlPRMCounter_v1_t)) {
        nvml_wrong_type(argv[1], "counters", "cuda.bindings.nvml.PRMCounter_v1");
        return NULL;
    }
    Py_ssize_t n = cb_record_len(argv[1]);
    void *counters = n > 0 ? cb_record_ptr(argv[1]) : NULL;
    nvmlPRMCounterList_v1_t list = {(unsigned int)n, (nvmlPRMCounter_v1_t *)counters};
    nvmlReturn_t status;
    Py_BEGIN_ALLOW_THREADS
    status = CudaBindings_NVML->nvmlDeviceReadPRMCounters_v1((nvmlDevice_t)(uintptr_t)device, &list);
    Py_END_ALLOW_THREADS
    return nvml_failed(module, status) < 0 ? NULL : Py_NewRef(argv[1]);
}

#endif
