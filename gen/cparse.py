"""Parse the C declarations of a CUDA library header.

Stage one of the generator: header text in, a plain data model out (enums,
typedefs, structs, function prototypes, integer #defines and the doxygen
comments attached to each).  It understands the C that NVIDIA's headers use:
conditional compilation, empty attribute macros (CUDAAPI, __CUDA_DEPRECATED),
`static inline` forwarders, opaque handle typedefs, function pointers,
nested structs and unions, fixed arrays and enum values given as
expressions.  It is not a general C parser and does not try to be.
"""
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


# --------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------

@dataclass
class CType:
    """A C type: base name with qualifiers, pointer levels, arrays, or a function pointer."""
    base: str                       # 'char', 'unsigned int', 'nvrtcProgram', 'struct CUstream_st'
    const: bool = False             # const applied to the base type
    ptrs: Tuple[bool, ...] = ()     # one entry per '*', True where that pointer is itself const
    array: Tuple[str, ...] = ()     # fixed dimensions of a struct field, as written
    func: Optional["FuncSig"] = None  # set for a function pointer: base/ptrs then describe its return

    @property
    def depth(self):
        return len(self.ptrs)

    def pointee(self):
        """The type one '*' less."""
        assert self.ptrs, self
        return CType(self.base, self.const, self.ptrs[:-1], (), self.func)

    def unqualified(self):
        """The type without its own top-level const (`T *const` -> `T *`, `const int` -> `int`)."""
        if self.func is not None or self.array:
            return self
        if self.ptrs:
            return CType(self.base, self.const, self.ptrs[:-1] + (False,))
        return CType(self.base, False)

    def c(self, name=""):
        """C spelling, optionally declaring `name`."""
        if self.func is not None:
            ret = CType(self.base, self.const, self.ptrs).c()
            args = ", ".join(p.type.c(p.name) for p in self.func.params) or "void"
            return "%s (*%s)(%s)" % (ret, name, args)
        s = ("const " if self.const else "") + self.base
        for is_const in self.ptrs:
            s += " *" + (" const" if is_const else "")
        if name:
            s += (" " if not s.endswith("*") else "") + name
        for dim in self.array:
            s += "[%s]" % dim
        return s

    def __str__(self):
        return self.c()


@dataclass
class Param:
    name: str
    type: CType
    direction: Optional[str] = None  # 'in', 'out', 'inout' from \param [..]; None when unstated
    doc: str = ""


@dataclass
class FuncSig:
    params: List[Param]


@dataclass
class Doc:
    brief: str = ""
    text: str = ""                  # the whole comment, cleaned, for docstrings
    raw: str = ""                   # the comment as the header has it
    params: Dict[str, Tuple[Optional[str], str]] = field(default_factory=dict)  # name -> (direction, text)
    returns: str = ""


@dataclass
class Function:
    name: str
    ret: CType
    params: List[Param]
    doc: Doc = field(default_factory=Doc)


@dataclass
class EnumMember:
    name: str
    value: int
    doc: str = ""
    raw_doc: str = ""               # the comment as the header has it
    literal: int = 0                # the value before int wrap ((1 << 31) is INT_MIN); set with value


@dataclass
class Enum:
    name: str
    members: List[EnumMember]
    doc: Doc = field(default_factory=Doc)


@dataclass
class Field:
    name: str
    type: CType
    doc: str = ""
    nested: Optional["Struct"] = None  # inline struct/union definition


@dataclass
class Struct:
    name: str                       # typedef name, or tag for an untypedef'd struct
    kind: str                       # 'struct' or 'union'
    fields: List[Field]
    tag: Optional[str] = None
    doc: Doc = field(default_factory=Doc)


@dataclass
class Header:
    functions: Dict[str, Function] = field(default_factory=dict)
    enums: Dict[str, Enum] = field(default_factory=dict)
    structs: Dict[str, Struct] = field(default_factory=dict)
    typedefs: Dict[str, CType] = field(default_factory=dict)     # name -> aliased type
    defines: Dict[str, str] = field(default_factory=dict)        # object-like macros, raw text
    macros: Dict[str, tuple] = field(default_factory=dict)       # function-like: name -> (params, body)
    typedef_docs: Dict[str, Doc] = field(default_factory=dict)
    # What C itself can call by a plain name: the names typedefs declare;
    # and the tags of enums/structs/unions with their keyword (`enum X {`).
    typedef_names: set = field(default_factory=set)
    tags: Dict[str, str] = field(default_factory=dict)
    # Where each name comes from and how C spells it there, for the
    # declarations made from the parse (parse_files):
    origin: Dict[str, Optional[str]] = field(default_factory=dict)  # name -> header first declaring it (None: ours)
    tag_only_enums: set = field(default_factory=set)     # `enum X {...};` with no typedef: C says `enum X`
    enum_typedef_tags: Dict[str, str] = field(default_factory=dict)  # NAME -> TAG of `typedef enum TAG {...} NAME;`
    # `typedef __device_builtin__ enum X {...} X;`: an attribute macro between typedef and
    # enum (the runtime's); NVIDIA's pxd declares these by their tag.
    attributed_enum_typedefs: set = field(default_factory=set)
    group_titles: Dict[str, str] = field(default_factory=dict)  # doxygen `\defgroup NAME Title`
    macro_types: set = field(default_factory=set)        # names macro_type_aliases made typedefs

    def resolve(self, t: CType) -> CType:
        """Follow typedef chains of a non-pointer alias: CUdeviceptr -> unsigned long long."""
        seen = set()
        while not t.ptrs and not t.array and t.func is None and t.base in self.typedefs \
                and t.base not in seen:
            seen.add(t.base)
            alias = self.typedefs[t.base]
            t = CType(alias.base, alias.const or t.const, alias.ptrs, alias.array, alias.func)
        return t


# --------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"^\s*#\s*(\w+)\s*(.*)$")


def _strip_line_comment(s):
    s = re.sub(r"/\*.*?\*/", " ", s)
    s = s.split("/*", 1)[0]  # a comment the line opens and a later line closes
    return s.split("//", 1)[0].strip()


def eval_int(expr, names=None):
    """Evaluate a C integer constant expression; names maps identifiers to ints.

    Unknown identifiers count as 0, as in #if.  Raises ValueError when the
    text is not an integer expression at all.
    """
    names = names or {}
    e = _strip_line_comment(expr)
    e = re.sub(r"\(\s*(?:unsigned|signed|int|long|short|char|\w+_t|\w+)\s*\)", " ", e)  # casts
    e = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", e)
    e = e.replace("&&", " and ").replace("||", " or ")
    e = re.sub(r"!(?!=)", " not ", e)
    e = re.sub(r"\b0+(\d)", r"\1", e)  # no octal literals in these headers; keep Python happy

    def ident(m):
        w = m.group(0)
        if w in ("and", "or", "not"):
            return w
        return str(names.get(w, 0))
    e = re.sub(r"\b[A-Za-z_]\w*\b", ident, e)
    if not re.fullmatch(r"[\s\d()xXa-fA-F+\-*/%<>=!&|^~andortn]*", e) or not e.strip():
        raise ValueError("not an integer expression: %r" % expr)
    e = e.replace("/", "//")
    try:
        return int(eval(e, {"__builtins__": {}}, {}))  # noqa: S307 - sanitized above
    except Exception as exc:  # noqa: BLE001
        raise ValueError("cannot evaluate %r: %s" % (expr, exc)) from None


def split_predefined(predefined):
    """{'NAME': text, 'F(a, b)': body} -> (object-like defines, function-like macros)."""
    defines, macros = {}, {}
    for name, value in (predefined or {}).items():
        fm = re.match(r"(\w+)\(([^)]*)\)$", name)
        if fm:
            macros[fm.group(1)] = ([x.strip() for x in fm.group(2).split(",") if x.strip()], value)
        else:
            defines[name] = value
    return defines, macros


class _EmptyMacros:
    """Removes attribute-like macros defined as nothing (CUDAAPI, __CUDA_DEPRECATED)
    from code lines, as they stand at that point of the file.  update() is
    called when a #define or #undef changes them, not per line."""

    def __init__(self, defines):
        self.update(defines)

    def update(self, defines):
        names = sorted(k for k, v in defines.items() if v == "")
        self.regex = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, names))) if names else None

    def apply(self, line):
        return self.regex.sub("", line) if self.regex else line


def preprocess(text, predefined=None, macros=None):
    """Apply #if/#ifdef/#ifndef/#elif/#else/#endif and #define/#undef in order.

    Returns (code, defines, macros).  Code lines have function-like macros
    expanded and empty macros removed as they stand at that line.  Kept
    lines stay in place (excluded ones become blank) so that doc comments
    keep their neighbours.  Comments are left in.
    """
    defines, extra = split_predefined(predefined)
    macros = dict(macros or {}, **extra)
    empties = _EmptyMacros(defines)
    out = []
    lines = text.replace("\\\n", " ").split("\n")
    stack = []   # per #if: [this_branch_active, some_branch_taken, parent_active]
    active = True
    # A block comment open across lines: a '#' inside it is no directive, and
    # one that a directive's line opened (`#define X 1 /**< two-line doc`)
    # goes with that directive.
    in_comment = drop_comment = False
    for line in lines:
        if in_comment:
            if "*/" in line:
                in_comment = False
            out.append(line if active and not drop_comment else "")
            continue
        m = _DIRECTIVE.match(line)
        if "/*" in re.sub(r"/\*.*?\*/", "", line):
            in_comment, drop_comment = True, m is not None
        if not m:
            if active:
                line = _expand_x_lists(line, macros, defines)
                if macros and "(" in line:
                    line = expand_macros(line, macros, defines)
                line = empties.apply(line)
            out.append(line if active else "")
            continue
        d, rest = m.group(1), m.group(2)
        out.append("")
        if d in ("if", "ifdef", "ifndef"):
            if d == "if":
                cond = _eval_if(rest, defines) if active else False
            else:
                name = _strip_line_comment(rest)
                cond = (name in defines) == (d == "ifdef")
            stack.append([active and cond, active and cond, active])
            active = active and cond
        elif d == "elif":
            top = stack[-1]
            cond = (not top[1]) and top[2] and _eval_if(rest, defines)
            top[0] = cond
            top[1] = top[1] or cond
            active = cond
        elif d == "else":
            top = stack[-1]
            top[0] = top[2] and not top[1]
            top[1] = True
            active = top[0]
        elif d == "endif":
            stack.pop()
            active = stack[-1][0] if stack else True
        elif d == "define" and active:
            dm = re.match(r"(\w+)(\([^)]*\))?\s*(.*)$", rest)
            if dm and not dm.group(2):
                defines[dm.group(1)] = _strip_line_comment(dm.group(3))
                if defines[dm.group(1)] == "":
                    empties.update(defines)
            elif dm:
                params = [x.strip() for x in dm.group(2)[1:-1].split(",") if x.strip()]
                macros[dm.group(1)] = (params, _strip_line_comment(dm.group(3)))
        elif d == "undef" and active:
            if defines.pop(_strip_line_comment(rest), None) == "":
                empties.update(defines)
            macros.pop(_strip_line_comment(rest), None)
    return "\n".join(out), defines, macros


_PP_TOKEN = re.compile(r"[A-Za-z_]\w*|##|#|\d\w*|\"(?:\\.|[^\"\\])*\"|\s+|.")


def _pp_tokens(text):
    return _PP_TOKEN.findall(text)


def _macro_args(toks, i):
    """Arguments of a call whose '(' is at toks[i]: (list of token lists, index after ')')."""
    depth, args, cur = 0, [], []
    for j in range(i, len(toks)):
        t = toks[j]
        if t == "(":
            depth += 1
            if depth == 1:
                continue
        elif t == ")":
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args, j + 1
        elif t == "," and depth == 1:
            args.append(cur)
            cur = []
            continue
        cur.append(t)
    return None, i  # unbalanced on this line: leave it alone


def _expand(toks, macros, defines, hidden):
    """Expand function-like macros (and, inside their arguments, object-like
    macros with integer values, as C does before pasting)."""
    out, i = [], 0
    while i < len(toks):
        t = toks[i]
        j = i + 1
        while j < len(toks) and toks[j].isspace():
            j += 1
        if t in macros and t not in hidden and j < len(toks) and toks[j] == "(":
            args, end = _macro_args(toks, j)
            if args is not None:
                params, body = macros[t]
                if params == [] and args == [[]]:
                    args = []
                out.extend(_expand(_substitute(params, args, body, macros, defines, hidden | {t}),
                                   macros, defines, hidden | {t}))
                i = end
                continue
        out.append(t)
        i += 1
    return out


def _substitute(params, args, body, macros, defines, hidden):
    btoks = _pp_tokens(body)
    result = []
    for k, t in enumerate(btoks):
        if t in params:
            n = params.index(t)
            raw = [x for x in args[n] if not x.isspace()] if n < len(args) else []
            near = [x for x in btoks[max(0, k - 2):k + 3] if not x.isspace()]
            pasted = "##" in near
            if pasted:
                result.extend(raw)
            else:
                ex = _expand(raw, macros, defines, hidden)
                result.extend(defines[x] if x in defines and re.fullmatch(r"\d+", defines[x] or "")
                              else x for x in ex)
        else:
            result.append(t)
    # token pasting: a ## b -> ab
    pasted, k = [], 0
    toks = [x for x in result if not x.isspace()]
    while k < len(toks):
        if toks[k] == "##" and pasted and k + 1 < len(toks):
            pasted[-1] = pasted[-1] + toks[k + 1]
            k += 2
            continue
        pasted.append(toks[k])
        k += 1
    return _pp_tokens(" ".join(pasted))


def _expand_x_lists(line, macros, defines):
    """A line that is only an object-like macro whose body calls a
    function-like macro (an X-macro list: cufile.h's CUFILEOP_STATUS_ENTRIES
    of CUFILE_OP(code, name, text) rows) becomes that body, as C would make
    it; object-like macros elsewhere stay, their names being what the parse
    reads (cuda.h's `#define cuMemcpyHtoD __CUDA_API_PTDS(...)`)."""
    name = line.strip()
    body = defines.get(name) if macros and re.fullmatch(r"[A-Za-z_]\w*", name) else None
    if body and any(re.search(r"\b%s\s*\(" % re.escape(f), body) for f in macros):
        return body
    return line


def expand_macros(line, macros, defines):
    toks = _pp_tokens(line)
    if not any(t in macros for t in toks):
        return line
    return "".join(_expand(toks, macros, defines, frozenset()))


def _define_value(name, defines, depth=0):
    """Integer value of an object-like macro, following macros it names."""
    v = defines.get(name)
    if v is None or depth > 8:
        return 0
    if v == "":
        return 1
    idents = set(re.findall(r"\b[A-Za-z_]\w*\b", v)) - {"defined"}
    names = {k: _define_value(k, defines, depth + 1) for k in idents}
    try:
        return eval_int(v, names)
    except ValueError:
        return 0


def _eval_if(expr, defines):
    expr = _strip_line_comment(expr)
    expr = re.sub(r"defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)",
                  lambda m: "1" if (m.group(1) or m.group(2)) in defines else "0", expr)
    names = {k: _define_value(k, defines) for k in set(re.findall(r"\b[A-Za-z_]\w*\b", expr))}
    try:
        return bool(eval_int(expr, names))
    except ValueError:
        return False


# --------------------------------------------------------------------------
# Doc comments
# --------------------------------------------------------------------------

TRAILING_DOC = ("/**<", "/*!<", "///<")   # a doc comment of what stands before it


def comment_body(raw, closing_stars=False):
    """A comment's text between its markers: /** /*! /* (and a trailing
    doc's <), ///< and //, the closing */ (with `closing_stars`, the stars
    before it too: `text **/`)."""
    raw = raw.strip()
    if raw.startswith("/*"):
        return re.sub(r"^/\*[*!]?<?|\**\*/$" if closing_stars else r"^/\*[*!]?<?|\*/$", "", raw)
    return re.sub(r"^//[/!]?<?", "", raw)


def comment_lines(raw, closing_stars=False):
    """The comment's lines: markers (see comment_body), each line's leading
    `*` and blank first and last lines off (indentation kept)."""
    body = comment_body(raw, closing_stars)
    lines = [re.sub(r"^\s*\*(?!/)", "", ln).rstrip() for ln in body.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _clean_comment(raw):
    lines = comment_lines(raw)
    # Common indentation off, doxygen markup to plain text.
    indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    text = "\n".join(x[indent:] for x in lines)
    text = re.sub(r"\\link\s+#?\w+\s+(\w+)\s*\\endlink", r"\1", text)
    text = re.sub(r"\\(?:p|c|e|b|a|ref)\s+", "", text)
    # the runtime's doxygen aliases (\notefnerr, \note_init_rt...) expand to
    # boilerplate notes; they go before `\n` is taken for a line break
    text = re.sub(r"\\note(?:fnerr|_\w+)", "", text)
    text = text.replace("\\n", "").replace("::", "")
    return text


def _joined_comments(first, second):
    """One trailing comment of two (`first` may be empty)."""
    if not first:
        return second
    return "/**< %s %s */" % (comment_body(first).strip(), comment_body(second).strip())


def set_member_doc(member, raw):
    member.doc = _clean_comment(raw)
    member.raw_doc = raw


_DOC_CMD = re.compile(r"^\s*\\(\w+)\s*(.*)$")


def parse_doc(raw):
    """Split a doxygen comment into brief, params (with direction) and returns."""
    doc = Doc(raw=raw or "")
    if not raw:
        return doc
    text = _clean_comment(raw)
    current = None  # ('brief'|'param'|'return'|'other', key)
    brief, returns = [], []
    params = {}
    for ln in text.split("\n"):
        m = _DOC_CMD.match(ln)
        if m:
            cmd, rest = m.group(1), m.group(2)
            if cmd == "brief":
                current = ("brief", None)
                brief.append(rest)
            elif cmd == "param":
                pm = re.match(r"(?:\[\s*(in|out|in\s*,\s*out|inout)\s*\]\s*)?(\w+)\s*-?\s*(.*)$", rest)
                if pm:
                    d = pm.group(1)
                    if d:
                        d = "inout" if "," in d or d == "inout" else d
                    params[pm.group(2)] = [d, [pm.group(3)]]
                    current = ("param", pm.group(2))
            elif cmd in ("return", "returns"):
                current = ("return", None)
                returns.append(rest)
            else:
                current = ("other", None)
            continue
        if current is None:
            continue
        if current[0] == "brief":
            if not ln.strip():
                current = ("other", None)
            else:
                brief.append(ln.strip())
        elif current[0] == "param":
            if ln.strip():
                params[current[1]][1].append(ln.strip())
            else:
                current = ("other", None)
        elif current[0] == "return":
            returns.append(ln.strip())
    doc.brief = " ".join(x.strip() for x in brief if x.strip())
    doc.returns = "\n".join(x for x in returns if x).strip()
    for name, (d, parts) in params.items():
        ptext = " ".join(p for p in parts if p)
        if d is None and re.match(r"-?\s*Returned\b", ptext):
            d = "out"
        doc.params[name] = (d, ptext)
    doc.text = plain_text(text)
    return doc


def plain_text(text):
    """Doxygen markup to readable docstring text."""
    out = []
    for ln in text.split("\n"):
        if re.match(r"\s*\\(ingroup|defgroup|addtogroup|{|})\b", ln):
            continue
        ln = re.sub(r"\\brief\s*", "", ln)
        ln = re.sub(r"\\returns?\b\s*", "Returns: ", ln)
        ln = re.sub(r"\\param\s*(\[[\w, ]+\])?\s*", "", ln)
        ln = re.sub(r"\\(see|sa)\b\s*", "See also: ", ln)
        ln = re.sub(r"\\note\b\s*", "Note: ", ln)
        ln = re.sub(r"\\\w+\s*", "", ln)
        out.append(ln.rstrip())
    text = "\n".join(out).strip("\n")
    lines = text.split("\n")
    indent = min((len(x) - len(x.lstrip()) for x in lines[1:] if x.strip()), default=0)
    return "\n".join([lines[0].strip()] + [x[indent:] for x in lines[1:]]).strip()


# --------------------------------------------------------------------------
# Tokens and declarations
# --------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<doc>/\*\*<.*?\*/|/\*!<.*?\*/|///<[^\n]*|/\*\*.*?\*/|/\*!.*?\*/)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<number>0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)
  | (?P<punct>\.\.\.|<<|>>|[{}()\[\];,*=<>+\-~|&^!/%?:.])
  | (?P<space>\s+)
""", re.S | re.X)


@dataclass
class Tok:
    kind: str
    text: str


def tokenize(code):
    """Tokens with comments dropped and doc comments kept."""
    toks = []
    pos = 0
    while pos < len(code):
        m = _TOKEN.match(code, pos)
        if not m:
            pos += 1  # stray character (e.g. '#' of a stringized macro): skip
            continue
        pos = m.end()
        kind = m.lastgroup
        if kind in ("space", "comment"):
            continue
        toks.append(Tok(kind, m.group(0)))
    return toks


_QUALIFIERS = {"const", "volatile", "extern", "static", "inline", "__inline__", "restrict",
               "__restrict__", "register"}


def _split_statements(toks):
    """Yield (doc, trailing_doc, tokens, has_body) for each top-level declaration."""
    i, n = 0, len(toks)
    pending_doc = None
    while i < n:
        t = toks[i]
        if t.kind == "doc":
            if t.text.startswith(TRAILING_DOC):
                i += 1
                continue
            pending_doc = t.text
            i += 1
            continue
        if t.text == ";":
            i += 1
            continue
        stmt, depth, has_body = [], 0, False
        while i < n:
            t = toks[i]
            if t.kind == "doc" and depth == 0 and not t.text.startswith(TRAILING_DOC):
                # A doc comment mid-statement (rare): keep it for the next one.
                pending_next = t.text
                i += 1
                stmt.append(Tok("middoc", pending_next))
                continue
            if t.text in "({[" and t.kind == "punct":
                depth += 1
            elif t.text in ")}]" and t.kind == "punct":
                depth -= 1
                if depth == 0 and t.text == "}" and _is_function_body(stmt):
                    stmt.append(t)
                    i += 1
                    has_body = True
                    break
            if t.text == ";" and depth == 0:
                i += 1
                break
            stmt.append(t)
            i += 1
        trailing = None
        if i < n and toks[i].kind == "doc" and toks[i].text.startswith(TRAILING_DOC):
            trailing = toks[i].text
        yield pending_doc, trailing, stmt, has_body
        pending_doc = None


def _is_function_body(stmt):
    """True when stmt is `... name(params) {` ... , i.e. a function definition."""
    depth = 0
    for j in range(len(stmt) - 1, -1, -1):
        if stmt[j].text == "{" and stmt[j].kind == "punct":
            # The '{' that opens this brace group: a body when preceded by ')'.
            if depth == 0:
                k = j - 1
                return k >= 0 and stmt[k].text == ")" and stmt[0].text != "typedef"
            depth -= 1
        elif stmt[j].text == "}" and stmt[j].kind == "punct":
            depth += 1
    return False


class ParseError(ValueError):
    pass


class _Parser:
    def __init__(self, header: Header):
        self.h = header

    # -- types ---------------------------------------------------------
    def parse_type_prefix(self, toks, i):
        """Parse specifiers + pointers starting at i. Returns (CType, i)."""
        const = False
        words = []
        tagged = None
        while i < len(toks):
            t = toks[i]
            if t.text in _QUALIFIERS:
                if t.text == "const":
                    const = True
                i += 1
                continue
            if t.text in ("struct", "union", "enum") and i + 1 < len(toks) and toks[i + 1].kind == "ident":
                tagged = "%s %s" % (t.text, toks[i + 1].text)
                i += 2
                continue
            if t.kind == "ident" and (not words or self._is_type_word(words, t.text)) and tagged is None:
                # Type words: builtins combine ('unsigned long long'); a typedef name stands alone.
                if words and not self._builtin(words[-1]):
                    break
                words.append(t.text)
                i += 1
                continue
            break
        base = tagged or " ".join(words)
        if not base:
            raise ParseError("no type at %r" % " ".join(x.text for x in toks[i:i + 5]))
        ptrs = []
        while i < len(toks) and toks[i].text in ("*", "const", "volatile", "restrict", "__restrict__"):
            if toks[i].text == "*":
                ptrs.append(False)
            elif toks[i].text == "const" and ptrs:
                ptrs[-1] = True
            i += 1
        return CType(base, const, tuple(ptrs)), i

    @staticmethod
    def _builtin(w):
        return w in ("unsigned", "signed", "short", "long", "int", "char", "float", "double", "void")

    def _is_type_word(self, words, w):
        return self._builtin(w) and self._builtin(words[-1])

    def parse_declarator(self, toks, i, base: CType, allow_abstract=False):
        """Parse `name`, `name[N]`, or `(*name)(params)` after a type. Returns (name, CType, i)."""
        if i < len(toks) and toks[i].text == "(" and i + 1 < len(toks) and toks[i + 1].text == "*":
            # function pointer: ( * [const] name ) ( params )
            j = i + 2
            while toks[j].text in ("const",):
                j += 1
            name = toks[j].text if toks[j].kind == "ident" else ""
            if name:
                j += 1
            if toks[j].text != ")":
                raise ParseError("bad function pointer declarator")
            params, j = self.parse_params(toks, j + 1)
            return name, CType(base.base, base.const, base.ptrs, (), FuncSig(params)), j
        name = ""
        if i < len(toks) and toks[i].kind == "ident":
            name = toks[i].text
            i += 1
        elif not allow_abstract:
            raise ParseError("expected a name after %s" % base)
        dims = []
        while i < len(toks) and toks[i].text == "[":
            j = i + 1
            depth = 1
            while depth:
                if toks[j].text == "[":
                    depth += 1
                elif toks[j].text == "]":
                    depth -= 1
                j += 1
            dims.append(" ".join(t.text for t in toks[i + 1:j - 1]))
            i = j
        return name, CType(base.base, base.const, base.ptrs, tuple(dims)), i

    def parse_params(self, toks, i):
        """Parse '( ... )' starting at '('. Returns (params, index after ')')."""
        assert toks[i].text == "(", toks[i].text
        i += 1
        params = []
        if toks[i].text == "void" and toks[i + 1].text == ")":
            return params, i + 2
        if toks[i].text == ")":
            return params, i + 1
        while True:
            if toks[i].text == "...":
                params.append(Param("...", CType("...")))
                i += 1
            else:
                t, i = self.parse_type_prefix(toks, i)
                name, t, i = self.parse_declarator(toks, i, t, allow_abstract=True)
                params.append(Param(name or "arg%d" % len(params), t))
            if toks[i].text == ",":
                i += 1
                continue
            if toks[i].text == ")":
                return params, i + 1
            raise ParseError("unexpected %r in parameter list" % toks[i].text)

    # -- aggregates ----------------------------------------------------
    def parse_enum_body(self, toks, i):
        """Parse '{ A = 1, B, ... }' at '{'. Returns (members, i after '}')."""
        assert toks[i].text == "{"
        i += 1
        members = []
        known = {}
        nxt = 0
        # an enumerator may name one of an earlier enum (CU_ATOMIC_OPERATION_OR)
        earlier = {m.name: m.value for e in self.h.enums.values() for m in e.members}
        leading = ""  # a doc comment before its member: `/** ... */ CUDA_SUCCESS = 0,`
        while toks[i].text != "}":
            if toks[i].kind in ("doc", "middoc"):
                if members and toks[i].text.startswith(TRAILING_DOC):
                    # a second trailing comment, on a line of its own, adds to the first
                    # (`X = 121, /**< 12.1 */` then `/**< 9.0 ... */`), as doxygen reads it
                    set_member_doc(members[-1], _joined_comments(members[-1].raw_doc, toks[i].text))
                else:
                    leading = toks[i].text
                i += 1
                continue
            if toks[i].text == ",":  # a separator after a member's doc: `A = 20 /**< .. */ , B`
                i += 1
                continue
            name = toks[i].text
            i += 1
            if toks[i].text == "=":
                j = i + 1
                depth = 0
                while not (depth == 0 and toks[j].text in (",", "}")):
                    if toks[j].text == "(":
                        depth += 1
                    elif toks[j].text == ")":
                        depth -= 1
                    if toks[j].kind in ("doc", "middoc"):
                        break
                    j += 1
                expr = " ".join(t.text for t in toks[i + 1:j])
                value = eval_int(expr, {**self._define_ints(), **earlier, **known})
                literal = value
                if 2 ** 31 <= value < 2 ** 32:
                    value -= 2 ** 32   # enumerators are ints: (1 << 31) is INT_MIN
                i = j
            else:
                value = literal = nxt
            members.append(EnumMember(name, value, literal=literal))
            if leading:
                set_member_doc(members[-1], leading)
                leading = ""
            known[name] = value
            nxt = value + 1
            if toks[i].text == ",":
                i += 1
            if toks[i].kind == "doc" and toks[i].text.startswith(TRAILING_DOC):
                set_member_doc(members[-1], toks[i].text)
                i += 1
        return members, i + 1

    def _define_ints(self):
        if not hasattr(self, "_dints"):
            self._dints = {}
            for k, v in self.h.defines.items():
                try:
                    self._dints[k] = eval_int(v)
                except ValueError:
                    pass
        return self._dints

    def parse_struct_body(self, toks, i, kind, name, tag):
        """Parse '{ fields }' at '{'. Returns (Struct, i after '}')."""
        assert toks[i].text == "{"
        i += 1
        fields = []
        while toks[i].text != "}":
            t = toks[i]
            if t.kind in ("doc", "middoc"):
                if fields and t.text.startswith(TRAILING_DOC):
                    fields[-1].doc = _clean_comment(t.text)
                i += 1
                continue
            nested = None
            if t.text in ("struct", "union") and (toks[i + 1].text == "{" or
                                                   (toks[i + 1].kind == "ident" and toks[i + 2].text == "{")):
                ntag = toks[i + 1].text if toks[i + 1].kind == "ident" else None
                j = i + 2 if ntag else i + 1
                nested, j = self.parse_struct_body(toks, j, t.text, ntag or "", ntag)
                if ntag:  # a tagged struct defined inside another is a type of its own
                    self.h.structs[ntag] = nested
                ftype = CType("%s %s" % (t.text, ntag) if ntag else t.text)
                i = j
            elif t.text == "enum" and (toks[i + 1].text == "{" or toks[i + 2].text == "{"):
                j = i + 1 if toks[i + 1].text == "{" else i + 2
                _, i = self.parse_enum_body(toks, j)
                ftype = CType("int")
            else:
                ftype, i = self.parse_type_prefix(toks, i)
            while True:
                if toks[i].text == ";":
                    if nested is not None:  # anonymous member struct/union
                        fields.append(Field("", ftype, nested=nested))
                    break
                fname, ft, i = self.parse_declarator(toks, i, ftype)
                if toks[i].text == ":":  # bit field
                    i += 2
                fields.append(Field(fname, ft, nested=nested))
                if toks[i].text == ",":
                    i += 1
                    continue
                break
            if toks[i].text != ";":
                raise ParseError("expected ';' in %s %s, got %r" % (kind, name, toks[i].text))
            i += 1
            if toks[i].kind == "doc" and toks[i].text.startswith(TRAILING_DOC) and fields:
                fields[-1].doc = _clean_comment(toks[i].text)
                i += 1
        return Struct(name, kind, fields, tag), i + 1

    # -- statements ----------------------------------------------------
    def statement(self, doc_raw, trailing, toks, has_body):
        toks = [t for t in toks if t.kind != "middoc"]
        if not toks:
            return
        doc = parse_doc(doc_raw)
        if trailing and not doc.text:
            doc = parse_doc(trailing)
        first = toks[0].text
        if first == "typedef":
            self.typedef(toks[1:], doc)
        elif first in ("enum", "struct", "union") and len(toks) > 2 and (
                toks[1].text == "{" or toks[2].text == "{"):
            agg, _ = self.aggregate(toks, doc, typedef_names=None)
            if first == "enum" and agg.name:
                self.h.tag_only_enums.add(agg.name)
        else:
            self.function(toks, doc, has_body)

    def aggregate(self, toks, doc, typedef_names):
        kind = toks[0].text
        tag = toks[1].text if toks[1].kind == "ident" else None
        i = 2 if tag else 1
        if tag:
            self.h.tags.setdefault(tag, kind)
        if kind == "enum":
            members, i = self.parse_enum_body(toks, i)
            e = Enum(tag or "", members, doc)
            if tag:
                self.h.enums[tag] = e
            return e, i
        s, i = self.parse_struct_body(toks, i, kind, tag or "", tag)
        s.doc = doc
        if tag:
            self.h.structs[tag] = s
        return s, i

    def typedef(self, toks, doc):
        if toks[0].text in ("enum", "struct", "union") and (
                toks[1].text == "{" or (len(toks) > 2 and toks[2].text == "{")):
            agg, i = self.aggregate(toks, doc, None)
            kind = toks[0].text
            if kind == "enum" and agg.name and i + 1 == len(toks) and toks[i].kind == "ident":
                self.h.enum_typedef_tags[toks[i].text] = agg.name   # `typedef enum TAG {...} NAME;`
            base = CType("%s %s" % (kind, agg.tag if kind != "enum" else agg.name)) if (
                getattr(agg, "tag", None) or (kind == "enum" and agg.name)) else None
            # declarators after the body: Name, *PName
            while i < len(toks):
                ptrs = []
                while toks[i].text == "*":
                    ptrs.append(False)
                    i += 1
                name = toks[i].text
                i += 1
                self.h.typedef_names.add(name)
                if kind == "enum":
                    if not ptrs:
                        named = Enum(name, agg.members, agg.doc)
                        self.h.enums[name] = named
                        if agg.name and agg.name != name:
                            self.h.typedefs[agg.name] = CType(name)
                else:
                    if not ptrs:
                        named = Struct(name, agg.kind, agg.fields, agg.tag, agg.doc)
                        self.h.structs[name] = named
                        if base is None:
                            base = CType(name)
                    else:
                        self.h.typedefs[name] = CType((base or CType(name)).base, False, tuple(ptrs))
                if i < len(toks) and toks[i].text == ",":
                    i += 1
            return
        t, i = self.parse_type_prefix(toks, 0)
        if toks[i].text == "(" and toks[i + 1].text == "*":
            name, ft, i = self.parse_declarator(toks, i, t)
            self.h.typedef_names.add(name)
            self.h.typedefs[name] = ft
            self.h.typedef_docs[name] = doc
            return
        while i < len(toks):
            name, nt, i = self.parse_declarator(toks, i, CType(t.base, t.const, t.ptrs))
            self.h.typedef_names.add(name)
            self.h.typedefs[name] = nt
            self.h.typedef_docs[name] = doc
            if i < len(toks) and toks[i].text == ",":
                i += 1
                while toks[i].text == "*":  # `typedef T A, *PA;`
                    i += 1
                    name2 = toks[i].text
                    self.h.typedef_names.add(name2)
                    self.h.typedefs[name2] = CType(t.base, t.const, t.ptrs + (False,))
                    i += 1
                    if i < len(toks) and toks[i].text == ",":
                        i += 1
                    else:
                        return
            else:
                break

    def function(self, toks, doc, has_body):
        # find the parameter list: first '(' after an identifier at depth 0
        try:
            ret, i = self.parse_type_prefix(toks, 0)
        except ParseError:
            return
        if i >= len(toks) or toks[i].kind != "ident" or i + 1 >= len(toks) or toks[i + 1].text != "(":
            return  # a variable or something we do not model
        name = toks[i].text
        if name.startswith("__"):
            return  # internal, versioned entry points behind inline forwarders
        params, _ = self.parse_params(toks, i + 1)
        for p in params:
            if p.name in doc.params:
                p.direction, p.doc = doc.params[p.name]
        self.h.functions[name] = Function(name, ret, params, doc)


def preprocess_into(h, text, predefined=None):
    """Preprocess text with the macros `h` has from headers before it (as by
    #include) plus `predefined`; record the macros it leaves; return its code."""
    defines, macros = split_predefined(predefined)
    code, defines, macros = preprocess(text, dict(h.defines, **defines), dict(h.macros, **macros))
    h.defines.update(defines)
    h.macros = macros
    return code


def parse(text, predefined=None, header=None):
    """Parse header text into a Header, or into `header` (see preprocess_into)."""
    h = header or Header()
    code = preprocess_into(h, text, predefined)
    # Attribute macros are gone from `code`; where one stood is a fact of the text.
    h.attributed_enum_typedefs.update(_ATTRIBUTED_ENUM.findall(text))
    p = _Parser(h)
    toks = tokenize(code)
    for t in toks:
        if t.kind == "doc" and "\\defgroup" in t.text:
            h.group_titles.update(_DEFGROUP.findall(t.text))
    for doc, trailing, stmt, has_body in _split_statements(toks):
        try:
            p.statement(doc, trailing, stmt, has_body)
        except (ParseError, IndexError) as e:
            head = " ".join(t.text for t in stmt[:12])
            raise ParseError("cannot parse: %s ... (%s)" % (head, e)) from None
    return h


_ATTRIBUTED_ENUM = re.compile(r"^\s*typedef\s+__\w+__\s+enum\s+(\w+)\s*\{", re.M)
_DEFGROUP = re.compile(r"\\defgroup\s+(\w+)\s+([^\n]*?)\s*$", re.M)


def parse_files(paths, predefined=None, labels=None):
    """Parse headers in order, each seeing the macros of those before it.
    `labels` (one per path) name each file's declarations in h.origin."""
    h = Header()
    for p, label in zip(paths, labels or [os.path.basename(p) for p in paths]):
        before = _declared(h)
        with open(p, encoding="utf-8", errors="replace") as f:
            parse(f.read(), predefined, h)
        for name in _declared(h) - before:
            h.origin.setdefault(name, label)
    return h


def _declared(h):
    return set(h.enums) | set(h.structs) | set(h.typedefs) | set(h.functions)


# --------------------------------------------------------------------------
# Header-wide rewrites a library may ask for
# --------------------------------------------------------------------------

def name_tags(h):
    """Spell `enum X` / `struct X` / `union X` as plain `X` wherever X is a
    defined enum or struct with no typedef of that name.

    The runtime headers name most types by tag only (C++ needs no typedef);
    the Python classes carry the tag's name, and the generated C declares
    `typedef enum X X;` for each tag this returns, so plain `X` stays valid C.
    Returns {name: 'enum' | 'struct' | 'union'}.
    """
    tags = {tag: kind for tag, kind in h.tags.items() if tag not in h.typedef_names and (
        tag in h.enums if kind == "enum" else (tag in h.structs and h.structs[tag].fields))}

    # An opaque struct reached only through one pointer typedef is that
    # handle: `struct cudaGraphicsResource **` is `cudaGraphicsResource_t *`.
    pointer_names = {}
    for name, t in h.typedefs.items():
        if t.base.startswith("struct ") and len(t.ptrs) == 1 and not t.const and t.func is None:
            pointer_names.setdefault(t.base, []).append(name)

    def fix(t):
        if t is None:
            return
        kind, _, tag = t.base.partition(" ")
        if kind in ("enum", "struct", "union") and tags.get(tag) == kind:
            t.base = tag
        elif kind == "struct" and t.ptrs and not t.const and len(pointer_names.get(t.base, ())) == 1 \
                and not (tag in h.structs and h.structs[tag].fields):
            t.base, t.ptrs = pointer_names[t.base][0], t.ptrs[1:]
        if t.func is not None:
            for p in t.func.params:
                fix(p.type)

    # every spelled type, except the pointer typedefs that name the handles
    handles = {id(h.typedefs[n]) for names in pointer_names.values() for n in names}
    for t in list(_all_types(h)):
        if id(t) not in handles:
            fix(t)
    return tags


def _all_types(h):
    """Every CType of the header: function returns and parameters, typedef
    targets, struct fields (nested ones too)."""
    for f in h.functions.values():
        yield f.ret
        for p in f.params:
            yield p.type
    yield from h.typedefs.values()
    seen = set()
    stack = list(h.structs.values())
    while stack:
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        for f in s.fields:
            yield f.type
            if f.nested is not None:
                stack.append(f.nested)


def macro_type_aliases(h):
    """`#define cudaStreamAttrID cudaLaunchAttributeID`: an object-like macro
    naming a type is a typedef to the generated code and the Python layer.
    Returns the names added."""
    known = set(h.typedefs) | set(h.enums) | {n for n, s in h.structs.items() if s.fields}
    added = []
    for name, value in h.defines.items():
        v = value.strip()
        if re.fullmatch(r"[A-Za-z_]\w*", v) and v in known and name not in known:
            h.typedefs[name] = CType(v)
            added.append(name)
    h.macro_types = set(added)
    return added
