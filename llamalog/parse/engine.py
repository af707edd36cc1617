"""Parsing one block of whole lines into columns.

The steps, each a kernel over the block: split lines, flag bad bytes (repairing
invalid UTF-8 to U+FFFD), strip, match the header program, group continuation lines
into records, gather each field into an Arrow ``large_string`` buffer, parse
timestamps and normalise levels. Every line ends up in exactly one record.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from .._arrow import large_strings
from . import _kernels as K
from . import _time_kernels as TK
from ._time_kernels import _parse_times
from .categories import SpanEncoder, few_distinct
from .fieldformat import FieldFormat, FormatSet, rewrite_outside_classes
from .levels import (
    DERIVED_LEVELS,
    LEVEL_DTYPE,
    levels_in_messages,
    normalize_codes,
    normalize_level,
    normalize_levels,
)
from .timestamps import (
    TimeCarry,
    TimeFormat,
    YearState,
    infer_time_format,
    parse_times_ns,
    reads_all,
)

# Record flag bits (the ``flags`` column lists their names).
NO_MATCH, INVALID_UTF8, BINARY, BAD_TIMESTAMP, OUT_OF_ORDER, TRUNCATED = 1, 2, 4, 8, 16, 32
FLAG_NAMES = {
    NO_MATCH: "no_match",
    INVALID_UTF8: "invalid_utf8",
    BINARY: "binary",
    BAD_TIMESTAMP: "bad_timestamp",
    OUT_OF_ORDER: "out_of_order",
    TRUNCATED: "truncated",
}

#: Lines longer than this that the compiled matcher cannot decide are not handed to ``re``.
MAX_REGEX_LINE = 1 << 20
#: Lines on which the matcher ran out of steps are retried with ``re`` up to this length;
#: longer ones count as not matching (``re`` could take exponential time on them).
MAX_RETRY_LINE = 128

_TIME_NAMES = ("timestamp", "datetime", "date", "time", "ts", "month", "day", "year")
_LEVEL_NAMES = ("level", "severity", "loglevel", "log_level", "levelname", "lvl")
_MESSAGE_NAMES = ("Content", "content", "message", "Message", "msg", "Msg")


@dataclass(frozen=True)
class AltPattern:
    """One more line pattern of a format: lines it matches start records too."""

    time_fields: tuple[str, ...] | None = None
    time_format: TimeFormat | None = None
    level: str | None = None
    message: str | None = None


@dataclass
class Layout:
    """What the reader knows about a format: its fields and their roles."""

    fmt: FieldFormat
    name: str
    message: str | None
    multiline: bool
    level: str | None
    time_fields: list[str] | None
    time_format: TimeFormat | None
    categorical: dict[str, SpanEncoder] | None = None
    #: Without a level field: ``(field, rule)`` to derive the level from, where rule is
    #: ``"pri"`` (syslog PRI) or ``"status"`` (HTTP status); see ``levels.DERIVED_LEVELS``.
    derived_level: tuple[str, str] | None = None
    #: The format's own level words (raw value -> canonical level), else None.
    level_mapper: Callable[[str | None], str | None] | None = None
    #: The other line patterns of a :class:`FormatSet` (``fmt.patterns[1:]``), each with
    #: its own time fields and format and level field.
    alts: tuple[AltPattern, ...] = ()

    @classmethod
    def build(
        cls,
        fmt: FieldFormat,
        *,
        name: str = "custom",
        message: str | None = None,
        multiline: bool = True,
        time_fields: list[str] | None = None,
        time_format: str | None = None,
        level: str | None = None,
        level_rule: str | None = None,
        level_mapper: Callable[[str | None], str | None] | None = None,
        alts: tuple[AltPattern, ...] = (),
    ) -> Layout:
        fields = fmt.fields
        if message is None:
            message = next((f for f in _MESSAGE_NAMES if f in fields), None)
        derived = None
        if level is not None and level_rule is not None:
            derived, level = (level, level_rule), None
        elif level is None:
            level = next((f for f in fields if f.lower() in _LEVEL_NAMES), None)
            if level is not None and level_rule is not None:
                derived, level = (level, level_rule), None
        if level is None and derived is None:
            derived = next(((f, f.lower()) for f in fields if f.lower() == "pri"), None)
            derived = derived or next(
                ((f, f.lower()) for f in fields if f.lower() == "status"), None
            )
        return cls(
            fmt=fmt,
            name=name,
            message=message,
            multiline=multiline,
            level=level,
            time_fields=time_fields,
            time_format=TimeFormat.compile(time_format) if time_format else None,
            derived_level=derived,
            level_mapper=level_mapper,
            alts=alts,
        )

    def time_candidates(self) -> list[list[str]]:
        """Groups of fields that may hold the time, most promising first."""
        if self.time_fields:
            return [self.time_fields]
        own = self.fmt.primary.fields if isinstance(self.fmt, FormatSet) else self.fmt.fields
        names = [
            f for f in own if f.lower() in _TIME_NAMES or "time" in f.lower() or "date" in f.lower()
        ]
        groups = []
        for length in range(len(names), 0, -1):
            for i in range(len(names) - length + 1):
                groups.append(names[i : i + length])
        return groups


@dataclass
class SourceState:
    """What carries from one block of a source to the next."""

    name: str
    mtime: float | None = None
    lines_done: int = 0
    year: YearState = field(default_factory=YearState)
    time_fields: list[str] | None = None
    time_format: TimeFormat | None = None
    time_resolved: bool = False
    max_ts: int = np.iinfo(np.int64).min
    matched: int = 0
    lines: int = 0


@dataclass
class Block:
    """Columns of the records parsed from one block."""

    n: int
    line: np.ndarray
    n_lines: np.ndarray
    timestamp: np.ndarray  # int64 ns UTC, NaT = min
    level: pd.Categorical
    message: pa.Array
    fields: dict[str, pa.Array]
    parse_ok: np.ndarray
    flags: np.ndarray
    lines_used: int
    bytes_used: int


def gather_columns(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[pa.Array]:
    """Arrow string arrays, one per row of ``starts``/``ends`` (int64[k, n]); -1 = null.

    One kernel call copies every column; the arrays share its output buffer.
    """
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    ends = np.ascontiguousarray(ends, dtype=np.int64)
    data, offsets, bases = K._gather(buf, starts, ends)
    return [
        large_strings(data[bases[c] : bases[c + 1]], offsets[c], starts[c] >= 0)
        for c in range(starts.shape[0])
    ]


def gather_strings(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """An Arrow string array of byte ranges; ranges with a negative start are null."""
    return gather_columns(buf, np.asarray(starts)[None, :], np.asarray(ends)[None, :])[0]


def span_strings(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[str | None]:
    """The text of each byte range (None where the start is negative): for samples."""
    return [
        None if a < 0 else buf[a:b].tobytes().decode("utf-8", "replace")
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
    ]


def repair_utf8(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, bad: np.ndarray
) -> np.ndarray:
    """A copy of ``buf`` where the lines ``bad`` have invalid bytes replaced by U+FFFD."""
    pieces: list[bytes] = []
    pos = 0
    raw = buf.tobytes()
    for i in np.flatnonzero(bad):
        s, e = int(starts[i]), int(ends[i])
        pieces.append(raw[pos:s])
        pieces.append(raw[s:e].decode("utf-8", "replace").encode("utf-8"))
        pos = e
    pieces.append(raw[pos:])
    return np.frombuffer(b"".join(pieces), dtype=np.uint8)


def _record_times(buf, layout: Layout, state: SourceState, rec_caps, rec_which, tz):
    """Timestamps (int64 ns) and parse failures of the records: each record's pattern's
    time fields read with that pattern's time format."""
    n = rec_caps.shape[1]
    timestamp = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    failed = np.zeros(n, dtype=np.bool_)
    groups = [(0, state.time_fields, state.time_format)]
    groups += [(k + 1, a.time_fields, a.time_format) for k, a in enumerate(layout.alts)]
    for k, names, fmt in groups:
        if fmt is None or not names:
            continue
        rows = None if rec_which is None else np.flatnonzero(rec_which == k)
        if rows is not None and not len(rows):
            continue
        ts_s, ts_e = _field_spans(layout, list(names), rec_caps, rows)
        ns, bad = parse_times_ns(
            buf, ts_s, ts_e, fmt, tz=tz, year_state=state.year, mtime=state.mtime
        )
        if rows is None:
            return ns, bad
        timestamp[rows], failed[rows] = ns, bad
    return timestamp, failed


def _alt_levels(buf, layout: Layout, rec_caps, rec_which, level: pd.Categorical):
    """``level`` with the records of the other patterns read from their level fields."""
    codes = level.codes.copy()
    for k, alt in enumerate(layout.alts, start=1):
        rows = np.flatnonzero(rec_which == k)
        if alt.level is None or not len(rows):
            continue
        j = layout.fmt.fields.index(alt.level)
        values = gather_strings(buf, rec_caps[2 * j, rows], rec_caps[2 * j + 1, rows])
        codes[rows] = normalize_levels(values, layout.level_mapper or normalize_level).codes
    return pd.Categorical.from_codes(codes, dtype=LEVEL_DTYPE, validate=False)


def _fill_levels(level: pd.Categorical, other: pd.Categorical) -> pd.Categorical:
    """``level``, with ``other``'s levels where it has none."""
    codes = np.where(level.codes < 0, other.codes, level.codes).astype(level.codes.dtype)
    return pd.Categorical.from_codes(codes, dtype=LEVEL_DTYPE, validate=False)


def _no_levels(n: int) -> pd.Categorical:
    """``n`` missing levels, with int8 codes (pandas' own choice, so it keeps them)."""
    return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), dtype=LEVEL_DTYPE)


def prepare_lines(buf: np.ndarray):
    """Split, flag and strip the lines of a block, repairing invalid UTF-8.

    Returns the line starts in the block as given (for byte accounting), the buffer
    (a repaired copy when needed) and its ``starts``, ``ends``, ``flags``, ``ss``, ``se``.
    """
    starts, ends, flags, ss, se = K.scan_lines(buf)
    raw_starts = starts
    bad = (flags & K.FLAG_INVALID_UTF8) != 0
    if bad.any():
        buf = repair_utf8(buf, starts, ends, bad)
        starts, ends, _, ss, se = K.scan_lines(buf)
    return raw_starts, buf, starts, ends, flags, ss, se


def match_regex(
    buf: np.ndarray,
    s: np.ndarray,
    e: np.ndarray,
    rows: np.ndarray,
    regex: re.Pattern,
    fields: list[str],
    status: np.ndarray,
    caps: np.ndarray,
) -> None:
    """Match ``rows`` with Python's ``re`` (the fallback), writing byte offsets into ``caps``."""
    for i in rows:
        if e[i] - s[i] > MAX_REGEX_LINE:
            status[i] = K.NO_MATCH
            continue
        raw = buf[s[i] : e[i]].tobytes()
        text = raw.decode("utf-8", "replace")
        m = regex.fullmatch(text)
        if m is None:
            status[i] = K.NO_MATCH
            continue
        status[i] = K.MATCHED
        ascii_only = len(text) == len(raw)
        for k, name in enumerate(fields):
            a, b = m.span(name)
            if a < 0:
                caps[2 * k, i] = caps[2 * k + 1, i] = -1
                continue
            if not ascii_only:
                a, b = len(text[:a].encode()), len(text[:b].encode())
            caps[2 * k, i] = s[i] + a
            caps[2 * k + 1, i] = s[i] + b


def match_block(buf: np.ndarray, s: np.ndarray, e: np.ndarray, fmt: FieldFormat):
    """Status and field spans of each (stripped) line."""
    prog = fmt.program
    if prog is None:
        status = np.full(len(s), K.UNDECIDED, dtype=np.uint8)
        caps = np.full((2 * len(fmt.fields), len(s)), -1, dtype=np.int64)
    else:
        status, caps = K._match_lines(
            buf, s, e, prog.op, prog.a, prog.b, prog.classes, prog.n_fields
        )
    undecided = np.flatnonzero((status == K.UNDECIDED) | (status == K.GAVE_UP))
    if len(undecided):
        rest = match_re2(buf, s, e, undecided, fmt, status, caps)
        # what RE2 cannot take (non-ASCII lines, look-arounds, back-references) runs on
        # Python's re; a line on which the matcher gave up only when it is short
        retry = (status[rest] == K.UNDECIDED) | (e[rest] - s[rest] <= MAX_RETRY_LINE)
        match_regex(buf, s, e, rest[retry], fmt.regex, fmt.fields, status, caps)
    status[status == K.GAVE_UP] = K.NO_MATCH
    return status, caps


def _unnamed_as_plain_groups(pattern: str) -> str:
    """``pattern`` with its unnamed groups ``(...)`` written ``(?:...)``: Arrow's RE2
    extraction takes named groups only (a back-reference to one then fails to compile,
    and the format stays on ``re``)."""

    def plain(text: str, i: int):
        return ("(?:", i + 1) if text[i] == "(" and text[i + 1 : i + 2] != "?" else None

    return rewrite_outside_classes(pattern, plain)


def _re2_pattern(fmt: FieldFormat) -> str | None:
    """The format as an anchored RE2 pattern, or None when RE2 does not take its syntax
    (look-arounds, back-references, comments). Cached on the format."""
    cached = getattr(fmt, "_re2", False)
    if cached is not False:
        return cached
    import pyarrow.compute as pc

    pattern = f"^(?:{_unnamed_as_plain_groups(fmt.regex.pattern)})$"
    try:
        pc.extract_regex_span(pa.array([""], pa.large_string()), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, NotImplementedError):
        pattern = None
    fmt._re2 = pattern
    return pattern


def match_re2(buf, s, e, rows, fmt: FieldFormat, status, caps) -> np.ndarray:
    """Match the ASCII lines among ``rows`` with RE2 (linear time: a format such as
    ``<A>(a+)+b <B>`` cannot make it backtrack exponentially); returns the rows left.

    On ASCII text RE2's leftmost-first matching gives the groups Python's ``re`` gives;
    ``\\d``, ``\\s`` and ``\\w`` differ beyond ASCII, so other lines are left to ``re``.
    """
    pattern = _re2_pattern(fmt)
    if pattern is None:
        return rows
    import pyarrow.compute as pc

    lines = gather_strings(buf, s[rows], e[rows])
    ascii_ = pc.string_is_ascii(lines).to_numpy(zero_copy_only=False)
    take = rows[ascii_]
    if not len(take):
        return rows
    spans = pc.extract_regex_span(pc.filter(lines, pa.array(ascii_)), pattern)
    hit = spans.is_valid().to_numpy(zero_copy_only=False)
    status[take] = np.where(hit, K.MATCHED, K.NO_MATCH)
    got = take[hit]
    valid = spans.filter(spans.is_valid())
    for k, name in enumerate(fmt.fields):
        field = valid.field(name)
        at = np.asarray(field.flatten().to_numpy(zero_copy_only=False), dtype=np.int64)
        at = at.reshape(-1, 2) if len(at) else np.zeros((0, 2), np.int64)
        present = field.is_valid().to_numpy(zero_copy_only=False)
        start = np.full(len(got), -1, np.int64)
        start[present] = at[:, 0]
        length = np.zeros(len(got), np.int64)
        length[present] = at[:, 1]
        ok = start >= 0
        caps[2 * k, got] = np.where(ok, s[got] + start, -1)
        caps[2 * k + 1, got] = np.where(ok, s[got] + start + length, -1)
    return rows[~ascii_]


def match_lines(buf: np.ndarray, s: np.ndarray, e: np.ndarray, fmt: FieldFormat | FormatSet):
    """Status and field spans of each line, and which pattern matched it (None for a
    single format; for a :class:`FormatSet`, int8 per line: 0 the primary, k the k-th
    other pattern, tried in order on the lines the ones before did not match)."""
    if not isinstance(fmt, FormatSet):
        return (*match_block(buf, s, e, fmt), None)
    index = {name: k for k, name in enumerate(fmt.fields)}
    caps = np.full((2 * len(fmt.fields), len(s)), -1, dtype=np.int64)
    which = np.zeros(len(s), dtype=np.int8)
    status = np.full(len(s), K.NO_MATCH, dtype=np.uint8)
    todo = np.arange(len(s))
    for k, pattern in enumerate(fmt.patterns):
        if not len(todo):
            break
        st, cp = match_block(buf, s[todo], e[todo], pattern)
        hit = st == K.MATCHED
        rows = todo[hit]
        status[rows] = K.MATCHED
        which[rows] = k
        for j, name in enumerate(pattern.fields):
            caps[2 * index[name], rows] = cp[2 * j, hit]
            caps[2 * index[name] + 1, rows] = cp[2 * j + 1, hit]
        todo = todo[~hit]
    return status, caps, which


def _field_spans(layout: Layout, names: list[str], caps: np.ndarray, rows: np.ndarray | None):
    """int64[k, n] starts and ends of the named fields (at ``rows``, or all rows).

    Consecutive fields at all rows are a (strided) view of ``caps``; anything else is a
    copy.
    """
    idx = [layout.fmt.fields.index(g) for g in names]
    if rows is None and idx == list(range(idx[0], idx[0] + len(idx))):
        k, j = idx[0], idx[-1]
        return caps[2 * k : 2 * j + 1 : 2], caps[2 * k + 1 : 2 * j + 2 : 2]
    s = caps[[2 * k for k in idx]]
    e = caps[[2 * k + 1 for k in idx]]
    if rows is not None:
        s, e = s[:, rows], e[:, rows]
    return s, e


def _reads_all(layout: Layout, group: list[str], fmt: TimeFormat, buf, caps, sample) -> bool:
    """Whether ``fmt`` reads the time of every sampled row that has ``group``'s fields."""
    return reads_all(buf, *_field_spans(layout, group, caps, sample), fmt)


def resolve_time(
    layout: Layout, state: SourceState, buf, caps, rows, carry: TimeCarry | None = None
) -> None:
    """Choose the time fields and format of a source from a sample of matched rows.

    ``carry`` holds the choice made for the source before in the same read: it is kept
    when it reads every sampled row, and updated otherwise (see :class:`TimeCarry`).
    """
    state.time_resolved = True
    if layout.time_format is not None and layout.time_fields:
        state.time_fields, state.time_format = layout.time_fields, layout.time_format
        return
    sample = rows[:256]
    if carry is not None and carry.format is not None:
        if _reads_all(layout, carry.fields, carry.format, buf, caps, sample):
            state.time_fields, state.time_format = carry.fields, carry.format
            return
    best: tuple = (0.0, 0.0, None, None)
    for group in layout.time_candidates():
        s, e = _field_spans(layout, group, caps, sample)
        if layout.time_format is not None:
            fmt = layout.time_format
            ok = _parse_times(buf, s, e, fmt.codes, fmt.args)[1]
            present = (s >= 0).any(axis=0)
            rate = float(ok[present].mean()) if present.any() else 0.0
        else:
            fmt, rate = infer_time_format(buf, s, e)
        if fmt is None or rate < 0.5:
            continue
        key = (round(rate, 2), fmt.precision)
        if key > best[:2]:
            best = (key[0], key[1], group, fmt)
    state.time_fields, state.time_format = best[2], best[3]
    if carry is not None:
        carry.keep(best[2], best[3])


#: Time directives whose text starts with a digit, or with a letter.
_DIGIT_FIRST = {
    TK.T_YEAR4,
    TK.T_YEAR2,
    TK.T_MONTH,
    TK.T_DAY,
    TK.T_HOUR,
    TK.T_HOUR12,
    TK.T_MIN,
    TK.T_SEC,
    TK.T_EPOCH,
}
_ALPHA_FIRST = {TK.T_MONTHNAME, TK.T_WEEKDAY}
_DIGIT = np.zeros(256, dtype=np.bool_)
_DIGIT[48:58] = True
_ALPHA = np.zeros(256, dtype=np.bool_)
_ALPHA[65:91] = _ALPHA[97:123] = True


def not_a_time(
    buf: np.ndarray, layout: Layout, state: SourceState, caps: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Which of the matched lines ``rows`` hold no time where the format has one.

    A header pattern made of lazy fields matches almost any line: with
    ``<Date> <Time> <Level> <Content>``, ``Caused by: java.io.IOException: x`` reads as
    Date ``Caused``. A line whose time text does not even start like the source's time
    format (a digit where it begins with a number, a letter where it begins with a
    month or weekday name) is such a line: it is not a header but a continuation. A
    line that starts like a time but does not parse (``2026-13-45``) stays a record,
    flagged ``bad_timestamp``.
    """
    fmt = state.time_format
    out = np.zeros(len(rows), dtype=np.bool_)
    if fmt is None or not state.time_fields or not len(rows):
        return out
    first = next((int(c) for c in fmt.codes if c != TK.T_SPACE), None)
    if first in _DIGIT_FIRST:
        table = _DIGIT
    elif first in _ALPHA_FIRST:
        table = _ALPHA
    elif first == TK.T_LIT:
        table = np.zeros(256, dtype=np.bool_)
        table[int(fmt.args[list(fmt.codes).index(TK.T_LIT)])] = True
    else:
        return out
    k = layout.fmt.fields.index(state.time_fields[0])
    ts, te = caps[2 * k, rows], caps[2 * k + 1, rows]
    present = (ts >= 0) & (te > ts)
    at = np.where(present, ts, 0)
    out[present] = ~table[buf[at[present]]]
    return out


def _group_by_file(matched: np.ndarray, join: bool, file_lines: np.ndarray):
    """:func:`K._group_records` of each file's lines on its own, as line indices of the
    whole block."""
    bounds = [*file_lines.tolist(), len(matched)]
    firsts, lasts = [], []
    for a, b in itertools.pairwise(bounds):
        first, last = K._group_records(matched[a:b], join)
        firsts.append(first + a)
        lasts.append(last + a)
    if not firsts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(firsts), np.concatenate(lasts)


def _carry_cut(matched: np.ndarray, first: np.ndarray) -> int:
    """Number of records to emit when the block's last record may go on in the next block."""
    last_matched = np.flatnonzero(matched)
    if len(last_matched) == 0:
        return len(first)  # no header at all: nothing can continue
    # everything before the last header; 0 when one record fills the block, so the
    # caller carries the whole block and the record grows until its end is seen
    return int(np.searchsorted(first, last_matched[-1]))


@dataclass(frozen=True)
class Keep:
    """What a read builds besides the base columns: the timestamp, the level, and the
    format fields named in ``fields`` (None: every field)."""

    time: bool = True
    level: bool = True
    fields: frozenset[str] | None = None

    def field(self, name: str, layout: Layout) -> bool:
        """Whether field ``name`` is parsed: asked for, or the level is made from it."""
        if self.fields is None or name in self.fields:
            return True
        source = layout.derived_level[0] if layout.derived_level else layout.level
        return self.level and name == source


def parse_block(
    buf: np.ndarray,
    layout: Layout,
    state: SourceState,
    *,
    final: bool,
    tz: str | None = None,
    keep: Keep | None = None,
    file_lines: np.ndarray | None = None,
    carry: TimeCarry | None = None,
) -> Block:
    """Parse a block of whole lines of one source.

    ``carry`` (shared by the sources of one read) is the time format of the source
    before, tried first when this source's is chosen (:func:`resolve_time`).

    ``keep`` (default: everything) leaves out the fields, the timestamp or the level that
    no column asks for: they are neither copied nor parsed.

    ``file_lines`` (with ``final``) says that the block is several whole files one after
    another, the first line of each at these line indices: no record spans two files.

    When ``final`` is False and continuation lines are joined, the block's last record
    is left out (``lines_used``/``bytes_used`` say how much was consumed) so that the
    caller can put those lines in front of the next block.
    """
    raw_starts, buf, starts, ends, line_flags, ss, se = prepare_lines(buf)
    status, caps, which = match_lines(buf, ss, se, layout.fmt)
    matched = status == K.MATCHED
    primary = matched if which is None else matched & (which == 0)
    if primary.any() and (layout.time_fields or layout.time_candidates()):
        rows = np.flatnonzero(primary)
        if not state.time_resolved:
            resolve_time(layout, state, buf, caps, rows, carry)
        demoted = rows[not_a_time(buf, layout, state, caps, rows)]
        if len(demoted):
            matched[demoted] = False
            caps[:, demoted] = -1
    join = layout.multiline
    if file_lines is None:
        first, last = K._group_records(matched, join)
    else:
        first, last = _group_by_file(matched, join, file_lines)
    n_rec = len(first)
    if join and not final:
        n_rec = _carry_cut(matched, first)
    first, last = first[:n_rec], last[:n_rec]
    lines_used = int(last[-1] + 1) if n_rec else (0 if (join and not final) else len(starts))
    # one line per record (the usual case, also when the last record waits for the next
    # block): the record arrays are views of the line arrays, no fancy indexing
    simple = n_rec == 0 or int(last[-1]) == n_rec - 1
    pick = slice(0, n_rec) if simple else first
    rec_caps = caps[:, pick]
    ok = matched[pick]

    # the message: the message field (or the stripped line) plus continuation lines;
    # a record that did not match keeps its raw line
    line_s = starts[pick]
    line_e = ends[pick]
    if layout.message is not None:
        k = layout.fmt.fields.index(layout.message)
        ms, me = rec_caps[2 * k], rec_caps[2 * k + 1]
        absent = ok & (ms < 0)  # an optional message that was not there
        stripped_e = se[pick]
        ms = np.where(ok, np.where(absent, stripped_e, ms), line_s)
        me = np.where(ok, np.where(absent, stripped_e, me), line_e)
    else:
        ms = np.where(ok, ss[pick], line_s)
        me = np.where(ok, se[pick], line_e)
    if layout.name == "raw":  # whole lines: indentation and trailing blanks are kept
        ms, me = line_s, line_e
    rec_which = None if which is None else np.where(ok, which[pick], -1)
    for k, alt in enumerate(layout.alts, start=1):  # the other patterns' message fields
        if alt.message is None or alt.message == layout.message:
            continue
        rows = np.flatnonzero(rec_which == k)
        j = layout.fmt.fields.index(alt.message)
        ms[rows], me[rows] = rec_caps[2 * j, rows], rec_caps[2 * j + 1, rows]
    data, offsets = K._gather_records(buf, ms, me, starts, ends, first, last)
    message = large_strings(data, offsets, None)

    keep = keep or Keep()
    names = [f for f in layout.fmt.fields if f != layout.message and keep.field(f, layout)]
    if layout.categorical is None and n_rec:
        layout.categorical = {
            f: SpanEncoder()
            for f in names
            if few_distinct(buf, *(a[0] for a in _field_spans(layout, [f], rec_caps, None)))
        }
    encoders = layout.categorical or {}
    fields: dict[str, pa.Array | np.ndarray] = {}
    for name in names:
        if name in encoders:
            s, e = _field_spans(layout, [name], rec_caps, None)
            fields[name] = encoders[name].encode(buf, s[0], e[0])
    text = [f for f in names if f not in encoders]
    idx = [layout.fmt.fields.index(f) for f in text]
    columns = gather_columns(
        buf, rec_caps[[2 * k for k in idx]], rec_caps[[2 * k + 1 for k in idx]]
    )
    fields.update(zip(text, columns, strict=True))
    if layout.message is not None and keep.field(layout.message, layout):
        fields[layout.message] = large_strings(data, offsets, ok)
    fields = {name: fields[name] for name in layout.fmt.fields if name in fields}

    flags = K._record_flags(line_flags, first, last, ok)
    if layout.name == "raw":  # no header: nothing was parsed, and nothing is wrong either
        ok = np.zeros(n_rec, dtype=np.bool_)

    if keep.time and n_rec and (state.time_format is not None or rec_which is not None):
        timestamp, failed = _record_times(buf, layout, state, rec_caps, rec_which, tz)
        state.max_ts = K._time_flags(timestamp, failed, flags, state.max_ts)
    else:  # no time asked for, or none found: NaT, one value seen n_rec times (no memory)
        timestamp = np.broadcast_to(np.int64(np.iinfo(np.int64).min), n_rec)

    if not keep.level:
        level = _no_levels(n_rec)
    elif layout.level is not None and layout.level in encoders:
        mapper = layout.level_mapper or normalize_level
        level = normalize_codes(fields[layout.level], encoders[layout.level].categories(), mapper)
    elif layout.level is not None:
        level = normalize_levels(fields[layout.level], layout.level_mapper or normalize_level)
    elif layout.derived_level is not None:
        name, rule = layout.derived_level
        mapper = DERIVED_LEVELS[rule]
        if name in encoders:
            level = normalize_codes(fields[name], encoders[name].categories(), mapper)
        else:
            level = normalize_levels(fields[name], mapper)
        if rule == "pri" and (level.codes < 0).any():  # an optional <PRI> left out
            level = _fill_levels(level, levels_in_messages(message))
    else:  # no level field: the level the program wrote at the start of its message
        level = levels_in_messages(message)
    if keep.level and rec_which is not None:
        level = _alt_levels(buf, layout, rec_caps, rec_which, level)
    if keep.level and n_rec and not ok.all() and layout.name != "raw":
        # a line no pattern matched may still say its level ("WARNING: ..."): read it
        rows = np.flatnonzero(~ok)
        codes = level.codes.copy()
        codes[rows] = levels_in_messages(message.take(pa.array(rows))).codes
        level = pd.Categorical.from_codes(codes, dtype=LEVEL_DTYPE, validate=False)

    block = Block(
        n=n_rec,
        line=state.lines_done + first + 1,
        n_lines=(last - first + 1).astype(np.int32),
        timestamp=timestamp,
        level=level,
        message=message,
        fields=fields,
        parse_ok=ok,
        flags=flags,
        lines_used=lines_used,
        bytes_used=int(raw_starts[lines_used]) if lines_used < len(raw_starts) else len(buf),
    )
    state.lines_done += lines_used
    state.lines += lines_used
    state.matched += int(matched[:lines_used].sum())
    return block
