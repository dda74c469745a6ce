/* A fake libcudla.so.1, so that NVIDIA's cuda.bindings.cudla and ours can
 * be watched calling every cuDLA function on a machine without a DLA (and
 * without NVIDIA's library, which exists for aarch64 only).  Built against
 * the declarations ours binds (tests/cudla_fake/build.py).
 *
 * Behaviour: FAKE_CUDLA_DEVICES devices (default 2); handles are the
 * addresses of this library's own tables with the top bit flipped (as a
 * real library's handle may have it set: an intptr_t below zero), checked
 * on every call; a module
 * loaded from memory has 1 + byte[0] % 3 inputs and 1 + byte[1] % 3
 * outputs (bytes past the size read as 0); descriptors are filled from the
 * tensor's index; a failed call on a device is what cudlaGetLastError then
 * says.  Every call appends a line to a log (fakecudla_log(), cleared by
 * fakecudla_log_clear()): its name, its arguments as the library saw them
 * (handles by index, pointers by NULL-ness or the values they point to),
 * then the status returned. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cudla.h"

#define MAX_DEVICES 4
#define MAX_MODULES 64
#define MAX_TENSORS 3

struct cudlaDevHandle_t {
    int index, open;
    cudlaStatus last_error;
    uint32_t timeout;
};
struct cudlaModule_t {
    int open, inputs, outputs;
};

static struct cudlaDevHandle_t devices[MAX_DEVICES];
static struct cudlaModule_t modules[MAX_MODULES];
static char log_text[1 << 16];
static size_t log_len;

static void
say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(log_text + log_len, sizeof log_text - log_len, fmt, ap);
    va_end(ap);
    if (n > 0 && log_len + (size_t)n < sizeof log_text)
        log_len += (size_t)n;
}

const char *fakecudla_log(void) { return log_text; }
void fakecudla_log_clear(void) { log_len = 0; log_text[0] = '\0'; }

static cudlaStatus
done(cudlaStatus status, struct cudlaDevHandle_t *dev)
{
    if (dev != NULL && status != cudlaSuccess)
        dev->last_error = status;
    say(" -> %d\n", (int)status);
    return status;
}

static int
device_count(void)
{
    const char *env = getenv("FAKE_CUDLA_DEVICES");
    int n = env ? atoi(env) : 2;
    return n < 0 ? 0 : n > MAX_DEVICES ? MAX_DEVICES : n;
}

#define TOP_BIT ((uintptr_t)1 << (sizeof(void *) * 8 - 1))

/* A handle and the table entry it stands for: the entry's address, top bit flipped. */
static void *
flipped(const void *p)
{
    return (void *)((uintptr_t)p ^ TOP_BIT);
}

static struct cudlaDevHandle_t *
open_device(cudlaDevHandle h)
{
    for (int i = 0; i < MAX_DEVICES; i++)
        if (flipped(h) == &devices[i] && devices[i].open)
            return &devices[i];
    return NULL;
}

static struct cudlaModule_t *
open_module(cudlaModule h)
{
    for (int i = 0; i < MAX_MODULES; i++)
        if (flipped(h) == &modules[i] && modules[i].open)
            return &modules[i];
    return NULL;
}

static int
module_index(cudlaModule h)
{
    struct cudlaModule_t *m = open_module(h);
    return m ? (int)(m - modules) : -1;
}

cudlaStatus
cudlaGetVersion(uint64_t *const version)
{
    say("cudlaGetVersion(%s)", version ? "ptr" : "NULL");
    if (version == NULL)
        return done(cudlaErrorInvalidParam, NULL);
    *version = 1005000;
    return done(cudlaSuccess, NULL);
}

cudlaStatus
cudlaDeviceGetCount(uint64_t *const pNumDevices)
{
    say("cudlaDeviceGetCount(%s)", pNumDevices ? "ptr" : "NULL");
    if (pNumDevices == NULL)
        return done(cudlaErrorInvalidParam, NULL);
    *pNumDevices = (uint64_t)device_count();
    return done(cudlaSuccess, NULL);
}

cudlaStatus
cudlaCreateDevice(const uint64_t device, cudlaDevHandle *const devHandle, const uint32_t flags)
{
    say("cudlaCreateDevice(%" PRIu64 ", %s, %u)", device, devHandle ? "ptr" : "NULL", flags);
    if (devHandle == NULL || flags > CUDLA_STANDALONE)
        return done(cudlaErrorInvalidParam, NULL);
    if (device >= (uint64_t)device_count())
        return done(cudlaErrorInvalidDevice, NULL);
    devices[device] = (struct cudlaDevHandle_t){(int)device, 1, cudlaSuccess, 0};
    *devHandle = flipped(&devices[device]);
    return done(cudlaSuccess, NULL);
}

cudlaStatus
cudlaMemRegister(const cudlaDevHandle devHandle, const uint64_t *const ptr, const size_t size,
                 uint64_t **const devPtr, const uint32_t flags)
{
    struct cudlaDevHandle_t *dev = open_device(devHandle);
    say("cudlaMemRegister(dev%d, %s, %zu, %s, %u)", dev ? dev->index : -1, ptr ? "ptr" : "NULL", size,
        devPtr ? "ptr" : "NULL", flags);
    if (dev == NULL || devPtr == NULL || size == 0)
        return done(cudlaErrorInvalidParam, dev);
    if (ptr == NULL)
        return done(cudlaErrorInvalidAddress, dev);
    *devPtr = (uint64_t *)(uintptr_t)((uintptr_t)ptr + 0x100000u);
    return done(cudlaSuccess, dev);
}

cudlaStatus
cudlaMemUnregister(const cudlaDevHandle devHandle, const uint64_t *const devPtr)
{
    struct cudlaDevHandle_t *dev = open_device(devHandle);
    say("cudlaMemUnregister(dev%d, %s)", dev ? dev->index : -1, devPtr ? "ptr" : "NULL");
    if (dev == NULL)
        return done(cudlaErrorInvalidParam, dev);
    return done(devPtr == NULL ? cudlaErrorInvalidAddress : cudlaSuccess, dev);
}

cudlaStatus
cudlaModuleLoadFromMemory(const cudlaDevHandle devHandle, const uint8_t *const pModule, const size_t moduleSize,
                          cudlaModule *const hModule, const uint32_t flags)
{
    struct cudlaDevHandle_t *dev = open_device(devHandle);
    say("cudlaModuleLoadFromMemory(dev%d, %s, %zu, %s, %u)", dev ? dev->index : -1,
        pModule ? "ptr" : "NULL", moduleSize, hModule ? "ptr" : "NULL", flags);
    if (dev == NULL || pModule == NULL || moduleSize == 0 || hModule == NULL)
        return done(cudlaErrorInvalidParam, dev);
    for (int i = 0; i < MAX_MODULES; i++) {
        if (!modules[i].open) {
            modules[i].open = 1;
            modules[i].inputs = 1 + pModule[0] % MAX_TENSORS;
            modules[i].outputs = 1 + (moduleSize > 1 ? pModule[1] : 0) % MAX_TENSORS;
            say(" [module%d: %d in, %d out]", i, modules[i].inputs, modules[i].outputs);
            *hModule = flipped(&modules[i]);
            return done(cudlaSuccess, dev);
        }
    }
    return done(cudlaErrorOutOfResources, dev);
}

static void
describe(cudlaModuleTensorDescriptor *d, int output, int i)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s%d", output ? "output" : "input", i);
    d->n = 1;
    d->c = 3 + (uint64_t)i;
    d->h = 16;
    d->w = 32 + (uint64_t)output;
    d->size = d->n * d->c * d->h * d->w * 2;
    d->dataFormat = CUDLA_DATA_FORMAT_NCHW;
    d->dataType = CUDLA_DATA_TYPE_HALF;
    d->dataCategory = CUDLA_DATA_CATEGORY_FEATURE;
    d->pixelFormat = CUDLA_PIXEL_FORMAT_FEATURE;
    d->pixelMapping = CUDLA_PIXEL_MAPPING_PITCH_LINEAR;
    for (int k = 0; k < (int)CUDLA_LOADABLE_TENSOR_DESC_NUM_STRIDES; k++)
        d->stride[k] = (uint32_t)(k + 1) * 2;
}

cudlaStatus
cudlaModuleGetAttributes(const cudlaModule hModule, const cudlaModuleAttributeType attrType,
                         cudlaModuleAttribute *const attribute)
{
    struct cudlaModule_t *m = open_module(hModule);
    say("cudlaModuleGetAttributes(module%d, %d, %s)", module_index(hModule), (int)attrType,
        attribute ? "ptr" : "NULL");
    if (m == NULL)
        return done(cudlaErrorInvalidModule, NULL);
    if (attribute == NULL)
        return done(cudlaErrorInvalidParam, NULL);
    switch (attrType) {
    case CUDLA_NUM_INPUT_TENSORS:
        attribute->numInputTensors = (uint32_t)m->inputs;
        break;
    case CUDLA_NUM_OUTPUT_TENSORS:
        attribute->numOutputTensors = (uint32_t)m->outputs;
        break;
    case CUDLA_NUM_OUTPUT_TASK_STATISTICS:
        attribute->numOutputTensors = 1;
        break;
    case CUDLA_INPUT_TENSOR_DESCRIPTORS:
    case CUDLA_OUTPUT_TENSOR_DESCRIPTORS:
    case CUDLA_OUTPUT_TASK_STATISTICS_DESCRIPTORS: {
        int output = attrType != CUDLA_INPUT_TENSOR_DESCRIPTORS;
        cudlaModuleTensorDescriptor *d = output ? attribute->outputTensorDesc : attribute->inputTensorDesc;
        int n = attrType == CUDLA_INPUT_TENSOR_DESCRIPTORS ? m->inputs
                : attrType == CUDLA_OUTPUT_TENSOR_DESCRIPTORS ? m->outputs : 1;
        if (d == NULL)
            return done(cudlaErrorInvalidParam, NULL);
        for (int i = 0; i < n; i++)
            describe(&d[i], output, i);
        break;
    }
    default:
        return done(cudlaErrorInvalidAttribute, NULL);
    }
    return done(cudlaSuccess, NULL);
}

cudlaStatus
cudlaModuleUnload(const cudlaModule hModule, const uint32_t flags)
{
    struct cudlaModule_t *m = open_module(hModule);
    say("cudlaModuleUnload(module%d, %u)", module_index(hModule), flags);
    if (m == NULL)
        return done(cudlaErrorInvalidModule, NULL);
    m->open = 0;
    return done(cudlaSuccess, NULL);
}

static void
say_fences(const char *what, const CudlaFence *f, uint32_t n)
{
    say(" %s[", what);
    for (uint32_t i = 0; f != NULL && i < n; i++)
        say("%s%s:%d", i ? " " : "", f[i].fence ? "fence" : "NULL", (int)f[i].type);
    say("]");
}

cudlaStatus
cudlaSubmitTask(const cudlaDevHandle devHandle, const cudlaTask *const ptrToTasks, const uint32_t numTasks,
                void *const stream, const uint32_t flags)
{
    struct cudlaDevHandle_t *dev = open_device(devHandle);
    say("cudlaSubmitTask(dev%d, %s, %u, %s, %u)", dev ? dev->index : -1, ptrToTasks ? "ptr" : "NULL", numTasks,
        stream ? "stream" : "NULL", flags);
    if (dev == NULL || ptrToTasks == NULL || numTasks == 0)
        return done(cudlaErrorInvalidParam, dev);
    for (uint32_t t = 0; t < numTasks; t++) {
        const cudlaTask *k = &ptrToTasks[t];
        say(" task%u{module%d in=%u out=%u", t, module_index(k->moduleHandle), k->numInputTensors,
            k->numOutputTensors);
        for (uint32_t i = 0; k->inputTensor != NULL && i < k->numInputTensors; i++)
            say(" in%u=%s", i, k->inputTensor[i] ? "ptr" : "NULL");
        for (uint32_t i = 0; k->outputTensor != NULL && i < k->numOutputTensors; i++)
            say(" out%u=%s", i, k->outputTensor[i] ? "ptr" : "NULL");
        if (k->waitEvents != NULL)
            say_fences("wait", k->waitEvents->preFences, k->waitEvents->numEvents);
        if (k->signalEvents != NULL)
            say_fences("signal", k->signalEvents->eofFences, k->signalEvents->numEvents);
        say("}");
        if (open_module(k->moduleHandle) == NULL)
            return done(cudlaErrorInvalidModule, dev);
    }
    return done(cudlaSuccess, dev);
}

cudlaStatus
cudlaDeviceGetAttribute(const cudlaDevHandle devHandle, const cudlaDevAttributeType attrib,
                        cudlaDevAttribute *const pAttribute)
{
    struct cudlaDevHandle_t *dev = open_device(devHandle);
    say("cudlaDeviceGetAttribute(dev%d, %d, %s)", dev ? dev->index : -1, (int)attrib, pAttribute ? "ptr" : "NULL");
    if (dev == NULL || pAttribute == NULL)
        return done(cudlaErrorInvalidParam, dev);
    if (attrib == CUDLA_UNIFIED_ADDRESSING)
        pAttribute->unifiedAddressingSupported = 1;
    else if (attrib == CUDLA_DEVICE_VERSION)
        pAttribute->deviceVersion = 0x20 + (uint32_t)dev->index;
    else
        return done(cudlaErrorInvalidAttribute, dev);
    return done(cudlaSuccess, dev);
}

cudlaStatus
cudlaGetLastError(const cudlaDevHandle devHandle)
{
    struct cudlaDevHandle_t *dev = open_device(devHandle);
    say("cudlaGetLastError(dev%d)", dev ? dev->index : -1);
    if (dev == NULL)
        return done(cudlaErrorInvalidParam, NULL);
    cudlaStatus last = dev->last_error;
    dev->last_error = cudlaSuccess;
    return done(last, NULL);
}

cudlaStatus
cudlaDestroyDevice(const cudlaDevHandle devHandle)
{
    struct cudlaDevHandle_t *dev = open_device(devHandle);
    say("cudlaDestroyDevice(dev%d)", dev ? dev->index : -1);
    if (dev == NULL)
        return done(cudlaErrorInvalidParam, NULL);
    dev->open = 0;
    return done(cudlaSuccess, NULL);
}

cudlaStatus
cudlaSetTaskTimeoutInMs(const cudlaDevHandle devHandle, const uint32_t timeout)
{
    struct cudlaDevHandle_t *dev = open_device(devHandle);
    say("cudlaSetTaskTimeoutInMs(dev%d, %u)", dev ? dev->index : -1, timeout);
    if (dev == NULL || timeout == 0)
        return done(cudlaErrorInvalidParam, dev);
    dev->timeout = timeout;
    return done(cudlaSuccess, dev);
}

/* Declared by cudla.h, bound by neither package: NvSci is not on this machine. */
cudlaStatus
cudlaImportExternalMemory(const cudlaDevHandle devHandle, const cudlaExternalMemoryHandleDesc *const desc,
                          uint64_t **const devPtr, const uint32_t flags)
{
    (void)devHandle, (void)desc, (void)devPtr, (void)flags;
    say("cudlaImportExternalMemory");
    return done(cudlaErrorUnsupportedOperation, NULL);
}

cudlaStatus
cudlaGetNvSciSyncAttributes(uint64_t *attrList, const uint32_t flags)
{
    (void)attrList, (void)flags;
    say("cudlaGetNvSciSyncAttributes");
    return done(cudlaErrorUnsupportedOperation, NULL);
}

cudlaStatus
cudlaImportExternalSemaphore(const cudlaDevHandle devHandle, const cudlaExternalSemaphoreHandleDesc *const desc,
                             uint64_t **const devPtr, const uint32_t flags)
{
    (void)devHandle, (void)desc, (void)devPtr, (void)flags;
    say("cudlaImportExternalSemaphore");
    return done(cudlaErrorUnsupportedOperation, NULL);
}
