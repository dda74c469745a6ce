"""Stage one and a half: a library's header files in, its Model out.

Everything the emitters know about the headers is found here, once, and
kept on the Model (`HeaderFacts`): the emitters read no header text and
parse nothing again.
"""
import copy
import dataclasses
import os
import re
from . import overrides
from .common import snapshot_signatures
from .cparse import macro_type_aliases, name_tags, parse_files, preprocess, split_predefined
from .libraries import LIBRARIES, PLATFORM_PREDEFINED
from .model import HeaderFacts, Model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_model(key, include_dir, also_include=()):
    """`also_include`: folders searched after `include_dir`, in the C compiler's -I order, for
    headers it lacks (the release's cuda.h, when cuFile's headers come from a folder without it)."""
    lib = LIBRARIES[key]
    predefined = dict(PLATFORM_PREDEFINED, **lib.predefined)
    files = [(None, os.path.join(ROOT, p)) for p in lib.prelude]
    files += [(h, _first_holding(h, (include_dir,) + tuple(also_include))) for h in lib.headers]
    if lib.proc_address:  # the PFN_<name>_v<N> typedefs of each header
        files += [(t, os.path.join(include_dir, t)) for t in
                  [h[:-2] + "Typedefs.h" for h in lib.headers if h != "cuda.h"] + ["cudaTypedefs.h"]]
    if lib.local_prelude:
        files.append((None, os.path.join(ROOT, lib.local_prelude)))
    header = parse_files([p for _, p in files], predefined, [label for label, _ in files])
    # CUDA_VERSION lives in cuda.h; read it for banners when it is there.
    if "CUDA_VERSION" not in header.defines and os.path.exists(os.path.join(include_dir, "cuda.h")):
        header.defines["CUDA_VERSION"] = _cuda_h_version(os.path.join(include_dir, "cuda.h"))
    facts = HeaderFacts(include_dir=include_dir)
    facts.as_written = {n: _copy_function(f) for n, f in header.functions.items()}
    if lib.tag_names:
        facts.tags = name_tags(header)
        macro_type_aliases(header)
    internal = {}
    if lib.internal_macro:  # the reference's capsules of older ABI versions
        wanted = set(snapshot_signatures(lib)) - set(header.functions)
        older = parse_files([p for _, p in files[:len(lib.prelude) + 1]], dict(predefined, **{lib.internal_macro: "1"}))
        internal = {n: f for n, f in older.functions.items() if n in wanted}
    header.functions.update(internal)
    renamed = _renamed(lib, header)
    for name, target in renamed.items():   # cufile.h: #define cuFileDriverClose cuFileDriverClose_v2
        header.functions[target] = dataclasses.replace(header.functions[name], name=target)
        internal[target] = header.functions[target]
    in_interop = {n for n, label in header.origin.items() if label in lib.interop_headers}
    facts.interop = {n for n in header.functions if n in in_interop}
    facts.interop_tags = {t for t in facts.tags if t in in_interop}
    if "cuda_runtime_api.h" in lib.headers:
        facts.ptds = _ptds_variants(os.path.join(include_dir, "cuda_runtime_api.h"), predefined)
    facts.twin_params = _twin_params(lib, include_dir)
    facts.renamed = renamed
    model = Model(lib, header, capsule_only=set(internal), facts=facts)
    facts.twins = _twins(model, include_dir)
    return model


def _renamed(lib, header):
    """{function: the symbol a macro renames it to, which the reference
    exports as a capsule beside it} (`#define cuFileDriverClose
    cuFileDriverClose_v2`): C callers of the header call the target."""
    wanted = snapshot_signatures(lib)
    return {name: value.strip() for name, value in header.defines.items()
            if name in header.functions and value.strip() in wanted and value.strip() not in header.functions
            and re.fullmatch(r"%s_v\d+" % re.escape(name), value.strip())}


def _first_holding(header, folders):
    """The path of `header` in the first of `folders` that holds it (the first folder's, if none does)."""
    for d in folders:
        if os.path.isfile(os.path.join(d, header)):
            return os.path.join(d, header)
    return os.path.join(folders[0], header)


def _twin_params(lib, include_dir):
    """{function: its parameter names} of the twin module's library (the
    runtime's: the driver's), which Model.override() matches against."""
    if not lib.twin_module:
        return {}
    twin = LIBRARIES[lib.twin_module]
    theirs = parse_files([os.path.join(include_dir, h) for h in twin.headers],
                         dict(PLATFORM_PREDEFINED, **twin.predefined))
    return {n: tuple(p.name for p in f.params) for n, f in theirs.functions.items()}


def _cuda_h_version(path):
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("#define CUDA_VERSION"):
                return line.split()[2]
    return None


def _copy_function(f):
    """A copy whose types name_tags cannot rewrite."""
    return copy.deepcopy(f)


def _twins(model, include_dir):
    """handle -> the twin module's class: a handle typedef to the same
    `struct X *` as one of the twin module's headers."""
    lib = model.lib
    if not lib.twin_headers:
        return {}
    theirs = parse_files([os.path.join(include_dir, h) for h in lib.twin_headers], PLATFORM_PREDEFINED)
    by_tag = {}
    for name, t in theirs.typedefs.items():
        if t.base.startswith("struct ") and len(t.ptrs) == 1 and t.func is None:
            by_tag[t.base.split(" ", 1)[1]] = name
    twins = {}
    for name in model.handles():
        t = model.h.typedefs[name]
        tag = t.base.split(" ", 1)[1] if t.base.startswith("struct ") and len(t.ptrs) == 1 else None
        if tag in by_tag and name not in overrides.STANDALONE_HANDLES:
            twins[name] = "cuda.bindings.%s.%s" % (lib.twin_module, by_tag[tag])
    return twins


def _ptds_variants(path, predefined):
    """{function: its per-thread-default-stream symbol}: the header's
    `#define cudaMemcpyAsync __CUDART_API_PTSZ(cudaMemcpyAsync)` table,
    which it defines for __CUDART_API_PER_THREAD_DEFAULT_STREAM."""
    with open(path, errors="replace") as f:
        text = f.read()
    defines, macros = split_predefined(dict(predefined, __CUDART_API_PER_THREAD_DEFAULT_STREAM="1"))
    _, defines, _ = preprocess(text, defines, macros)
    variants = {}
    for name, value in defines.items():
        m = re.fullmatch(r"__CUDART_API_PT(DS|SZ)\(\s*(\w+)\s*\)", value.strip())
        if m and m.group(2) == name:
            variants[name] = name + "_pt" + m.group(1).lower()
    return variants

