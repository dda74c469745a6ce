"""Unit tests of the generator's header parser and binding rules, on small snippets."""
import os

import pytest
from helpers import header_dir, load_gen


load_gen()
from gen import cparse, model  # noqa: E402
from gen.common import cython_signature  # noqa: E402
from gen.libraries import LIBRARIES  # noqa: E402


def test_enum_values_expressions_and_trailing_docs():
    h = cparse.parse("""
typedef enum {
  A = 0,
  B,            /**< after A */
  C = 1 << 4,
  D = C + 1,
  E = 0x7fffffff
} Things;
""")
    e = h.enums["Things"]
    assert [(m.name, m.value) for m in e.members] == [("A", 0), ("B", 1), ("C", 16), ("D", 17), ("E", 0x7FFFFFFF)]
    assert e.members[1].doc == "after A"


def test_tagged_enum_and_struct_typedefs():
    h = cparse.parse("""
typedef enum CUthing_enum { X = 2, Y = 3 } CUthing;
typedef struct CUfoo_st { int a; unsigned long long b[4]; struct { int x; } inner; } CUfoo, *PCUfoo;
typedef struct CUstream_st *CUstream;  /**< a stream */
typedef unsigned long long CUdeviceptr_v2;
typedef CUdeviceptr_v2 CUdeviceptr;
typedef void (*CUhostFn)(void *userData);
""")
    assert [m.value for m in h.enums["CUthing"].members] == [2, 3]
    s = h.structs["CUfoo"]
    assert [f.name for f in s.fields] == ["a", "b", "inner"] and s.fields[1].type.array == ("4",)
    assert s.fields[2].nested is not None and s.fields[2].nested.fields[0].name == "x"
    assert h.typedefs["PCUfoo"].ptrs == (False,)
    assert h.typedefs["CUstream"].base == "struct CUstream_st"
    assert h.resolve(cparse.CType("CUdeviceptr")).base == "unsigned long long"
    assert h.typedefs["CUhostFn"].func is not None


def test_conditionals_and_empty_macros():
    h = cparse.parse("""
#define API
#if defined(__cplusplus)
int cpp_only(void);
#elif 1
int API c_side(int x);
#else
int never(void);
#endif
#ifndef SKIP_INLINE
static inline int fwd(const char * const *names, int n) { return n; }
#endif
extern int __internal_13_0(void);
#define MY_CONSTANT 0x10
""")
    assert list(h.functions) == ["c_side", "fwd"]
    assert h.functions["fwd"].params[0].type.c("names") == "const char * const *names"
    assert h.defines["MY_CONSTANT"] == "0x10"


def test_doc_comments_give_brief_and_directions():
    h = cparse.parse("""
/**
 * \\brief   Makes a thing.
 *
 * \\param   [out] out   The thing.
 * \\param   [in]  n     How many.\\n
 *                      \\p n can be \\c NULL.
 * \\return
 *   - \\link #Res OK \\endlink
 */
int make(int *out, const char *n);
/**
 * \\brief Driver style.
 * \\param pctx - Returned context handle
 * \\param flags - Flags
 */
int drv(void **pctx, unsigned int flags);
""")
    f = h.functions["make"]
    assert f.doc.brief == "Makes a thing."
    assert [(p.name, p.direction) for p in f.params] == [("out", "out"), ("n", "in")]
    assert "can be NULL" in f.params[1].doc and "OK" in f.doc.returns
    assert [p.direction for p in h.functions["drv"].params] == ["out", None]


def test_function_pointer_parameter_and_cython_spelling():
    h = cparse.parse("int cb(void *p, int (*callback)(void *, void *), unsigned long long v, const char **s);")
    f = h.functions["cb"]
    assert f.params[1].type.func is not None
    assert cython_signature(f) == "int (void *, void *, unsigned PY_LONG_LONG, char const **)"


def test_unparseable_input_is_an_error_not_a_guess():
    with pytest.raises(cparse.ParseError):
        cparse.parse("typedef int (;")


def test_binding_rules_on_the_real_nvrtc_header():
    inc = header_dir("nvrtc")
    h = cparse.parse_files([os.path.join(inc, "nvrtc.h")])
    m = model.Model(LIBRARIES["nvrtc"], h)
    kinds = {b.name: [a.kind.name for a in b.args] for b in m.bindings}
    assert kinds["nvrtcCreateProgram"] == ["out_handle", "cstr", "cstr", "int", "cstr_list", "cstr_list"]
    assert kinds["nvrtcDestroyProgram"] == ["inout_handle"]
    assert kinds["nvrtcGetPTX"] == ["handle", "buffer_out"]
    assert m.by_name["nvrtcGetPTX"].args[1].size_query == "nvrtcGetPTXSize"
    assert kinds["nvrtcGetSupportedArchs"] == ["out_int_array"]
    assert kinds["nvrtcGetLoweredName"] == ["handle", "cstr", "out_cstr"]
    # the header says name may be NULL; NVIDIA's refuses None (overrides.NOT_NULLABLE_STRINGS)
    assert not m.by_name["nvrtcCreateProgram"].args[2].nullable and not m.by_name["nvrtcCreateProgram"].args[1].nullable
    # Every function our header declares has the reference's capsule signature.
    from gen.common import snapshot_signatures
    snap = snapshot_signatures(LIBRARIES["nvrtc"])
    for b in m.bindings:
        assert cython_signature(b.func) == snap[b.name], b.name


def test_pythonic_names():
    assert model.snake("GetLinkedCubinSize") == "get_linked_cubin_size"
    assert model.snake("numOptions") == "num_options" and model.snake("LTOIR") == "ltoir"


# --- the real driver and runtime headers: what the next issues bind -------

INCLUDE = header_dir("driver")


def declared_names(paths, ret, api_macro, predefined=None):
    """Function names declared as `<ret> <api_macro> name(` in active code."""
    import re
    names = set()
    h = cparse.Header()
    for p in paths:
        code = cparse.preprocess_into(h, open(p, errors="replace").read(), predefined)
        code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
        names |= set(re.findall(r"\b%s\s+(?:%s\s+)?(\w+)\s*\(" % (ret, api_macro), code))
    return names


def test_every_driver_prototype_parses():
    from gen.libraries import DRIVER_HEADERS
    paths = [os.path.join(INCLUDE, h) for h in DRIVER_HEADERS]
    h = cparse.parse_files(paths)
    # CUDAAPI is gone after preprocessing (an empty macro), so look for `CUresult name(`.
    declared = {n for n in declared_names(paths, "CUresult", "CUDAAPI") if n.startswith("cu")}
    assert len(declared) > 450
    assert declared - set(h.functions) == set()
    launch = h.functions["cuLaunchKernel"]
    assert [p.name for p in launch.params][-2:] == ["kernelParams", "extra"] and len(launch.params) == 11
    assert [p.direction for p in h.functions["cuMemAlloc"].params] == ["out", None]
    memcpy2d = h.structs["CUDA_MEMCPY2D_st"]
    assert len(memcpy2d.fields) == 16 and memcpy2d.fields[0].name == "srcXInBytes"
    assert h.structs["CUlaunchAttributeValue_union"].kind == "union"
    assert "CUdevResource" in h.typedefs  # made by a token-pasting macro
    assert h.structs["CUstreamMemOpWaitValueParams_st"].fields  # tagged struct inside a union
    assert {m.name: m.value for m in h.enums["CUresult"].members}["CUDA_ERROR_STUB_LIBRARY"] == 34


def test_every_runtime_prototype_parses():
    from gen.libraries import RUNTIME_HEADERS, RUNTIME_PREDEFINED
    paths = [os.path.join(INCLUDE, h) for h in RUNTIME_HEADERS]
    h = cparse.parse_files(paths, RUNTIME_PREDEFINED)
    declared = {n for n in declared_names(paths, "cudaError_t", "CUDARTAPI", RUNTIME_PREDEFINED)
                if n.startswith("cuda")}
    assert len(declared) > 290
    assert declared - set(h.functions) == set()
    prop = {f.name: f for f in h.structs["cudaDeviceProp"].fields}
    assert prop["name"].type.array == ("256",) and prop["maxThreadsDim"].type.array == ("3",)
    assert h.functions["cudaMallocManaged"].params[2].name == "flags"  # `__dv(...)` default dropped
    assert {m.name: m.value for m in h.enums["cudaError"].members}["cudaErrorStubLibrary"] == 34


@pytest.mark.parametrize("key", ["nvrtc", "nvjitlink", "nvvm", "nvfatbin", "driver", "runtime"])
def test_every_function_of_the_headers_is_bound_and_in_the_ledger(key):
    from gen.load import load_model
    from gen.common import ledger
    m = load_model(key, header_dir(key))
    assert m.skipped == []
    # New functions must be appended to gen/capi_ledger/<lib>.txt: slot order is ABI.
    assert [b.name for b in m.bindings if b.name not in ledger(m.lib)] == []


def test_headers_a_library_folder_lacks_are_read_from_the_folders_after_it(tmp_path):
    # cufile.h from a folder without cuda.h (the cuFile wheel in another site-packages than the
    # runtime's): the build passes the runtime's folder after it, as the C compiler's -I order does
    import shutil
    from gen.load import load_model
    shutil.copy(os.path.join(header_dir("cufile"), "cufile.h"), tmp_path / "cufile.h")
    alone = load_model("cufile", str(tmp_path), [header_dir("driver")])
    beside = load_model("cufile", header_dir("cufile"))
    assert [b.name for b in alone.bindings] == [b.name for b in beside.bindings] != []
    with pytest.raises(FileNotFoundError, match="cuda.h"):
        load_model("cufile", str(tmp_path))


def test_a_function_no_rule_covers_is_skipped_not_fatal():
    h = cparse.parse("""
typedef enum { NVRTC_SUCCESS = 0 } nvrtcResult;
typedef struct { int a; } nvrtcFuture;
nvrtcResult nvrtcSetPCHHeapSize(size_t size);
nvrtcResult nvrtcTakesAStruct(nvrtcFuture **value);
""")
    m = model.Model(LIBRARIES["nvrtc"], h)
    assert [b.name for b in m.bindings] == ["nvrtcSetPCHHeapSize"]
    assert len(m.skipped) == 1 and "nvrtcTakesAStruct" in m.skipped[0]


def test_a_value_typed_by_an_enum_reads_and_writes_as_that_enum():
    """CUDA 13.1+ documents pool attributes of an enum type ("(value type =
    CUmemAllocationType)"): the value comes back as the enum's member."""
    from gen import emit_pymod
    doc = """/**
 * An attribute of a memory pool:
 * - ::CU_MEMPOOL_ATTR_ALLOCATION_TYPE: (value type = CUmemAllocationType)
 *   The kind of memory.
 */
"""
    h = cparse.parse("""
typedef enum cudaError_enum { CUDA_SUCCESS = 0 } CUresult;
typedef unsigned long long cuuint64_t;
typedef struct CUmemPoolHandle_st *CUmemoryPool;
typedef enum CUmemAllocationType_enum { CU_MEM_ALLOCATION_TYPE_PINNED = 1 } CUmemAllocationType;
typedef enum CUmemPool_attribute_enum { CU_MEMPOOL_ATTR_ALLOCATION_TYPE = 14 } CUmemPool_attribute;
""" + doc + "CUresult cuMemPoolGetAttribute(CUmemoryPool pool, CUmemPool_attribute attr, void *value);\n"
        + doc + "CUresult cuMemPoolSetAttribute(CUmemoryPool pool, CUmemPool_attribute attr, void *value);\n")
    m = model.Model(LIBRARIES["driver"], h)
    text = "".join(emit_pymod.Shim(m, m.by_name[n]).typed_functions()
                   for n in ("cuMemPoolGetAttribute", "cuMemPoolSetAttribute"))
    member = "cb_enum_member_of(module, st, ENUM_CUmemAllocationType, (long long)*(const CUmemAllocationType *)v)"
    assert "case CU_MEMPOOL_ATTR_ALLOCATION_TYPE:\n        return " + member in text
    assert "*(CUmemAllocationType *)v = (CUmemAllocationType)(int)ull;" in text


def test_abi_versions_of_one_prototype_resolve_oldest_to_oldest():
    """cuGraphAddNode is cuda.h's cuGraphAddNode_v2: its PFN is _v12030, not
    _v13040, which has the same parameters and belongs to cuGraphAddNode_v3
    (CUDA 13.5); a 13.0 driver has the one but not the other."""
    from gen.load import load_model
    m = load_model("driver", INCLUDE)
    if "cuGraphAddNode_v3" not in m.core_by_name:
        pytest.skip("headers older than CUDA 13.5")
    proc = {n: m.proc_symbol(m.core_by_name[n].func)[:2] for n in (
        "cuGraphAddNode", "cuGraphAddNode_v3", "cuGraphNodeSetParams", "cuGraphNodeSetParams_v2",
        "cuCtxCreate", "cuCtxCreate_v2", "cuCtxCreate_v3", "cuStreamGetCaptureInfo_v2")}
    assert proc == {"cuGraphAddNode": ("cuGraphAddNode", 12030), "cuGraphAddNode_v3": ("cuGraphAddNode", 13040),
                    "cuGraphNodeSetParams": ("cuGraphNodeSetParams", 12020),
                    "cuGraphNodeSetParams_v2": ("cuGraphNodeSetParams", 13040),
                    "cuCtxCreate": ("cuCtxCreate", 12050), "cuCtxCreate_v2": ("cuCtxCreate", 3020),
                    "cuCtxCreate_v3": ("cuCtxCreate", 11040),
                    "cuStreamGetCaptureInfo_v2": ("cuStreamGetCaptureInfo", 11030)}
    # the internal section's older ABIs are capsules only, not Python functions
    assert {"cuCtxCreate_v2", "cuCtxCreate_v3", "cuStreamGetCaptureInfo_v2"} <= m.capsule_only
    assert not m.capsule_only & set(m.by_name)


def test_enumerators_naming_another_enums_and_int_wrap():
    """CU_STREAM_ATOMIC_REDUCTION_OP_OR = CU_ATOMIC_OPERATION_OR (an earlier
    enum's member), and (1 << 31) is INT_MIN, as C and the reference have it."""
    h = cparse.parse("""
typedef enum { OP_OR = 5, OP_AND = 6 } op;
typedef enum { RED_OR = OP_OR, RED_AND = OP_AND | 8, TOP = (1 << 31) } red;
""")
    assert {m.name: m.value for m in h.enums["red"].members} == {"RED_OR": 5, "RED_AND": 14, "TOP": -2 ** 31}
    lib = LIBRARIES["driver"]
    h2 = cparse.parse("#define CU_ANY (~0u)\n#define CU_ANY64 (~0ull)\n#define CU_FIVE 5u\n")
    assert dict(model.Model(lib, h2).constants()) == {"CU_ANY": 2 ** 32 - 1, "CU_ANY64": 2 ** 64 - 1, "CU_FIVE": 5}


# --- the table of argument kinds -----------------------------------------------

def test_every_kind_of_the_table_is_picked_and_says_what_it_is():
    """gen/kinds.py is the glossary: each kind once, described in one line,
    and no kind that no parameter of the eight libraries gets."""
    from gen.kinds import KINDS, Kind
    from gen.load import load_model
    picked = {}
    for lib in ("nvrtc", "nvjitlink", "nvvm", "nvfatbin", "nvml", "cufile", "driver", "runtime"):
        for b in load_model(lib, header_dir(lib)).bindings:
            for a in b.args:
                assert KINDS[a.kind.name] is a.kind, (b.name, a.name)
                picked.setdefault(a.kind.name, a)
                if a.is_output and not a.kind.hidden:   # returned: the kind builds it
                    assert type(a.kind).build is not Kind.build, a.kind
                if a.pyname is not None:                # taken: the kind converts it
                    assert type(a.kind).convert is not Kind.convert, a.kind
    assert set(picked) == set(KINDS)
    for name, k in KINDS.items():
        assert k.name == name and k.what and "\n" not in k.what, name
        assert not (k.output and k.hidden), name
