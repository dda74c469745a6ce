"""The fake libnvidia-ml.so.1 (tests/nvml_fake) keeps its rules: the NVML
differential tests read NVIDIA's behaviour through it, so what they see is
only as good as these.  Each check runs in a process of its own (the fake is
loaded there by path, never into the test process)."""
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "nvml_fake"))
import build  # noqa: E402
import make_fake  # noqa: E402

PRELUDE = r"""
import ctypes, json, os, sys
fake = ctypes.CDLL(os.path.join(sys.argv[1], "libnvidia-ml.so.1"))
fake.fakenvml_log.restype = ctypes.c_char_p
def log():
    return fake.fakenvml_log().decode().splitlines()
def fn(name, *argtypes):
    f = getattr(fake, name)
    f.argtypes = argtypes
    return f
P = ctypes.c_void_p
U = ctypes.c_uint
out = {}
"""


def run(lib, code, env=None):
    full = dict(os.environ, **(env or {}))
    r = subprocess.run([sys.executable, "-P", "-c", PRELUDE + code + "\nprint(json.dumps(out))", lib],
                       capture_output=True, text=True, env=full, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def header():
    path = build.find_nvml_header()
    if path is None:
        pytest.skip("no nvml.h: install the test extras (nvidia-nvml-dev) or set $NVML_H")
    return path


def test_every_function_of_the_header_is_exported(fake_nvml, header):
    h = make_fake.parse(header)
    assert "nvmlDeviceGetTemperature" in h.functions   # the DEPRECATED(13.0) ones parse too
    names = sorted(h.functions)
    got = run(fake_nvml, "out['missing'] = [n for n in %r if not hasattr(fake, n)]" % names)
    assert got["missing"] == []
    assert len(names) > 400


def test_null_pointers_and_zeros_anywhere_are_safe(fake_nvml, header):
    """Every function called with every argument 0 (NULL pointers, zero
    counts and lengths) returns a code and logs the call."""
    h = make_fake.parse(header)
    calls = {n: len(f.params) for n, f in h.functions.items() if n != "nvmlErrorString"}
    got = run(fake_nvml, """
codes = {}
for name, n in %r.items():
    f = getattr(fake, name)
    f.argtypes = [ctypes.c_uint64] * n
    fake.fakenvml_log_clear()
    codes[name] = [f(*([0] * n)), log()]
out['codes'] = codes
""" % calls)
    for name, (code, lines) in got["codes"].items():
        assert len(lines) == 1 and lines[0].startswith(name + "(") and lines[0].endswith(") -> %d" % code), \
            (name, lines)


def test_in_out_counts_ask_then_fill(fake_nvml):
    got = run(fake_nvml, """
f = fn("nvmlDeviceGetComputeRunningProcesses_v3", P, ctypes.POINTER(U), P)
dev = P(0xfa4e00100000)
count = U(0)
out['ask'] = [f(dev, ctypes.byref(count), None), count.value]
buf = (ctypes.c_char * (64 * 3))()
count = U(2)
out['short'] = [f(dev, ctypes.byref(count), buf), count.value]
count = U(5)
out['fill'] = [f(dev, ctypes.byref(count), buf), count.value, any(buf.raw)]
fake.fakenvml_set_count(0)
count = U(0)
out['none'] = [f(dev, ctypes.byref(count), None), count.value]
out['log'] = log()
""")
    assert got["ask"] == [7, 3]
    assert got["short"] == [7, 3]
    assert got["fill"] == [0, 3, True]
    assert got["none"] == [0, 0]
    assert got["log"][0] == "nvmlDeviceGetComputeRunningProcesses_v3(device=device#0, infoCount=ptr(*=0), infos=NULL) -> 7"
    assert "infoCount=ptr(*=5)" in got["log"][2]


def test_environment_sets_count_and_return(fake_nvml):
    got = run(fake_nvml, """
f = fn("nvmlDeviceGetAccountingPids", P, ctypes.POINTER(U), P)
count = U(0)
out['code'] = [f(P(0xfa4e00100000), ctypes.byref(count), None), count.value]
""", env={"FAKE_NVML_COUNT": "5"})
    assert got["code"] == [7, 5]
    got = run(fake_nvml, """
f = fn("nvmlDeviceGetCount_v2", ctypes.POINTER(U))
n = U(77)
out['code'] = [f(ctypes.byref(n)), n.value]
fake.fakenvml_set_return(-1)
out['code'] += [fn("nvmlShutdown")()]
""", env={"FAKE_NVML_RETURN": "3"})
    assert got["code"] == [3, 77, 3]   # nothing written; the environment holds after a reset


def test_strings_fit_their_length(fake_nvml):
    got = run(fake_nvml, """
f = fn("nvmlDeviceGetName", P, ctypes.c_char_p, U)
buf = ctypes.create_string_buffer(b"#" * 16)
out['short'] = [f(P(0xfa4e00100000), buf, 5), buf.raw.decode('latin-1')]
out['long'] = [f(P(0xfa4e00100000), buf, 16), buf.value.decode()]
out['zero'] = f(P(0xfa4e00100000), buf, 0)
""")
    code, raw = got["short"]
    assert code == 0 and raw[4] == "\0" and raw[5:16] == "#" * 11 and raw[:4].isprintable()
    assert got["long"][0] == 0 and got["long"][1].isprintable() and 0 < len(got["long"][1]) < 16
    assert got["zero"] == 7


def test_handles_values_and_versions(fake_nvml, header):
    kinds = make_fake.handle_kinds(make_fake.parse(header))
    got = run(fake_nvml, """
h = P(0)
out['handle'] = [fn("nvmlDeviceGetHandleByIndex_v2", U, ctypes.POINTER(P))(0, ctypes.byref(h)), h.value]
fn("nvmlDeviceGetName", P, P, U)(h, None, 0)
mem = (ctypes.c_ulonglong * 8)()   # nvmlMemory_v2_t: version, then 4 unsigned long long
mem[0] = 0x2000028
out['mem'] = [fn("nvmlDeviceGetMemoryInfo_v2", P, P)(h, mem), list(mem)]
mem2 = (ctypes.c_ulonglong * 8)()
fn("nvmlDeviceGetMemoryInfo_v2", P, P)(h, mem2)
out['again'] = list(mem2)
out['err'] = [fn("nvmlErrorString", ctypes.c_int)(7)]
fake.nvmlErrorString.restype = ctypes.c_char_p
out['err'] = [fake.nvmlErrorString(7).decode(), fake.nvmlErrorString(12345).decode()]
out['log'] = log()
""")
    assert got["handle"] == [0, make_fake.handle_value(kinds, "nvmlDevice_t", 0)]
    assert "nvmlDeviceGetName(device=device#0, name=NULL, length=0)" in got["log"][1]
    code, mem = got["mem"]
    assert code == 0 and mem[0] == 0x2000028 and all(mem[1:5]) and not any(mem[5:])   # version kept; total..used filled
    assert got["again"][1:5] == mem[1:5]                                              # deterministic
    assert "memory=ptr{version=0x2000028" in got["log"][2]
    assert got["err"] == ["An input argument is not large enough", "Unknown Error"]
