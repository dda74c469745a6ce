"""The core module cuda.bindings.cy<lib>: resolved wrappers, __pyx_capi__, _C_API."""

from .common import banner, c_string, cuda_version, cython_signature, module_definition, slot_order, snapshot_signatures
from . import emit_capi, emit_pxd


def except_value(model, b):
    """What a core function returns, with the exception set, when the
    library lacks its symbol: NULL for text, nothing for void, -1 for a
    count (cuFile's ssize_t), else the library's failing status (inside
    the status struct where the library returns one)."""
    ret, lib = b.func.ret, model.lib
    if b.returns == "cstr":
        return "NULL"
    if not ret.ptrs and ret.base == "void":
        return ""
    if lib.status_struct and not ret.ptrs and ret.base == lib.status_struct:
        return "(%s){.err = %s}" % (lib.status_struct, lib.except_value)
    if b.returns == "ssize" or (ret.base != lib.status and model.int_type(ret)):
        return "-1"   # (ssize_t is no INT_TYPE: no argument takes one)
    return lib.except_value


def wrapper(model, b, slot, library="cb_lib_"):
    """A core function: the library's symbol of `slot`, resolved on first
    call (a missing one raises, through cb_report_missing), then called."""
    f = b.func
    params = ", ".join(p.type.c(p.name) for p in f.params) or "void"
    names = ", ".join(p.name for p in f.params)
    ret = f.ret.c()
    sep = "" if ret.endswith("*") else " "
    return """typedef %(ret)s%(sep)s(*fn_%(name)s)(%(params)s);

static %(ret)s
core_%(name)s(%(params)s)
{
    fn_%(name)s cb_fn_ = (fn_%(name)s)cb_symbol(&%(library)s, %(slot)s);
    if (CB_UNLIKELY(cb_fn_ == NULL)) {
        cb_report_missing(&%(library)s, %(slot)s);
        return %(exc)s;
    }
    return cb_fn_(%(names)s);
}
""" % dict(ret=ret, sep=sep, name=b.name, params=params, names=names, slot=slot, library=library,
           exc=except_value(model, b))


def static_wrapper(b, variant, refused):
    """A core function of a statically linked library: the call itself, or
    (with a per-thread-default-stream variant) the one the environment chose;
    `refused` is (status type, value): what it returns, with ValueError set
    by cb_report_ptds(), while the environment variable is one NVIDIA's refuses."""
    f = b.func
    params = ", ".join(p.type.c(p.name) for p in f.params) or "void"
    names = ", ".join(p.name for p in f.params)
    ret = f.ret.c()
    sep = "" if ret.endswith("*") else " "
    if variant is None:
        call = "%s(%s)" % (f.name, names)
        decl = ""
    else:
        call = "use_ptds ? %s(%s) : %s(%s)" % (variant, names, f.name, names)
        decl = "extern %s%s%s(%s);\n" % (ret, sep, variant, params)
    check = ""
    if ret.endswith("*") or ret == refused[0]:   # a struct result cannot say it failed
        check = "    if (CB_UNLIKELY(use_ptds < 0))\n        return cb_report_ptds(), %s;\n" % (
            "NULL" if ret.endswith("*") else refused[1])
    return "%sstatic %s\ncore_%s(%s)\n{\n%s    return %s;\n}\n" % (decl, ret, b.name, params, check, call)


def library_places(lib):
    """The sonames dlopen tries and the folders under $CUDA_HOME tried last."""
    return "static const char *const sonames[] = {%s};\nstatic const char *const subdirs[] = {%s};\n" % (
        ", ".join(['"%s"' % s for s in lib.sonames] + ["NULL"]), ", ".join(['"%s"' % d for d in lib.home_subdirs] + ["NULL"]))


def emit_static_core(model, out):
    """Wrappers of a library linked into the core (libcudart_static.a)."""
    lib = model.lib
    variants = model.facts.ptds
    shared = list(lib.shared_functions)
    out.append("""/* %(display)s is linked in from the toolkit's static library: calls are
 * direct.  CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1 at import selects the
 * per-thread-default-stream variants of the calls that have one; text that
 * int() refuses makes every call raise ValueError. */
static int use_ptds;   /* -1: a value NVIDIA's refuses (cb_ptds_setting) */

/* Functions asked of the shared library found at run time, not of ours. */
static const char *const shared_symbols[] = {%(symbols)s};
%(places)sstatic _Atomic(void *) shared_slots[%(n)d];
static cb_library shared_lib = {
    .display = "%(display)s (shared library)",
    .pathfinder = %(pathfinder)s,
    .sonames = sonames,
    .subdirs = subdirs,
    .symbols = shared_symbols,
    .nsymbols = %(n)d,
    .slots = shared_slots,
};

""" % dict(display=lib.display, n=max(1, len(shared)),
           symbols=", ".join('"%s"' % lib.shared_functions[n] for n in shared) or "NULL",
           places=library_places(lib),
           pathfinder='"%s"' % lib.pathfinder if lib.pathfinder else "NULL"))
    for b in model.core_bindings:
        if b.name in lib.shared_functions:
            out.append(wrapper(model, b, "%d" % shared.index(b.name), "shared_lib"))
        else:
            out.append(static_wrapper(b, variants.get(b.name), (model.lib.status, model.lib.except_value)))
        out.append("\n")


def emit(model):
    lib = model.lib
    L = lib.key.upper()
    out = [banner(lib, cuda_version=cuda_version(model.h))]
    out.append('#define CUDA_BINDINGS_%s_IMPL\n#define NVJITLINK_NO_INLINE\n' % L)
    if lib.static:  # every function is bound, the deprecated ones too
        out.append('#define CUDA_ENABLE_DEPRECATED\n')
    out.append('#include "cb_loader.h"\n#include "cb_capi.h"\n')  # Python.h before any system header
    if lib.interop_headers:
        out.append('#define CUDA_BINDINGS_%s_INTEROP\n#include "cb_interop_types.h"\n' % L)
    if lib.proc_address:
        out.append('#include "cb_driver.h"\n')
    out.append('#include "cuda_bindings/%s.h"\n' % lib.key)
    if lib.core_only_headers:
        # They include crt/host_defines.h, which warns unless included the
        # way cuda_runtime.h does it.
        out.append("#define __CUDA_INCLUDE_COMPILER_INTERNAL_HEADERS__\n")
        out += ["#include <%s>\n" % h for h in lib.core_only_headers]
        out.append("#undef __CUDA_INCLUDE_COMPILER_INTERNAL_HEADERS__\n")
    out.append("\n")
    if lib.static:
        emit_static_core(model, out)
    else:
        emit_loaded_core(model, out)
    emit_tables(model, out)
    return "".join(out)


def emit_loaded_core(model, out):
    """Wrappers resolving each symbol of a library loaded at run time."""
    lib = model.lib
    names = [b.name for b in model.core_bindings]
    out.append("enum {\n%s    NSYMBOLS\n};\n\n" % "".join("    SLOT_%s,\n" % n for n in names))
    if lib.proc_address:
        procs = [model.proc_symbol(b.func) for b in model.core_bindings]
        out.append("/* Names and versions for cuGetProcAddress (from the PFN typedefs). */\n")
        out.append("static const char *const symbols[] = {\n%s};\n" % "".join('    "%s",\n' % p[0] for p in procs))
        out.append("static const unsigned int versions[] = {%s};\n" % ", ".join(str(p[1]) for p in procs))
        out.append("static const unsigned int versions_ptds[] = {%s};\n" % ", ".join(str(p[2]) for p in procs))
    else:
        out.append("static const char *const symbols[] = {\n%s};\n" % "".join('    "%s",\n' % n for n in names))
    out.append(library_places(lib))
    out.append("static _Atomic(void *) slots[NSYMBOLS];\n\n")
    out.append("""static cb_library cb_lib_ = {
    .display = "%s",
    .pathfinder = %s,
    .sonames = sonames,
    .subdirs = subdirs,
    .symbols = symbols,
    .nsymbols = NSYMBOLS,
    .slots = slots,
%s};

""" % (lib.display, '"%s"' % lib.pathfinder if lib.pathfinder else "NULL", "    .versions = versions,\n    .versions_ptds = versions_ptds,\n"
       "    .resolve = cb_driver_resolve,\n    .misconfigured = cb_ptds_misconfigured,\n" if lib.proc_address else ""))
    for b in model.core_bindings:
        out.append(wrapper(model, b, "SLOT_" + b.name))
        out.append("\n")


def inspectable(lib):
    """Libraries whose symbols are their functions' names (not the driver's
    cuGetProcAddress names, not the runtime linked in): NVIDIA's private
    cuda.bindings._internal.<lib> modules, used by cuda-core and numba-cuda."""
    return not lib.static and not lib.proc_address


INSPECT = """static PyObject *
inspect_function_pointers(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    (void)module;
    return cb_inspect_function_pointers(&cb_lib_);
}

static PyObject *
inspect_function_pointer(PyObject *module, PyObject *name)
{
    PyObject *all = inspect_function_pointers(module, NULL);
    if (all == NULL)
        return NULL;
    PyObject *value = PyObject_GetItem(all, name);   /* KeyError for a name that is not a function of it */
    Py_DECREF(all);
    return value;
}
"""
INSPECT_METHODS = """    {"_inspect_function_pointers", inspect_function_pointers, METH_NOARGS,
     "_inspect_function_pointers($module, /)\\n--\\n\\n{'__<function>': address, 0 when the library lacks it}."},
    {"_inspect_function_pointer", inspect_function_pointer, METH_O,
     "_inspect_function_pointer($module, name, /)\\n--\\n\\nThe address of '__<function>', 0 when the library lacks it."},
"""


def emit_tables(model, out):
    """The C capsule table, __pyx_capi__, and the module around them."""
    lib = model.lib
    L = lib.key.upper()
    sigs = snapshot_signatures(lib)
    # The C capsule table, in ledger order.
    out.append(emit_capi.unmacro(model))
    out.append("static const CudaBindings_%s_API c_api = {\n" % L)
    out.append("    .abi_version = CUDA_BINDINGS_%s_ABI_VERSION,\n    .count = CUDA_BINDINGS_%s_COUNT,\n" % (L, L))
    for name in slot_order(model):
        if name in model.core_by_name:
            out.append("    .%s = core_%s,\n" % (name, name))
    out.append("};\n%s\n" % emit_capi.remacro(model))
    # __pyx_capi__: Cython's view of the same functions.
    out.append("static const cb_capi_entry pyx_capi[] = {\n")
    own = emit_pxd.cython_names(model)
    for b in model.core_bindings:
        sig = sigs.get(b.name) or cython_signature(b.func, own)
        out.append('    {"%s", (void (*)(void))core_%s, "%s"},\n' % (b.name, b.name, sig))
    out.append("};\n\n")
    out.append("""static PyObject *
library_info(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    (void)module;
    return cb_library_info(&%(info)s);
}

%(inspect)s
static PyMethodDef methods[] = {
    {"_library_info", library_info, METH_NOARGS,
     "_library_info($module, /)\\n--\\n\\nWhere %(display)s was found, or why not (loads it if needed)."},
%(inspect_methods)s    {NULL, NULL, 0, NULL},
};

static int
module_exec(PyObject *module)
{
%(exec_first)s    /* where the bound headers were read: the build may take them from a wheel (gen/find_header.py) */
    if (PyModule_AddStringConstant(module, "_header_dir", %(header_dir)s) < 0)
        return -1;
    return cb_core_module_exec(module, pyx_capi, sizeof pyx_capi / sizeof pyx_capi[0], &c_api,
                               CUDA_BINDINGS_%(L)s_CAPSULE);
}


""" % dict(L=L, display=lib.display if not lib.static else lib.display + " shared library",
           info="shared_lib" if lib.static else "cb_lib_", header_dir=c_string(model.facts.include_dir),
           inspect=INSPECT if inspectable(lib) else "",
           inspect_methods=INSPECT_METHODS if inspectable(lib) else "",
           exec_first='    use_ptds = cb_ptds_setting();\n'
                      if lib.static else ""))
    out.append(module_definition("cy" + lib.key, "Cython and C entry points of %s: __pyx_capi__ for "
                                 "`cimport`, _C_API for C." % lib.display))
