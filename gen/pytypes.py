"""A binding's Python types and docstring, from its arguments' kinds (kinds.py)."""


def arg_type(model, a):
    """Python type accepted for an input, or returned for an output."""
    return a.kind.py_type(model, a)


def result_type(model, b):
    """The annotation of what a binding returns."""
    outs = [arg_type(model, a) for a in b.outputs]
    if model.lib.style == "pythonic":
        if b.returns == "cstr":
            return "str | None"
        if not outs:
            return "None"
        if len(outs) == 1:
            return outs[0]
        return "tuple[%s]" % ", ".join(outs)
    status = model.lib.status
    if b.returns == "cstr":
        return "tuple[%s, bytes]" % status
    return "tuple[%s]" % ", ".join([status] + ["%s | None" % t for t in outs])


def docstring(model, b):
    """numpydoc text from the header's comment."""
    f = b.func
    lines = []
    if f.doc.brief:
        lines += [f.doc.brief, ""]
    ins = b.inputs
    if ins:
        lines += ["Parameters", "----------"]
        for a in ins:
            lines.append("%s : %s" % (a.pyname, arg_type(model, a)))
            if a.doc:
                lines.append("    " + a.doc)
        lines.append("")
    lines += ["Returns", "-------"]
    if model.lib.style == "tuple":
        lines.append(model.lib.status)
        if f.doc.returns:
            lines.append("    " + " ".join(f.doc.returns.replace("-", " ").split()))
        if b.returns == "cstr":
            lines.append("bytes")
    for a in b.outputs:
        lines.append("%s : %s" % (a.name, arg_type(model, a)))
        if a.doc:
            lines.append("    " + a.doc)
    if model.lib.style == "pythonic" and b.returns == "cstr":
        lines.append("str | None")
        if f.doc.returns:
            lines.append("    " + " ".join(f.doc.returns.replace("-", " ").split()))
        return "\n".join(lines).rstrip()  # a text lookup: no status to raise
    if model.lib.style == "pythonic" and not b.outputs:
        lines.append("None")
    if model.lib.style == "pythonic":
        lines += ["", "Raises", "------", model.lib.error_class,
                  "    When the library returns a status other than %s." % model.lib.success]
    return "\n".join(lines).rstrip()
