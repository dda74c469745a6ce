"""Streams and events: overlap work on two streams, order them with an
event, time a copy, and run a Python callback when the stream gets there.

    python examples/streams_events.py
"""
import ctypes
import sys

from cuda.bindings import driver


def check(result):
    err, *outputs = result
    if err != 0:
        raise RuntimeError("%r" % (err,))
    return outputs[0] if len(outputs) == 1 else tuple(outputs) if outputs else None


def main():
    check(driver.cuInit(0))
    device = check(driver.cuDeviceGet(0))
    context = check(driver.cuDevicePrimaryCtxRetain(device))
    check(driver.cuCtxSetCurrent(context))

    size = 64 << 20
    producer = check(driver.cuStreamCreate(driver.CUstream_flags.CU_STREAM_NON_BLOCKING))
    consumer = check(driver.cuStreamCreate(driver.CUstream_flags.CU_STREAM_NON_BLOCKING))
    start = check(driver.cuEventCreate(driver.CUevent_flags.CU_EVENT_DEFAULT))
    filled = check(driver.cuEventCreate(driver.CUevent_flags.CU_EVENT_DEFAULT))
    src = check(driver.cuMemAlloc(size))
    dst = check(driver.cuMemAlloc(size))
    host = check(driver.cuMemAllocHost(size))  # pinned: truly asynchronous copies

    # producer fills src; consumer waits for that, then copies src to dst and to the host
    check(driver.cuEventRecord(start, producer))
    check(driver.cuMemsetD32Async(src, 0x01020304, size // 4, producer))
    check(driver.cuEventRecord(filled, producer))
    check(driver.cuStreamWaitEvent(consumer, filled, 0))
    check(driver.cuMemcpyDtoDAsync(dst, src, size, consumer))
    check(driver.cuMemcpyDtoHAsync(host, dst, size, consumer))

    done = []
    check(driver.cuLaunchHostFunc(consumer, lambda tag: done.append(tag), "copied"))
    check(driver.cuStreamSynchronize(consumer))

    ms = check(driver.cuEventElapsedTime(start, filled))
    word = ctypes.c_uint32.from_address(host + size - 4).value  # host is the pinned buffer's address
    print("memset of %d MiB took %.3f ms; last word 0x%08x; callback saw %r" % (size >> 20, ms, word, done))
    ok = word == 0x01020304 and done == ["copied"]

    for d in (src, dst):
        check(driver.cuMemFree(d))
    check(driver.cuMemFreeHost(host))
    for e in (start, filled):
        check(driver.cuEventDestroy(e))
    for s in (producer, consumer):
        check(driver.cuStreamDestroy(s))
    check(driver.cuDevicePrimaryCtxRelease(device))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
