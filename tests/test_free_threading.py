"""Threads racing on what is made on first use (classes, enum members) and on
one shared struct object.  Each case runs in a fresh interpreter, so that
nothing is made before the threads start.  On a free-threaded CPython
(3.13t) the modules declare Py_mod_gil: the GIL stays off and these races
are real."""
import sysconfig

import pytest
from helpers import run_python

FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

RACE = """
import sys, threading, warnings
warnings.simplefilter("error")   # the GIL turned back on is a RuntimeWarning
from cuda.bindings import driver, nvrtc, runtime
barrier = threading.Barrier(16)
errors = []

def run(work):
    def body(i):
        try:
            barrier.wait()
            work(i)
        except BaseException as e:
            errors.append(repr(e))
    threads = [threading.Thread(target=body, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
"""


@pytest.mark.skipif(not FREE_THREADED, reason="needs a free-threaded CPython")
def test_the_gil_stays_off():
    r = run_python(RACE + """
import cuda.bindings.nvjitlink, cuda.bindings.nvvm, cuda.bindings.nvfatbin, cuda.bindings.utils
import cuda.bindings.cydriver, cuda.bindings.cyruntime, cuda.bindings.cynvrtc
print("GIL", sys._is_gil_enabled())
""")
    assert "GIL False" in r.stdout, r.stdout + r.stderr


def test_classes_and_members_made_on_first_use_by_many_threads_at_once():
    r = run_python(RACE + """
def work(i):
    for _ in range(200):
        m = driver.CUDA_MEMCPY3D()
        assert type(m) is driver.CUDA_MEMCPY3D
        m.srcHost = b"x" * 8
        cfg = driver.CUlaunchConfig()
        cfg.attrs = [driver.CUlaunchAttribute()]
        assert type(cfg.attrs[0]) is driver.CUlaunchAttribute
        assert type(runtime.cudaDeviceProp().uuid) is runtime.cudaUUID_t
        s = runtime.cudaStream_t(i)
        assert isinstance(s, driver.CUstream) and driver.CUstream(i) == s
        assert driver.CUresult(i % 8) is driver.CUresult(i % 8)
        assert nvrtc.nvrtcGetErrorString(nvrtc.nvrtcResult(i % 8))[0] is nvrtc.nvrtcResult.NVRTC_SUCCESS
        try:
            driver.cuStreamQuery(s)       # the class another thread made is the one the call takes
        except RuntimeError:
            pass                          # no driver: converted, then refused by the loader
run(work)
print("ERRORS", errors[:3])
""")
    assert "ERRORS []" in r.stdout, r.stdout + r.stderr


def test_one_struct_object_set_and_read_by_many_threads():
    r = run_python(RACE + """
cfg = driver.CUlaunchConfig()
copy = driver.CUDA_MEMCPY2D()
node = driver.CUDA_KERNEL_NODE_PARAMS()
import ctypes

def work(i):
    for k in range(500):
        cfg.attrs = [driver.CUlaunchAttribute() for _ in range(1 + (i + k) % 4)]
        attrs = cfg.attrs
        assert 1 <= len(attrs) <= 4
        copy.srcHost = bytes(16 + i)
        copy.WidthInBytes = k
        node.kernelParams = ((i, k), (ctypes.c_int, ctypes.c_int))
        repr(copy)
run(work)
attrs = cfg.attrs
# each list set is whole; setting it leaves the count alone, as NVIDIA's
print("ERRORS", errors[:3], 1 <= len(attrs) <= 4 and all(type(a) is driver.CUlaunchAttribute for a in attrs),
      cfg.numAttrs == 0)
""")
    assert "ERRORS [] True True" in r.stdout, r.stdout + r.stderr
