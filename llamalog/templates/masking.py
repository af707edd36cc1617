"""Tokenising messages and masking the variable parts, with a type per parameter.

A message is split on whitespace into tokens; a token is split further at the
delimiters logs use inside tokens (``: = , ( ) [ ] { } " '``), which are kept in the
template. A piece is a variable when it carries digits or has a variable shape (path,
URL, IP address, hex, UUID, id such as ``blk_-123``), and a piece that contains a
variable becomes one whole ``<*>``; ``<*>`` pieces with nothing between them collapse
into one. This follows the template convention of Loghub's corrected ground truth (Khan
et al., ICSE 2022), so ``/10.1.2.3:50010`` reads ``<*>:<*>`` and ``blk_-123`` reads
``<*>``.

Examples
--------
>>> template, params = mask("Received block blk_-562 of size 67108864 from /10.250.10.6")
>>> template
'Received block <*> of size <*> from <*>'
>>> params
[('blk_-562', 'id'), ('67108864', 'int'), ('/10.250.10.6', 'ip')]
>>> mask("[instance: 3edec1e4-9678-4a3a-a21b-a145a4ee5e61] Terminating instance")[0]
'[instance: <*>] Terminating instance'
"""

from __future__ import annotations

import re
from functools import lru_cache

VAR = "<*>"
DELIMITERS = frozenset(":=,()[]{}\"'#")

_INT = re.compile(r"[-+]?\d+\Z")
_FLOAT = re.compile(r"[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?\Z")
_HEX = re.compile(r"(0[xX])?[0-9a-fA-F]{6,}\Z")
_IPV4 = re.compile(r"/?\d{1,3}(\.\d{1,3}){3}\Z")
_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")
_BOOL = frozenset({"true", "false", "True", "False", "TRUE", "FALSE"})
#: Size units: after a number they are part of the value ("384.0 B" is one size).
_UNITS = frozenset("B KB MB GB TB PB KiB MiB GiB TiB".split())
_DATE_WORDS = frozenset(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec Mon Tue Wed Thu Fri Sat Sun".split()
)


@lru_cache(maxsize=1 << 16)
def _type_of(piece: str) -> str | None:
    """The parameter type of a piece, or None when it is constant text.

    Cached: the constant words of a log recur on every line.
    """
    if _INT.match(piece):
        return "int"
    if _FLOAT.match(piece):
        return "float"
    if _IPV4.match(piece):
        return "ip"
    if _UUID.match(piece):
        return "uuid"
    if "://" in piece:
        return "url"
    if (piece.startswith("/") and len(piece) > 1) or piece.startswith(("./", "../", "~/")):
        return "path"
    if _HEX.match(piece) and any(c.isdigit() for c in piece):
        return "hex"
    if piece in _BOOL:
        return "bool"
    if piece in _DATE_WORDS:
        return "date"
    if any(c.isdigit() for c in piece):
        return "id"
    return None


def _starts_variable(split: list[str]) -> bool:
    return bool(split) and split[0] not in DELIMITERS and _type_of(split[0]) is not None


def pieces(token: str) -> list[str]:
    """Split a token at the delimiters, keeping them; URLs and paths stay whole."""
    if "://" in token or token.startswith("/"):
        head = token.rstrip(',:;)"]')
        return [head, *token[len(head) :]] if head != token else [token]
    out: list[str] = []
    cur = []
    for ch in token:
        if ch in DELIMITERS:
            if cur:
                out.append("".join(cur))
                cur = []
            out.append(ch)
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


@lru_cache(maxsize=1 << 16)
def _pieces(token: str) -> tuple[str, ...]:
    """:func:`pieces` as a tuple, cached (tokens recur: words, keys, fixed values)."""
    return tuple(pieces(token))


def mask(message: str) -> tuple[str, list[tuple[str, str]]]:
    """The template of ``message`` and its parameters as ``(value, type)`` pairs.

    Two conventions beyond the piece rule: a name right before ``(`` is a function,
    not a value (``jk2_init()`` stays), and a date written out (``Sun Jul 10 03:55:21``)
    is one variable up to its time of day.
    """
    # words as lists of (text, is_variable) parts: decisions look at structure, so a
    # message that contains the text "<*>" itself is not mistaken for a variable
    words: list[list[tuple[str, bool]]] = []
    params: list[tuple[str, str]] = []
    date_run = 0  # tokens since a date word started a written-out date
    for token in message.split():
        parts: list[tuple[str, bool]] = []
        split = _pieces(token)
        if date_run and words and words[-1] == [(VAR, True)] and _starts_variable(split):
            # one more token of a written-out date: glue it to the variable before
            parts = words.pop()
            params[-1] = (f"{params[-1][0]} {split[0]}", "date")
            date_run = 0 if ":" in token else date_run + 1
            if date_run > 3:
                date_run = 0
            split = split[1:]
        elif token in _DATE_WORDS:
            date_run = 1
        else:
            date_run = 0
        unit = split[0] if split else ""
        if unit in _UNITS and words and words[-1][-1][1] and params:
            if params[-1][1] in ("int", "float"):
                params[-1] = (f"{params[-1][0]} {unit}", "size")
                words[-1] = words[-1] + [(piece, False) for piece in split[1:]]
                continue
        for i, piece in enumerate(split):
            function = i + 1 < len(split) and split[i + 1] == "("
            kind = None if piece in DELIMITERS or function else _type_of(piece)
            if kind is None:
                parts.append((piece, False))
                continue
            if parts and parts[-1][1]:  # <*> directly after <*>: one variable
                value, first_kind = params[-1]
                params[-1] = (value + piece, first_kind)
                continue
            parts.append((VAR, True))
            params.append((piece, kind))
        words.append(parts)
    return " ".join("".join(text for text, _ in parts) for parts in words), params


def merge_tokens(a: str, b: str) -> str:
    """The common form of two template tokens: equal pieces stay, others become ``<*>``.

    Tokens that split into different delimiter structures become one ``<*>``.

    Examples
    --------
    >>> merge_tokens("rhost=a.example", "rhost=<*>"), merge_tokens("(uid=0)", "LOGIN(uid=0)")
    ('rhost=<*>', '<*>')
    """
    if a == b or a == VAR:
        return a
    pa, pb = pieces(a), pieces(b)
    if len(pa) != len(pb) or any(
        (x in DELIMITERS or y in DELIMITERS) and x != y for x, y in zip(pa, pb, strict=True)
    ):
        return VAR
    out: list[str] = []
    for x, y in zip(pa, pb, strict=True):
        piece = x if x == y else VAR
        if not (piece == VAR and out and out[-1] == VAR):
            out.append(piece)
    return "".join(out)
