"""Installed Cython declarations: cy<lib>.pxd (functions via __pyx_capi__)
and, for the tuple-style modules, <lib>.pxd (the handle classes' layout)."""
from .common import banner, cuda_version, pxd_type


def emit_cy(model):
    lib = model.lib
    h = model.h
    out = [banner(lib, "#", "", cuda_version(h))]
    out.append("# cimport it: `from cuda.bindings cimport cy%s`; compile with -I$CUDA_HOME/include.\n" % lib.key)
    out.append("from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t, intptr_t, uintptr_t\n\n")
    out.append('cdef extern from "%s":\n' % lib.headers[0])
    for cname, _, _, _ in model.py_enums():
        e = h.enums[cname]
        out.append("    ctypedef enum %s:\n" % cname)
        for m in e.members:
            out.append("        %s = %d\n" % (m.name, m.value))
        out.append("\n")
    for name, t in h.typedefs.items():
        if t.func is None and len(t.ptrs) == 1 and t.base.startswith("struct "):
            tag = t.base[len("struct "):]
            out.append("    cdef struct %s:\n        pass\n    ctypedef %s* %s\n\n" % (tag, tag, name))
    for b in model.bindings:
        f = b.func
        params = ", ".join(pxd_type(p.type, p.name) for p in f.params)
        exc = "NULL" if b.returns == "cstr" else lib.except_value
        out.append("cdef %s %s(%s) except ?%s nogil\n" % (pxd_type(f.ret), f.name, params, exc))
    return "".join(out)


def emit_classes(model):
    """<lib>.pxd: cdef classes with the reference layout (_pvt_val, _pvt_ptr)."""
    lib = model.lib
    out = [banner(lib, "#", "", cuda_version(model.h))]
    out.append("from cuda.bindings cimport cy%s\n\n" % lib.key)
    for hname in model.handles():
        out.append("cdef class %s:\n    cdef cy%s.%s _pvt_val\n    cdef cy%s.%s* _pvt_ptr\n\n"
                   % (hname, lib.key, hname, lib.key, hname))
    return "".join(out)
