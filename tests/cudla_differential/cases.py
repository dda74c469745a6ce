"""The cuDLA differential cases, run against the fake libcudla.so.1
(cudla_fake/): every function the reference binds, called as user code
does, with what the library saw logged (the fake's log, handles by index);
enums, the struct classes and their dtypes, CudlaError; and bad arguments:
wrong types, None, out-of-range and negative numbers, wrong-length or
wrong-sized buffers, objects that misbehave while converted.  Each case
is a snippet whose last expression is observed on both packages; none
returns a raw handle or address (they differ between processes)."""
import json
import os

from differential import harness

HERE = os.path.dirname(os.path.abspath(__file__))
API = os.path.join(HERE, "..", "..", "..", "shared", "api", "cudla.json")

PRELUDE = """
import ctypes
import numpy as np
_fake = ctypes.CDLL("libcudla.so.1")
_fake.fakecudla_log.restype = ctypes.c_char_p
def log():
    text = _fake.fakecudla_log().decode()
    _fake.fakecudla_log_clear()
    return text
""" + harness.EXPLODING + """
MOD = bytes([4, 2, 9])
d = cudla.create_device(0, 0)
log()
"""


def fields_of(module_var, h):
    return ("[(x.name, x.size_, x.n, x.c, x.h, x.w, x.data_format, x.data_type, x.data_category, x.pixel_format, "
            "x.pixel_mapping, list(x.stride)) for x in cudla.module_get_attributes(%s, %d)]" % (module_var, h))


CALLS = [
    "cudla.get_version()", "cudla.device_get_count()", "(cudla.get_version(), log())",
    # the fake's handles have their top bit set: an intptr_t below zero, taken back as it came
    "(d < 0, type(d).__name__)",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); r = h < 0; cudla.module_unload(h, 0); (r, log())",
    "e = cudla.create_device(1, 0); (type(e).__name__, e != 0, log())",
    "cudla.create_device(9, 0)", "cudla.create_device(0, 7)", "cudla.create_device(0, 1)",
    "try:\n    cudla.create_device(0, 3)\nexcept cudla.CudlaError:\n    pass\nlog()", "cudla.create_device(0, 2)",
    "cudla.destroy_device(-1)", "cudla.mem_unregister(d, -1)",
    "cudla.destroy_device(d); log()", "cudla.destroy_device(0)",
    "a = cudla.device_get_attribute(d, 0); (type(a).__name__, a.unified_addressing_supported, log())",
    "a = cudla.device_get_attribute(d, 1); (a.device_version, a.unified_addressing_supported)",
    "a = cudla.device_get_attribute(d, cudla.DevAttributeType.DEVICE_VERSION); a.device_version",
    "cudla.device_get_attribute(d, 7)", "cudla.device_get_attribute(0, 0)",
    "try:\n    cudla.device_get_attribute(d, 7)\nexcept cudla.CudlaError:\n    pass\n"
    "(cudla.get_last_error(d), cudla.get_last_error(d), log())",
    "type(cudla.get_last_error(d)).__name__", "cudla.get_last_error(0)",
    "b = np.zeros(64, np.uint8); p = cudla.mem_register(d, b.ctypes.data, 64, 0); (p - b.ctypes.data, log())",
    "b = np.zeros(64, np.uint8); p = cudla.mem_register(d, b.ctypes.data, 64, 0); cudla.mem_unregister(d, p)",
    "cudla.mem_register(d, 0, 64, 0)", "cudla.mem_register(d, 8, 0, 0)", "cudla.mem_unregister(d, 0)",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); r = (type(h).__name__, log()); cudla.module_unload(h, 0); r",
    "h = cudla.module_load_from_memory(d, bytearray(MOD), 3, 1); cudla.module_unload(h, 0); log()",
    "h = cudla.module_load_from_memory(d, memoryview(MOD), 3, 0); cudla.module_unload(h, 0); log()",
    "a = np.frombuffer(MOD, np.uint8); h = cudla.module_load_from_memory(d, a, 3, 0); cudla.module_unload(h, 0); log()",
    "a = np.frombuffer(MOD, np.uint8); h = cudla.module_load_from_memory(d, a.ctypes.data, 3, 0); "
    "cudla.module_unload(h, 0); log()",
    "cudla.module_load_from_memory(d, None, 3, 0)", "cudla.module_load_from_memory(d, MOD, 0, 0)",
    "cudla.module_load_from_memory(d, b'', 0, 0)", "cudla.module_load_from_memory(0, MOD, 3, 0)",
    "h = cudla.module_load_from_memory(d, bytes([1, 0]), 2, 0); r = [cudla.module_get_attributes(h, t) "
    "for t in (0, 1, 4)]; cudla.module_unload(h, 0); r",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); r = " + fields_of("h", 2) + "; cudla.module_unload(h, 0); r",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); r = " + fields_of("h", 3) + "; cudla.module_unload(h, 0); r",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); r = " + fields_of("h", 5) + "; cudla.module_unload(h, 0); r",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); log(); cudla.module_get_attributes(h, 2); "
    "cudla.module_unload(h, 0); log()",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); r = [type(x).__name__ for x in "
    "cudla.module_get_attributes(h, cudla.ModuleAttributeType.OUTPUT_TENSOR_DESCRIPTORS)]; cudla.module_unload(h, 0); r",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); cudla.module_unload(h, 0); cudla.module_get_attributes(h, 0)",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); cudla.module_unload(h, 0); cudla.module_get_attributes(h, 2)",
    "cudla.module_get_attributes(0, 6)", "cudla.module_get_attributes(0, -1)", "cudla.module_get_attributes(0, 2)",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); cudla.module_unload(h, 0); cudla.module_unload(h, 0)",
    "cudla.set_task_timeout_in_ms(d, 5); log()", "cudla.set_task_timeout_in_ms(d, 0)",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); t = cudla.Task(); t.module_handle = h; log(); "
    "cudla.submit_task(d, t, 1, 0, 0); cudla.module_unload(h, 0); log()",
    "h = cudla.module_load_from_memory(d, MOD, 3, 0); t = cudla.Task(); t.module_handle = h; log(); "
    "cudla.submit_task(d, t.ptr, 1, 0, 3); cudla.module_unload(h, 0); log()",
    "cudla.submit_task(d, None, 1, 0, 0)", "t = cudla.Task(); cudla.submit_task(d, t, 1, 0, 0)",
    "t = cudla.Task(); cudla.submit_task(d, t, 0, 0, 0)",
    "cudla.check_status(0)", "cudla.check_status(3)", "cudla.check_status(cudla.Status.ERROR_CUDA)",
    "cudla.check_status(1.5)", "cudla.check_status(True)", "cudla.check_status(-1)", "cudla.check_status(12345)",
]

BAD = [
    "cudla.create_device(-1, 0)", "cudla.create_device(2**64, 0)", "cudla.create_device(None, 0)",
    "cudla.create_device(0, -1)", "cudla.create_device(0, 2**32)", "cudla.create_device('0', 0)",
    "cudla.create_device(0)", "cudla.create_device(0, 0, 0)", "cudla.create_device(Exploding(), 0)",
    "cudla.destroy_device(None)", "cudla.destroy_device(1.5)", "cudla.destroy_device(2**63)",
    "cudla.destroy_device(cudla.Task())", "cudla.device_get_attribute(d, None)",
    "cudla.device_get_attribute(d, 2**31)", "cudla.device_get_attribute(None, 0)",
    "cudla.device_get_attribute(d, Exploding())", "cudla.get_last_error(None)", "cudla.get_last_error('x')",
    "cudla.mem_register(d, None, 64, 0)", "cudla.mem_register(d, 8, -1, 0)", "cudla.mem_register(d, 8, 2**64, 0)",
    "cudla.mem_register(d, 8.0, 64, 0)", "cudla.mem_register(d, b'x' * 64, 64, 0)",
    "cudla.mem_unregister(d, None)", "cudla.mem_unregister(d, -2**63 - 1)",
    "cudla.module_load_from_memory(d, MOD, 4, 0)", "cudla.module_load_from_memory(d, MOD, 2, 0)",
    "cudla.module_load_from_memory(d, MOD + b'x', 3, 0)", "cudla.module_load_from_memory(d, 'abc', 3, 0)",
    "cudla.module_load_from_memory(d, 1.5, 3, 0)", "cudla.module_load_from_memory(d, [4, 2, 9], 3, 0)",
    "cudla.module_load_from_memory(d, Exploding(), 3, 0)", "cudla.module_load_from_memory(d, MOD, -1, 0)",
    "cudla.module_load_from_memory(d, MOD, None, 0)", "cudla.module_load_from_memory(d, MOD, 3, -1)",
    "cudla.module_load_from_memory(d, np.zeros((2, 3), np.uint8)[:, 1], 2, 0)",
    "cudla.module_get_attributes(None, 0)", "cudla.module_get_attributes(0, None)",
    "cudla.module_get_attributes(0, 'x')", "cudla.module_get_attributes(0, 2**40)",
    "cudla.module_unload(None, 0)", "cudla.module_unload(0, -1)", "cudla.set_task_timeout_in_ms(d, -1)",
    "cudla.set_task_timeout_in_ms(d, 2**32)", "cudla.set_task_timeout_in_ms(d, None)",
    "cudla.submit_task(d, 'x', 1, 0, 0)", "cudla.submit_task(d, b'x', 1, 0, 0)",
    "cudla.submit_task(d, Exploding(), 1, 0, 0)", "cudla.submit_task(d, cudla.Task(), -1, 0, 0)",
    "cudla.submit_task(d, cudla.Task(), 1, None, 0)", "cudla.submit_task(d, cudla.Task(), 1, 0, None)",
    "cudla.check_status(None)", "cudla.check_status('x')", "cudla.check_status(2**40)", "cudla.check_status(2**70)",
    "cudla.check_status(Exploding())", "cudla.check_status()", "cudla.check_status(status=3)",
]

ERRORS = [
    "cudla.CudlaError(3)", "str(cudla.CudlaError(3))", "cudla.CudlaError(3).args", "vars(cudla.CudlaError(3))",
    "vars(cudla.CudlaError(cudla.Status.ERROR_CUDA))", "cudla.CudlaError(0)", "cudla.CudlaError(True)",
    "cudla.CudlaError('x')", "cudla.CudlaError(None)", "cudla.CudlaError(-1)", "cudla.CudlaError(2**70)",
    "cudla.CudlaError()", "cudla.CudlaError(3, 4)", "cudla.CudlaError(status=8)",
    "cudla.CudlaError(3).__reduce__()", "cudla.CudlaError.__mro__", "cudla.CudlaError.__module__",
    "import pickle; e = pickle.loads(pickle.dumps(cudla.CudlaError(8))); (str(e), vars(e))",
    "try:\n    cudla.create_device(9, 0)\nexcept cudla.CudlaError as e:\n    r = (e.status, type(e.status).__name__, str(e))\nr",
    "try:\n    cudla.check_status(0x40000001)\nexcept cudla.CudlaError as e:\n    r = (e.status, str(e))\nr",
]


def enum_cases():
    api = json.load(open(API))
    out = []
    for name in sorted(api["enums"]):
        e = "cudla." + name
        out += ["list(%s.__members__.items())" % e, "%s.__doc__" % e, "[m.__doc__ for m in %s]" % e,
                "[repr(m) for m in %s]" % e, "[str(m) for m in %s]" % e, "%s.__mro__[1:]" % e,
                "type(%s).__name__" % e, "%s(list(%s)[0].value)" % (e, e), "%s(-12345)" % e,
                "[format(m) for m in %s]" % e, "%s.__module__, %s.__qualname__" % (e, e),
                "import pickle; [pickle.loads(pickle.dumps(m)) is m for m in %s]" % e]
    out += ["cudla.FenceType.NVSCISYNC_FENCE is cudla.FenceType.FENCE", "cudla.Status['Success']",
            "cudla.Status.ErrorInvalidParam is cudla.Status.ERROR_INVALID_PARAM", "cudla.Status(0x7fffffff)",
            "cudla.ScratchMemoryConfig.MAX", "cudla.Mode.STANDALONE | cudla.ScratchMemoryConfig.SHARED_STATIC",
            "isinstance(cudla.Status.SUCCESS, int)", "import enum; isinstance(cudla.Status.SUCCESS, enum.IntEnum)"]
    return out


def fields(name):
    api = json.load(open(API))
    return [f for f in api["classes"][name]["fields"] if f != "ptr"]


RECORDS = ("DevAttribute", "ExternalMemoryHandleDesc", "ExternalSemaphoreHandleDesc", "Fence", "ModuleAttribute",
           "ModuleTensorDescriptor", "SignalEvents", "Task", "WaitEvents")


def record_cases():
    out = []
    for name in RECORDS:
        c = "cudla." + name
        out += ["%s.__doc__" % c, "len(%s())" % c, "sorted(n for n in dir(%s()) if not n.startswith('__'))" % c,
                "%s() == %s()" % (c, c), "int(%s()) != 0" % c, "%s(2)" % c, "%s(size=2)" % c,
                "%s.from_buffer(bytearray(1 << 12)).ptr != 0" % c, "%s.from_ptr(0)" % c, "%s.from_data(1)" % c,
                "%s.from_data(None)" % c, "%s.from_buffer(b'')" % c]
        out += ["getattr(%s, %r).__doc__" % (c, f) for f in fields(name)]
        out += ["getattr(%s(), %r)" % (c, f) for f in fields(name)]
    out += [
        "a = cudla.DevAttribute(); a.device_version = 0x1234; (a.device_version, a.unified_addressing_supported)",
        "a = cudla.DevAttribute(); a.unified_addressing_supported = 300",
        "a = cudla.DevAttribute(); a.device_version = -1",
        "f = cudla.Fence(); f.fence = 5; f.type = 2; (f.fence, f.type, type(f.type).__name__)",
        "f = cudla.Fence(); f.type = cudla.FenceType.FENCE_SOF; f.type", "f = cudla.Fence(); f.type = 'x'",
        "m = cudla.ModuleTensorDescriptor(); m.n = 7; m.c = 2**64 - 1; (m.n, m.c)",
        "m = cudla.ModuleTensorDescriptor(); m.name = 'abc'", "m = cudla.ModuleTensorDescriptor(); m.name",
        "m = cudla.ModuleTensorDescriptor(); m.stride = list(range(8)); list(m.stride)",
        "m = cudla.ModuleTensorDescriptor(); m.stride = [1, 2]", "m = cudla.ModuleTensorDescriptor(); m.data_type = 256",
        "m = cudla.ModuleTensorDescriptor(); m.size_ = 9; m.size_",
        "x = cudla.ExternalMemoryHandleDesc(); x.size_ = 10; x.ext_buf_object = 12; (x.size_, x.ext_buf_object)",
        "x = cudla.ExternalSemaphoreHandleDesc(); x.ext_sync_object = 3; x.ext_sync_object",
        "t = cudla.Task(); t.module_handle = 99; t.module_handle", "t = cudla.Task(); t.module_handle = None",
        "t = cudla.Task(); t.input_tensor = [1, 2]; (list(t.input_tensor), t.output_tensor)",
        "t = cudla.Task(); t.output_tensor = [5]; list(t.output_tensor)", "t = cudla.Task(); t.input_tensor = 5",
        "t = cudla.Task(); w = cudla.WaitEvents(); t.wait_events = w.ptr; t.wait_events == w.ptr",
        "t = cudla.Task(); t.signal_events = 0; t.signal_events",
        "w = cudla.WaitEvents(); w.pre_fences = [cudla.Fence(), cudla.Fence()]; len(w.pre_fences)",
        "w = cudla.WaitEvents(); f = cudla.Fence(); f.type = 1; w.pre_fences = [f]; [x.type for x in w.pre_fences]",
        "w = cudla.WaitEvents(); w.pre_fences = [1]",
        "s = cudla.SignalEvents(); s.dev_ptrs = [1, 2, 3]; list(s.dev_ptrs)",
        "s = cudla.SignalEvents(); s.eof_fences = [cudla.Fence()]; len(s.eof_fences)",
        "ma = cudla.ModuleAttribute(); ma.num_input_tensors = 4; (ma.num_output_tensors, ma.input_tensor_desc)",
        "ma = cudla.ModuleAttribute(); ma.input_tensor_desc = 5; ma.output_tensor_desc",
        # a task with its tensors and events, read by the library as it is laid out
        "h = cudla.module_load_from_memory(d, MOD, 3, 0); t = cudla.Task(); t.module_handle = h; "
        "t.input_tensor = [8, 0]; t.output_tensor = [16]; w = cudla.WaitEvents(); f = cudla.Fence(); f.fence = 1; "
        "f.type = 2; w.pre_fences = [f]; t.wait_events = w.ptr; s = cudla.SignalEvents(); s.eof_fences = [cudla.Fence()]; "
        "t.signal_events = s.ptr; log(); cudla.submit_task(d, t, 1, 0, 0); cudla.module_unload(h, 0); log()",
    ]
    for dt in ("dev_attribute", "external_memory_handle_desc", "external_semaphore_handle_desc", "fence",
               "module_attribute", "module_tensor_descriptor", "signal_events", "task", "wait_events"):
        out.append("cudla.%s_dtype" % dt)
    out += ["sorted(n for n in dir(cudla) if not n.startswith('_'))"]
    return out


def all_cases():
    codes = [PRELUDE + c for c in CALLS + BAD + ERRORS] + enum_cases() + [PRELUDE + c for c in record_cases()]
    return [{"id": "cudla-%03d" % i, "code": code} for i, code in enumerate(codes)]
