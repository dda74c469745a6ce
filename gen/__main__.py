"""Generate one artifact of one library into a directory.

    python -m gen --lib nvrtc --cuda-include /usr/local/cuda/include \
                  --emit core|pymod|capi|pxd|classes-pxd|cpdef-pxd|pyi|cy-pyi -o OUTFILE

Meson calls it once per output (see cuda/bindings/meson.build).
"""
import argparse
import os
import re
import sys

from . import emit_capi, emit_core, emit_cpdef, emit_pxd, emit_pyi, emit_pymod, overrides
from .common import snapshot_signatures
from .cparse import macro_type_aliases, name_tags, parse_files
from .libraries import LIBRARIES, PLATFORM_PREDEFINED
from .model import Model

EMITTERS = {
    "core": emit_core.emit,
    "pymod": emit_pymod.emit,
    "capi": emit_capi.emit,
    "pxd": emit_pxd.emit_cy,
    "classes-pxd": emit_pxd.emit_classes,
    "cpdef-pxd": emit_cpdef.pxd_text,
    "pyi": emit_pyi.emit,
    "cy-pyi": emit_pyi.emit_cy,
}


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_model(key, include_dir):
    lib = LIBRARIES[key]
    paths = [os.path.join(ROOT, p) for p in lib.prelude] + [os.path.join(include_dir, h) for h in lib.headers]
    if lib.proc_address:  # the PFN_<name>_v<N> typedefs of each header
        paths += [os.path.join(include_dir, h[:-2] + "Typedefs.h") for h in lib.headers
                  if h != "cuda.h"] + [os.path.join(include_dir, "cudaTypedefs.h")]
    if lib.local_prelude:
        paths.append(os.path.join(ROOT, lib.local_prelude))
    header = parse_files(paths, dict(PLATFORM_PREDEFINED, **lib.predefined))
    # CUDA_VERSION lives in cuda.h; read it for banners when it is there.
    cuda_h = os.path.join(include_dir, "cuda.h")
    if "CUDA_VERSION" not in header.defines and os.path.exists(cuda_h):
        with open(cuda_h, errors="replace") as f:
            for line in f:
                if line.startswith("#define CUDA_VERSION"):
                    header.defines["CUDA_VERSION"] = line.split()[2]
                    break
    tags = {}
    if lib.tag_names:
        tags = name_tags(header)
        macro_type_aliases(header)
    internal = {}
    if lib.internal_macro:  # the reference's capsules of older ABI versions
        wanted = set(snapshot_signatures(lib)) - set(header.functions)
        older = parse_files(paths[:len(lib.prelude) + 1],
                            dict(PLATFORM_PREDEFINED, **lib.predefined, **{lib.internal_macro: "1"}))
        internal = {n: f for n, f in older.functions.items() if n in wanted}
    header.functions.update(internal)
    model = Model(lib, header, capsule_only=set(internal))
    model.tags = tags
    model.include_dir = include_dir
    model.interop = set()
    model.twins = {}  # handle typedef -> the twin module's class of the same C type
    for h in lib.twin_headers:
        with open(os.path.join(include_dir, h), errors="replace") as f:
            theirs = dict(re.findall(r"typedef\s+struct\s+(\w+)\s*\*\s*(\w+)\s*;", f.read()))
        for name in model.handles():
            t = header.typedefs[name]
            tag = t.base.split(" ", 1)[1] if t.base.startswith("struct ") and len(t.ptrs) == 1 else None
            if tag in theirs and name not in overrides.STANDALONE_HANDLES:
                model.twins.setdefault(name, "cuda.bindings.%s.%s" % (lib.twin_module, theirs[tag]))
    model.interop_tags = set()
    for h in lib.interop_headers:
        with open(os.path.join(include_dir, h), errors="replace") as f:
            text = f.read()
        model.interop |= {b.name for b in model.core_bindings if re.search(r"\b%s\s*\(" % b.name, text)}
        model.interop_tags |= {t for t in tags if re.search(r"\b(enum|struct|union)\s+(\w+\s+)?%s\s*\{" % t, text)}
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", required=True, choices=sorted(LIBRARIES))
    ap.add_argument("--cuda-include", required=True)
    ap.add_argument("--emit", required=True, choices=sorted(EMITTERS))
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)
    model = load_model(args.lib, args.cuda_include)
    if args.emit == "core":  # once per library, not once per artifact
        for reason in model.skipped:
            print("gen: warning: %s: not bound (%s)" % (args.lib, reason), file=sys.stderr)
    text = EMITTERS[args.emit](model)
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
