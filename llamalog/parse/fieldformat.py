"""The ``<Field>`` header notation, compiled to a byte-code program for the numba matcher.

A format such as ``'<Date> <Time> <Level> \\[<Component>\\]: <Content>'`` is the notation
Loghub's benchmarks use: each ``<Name>`` is a field that matches lazily (``.*?``), a run
of spaces matches one or more whitespace characters (``\\s+``), and everything else is a
regular expression matched against the whole stripped line.

Most formats use a small part of regular-expression syntax (escaped punctuation,
optional groups such as ``(\\[<Pid>\\])?``, ``\\s``, ``\\d``, ``.``, classes). That part is
compiled to a program for the backtracking matcher in :mod:`llamalog.parse._kernels`,
which follows Python's :mod:`re` choice order exactly, so both give the same fields.
Each lazy field carries a hint of what must follow it (a byte, whitespace, the end, or
the set of bytes that some branch of a following choice starts with), so the matcher
skips straight to the places where the field can end; a line is first tried on the
path of shortest fields and preferred branches, and searched in full only if that
path fails.
A format that needs more (``{m,n}``, nested quantifiers) still works: the lines are
matched by RE2 (Arrow's), in linear time; only look-arounds and back-references, which
RE2 lacks, are matched by :mod:`re` line by line. :meth:`FieldFormat.regex` is the
equivalent Python pattern, used for that fallback and as the reference in tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import FormatError
from ._kernels import (  # the matcher's op codes and hints
    _ASCII_WS,
    HINT_BYTE,
    HINT_END,
    HINT_NONE,
    HINT_SET,
    HINT_WS,
    OP_ANY,
    OP_CHAR,
    OP_CLASS,
    OP_DIGIT,
    OP_JMP,
    OP_LAZY,
    OP_MATCH,
    OP_NDIGIT,
    OP_NWORD,
    OP_NWS,
    OP_SAVE,
    OP_SPLIT,
    OP_WORD,
    OP_WS,
    OP_WSPLUS,
)

_FIELD = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")
#: A field with its own pattern: ``<Level:[IWEF]>``, ``<Pid:\d+>``.
_TYPED = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*):")


def _typed_field(text: str, pos: int) -> tuple[str, str, int] | None:
    """``(name, pattern, end)`` of a ``<Name:pattern>`` field at ``pos``, else None.

    The pattern ends at the first ``>`` outside a class, a group or an escape.
    """
    m = _TYPED.match(text, pos)
    if m is None:
        return None
    depth, in_class, i = 0, False, m.end()
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if text[i + 1 : i + 2] == "^":
                i += 1
            if text[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ">" and depth == 0:
            pattern = text[m.end() : i]
            if not pattern:
                return None
            return m.group(1), pattern, i + 1
        i += 1
    return None


_SIMPLE_ESCAPES = {"s": "ws", "S": "nws", "d": "digit", "D": "ndigit", "w": "word", "W": "nword"}
_CONTROL_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}


class Unsupported(Exception):
    """The format uses regular-expression syntax the compiled matcher does not cover."""


@dataclass(frozen=True)
class Node:
    kind: str
    value: object = None
    children: tuple = ()


@dataclass
class Program:
    """A compiled matcher program: parallel int arrays plus the class bitmaps."""

    op: np.ndarray
    a: np.ndarray
    b: np.ndarray
    classes: np.ndarray  # (n_classes, 130) uint8: 128 ASCII members, negated, unicode-sensitive
    n_fields: int


@dataclass
class FieldFormat:
    """A parsed ``<Field>`` format.

    Parameters
    ----------
    text : str
        The format string.

    Attributes
    ----------
    fields : list of str
        Field names in the order they appear.
    program : Program or None
        The compiled matcher, or None when the format needs Python's ``re``.

    Examples
    --------
    >>> f = FieldFormat("<Date> <Time> <Level> <Content>")
    >>> f.fields
    ['Date', 'Time', 'Level', 'Content']
    >>> f.regex.pattern
    '(?P<Date>.*?)\\\\s+(?P<Time>.*?)\\\\s+(?P<Level>.*?)\\\\s+(?P<Content>.*?)'
    """

    text: str
    #: ``text`` is a Python regular expression with named groups, not the notation
    #: (formats imported from other tools); it is matched by :mod:`re` alone.
    is_regex: bool = False
    fields: list[str] = field(init=False)
    regex: re.Pattern = field(init=False)
    program: Program | None = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise FormatError(
                f"a log format must be a non-empty string, got {self.text!r}; "
                "write one like '<Date> <Time> <Level> <Content>'"
            )
        if self.is_regex:
            try:
                self.regex = re.compile(self.text)
            except re.error as exc:
                raise FormatError(f"the pattern {self.text!r} does not compile: {exc}") from None
            self.fields = list(self.regex.groupindex)
            if not self.fields:
                raise FormatError(f"the pattern {self.text!r} has no named group (?P<name>...)")
            self.program = None
            return
        self.regex, self.fields = _to_regex(self.text)
        try:
            self.program = compile_program(parse_format(self.text), self.fields)
        except Unsupported:
            self.program = None


def rewrite_outside_classes(pattern: str, rule) -> str:
    """``pattern`` with ``rule(pattern, i)`` applied at each position outside escapes and
    character classes: it returns ``(text, next position)`` to replace what starts there,
    or None to keep the character."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif in_class:
            in_class = ch != "]"
            out.append(ch)
            i += 1
        elif ch == "[":
            in_class = True
            j = i + 1 + (pattern[i + 1 : i + 2] == "^")
            j += pattern[j : j + 1] == "]"  # a ']' first is a member
            out.append(pattern[i:j])
            i = j
        else:
            done = rule(pattern, i)
            if done is None:
                out.append(ch)
                i += 1
            else:
                out.append(done[0])
                i = done[1]
    return "".join(out)


def _space_run(pattern: str, i: int):
    if pattern[i] != " ":
        return None
    j = i
    while j < len(pattern) and pattern[j] == " ":
        j += 1
    return r"\s+", j


def _spaces_as_runs(pattern: str) -> str:
    """``pattern`` with each run of spaces outside a class written ``\\s+``."""
    return rewrite_outside_classes(pattern, _space_run)


def _to_regex(text: str) -> tuple[re.Pattern, list[str]]:
    """Translate the notation to a Python pattern (fields lazy, space runs ``\\s+``).

    Returns the pattern and the field names; ``<Name>`` after a backslash or inside a
    character class is literal text, not a field.
    """
    out = []
    names: list[str] = []
    in_class = False
    pos = 0
    while pos < len(text):
        ch = text[pos]
        typed = None if in_class else _typed_field(text, pos)
        m = None if in_class or typed else _FIELD.match(text, pos)
        if typed:
            name, sub, end = typed
            if name in names:
                raise FormatError(f"the format {text!r} names the field <{name}> twice; rename one")
            if _FIELD.search(sub) or _TYPED.search(sub):
                raise FormatError(f"the field <{name}:...> of {text!r} holds another field")
            names.append(name)
            out.append(f"(?P<{name}>{_spaces_as_runs(sub)})")
            pos = end
        elif m:
            name = m.group(1)
            if name in names:
                raise FormatError(f"the format {text!r} names the field <{name}> twice; rename one")
            names.append(name)
            out.append(f"(?P<{name}>.*?)")
            pos = m.end()
        elif ch == "\\" and pos + 1 < len(text):
            out.append(text[pos : pos + 2])
            pos += 2
        elif ch == " " and not in_class:
            while pos < len(text) and text[pos] == " ":
                pos += 1
            out.append(r"\s+")
        else:
            if ch == "[" and not in_class:
                in_class = True
                # a ']' right after '[' or '[^' is a member, not the end
                out.append(ch)
                pos += 1
                if text[pos : pos + 1] == "^":
                    out.append("^")
                    pos += 1
                if text[pos : pos + 1] == "]":
                    out.append("]")
                    pos += 1
                continue
            if ch == "]" and in_class:
                in_class = False
            out.append(ch)
            pos += 1
    pattern = "".join(out)
    if not names:
        raise FormatError(
            f"the format {text!r} has no <Field>; name at least one field, "
            "e.g. '<Date> <Time> <Level> <Content>'"
        )
    try:
        return re.compile(pattern), names
    except re.error as exc:
        caret = " " * (exc.pos or 0)
        raise FormatError(
            f"the log format {text!r} does not parse: {exc.msg}.\n"
            f"  as a pattern: {pattern}\n"
            f"                {caret}^\n"
            "Fields are written <Name>; escape literal brackets, pipes and parentheses "
            "with a backslash, e.g. '\\[<Thread>\\]'."
        ) from None


# --------------------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def parse(self) -> Node:
        if self.text.startswith("^"):
            self.pos = 1
        node = self.alternation()
        if self.pos < len(self.text):
            raise Unsupported(self.text[self.pos :])
        return node

    def alternation(self) -> Node:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else Node("alt", children=tuple(branches))

    def sequence(self) -> Node:
        items: list[Node] = []
        while self.pos < len(self.text) and self.peek() not in "|)":
            if self.peek() == "$" and self.pos == len(self.text) - 1:
                self.pos += 1
                break
            atom = self.atom()
            items.append(self.quantified(atom))
        return Node("seq", children=tuple(items))

    def quantified(self, atom: Node) -> Node:
        ch = self.peek()
        if ch not in ("?", "*", "+"):
            if ch == "{":
                raise Unsupported("{")
            return atom
        if atom.kind in ("field", "wsplus"):
            raise Unsupported("quantified field")
        self.pos += 1
        greedy = True
        if self.peek() == "?":
            greedy = False
            self.pos += 1
        if self.peek() in ("?", "*", "+", "{"):
            raise Unsupported("nested quantifier")
        lo, hi = {"?": (0, 1), "*": (0, -1), "+": (1, -1)}[ch]
        return Node("repeat", (lo, hi, greedy), (atom,))

    def atom(self) -> Node:
        text, pos = self.text, self.pos
        ch = text[pos]
        typed = _typed_field(text, pos)
        if typed:
            name, sub, self.pos = typed
            return Node("field", name, (_Parser(sub).parse(),))
        m = _FIELD.match(text, pos)
        if m:
            self.pos = m.end()
            return Node("field", m.group(1))
        if ch == " ":
            while self.peek() == " ":
                self.pos += 1
            return Node("wsplus")
        if ch == "\\":
            return self.escape()
        if ch == ".":
            self.pos += 1
            return Node("any")
        if ch == "[":
            return self.char_class()
        if ch == "(":
            if text.startswith("(?:", pos):
                self.pos += 3
            elif text.startswith("(?", pos):
                raise Unsupported("(?")
            else:
                self.pos += 1
            inner = self.alternation()
            if self.peek() != ")":
                raise Unsupported("unbalanced")
            self.pos += 1
            return Node("group", children=(inner,))
        if ch in "^$)*+?{":
            raise Unsupported(ch)
        self.pos += 1
        return Node("lit", ch.encode("utf-8"))

    def escape(self) -> Node:
        if self.pos + 1 >= len(self.text):
            raise Unsupported("trailing backslash")
        ch = self.text[self.pos + 1]
        self.pos += 2
        if ch in _SIMPLE_ESCAPES:
            return Node(_SIMPLE_ESCAPES[ch])
        if ch in _CONTROL_ESCAPES:
            return Node("lit", _CONTROL_ESCAPES[ch].encode())
        if ch.isalnum() or ch == "_":
            raise Unsupported("\\" + ch)
        return Node("lit", ch.encode("utf-8"))

    def char_class(self) -> Node:
        text = self.text
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        members = np.zeros(128, dtype=np.uint8)
        sensitive = False
        first = True
        while True:
            if self.pos >= len(text):
                raise Unsupported("unterminated class")
            ch = text[self.pos]
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            if ch == "\\":
                if self.pos + 1 >= len(text):
                    raise Unsupported("class escape")
                esc = text[self.pos + 1]
                self.pos += 2
                if esc in "sdwSDW":
                    sensitive = True
                    for code in range(128):
                        if re.match("\\" + esc, chr(code)):
                            members[code] = 1
                    continue
                if esc in _CONTROL_ESCAPES:
                    lo = ord(_CONTROL_ESCAPES[esc])
                elif esc.isalnum():
                    raise Unsupported("\\" + esc)
                else:
                    lo = ord(esc)
            else:
                lo = ord(ch)
                self.pos += 1
            hi = lo
            if self.peek() == "-" and text[self.pos + 1 : self.pos + 2] not in ("]", ""):
                nxt = text[self.pos + 1]
                if nxt == "\\":
                    raise Unsupported("escaped range end")
                hi = ord(nxt)
                self.pos += 2
            if lo > 127 or hi > 127 or hi < lo:
                raise Unsupported("non-ASCII class")
            members[lo : hi + 1] = 1
        return Node("class", (members, negated, sensitive))


def parse_format(text: str) -> Node:
    """Parse a format into a syntax tree, or raise :class:`Unsupported`."""
    return _Parser(text).parse()


# --------------------------------------------------------------------------- compiling


class _Emitter:
    def __init__(self, fields: list[str]) -> None:
        self.ops: list[list[int]] = []
        self.classes: list[np.ndarray] = []
        self.index = {name: i for i, name in enumerate(fields)}

    def emit(self, op: int, a: int = 0, b: int = 0) -> int:
        self.ops.append([op, a, b])
        return len(self.ops) - 1

    def node(self, n: Node) -> None:
        kind = n.kind
        simple = {
            "any": OP_ANY,
            "ws": OP_WS,
            "nws": OP_NWS,
            "digit": OP_DIGIT,
            "ndigit": OP_NDIGIT,
            "word": OP_WORD,
            "nword": OP_NWORD,
            "wsplus": OP_WSPLUS,
        }
        if kind in simple:
            self.emit(simple[kind])
        elif kind == "lit":
            for byte in n.value:
                self.emit(OP_CHAR, byte)
        elif kind == "field":
            k = self.index[n.value]
            self.emit(OP_SAVE, 2 * k)
            if n.children:  # <Name:pattern>
                self.node(n.children[0])
            else:
                self.emit(OP_LAZY)
            self.emit(OP_SAVE, 2 * k + 1)
        elif kind == "class":
            members, negated, sensitive = n.value
            row = np.zeros(130, dtype=np.uint8)
            row[:128] = members
            row[128] = negated
            row[129] = sensitive
            self.classes.append(row)
            self.emit(OP_CLASS, len(self.classes) - 1)
        elif kind in ("seq",):
            for child in n.children:
                self.node(child)
        elif kind == "group":
            self.node(n.children[0])
        elif kind == "alt":
            self.alternatives(list(n.children))
        elif kind == "repeat":
            self.repeat(n)
        else:  # pragma: no cover - the parser makes no other kinds
            raise Unsupported(kind)

    def alternatives(self, branches: list[Node]) -> None:
        jumps = []
        for i, branch in enumerate(branches):
            if i < len(branches) - 1:
                split = self.emit(OP_SPLIT)
                self.ops[split][1] = len(self.ops)
                self.node(branch)
                jumps.append(self.emit(OP_JMP))
                self.ops[split][2] = len(self.ops)
            else:
                self.node(branch)
        for j in jumps:
            self.ops[j][1] = len(self.ops)

    def repeat(self, n: Node) -> None:
        lo, hi, greedy = n.value
        body = n.children[0]
        if lo == 1:
            self.node(body)
        if hi == 1:  # x?
            split = self.emit(OP_SPLIT)
            start = len(self.ops)
            self.node(body)
            end = len(self.ops)
            self.ops[split][1:] = [start, end] if greedy else [end, start]
            return
        # x* (or the tail of x+): L: SPLIT body, end; body; JMP L
        loop = self.emit(OP_SPLIT)
        start = len(self.ops)
        self.node(body)
        self.emit(OP_JMP, loop)
        end = len(self.ops)
        self.ops[loop][1:] = [start, end] if greedy else [end, start]


def _hint_after(ops: list[list[int]], pc: int) -> tuple[int, int]:
    """What must come right after a lazy field ends, skipping captures and jumps."""
    seen = set()
    while pc < len(ops) and pc not in seen:
        seen.add(pc)
        op, a, _ = ops[pc]
        if op == OP_SAVE:
            pc += 1
        elif op == OP_JMP:
            pc = a
        elif op == OP_CHAR:
            return HINT_BYTE, a
        elif op in (OP_WS, OP_WSPLUS):
            return HINT_WS, 0
        elif op == OP_MATCH:
            return HINT_END, 0
        else:
            break
    return HINT_NONE, 0


def _first_bytes(ops: list[list[int]], pc: int) -> tuple[set[int], bool] | None:
    """The ASCII bytes one of which must come right after a lazy field ends, and whether
    the line may end there, following captures, jumps and both branches of each
    choice; None when a construct there could start with other bytes. (Non-ASCII bytes
    are always taken as possible: the matcher checks them.)"""
    out: set[int] = set()
    end_ok = False
    todo, seen = [pc], set()
    while todo:
        pc = todo.pop()
        if pc in seen or pc >= len(ops):
            continue
        seen.add(pc)
        op, a, b = ops[pc]
        if op == OP_SAVE:
            todo.append(pc + 1)
        elif op == OP_JMP:
            todo.append(a)
        elif op == OP_SPLIT:
            todo += [a, b]
        elif op == OP_CHAR:
            if a < 128:
                out.add(a)
        elif op in (OP_WS, OP_WSPLUS):
            out.update(np.flatnonzero(_ASCII_WS).tolist())
        elif op == OP_MATCH:
            end_ok = True
        else:
            return None
    return out, end_ok


def compile_program(tree: Node, fields: list[str]) -> Program:
    """Compile a syntax tree to the matcher's program."""
    em = _Emitter(fields)
    em.node(tree)
    em.emit(OP_MATCH)
    ops = em.ops
    for pc, (op, _, _) in enumerate(ops):
        if op == OP_LAZY:
            ops[pc][1], ops[pc][2] = _hint_after(ops, pc + 1)
            first = _first_bytes(ops, pc + 1) if ops[pc][1] == HINT_NONE else None
            if first is not None:  # a choice follows: skip to bytes some branch takes
                row = np.zeros(130, dtype=np.uint8)
                row[sorted(first[0])] = 1
                row[128] = first[1]
                ops[pc][1], ops[pc][2] = HINT_SET, len(em.classes)
                em.classes.append(row)
    arr = np.array(ops, dtype=np.int64).reshape(-1, 3)
    classes = np.array(em.classes, dtype=np.uint8).reshape(-1, 130)
    return Program(
        op=np.ascontiguousarray(arr[:, 0]),
        a=np.ascontiguousarray(arr[:, 1]),
        b=np.ascontiguousarray(arr[:, 2]),
        classes=classes if len(classes) else np.zeros((1, 130), dtype=np.uint8),
        n_fields=len(fields),
    )


@dataclass
class FormatSet:
    """A primary format plus the other line patterns of the same log (lnav's "several
    regexes per format"): a Flask development server writes werkzeug's request lines and
    the app logger's lines into one file.

    ``fields`` is the union of the patterns' fields, in order of first appearance; a
    field of the same name in two patterns is one column. ``regex``, ``program`` and
    ``text`` are the primary's (what a single format offers), ``patterns`` all of them.
    """

    patterns: list[FieldFormat]
    fields: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.fields = list(dict.fromkeys(f for p in self.patterns for f in p.fields))

    @property
    def primary(self) -> FieldFormat:
        return self.patterns[0]

    @property
    def text(self) -> str:
        return " | ".join(p.text for p in self.patterns)

    @property
    def regex(self) -> re.Pattern:
        return self.primary.regex

    @property
    def program(self) -> Program | None:
        return self.primary.program
