"""Differential probe, cuFile: file I/O to and from GPU memory through
cuda.bindings.cufile, on NVIDIA's package and on ours (.ci/gpu-differential
runs it under both and diffs the outputs).

The GPU machine has no GDS-capable storage, so cuFile runs in its
compatibility mode (POSIX I/O inside the library), switched on in its JSON
configuration (CUFILE_ENV_PATH_JSON).  A pattern is written from device
memory to a file and read back into another device buffer, then compared:
with read/write, readv/writev, batch I/O and stream-async I/O.  Parameter
and statistics queries follow.  Byte counts and comparisons are printed;
a call that raises prints the exception's class."""
import json
import os
import tempfile

import numpy as np
from cuda.bindings import cufile
from cuda.bindings import driver as cu



def render(x):
    if isinstance(x, (list, tuple)):
        return "%s[%s]" % (type(x).__name__, ", ".join(render(i) for i in x))
    if hasattr(type(x), "__members__"):
        return repr(x)
    if type(x) is int and abs(x) >= 1 << 32:
        return "int:address"
    if x is None or type(x) in (bool, int, str, float):
        return "%s:%r" % (type(x).__name__, x)
    return "<%s>" % type(x).__name__


def show(label, f, *a, **k):
    """f's result, or what it raised: a cuFileError with its message (alike on both sides)."""
    try:
        r = f(*a, **k)
    except cufile.cuFileError as e:
        print(label, "RAISES cuFileError", str(e))
        return None
    except BaseException as e:  # noqa: BLE001 - the class is what both sides print
        print(label, "RAISES", type(e).__name__)
        return None
    print(label, "->", render(r))
    return r
SIZE = 1 << 20
HALF = SIZE // 2


def check(status_and_values):
    status, *values = status_and_values
    assert status == cu.CUresult.CUDA_SUCCESS, status
    return values[0] if len(values) == 1 else values


def device_buffer(pattern):
    ptr = check(cu.cuMemAlloc(SIZE))
    if pattern is not None:
        check(cu.cuMemcpyHtoD(ptr, pattern, SIZE))
    else:
        check(cu.cuMemsetD8(ptr, 0, SIZE))
    return ptr


def device_bytes(ptr):
    host = np.zeros(SIZE, dtype=np.uint8)
    check(cu.cuMemcpyDtoH(host, ptr, SIZE))
    return host


def same(label, a, b):
    print(label, "same" if np.array_equal(a, b) else "DIFFERENT (%d bytes differ)" % int((a != b).sum()))


def main():
    work = tempfile.mkdtemp(prefix="cufile-probe-")
    config = os.path.join(work, "cufile.json")
    with open(config, "w") as f:
        json.dump({"logging": {"dir": work, "level": "ERROR"},
                   "properties": {"allow_compat_mode": True, "force_compat_mode": True,
                                  "use_poll_mode": False}}, f)
    os.environ["CUFILE_ENV_PATH_JSON"] = config

    check(cu.cuInit(0))
    dev = check(cu.cuDeviceGet(0))
    ctx = check(cu.cuDevicePrimaryCtxRetain(dev))
    check(cu.cuCtxSetCurrent(ctx))
    pattern = (np.arange(SIZE, dtype=np.uint32) * 2654435761 >> 13).astype(np.uint8)
    src, dst = device_buffer(pattern), device_buffer(None)

    show("get_version", cufile.get_version)
    show("driver_open", cufile.driver_open)
    show("use_count", cufile.use_count)
    for p in (cufile.BoolConfigParameter.PROPERTIES_ALLOW_COMPAT_MODE, cufile.BoolConfigParameter.FORCE_COMPAT_MODE):
        show("get_parameter_bool %s" % p.name, cufile.get_parameter_bool, p)
    show("get_parameter_size_t MAX_DIRECT_IO_SIZE_KB", cufile.get_parameter_size_t,
         cufile.SizeTConfigParameter.PROPERTIES_MAX_DIRECT_IO_SIZE_KB)
    show("get_parameter_min_max_value IO_BATCHSIZE", cufile.get_parameter_min_max_value,
         cufile.SizeTConfigParameter.PROPERTIES_IO_BATCHSIZE)
    show("get_parameter_string LOGGING_LEVEL", cufile.get_parameter_string,
         cufile.StringConfigParameter.LOGGING_LEVEL, 64)
    show("set_stats_level 1", cufile.set_stats_level, 1)
    show("get_stats_level", cufile.get_stats_level)
    show("stats_start", cufile.stats_start)

    # the first folder whose file system cuFile takes (the probe's own, then /dev/shm, then here)
    fh = None
    for folder, direct in [(f, d) for f in (work, "/dev/shm", os.getcwd()) for d in (False, True)]:
        path = os.path.join(folder, "cufile-probe-%d.bin" % os.getpid())
        try:
            fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_TRUNC | (os.O_DIRECT if direct else 0), 0o600)
        except OSError as e:
            print("open (%s%s) RAISES" % (folder == work and "probe's folder" or folder, ", O_DIRECT" * direct),
                  type(e).__name__)
            continue
        descr = cufile.Descr()
        descr.type = cufile.FileHandleType.OPAQUE_FD
        descr.handle.fd = fd
        descr.fs_ops = 0
        fh = show("handle_register (%s%s)" % ("probe's folder" if folder == work else folder, ", O_DIRECT" * direct),
                  cufile.handle_register, descr.ptr)
        if fh is not None:
            break
        os.close(fd)
        os.unlink(path)
    if fh is None:
        print("no file system cuFile takes; probe finished")
        return
    show("buf_register src", cufile.buf_register, int(src), SIZE, 0)
    show("buf_register dst", cufile.buf_register, int(dst), SIZE, 0)

    # read / write
    show("write", cufile.write, fh, int(src), SIZE, 0, 0)
    print("file size", os.fstat(fd).st_size)
    show("read", cufile.read, fh, int(dst), SIZE, 0, 0)
    same("read back", device_bytes(dst), pattern)
    show("read at an offset", cufile.read, fh, int(dst), HALF, HALF, 0)
    same("read back at an offset", device_bytes(dst)[:HALF], pattern[HALF:])

    # writev / readv: two halves, swapped in the file
    check(cu.cuMemsetD8(dst, 0, SIZE))
    iov = cufile.IOVec(2)
    iov.base_ = [int(src) + HALF, int(src)]
    iov.len = [HALF, HALF]
    show("writev", cufile.writev, fh, iov, SIZE)
    back = cufile.IOVec(2)
    back.base_ = [int(dst), int(dst) + HALF]
    back.len = [HALF, HALF]
    show("readv", cufile.readv, fh, back, SIZE)
    same("readv back", device_bytes(dst), np.concatenate([pattern[HALF:], pattern[:HALF]]))

    # batch I/O: two reads of the halves
    check(cu.cuMemsetD8(dst, 0, SIZE))
    batch = show("batch_io_set_up", cufile.batch_io_set_up, 2)
    params = cufile.IOParams(2)
    params.mode = [int(cufile.BatchMode.BATCH)] * 2
    params.fh = [fh, fh]
    params.opcode = [int(cufile.Opcode.READ)] * 2
    params.cookie = [1, 2]
    u = params.u
    u.batch.dev_ptr_base = [int(dst), int(dst)]
    u.batch.file_offset = [0, HALF]
    u.batch.dev_ptr_offset = [0, HALF]
    u.batch.size_ = [HALF, HALF]
    params.u = u
    show("batch_io_submit", cufile.batch_io_submit, batch, 2, params.ptr, 0)
    events = cufile.IOEvents(2)
    nr = np.zeros(1, dtype=np.uint32)
    timeout = np.array([5, 0], dtype=np.int64)   # struct timespec: 5 s
    done, failed = 0, None
    for _ in range(100):
        nr[0] = 2 - done
        try:
            cufile.batch_io_get_status(batch, 1, nr.ctypes.data, events[done:].ptr, timeout.ctypes.data)
        except Exception as e:   # noqa: BLE001 - the class is what both sides print
            failed = type(e).__name__
            break
        done += int(nr[0])
        if done >= 2:
            break
    print("batch completed", done, "raised", failed)
    print("batch events", sorted((int(c), repr(cufile.Status(int(s))), int(r))
                                 for c, s, r in zip(events.cookie, events.status, events.ret)))
    # the file's first SIZE bytes are write's (writev wrote its swapped halves at offset SIZE)
    same("batch read back", device_bytes(dst), pattern)
    show("batch_io_destroy", cufile.batch_io_destroy, batch)

    # stream-async: write the pattern again, read it back, on one stream
    check(cu.cuMemsetD8(dst, 0, SIZE))
    stream = check(cu.cuStreamCreate(0))
    show("stream_register", cufile.stream_register, int(stream), 0)
    size = np.array([SIZE], dtype=np.uint64)
    file_offset = np.array([0], dtype=np.int64)
    buf_offset = np.array([0], dtype=np.int64)
    written = np.array([-7], dtype=np.int64)
    got = np.array([-7], dtype=np.int64)
    show("write_async", cufile.write_async, fh, int(src), size.ctypes.data, file_offset.ctypes.data,
         buf_offset.ctypes.data, written.ctypes.data, int(stream))
    show("read_async", cufile.read_async, fh, int(dst), size.ctypes.data, file_offset.ctypes.data,
         buf_offset.ctypes.data, got.ctypes.data, int(stream))
    check(cu.cuStreamSynchronize(stream))
    print("async bytes written", int(written[0]), "read", int(got[0]))
    same("async read back", device_bytes(dst), pattern)
    show("stream_deregister", cufile.stream_deregister, int(stream))

    # statistics
    l1 = cufile.StatsLevel1()
    show("get_stats_l1", cufile.get_stats_l1, l1)
    print("stats read ops ok", l1.read_ops.ok, "err", l1.read_ops.err, "write ops ok", l1.write_ops.ok)
    l2 = cufile.StatsLevel2()
    show("get_stats_l2", cufile.get_stats_l2, l2.ptr)
    print("stats l2 basic read bytes", render(l2.basic.read_bytes))
    l3 = cufile.StatsLevel3()
    show("get_stats_l3", cufile.get_stats_l3, l3)
    print("stats l3 gpus", l3.num_gpus, "per gpu", len(l3.per_gpu_stats))
    show("stats_stop", cufile.stats_stop)

    # errors: a read past what a handle allows, a bad status text, after deregistering
    show("op_status_error 5001", cufile.op_status_error, 5001)
    show("buf_deregister src", cufile.buf_deregister, int(src))
    show("buf_deregister dst", cufile.buf_deregister, int(dst))
    show("handle_deregister", cufile.handle_deregister, fh)
    os.close(fd)
    os.unlink(path)
    show("driver_close", cufile.driver_close)
    check(cu.cuStreamDestroy(stream))
    check(cu.cuMemFree(src))
    check(cu.cuMemFree(dst))
    print("probe finished")


if __name__ == "__main__":
    main()
