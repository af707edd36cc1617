"""Parsing a block of JSON lines into the same columns as header formats."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._arrow import string_buffers
from . import _kernels as K
from .engine import Block, SourceState, gather_strings, prepare_lines
from .levels import normalize_levels
from .timestamps import TimeCarry, infer_time_format, parse_times_ns, reads_all

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
    """Nanoseconds from numbers since the epoch, unit chosen by magnitude (s, ms, us, ns)."""
    v = np.asarray(values, dtype=np.float64)
    scale = np.select(
        [np.abs(v) < 1e11, np.abs(v) < 1e14, np.abs(v) < 1e17], [1e9, 1e6, 1e3], default=1.0
    )
    out = np.where(np.isfinite(v), v * scale, np.nan)
    res = np.full(len(v), _NAT, dtype=np.int64)
    good = np.isfinite(out)
    res[good] = out[good].astype(np.int64)
    return res


#: The time "fields" of a JSON-lines source: its time key, found per record.
JSON_TIME_FIELDS = ["<json time key>"]


def _times(
    time: pa.Array, state: SourceState, tz: str | None, carry: TimeCarry | None
) -> tuple[np.ndarray, np.ndarray]:
    n = len(time)
    if pa.types.is_integer(time.type) or pa.types.is_floating(time.type):
        ns = epoch_ns(time.to_numpy(zero_copy_only=False))
        return ns, np.zeros(n, dtype=bool)
    if pa.types.is_null(time.type) or time.null_count == n:
        return np.full(n, _NAT, dtype=np.int64), np.zeros(n, dtype=bool)
    data, s, e = arrow_spans(pc.cast(time, pa.large_string()))
    if not state.time_resolved:
        state.time_resolved = True
        sample = np.flatnonzero(s >= 0)[:256]
        # the format of the file before, in the same read, when it reads this one's sample
        known = carry.format if carry is not None else None
        if known is not None and reads_all(data, s[sample], e[sample], known):
            state.time_format = known
        else:
            state.time_format = infer_time_format(data, s[sample], e[sample])[0]
            if carry is not None:
                carry.keep(list(JSON_TIME_FIELDS), state.time_format)
        state.time_fields = list(JSON_TIME_FIELDS)
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

    ``carry`` (shared by the sources of one read) holds the time format found for the
    file before, tried first on the next; ``hints`` (likewise) what the blocks before
    learnt about the keys (:class:`~llamalog.parse.jsonl.JsonHints`).
    """
    from .jsonl import parse_json_records

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
    ts, failed = _times(rec.time, state, tz, carry)
    state.max_ts = K._time_flags(ts, failed, flags, state.max_ts)
    block = Block(
        n=n,
        line=state.lines_done + first + 1,
        n_lines=np.ones(n, dtype=np.int32),
        timestamp=ts,
        level=normalize_levels(pc.cast(rec.level, pa.large_string())),
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
