"""The cuFile differential cases: what runs without a GPU or nvidia-fs (no
driver_open, handle_register or buf_register: cuFile waits on the driver
there), each a snippet whose last expression is observed on both packages.

Enums, the struct classes and their dtypes, cuFileError, the calls that
need no open driver (the version, parameters, statistics level, the
status texts), every call's failure without a driver, and bad arguments:
wrong types, None, out-of-range and negative numbers, wrong classes, and
objects that misbehave while converted."""
import json
import os

from differential import harness

HERE = os.path.dirname(os.path.abspath(__file__))
API = os.path.join(HERE, "..", "..", "..", "shared", "api", "cufile.json")

RECORDS = ("Descr", "IOEvents", "IOParams", "IOVec", "OpCounter", "PerGpuStats", "StatsLevel1", "StatsLevel2",
           "StatsLevel3")
ARRAYS = ("Descr", "IOEvents", "IOParams", "IOVec", "PerGpuStats")

# Calls that need no driver, with arguments that make the library answer at once.
CALLS = [
    "cufile.get_version()", "cufile.use_count()", "cufile.get_stats_level()",
    "cufile.op_status_error(5001)", "cufile.op_status_error(0)", "cufile.op_status_error(-1)",
    "cufile.op_status_error(99999)", "[cufile.op_status_error(int(x)) for x in cufile.OpError]",
    "cufile.get_parameter_size_t(cufile.SizeTConfigParameter.PROFILE_STATS)",
    "[cufile.get_parameter_size_t(p) for p in cufile.SizeTConfigParameter]",
    "[cufile.get_parameter_bool(p) for p in cufile.BoolConfigParameter]",
    "[cufile.get_parameter_min_max_value(p) for p in cufile.SizeTConfigParameter]",
    "cufile.get_parameter_string(0, 64)", "cufile.get_parameter_string(2, 256)",
    "cufile.get_parameter_string(1, 256)", "cufile.get_parameter_string(0, 0)",
    "cufile.set_parameter_size_t(1, 4); cufile.get_parameter_size_t(1)",
    "cufile.set_parameter_bool(0, True); cufile.get_parameter_bool(0)",
    "cufile.set_parameter_bool(0, 5); cufile.get_parameter_bool(0)",
    "cufile.set_parameter_bool(0, None); cufile.get_parameter_bool(0)",
    "cufile.set_parameter_bool(0, []); cufile.get_parameter_bool(0)",
    "cufile.set_stats_level(1); cufile.get_stats_level()",
    "cufile.set_stats_level(99)", "cufile.set_stats_level(-1)",
    "cufile.stats_start()", "cufile.stats_stop()", "cufile.stats_reset()",
    "cufile.get_stats_l1(cufile.StatsLevel1())", "cufile.get_stats_l1(0)", "cufile.get_stats_l1(None)",
    "cufile.get_stats_l2(cufile.StatsLevel2())", "cufile.get_stats_l3(cufile.StatsLevel3())",
    "cufile.get_stats_l1(cufile.StatsLevel2())",
    "cufile.driver_close()", "cufile.get_bar_size_in_kb(0)", "cufile.get_bar_size_in_kb(-1)",
    "cufile.read(0, 0, 0, 0, 0)", "cufile.read(0, 0, 1, -1, 0)", "cufile.write(0, 0, 0, 0, 0)",
    "cufile.readv(0, cufile.IOVec(1), 0)", "cufile.readv(0, cufile.IOVec(0), 0)",
    "cufile.writev(0, cufile.IOVec(3), 0, 0)", "cufile.writev(0, cufile.IOVec(3), 0)",
    "cufile.batch_io_submit(0, 1, 0, 0)", "cufile.batch_io_submit(0, 1, cufile.IOParams(1), 0)",
    "cufile.batch_io_get_status(0, 1, 0, 0, 0)", "cufile.batch_io_get_status(0, 1, 0, cufile.IOEvents(1), 0)",
    "cufile.batch_io_destroy(0)", "cufile.batch_io_cancel(0)", "cufile.batch_io_set_up(1)",
    "cufile.handle_deregister(0)", "cufile.buf_deregister(0)", "cufile.handle_deregister(-1)", "cufile.stream_register(0, 0)",
    "cufile.stream_deregister(0)", "cufile.driver_get_properties(0)", "cufile.driver_set_poll_mode(True, 4)",
    "cufile.driver_set_max_cache_size(1)", "cufile.driver_set_max_direct_io_size(1)",
    "cufile.driver_set_max_pinned_mem_size(1)", "cufile.set_parameter_string(0, 0)",
    "cufile.set_parameter_posix_pool_slab_array(0, 0, 0)", "cufile.get_parameter_posix_pool_slab_array(0, 0, 0)",
]

# Bad arguments: each raises on both sides (its class compared; messages are ours).
BAD = [
    "cufile.read(0, 0, 2**64, 0, 0)", "cufile.read(0, 0, -1, 0, 0)", "cufile.read(0, 0, 0, 2**63, 0)",
    "cufile.read(None, 0, 0, 0, 0)", "cufile.read(0.5, 0, 0, 0, 0)", "cufile.read('0', 0, 0, 0, 0)",
    "cufile.read(0, 0, 0, 0)", "cufile.read(0, 0, 0, 0, 0, 0)", "cufile.read(fh=0, buf_ptr_base=0)",
    "cufile.readv(0, 0, 0)", "cufile.readv(0, [1], 0)", "cufile.readv(0, cufile.IOEvents(1), 0)",
    "cufile.readv(0, cufile.IOVec(1), 2**63)",
    "cufile.batch_io_submit(0, 1, [], 0)", "cufile.batch_io_submit(0, -1, 0, 0)",
    "cufile.batch_io_submit(0, 2**32, 0, 0)", "cufile.get_stats_l1('x')", "cufile.get_stats_l1(1.5)",
    "cufile.set_parameter_string(0, b'x')", "cufile.set_parameter_string(0, None)",
    "cufile.get_parameter_size_t(2**31)", "cufile.get_parameter_size_t('a')", "cufile.get_parameter_size_t(None)",
    "cufile.get_parameter_string(0, -1)", "cufile.get_parameter_string(0, 2**31)",
    "cufile.op_status_error(2**31)", "cufile.op_status_error('a')", "cufile.op_status_error(None)",
    "cufile.set_stats_level(None)", "cufile.driver_set_poll_mode(True, -1)",
    "cufile.stream_register(None, 0)", "cufile.stream_register(0, -1)", "cufile.get_bar_size_in_kb(2**40)",
    "cufile.set_parameter_bool(0, Exploding())", "cufile.get_stats_l1(Exploding())",
    "cufile.handle_deregister(2**63)", "cufile.buf_register(-2**63 - 1, 0, 0)",
]

PRELUDE = harness.EXPLODING

ERRORS = [
    "cufile.cuFileError(5001, 0)", "str(cufile.cuFileError(5001, 0))", "cufile.cuFileError(5001, 0).args",
    "vars(cufile.cuFileError(5011, 100))", "cufile.cuFileError(5001)", "cufile.cuFileError(5001, None)",
    "vars(cufile.cuFileError(5001))", "cufile.cuFileError(22, 0)", "cufile.cuFileError(0, 0)",
    "cufile.cuFileError(5011, 999999)", "str(cufile.cuFileError(5011, 2))", "cufile.cuFileError('x')",
    "cufile.cuFileError()", "cufile.cuFileError(5001, 0, 1)", "vars(cufile.cuFileError(5001, cu_err=3))",
    "cufile.cuFileError(5001, 0).__reduce__()[1]", "cufile.cuFileError.__mro__",
    "import pickle; e = pickle.loads(pickle.dumps(cufile.cuFileError(5011, 2))); (str(e), vars(e))",
    "issubclass(cufile.cuFileError, Exception)", "cufile.cuFileError(cufile.OpError.INVALID_VALUE)",
    "try:\n    cufile.stats_start()\nexcept cufile.cuFileError as e:\n    r = (e.status, e.cuda_error, str(e))\nr",
    "try:\n    cufile.get_bar_size_in_kb(0)\nexcept cufile.cuFileError as e:\n    r = (e.status, e.cuda_error, str(e))\nr",
    "cufile.pyCUresult is driver.CUresult", "cufile.pyCUresult.__name__", "'pyCUresult' in dir(cufile)",
]


def enum_cases():
    api = json.load(open(API))
    out = []
    for name in sorted(api["enums"]):
        out += ["list(cufile.%s.__members__.items())" % name, "cufile.%s.__doc__" % name,
                "[m.__doc__ for m in cufile.%s]" % name, "[repr(m) for m in cufile.%s]" % name,
                "cufile.%s.__mro__[1:]" % name, "cufile.%s(list(cufile.%s)[0].value)" % (name, name),
                "cufile.%s(-12345)" % name]
    return out


def record_cases():
    out = []
    for name in RECORDS:
        c = "cufile." + name
        out += ["%s.__doc__" % c, "len(%s())" % c, "sorted(n for n in dir(%s()) if not n.startswith('__'))" % c,
                "%s() == %s()" % (c, c), "int(%s()) != 0" % c, "%s.from_buffer(bytearray(1 << 14))" % c,
                "%s.from_ptr(0)" % c, "%s.from_data(1)" % c, "%s.from_data(None)" % c]
        out += ["getattr(%s, %r).__doc__" % (c, f) for f in fields(name)]
        out += ["getattr(%s(), %r)" % (c, f) for f in fields(name)]
        if name in ARRAYS:
            out += ["len(%s(3))" % c, "%s(0)" % c, "%s(-1)" % c, "%s('a')" % c, "%s(size=2)" % c,
                    "[getattr(%s(2), f) for f in %r]" % (c, fields(name)), "%s(3)[1:]" % c, "%s(3)[5]" % c]
        else:
            out += ["%s(2)" % c]
    out += [
        "d = cufile.Descr(); d.type = 1; d.type", "d = cufile.Descr(); d.handle = 5; d.handle",
        "d = cufile.Descr(); d.handle.fd = 7; cufile.Descr.from_ptr(d.ptr).handle.fd",
        "cufile.Descr().handle.dtype", "cufile.IOParams().u.batch", "cufile.IOParams(2).u",
        "v = cufile.IOVec(2); v.base_ = [1, 2]; v.base_", "v = cufile.IOVec(); v.base_ = 5; v.base_",
        "v = cufile.IOVec(2); v.base_ = [1, 2, 3]", "v = cufile.IOVec(2); v.len = -1",
        "cufile.StatsLevel3().per_gpu_stats", "len(cufile.StatsLevel3().per_gpu_stats)",
        "cufile.StatsLevel3().per_gpu_stats.uuid.shape", "cufile.PerGpuStats().uuid.shape",
        "cufile.StatsLevel2().read_size_kb_hist", "cufile.StatsLevel2().basic", "cufile.StatsLevel1().read_ops",
        "cufile.StatsLevel1().read_ops.ok", "s = cufile.StatsLevel1(); s.read_bytes = 7; s.read_bytes",
        "s = cufile.StatsLevel1(); s.read_bytes = -1", "cufile.Descr.from_buffer(bytearray(23))",
        "cufile.Descr.from_buffer(b'x' * 24).type",
    ]
    for dt in ("descr", "io_events", "io_params", "io_vec", "op_counter", "per_gpu_stats", "stats_level1",
               "stats_level2", "stats_level3"):
        out.append("cufile.%s_dtype" % dt)
    out += ["cufile._py_anon_pod%d.__doc__" % i for i in (1, 2, 3)]
    out += ["cufile._py_anon_pod%d_dtype" % i for i in (1, 2, 3)]
    return out


def fields(name):
    api = json.load(open(API))
    return [f for f in api["classes"][name]["fields"] if f != "ptr"]


def all_cases():
    codes = [PRELUDE + c for c in CALLS + BAD] + ERRORS + enum_cases() + record_cases()
    return [{"id": "cufile-%03d" % i, "code": code} for i, code in enumerate(codes)]
