"""The installed C capsule header: cuda_bindings/<lib>.h."""
from . import overrides
from .common import banner, cuda_version, ledger_entries, slot_order


def fnptr_decl(func, name):
    args = ", ".join(p.type.c(p.name) for p in func.params) or "void"
    ret = func.ret.c()
    return "%s%s(*%s)(%s)" % (ret, "" if ret.endswith("*") else " ", name, args)


def unmacro(model):
    """The header's renaming macros set aside, so that each slot keeps its
    own name (cufile.h: `#define cuFileDriverClose cuFileDriverClose_v2`;
    api->cuFileDriverClose still reaches the _v2 slot, as C callers do)."""
    return "".join('/* a renaming macro of the header, set aside for the slot names */\n'
                   '#pragma push_macro("%s")\n#undef %s\n' % (n, n) for n in sorted(model.facts.renamed))


def remacro(model):
    return "".join('#pragma pop_macro("%s")\n' % n for n in sorted(model.facts.renamed))


def tag_typedefs(model, which):
    """`typedef enum cudaLimit cudaLimit;` for the tag-only types the
    generator spells plainly (cparse.name_tags); C++ needs none."""
    names = [n for n in sorted(model.facts.tags) if which(n)]
    if not names:
        return ""
    return "#ifndef __cplusplus\n%s#endif\n" % "".join(
        "typedef %s %s %s;\n" % (model.facts.tags[n], n, n) for n in names)


def emit(model):
    lib = model.lib
    L = lib.key.upper()
    api = "CudaBindings_%s_API" % L
    ptr = "CudaBindings_%s" % L
    order = slot_order(model)
    out = [banner(lib, cuda_version=cuda_version(model.h))]
    out.append("""/*
 * C API of cuda.bindings.cy%(key)s: the %(display)s functions that cuda.bindings
 * resolves and calls, for other C extensions.
 *
 *     #include <cuda_bindings/%(key)s.h>      (-I cuda.bindings.get_include())
 *     if (CudaBindings_Import%(L)s() < 0) return NULL;   (in module init)
 *     %(ptr)s->%(first)s(...);
 *
 * The table is static to each translation unit; define
 * CUDA_BINDINGS_%(L)s_UNIQUE_SYMBOL to a name in every file of one extension,
 * and CUDA_BINDINGS_%(L)s_DEFINE_API in the one that owns it.
 * Slots are only ever appended; a slot whose function the toolkit did not
 * declare, or that the installed library lacks, raises RuntimeError when called.
 */
#ifndef CUDA_BINDINGS_%(L)s_H
#define CUDA_BINDINGS_%(L)s_H

#include <Python.h>
""" % dict(key=lib.key, display=lib.display, L=L, ptr=ptr, first=model.core_bindings[0].name))
    for h in lib.headers:
        if h not in lib.interop_headers and h not in lib.core_only_headers:
            out.append("#include <%s>\n" % h)
    interop_tags = model.facts.interop_tags
    out.append(tag_typedefs(model, lambda n: n not in interop_tags))
    if lib.interop_headers:
        out.append("/* Slots of %s are typed only where their graphics headers are wanted. */\n"
                   "#ifdef CUDA_BINDINGS_%s_INTEROP\n" % (", ".join(lib.interop_headers), L))
        out += ["#include <%s>\n" % h for h in lib.interop_headers]
        out.append(tag_typedefs(model, lambda n: n in interop_tags))
        out.append("#endif\n")
    out.append("""
#define CUDA_BINDINGS_%(L)s_ABI_VERSION 1
#define CUDA_BINDINGS_%(L)s_COUNT %(n)d
#define CUDA_BINDINGS_%(L)s_CAPSULE "cuda.bindings.cy%(key)s._C_API"

%(unmacro)stypedef struct %(api)s {
    unsigned int abi_version;   /* changes only with an incompatible layout */
    unsigned int count;         /* function slots that follow */
""" % dict(L=L, n=len(order), key=lib.key, api=api, unmacro=unmacro(model)))
    since = dict(ledger_entries(lib))
    for i, name in enumerate(order):
        b = model.core_by_name.get(name)
        if b is None:
            out.append("    void *%s;   /* slot %d: not in these headers */\n" % (name, i))
        elif name in model.facts.interop:
            out.append("#ifdef CUDA_BINDINGS_%s_INTEROP\n    %s;   /* slot %d */\n#else\n"
                       "    void (*%s)(void);\n#endif\n" % (L, fnptr_decl(b.func, name), i, name))
        elif since.get(name) and lib.version_macro:
            major, minor = since[name]
            out.append("#if %s >= %d\n    %s;   /* slot %d */\n#else\n    void (*%s)(void);   "
                       "/* typed with CUDA %d.%d headers */\n#endif\n"
                       % (lib.version_macro, major * 1000 + minor * 10, fnptr_decl(b.func, name), i,
                          name, major, minor))
        elif name in overrides.CAPI_TYPED_IF_DEFINED:
            macro = overrides.CAPI_TYPED_IF_DEFINED[name]
            out.append("#ifdef %s\n    %s;   /* slot %d */\n#else\n    void (*%s)(void);   "
                       "/* typed with headers that define %s */\n#endif\n"
                       % (macro, fnptr_decl(b.func, name), i, name, macro))
        else:
            out.append("    %s;   /* slot %d */\n" % (fnptr_decl(b.func, name), i))
    out.append("} %s;\n%s" % (api, remacro(model)))
    out.append("""
#ifndef CUDA_BINDINGS_%(L)s_IMPL
#if defined(CUDA_BINDINGS_%(L)s_UNIQUE_SYMBOL)
#define %(ptr)s CUDA_BINDINGS_%(L)s_UNIQUE_SYMBOL
#if defined(CUDA_BINDINGS_%(L)s_DEFINE_API)
const %(api)s *%(ptr)s = NULL;
#else
extern const %(api)s *%(ptr)s;
#endif
#else
static const %(api)s *%(ptr)s = NULL;
#endif

/* Import the table; 0 on success, -1 with ImportError set. */
static inline int
CudaBindings_Import%(L)s(void)
{
    /* PyCapsule_Import walks attributes: the module must be imported first. */
    PyObject *module = PyImport_ImportModule("cuda.bindings.cy%(key)s");
    if (module == NULL)
        return -1;
    Py_DECREF(module);
    const %(api)s *api = (const %(api)s *)PyCapsule_Import(CUDA_BINDINGS_%(L)s_CAPSULE, 0);
    if (api == NULL)
        return -1;
    if (api->abi_version != CUDA_BINDINGS_%(L)s_ABI_VERSION) {
        PyErr_Format(PyExc_ImportError,
                     "cuda.bindings.cy%(key)s C API has ABI version %%u but this extension was "
                     "built for %%u: rebuild it against the installed cuda.bindings",
                     api->abi_version, (unsigned int)CUDA_BINDINGS_%(L)s_ABI_VERSION);
        return -1;
    }
    if (api->count < CUDA_BINDINGS_%(L)s_COUNT) {
        PyErr_Format(PyExc_ImportError,
                     "cuda.bindings.cy%(key)s C API has %%u functions but this extension was "
                     "built against %%u: upgrade cuda.bindings",
                     api->count, (unsigned int)CUDA_BINDINGS_%(L)s_COUNT);
        return -1;
    }
    %(ptr)s = api;
    return 0;
}
#endif /* CUDA_BINDINGS_%(L)s_IMPL */

#endif /* CUDA_BINDINGS_%(L)s_H */
""" % dict(L=L, ptr=ptr, api=api, key=lib.key))
    return "".join(out)
