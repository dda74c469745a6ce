"""csrc/ in layers: no include or call circle among the hand-written C files.

Each csrc file belongs to a unit named by its stem (cb_args.c and cb_args.h
are unit cb_args).  Unit A depends on unit B when a file of A includes
"cb_B.h", or a .c of A uses a CB_INTERNAL function or variable that B's .c
defines or B's header declares (through a header's inline function or macro
too).  The graph of units must have no circle: each layer builds only on
the ones below it.  The C is read as text (comments and strings dropped),
which the project's one style makes enough.
"""
import re
from pathlib import Path

import pytest

CSRC = Path(__file__).resolve().parent.parent / "csrc"

IDENT = re.compile(r"[A-Za-z_]\w*")
INCLUDE = re.compile(r'^\s*#\s*include\s+"(cb_\w+\.h)"', re.M)
# a comment, or a string or char literal (kept as empty quotes)
LEXEME = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def unit(name):
    return name.rsplit(".", 1)[0]


def strip(text):
    """The text without comments and literals, line numbers kept."""
    def blank(m):
        s = m.group(0)
        return s[0] * 2 if s[0] in "\"'" else "\n" * s.count("\n") + " "
    return LEXEME.sub(blank, text)


def split_directives(code):
    """(macros: {name: body}, the code without preprocessor lines)."""
    macros, rest = {}, []
    for line in code.replace("\\\n", " ").split("\n"):
        m = re.match(r"\s*#\s*define\s+(\w+)(.*)", line)
        if m:
            macros[m.group(1)] = m.group(2)
        rest.append("" if line.lstrip().startswith("#") else line)
    return macros, "\n".join(rest)


def top_level(code):
    """Top-level pieces of the code: (text outside braces, [(name, body)] of
    the function definitions)."""
    outside, functions, depth, start, head_end = [], [], 0, 0, 0
    for i, c in enumerate(code):
        if c == "{":
            if depth == 0:
                head = code[start:i]
                outside.append(head)
                head_end = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                m = re.search(r"(\w+)\s*\((?:[^()]|\([^()]*\))*\)\s*$", head)
                if m and not re.search(r"=\s*$", head):
                    functions.append((m.group(1), code[head_end:i + 1]))
                else:   # an initializer or a struct body: outside a function
                    outside.append(code[head_end:i + 1])
                start = i + 1
        elif c == ";" and depth == 0:
            outside.append(code[start:i + 1])
            start = i + 1
    return "".join(outside), functions


def declared_internal(code):
    """Names a header declares CB_INTERNAL: functions and extern variables."""
    names = set()
    for decl in re.findall(r"\bCB_INTERNAL\b([^;{]*)[;{]", code):
        m = re.search(r"(\w+)\s*\(", decl) or re.search(r"(\w+)\s*(?:\[[^\]]*\])?\s*$", decl)
        names.add(m.group(1))
    return names


def read_tree(csrc):
    """Per file: its includes, names used, definitions; per header its
    CB_INTERNAL names and its inline functions and macros."""
    files = {}
    for path in sorted(csrc.glob("*.[ch]")):
        raw = path.read_text()
        macros, code = split_directives(strip(raw))
        outside, functions = top_level(code)
        files[path.name] = {
            "includes": INCLUDE.findall(raw),
            "uses": set(IDENT.findall(code)) | {t for body in macros.values() for t in IDENT.findall(body)},
            "defines": {name for name, _ in functions} |
                       # variables: a top-level declaration that is not extern
                       {m.group(1) for s in outside.split(";") if not re.search(r"\bextern\b", s)
                        for m in [re.search(r"(\w+)\s*(?:\[[^\]]*\])?\s*(?:=.*)?$", s.strip(), re.S)] if m},
            "declares": declared_internal(code) if path.suffix == ".h" else set(),
            "bodies": {**{name: set(IDENT.findall(body)) for name, body in functions},
                       **{name: set(IDENT.findall(body)) for name, body in macros.items()}},
        }
    return files


def dependencies(csrc):
    """({unit: {unit it depends on: [why]}}, where each CB_INTERNAL name is
    declared, where defined) for the files in csrc."""
    files = read_tree(csrc)
    declared_in, defined_in, inline_in = {}, {}, {}
    for name, f in files.items():
        for d in f["declares"]:
            declared_in[d] = name
        if name.endswith(".h"):
            for fn, body in f["bodies"].items():
                inline_in[fn] = body
    for name, f in files.items():
        if name.endswith(".c"):
            for d in f["defines"] & set(declared_in):
                defined_in[d] = name
    deps = {}

    def edge(a, b, why):
        if unit(a) != unit(b):
            deps.setdefault(unit(a), {}).setdefault(unit(b), []).append(why)

    for name, f in files.items():
        for inc in f["includes"]:
            if inc in files:
                edge(name, inc, "includes %s" % inc)
        if not name.endswith(".c"):
            continue
        # what it uses, through the inline functions and macros of headers
        uses, todo = set(), list(f["uses"])
        while todo:
            t = todo.pop()
            if t not in uses:
                uses.add(t)
                todo.extend(inline_in.get(t, ()))
        for u in sorted(uses & set(declared_in)):
            edge(name, declared_in[u], "uses %s (declared in %s)" % (u, declared_in[u]))
            if u in defined_in:
                edge(name, defined_in[u], "uses %s (defined in %s)" % (u, defined_in[u]))
    return deps, declared_in, defined_in


def circles(deps):
    """The groups of units that reach each other (strongly connected, more
    than one unit), each a sorted list."""
    index, low, stack, on, groups = {}, {}, [], set(), []

    def visit(v):   # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in deps.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = [stack.pop()]
            while group[-1] != v:
                group.append(stack.pop())
            on.difference_update(group)
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(deps):
        if v not in index:
            visit(v)
    return groups


def describe(deps, group):
    """Every dependency inside the group, and why."""
    return "\n".join("  %s -> %s: %s" % (a, b, "; ".join(why[:3])) for a in group
                     for b, why in sorted(deps.get(a, {}).items()) if b in group)


def test_the_parser_sees_the_core():
    _, declared_in, defined_in = dependencies(CSRC)
    assert len(declared_in) > 100
    assert defined_in["cb_handle_new"] == "cb_handle.c"
    assert defined_in["cb_small_ints"] == "cb_result.c"   # a variable
    # every CB_INTERNAL name is defined in csrc/, so that no use goes unseen
    assert sorted(set(declared_in) - set(defined_in)) == []


@pytest.mark.parametrize("use", ["cb_a_fast()", "CB_A()"])
def test_a_circle_through_a_header_is_found(tmp_path, use):
    """cb_b.c reaches cb_a.c only through an inline function or a macro of a
    header of neither: still a circle with cb_a.c, which calls cb_b.c."""
    (tmp_path / "cb_decl.h").write_text(
        "CB_INTERNAL int cb_a(void);\n"
        "static inline int cb_a_fast(void) { return cb_a(); }\n"
        "#define CB_A() \\\n    cb_a()\n")
    (tmp_path / "cb_a.c").write_text('#include "cb_decl.h"\n#include "cb_b.h"\n\nint\ncb_a(void)\n{\n'
                                     "    return cb_b();\n}\n")
    (tmp_path / "cb_b.h").write_text("/* cb_a() */\nCB_INTERNAL int cb_b(void);\n")
    b = '#include "cb_b.h"\n#include "cb_decl.h"\n\nint\ncb_b(void)\n{\n    return %s;\n}\n'
    (tmp_path / "cb_b.c").write_text(b % use)
    deps, _, _ = dependencies(tmp_path)
    assert circles(deps) == [["cb_a", "cb_b"]]
    assert "uses cb_a (defined in cb_a.c)" in deps["cb_b"]["cb_a"]
    (tmp_path / "cb_b.c").write_text(b % '"cb_a()"')   # a string is no use
    assert circles(dependencies(tmp_path)[0]) == []


def test_no_include_or_call_circle():
    deps, _, _ = dependencies(CSRC)
    found = circles(deps)
    assert not found, "circles among csrc/ files:\n" + "\n\n".join(describe(deps, g) for g in found)
