"""The NVML calls written by hand (csrc/cb_nvml_calls.h) against the fake
libnvidia-ml.so.1, for what the differential cases do not reach: the UUID
lengths (binary UUIDs are 16 bytes, a reviewed difference), bytes-only
arguments, the PRM size limit, the room system_event_set_wait makes, the
payload event_set_get_context_data_v1 asks for, and counters taken only as
their class.  Each run is a fresh process with the fake on its path."""
import json

import pytest
from helpers import run_python

PRELUDE = r"""
import json
from cuda.bindings import nvml
nvml.init_v2()
h = nvml.device_get_handle_by_index_v2(0)
out = {}
def outcome(f, *args):
    try:
        r = f(*args)
    except Exception as e:
        return [type(e).__name__, str(e)]
    return ["value", type(r).__name__]
"""


def run(fake_nvml, code):
    r = run_python(PRELUDE + code + "\nprint(json.dumps(out))", env={"LD_LIBRARY_PATH": fake_nvml})
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_uuid_lengths_and_types(fake_nvml):
    out = run(fake_nvml, r"""
for t, n in [(1, 40), (1, 39), (1, 41), (2, 16), (2, 15), (0, 40), (3, 16)]:
    out["%d/%d" % (t, n)] = outcome(nvml.device_get_handle_by_uuidv, t, b"G" * n)[0]
for bad in ["GPU-x", bytearray(40), None, memoryview(b"x" * 40)]:
    out[type(bad).__name__] = outcome(nvml.device_get_handle_by_uuidv, 1, bad)[0]
out["type"] = outcome(nvml.device_get_handle_by_uuidv, 2 ** 40, b"G" * 40)[0]
out["kw"] = nvml.device_get_handle_by_uuidv(type=1, uuid=b"G" * 40) != 0
""")
    assert out == {"1/40": "value", "1/39": "ValueError", "1/41": "ValueError", "2/16": "value",
                   "2/15": "ValueError", "0/40": "ValueError", "3/16": "ValueError", "str": "TypeError",
                   "bytearray": "TypeError", "NoneType": "TypeError", "memoryview": "TypeError",
                   "type": "OverflowError", "kw": True}


def test_prm_data_limit(fake_nvml):
    out = run(fake_nvml, r"""
for n in (0, 495, 496, 10000):
    out[str(n)] = outcome(nvml.device_read_write_prm_v1, h, b"a" * n)[0]
status, data = nvml.device_read_write_prm_v1(h, b"abc")
out["shape"] = [type(status).__name__, type(data).__name__]
out["str"] = outcome(nvml.device_read_write_prm_v1, h, "abc")[0]
""")
    assert out == {"0": "value", "495": "value", "496": "ValueError", "10000": "ValueError",
                   "shape": ["int", "bytes"], "str": "TypeError"}


def test_system_event_wait_room(fake_nvml):
    out = run(fake_nvml, r"""
s = nvml.system_event_set_create()
for n in (0, 1, 3, 100):
    r = nvml.system_event_set_wait(s, 1, n)
    out[str(n)] = [type(r).__name__, len(r)]
out["neg"] = outcome(nvml.system_event_set_wait, s, 1, -1)[0]
out["huge"] = outcome(nvml.system_event_set_wait, s, 1, 2 ** 32)[0]
out["handle"] = outcome(nvml.system_event_set_wait, 1.5, 1, 1)[0]
""")
    # the fake reports 3 events: as many come back as it wrote, never more than the room
    assert out == {"0": ["SystemEventData_v1", 0], "1": ["SystemEventData_v1", 1], "3": ["SystemEventData_v1", 3],
                   "100": ["SystemEventData_v1", 3], "neg": "OverflowError", "huge": "OverflowError",
                   "handle": "TypeError"}


def test_context_data_and_counters(fake_nvml):
    out = run(fake_nvml, r"""
es = nvml.event_set_create()
out["data"] = type(nvml.event_set_get_context_data_v1(es, 1)).__name__
out["neg"] = outcome(nvml.event_set_get_context_data_v1, es, -1)[0]
c = nvml.PRMCounter_v1(2)
out["same"] = nvml.device_read_prm_counters_v1(h, c) is c
for bad in [None, 5, [1, 2], nvml.ProcessInfo(2)]:
    out[type(bad).__name__] = outcome(nvml.device_read_prm_counters_v1, h, bad)[0]
out["report"] = outcome(nvml.device_get_conf_compute_gpu_attestation_report, h, b"n" * 100)
out["nonce_str"] = outcome(nvml.device_get_conf_compute_gpu_attestation_report, h, "n")[0]
""")
    assert out == {"data": "bytes", "neg": "OverflowError", "same": True, "NoneType": "TypeError",
                   "int": "TypeError", "list": "TypeError", "ProcessInfo": "TypeError",
                   "report": ["value", "ConfComputeGpuAttestationReport"],
                   "nonce_str": "TypeError"}
