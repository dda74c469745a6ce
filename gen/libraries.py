"""What the generator knows about each library: reviewed data, no logic.

One entry per CUDA library.  `style` selects the Python surface:
'tuple' (cuda.bindings.nvrtc / driver / runtime: every call returns
(status, *outputs)) or 'pythonic' (nvjitlink / nvvm / nvfatbin: snake_case
names, outputs returned directly, a non-success status raised as
`<error_class>`).
"""
from dataclasses import dataclass, field
from typing import Dict, Tuple


@dataclass(frozen=True)
class Library:
    key: str                    # 'nvrtc': module names cuda.bindings.<key>, cuda.bindings.cy<key>
    display: str                # what messages call the library
    headers: Tuple[str, ...]    # toolkit headers that declare it
    prefix: str                 # C function prefix
    status: str                 # C status enum
    success: str                # its success member
    except_value: str           # returned, with RuntimeError set, when a symbol is missing
    style: str                  # 'tuple' or 'pythonic'
    pathfinder: str             # name for cuda.pathfinder.load_nvidia_dynamic_lib
    sonames: Tuple[str, ...]    # tried by dlopen when cuda-pathfinder is absent or fails
    # Folders under $CUDA_HOME tried last (a toolkit keeps libnvvm in nvvm/lib64).
    home_subdirs: Tuple[str, ...] = ("lib64", "lib")
    constant_prefixes: Tuple[str, ...] = ()
    # pythonic style only: C enum -> (Python name, member prefix to strip)
    enum_names: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    error_class: str = ""
    # Hand-written headers (repo-relative) parsed before `headers`.
    prelude: Tuple[str, ...] = ()
    # Typed libcuda symbols resolved through cuGetProcAddress at their
    # PFN_<name>_v<N> version (cudaTypedefs.h), not by dlsym.
    proc_address: bool = False
    # Headers that need a graphics API's own headers (GL, EGL, VDPAU): the
    # C capsule header declares their slots typed only when the includer
    # asks for them (CUDA_BINDINGS_<LIB>_INTEROP).
    interop_headers: Tuple[str, ...] = ()
    # The macro its headers give their CUDA version by (CUDA_VERSION,
    # 13030 for 13.3): the C capsule header types a slot appended for a
    # newer version (gen/capi_ledger, `# CUDA X.Y`) only when the includer's
    # headers are that new, so that older headers still compile.
    version_macro: str = ""
    # Macros the headers need defined that a host C compiler would get from
    # headers we do not parse (crt/host_defines.h for the runtime).
    predefined: Dict[str, str] = field(default_factory=dict)
    # Linked into the core from the toolkit rather than loaded at run time
    # (libcudart_static.a): the core calls the functions directly.
    static: bool = False
    # The library dereferences its handles unchecked (NVRTC's programs): a
    # handle object of another class is refused where NVIDIA's passes its
    # int() and the library crashes on it.
    own_handles_only: bool = False
    # The headers name types by tag only (`struct cudaDeviceProp`) and alias
    # some by macro: see cparse.name_tags and cparse.macro_type_aliases.
    tag_names: bool = False
    # An empty class the reference's module has beside its API
    # (cudaBindingsDriverGlobal): made at import, so `isinstance` and
    # attribute checks written against the reference work.
    global_class: str = ""
    # The macro behind which a header declares the older ABI versions of its
    # functions (cuda.h: __CUDA_API_VERSION_INTERNAL).  Those of them that the
    # reference's Cython module exports (gen/data/cython_capi.json: cuCtxCreate_v2)
    # are bound in the core and its capsules, not in the Python module.
    internal_macro: str = ""
    # Headers parsed and included by the core only, not by the C capsule
    # header (driver_functions.h: inline helpers behind an internal-header guard).
    core_only_headers: Tuple[str, ...] = ()
    # Functions bound although they lack the prefix (inline helpers, and
    # those declared by `local_prelude`).
    extra_functions: Tuple[str, ...] = ()
    # Repo-relative file declaring functions no toolkit header has, parsed last.
    local_prelude: str = ""
    # Functions called in the library's shared copy found at run time, by
    # the symbol they resolve to: getLocalRuntimeVersion -> cudaRuntimeGetVersion.
    shared_functions: Dict[str, str] = field(default_factory=dict)
    # Another module whose handle classes wrap the same C types, and the
    # headers declaring them: a handle typedef to the same `struct X *` is a
    # subclass of that module's class (cudaStream_t of driver.CUstream).
    twin_module: str = ""
    twin_headers: Tuple[str, ...] = ()
    # Facts of the reference the headers cannot say (gen/data/<file>): which
    # parameters each Python function takes, the Python enums (NVML's: gen/nvml.py).
    py_facts: str = ""
    # The struct a call returns its status in (cuFile's CUfileError_t: the
    # `status` enum as .err, the CUDA driver's as .cu_err), where it is no enum.
    status_struct: str = ""
    # The reference's enum classes' docs name the C enum only (cuFile's).
    enum_docs_see_only: bool = False
    # The base of its enum classes where it is not FastEnum ("enum.IntEnum":
    # cuDLA's are the standard library's, their members without docs).
    enum_base: str = ""
    # The generator module that reads py_facts (gen/nvml.py, gen/addressed.py).
    py_rules: str = ""

    @property
    def intptr_addresses(self):
        """Its addresses and handles are intptr_t values, in and out (-1 is one; a cuFile
        handle may have its top bit set), as the reference declares them: the addressed modules."""
        return self.py_rules == "addressed"


# Headers of the runtime API in include order (cuda_runtime_api.h needs the
# type headers first); the parser is held to them by tests/test_gen_parser.py.
RUNTIME_HEADERS = ("vector_types.h", "driver_types.h", "surface_types.h", "texture_types.h",
                   "library_types.h", "device_types.h", "cuda_runtime_api.h", "cuda_profiler_api.h",
                   "driver_functions.h", "cuda_gl_interop.h", "cuda_egl_interop.h",
                   "cuda_vdpau_interop.h")

# The target platform as a host C compiler predefines it: the generated C
# is built where the generator runs (Linux, LP64), and cuda.h sizes
# CUdeviceptr by __LP64__.
PLATFORM_PREDEFINED = {"__LP64__": "1", "__linux__": "1"}

# What crt/host_defines.h defines for a host C compiler: attribute and
# calling-convention macros that expand to nothing.  (Parsing host_defines.h
# itself would mean modelling each compiler's attribute syntax.)
RUNTIME_PREDEFINED = {
    "__host__": "", "__device__": "", "__cudart_builtin__": "", "__device_builtin__": "",
    "CUDARTAPI": "", "CUDARTAPI_CDECL": "", "__builtin_align__(a)": "", "__align__(a)": "",
}


LIBRARIES: Dict[str, Library] = {
    "nvrtc": Library(
        key="nvrtc", display="NVRTC", headers=("nvrtc.h",), prefix="nvrtc",
        status="nvrtcResult", success="NVRTC_SUCCESS",
        except_value="NVRTC_ERROR_INVALID_INPUT", style="tuple", pathfinder="nvrtc",
        sonames=("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"),
        constant_prefixes=("NVRTC_",), own_handles_only=True,
    ),
    "nvjitlink": Library(
        key="nvjitlink", display="nvJitLink", headers=("nvJitLink.h",), prefix="nvJitLink",
        status="nvJitLinkResult", success="NVJITLINK_SUCCESS",
        except_value="NVJITLINK_ERROR_INTERNAL", style="pythonic", pathfinder="nvJitLink",
        sonames=("libnvJitLink.so.13", "libnvJitLink.so.12", "libnvJitLink.so"),
        enum_names={"nvJitLinkResult": ("Result", "NVJITLINK_"),
                    "nvJitLinkInputType": ("InputType", "NVJITLINK_INPUT_")},
        error_class="nvJitLinkError",
    ),
    "nvvm": Library(
        key="nvvm", display="NVVM", headers=("nvvm.h",), prefix="nvvm",
        status="nvvmResult", success="NVVM_SUCCESS",
        except_value="NVVM_ERROR_INVALID_INPUT", style="pythonic", pathfinder="nvvm",
        sonames=("libnvvm.so.4", "libnvvm.so"), home_subdirs=("nvvm/lib64", "lib64", "lib"),
        enum_names={"nvvmResult": ("Result", "NVVM_")},
        error_class="nvvmError",
    ),
    "nvfatbin": Library(
        key="nvfatbin", display="nvFatbin", headers=("nvFatbin.h",), prefix="nvFatbin",
        status="nvFatbinResult", success="NVFATBIN_SUCCESS",
        except_value="NVFATBIN_ERROR_INTERNAL", style="pythonic", pathfinder="nvfatbin",
        sonames=("libnvfatbin.so.13", "libnvfatbin.so.12", "libnvfatbin.so"),
        enum_names={"nvFatbinResult": ("Result", "NVFATBIN_")},
        error_class="nvFatbinError",
    ),
    "nvml": Library(
        key="nvml", display="NVML", headers=("nvml.h",), prefix="nvml",
        status="nvmlReturn_t", success="NVML_SUCCESS",
        except_value="NVML_ERROR_FUNCTION_NOT_FOUND", style="pythonic", pathfinder="nvml",
        sonames=("libnvidia-ml.so.1",), home_subdirs=(),
        predefined={"__attribute__(x)": ""},   # DEPRECATED(13.0) functions, as the others
        error_class="NvmlError", py_facts="nvml_py.json", py_rules="nvml",
    ),
    "cufile": Library(
        key="cufile", display="cuFile", prefix="cuFile",
        headers=("cuda.h", "cufile.h"),   # cuda.h for CUresult and CUstream; its functions lack the prefix
        status="CUfileOpError", success="CU_FILE_SUCCESS",
        except_value="CU_FILE_INTERNAL_ERROR", style="pythonic", pathfinder="cufile",
        sonames=("libcufile.so.0",), error_class="cuFileError", py_facts="cufile_py.json", py_rules="addressed",
        status_struct="CUfileError_t", enum_docs_see_only=True,
    ),
    "cudla": Library(
        key="cudla", display="cuDLA", prefix="cudla", headers=("cudla.h",),
        status="cudlaStatus", success="cudlaSuccess",
        except_value="cudlaErrorUnknown", style="pythonic", pathfinder="cudla",
        sonames=("libcudla.so.1",), error_class="CudlaError", py_facts="cudla_py.json", py_rules="addressed",
        enum_docs_see_only=True, enum_base="enum.IntEnum",
    ),
    "driver": Library(
        key="driver", display="CUDA driver", headers=("cuda.h", "cudaProfiler.h", "cudaGL.h",
                                                           "cudaEGL.h", "cudaVDPAU.h"),
        prefix="cu", status="CUresult", success="CUDA_SUCCESS",
        except_value="CUDA_ERROR_NOT_FOUND", style="tuple", pathfinder="",
        sonames=("libcuda.so.1",), constant_prefixes=("CU_", "CUDA_", "MAX_PLANES"),
        prelude=("csrc/compat/cb_interop_types.h",), proc_address=True,
        interop_headers=("cudaGL.h", "cudaEGL.h", "cudaVDPAU.h"), version_macro="CUDA_VERSION",
        internal_macro="__CUDA_API_VERSION_INTERNAL", global_class="cudaBindingsDriverGlobal",
    ),
    "runtime": Library(
        key="runtime", display="CUDA runtime", headers=RUNTIME_HEADERS,
        prefix="cuda", status="cudaError_t", success="cudaSuccess",
        except_value="cudaErrorCallRequiresNewerDriver", style="tuple", pathfinder="cudart",
        sonames=("libcudart.so.13", "libcudart.so.12", "libcudart.so"),
        constant_prefixes=("CUDART_", "CUDA_", "cuda"),
        prelude=("csrc/compat/cb_interop_types.h",), static=True,
        interop_headers=("cuda_gl_interop.h", "cuda_egl_interop.h", "cuda_vdpau_interop.h"),
        version_macro="CUDART_VERSION", predefined=RUNTIME_PREDEFINED, tag_names=True, core_only_headers=("driver_functions.h",),
        extra_functions=("make_cudaPitchedPtr", "make_cudaPos", "make_cudaExtent", "getLocalRuntimeVersion"),
        local_prelude="gen/data/runtime_local.h",
        shared_functions={"getLocalRuntimeVersion": "cudaRuntimeGetVersion"},
        twin_module="driver", twin_headers=("cuda.h", "cudaEGL.h"), global_class="cudaBindingsRuntimeGlobal",
    ),
}


DRIVER_HEADERS = LIBRARIES["driver"].headers


