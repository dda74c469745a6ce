"""Docstrings of enum classes and of each member, in the shape NVIDIA's
package gives them (asked of it by tests/test_differential.py).

Driver, runtime and NVRTC: the header's comment with its doxygen rendered
(``::name``, ``A::b`` and the library's own type names, and its functions
named with ``()``, become ``:py:obj:`~.name```; ``\\p x`` becomes ```x```;
a ``\\deprecated`` line reads ``[Deprecated]``), re-wrapped.  A member's
doc breaks at each paragraph, ``\\n`` and ``<br>``, is wrapped to 75
columns and ends in a newline (``None`` where the header has no comment).
A class's runs its paragraphs on, two spaces apart, wrapped to 67 columns
and indented by four spaces between newlines.

nvJitLink, NVVM and nvFatbin: a member's comment as it is, on one line; a
class's comment lines with the C type's name in backticks, then
"See `<C type>`."."""
import functools
import re
import textwrap

from . import cparse

CLASS_WIDTH = 67      # the text of a class doc, indent not counted
MEMBER_WIDTH = 75


LINE_START = "\x00"   # marks a \\deprecated that opened a line of the comment


def comment_lines(raw):
    """The comment's text lines, markers and indentation off."""
    return [ln.strip() for ln in cparse.comment_lines(raw, closing_stars=True)]


def paragraphs(raw):
    """The comment's paragraphs (blank lines part them), each one string;
    none for a group's comment or a banner of stars, which document no enum."""
    out, cur = [], []
    if re.search(r"\\defgroup\b|\*{20}", raw):
        return out
    for ln in comment_lines(raw):
        ln = re.sub(r"^\\typedef\s+enum\s+\w+\s*", "", ln)
        ln = re.sub(r"\\brief\s*", "", ln)
        if re.match(r"\\(ingroup|defgroup|addtogroup)\b", ln):
            continue
        if not ln:
            if cur:
                out.append(" ".join(cur))
                cur = []
            continue
        cur.append(LINE_START + ln if ln.startswith("\\deprecated") else ln)
    if cur:
        out.append(" ".join(cur))
    return out


def deprecated(para):
    """A \\deprecated that opens a line of the comment is a line "[Deprecated]"
    ending the paragraph; one within a line cuts the paragraph there."""
    head, sep, _ = para.partition("\\deprecated")
    if not sep:
        return para
    if head.endswith(LINE_START) or not head.strip():
        head = head.rstrip(LINE_START + " ")
        return head + " \\n [Deprecated]" if head else "[Deprecated]"
    return head.rstrip()


def code_word(m):
    """\\p x as `x`, punctuation after it left out (a call's () kept in)."""
    word, tail = m.group(1), m.group(2)
    if word.endswith("(") and tail.startswith(")"):
        word, tail = word + ")", tail[1:]
    return "`%s`%s" % (word, tail)


def markup(text, names):
    """Doxygen to NVIDIA's markup; `names` are what it links unasked."""
    functions, types, groups = names
    link = ":py:obj:`~.%s`"
    # a reference with its own words links them; one to a group, its title
    text = re.sub(r"\\ref\s+\S+\s+\"([^\"]*)\"", lambda m: link % m.group(1), text)
    text = re.sub(r"\\ref\s+(\w+)", lambda m: link % groups[m.group(1)] if m.group(1) in groups
                  else m.group(0), text)
    text = re.sub(r"\\[pc]\s+(\S+?)([.,;:)]*)(?=\s|$)", code_word, text)
    text = re.sub(r"(?<!`)__(\w+)__(?!`)", r"\1", text)   # bold, not a `__name__` in code
    text = re.sub(r"(?<![\w:])::(~?\w+(?:::\w+)*(?:\(\))?)",
                  lambda m: link % m.group(1).replace("::", "."), text)
    # a field path written with one colon (`:Type::field`)
    text = re.sub(r"(?<![\w:`]):(\w+(?:::\w+)+)", lambda m: link % m.group(1).replace("::", "."), text)

    def known(m):  # a type (and its fields), or a function named with ()
        word, fields, call = m.group(1), m.group(2) or "", m.group(3)
        if (word in types and not call) or (word in functions and call and not fields):
            return link % (word + fields.replace("::", ".") + (call or ""))
        return m.group(0)
    return re.sub(r"(?<![\w:.`~])(\w+)((?:::\w+)*)(\(\))?(?![\w`])", known, text)


def pieces(para, names):
    """A paragraph's lines as NVIDIA breaks them (at \\n and <br>; after a
    <br> the line starts with a space), markup rendered, spaces collapsed."""
    out = []
    for i, part in enumerate(re.split(r"\s*<br>\s*", deprecated(para))):
        for piece in re.split(r"\s*\\n\b\s*", part):
            piece = " ".join(markup(piece, names).split())
            if piece:
                out.append((" " if i else "") + piece)
    return out


def member_lines(raw, names):
    return [ln for para in paragraphs(raw) for piece in pieces(para, names)
            for ln in textwrap.wrap(piece, MEMBER_WIDTH, break_long_words=False)]


def class_lines(raw, names):
    # a class's paragraphs run on, two spaces apart; a paragraph's lines one apart
    text = "  ".join(" ".join(pieces(para, names)) for para in paragraphs(raw))
    return textwrap.wrap(text, CLASS_WIDTH, break_long_words=False)


@functools.lru_cache(maxsize=None)
def linkable(model):
    """(functions, types) of the library, which its docs link by name
    (functions only when named with their parentheses)."""
    h = model.h
    # a macro naming a type (`#define cudaKernelNodeAttrID ...`) is no link;
    # a `\\ref NAME` to a group reads as its title
    return set(h.functions), set(h.typedefs) - h.macro_types | set(h.enums) | set(h.structs), h.group_titles


def class_doc(doc, model, cname):
    raw = doc.raw if doc is not None else ""
    if model.lib.enum_docs_see_only:   # cuFile's: "See `CUfileOpError`." only
        return "\n    See `%s`.\n    " % cname
    if model.lib.style != "tuple":
        return pythonic_class_doc(raw, cname)
    if not paragraphs(raw):
        return "\n\n    "
    return "\n" + "".join("    %s\n" % ln for ln in class_lines(raw, linkable(model))) + "    "


def member_doc(member, model):
    if not member.raw_doc:
        return None
    if model.lib.style != "tuple":  # the comment's words as they are
        return " ".join(" ".join(paragraphs(member.raw_doc)).split())
    return "".join(ln + "\n" for ln in member_lines(member.raw_doc, linkable(model)))


def pythonic_class_doc(raw, cname):
    """nvJitLink's, NVVM's and nvFatbin's: the comment's own lines, the C
    type's name in backticks, and a pointer to it."""
    lines = [re.sub(r"\\brief\s*", "", ln) for ln in comment_lines(raw) if not re.match(r"\\ingroup\b", ln)]
    lines = [re.sub(r"\b%s\b" % re.escape(cname), "`%s`" % cname, ln) for ln in lines if ln]
    return "\n" + "".join("    %s\n" % ln for ln in lines + ["", "See `%s`." % cname]).replace("    \n", "\n") + "    "
