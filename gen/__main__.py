"""Generate the artifacts of one library in one run.

    python -m gen --lib nvrtc --cuda-include /usr/local/cuda/include \
                  core=OUT.c pymod=OUT.c capi=OUT.h pxd=OUT.pxd ...

Each WHAT=PATH writes one artifact (see EMITTERS); the headers are parsed
once for all of them.  Meson calls it once per library (cuda/bindings/meson.build).
"""
import argparse
import os
import sys

from . import emit_capi, emit_core, emit_cpdef, emit_pxd, emit_pyi, emit_pymod
from .libraries import LIBRARIES
from .load import load_model

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


def artifact(spec):
    what, sep, path = spec.partition("=")
    if not sep or what not in EMITTERS or not path:
        raise argparse.ArgumentTypeError("%r: expected WHAT=PATH, WHAT one of %s" % (spec, ", ".join(EMITTERS)))
    return what, path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", required=True, choices=sorted(LIBRARIES))
    ap.add_argument("--cuda-include", required=True)
    ap.add_argument("--also-include", action="append", default=[],
                    help="a folder for the headers --cuda-include lacks, searched after it as the compiler's -I")
    ap.add_argument("artifacts", nargs="+", type=artifact, metavar="WHAT=PATH")
    args = ap.parse_args(argv)
    model = load_model(args.lib, args.cuda_include, args.also_include)
    for reason in model.skipped:
        print("gen: warning: %s: not bound (%s)" % (args.lib, reason), file=sys.stderr)
    for what, path in args.artifacts:
        text = EMITTERS[what](model)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
