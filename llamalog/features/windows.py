"""Cut an event frame into windows: count matrices and event sequences.

:func:`windows` groups the rows of a frame (one event per row, event ids in an
integer or categorical column) into fixed time windows, sliding time or count
windows, or sessions keyed by a column or by a regex over ``message`` (optionally
split by idle gaps). The result, :class:`Windows`, holds a sparse windows × events
count matrix, one row of metadata per window and the event sequence of each window.

Regex sessions take the fastest exact path the pattern allows: simple patterns
(characters, classes, greedy repeats, one group, e.g. ``blk_-?\\d+``) run through a numba
``findall`` (:mod:`llamalog.features._regex`), other forward-looking patterns through
pyarrow's RE2, and the rest, as well as rows with non-ASCII text, through Python ``re``;
all three give ``re.findall``'s keys.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._arrow import large_strings, string_buffers
from ..errors import LlamalogError, LlamalogWarning, SchemaError
from ..parse.timestamps import utc_datetimes
from ..schema import STR_DTYPE
from . import _kernels as K
from ._regex import (
    KeyTable,
    SimplePattern,
    compile_simple,
    find_spans,
    substrings,
)

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["UNSEEN", "WindowSpecError", "Windows", "windows"]

#: Column id of the extra "unseen events" column (``unseen="column"``).
UNSEEN = -1
#: Most windows ``empty=True`` may create before :class:`WindowSpecError` is raised.
MAX_WINDOWS = 50_000_000

Duration = str | pd.Timedelta | dt.timedelta | np.timedelta64


class WindowSpecError(LlamalogError, ValueError):
    """The arguments of :func:`windows` do not describe a valid windowing."""


class _Lazy:
    """A dataclass field that may be given as a way to make its value (``pending`` says
    whether a stored value is one); ``build(owner, stored)`` makes it on first access,
    and it is kept."""

    def __init__(self, pending: Callable[[object], bool], build: Callable) -> None:
        self.pending = pending
        self.build = build

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = "_" + name

    def __get__(self, obj: object, objtype: type | None = None) -> object:
        if obj is None:
            raise AttributeError(self.name)  # no default: the field is required
        value = obj.__dict__[self.slot]
        if self.pending(value):
            value = obj.__dict__[self.slot] = self.build(obj, value)
        return value

    def __set__(self, obj: object, value: object) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True, eq=False)
class Windows:
    """Windows of events: counts, per-window metadata and event sequences.

    Attributes
    ----------
    counts : scipy.sparse.csr_matrix
        ``len(self) × len(vocabulary)`` int64 event counts.
    index : pandas.DataFrame
        One row per window: ``key`` (session key, or window number for time and
        count windows), ``start`` and ``end`` (for fixed and sliding time windows the
        window bounds ``[start, end)``, otherwise the first and last event time; NaT
        where unknown), ``n_events`` (events in the window, unseen ones included),
        ``n_unseen`` (events not in the vocabulary), ``first_row`` and ``last_row``
        (positional rows of the frame). Built on first use.
    vocabulary : numpy.ndarray
        Event ids: column ``j`` of ``counts`` counts event ``vocabulary[j]``. With
        ``unseen="column"`` the last entry is :data:`UNSEEN` (-1).
    sequence_values, sequence_offsets : numpy.ndarray
        Event ids of all windows back to back; window ``i`` is
        ``sequence_values[sequence_offsets[i]:sequence_offsets[i + 1]]``.
    member_rows : numpy.ndarray
        Positional frame rows aligned with ``sequence_values``.
    dropped : int
        Rows left out: NaT timestamps in time-based windowing, missing event ids.
    unseen_column : bool
        Whether the last column counts events outside the vocabulary (id :data:`UNSEEN`).

    ``index`` may be given as a function that builds it, and ``member_rows`` as None
    when the memberships are every row of the frame once, in order (fixed windows over
    a time-ordered frame); both are then made on first use.
    """

    counts: sp.csr_matrix
    index: pd.DataFrame = _Lazy(  # type: ignore[assignment]
        lambda v: not isinstance(v, pd.DataFrame), lambda w, make: make()
    )
    vocabulary: np.ndarray
    sequence_values: np.ndarray
    sequence_offsets: np.ndarray
    member_rows: np.ndarray = _Lazy(  # type: ignore[assignment]
        lambda v: v is None, lambda w, _: np.arange(w.sequence_values.size, dtype=np.int64)
    )
    dropped: int = 0
    unseen_column: bool = False

    def __getstate__(self) -> dict:
        """Lazy fields are built before pickling (a builder function does not pickle)."""
        state = dict(self.__dict__)
        state["_index"] = self.index
        state["_member_rows"] = self.member_rows
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __len__(self) -> int:
        return int(self.sequence_offsets.size - 1)

    def __repr__(self) -> str:
        return (
            f"Windows({len(self)} windows × {self.vocabulary.size} events, "
            f"{int(self.sequence_offsets[-1])} memberships, dropped={self.dropped})"
        )

    @property
    def sequences(self) -> list[np.ndarray]:
        """Event ids of each window, in event order."""
        if len(self) == 0:
            return []
        return np.split(self.sequence_values, self.sequence_offsets[1:-1])

    def sequence(self, i: int) -> np.ndarray:
        """Event ids of window ``i``, in event order."""
        o = self.sequence_offsets
        return self.sequence_values[o[i] : o[i + 1]]

    def rows(self, i: int) -> np.ndarray:
        """Positional frame rows of window ``i``, aligned with :meth:`sequence`."""
        o = self.sequence_offsets
        return self.member_rows[o[i] : o[i + 1]]

    def to_frame(self) -> pd.DataFrame:
        """Dense counts with the vocabulary as columns (for small cases)."""
        return pd.DataFrame(
            self.counts.toarray(), columns=pd.Index(self.vocabulary, name="event")
        ).rename_axis("window")

    def idf(self) -> np.ndarray:
        """Smoothed inverse document frequency ``log((1 + n) / (1 + df)) + 1``."""
        n = self.counts.shape[0]
        df = np.bincount(self.counts.indices, minlength=self.counts.shape[1])
        return np.log((1.0 + n) / (1.0 + df)) + 1.0

    def tfidf(self, idf: np.ndarray | None = None) -> sp.csr_matrix:
        """TF-IDF weights: counts times ``idf`` (learned from these windows by default).

        Pass the :meth:`idf` of training windows to weight test windows alike.
        """
        weights = self.idf() if idf is None else np.asarray(idf, dtype=np.float64)
        if weights.shape != (self.counts.shape[1],):
            raise WindowSpecError(
                f"idf has shape {weights.shape}, expected ({self.counts.shape[1]},); "
                "build the windows with vocabulary= of the windows the idf came from"
            )
        out = self.counts.astype(np.float64)
        out.data *= weights[out.indices]
        return out

    def normalize(
        self, norm: Literal["l1", "l2"] = "l2", matrix: sp.csr_matrix | None = None
    ) -> sp.csr_matrix:
        """Rows of ``matrix`` (default: counts) scaled to unit ``norm``; empty rows stay 0."""
        import scipy.sparse as sp

        out = (self.counts if matrix is None else sp.csr_matrix(matrix)).astype(np.float64)
        if norm == "l1":
            sums = np.abs(out).sum(axis=1).A1
        elif norm == "l2":
            sums = np.sqrt(out.multiply(out).sum(axis=1).A1)
        else:
            raise WindowSpecError(f"norm must be 'l1' or 'l2', got {norm!r}")
        scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
        out.data *= np.repeat(scale, np.diff(out.indptr))
        return out


@functools.lru_cache(maxsize=64)
def _timedelta_ns(value: object) -> int:
    return int(pd.Timedelta(value).value)  # parsing "1min" costs ~0.1 ms: done once


def _duration_ns(value: object, name: str) -> int:
    try:
        ns = _timedelta_ns(value)
    except (ValueError, TypeError) as exc:
        raise WindowSpecError(
            f"{name}={value!r} is not a fixed duration such as '30s' or '5min'"
        ) from exc
    if ns <= 0:
        raise WindowSpecError(f"{name}={value!r} must be a positive duration")
    return int(ns)


def _is_count(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check(status: int, what: str) -> None:
    if status == K.OK:
        return
    reasons = {
        K.BAD_WIDTH: "a width, step or idle gap was not positive",
        K.TOO_MANY: f"empty=True would create more than {MAX_WINDOWS} windows",
        K.UNSORTED: "internal ordering error",
        K.BAD_CODE: "internal code out of range",
        K.NAT_INPUT: "a NaT timestamp reached a time kernel",
    }
    raise WindowSpecError(f"{what}: {reasons.get(status, f'status {status}')}")


def _timestamps_ns(frame: pd.DataFrame) -> tuple[np.ndarray, object]:
    """int64 ns timestamps (NAT for missing) and the column's time zone."""
    if "timestamp" not in frame.columns:
        return np.full(len(frame), K.NAT, np.int64), None
    col = frame["timestamp"]
    if not pd.api.types.is_datetime64_any_dtype(col):
        raise SchemaError(
            f"column 'timestamp' has dtype {col.dtype}, expected datetime64; "
            "parse it with pandas.to_datetime first"
        )
    return _stamps_ns(col.array)


def _stamps_ns(stamps: pd.arrays.DatetimeArray) -> tuple[np.ndarray, object]:
    """int64 ns of a datetime array (NAT for missing), without a copy when in ns,
    and its time zone."""
    if stamps.unit != "ns":
        stamps = stamps.as_unit("ns")
    return np.asarray(stamps.asi8, dtype=np.int64), stamps.tz


def _events(frame: pd.DataFrame, event: str) -> tuple[pd.Series, np.ndarray]:
    """The event column and a mask of rows that have an event id."""
    if event not in frame.columns:
        raise SchemaError(
            f"no event column {event!r} among {list(frame.columns)}; "
            "mine templates first or pass event= with an integer or categorical column"
        )
    col = frame[event]
    if not (isinstance(col.dtype, pd.CategoricalDtype) or pd.api.types.is_integer_dtype(col.dtype)):
        raise SchemaError(
            f"event column {event!r} has dtype {col.dtype}, expected integer or categorical"
        )
    return col, ~col.isna().to_numpy()


def _session_memberships(
    frame: pd.DataFrame, session: str, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, key codes, key values) of each (row, session key) membership."""
    if session in frame.columns:
        codes, uniques = pd.factorize(frame[session], use_na_sentinel=True)
        codes = np.asarray(codes, dtype=np.int64)
        rows = np.flatnonzero((codes >= 0) & ok)
        return rows, codes[rows], np.asarray(uniques)
    if "message" not in frame.columns:
        raise SchemaError(f"session={session!r} is not a column, and there is no 'message'")
    try:
        re.compile(session)
    except re.error as exc:
        raise WindowSpecError(
            f"session={session!r} is neither a column nor a valid regex: {exc}"
        ) from exc
    found = _regex_memberships_fast(frame["message"], session, ok)
    if found is None:
        found = _regex_memberships_slow(frame["message"], session, ok)
    if not found[0].size and ok.any():
        warnings.warn(
            f"session={session!r} is not a column of the frame, and as a regex over "
            f"'message' it matched no line: no sessions. Columns: {list(frame.columns)}",
            LlamalogWarning,
            stacklevel=3,
        )
    return found


def _regex_memberships_slow(
    messages: pd.Series, session: str, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, key codes, key values) of a regex session with ``Series.str.findall``."""
    found = messages.str.findall(session)
    found.index = pd.RangeIndex(len(found))
    found = found[ok]
    flat = found.explode().dropna()
    rows = flat.index.to_numpy(dtype=np.int64)
    codes, uniques = pd.factorize(flat.to_numpy(dtype=object))
    codes = np.asarray(codes, dtype=np.int64)
    if rows.size > 1 and np.any(np.diff(rows) == 0):
        # a row naming a key twice belongs to that session once
        pair = rows * max(len(uniques), 1) + codes
        _, first = np.unique(pair, return_index=True)
        first.sort()
        rows, codes = rows[first], codes[first]
    return rows, codes, np.asarray(uniques, dtype=object)


# ------------------------------------------------------------ regex sessions, fast path

_REST = "_llamalog_rest"
_DIRTY = r"[^\t\x20-\x7e]"  # rows holding other bytes take the exact (Python re) path


def _re2_key_pattern(session: str, compiled: re.Pattern) -> str | None:
    """An RE2 pattern whose group 0 spans each match and whose key group is ``key``.

    None when the fast path could disagree with Python ``re`` on printable ASCII text:
    several or unnamed groups, a pattern that can match empty, non-ASCII or
    POSIX-class syntax, ``{,n}`` (a literal in RE2).
    """
    if not session.isascii() or "{," in session or "[:" in session or _REST in session:
        return None
    if compiled.groups > 1 or (compiled.groups == 1 and not compiled.groupindex):
        return None
    try:
        if re._parser.parse(session).getwidth()[0] == 0:  # type: ignore[attr-defined]
            return None
    except Exception:  # private API: any doubt means the exact path
        return None
    return f"(?P<{_REST}>{session})"


def _has_lookbehind_like(session: str) -> bool:
    """Whether the pattern holds ^, \\A, \\b or \\B (they look before the match)."""
    try:
        parsed = re._parser.parse(session)  # type: ignore[attr-defined]
    except Exception:  # private API
        return True
    stack: list[object] = [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, re._parser.SubPattern):  # type: ignore[attr-defined]
            stack.extend(item.data)
        elif isinstance(item, tuple | list):
            if len(item) == 2 and str(item[0]) == "AT":
                return True
            stack.extend(item)
    return False


def _substrings(data: np.ndarray, start: np.ndarray, stop: np.ndarray) -> pa.Array:
    """``data[start[i]:stop[i]]`` (absolute byte offsets) as a large_string array."""
    out_off, out = substrings(data, start.astype(np.int64), stop.astype(np.int64))
    return large_strings(out, out_off)


def _gather(arr: pa.Array, start: np.ndarray, stop: np.ndarray) -> pa.Array:
    """Substrings ``arr[i][start[i]:stop[i]]`` (byte offsets) as a large_string array."""
    offsets, data = string_buffers(arr)
    return _substrings(data, offsets[:-1] + start, offsets[:-1] + stop)


def _python_findall(
    arr: pa.Array | pa.ChunkedArray,
    rows: np.ndarray,
    compiled: re.Pattern,
    pos: np.ndarray | None = None,
) -> tuple[np.ndarray, pa.Array]:
    """(row per key, keys) of ``compiled.findall`` on ``rows`` (from ``pos``), deduplicated."""
    texts = arr.take(pa.array(rows)).to_pylist()
    starts = [0] * len(texts) if pos is None else pos.tolist()
    found = [
        list(dict.fromkeys(compiled.findall(t, int(p)))) for t, p in zip(texts, starts, strict=True)
    ]
    lengths = np.fromiter(map(len, found), np.int64, len(found))
    return np.repeat(rows, lengths), pa.array([k for f in found for k in f], pa.large_string())


def _simple_memberships(
    chunked: pa.ChunkedArray, simple: SimplePattern, compiled: re.Pattern, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray | pd.api.extensions.ExtensionArray]:
    """:func:`_session_memberships` for a simple regex: the numba ``findall`` on ASCII
    rows, chunk by chunk (no copy of the text), keys numbered by a hash table that
    compares their bytes; rows holding other bytes go to Python ``re``."""
    found = []
    row0 = 0
    for chunk in chunked.chunks:
        chunk = chunk.cast(pa.large_string())
        offsets, data = string_buffers(chunk)
        spans = find_spans(
            data, offsets, np.flatnonzero(ok[row0 : row0 + len(chunk)]),
            simple.tables, simple.mins, simple.maxs, *simple.group,
        )  # fmt: skip
        found.append((row0, data, spans))
        row0 += len(chunk)
    if not any(spans[4].size for _, _, spans in found):  # every row is ASCII
        table = KeyTable()
        rows, codes = [], []
        for row0, data, (row_of, start, stop, hashes, _) in found:
            r, c = table.add(data, row_of, start, stop, hashes)
            rows.append(r + row0)
            codes.append(c)
        if table.exact:  # else two keys shared a 64-bit hash: the exact path below
            key_off, key_data = table.keys()
            uniques = pd.array(large_strings(key_data, key_off), dtype=STR_DTYPE)
            if not rows:
                return np.zeros(0, np.int64), np.zeros(0, np.int64), uniques
            return np.concatenate(rows), np.concatenate(codes), uniques
    row_list, key_list = [], []
    for row0, data, (row_of, start, stop, _, _) in found:
        k_off, k_data = substrings(data, start, stop)
        row_list.append(row_of + row0)
        key_list.append(large_strings(k_data, k_off))
    other = np.concatenate([spans[4] + row0 for row0, _, spans in found])
    if other.size:
        more_rows, more_keys = _python_findall(chunked, other, compiled)
        row_list.append(more_rows)
        key_list.append(more_keys)
    return _encode_memberships(row_list, key_list)


def _spans(struct: pa.Array, field: int) -> tuple[np.ndarray, np.ndarray]:
    """(start, stop) byte offsets of one group of ``extract_regex_span`` (empty if unset)."""
    col = struct.field(field)
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    flat = col.flatten().to_numpy(zero_copy_only=False).reshape(-1, 2)
    start = np.zeros(len(col), np.int64)
    start[valid] = flat[:, 0] if flat.shape[0] == len(col) else flat[valid, 0]
    length = np.zeros(len(col), np.int64)
    length[valid] = flat[:, 1] if flat.shape[0] == len(col) else flat[valid, 1]
    return start, start + length


def _regex_memberships_fast(
    messages: pd.Series, session: str, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`_session_memberships` for a regex without the per-row Python loop: the numba
    ``findall`` for simple patterns, else pyarrow's RE2; None: not applicable.

    Every row is searched once with RE2 for its first match; one more RE2 pass flags rows
    that may hold two matches or hold bytes other than printable ASCII and tab. Only
    flagged rows get more work: printable ones are searched again after each match
    (RE2, when the pattern looks only forward), the others with Python ``re``. On
    printable ASCII, RE2 and ``re`` find the same leftmost-first matches for the
    patterns :func:`_re2_key_pattern` accepts, so the result equals the slow path's.
    """
    dtype = messages.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    compiled = re.compile(session)
    simple = compile_simple(session)
    key_pattern = _re2_key_pattern(session, compiled)
    if key_pattern is None and simple is None:
        return None
    arr = pa.array(messages.array)
    if simple is not None:
        chunked = arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
        return _simple_memberships(chunked, simple, compiled, ok)
    assert key_pattern is not None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    key_field = 0 if compiled.groups == 0 else 1
    flag_pattern = f"{_DIRTY}|(?:{session})[\\s\\S]*?(?:{session})"
    try:
        if len(arr) >= 200_000:
            with ThreadPoolExecutor(2) as pool:
                first_job = pool.submit(pc.extract_regex, arr, key_pattern)
                flagged = pc.match_substring_regex(arr, flag_pattern)
                first = first_job.result()
        else:
            first = pc.extract_regex(arr, key_pattern)
            flagged = pc.match_substring_regex(arr, flag_pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    flagged = pc.fill_null(flagged, False).to_numpy(zero_copy_only=False)
    has_first = first.is_valid().to_numpy(zero_copy_only=False)
    single = np.flatnonzero(has_first & ~flagged & ok)
    keys = [first.field(key_field).take(pa.array(single)).cast(pa.large_string())]
    rows = [single]

    multi = np.flatnonzero(flagged & ok)
    if multi.size:
        sub = arr.take(pa.array(multi))
        dirty = pc.match_substring_regex(sub, _DIRTY).to_numpy(zero_copy_only=False)
        slow = dirty | _has_lookbehind_like(session)
        if np.any(slow):  # exact path: Python re
            more_rows, more_keys = _python_findall(arr, multi[slow], compiled)
            rows.append(more_rows)
            keys.append(more_keys)
        cur_rows, cur = multi[~slow], sub.filter(pa.array(~slow))
        pos = np.zeros(len(cur), np.int64)
        for _ in range(3):  # RE2 again on what follows each match
            span = pc.extract_regex_span(cur, key_pattern)
            hit = span.is_valid().to_numpy(zero_copy_only=False)
            if not hit.all():
                keep = pa.array(hit)
                cur, span, cur_rows, pos = (
                    cur.filter(keep),
                    span.filter(keep),
                    cur_rows[hit],
                    pos[hit],
                )
            if not len(cur):
                break
            start, stop = _spans(span, key_field)
            rows.append(cur_rows)
            keys.append(_gather(cur, start, stop))
            end = _spans(span, 0)[1]
            pos = pos + end
            cur = _gather(cur, end, pc.binary_length(cur).to_numpy(zero_copy_only=False))
        if len(cur):  # rows with many keys: Python re from where RE2 stopped (exact)
            more_rows, more_keys = _python_findall(arr, cur_rows, compiled, pos)
            rows.append(more_rows)
            keys.append(more_keys)
    return _encode_memberships(rows, keys)


def _encode_memberships(
    rows: list[np.ndarray], keys: list[pa.Array]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows in order, key codes and key values; a key named twice in a row counts once."""
    all_rows = np.concatenate(rows)
    all_keys = pa.concat_arrays(keys)
    if len(rows) > 1:
        order = np.argsort(all_rows, kind="stable")
        all_rows = all_rows[order]
        all_keys = all_keys.take(pa.array(order))
    encoded = pc.dictionary_encode(all_keys)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    return _unique_pairs(all_rows, codes, uniques)


def _unique_pairs(
    all_rows: np.ndarray, codes: np.ndarray, uniques: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop repeats of a (row, key) pair; rows ascend."""
    all_rows = all_rows.astype(np.int64, copy=False)
    repeat = np.flatnonzero(np.diff(all_rows) == 0) if all_rows.size > 1 else all_rows[:0]
    if repeat.size:  # a row naming a key twice belongs to that session once
        shared = np.zeros(all_rows.size, bool)
        shared[repeat] = shared[repeat + 1] = True
        at = np.flatnonzero(shared)
        pair = all_rows[at] * max(len(uniques), 1) + codes[at]
        _, first_at = np.unique(pair, return_index=True)
        keep = ~shared
        keep[at[first_at]] = True
        all_rows, codes = all_rows[keep], codes[keep]
    return all_rows, codes, uniques


def windows(
    frame: pd.DataFrame,
    *,
    event: str = "template_id",
    every: Duration | None = None,
    size: Duration | int | None = None,
    step: Duration | int | None = None,
    session: str | None = None,
    idle: Duration | None = None,
    vocabulary: np.ndarray | Windows | None = None,
    unseen: Literal["drop", "column"] = "drop",
    min_events: int | None = None,
    empty: bool = False,
) -> Windows:
    """Group the events of ``frame`` into windows.

    Exactly one mode is chosen:

    * ``every="1min"``: fixed time windows aligned on multiples of ``every`` since the
      Unix epoch (UTC), like :meth:`pandas.Timestamp.floor`;
    * ``size="5min", step="1min"``: sliding time windows ``[k*step, k*step + size)``;
    * ``size=20, step=20`` (integers): windows of ``size`` consecutive events, one
      starting every ``step`` events (BGL-style); the last window is the first that
      reaches the end of the frame and may be shorter;
    * ``session="block_id"`` (a column) or ``session=r"blk_-?\\d+"`` (a regex over
      ``message``; each distinct match in a row is a key, a row with several keys
      belongs to each session, rows without match to none); with ``idle="30s"`` a
      key's session closes once 30 s pass without its events (a gap of ``idle`` or
      more starts a new session of that key).

    ``step`` defaults to ``size``. Rows with NaT timestamps are left out of time-based
    windows (fixed, sliding time, idle sessions), counted in ``Windows.dropped`` and
    reported by one :class:`~llamalog.errors.LlamalogWarning`; count windows and key
    sessions keep them. Within a window events are in time order (ties: frame order)
    for time-based windows and in frame order otherwise. Sessions are listed by their
    first row (idle sessions: by start time).

    Parameters
    ----------
    frame : pandas.DataFrame
        Events, one per row; not modified.
    event : str
        Integer or categorical column of event ids; rows where it is missing are
        dropped.
    every, size, step, session, idle
        The windowing, see above.
    vocabulary : numpy.ndarray or Windows, optional
        Event ids for the columns (e.g. the ``vocabulary`` of training windows), so
        that test windows line up with training windows. By default the sorted event
        ids present in the windows.
    unseen : {"drop", "column"}
        With ``vocabulary=``: events missing from it are not counted (``"drop"``,
        the matrix keeps the training shape) or counted in an extra last column whose
        id is :data:`UNSEEN` = -1 (``"column"``). Either way they stay in the
        sequences and in ``index.n_events``; ``index.n_unseen`` counts them.
    min_events : int, optional
        Windows with fewer events are left out; default 1, or 0 with ``empty=True``.
    empty : bool
        Time windows only: also emit windows without events between the first and
        last event.

    Returns
    -------
    Windows

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "timestamp": pd.to_datetime(["2024-01-01 00:00:10", "2024-01-01 00:00:50",
    ...                                  "2024-01-01 00:02:05"], utc=True),
    ...     "message": ["open blk_1", "close blk_1", "open blk_2"],
    ...     "template_id": [0, 1, 0],
    ... })
    >>> w = windows(frame, every="1min", empty=True)
    >>> w.to_frame().to_numpy().tolist()
    [[1, 1], [0, 0], [1, 0]]
    >>> s = windows(frame, session=r"blk_\\d+")
    >>> s.index["key"].tolist(), [q.tolist() for q in s.sequences]
    (['blk_1', 'blk_2'], [[0, 1], [0]])
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    modes = [every is not None, size is not None, session is not None]
    if sum(modes) != 1:
        raise WindowSpecError("give exactly one of every=, size= (with step=) or session=")
    if step is not None and size is None:
        raise WindowSpecError("step= needs size=")
    if idle is not None and session is None:
        raise WindowSpecError("idle= needs session=")
    if unseen not in ("drop", "column"):
        raise WindowSpecError(f"unseen must be 'drop' or 'column', got {unseen!r}")
    if min_events is None:
        min_events = 0 if empty else 1
    if not _is_count(min_events) or min_events < 0:
        raise WindowSpecError(f"min_events must be a non-negative int, got {min_events!r}")
    step = size if step is None else step
    count_mode = size is not None and (_is_count(size) or _is_count(step))
    if count_mode and not (_is_count(size) and _is_count(step)):
        raise WindowSpecError(
            f"size={size!r} and step={step!r} must both be ints or both be durations"
        )
    time_mode = every is not None or (size is not None and not count_mode) or idle is not None
    if empty and not (every is not None or (size is not None and not count_mode)):
        raise WindowSpecError("empty=True applies to time windows (every= or time size=)")
    every_ns = _duration_ns(every, "every") if every is not None else 0
    size_ns = _duration_ns(size, "size") if size is not None and not count_mode else 0
    step_ns = _duration_ns(step, "step") if size is not None and not count_mode else 0
    idle_ns = _duration_ns(idle, "idle") if idle is not None else 0
    if count_mode and (size <= 0 or step <= 0):
        raise WindowSpecError(f"size={size} and step={step} must be positive")

    keyed = isinstance(session, str)  # a key column, or a regex over the messages
    _check_unique_columns(frame, event, "timestamp", *((session, "message") if keyed else ()))
    if every is not None and vocabulary is None and not empty and min_events <= 1:
        fast = _fixed_ordered(frame, event, every_ns)
        if fast is not None:
            return fast

    col, has_event = _events(frame, event)
    ok = has_event.copy()
    ts, tz = _timestamps_ns(frame)
    if time_mode:
        if "timestamp" not in frame.columns:
            raise SchemaError("time-based windows need a 'timestamp' column")
        nat = ts == K.NAT
        n_nat = int(np.count_nonzero(nat & ok))
        ok = ok & ~nat
    else:
        n_nat = 0
    n_missing = int(np.count_nonzero(~has_event))
    if n_nat or n_missing:
        parts = [f"{n_nat} rows with NaT timestamps"] if n_nat else []
        parts += [f"{n_missing} rows without {event!r}"] if n_missing else []
        warnings.warn(f"windows: left out {' and '.join(parts)}", LlamalogWarning, stacklevel=2)
    dropped = n_nat + n_missing

    keys: np.ndarray | None = None  # key of each window (sessions only)
    bounds: tuple[np.ndarray, np.ndarray] | None = None  # [start, end) ns (time windows)
    if every is not None:
        if ok.all():
            rows, row_ts = np.arange(ts.size, dtype=np.int64), ts
        else:
            rows = np.flatnonzero(ok)
            row_ts = ts[rows]
        if not K.is_sorted(row_ts):
            order = np.argsort(row_ts, kind="stable")
            rows, row_ts = rows[order], row_ts[order]
        row_win, starts, status = K.fixed_windows(row_ts, every_ns, empty, MAX_WINDOWS)
        _check(status, "every")
        win = row_win
        bounds = (starts, starts + every_ns)
        n_windows = starts.size
    elif size is not None and not count_mode:
        valid = np.flatnonzero(ok)
        sorted_rows = valid[np.argsort(ts[valid], kind="stable")]
        starts, lo, hi = _sliding(ts[sorted_rows], size_ns, step_ns, empty)
        win, rows = _expand(lo, hi, sorted_rows)
        bounds = (starts, starts + size_ns)
        n_windows = starts.size
    elif size is not None:
        valid = np.flatnonzero(ok)
        lo, hi, status = K.sliding_count(valid.size, int(size), int(step))
        _check(status, "size/step")
        win, rows = _expand(lo, hi, valid)
        n_windows = lo.size
    else:
        assert session is not None
        rows, codes, uniques = _session_memberships(frame, session, ok)
        if idle is not None:
            order = np.lexsort((rows, ts[rows], codes))
            rows, codes = rows[order], codes[order]
            sess, sess_key, status = K.split_sessions(
                codes, ts[rows], np.arange(rows.size, dtype=np.int64), idle_ns
            )
            _check(status, "idle")
            # list sessions by start time, then first row
            first = np.full(sess_key.size, -1, np.int64)
            first[sess[::-1]] = np.arange(sess.size - 1, -1, -1)
            by_start = np.lexsort((rows[first], ts[rows[first]]))
        else:
            rows = rows.astype(np.int64, copy=False)
            first_row = K.group_min(codes, rows, uniques.size)
            met = first_row.size and first_row[-1] < np.iinfo(np.int64).max
            if met and K.is_sorted(first_row):
                # every key is met and keys are numbered by first appearance (as
                # factorize and the regex path number them): sessions are the codes
                by_start = sess_key = sess = None
            else:
                by_key = K.group_pairs(codes, uniques.size)[1]  # stable counting sort
                sess, sess_key, status = K.split_sessions(codes, ts, by_key, -1)
                _check(status, "session")
                first_row = K.group_min(sess, rows, sess_key.size)
                by_start = np.argsort(first_row, kind="stable")
        if by_start is None:
            win, keys = codes, uniques
        else:
            rank = np.empty_like(by_start)
            rank[by_start] = np.arange(by_start.size)
            win = rank[sess] if sess.size else sess
            keys = uniques[sess_key[by_start]]
        n_windows = keys.size

    # drop small windows
    n_events = np.bincount(win, minlength=n_windows)
    if min_events > 0 and n_windows and not np.all(keep := n_events >= min_events):
        new_id = np.cumsum(keep) - 1
        member = keep[win]
        win, rows = new_id[win[member]], rows[member]
        bounds = None if bounds is None else (bounds[0][keep], bounds[1][keep])
        keys = None if keys is None else keys[keep]
        n_windows = int(keep.sum())
        n_events = n_events[keep]

    if K.is_sorted(win) and (win.size == 0 or win[0] >= 0):  # grouped already (time windows)
        offsets = np.zeros(n_windows + 1, np.int64)
        np.cumsum(n_events, out=offsets[1:])
        member_rows = rows
    else:
        offsets, perm, status = K.group_pairs(win, n_windows)
        _check(status, "grouping")
        member_rows = rows[perm]

    # event ids and vocabulary
    values = _event_values(col, member_rows)
    if vocabulary is None:
        vocab, codes = _vocabulary(values, col)
    else:
        if isinstance(vocabulary, Windows):
            vocab = vocabulary.vocabulary
            vocab = vocab[:-1] if vocabulary.unseen_column else vocab
        else:
            vocab = np.asarray(vocabulary)
        codes = np.asarray(pd.Index(vocab).get_indexer(values), dtype=np.int64)
    unseen_at = np.flatnonzero(codes < 0)
    if unseen_at.size:
        n_unseen = np.bincount(np.searchsorted(offsets, unseen_at, side="right") - 1,
                               minlength=n_windows)  # fmt: skip
    else:
        n_unseen = np.zeros(n_windows, np.int64)
    n_codes = vocab.size
    if vocabulary is not None and unseen == "column":
        codes = np.where(codes < 0, n_codes, codes)
        vocab = np.append(vocab.astype(object) if vocab.dtype.kind == "O" else vocab, UNSEEN)
        n_codes += 1
    # memberships are grouped by window already: count them in place
    indptr, indices, data, status = K.window_counts(offsets, codes, 0, n_codes)
    _check(status, "counts")
    import scipy.sparse as sp  # imported here: ``import llamalog`` stays light

    counts = sp.csr_matrix((data, indices, indptr), shape=(n_windows, n_codes))

    index = _index(member_rows, offsets, ts, tz, bounds, keys, n_unseen)
    return Windows(
        counts=counts,
        index=index,
        vocabulary=vocab,
        sequence_values=values,
        sequence_offsets=offsets,
        member_rows=member_rows,
        dropped=dropped,
        unseen_column=vocabulary is not None and unseen == "column",
    )


def _check_unique_columns(frame: pd.DataFrame, *names: str | None) -> None:
    """A clear error when a column windows() reads appears more than once."""
    columns = frame.columns
    if columns.is_unique:
        return
    for name in names:
        if name is not None and (n := int((columns == name).sum())) > 1:
            raise SchemaError(
                f"the frame has {n} columns named {name!r}; drop or rename the copies first, "
                "e.g. frame.loc[:, ~frame.columns.duplicated()]"
            )


def _column_values(frame: pd.DataFrame, name: str) -> object:
    """A column's array without building a Series, which deep-copies the frame's
    ``attrs``: measured after a pandas groupby, two columns cost 0.33 ms the public way
    and 0.11 ms through pandas' own accessor (used where it exists)."""
    loc = frame.columns.get_loc(name)
    getter = getattr(frame, "_get_column_array", None)
    if isinstance(loc, int) and getter is not None:
        return getter(loc)
    return frame[name].array


def _fixed_ordered(frame: pd.DataFrame, event: str, every: int) -> Windows | None:
    """Fixed windows of a frame in time order, without NaT and with non-negative
    integer event ids (the common case: a parsed log with template ids) in two
    parallel passes; None: not that case (the general path handles it)."""
    if event not in frame.columns or "timestamp" not in frame.columns or not len(frame):
        return None
    values = _column_values(frame, event)
    stamps = _column_values(frame, "timestamp")
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        values = values.to_numpy()
    if not isinstance(values, np.ndarray) or values.dtype.kind != "i":
        return None  # unsigned, nullable, categorical or other ids: the general path
    if not isinstance(stamps, pd.arrays.DatetimeArray):
        return None
    ts, tz = _stamps_ns(stamps)
    ascending, starts, offsets, top = K.ordered_fixed(ts, every, values)
    if not ascending:
        return None
    indptr, raw, data, status = K.window_id_counts(offsets, values, 4 * values.size + 1024, top)
    if status != K.OK:  # negative or sparse ids: the general path
        return None
    present = np.bincount(raw) > 0
    vocab = np.flatnonzero(present)
    indices = (np.cumsum(present) - 1)[raw]
    import scipy.sparse as sp

    n_windows = starts.size
    counts = sp.csr_matrix((data, indices, indptr), shape=(n_windows, vocab.size))
    bounds = (starts, starts + every)

    def index() -> pd.DataFrame:
        no_ts = np.empty(0, np.int64)  # the bounds are known: no frame data kept
        return _index(None, offsets, no_ts, tz, bounds, None, np.zeros(n_windows, np.int64))

    return Windows(
        counts=counts,
        index=index,
        vocabulary=vocab,
        sequence_values=values.astype(np.int64, copy=False),
        sequence_offsets=offsets,
        member_rows=None,
    )


def _sliding(
    ts_sorted: np.ndarray, size: int, step: int, keep_empty: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    starts, lo, hi, status = K.sliding_time(ts_sorted, size, step, keep_empty, MAX_WINDOWS)
    _check(status, "size/step")
    return starts, lo, hi


def _expand(lo: np.ndarray, hi: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Memberships (window, row) of windows holding ``rows[lo[w]:hi[w]]``."""
    lengths = hi - lo
    win = np.repeat(np.arange(lo.size, dtype=np.int64), lengths)
    starts = np.repeat(lo - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return win, rows[np.arange(win.size, dtype=np.int64) + starts]


def _event_values(col: pd.Series, rows: np.ndarray) -> np.ndarray:
    if not isinstance(col.dtype, pd.api.extensions.ExtensionDtype) and K.is_identity(
        rows, len(col)
    ):  # every row once, in order: no gather
        return col.to_numpy().astype(np.int64, copy=False)
    if isinstance(col.dtype, pd.CategoricalDtype):
        return np.asarray(col.cat.categories.to_numpy()[col.cat.codes.to_numpy()[rows]])
    if isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
        return col.to_numpy(dtype=np.int64, na_value=0)[rows]
    return col.to_numpy()[rows].astype(np.int64, copy=False)


def _vocabulary(values: np.ndarray, col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct event ids and each value's column (as unique + searchsorted).

    Small non-negative integer ids (template ids) take a counting pass instead of a
    sort: a presence table over ``0..max`` when that is not much longer than the data.
    """
    if values.size == 0:
        return _empty_vocab(col), np.zeros(0, dtype=np.int64)
    if values.dtype.kind in "iu":
        lo, hi = int(values.min()), int(values.max())
        if lo >= 0 and hi < 4 * values.size + 1024:
            present = np.bincount(values, minlength=hi + 1) > 0
            vocab = np.flatnonzero(present).astype(values.dtype)
            column = np.cumsum(present) - 1
            return vocab, column[values].astype(np.int64, copy=False)
    vocab = np.unique(values)
    return vocab, np.searchsorted(vocab, values).astype(np.int64)


def _empty_vocab(col: pd.Series) -> np.ndarray:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.categories.to_numpy()[:0]
    return np.empty(0, np.int64)


def _index(
    member_rows: np.ndarray | None,
    offsets: np.ndarray,
    ts: np.ndarray,
    tz: object,
    bounds: tuple[np.ndarray, np.ndarray] | None,
    keys: np.ndarray | None,
    n_unseen: np.ndarray,
) -> pd.DataFrame:
    n_windows = offsets.size - 1
    n_events = np.diff(offsets)
    if member_rows is None:  # memberships are the rows in order
        has = n_events > 0
        first = np.where(has, offsets[:-1], -1)
        last = np.where(has, offsets[1:] - 1, -1)
        start = end = np.empty(0, np.int64)
    else:
        first, last, start, end = K.window_extent(
            offsets, member_rows, ts if bounds is None else ts[:0]
        )
    if bounds is not None:
        start, end = bounds

    def stamps(ns: np.ndarray) -> pd.api.extensions.ExtensionArray:
        out = utc_datetimes(ns)
        return out.tz_convert(tz) if tz is not None and out.tz != tz else out

    return _frame_of(
        _INDEX_COLUMNS,
        keys is None,  # keys given may be objects whose dtype the public way infers
        [
            keys if keys is not None else np.arange(n_windows, dtype=np.int64),
            stamps(start),
            stamps(end),
            n_events.astype(np.int64),
            np.asarray(n_unseen, np.int64),
            first,
            last,
        ],
    )


_INDEX_COLUMNS = pd.Index(["key", "start", "end", "n_events", "n_unseen", "first_row", "last_row"])


def _frame_of(columns: pd.Index, typed: bool, arrays: list) -> pd.DataFrame:
    """A frame of equal-length new arrays, shared, not copied. When the arrays are all
    ``typed`` (numeric or datetime, nothing for pandas to infer), through pandas' own
    constructor from arrays where it exists: the public one infers the labels' dtype
    and checks the arrays again, 0.6 ms against 0.35 measured after a pandas groupby."""
    build = getattr(pd.DataFrame, "_from_arrays", None)
    if typed and build is not None:
        try:
            index = pd.RangeIndex(len(arrays[0]))
            return build(arrays, columns=columns.copy(), index=index, verify_integrity=False)
        except TypeError:
            pass
    return pd.DataFrame(dict(zip(columns, arrays, strict=True)), copy=False)
