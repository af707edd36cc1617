"""The numba kernels of llamalog.parse._kernels against their twins in tests/reference.py."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from numba import njit

from llamalog.parse import _kernels as K
from llamalog.parse.engine import match_block
from llamalog.parse.fieldformat import FieldFormat

from . import reference as R

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Whitespace as Python's re sees it, and characters that look close (same UTF-8 prefix).
WS = [
    " ", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0",
    "\u1680", "\u2000", "\u2003", "\u2007", "\u200a", "\u2028", "\u2029", "\u202f",
    "\u205f", "\u3000",
]  # fmt: skip
NEAR_WS = [
    "\x1b", "\x80", "\xa1", "\xad", "\u0100", "\u1681", "\u180e", "\u200b", "\u200c",
    "\u2010", "\u2027", "\u202a", "\u2030", "\u205e", "\u2060", "\u3001", "\ufeff",
    "\U0001f600", "é", "日", "a", "Z", "0",
]  # fmt: skip


def u8(data: bytes) -> np.ndarray:
    """A writable uint8 buffer (the kernels' usual argument type)."""
    return np.frombuffer(bytearray(data), dtype=np.uint8)


def i64(values) -> np.ndarray:
    return np.asarray(list(values), dtype=np.int64).reshape(-1)


def spans_of(starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


@njit(cache=True)
def span_info(buf, starts, ends):
    """Flags and stripped span of arbitrary byte ranges, from the kernels' per-line helpers
    (``_scan_lines`` calls the same two on each line)."""
    m = starts.shape[0]
    flags = np.zeros(m, dtype=np.uint8)
    s_out = np.empty(m, dtype=np.int64)
    e_out = np.empty(m, dtype=np.int64)
    for i in range(m):
        flags[i] = K._exact_flags(buf, starts[i], ends[i])
        s_out[i], e_out[i] = K._strip(buf, starts[i], ends[i])
    return flags, s_out, e_out


def builds(kernel) -> list:
    """The serial and parallel builds of a kernel (``_dispatch.dual`` picks by size)."""
    return [getattr(kernel, "serial", kernel), getattr(kernel, "parallel", kernel)]


def kernel_split(data: bytes, build: int = 0) -> list[tuple[int, int]]:
    starts, ends, *_ = builds(K._scan_lines)[build](u8(data), K._BYTE_CLASSES)
    return spans_of(starts, ends)


def buffer_of(lines: list[str]) -> tuple[bytes, list[tuple[int, int]]]:
    """Lines (no newline inside) joined with ``\\n``, and their spans."""
    data = b""
    spans = []
    for line in lines:
        raw = line.encode("utf-8")
        spans.append((len(data), len(data) + len(raw)))
        data += raw + b"\n"
    return data, spans


# --------------------------------------------------------------------------- split

PIECES = [
    b"a", b"xyz", b" ", b"\r", b"\n", b"\r\n", b"\n\n", b"\r\r\n", b"\x00", b"\xff", b"\xc3\xa9",
]  # fmt: skip
raw_buffers = st.one_of(
    st.binary(max_size=80),
    st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join),
)


@SETTINGS
@given(raw_buffers)
def test_split_lines_matches_twin(data):
    # a final line that ends in a lone \r: see test_split_final_carriage_return
    assume(not data.endswith(b"\r"))
    expected = R.split_lines(data)
    assert kernel_split(data, 0) == expected
    assert kernel_split(data, 1) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", []),
        (b"\n", [(0, 0)]),
        (b"\r\n", [(0, 0)]),
        (b"a", [(0, 1)]),
        (b"a\n", [(0, 1)]),
        (b"a\n\n", [(0, 1), (2, 2)]),
        (b"a\r\nb", [(0, 1), (3, 4)]),
        (b"a\rb\n", [(0, 3)]),
        (b"\x00\n\x00", [(0, 1), (2, 3)]),
    ],
)
def test_split_lines_examples(data, expected):
    assert R.split_lines(data) == expected
    assert kernel_split(data, 0) == kernel_split(data, 1) == expected


def test_split_final_carriage_return():
    """A buffer that ends in a lone \\r (a CRLF cut short) drops it like a CRLF."""
    assert kernel_split(b"a\r") == R.split_lines(b"a\r") == [(0, 1)]


def test_split_lines_parallel_blocks():
    """Over 1 MiB the kernel counts newlines in 64 blocks: lines across block edges."""
    rng = np.random.default_rng(7)
    n = (1 << 20) + 12345
    data = bytearray(rng.choice(np.frombuffer(b"abc \r\n\x00\xc3", dtype=np.uint8), n).tobytes())
    bounds = np.linspace(0, n, 65).astype(np.int64)
    for b in bounds[1:-1]:  # newlines and \r\n right on and around the block edges
        data[b - 1 : b + 2] = rng.choice([b"\r\nx", b"\n\ny", b"x\r\n", b"\nzz"])
    data[-1:] = b"q"
    data = bytes(data)
    for tail in (b"", b"\n", b"\r\n"):
        assert kernel_split(data + tail, 1) == R.split_lines(data + tail)


# --------------------------------------------------------------------------- flags

FLAG_PIECES = [
    b"a", b"Hello ", b"\t", b"\x0b", b"\x0c", b"\x1b", b"\x00", b"\x01", b"\x1f", b"\x7f",
    b"\r", b"\xc3\xa9", b"\xe6\x97\xa5", b"\xf0\x9f\x98\x80", b"\xc2\x85",
    # invalid: overlong, surrogate, beyond U+10FFFF, lone continuation, truncated, bad lead
    b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"\xf5\x80\x80\x80", b"\x80", b"\xbf", b"\xe2\x82", b"\xf0\x9f\x98", b"\xc3", b"\xff",
    b"\xe2\x28\xa1", b"\xf8\x88\x80\x80\x80",
]  # fmt: skip


@SETTINGS
@given(
    st.one_of(
        st.binary(max_size=60),
        st.lists(st.sampled_from([*FLAG_PIECES, b"\n"]), max_size=30).map(b"".join),
    )
)
def test_line_flags_matches_twin(data):
    spans = R.split_lines(data)
    starts, ends = i64(s for s, _ in spans), i64(e for _, e in spans)
    expected = R.line_flags(data, spans)
    for kernel in builds(span_info):
        assert kernel(u8(data), starts, ends)[0].tolist() == expected


@pytest.mark.parametrize(
    ("line", "flags"),
    [
        (b"plain ascii\t\x0b\x0c\x1b", 0),
        (b"caf\xc3\xa9", R.FLAG_NON_ASCII),
        (b"nul\x00", R.FLAG_BINARY),
        (b"del\x7f", R.FLAG_BINARY),
        (b"cr\rinside", R.FLAG_BINARY),
        (b"bad\xff", R.FLAG_INVALID_UTF8 | R.FLAG_NON_ASCII),
        (b"\xed\xa0\x80\x01", R.FLAG_INVALID_UTF8 | R.FLAG_NON_ASCII | R.FLAG_BINARY),
    ],
)
def test_line_flags_examples(line, flags):
    assert R.line_flags(line, [(0, len(line))]) == [flags]
    assert span_info(u8(line), i64([0]), i64([len(line)]))[0].tolist() == [flags]


# --------------------------------------------------------------------------- whitespace

ws_lines = st.lists(
    st.lists(st.sampled_from([*WS, *NEAR_WS, "ab", "x y"]), max_size=10).map("".join),
    min_size=1,
    max_size=8,
)


@SETTINGS
@given(ws_lines)
def test_strip_spans_matches_twin(lines):
    data, spans = buffer_of(lines)
    starts, ends = i64(s for s, _ in spans), i64(e for _, e in spans)
    expected = R.strip_spans(data, spans)
    for kernel in builds(span_info):
        flags, ss, se = kernel(u8(data), starts, ends)
        assert spans_of(ss, se) == expected
        assert flags.tolist() == R.line_flags(data, spans)


@njit(cache=False)
def _ws_lengths(buf, starts, ends):
    out = np.empty(starts.shape[0], dtype=np.int64)
    for i in range(starts.shape[0]):
        out[i] = K._ws_len(buf, starts[i], ends[i])
    return out


def _all_code_points() -> tuple[str, np.ndarray]:
    """Every code point but the surrogates, and the byte offset of each in its UTF-8."""
    cps = np.r_[0:0xD800, 0xE000:0x110000]
    sizes = np.select([cps < 0x80, cps < 0x800, cps < 0x10000], [1, 2, 3], 4)
    offsets = np.zeros(len(cps) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return "".join(map(chr, cps.tolist())), offsets


def test_ws_len_every_code_point():
    """The kernel's whitespace set is exactly Python re's ``\\s`` (and ``str.isspace``)."""
    text, offsets = _all_code_points()
    data = text.encode("utf-8")
    assert len(data) == offsets[-1]
    expected = np.zeros(len(text), dtype=bool)
    expected[[m.start() for m in re.finditer(r"\s", text)]] = True
    assert [i for i, ch in enumerate(text) if ch.isspace()] == np.flatnonzero(expected).tolist()

    buf = u8(data)
    starts, ends = offsets[:-1].copy(), offsets[1:].copy()
    got = _ws_lengths(buf, starts, ends)
    want = np.where(expected, ends - starts, 0)
    bad = np.flatnonzero(got != want)
    assert not len(bad), [(hex(ord(text[i])), int(got[i])) for i in bad[:10]]

    # one byte short of the character: never whitespace
    multi = expected & (ends - starts > 1)
    assert not _ws_lengths(buf, starts[multi], ends[multi] - 1).any()

    # stripping (_ws_len and _ws_len_before) each character alone
    _, s_out, e_out = builds(span_info)[1](buf, starts, ends)
    assert np.array_equal(s_out, np.where(expected, ends, starts))
    assert np.array_equal(e_out, ends)


@SETTINGS
@given(st.lists(st.sampled_from([*WS, *NEAR_WS]), min_size=1, max_size=12), st.data())
def test_ws_len_matches_twin(chars, data):
    raw = "".join(chars).encode("utf-8")
    end = data.draw(st.integers(1, len(raw)), label="end")
    # positions at character starts before end
    starts = [len("".join(chars[:i]).encode()) for i in range(len(chars))]
    pos = [p for p in starts if p < end]
    got = _ws_lengths(u8(raw), i64(pos), i64([end] * len(pos)))
    assert got.tolist() == [R.ws_len(raw, p, end) for p in pos]


# --------------------------------------------------------------------------- records


@SETTINGS
@given(st.lists(st.booleans(), max_size=60), st.booleans())
def test_group_records_matches_twin(matched, join):
    first, last = K._group_records(np.array(matched, dtype=bool), join)
    got = spans_of(first, last)
    assert got == R.group_records(matched, join)
    # every line is in exactly one record
    assert [i for a, b in got for i in range(a, b + 1)] == list(range(len(matched)))


@st.composite
def buffer_and_columns(draw):
    """A buffer and k columns of n byte ranges; some ranges are null (negative start)."""
    data = draw(st.binary(max_size=80))
    size = len(data)
    k, n = draw(st.integers(1, 3)), draw(st.integers(0, 10))
    columns = []
    for _ in range(k):
        spans = []
        for _ in range(n):
            if draw(st.integers(0, 4)) == 0:
                spans.append((-1, draw(st.integers(-1, size))))
                continue
            a = draw(st.integers(0, size))
            spans.append((a, draw(st.integers(a, size))))
        columns.append(spans)
    return data, columns


@SETTINGS
@given(buffer_and_columns())
def test_gather_matches_slicing(case):
    data, columns = case
    starts = np.array([[s for s, _ in col] for col in columns], dtype=np.int64)
    ends = np.array([[e for _, e in col] for col in columns], dtype=np.int64)
    refs = [R.gather(data, col) for col in columns]
    bases = [0]
    for ref_data, _ in refs:
        bases.append(bases[-1] + len(ref_data))
    for kernel in builds(K._gather):
        out, offsets, got_bases = kernel(u8(data), starts, ends)
        assert got_bases.tolist() == bases
        assert out.tobytes() == b"".join(ref_data for ref_data, _ in refs)
        assert offsets.tolist() == [ref_offsets for _, ref_offsets in refs]


@st.composite
def records_case(draw):
    lines = draw(st.lists(st.text(alphabet="ab \t\r\x00é", max_size=30), min_size=0, max_size=15))
    data, lines_sp = buffer_of(lines)
    matched = draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    records = R.group_records(matched, draw(st.booleans()))
    spans = []
    for first, _ in records:
        s, e = lines_sp[first]
        if draw(st.booleans()):
            spans.append((-1, -1))
        else:
            a = draw(st.integers(s, e))
            spans.append((a, draw(st.integers(a, e))))
    return data, lines_sp, records, spans


@SETTINGS
@given(records_case())
def test_gather_records_matches_twin(case):
    data, lines, records, spans = case
    ref_data, ref_offsets = R.gather_records(data, spans, lines, records)
    for kernel in builds(K._gather_records):
        out, offsets = kernel(
            u8(data),
            i64(s for s, _ in spans),
            i64(e for _, e in spans),
            i64(s for s, _ in lines),
            i64(e for _, e in lines),
            i64(a for a, _ in records),
            i64(b for _, b in records),
        )
        assert out.tobytes() == ref_data
        assert offsets.tolist() == ref_offsets


# --------------------------------------------------------------------------- large input


def test_ten_megabyte_line():
    """One 10 MB line: split, flags, strip, match and gather."""
    body = ("x" * 997 + " é\u3000").encode() * 10_000
    line = b"  2026-03-01 INFO " + body + b" end\t"
    assert len(line) > 10_000_000
    for data in (line, line + b"\r\n"):
        buf = u8(data)
        starts, ends = K.split_lines(buf)
        lines = spans_of(starts, ends)
        assert lines == R.split_lines(data) == [(0, len(line))]
        flags, ss, se = span_info(buf, starts, ends)
        assert flags.tolist() == R.line_flags(data, lines) == [R.FLAG_NON_ASCII]
        assert spans_of(ss, se) == R.strip_spans(data, lines) == [(2, len(line) - 1)]

        fmt = FieldFormat("<Date> <Level> <Content>")
        status, caps = match_block(buf, ss, se, fmt)
        ref = R.match_line(fmt.regex, fmt.fields, data, int(ss[0]), int(se[0]))
        assert (int(status[0]), caps[:, 0].tolist()) == ref
        assert ref[0] == R.MATCHED

        out, offsets, _ = K._gather(buf, caps[0::2].copy(), caps[1::2].copy())
        c = ref[1]
        assert out.tobytes() == b"".join(data[c[i] : c[i + 1]] for i in range(0, 6, 2))
        content = data[caps[4, 0] : caps[5, 0]]
        assert content.endswith(b" end") and len(content) > 10_000_000
        assert offsets[:, -1].tolist() == [10, 4, len(content)]

    # a line that does not match: the last field scans it all and fails
    # (a format with two lazy fields before the scan is quadratic:
    # test_fieldformat.py::test_long_line_that_does_not_match_is_linear)
    fmt = FieldFormat("<Date> INFO <Content>!")
    status, caps = match_block(buf, ss, se, fmt)
    assert status.tolist() == [R.NO_MATCH] and (caps == -1).all()
    assert R.match_line(fmt.regex, fmt.fields, data, int(ss[0]), int(se[0]))[0] == R.NO_MATCH


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"a", b" ", b"\n", b"\r", b"\r\n", b"\x00", b"\xc3\xa9", b"\xff", b"\t"]),
        max_size=60,
    )
)
def test_scan_lines_equals_the_twins(pieces):
    raw = b"".join(pieces)
    data = u8(raw)
    spans = R.split_lines(raw)
    starts, ends = i64([s for s, _ in spans]), i64([e for _, e in spans])
    flags, ss, se = span_info(data, starts, ends)  # itself checked against the twins
    for fn in (K._scan_lines.serial, K._scan_lines.parallel):
        got = fn(data, K._BYTE_CLASSES)
        for a, b in zip(got, (starts, ends, flags, ss, se), strict=True):
            assert a.tolist() == b.tolist()


def test_scan_lines_across_parallel_blocks():
    rng = np.random.default_rng(3)
    alphabet = np.frombuffer(b"abc \r\n\n\x00\xc3\xa9\xff", dtype=np.uint8)
    data = rng.choice(alphabet, (1 << 20) + 4324)[3:]  # not word-aligned
    data[: 1 << 19] = ord("x")  # a line that spans many blocks
    got = K._scan_lines.parallel(data, K._BYTE_CLASSES)
    spans = R.split_lines(data.tobytes())
    starts, ends = i64([s for s, _ in spans]), i64([e for _, e in spans])
    flags, ss, se = span_info(data, starts, ends)
    for a, b in zip(got, (starts, ends, flags, ss, se), strict=True):
        assert np.array_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"abcdefgh", b" ", b"\n", b"\r\n", b"\x00", b"\x7f", b"\xc3\xa9", b"\t"]),
        max_size=40,
    ),
    st.integers(0, 7),
)
def test_scan_lines_at_any_alignment(pieces, shift):
    """Eight bytes are read at a time from aligned words: buffers starting anywhere in
    a word, with lines of any length, split as the twins do."""
    raw = b"".join(pieces)
    data = np.frombuffer(b"?" * shift + raw, dtype=np.uint8)[shift:]
    spans = R.split_lines(raw)
    starts, ends = i64([s for s, _ in spans]), i64([e for _, e in spans])
    flags, ss, se = span_info(data, starts, ends)
    for fn in (K._scan_lines.serial, K._scan_lines.parallel):
        got = fn(data, K._BYTE_CLASSES)
        for a, b in zip(got, (starts, ends, flags, ss, se), strict=True):
            assert a.tolist() == b.tolist()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300))))
def test_count_brackets_matches_twin(data, ranges):
    ranges = [(min(a, b, len(data)), min(max(a, b), len(data))) for a, b in ranges]
    starts = np.array([a for a, _ in ranges], dtype=np.int64)
    ends = np.array([b for _, b in ranges], dtype=np.int64)
    got = K._count_brackets(np.frombuffer(data, np.uint8), starts, ends)
    assert got.tolist() == R.count_brackets(data, starts.tolist(), ends.tolist())
