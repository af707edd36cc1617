"""The compiled ``<Field>`` matcher against Python's ``re`` (FieldFormat.regex).

Three levels are compared line by line with the twin ``reference.match_line``:
``match_block`` (kernel plus ``re`` fallback) must agree; the raw kernel ``_match_lines``
must agree whenever it decides (MATCHED / NO_MATCH) and may leave a line UNDECIDED only
where ``\\d``, ``\\w`` or a class with such escapes meets a non-ASCII character; and so
must ``_match_line`` run with a deep stack and a large step budget. Lines where the
kernel runs out of budget (GAVE_UP) are collected apart: see
test_gave_up_on_a_line_that_matches.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llamalog.errors import FormatError
from llamalog.parse import _kernels as K
from llamalog.parse.engine import MAX_RETRY_LINE, match_block
from llamalog.parse.fieldformat import FieldFormat

from . import reference as R

SHARED = Path(os.environ.get("LLAMALOG_SHARED", Path(__file__).resolve().parents[2] / "shared"))
LOGHUB = SHARED / "loghub-2k"


def u8(data: bytes) -> np.ndarray:
    return np.frombuffer(bytearray(data), dtype=np.uint8)


def buffer_of(lines: list[str]) -> tuple[bytes, np.ndarray, np.ndarray]:
    """Lines (no ``\\n`` inside) joined with ``\\n``, and their start/end offsets."""
    data = bytearray()
    starts, ends = [], []
    for line in lines:
        raw = line.encode("utf-8")
        starts.append(len(data))
        data += raw
        ends.append(len(data))
        data += b"\n"
    return bytes(data), np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


def unicode_sensitive(fmt: FieldFormat) -> bool:
    """Whether the program has \\d \\D \\w \\W or a class with such escapes."""
    prog = fmt.program
    ops = set(prog.op.tolist())
    if ops & {K.OP_DIGIT, K.OP_NDIGIT, K.OP_WORD, K.OP_NWORD}:
        return True
    rows = prog.a[prog.op == K.OP_CLASS]
    return bool(len(rows) and prog.classes[rows, 129].any())


def match_roomy(fmt: FieldFormat, buf: np.ndarray, s: int, e: int) -> tuple[int, list]:
    """The kernel's matcher on one line with a deep stack and a budget of 2M steps."""
    prog = fmt.program
    caps = np.empty(2 * prog.n_fields, dtype=np.int64)
    stack = np.empty((1 << 14, 4), dtype=np.int64)
    trail = np.empty((1 << 16, 2), dtype=np.int64)
    lazy = np.empty((len(prog.op), 2), dtype=np.int64)
    status = K._match_line(
        buf, s, e, prog.op, prog.a, prog.b, prog.classes, caps, stack, trail, lazy, 2_000_000
    )
    return int(status), caps.tolist()


def check_lines(fmt: FieldFormat, lines: list[str], *, gave_up: list | None = None) -> list[int]:
    """Compare every level with ``re`` on ``lines``; returns the reference statuses.

    Lines where the kernel ran out of budget (GAVE_UP) are collected in ``gave_up``;
    ``match_block`` retries those up to ``MAX_RETRY_LINE`` bytes with ``re`` (they are
    compared) and counts longer ones as NO_MATCH (they are left out).
    """
    data, starts, ends = buffer_of(lines)
    buf = u8(data)
    refs = [
        R.match_line(fmt.regex, fmt.fields, data, int(s), int(e))
        for s, e in zip(starts, ends, strict=True)
    ]
    skip = set()
    if fmt.program is not None:
        prog = fmt.program
        sensitive = unicode_sensitive(fmt)
        raw_status, raw_caps = K._match_lines(
            buf, starts, ends, prog.op, prog.a, prog.b, prog.classes, prog.n_fields
        )
        for i, (line, ref) in enumerate(zip(lines, refs, strict=True)):
            where = f"on {line!r} with {fmt.text!r}"
            st_ = int(raw_status[i])
            if st_ in (K.NO_MATCH, K.MATCHED):
                assert (st_, raw_caps[:, i].tolist()) == ref, f"kernel differs from re {where}"
            elif st_ == K.GAVE_UP:
                if ends[i] - starts[i] > MAX_RETRY_LINE:
                    skip.add(i)
                if gave_up is not None:
                    gave_up.append((line, ref[0]))
            else:
                assert st_ == K.UNDECIDED, f"unknown status {st_} {where}"
                assert sensitive and not line.isascii(), f"kernel left undecided {where}"
            roomy = match_roomy(fmt, buf, int(starts[i]), int(ends[i]))
            if roomy[0] == K.UNDECIDED:
                assert sensitive and not line.isascii(), f"kernel left undecided {where}"
            elif roomy[0] != K.GAVE_UP:
                if roomy[0] == K.NO_MATCH:  # caps are only kept for matches
                    roomy = (K.NO_MATCH, [-1] * len(roomy[1]))
                assert roomy == ref, f"kernel (more budget) differs from re {where}"

    status, caps = match_block(buf, starts, ends, fmt)
    got = [(int(st_), row) for st_, row in zip(status, caps.T.tolist(), strict=True)]
    for i, (line, g, ref) in enumerate(zip(lines, got, refs, strict=True)):
        if i not in skip:
            assert g == ref, f"match_block differs from re on {line!r} with {fmt.text!r}"
    return [r[0] for r in refs]


# --------------------------------------------------------------------------- Loghub


def _loghub_names() -> list:
    if not (LOGHUB / "formats.json").is_file():
        return [pytest.param("absent", marks=pytest.mark.skip(reason=f"no {LOGHUB}"))]
    formats = json.loads((LOGHUB / "formats.json").read_text())
    return sorted(k for k in formats if not k.startswith("_"))


@pytest.mark.loghub
@pytest.mark.parametrize("name", _loghub_names())
def test_loghub_formats_match_like_re(name):
    fmt = FieldFormat(json.loads((LOGHUB / "formats.json").read_text())[name])
    assert fmt.program is not None
    raw = (LOGHUB / name / f"{name}_2k.log").read_bytes()
    lines = [
        raw[s:e].decode("utf-8", "replace").strip()
        for s, e in R.split_lines(raw)  # stripped as the engine does
    ]
    assert len(lines) == 2000
    statuses = check_lines(fmt, lines)
    assert statuses.count(K.MATCHED) > 1900  # the formats fit their samples


# --------------------------------------------------------------------------- generated

WS = ["\t", "\x0b", "\x0c", "\r", "\x1c", "\x85", "\xa0", "\u2003", "\u2028", "\u3000"]
CHARS = [
    "a", "b", "Z", "_", "0", "7", "é", "ß", "日", "٣", "²", "€", "😀", "\u200b",
    ":", "-", "[", "]", "|", ".", ",", "(", ")", "\\", "=", "!", "$", " ", *WS,
]  # fmt: skip

#: (format text, strings it matches); escaped punctuation, control escapes, plain text.
LITERALS = [
    ("abc", ["abc"]), ("X", ["X"]), ("é", ["é"]), ("日本", ["日本"]), ("0", ["0"]),
    (":", [":"]), ("-", ["-"]), (",", [","]), ("/", ["/"]), ("=", ["="]), ("#", ["#"]),
    ("@", ["@"]), (r"\[", ["["]), (r"\]", ["]"]), (r"\(", ["("]), (r"\)", [")"]),
    (r"\.", ["."]), (r"\|", ["|"]), (r"\*", ["*"]), (r"\+", ["+"]), (r"\?", ["?"]),
    (r"\$", ["$"]), (r"\^", ["^"]), (r"\{", ["{"]), (r"\}", ["}"]), ("\\\\", ["\\"]),
    (r"\t", ["\t"]), (r"\-", ["-"]), (r"\:", [":"]), (r"\ ", [" "]),
]  # fmt: skip

#: (format text, characters it matches): single-character atoms that take quantifiers.
ATOMS = [
    (r"\s", [" ", *WS]),
    (r"\S", ["a", "é", "日", ":", "\u200b"]),
    (r"\d", ["0", "5", "9", "٣", "²"]),
    (r"\D", ["a", "-", "é", " "]),
    (r"\w", ["a", "Z", "_", "5", "é", "ß", "日", "٣"]),
    (r"\W", ["-", " ", "!", "\xa0", "€"]),
    (".", CHARS),
    ("[a-z]", ["a", "q", "z", "A", "é"]),
    (r"[^\]]", ["a", "]", "é", " ", "["]),
    ("[0-9a-f]", ["0", "9", "a", "f", "g", "٣"]),
    (r"[\d.]", ["1", ".", "٣", "a"]),
    ("[^ ]", ["a", " ", "\xa0", "é"]),
    (r"[\w-]", ["a", "-", "é", "_", " "]),
    ("[]a]", ["]", "a", "b"]),
    (r"[\s:]", [":", " ", "\u3000", "a"]),
    (r"[^\s:]", [":", " ", "\u3000", "a", "é"]),
    (r"[A-Z\-_]", ["A", "-", "_", "a"]),
    ("[|]", ["|", "a"]),
]
QUANTS = ["", "", "", "?", "*", "+", "??", "*?", "+?"]


def repeats(quant: str) -> tuple[int, int]:
    """How many times to repeat a sample for a quantifier."""
    if quant in ("?", "??"):
        return 0, 1
    return {"": (1, 1), "*": (0, 3), "+": (1, 3)}[quant.rstrip("?")]


@dataclass
class Node:
    kind: str  # field, lit, ws, atom, group
    text: str = ""
    samples: tuple = ()
    quant: str = ""
    branches: tuple = ()  # group: tuple of sequences (tuples of nodes)
    opener: str = "("


def nodes(depth: int):
    field = st.just(Node("field"))
    lit = st.sampled_from(LITERALS).map(lambda x: Node("lit", x[0], tuple(x[1])))
    ws = st.integers(1, 3).map(lambda k: Node("ws", " " * k))
    atom = st.builds(
        lambda a, q: Node("atom", a[0], tuple(a[1]), q),
        st.sampled_from(ATOMS),
        st.sampled_from(QUANTS),
    )
    leaf = st.one_of(field, field, lit, lit, ws, atom, atom)
    if depth == 0:
        return leaf
    seq = st.lists(nodes(depth - 1), min_size=1, max_size=3).map(tuple)
    optional = st.builds(
        lambda bs, q, o: Node("group", quant=q, branches=tuple(bs), opener=o),
        st.lists(seq, min_size=1, max_size=2),
        st.sampled_from(["", "?", "?", "??"]),
        st.sampled_from(["(", "(", "(?:"]),
    )
    # a loop body starts with a literal, so it never matches the empty string
    loop = st.builds(
        lambda head, rest, q: Node("group", quant=q, branches=((head, *rest),)),
        lit,
        st.lists(nodes(depth - 1), max_size=2),
        st.sampled_from(["*", "+", "*?", "+?"]),
    )
    return st.one_of(leaf, leaf, optional, loop)


def render(seq, counter: list[int]) -> str:
    out = []
    for n in seq:
        if n.kind == "field":
            out.append(f"<F{counter[0]}>")
            counter[0] += 1
        elif n.kind == "group":
            inner = "|".join(render(b, counter) for b in n.branches)
            out.append(f"{n.opener}{inner}){n.quant}")
        else:
            out.append(n.text + n.quant)
    return "".join(out)


def sample(draw, seq) -> str:
    """A string built from the pieces of ``seq``; now and then a piece is noise."""
    out = []
    for n in seq:
        if draw(st.integers(0, 11)) == 0:
            out.append(draw(st.text(st.sampled_from(CHARS), max_size=3)))
            continue
        if n.kind == "field":
            out.append(draw(st.text(st.sampled_from(CHARS), max_size=4)))
        elif n.kind == "lit":
            out.append(n.samples[0])
        elif n.kind == "ws":
            k = draw(st.integers(1, 3))
            out.append("".join(draw(st.sampled_from([" ", " ", *WS])) for _ in range(k)))
        elif n.kind == "atom":
            lo, hi = repeats(n.quant)
            k = draw(st.integers(lo, hi))
            out.append("".join(draw(st.sampled_from(n.samples)) for _ in range(k)))
        else:
            lo, hi = repeats(n.quant)
            for _ in range(draw(st.integers(lo, min(hi, 2)))):
                out.append(sample(draw, draw(st.sampled_from(n.branches))))
    return "".join(out)


@st.composite
def formats_and_lines(draw):
    seq = draw(st.lists(nodes(2), min_size=1, max_size=5))
    if not any(n.kind == "field" for n in seq):
        seq.insert(draw(st.integers(0, len(seq))), Node("field"))
    text = render(seq, [0])
    lines = [sample(draw, seq) for _ in range(draw(st.integers(1, 6)))]
    lines.append(draw(st.text(st.sampled_from(CHARS), max_size=12)))
    return text, lines


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(formats_and_lines())
def test_generated_formats_match_like_re(case):
    text, lines = case
    fmt = FieldFormat(text)
    assert fmt.program is not None, text
    check_lines(fmt, lines)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("<A> <B>", ["x y", "x  y z", "x\u3000y", "x", " x y", "x\xa0\u2003y"]),
        (r"<A>(\[<B>\])?: <C>", ["k[1]: m", "k: m", "k[1: m", "k[]: [x]: y", "k[a]b: c"]),
        (r"<A>(x<B>)?", ["abc", "axb", "x", "", "xx", "éxé"]),  # the line may end after A
        (r"<A>(\[<B>\])?( <C>)?", ["a", "a[b]", "a c", "a[b] c", "[", "a[b", "a [b] c"]),
        (r"(<A>|x<B>)-<C>", ["x1-2", "1-2", "x-", "-", "xx-x-x"]),
        (r"<A>\d+<B>", ["a12b", "a٣b", "a1٣b", "ab", "é12"]),
        (r"<A>[^\]]+\]<B>", ["x]y", "xé]y", "]]", "a]]"]),
        (r"\[<A>\] \[<B>\] <C>", ["[a] [b] c", "[a]] [b] c", "[a] [b]c"]),
        (r"<A>(,<B>)*;", ["a,b,c;", "a;", "a,;", ",,;"]),
        (r"<A>\w*?<B>!", ["ab!", "é!", "a_!", "!"]),
        (r"^<A>:<B>$", ["a:b", "a:b:c", ":"]),
    ],
)
def test_examples_match_like_re(text, lines):
    check_lines(FieldFormat(text), lines)


def test_gave_up_on_a_short_line_that_matches_is_retried_with_re():
    fmt = FieldFormat(r"<A>(<B><C><D>x)?\Sx")
    line = "0" * 30 + "x"
    assert fmt.regex.fullmatch(line)
    gave_up: list = []
    assert check_lines(fmt, [line], gave_up=gave_up) == [R.MATCHED]
    assert gave_up == [(line, R.MATCHED)]  # the kernel alone gave up; match_block did not


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text",
    ["(<A> <B>", "<A>) <B>", r"<A> \[<B>]) x", "no fields here", "<A> <A>", "<A> <B> <A>", ""],
)
def test_format_errors_mention_the_format(text):
    with pytest.raises(FormatError) as info:
        FieldFormat(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize("text", ["   ", None, 42])
def test_format_must_be_a_non_empty_string(text):
    with pytest.raises(FormatError, match="non-empty string"):
        FieldFormat(text)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (r"<A> <B>\d{2}", ["x y12", "x y1", "x y123", "x y٣٣"]),
        (r"<A>(?=:):<B>", ["a:b", "ab", "a::b"]),
        (r"<A>(?!x)-<B>", ["a-b", "a-x", "-"]),
        (r"<A>{2} <B>", ["aa b", "ab b", " b"]),
        (r"<A>(?#a comment) <B>", ["a b", "ab"]),
        (r"<A>(\d)\2<B>", ["a11b", "a12b"]),  # group 1 is <A>
        (r"<A>(?i:X)<B>", ["axb", "aXb", "ab"]),
    ],
)
def test_unsupported_syntax_falls_back_to_re(text, lines):
    fmt = FieldFormat(text)
    assert fmt.program is None
    assert R.MATCHED in check_lines(fmt, lines)


@pytest.mark.parametrize("text", [r"\<A> <B>\d{2}", r"[<A>] <B>\d{2}"])
def test_fields_are_the_regex_groups(text):
    fmt = FieldFormat(text)
    assert fmt.fields == list(fmt.regex.groupindex)
    check_lines(fmt, ["<A> x12", "A x12"])


# --------------------------------------------------------------------------- long lines


@pytest.mark.slow
def test_long_line_that_does_not_match_is_linear():
    fmt = FieldFormat("<Date> <Time> <Pid> <Level> <Component>: <Content>")  # HDFS
    line = b"a " * 8000 + b"a"  # 16 kB, no ': '
    t0 = time.perf_counter()
    status, _ = match_block(u8(line), np.array([0]), np.array([len(line)]), fmt)
    elapsed = time.perf_counter() - t0
    assert status.tolist() == [K.NO_MATCH]
    assert elapsed < 0.25, f"{elapsed:.2f} s for a 16 kB line"


def test_a_catastrophic_pattern_runs_on_re2_not_re(monkeypatch):
    # (a+)+ backtracks exponentially in Python's re on 'aaa...c' (30 a's: minutes);
    # RE2 takes the line in linear time, and re is never asked
    from llamalog.parse import engine

    fmt = FieldFormat(r"<A>(a+)+b <Content>")
    assert list(check_lines(fmt, ["aaab hello", "ab x", "xaab y z"])) == [R.MATCHED] * 3

    def refuse(*args, **kwargs):
        if len(args[3]):
            raise AssertionError("Python re was asked to match an ASCII line")

    monkeypatch.setattr(engine, "match_regex", refuse)
    line = "a" * 5000 + "c xyz"
    buf = np.frombuffer((line + "\n").encode(), np.uint8)
    got, _ = engine.match_block(buf, np.array([0]), np.array([len(line)]), fmt)
    assert got[0] == R.NO_MATCH
