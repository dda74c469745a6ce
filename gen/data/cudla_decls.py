"""Writes gen/data/cudla/cudla.h: the declarations of NVIDIA's cudla.h, for
machines that have none (NVIDIA ships cudla.h only in its aarch64 wheel,
nvidia-cudla, and in aarch64 toolkits).

    python gen/data/cudla_decls.py SITE/nvidia/cu13/include/cudla.h > gen/data/cudla/cudla.h

where SITE is an installed or unzipped nvidia-cudla wheel (its .dist-info
beside nvidia/ names the version):

    pip download --no-deps --only-binary=:all: --platform manylinux2014_aarch64 \
        "nvidia-cudla==13.5.*" -d /tmp/w && unzip /tmp/w/*.whl -d /tmp/w/site

The header is parsed by gen/cparse and the parse written out again as C:
the macros' values, the enums with their members' values, the structs,
unions and typedefs, and the function prototypes, in the header's order.
Nothing else of the header (its comments and text) is carried over.
gen/find_header.py offers the folder when no cudla.h of the release is
installed; its first lines say what it was made from.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from gen import cparse, find_header, libraries  # noqa: E402


def enum_text(e, tag):
    lines = ["enum %s {" % tag]
    lines += ["    %s = %d," % (m.name, m.literal) for m in e.members]
    return "\n".join(lines) + "\n}"


def struct_text(s):
    if any(f.nested is not None for f in s.fields):
        raise ValueError("%s: a nested struct, which this writer does not know" % s.name)
    lines = ["%s %s {" % (s.kind, s.tag)]
    lines += ["    %s;" % f.type.c(f.name) for f in s.fields]
    return "\n".join(lines) + "\n}"


def declarations(h):
    """C text of every declaration of h, in an order C accepts: macros,
    enums, opaque handles, structs and unions (each after those it uses,
    as in the header), typedefs of them, functions."""
    out = ["#define %s %s" % (n, v) for n, v in h.defines.items() if not n.startswith("__")]
    done = set()
    typedefs_of = {}
    for name, t in h.typedefs.items():
        typedefs_of.setdefault(t.base, []).append((name, t))

    def typedefs(base):
        return ["typedef %s;" % t.c(name) for name, t in typedefs_of.pop(base, [])]

    for name, e in h.enums.items():
        tag = h.enum_typedef_tags.get(name, name)
        if name in h.tag_only_enums:
            out.append(enum_text(e, tag) + ";")
        else:
            out.append("typedef " + enum_text(e, tag) + " %s;" % name)
        out += typedefs("enum " + tag)
    defined = {s.tag for s in h.structs.values()}
    for base in list(typedefs_of):
        kind, _, tag = base.partition(" ")
        if kind in ("struct", "union") and tag not in defined:     # an opaque handle
            out.append("%s %s;" % (kind, tag))
            out += typedefs(base)
    for s in h.structs.values():
        if s.tag in done:
            continue
        done.add(s.tag)
        names = [t.name for t in h.structs.values() if t.tag == s.tag and t.name in h.typedef_names]
        if names:
            out.append("typedef " + struct_text(s) + " %s;" % ", ".join(names))
        else:
            out.append(struct_text(s) + ";")
        out += typedefs("%s %s" % (s.kind, s.tag))
    for base in list(typedefs_of):
        out += typedefs(base)
    for f in h.functions.values():
        params = ", ".join(p.type.c(p.name) for p in f.params) or "void"
        out.append("%s %s(%s);" % (f.ret.c(), f.name, params))
    return out


def main(path):
    h = cparse.parse_files([path], libraries.PLATFORM_PREDEFINED)
    include = os.path.dirname(os.path.abspath(path))
    site = os.path.dirname(os.path.dirname(os.path.dirname(include)))
    rel = os.path.relpath(path, site).replace(os.sep, "/")
    dist, version = find_header.wheel_owners(site).get(rel, (None, None))
    if dist is None:
        raise SystemExit("%s: no wheel's .dist-info beside it names it" % path)
    release = find_header.release_of(version, dist)
    print("/* cuda-release: %s */" % release)
    print("/* made-from: %s %s */" % (dist, version))
    print("/* The declarations of that wheel's cudla.h (names, values, types), re-emitted from\n"
          " * gen/cparse's parse of it by gen/data/cudla_decls.py: for builds where no cudla.h is installed. */")
    print("#ifndef CB_CUDLA_DECLARATIONS_H\n#define CB_CUDLA_DECLARATIONS_H\n")
    print("#include <stddef.h>\n#include <stdint.h>\n")
    print("#ifdef __cplusplus\nextern \"C\" {\n#endif\n")
    print("\n\n".join(declarations(h)))
    print("\n#ifdef __cplusplus\n}\n#endif\n\n#endif")


if __name__ == "__main__":
    main(sys.argv[1])
