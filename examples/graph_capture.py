"""Graph capture: record a stream's work into a graph once, then replay it
many times with one launch each.

    python examples/graph_capture.py
"""
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

    n = 1 << 16
    buf = check(driver.cuMemAlloc(n))
    stream = check(driver.cuStreamCreate(0))

    check(driver.cuStreamBeginCapture(stream, driver.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_GLOBAL))
    check(driver.cuMemsetD8Async(buf, 0xAB, n, stream))
    check(driver.cuMemsetD8Async(buf, 0xCD, n // 2, stream))
    graph = check(driver.cuStreamEndCapture(stream))

    nodes, count = check(driver.cuGraphGetNodes(graph))   # ask how many first
    nodes, count = check(driver.cuGraphGetNodes(graph, count))
    kinds = [check(driver.cuGraphNodeGetType(node)).name for node in nodes]

    exe = check(driver.cuGraphInstantiate(graph, 0))
    for _ in range(100):
        check(driver.cuGraphLaunch(exe, stream))
    host = bytearray(n)
    check(driver.cuMemcpyDtoHAsync(host, buf, n, stream))
    check(driver.cuStreamSynchronize(stream))
    ok = host[: n // 2] == b"\xcd" * (n // 2) and host[n // 2:] == b"\xab" * (n // 2)
    print("graph of %d nodes %s replayed 100 times: %s" % (count, kinds, "ok" if ok else "WRONG"))

    check(driver.cuGraphExecDestroy(exe))
    check(driver.cuGraphDestroy(graph))
    check(driver.cuMemFree(buf))
    check(driver.cuStreamDestroy(stream))
    check(driver.cuDevicePrimaryCtxRelease(device))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
