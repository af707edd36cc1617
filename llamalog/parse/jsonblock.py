"""Parsing a block of JSON lines into the same columns as header formats."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._arrow import string_buffers
from ..errors import FormatError
from . import _kernels as K
from .engine import Block, SourceState, gather_strings, prepare_lines
from .levels import DERIVED_LEVELS, normalize_level, normalize_levels
from .timestamps import TimeCarry, TimeFormat, infer_time_format, parse_times_ns, reads_all

if TYPE_CHECKING:
    from .jsonl import JsonHints

_NAT = np.iinfo(np.int64).min


def arrow_spans(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(data, starts, ends) of a string array's buffers; nulls get start -1."""
    arr = arr.cast(pa.large_string())
    offsets, data = string_buffers(arr)
    starts = offsets[:-1].copy()
    starts[np.asarray(arr.is_null())] = -1
    return data, starts, np.ascontiguousarray(offsets[1:])


def epoch_ns(values: np.ndarray) -> np.ndarray:
    """Nanoseconds from numbers since the epoch, unit chosen by magnitude (s, ms, us, ns).

    Integers are scaled exactly. A float is read as the shortest decimal that gives it
    back (what ``repr`` and Go's ``strconv`` write, so the digits in the log): zap's
    ``1796681781.341`` is ``...781.341`` and Caddy's ``1796688485.8431454`` is
    ``...485.8431454``, not the binary value's ``...485.843145370``.
    """
    v = np.asarray(values)
    res = np.full(len(v), _NAT, dtype=np.int64)
    a = np.abs(v.astype(np.float64))
    # digits of a nanosecond count in one unit: seconds 9, ms 6, us 3, ns 0
    digits = np.select([a < 1e11, a < 1e14, a < 1e17], [9, 6, 3], default=0)
    unit = (10**digits).astype(np.int64)
    fits = a * unit < 9.2e18  # else past the year 2262: NaT
    if v.dtype.kind in "iu":
        res[fits] = v[fits].astype(np.int64) * unit[fits]
        return res
    f = v.astype(np.float64)
    fits &= np.isfinite(f)
    whole = np.floor(np.where(fits, f, 0.0))
    frac = np.where(fits, f, 0.0) - whole  # exact: both lie on the float's grid
    base = whole.astype(np.int64) * unit
    # the fewest fraction digits that give the float back, by bisection per value (a
    # decimal that does, does with more digits too); at the unit's finest digit the
    # rounded value is taken, whether or not it gives the float back
    lo = np.zeros(len(f), dtype=np.int64)
    hi = digits.astype(np.int64)
    for _ in range(4):  # 0..9 digits: four halvings (whole arrays: cheaper than indexing)
        mid = (lo + hi) // 2
        scale = _POW10[mid]
        back = whole + np.round(frac * scale) / scale == f
        hi = np.where(back, mid, hi)
        lo = np.where(back, lo, np.minimum(mid + 1, hi))
    k = np.round(frac * _POW10[hi]).astype(np.int64)
    res[fits] = (base + k * (unit // _POW10_INT[hi]))[fits]
    return res


#: 10 ** k as floats and integers, k = 0..9.
_POW10 = 10.0 ** np.arange(10)
_POW10_INT = 10 ** np.arange(10, dtype=np.int64)


#: The time "fields" of a JSON-lines source: its time key, found per record.
JSON_TIME_FIELDS = ["<json time key>"]


def _times(
    time: pa.Array,
    state: SourceState,
    tz: str | None,
    carry: TimeCarry | None,
    time_format: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(time)
    numeric = pa.types.is_integer(time.type) or pa.types.is_floating(time.type)
    if numeric and time_format is None:
        ns = epoch_ns(time.to_numpy(zero_copy_only=False))
        if time.null_count:
            ns[np.asarray(time.is_null())] = _NAT
        return ns, np.zeros(n, dtype=bool)
    if pa.types.is_null(time.type) or time.null_count == n:
        return np.full(n, _NAT, dtype=np.int64), np.zeros(n, dtype=bool)
    data, s, e = arrow_spans(pc.cast(time, pa.large_string()))
    if not state.time_resolved:
        state.time_resolved = True
        state.time_fields = list(JSON_TIME_FIELDS)
        if time_format is not None:  # the caller's, never inferred
            state.time_format = TimeFormat.compile(time_format)
        else:
            sample = np.flatnonzero(s >= 0)[:256]
            # the format of the file before, in the same read, when it reads this sample
            known = carry.format if carry is not None else None
            if known is not None and reads_all(data, s[sample], e[sample], known):
                state.time_format = known
            else:
                state.time_format = infer_time_format(data, s[sample], e[sample])[0]
                if carry is not None:
                    carry.keep(list(JSON_TIME_FIELDS), state.time_format)
    if state.time_format is None:
        return np.full(n, _NAT, dtype=np.int64), s >= 0
    return parse_times_ns(
        data, s, e, state.time_format, tz=tz, year_state=state.year, mtime=state.mtime
    )


def parse_json_block(
    buf: np.ndarray,
    state: SourceState,
    *,
    options: dict,
    tz: str | None,
    carry: TimeCarry | None = None,
    hints: JsonHints | None = None,
) -> Block:
    """Parse a block of JSON lines: one record per line, fields from the objects' keys.

    ``options`` are :func:`~llamalog.parse.jsonl.parse_json_records`'s keyword arguments,
    plus ``time_format`` (the time values' format, used instead of inference; numbers are
    then read as their text, e.g. with ``"%Q"``).

    ``carry`` (shared by the sources of one read) holds the time format found for the
    file before, tried first on the next; ``hints`` (likewise) what the blocks before
    learnt about the keys (:class:`~llamalog.parse.jsonl.JsonHints`).
    """
    from .jsonl import parse_json_records

    options = dict(options)
    time_format = options.pop("time_format", None)
    if time_format is not None and not isinstance(time_format, str):
        raise FormatError(
            f"time_format must be a format string such as '%Y-%m-%d %H:%M:%S%.f %z', "
            f"got {time_format!r}"
        )
    _, buf, starts, ends, line_flags, ss, se = prepare_lines(buf)
    n = len(starts)
    lines = gather_strings(buf, ss, se)
    rec = parse_json_records(lines, **options, hints=hints)
    ok = np.asarray(rec.ok, dtype=bool)
    first = np.arange(n, dtype=np.int64)
    flags = K._record_flags(line_flags, first, first, ok)
    # a record that is not JSON keeps its raw line, not the stripped one (gathered only
    # when there is one: the copy was an eighth of a large read)
    if n and not ok.all():
        raw = gather_strings(buf, starts, ends)
        message = pc.if_else(pa.array(ok), rec.message, raw)
    else:
        message = rec.message
    if rec.keys["message"] == "log":  # Docker's json-file: each line's own newline
        message = pc.utf8_rtrim(message, characters="\r\n")
    ts, failed = _times(rec.time, state, tz, carry, time_format)
    state.max_ts = K._time_flags(ts, failed, flags, state.max_ts)
    block = Block(
        n=n,
        line=state.lines_done + first + 1,
        n_lines=np.ones(n, dtype=np.int32),
        timestamp=ts,
        level=normalize_levels(
            pc.cast(rec.level, pa.large_string()),
            DERIVED_LEVELS[rec.level_rule] if rec.level_rule else normalize_level,
        ),
        message=pc.cast(message, pa.large_string()),
        fields=dict(rec.columns),
        parse_ok=ok,
        flags=flags,
        lines_used=n,
        bytes_used=len(buf),
    )
    state.lines_done += n
    state.lines += n
    state.matched += int(ok.sum())
    return block
