"""Parse JSON-lines records (one JSON object per record) into typed Arrow columns.

Strategy
--------
Vectorised byte checks sort the records first. A record whose first non-blank byte is not
``{`` or whose last byte is not ``}`` (empty lines, plain text, ``[1, 2]``, ``42``) is not
an object: ``ok`` is False and the message is the raw record, with no parsing at all.
Other records with blanks at their ends, records with CR/LF inside, and records that may
nest deeper than 256 levels (pyarrow recurses per level and crashes on very deep input) go
to the *slow path*. The rest go to the *fast path*.

Fast path: :func:`pyarrow.json.read_json` (C++, several hundred thousand records per second
per core) reads blocks of about 1 MB joined with ``\\n``, single-threaded per block, on a
thread pool. Raw control characters, which pyarrow rejects inside strings, are escaped
first. Since every line starts with ``{`` and ends with ``}`` and a raw newline cannot
occur inside a JSON string, a line cannot run into the next one: a block is accepted when
it yields exactly one row per line. ``read_json`` fails a whole block on one bad line and
names the row; that line goes to the slow path and the lines around it are read again
(bisection when no row is named); a block with more than about one failure per 40 lines
goes to the slow path as a whole. A key whose values change kind between lines (number in
one, string in the next: pyarrow fails these) is renamed per kind with a regex over the
block text (``"k": "x"`` to ``"k\\u0000s": "x"``), read, and renamed back. Fields that pyarrow
infers as timestamps (dropping their time zone) are read again as strings, so that time
values stay raw text. Rows with NaN or infinite floats are checked for the non-standard
``Inf`` / ``-NaN``, which pyarrow accepts and the standard library does not.

Slow path: the standard library's JSON scanner (``json.loads(line, strict=False)``, so raw
control characters inside strings are accepted), about 150 thousand records per second.
Whatever path a line takes, it is valid exactly when ``json.loads(line, strict=False)``
returns a dict (objects nested too deep for Python's recursion limit count as invalid).

Typing rules (the same on both paths)
-------------------------------------
* nested objects are flattened to ``parent<sep>child`` names; ``null`` counts as missing;
* a column whose values are all booleans is ``bool``, all integers ``int64``, integers and
  floats ``float64``, all strings ``large_string``;
* integers outside the int64 range are read as floats (as pyarrow does);
* any other mixture is ``large_string`` holding each value's JSON text (``1``, ``1.5``,
  ``true``, ``[1,2]``; integral floats below 1e16 are written as integers, as pyarrow reads
  ``1`` and ``1.0`` alike); arrays become compact JSON text, re-serialised, so numbers
  inside them may be spelled differently (``[1.0,2.5]`` for ``[1, 2.5]``) and objects inside
  them may gain ``null`` members;
* when two keys flatten to the same name (a literal ``"a.b"`` key next to ``{"a": {"b": ..}}``)
  which value wins is unspecified; of duplicate keys in one object the last one wins.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from .._arrow import string_buffers
from ..errors import FormatError
from ._kernels import _count_brackets

__all__ = [
    "DEFAULT_LEVEL_KEYS",
    "DEFAULT_MESSAGE_KEYS",
    "DEFAULT_TIME_KEYS",
    "MAX_AUTO_FIELDS",
    "JsonHints",
    "JsonRecords",
    "parse_json_records",
    "sniff_json_lines",
]

#: Candidate message keys, in order of preference (matched case-insensitively): ``msg``
#: (pino, bunyan, zap, slog, MongoDB), ``MESSAGE`` (journald), ``log`` (Docker json-file),
#: ``event`` (structlog), ``short_message`` (GELF).
DEFAULT_MESSAGE_KEYS = (
    "message", "msg", "log", "text", "@message", "event", "short_message",
)  # fmt: skip
#: Candidate time keys, in order of preference (matched case-insensitively); a dotted
#: candidate is a nested key (MongoDB's ``{"t": {"$date": ...}}``). ``ts``: zap,
#: ``asctime``: python-json-logger, ``__REALTIME_TIMESTAMP``: journald (microseconds).
DEFAULT_TIME_KEYS = (
    "timestamp", "time", "@timestamp", "ts", "date", "datetime", "asctime", "t", "t.$date",
    "__realtime_timestamp",
)  # fmt: skip
#: Candidate level keys, in order of preference (matched case-insensitively):
#: ``levelname`` (python-json-logger), ``error_severity`` (PostgreSQL jsonlog),
#: ``priority`` (journald's ``PRIORITY``, syslog numbers). MongoDB's ``s`` counts too, when
#: no other is present and its values are all MongoDB severities (see
#: :data:`MONGODB_SEVERITIES`).
DEFAULT_LEVEL_KEYS = (
    "level", "severity", "loglevel", "log_level", "levelname", "lvl", "error_severity",
    "priority",
)  # fmt: skip
#: The values of MongoDB's ``s`` key (fatal, error, warning, info, debug 1-5).
MONGODB_SEVERITIES = frozenset({"F", "E", "W", "I", "D", "D1", "D2", "D3", "D4", "D5"})
#: pino and bunyan's numeric levels (a numeric level key with only these values, or
#: others between 10 and 60, reads as pino levels; with values 0-7 only, as syslog).
PINO_LEVELS = frozenset({10, 20, 30, 40, 50, 60})
#: At most this many columns are extracted when ``fields`` is None.
MAX_AUTO_FIELDS = 64

# Tuning knobs (module constants so that tests can force one path or the other).
# fewer bytes of fast candidates than this: parse everything with json.loads. A
# read_json call costs 0.8-1.2 ms however small its input, json.loads 3-15 us a line:
# json.loads was faster up to about 31 KB of wide records (10 keys) and 75 KB of narrow
# ones (5 keys); benchmarks/bench_jsonl.py, second table
_MIN_FAST_BYTES = 32 * 1024
_BLOCK_BYTES = 1 << 20  # bytes of text per read_json call
_SLOW_RANGE = 32  # after a failure, a range this short goes to json.loads as a whole
_MIN_FAILS = 8  # failures tolerated per block before the _LINES_PER_FAIL rule applies
_LINES_PER_FAIL = 40  # fewer good lines per failure than this: the rest of the block goes slow
_MAX_SPLIT = 32  # at most this many keys are renamed by the kind of their value
_MAX_READ = (1 << 31) - 64  # read_json's block_size is a 32-bit integer
_MAX_FAST_DEPTH = 256  # lines possibly nested deeper than this are parsed by json.loads

_INTEGRAL_LIMIT = 1e16  # integral floats below this are written as integers in text
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_ROW_RE = re.compile(r"in row (\d+)")
_COLUMN_RE = re.compile(r"Column\(([^)]*)\)")
_CONFLICT_RE = re.compile(r"Column\((/[^)]*)\) changed from \w+ to (\w+)")
_MARK_RE = re.compile("\x00.", re.DOTALL)
_NONSTANDARD_RE = re.compile(rb"-NaN|Inf(?!inity)")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
_SCAN = json.JSONDecoder(strict=False).scan_once
_SPACE_CHARS = " \t\n\r"

_TEXT = pa.large_string()
_JSON_SPACE = np.array([0x20, 0x09, 0x0A, 0x0D], np.uint8)
#: Byte -> is it JSON whitespace (a table lookup costs a fraction of ``np.isin``).
_IS_JSON_SPACE = np.zeros(256, bool)
_IS_JSON_SPACE[_JSON_SPACE] = True


@dataclass
class JsonHints:
    """What parsing one block of a stream learnt that the next block can reuse.

    ``strings`` is the struct of fields pyarrow must read as strings, because it would
    infer timestamps from them: without it, each call read its first range twice (about
    a tenth of a large read). A wrong hint costs time, never rows: a range it does not
    fit is read again without it.
    """

    strings: pa.DataType | None = None


@dataclass
class JsonRecords:
    """Columns extracted from JSON-lines records, one element per input record.

    Attributes
    ----------
    columns : dict of str to pyarrow.Array
        One array per extracted field, named by its flattened path. Homogeneous booleans,
        integers and floats keep an Arrow numeric type, everything else is ``large_string``;
        missing values are null.
    message : pyarrow.LargeStringArray
        The message value as text; the raw record where the record is not a JSON object,
        has no message key, or its message is null or an object.
    time : pyarrow.Array
        The raw time value: ``large_string``, ``int64`` or ``float64``; null where absent.
    level : pyarrow.LargeStringArray
        The level value as text; null where absent.
    ok : numpy.ndarray of bool
        True where the record parsed as a JSON object.
    keys : dict of str to str or None
        The key used for ``"message"``, ``"time"`` and ``"level"`` (None: none found).
    dropped : tuple of str
        Fields left out because of the :data:`MAX_AUTO_FIELDS` cap, most frequent first.
    level_rule : str or None
        How the level values read, when they are numbers: ``"pino"`` (10 trace ... 60
        fatal, see :data:`PINO_LEVELS`) or ``"syslog"`` (0-7); a key of
        ``llamalog.parse.levels.DERIVED_LEVELS``. None: level names.
    """

    columns: dict[str, pa.Array]
    message: pa.LargeStringArray
    time: pa.Array
    level: pa.LargeStringArray
    ok: np.ndarray
    keys: dict[str, str | None]
    dropped: tuple[str, ...] = field(default=())
    level_rule: str | None = None

    def __len__(self) -> int:
        return len(self.message)


# ----------------------------------------------------------------------------- arguments


def _as_large_string(lines: Any) -> pa.LargeStringArray:
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks() if lines.num_chunks else pa.array([], lines.type)
    if not isinstance(lines, pa.Array):
        raise FormatError(
            f"lines must be a pyarrow string array, got {type(lines).__name__}; "
            "wrap a list of str with pyarrow.array(lines, pyarrow.large_string())"
        )
    if pa.types.is_large_string(lines.type):
        return lines
    if pa.types.is_string(lines.type) or pa.types.is_null(lines.type):
        return lines.cast(_TEXT)
    if pa.types.is_string_view(lines.type):
        return lines.cast(_TEXT)
    raise FormatError(
        f"lines must be a pyarrow string array, got an array of type {lines.type}; "
        "decode the records to text first (pyarrow.compute.cast(arr, pyarrow.large_string()))"
    )


def _key_arg(value: Any, name: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        if not value:
            raise FormatError(f"{name} is an empty string; pass a key name or None for auto")
        return (value,)
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        keys = tuple(value)
        if keys and all(isinstance(k, str) and k for k in keys):
            return keys
    raise FormatError(
        f"{name} must be None (auto), a key name or a non-empty sequence of key names, "
        f"got {value!r}"
    )


def _fields_arg(fields: Any) -> list[str] | None:
    if fields is None:
        return None
    if isinstance(fields, str) or not isinstance(fields, Sequence):
        raise FormatError(
            f"fields must be None (all scalar keys) or a sequence of key names such as "
            f'["user", "ctx.request_id"], got {fields!r}'
        )
    out = list(fields)
    bad = [f for f in out if not isinstance(f, str) or not f]
    if bad:
        raise FormatError(f"fields must hold non-empty str key names, got {bad[:3]!r}")
    return list(dict.fromkeys(out))


# ----------------------------------------------------------------------------- fast path


def _classify(arr: pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks of fast candidates, of lines holding control bytes, and of slow candidates."""
    n = len(arr)
    offs, data = string_buffers(arr)
    starts, ends = offs[:-1], offs[1:]
    valid = np.ones(n, bool) if arr.null_count == 0 else ~arr.is_null().to_numpy(False)
    nonempty = (ends > starts) & valid
    first = np.zeros(n, np.uint8)
    last = np.zeros(n, np.uint8)
    if data.size:
        first[nonempty] = data[starts[nonempty]]
        last[nonempty] = data[ends[nonempty] - 1]
    fast = (first == ord("{")) & (last == ord("}"))
    blank_start = ((first == ord(" ")) | (first == ord("\t"))) & (last == ord("}"))
    for i in np.flatnonzero(blank_start):
        fast[i] = bytes(data[starts[i] : ends[i]]).lstrip(b" \t").startswith(b"{")
    fast &= valid
    ctrl = np.zeros(n, bool)
    # whitespace at either end (the reader strips it, but not every caller does)
    slow = _IS_JSON_SPACE[first] | _IS_JSON_SPACE[last]
    region = data[int(offs[0]) : int(offs[-1])] if n else data[:0]
    if region.size and int(region.min()) < 0x20:
        pos = np.flatnonzero(region < 0x20) + int(offs[0])
        ctrl[np.searchsorted(offs, pos, side="right") - 1] = True
        ctrl &= valid
        # not shaped like an object, but a CR or LF inside may hide a multi-line one
        byte = data[pos]
        pos = pos[(byte == 0x0A) | (byte == 0x0D)]
        slow[np.searchsorted(offs, pos, side="right") - 1] = True
    long_rows = np.flatnonzero(fast & (ends - starts > 2 * _MAX_FAST_DEPTH))
    if len(long_rows):
        # pyarrow recurses once per nesting level (and crashes on very deep input): lines
        # that may nest deeper than _MAX_FAST_DEPTH go to json.loads
        # (counted in those lines alone: a scan of the whole block took 15 ms per 8 MB)
        counts = _count_brackets(data, starts[long_rows], ends[long_rows])
        deep = long_rows[counts > _MAX_FAST_DEPTH]
        fast[deep] = False
        slow[deep] = True
    slow &= valid & ~fast
    return fast, ctrl & fast, slow


#: JSON escapes for the control characters, which pyarrow rejects inside strings.
_CONTROL_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
}


def _escape_controls(cand: pa.LargeStringArray, mask: np.ndarray) -> pa.LargeStringArray:
    """Escape raw control characters in the masked lines.

    Inside a string this gives the value ``json.loads(strict=False)`` reads; between tokens
    it makes the line invalid for pyarrow, so that the slow path decides it.
    """
    sub = cand.filter(pa.array(mask))
    offs, data = string_buffers(sub)
    region = data[int(offs[0]) : int(offs[-1])]
    for code in np.flatnonzero(np.bincount(region[region < 0x20], minlength=0x20)):
        sub = pc.replace_substring(sub, chr(code), _CONTROL_ESCAPES[int(code)])
    return pc.replace_with_mask(cand, pa.array(mask), sub)


def _prune_timestamps(typ: pa.DataType) -> pa.DataType | None:
    """The part of ``typ`` that holds timestamps, with timestamps turned into strings."""
    if pa.types.is_timestamp(typ) or pa.types.is_date(typ) or pa.types.is_time(typ):
        return pa.string()
    if pa.types.is_struct(typ):
        kept = [(f.name, _prune_timestamps(f.type)) for f in typ]
        kept = [(name, t) for name, t in kept if t is not None]
        return pa.struct(kept) if kept else None
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        inner = _prune_timestamps(typ.value_type)
        return pa.list_(inner) if inner is not None else None
    return None


def _merge_types(a: pa.DataType, b: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(a) and pa.types.is_struct(b):
        merged = {f.name: f.type for f in a}
        for f in b:
            merged[f.name] = _merge_types(merged[f.name], f.type) if f.name in merged else f.type
        return pa.struct(list(merged.items()))
    if pa.types.is_list(a) and pa.types.is_list(b):
        return pa.list_(_merge_types(a.value_type, b.value_type))
    return a


def _has_nonfinite(arr: pa.Array) -> np.ndarray | None:
    """Rows of ``arr`` that hold a NaN or infinite float anywhere inside (None: none)."""
    typ = arr.type
    if pa.types.is_floating(typ):
        bad = pc.fill_null(pc.or_(pc.is_nan(arr), pc.is_inf(arr)), False)
        return bad.to_numpy(zero_copy_only=False) if pc.any(bad).as_py() else None
    if pa.types.is_struct(typ):
        mask = None
        for child in arr.flatten():
            sub = _has_nonfinite(child)
            if sub is not None:
                mask = sub if mask is None else mask | sub
        return mask
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        sub = _has_nonfinite(arr.flatten())
        if sub is None:
            return None
        parents = pc.list_parent_indices(arr).to_numpy()
        mask = np.zeros(len(arr), bool)
        mask[parents[sub]] = True
        return mask
    return None


def _may_hold_floats(typ: pa.DataType) -> bool:
    if pa.types.is_floating(typ):
        return True
    if pa.types.is_struct(typ):
        return any(_may_hold_floats(f.type) for f in typ)
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return _may_hold_floats(typ.value_type)
    return False


#: For each kind named in pyarrow's "changed from X to Y" errors: the regex matching the
#: first character of such a value (after the key, colon and blanks), and the replacement
#: key suffix (``\1`` repeats the character).
_KIND_RENAMES = {
    "string": ('"', "s", '"'),
    "number": ("([-0-9NI])", "n", "\\1"),
    "boolean": ("([tf])", "b", "\\1"),
    "object": ("\\{", "o", "{"),
    "array": ("\\[", "a", "["),
}


def _key_pattern(key: str) -> tuple[str, str]:
    """RE2 pattern of ``"key":`` (with blanks around the colon) and its escaped spelling."""
    enc = json.dumps(key, ensure_ascii=False)[1:-1]
    pat = re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", enc)
    return f'"{pat}"[ \\t]*:[ \\t]*', enc.replace("\\", "\\\\")


def _split_patterns(key: str, kinds: Sequence[str]) -> list[tuple[str, str]]:
    r"""RE2 (pattern, replacement) pairs renaming ``key`` where its value is of ``kinds``.

    With ``kinds=["string"]``, ``"k": "x"`` becomes ``"k\u0000s":"x"`` (numbers get ``\u0000n``,
    booleans ``\u0000b``, objects ``\u0000o``, arrays ``\u0000a``): each name then holds one
    kind only and pyarrow reads it; :data:`_MARK_RE` restores the names afterwards. A match
    of ``"k"`` followed by ``:`` always ends a key (an unescaped quote closes a string), so
    renaming never touches values; at worst it renames a longer key ending in ``\"k``,
    which is restored the same way.
    """
    pattern, rep = _key_pattern(key)
    out = []
    for kind in kinds:
        first, suffix, again = _KIND_RENAMES[kind]
        out.append((pattern + first, f'"{rep}\\\\u0000{suffix}":{again}'))
    return out


def _only_buffer(arr: pa.LargeStringArray) -> pa.Buffer:
    """The bytes of the single string in ``arr``, without a copy."""
    start, end = np.frombuffer(arr.buffers()[1], np.int64, 2, arr.offset * 8).tolist()
    return arr.buffers()[2].slice(start, end - start)


class _FastReader:
    """Reads ranges of fast candidates with pyarrow.json, splitting around bad lines."""

    def __init__(self, cand: pa.LargeStringArray, forced: pa.DataType | None = None) -> None:
        self.cand = cand
        self.offs, self.data = string_buffers(cand)
        # line k and the newline after it end at ends[k] of the "\n"-joined text
        self.ends = self.offs[1:] - self.offs[0] + np.arange(1, len(cand) + 1, dtype=np.int64)
        self.forced: pa.DataType | None = forced  # struct of fields read as strings
        # keys whose values change kind between lines, and the kinds renamed
        self.split: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def _attempt(self, buf: pa.Buffer, forced: pa.DataType | None) -> pa.Table | str:
        read_options = pajson.ReadOptions(use_threads=False, block_size=max(buf.size + 1, 1024))
        parse_options = None
        if forced is not None:
            parse_options = pajson.ParseOptions(
                explicit_schema=pa.schema(list(forced)), unexpected_field_behavior="infer"
            )
        try:
            return pajson.read_json(
                pa.BufferReader(buf), read_options=read_options, parse_options=parse_options
            )
        except (pa.ArrowException, ValueError, OverflowError, MemoryError) as exc:
            return str(exc) or type(exc).__name__

    def _rename(self, buf: pa.Buffer, split: tuple[tuple[str, tuple[str, ...]], ...]) -> pa.Buffer:
        text = pa.LargeStringArray.from_buffers(
            1, pa.py_buffer(np.array([0, buf.size], np.int64)), buf
        )
        for key, kinds in split:
            for pattern, replacement in _split_patterns(key, kinds):
                text = pc.replace_substring_regex(text, pattern=pattern, replacement=replacement)
        return _only_buffer(text)

    def repeated(self, lo: int, hi: int, keys: Sequence[str]) -> list[int]:
        """Lines in [lo, hi) where one of ``keys`` occurs more than once.

        Renaming by kind would hide a duplicate key of another kind in the same object
        (``{"k": 1, "k": "x"}``, which pyarrow rejects and json.loads reads as ``"x"``), so
        such lines go to the slow path, and so do, needlessly, lines with the key at several
        levels.
        """
        lines = self.cand[lo:hi]
        mask = np.zeros(hi - lo, bool)
        for key in keys:
            counts = pc.count_substring_regex(lines, pattern=_key_pattern(key)[0])
            mask |= counts.to_numpy(zero_copy_only=False) > 1
        return (np.flatnonzero(mask) + lo).tolist()

    def read(
        self, lo: int, hi: int, split: tuple[tuple[str, tuple[str, ...]], ...]
    ) -> tuple[pa.Table | str, tuple[tuple[str, tuple[str, ...]], ...]]:
        """Read lines [lo, hi) renaming ``split``: a table or the error message, and ``split``."""
        # joined block by block: a small buffer reused by the memory pool is faster to fill
        # than one buffer for everything, and needs less memory
        joined = pc.binary_join(
            pa.LargeListArray.from_arrays(pa.array([0, hi - lo], pa.int64()), self.cand[lo:hi]),
            pa.scalar("\n", _TEXT),
        )
        buf = _only_buffer(joined)
        if split:
            try:
                buf = self._rename(buf, split)
            except (pa.ArrowException, ValueError) as exc:
                return str(exc) or type(exc).__name__, split
        forced = self.forced
        result = self._attempt(buf, forced)
        if isinstance(result, str) and forced is not None:
            col = _COLUMN_RE.search(result)
            top = col.group(1).split("/")[1] if col and col.group(1).count("/") else None
            if top is not None and top in forced.names:
                # a field read as string elsewhere may hold another kind here: infer afresh
                result = self._attempt(buf, None)
        if isinstance(result, str):
            return result, split
        pruned = _prune_timestamps(pa.struct(list(result.schema)))
        if pruned is None:
            return result, split
        with self._lock:
            merged = pruned if self.forced is None else _merge_types(self.forced, pruned)
            self.forced = merged
        local = pruned if forced is None else _merge_types(forced, pruned)
        again = self._attempt(buf, local)
        if isinstance(again, str) or _prune_timestamps(pa.struct(list(again.schema))):
            return "timestamp fields could not be read as strings", split
        return again, split

    def _nonstandard(self, a: int, table: pa.Table) -> list[int]:
        """Lines of ``table`` (read from line ``a`` on) that may spell ``Inf`` or ``-NaN``.

        pyarrow accepts these, json.loads does not; only rows holding a non-finite float
        are looked at, and their text is searched (a hit inside a string is harmless).
        """
        if not any(_may_hold_floats(t) for t in table.schema.types):
            return []
        mask = None
        for col in table.columns:
            sub = _has_nonfinite(col.combine_chunks())
            if sub is not None:
                mask = sub if mask is None else mask | sub
        if mask is None:
            return []
        bad = []
        for k in (np.flatnonzero(mask) + a).tolist():
            text = self.data[self.offs[k] : self.offs[k + 1]].tobytes()
            if _NONSTANDARD_RE.search(text) is not None:
                bad.append(k)
        return bad

    def process_safely(
        self, lo: int, hi: int
    ) -> tuple[list[tuple[np.ndarray, pa.Table]], list[int]]:
        """:meth:`process`, falling back to the slow path should pyarrow misbehave."""
        try:
            return self.process(lo, hi)
        except Exception:  # the slow path decides every line anyway: never fail the call
            return [], list(range(lo, hi))

    def process(self, lo: int, hi: int) -> tuple[list[tuple[np.ndarray, pa.Table]], list[int]]:
        """Parse lines [lo, hi): accepted (line positions, table) pairs and slow lines."""
        good: list[tuple[np.ndarray, pa.Table]] = []
        slow: list[int] = []
        # (first line, end line, renaming wanted, keys whose repetitions were looked for)
        stack: list[tuple[int, int, bool, tuple[str, ...]]] = [(lo, hi, False, ())]
        fails = accepted = 0
        while stack:
            a, b, rename, checked = stack.pop()
            if b <= a:
                continue
            nbytes = int(self.offs[b] - self.offs[a])
            # a failure costs two read_json calls (~0.2 ms, json.loads of ~50 lines): when
            # failures come more often than one per _LINES_PER_FAIL lines, go slow
            give_up = fails >= _MIN_FAILS and accepted < _LINES_PER_FAIL * fails
            if give_up or (fails and b - a < _SLOW_RANGE) or (b - a == 1 and nbytes > _MAX_READ):
                slow.extend(range(a, b))
                continue
            if nbytes > _MAX_READ:
                mid = (a + b) // 2
                stack += [(mid, b, rename, checked), (a, mid, rename, checked)]
                continue
            split = tuple(self.split.items()) if rename else ()
            unchecked = [k for k, _ in split if k not in checked]
            checked = tuple(k for k, _ in split) if rename else checked
            if unchecked:
                repeated = self.repeated(a, b, unchecked)
                if repeated:
                    slow.extend(repeated)
                    edges = [a - 1, *repeated, b]
                    stack.extend((x + 1, y, True, checked) for x, y in itertools.pairwise(edges))
                    continue
            result, split = self.read(a, b, split)
            if isinstance(result, pa.Table) and result.num_rows == b - a:
                bad = self._nonstandard(a, result)
                if not bad:
                    good.append((np.arange(a, b, dtype=np.int64), result))
                    accepted += b - a
                    continue
                # the bad lines go slow, the others are read again (their types may differ)
                slow.extend(bad)
                edges = [a - 1, *bad, b]
                stack.extend((x + 1, y, rename, checked) for x, y in itertools.pairwise(edges))
                continue
            if isinstance(result, str):
                conflict = _CONFLICT_RE.search(result)
                key = conflict.group(1).rsplit("/", 1)[-1] if conflict else ""
                kind = conflict.group(2) if conflict else ""
                if (
                    key not in ("", "[]")
                    and kind in _KIND_RENAMES
                    and kind not in dict(split).get(key, ())
                    and (key in self.split or len(self.split) < _MAX_SPLIT)
                ):
                    # a key whose value changes kind between lines: rename it where it holds
                    # the new kind (a regex pass, so ranges without conflicts go without)
                    with self._lock:
                        kinds = self.split.get(key, ())
                        if kind not in kinds:
                            self.split = {**self.split, key: (*kinds, kind)}
                    stack.append((a, b, True, checked))
                    continue
            fails += 1
            if b - a == 1:
                slow.append(a)
                continue
            hint = _ROW_RE.search(result) if isinstance(result, str) else None
            r = int(hint.group(1)) if hint else -1
            if not 0 <= r < b - a:
                mid = (a + b) // 2
                stack += [(mid, b, rename, checked), (a, mid, rename, checked)]
            else:
                # line r goes to the slow path, the lines around it are read again
                slow.append(a + r)
                stack += [(a + r + 1, b, rename, checked), (a, a + r, rename, checked)]
        return good, slow


def _fast_path(
    arr: pa.LargeStringArray, fast_idx: np.ndarray, ctrl: np.ndarray, hints: JsonHints | None
) -> tuple[list[tuple[np.ndarray, pa.Table]], list[int]]:
    cand = arr if len(fast_idx) == len(arr) else arr.take(pa.array(fast_idx))
    if ctrl.any():
        cand = _escape_controls(cand, ctrl[fast_idx])
    reader = _FastReader(cand, hints.strings if hints is not None else None)
    m = len(cand)
    total = int(reader.ends[-1])
    marks = np.arange(_BLOCK_BYTES, total, _BLOCK_BYTES)
    cuts = np.unique(np.concatenate([[0], np.searchsorted(reader.ends, marks, "left") + 1, [m]]))
    cuts = np.clip(cuts, 0, m)
    blocks = [(int(a), int(b)) for a, b in itertools.pairwise(cuts) if b > a]
    workers = max(1, min(pa.cpu_count(), len(blocks), 8))
    if workers == 1:
        results = [reader.process_safely(a, b) for a, b in blocks]
    else:
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(lambda ab: reader.process_safely(*ab), blocks))
    if hints is not None:
        hints.strings = reader.forced
    good: list[tuple[np.ndarray, pa.Table]] = []
    slow: list[int] = []
    for g, s in results:
        good.extend((fast_idx[rows], table) for rows, table in g)
        slow.extend(fast_idx[s].tolist() if s else [])
    return good, slow


# ----------------------------------------------------------------------------- slow path


def _clean(value: Any) -> Any:
    """Replace lone surrogates (from ``\\ud800`` escapes) so that Arrow can encode text."""
    if isinstance(value, str):
        return _SURROGATE_RE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _int_to_float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _load_object(text: str) -> dict[str, Any] | None:
    """``json.loads(text, strict=False)`` when that gives a dict, else None."""
    start = 0
    if text[:1] in _SPACE_CHARS:
        start = len(text) - len(text.lstrip(_SPACE_CHARS))
    if text[start : start + 1] != "{":
        return None
    try:
        obj, end = _SCAN(text, start)  # the C scanner behind json.loads, minus its wrapper
    except (ValueError, RecursionError, StopIteration):
        return None
    if end != len(text) and text[end:].strip(_SPACE_CHARS):
        return None
    if _SURROGATE_ESCAPE_RE.search(text) is not None:
        obj = _clean(obj)
    return obj


class _ListText(str):
    """JSON text of an array value (a str subclass, so that its kind stays known)."""

    __slots__ = ()


def _flatten_obj(obj: dict[str, Any], prefix: str, sep: str, out: dict[str, Any]) -> None:
    """Flatten nested objects into ``out`` as ``parent<sep>child`` names, dropping nulls."""
    for key, value in obj.items():
        kind = type(value)
        if kind is str or kind is float or kind is bool:
            out[prefix + key] = value
        elif kind is int:
            out[prefix + key] = value if _INT64_MIN <= value <= _INT64_MAX else _int_to_float(value)
        elif kind is dict:
            _flatten_obj(value, prefix + key + sep, sep, out)
        elif kind is list:
            out[prefix + key] = _ListText(_json_text(value))


def _json_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return _float_text(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _float_text(value: float) -> str:
    """A float as text: integral values below 1e16 as integers (pyarrow reads ``1`` and
    ``1.0`` alike), others as ``repr`` does, non-finite ones as JSON spells them."""
    if math.isfinite(value):
        if value.is_integer() and abs(value) < _INTEGRAL_LIMIT:
            return str(int(value))
        return repr(value)
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _py_piece(values: list[Any]) -> tuple[str, pa.Array]:
    """Arrow array and kind for one column of Python values from the slow path."""
    types = {type(v) for v in values if v is not None}
    if not types:
        return "null", pa.nulls(len(values), _TEXT)
    if types == {bool}:
        return "bool", pa.array(values, pa.bool_())
    if types == {int}:
        return "int", pa.array(values, pa.int64())
    if types <= {int, float}:
        return "float", pa.array([None if v is None else float(v) for v in values], pa.float64())
    if types == {str}:
        return "str", pa.array(values, _TEXT)
    kind = "list" if types == {_ListText} else "text"
    return kind, pa.array([None if v is None else _json_text(v) for v in values], _TEXT)


# ----------------------------------------------------------------------------- assembly


def _kind_of(typ: pa.DataType) -> str:
    if pa.types.is_null(typ):
        return "null"
    if pa.types.is_boolean(typ):
        return "bool"
    if pa.types.is_integer(typ):
        return "int"
    if pa.types.is_floating(typ):
        return "float"
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return "str"
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return "list"
    return "text"


def _final_kind(kinds: set[str]) -> str:
    kinds = kinds - {"null"}
    if not kinds:
        return "null"
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds <= {"int", "float"}:
        return "float"
    return "text"


_KIND_TYPES = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64()}


def _to_text(kind: str, arr: pa.Array) -> pa.Array:
    if kind == "null":
        return pa.nulls(len(arr), _TEXT)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr.cast(_TEXT)
    if kind == "int":
        return arr.cast(_TEXT)
    if kind == "bool":
        return pc.if_else(arr, pa.scalar("true", _TEXT), pa.scalar("false", _TEXT))
    if kind == "float":
        values = pc.fill_null(arr, 0.0).to_numpy(zero_copy_only=False)
        texts = list(map(float.__repr__, values.tolist()))
        with np.errstate(invalid="ignore"):
            integral = (np.abs(values) < _INTEGRAL_LIMIT) & (np.floor(values) == values)
        for i, whole in zip(
            np.flatnonzero(integral).tolist(),
            values[integral].astype(np.int64).tolist(),
            strict=True,
        ):
            texts[i] = str(whole)
        if not pc.all(pc.is_finite(arr)).as_py():
            texts = [t if t[-1].isdigit() else _float_text(float(t)) for t in texts]
        return pa.array(texts, _TEXT, mask=arr.is_null().to_numpy(zero_copy_only=False))
    values = arr.to_pylist()
    if "\x00" in str(arr.type):  # objects inside arrays with keys renamed by kind
        values = _unmark(values)
    return pa.array([None if v is None else _json_text(v) for v in values], _TEXT)


def _unmark(value: Any) -> Any:
    """Restore keys renamed by kind (see :func:`_split_patterns`) in values from arrays."""
    if isinstance(value, list):
        return [_unmark(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _MARK_RE.sub("", key)
        if item is not None or out.get(name) is None:
            out[name] = _unmark(item)
    return out


def _convert(kind: str, arr: pa.Array, final: str) -> pa.Array:
    if final in ("str", "list", "text", "null"):
        return _to_text(kind, arr)
    if kind == "null":
        return pa.nulls(len(arr), _KIND_TYPES[final])
    return pc.cast(arr, _KIND_TYPES[final], safe=False)  # int64 -> float64 may round


class _Units:
    """Parsed rows grouped in units (one per accepted block, one for the slow path)."""

    def __init__(self, n: int, sep: str) -> None:
        self.n = n
        self.sep = sep
        self.rows: list[np.ndarray] = []
        self.pieces: list[dict[str, tuple[str, pa.Array]]] = []
        self.counts: dict[str, int] = {}
        self.scalar: set[str] = set()  # names holding at least one non-array value
        self.top: set[str] = set()  # names of top-level keys

    def _note(self, name: str, kind: str, count: int, top: bool) -> None:
        self.counts[name] = self.counts.get(name, 0) + count
        if kind not in ("list", "null") and count:
            self.scalar.add(name)
        if top:
            self.top.add(name)

    def add_table(self, rows: np.ndarray, table: pa.Table) -> None:
        pieces: dict[str, tuple[str, pa.Array]] = {}
        top: set[str] = set()
        stack = [(f.name, col, True) for f, col in zip(table.schema, table.columns, strict=True)]
        stack.reverse()
        while stack:
            name, col, is_top = stack.pop()
            if pa.types.is_struct(col.type):
                children = col.flatten()
                stack.extend(
                    (name + self.sep + f.name, child, False)
                    for f, child in reversed(list(zip(col.type, children, strict=True)))
                )
                continue
            arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
            kind = _kind_of(arr.type)
            if "\x00" in name:
                name = _MARK_RE.sub("", name)  # a key renamed by the kind of its value
            if is_top:
                top.add(name)
            if name in pieces:
                old_kind, old = pieces[name]
                if kind == "null":
                    continue
                if old_kind != "null":
                    final = _final_kind({kind, old_kind})
                    arr = pc.coalesce(_convert(kind, arr, final), _convert(old_kind, old, final))
                    kind = final
            pieces[name] = (kind, arr)
        for name, (kind, arr) in pieces.items():
            self._note(name, kind, len(arr) - arr.null_count, name in top)
        self.rows.append(rows)
        self.pieces.append(pieces)

    def add_objects(self, rows: list[int], flat_rows: list[dict[str, Any]], top: set[str]) -> None:
        names: dict[str, None] = {}
        for flat in flat_rows:
            names.update(dict.fromkeys(flat))
        pieces: dict[str, tuple[str, pa.Array]] = {}
        for name in names:
            kind, arr = _py_piece([flat.get(name) for flat in flat_rows])
            pieces[name] = (kind, arr)
            self._note(name, kind, len(arr) - arr.null_count, name in top)
        self.rows.append(np.asarray(rows, dtype=np.int64))
        self.pieces.append(pieces)

    def finish(self) -> None:
        """Sort units by first row and compute the row -> position map."""
        order = sorted(range(len(self.rows)), key=lambda i: int(self.rows[i][0]))
        self.rows = [self.rows[i] for i in order]
        self.pieces = [self.pieces[i] for i in order]
        all_rows = np.concatenate(self.rows) if self.rows else np.empty(0, np.int64)
        self.total = len(all_rows)
        self.pos = np.full(self.n, -1, dtype=np.int64)
        self.pos[all_rows] = np.arange(self.total, dtype=np.int64)
        self.ok = self.pos >= 0
        self.identity = self.total == self.n and bool(np.all(all_rows == np.arange(self.n)))
        self.take_idx = None if self.identity else pa.array(self.pos, mask=~self.ok)
        # names in order of first appearance
        self.names = list(dict.fromkeys(name for p in self.pieces for name in p))

    def column(self, name: str, force_text: bool = False) -> tuple[str, pa.Array]:
        """The assembled column ``name`` (length n) and its final kind."""
        found = [p.get(name) for p in self.pieces]
        final = _final_kind({f[0] for f in found if f is not None})
        if force_text and final not in ("str", "null"):
            final = "text"
        chunks = []
        for rows, got in zip(self.rows, found, strict=True):
            if got is None:
                typ = _KIND_TYPES.get(final, _TEXT)
                chunks.append(pa.nulls(len(rows), typ))
            else:
                chunks.append(_convert(got[0], got[1], final))
        typ = _KIND_TYPES.get(final, _TEXT)
        arr = pa.concat_arrays(chunks) if chunks else pa.array([], typ)
        if self.take_idx is not None:
            arr = arr.take(self.take_idx)
        return final, arr


def _pick_key(
    units: _Units, explicit: tuple[str, ...] | None, defaults: tuple[str, ...]
) -> str | None:
    present = {name for name, count in units.counts.items() if count}
    if explicit is not None:
        return next((k for k in explicit if k in present), None)
    by_lower: dict[str, list[str]] = {}
    nested: dict[str, list[str]] = {}
    for name in units.names:
        if name in present:
            into = by_lower if name in units.top else nested
            into.setdefault(name.lower(), []).append(name)
    for cand in defaults:
        if "." in cand:  # a nested candidate, spelled with this call's separator
            matches = nested.get(cand.replace(".", units.sep))
        else:
            matches = by_lower.get(cand)
        if matches:
            return max(matches, key=lambda k: units.counts[k])
    return None


def _level_rule(kind: str, level: pa.Array) -> str | None:
    """``"pino"`` or ``"syslog"`` for a numeric level column whose values fit (else None)."""
    if kind not in ("int", "float") or level.null_count == len(level):
        return None
    values = pc.unique(level.drop_null()).to_numpy(zero_copy_only=False)
    if not np.all(np.isfinite(values)) or not np.all(values == np.floor(values)):
        return None
    if values.min() >= 10 and values.max() <= 60:
        return "pino"
    if values.min() >= 0 and values.max() <= 7:
        return "syslog"
    return None


def _mongodb_severity(units: _Units) -> str | None:
    """MongoDB's ``s`` key, when its values are all MongoDB severities."""
    if "s" not in units.top or not units.counts.get("s"):
        return None
    kind, values = units.column("s")
    if kind != "str":
        return None
    distinct = set(pc.unique(values.drop_null()).to_pylist())
    return "s" if distinct and distinct <= MONGODB_SEVERITIES else None


def parse_json_records(
    lines: pa.LargeStringArray,
    *,
    message_key: str | Sequence[str] | None = None,
    time_key: str | Sequence[str] | None = None,
    level_key: str | Sequence[str] | None = None,
    fields: Sequence[str] | None = None,
    sep: str = ".",
    hints: JsonHints | None = None,
) -> JsonRecords:
    """Parse JSON-lines records into message, time, level and typed field columns.

    Every input element gives exactly one output element, in order. Bad data never raises:
    records that are not JSON objects get ``ok == False`` and their raw text as message.

    Parameters
    ----------
    lines : pyarrow.LargeStringArray
        One record per element (``string`` arrays and chunked arrays are accepted too);
        nulls are treated as empty records.
    message_key, time_key, level_key : str or sequence of str, optional
        The key (or candidate keys, first present wins) holding the message, time and
        level; dotted paths (joined with ``sep``) reach nested keys and matching is exact.
        None picks the first of :data:`DEFAULT_MESSAGE_KEYS`, :data:`DEFAULT_TIME_KEYS` and
        :data:`DEFAULT_LEVEL_KEYS` present as a top-level key, ignoring case (when several
        spellings occur, the most frequent).
    fields : sequence of str, optional
        Keys to extract as columns, in this order; ``"ctx.request_id"`` reaches a nested
        key and ``"ctx"`` extracts every nested field of ``ctx``; a key found nowhere gives
        an all-null column. None extracts every key holding scalar values (nested objects
        flattened), at most :data:`MAX_AUTO_FIELDS` of them, most frequent first, leaving
        out the message, time and level keys (the rest are listed in ``dropped``).
    sep : str, default "."
        Separator joining nested key names.
    hints : JsonHints, optional
        Shared by the calls that parse one stream block by block (the reader passes
        one per read): what a block learnt about the keys, reused by the next. The
        records do not depend on it.

    Returns
    -------
    JsonRecords

    Raises
    ------
    FormatError
        When an argument has the wrong type (never because of the data).

    Examples
    --------
    >>> import pyarrow as pa
    >>> recs = parse_json_records(pa.array(
    ...     ['{"ts": 1, "level": "info", "msg": "hi", "ctx": {"id": 7}}', 'oops'],
    ...     pa.large_string()))
    >>> recs.message.to_pylist(), recs.ok.tolist(), recs.keys["message"]
    (['hi', 'oops'], [True, False], 'msg')
    >>> recs.columns["ctx.id"].to_pylist()
    [7, None]
    """
    arr = _as_large_string(lines)
    roles = {
        "message": _key_arg(message_key, "message_key"),
        "time": _key_arg(time_key, "time_key"),
        "level": _key_arg(level_key, "level_key"),
    }
    wanted = _fields_arg(fields)
    if not isinstance(sep, str) or not sep:
        raise FormatError(f"sep must be a non-empty string such as '.', got {sep!r}")

    n = len(arr)
    fast_mask, ctrl_mask, slow_mask = _classify(arr)
    fast_idx = np.flatnonzero(fast_mask)
    units = _Units(n, sep)
    slow: list[int] = np.flatnonzero(slow_mask).tolist()
    offsets = string_buffers(arr)[0]
    fast_bytes = int((offsets[fast_idx + 1] - offsets[fast_idx]).sum())
    if len(fast_idx) and fast_bytes >= _MIN_FAST_BYTES:
        good, more_slow = _fast_path(arr, fast_idx, ctrl_mask, hints)
        for rows, table in good:
            units.add_table(rows, table)
        slow.extend(more_slow)
    else:
        slow.extend(fast_idx.tolist())
    if slow:
        slow.sort()
        offs, data = string_buffers(arr)
        view = memoryview(data)
        ok_rows: list[int] = []
        flat_rows: list[dict[str, Any]] = []
        top: set[str] = set()
        for i in slow:
            obj = _load_object(str(view[offs[i] : offs[i + 1]], "utf-8", "replace"))
            if obj is None:
                continue
            flat: dict[str, Any] = {}
            try:
                _flatten_obj(obj, "", sep, flat)
            except RecursionError:  # nested too deep for Python: treated as invalid
                continue
            top.update(obj)  # top-level keys (only those that are flattened names count)
            ok_rows.append(i)
            flat_rows.append(flat)
        if ok_rows:
            units.add_objects(ok_rows, flat_rows, top)
    units.finish()

    keys = {
        "message": _pick_key(units, roles["message"], DEFAULT_MESSAGE_KEYS),
        "time": _pick_key(units, roles["time"], DEFAULT_TIME_KEYS),
        "level": _pick_key(units, roles["level"], DEFAULT_LEVEL_KEYS),
    }
    raw_text = arr if arr.null_count == 0 else pc.fill_null(arr, pa.scalar("", _TEXT))
    if keys["message"] is not None:
        _, msg = units.column(keys["message"], force_text=True)
        message = pc.coalesce(msg, raw_text)
    else:
        message = raw_text
    if keys["level"] is None and roles["level"] is None:
        keys["level"] = _mongodb_severity(units)
    level_rule = None
    if keys["level"] is not None:
        kind, raw_level = units.column(keys["level"])
        level_rule = _level_rule(kind, raw_level)
        _, level = units.column(keys["level"], force_text=True)
        if level_rule is not None and kind == "float":  # 30.0 reads as 30
            level = pc.cast(pc.cast(raw_level, pa.int64(), safe=False), _TEXT)
    else:
        level = pa.nulls(n, _TEXT)
    if keys["time"] is not None:
        kind, time = units.column(keys["time"])
        if kind not in ("int", "float", "str", "null"):
            _, time = units.column(keys["time"], force_text=True)
    else:
        time = pa.nulls(n, _TEXT)

    dropped: tuple[str, ...] = ()
    if wanted is None:
        used = {k for k in keys.values() if k is not None}
        first = {name: i for i, name in enumerate(units.names)}
        names = [x for x in units.names if x in units.scalar and x not in used and units.counts[x]]
        names.sort(key=lambda x: (-units.counts[x], first[x]))
        names, dropped = names[:MAX_AUTO_FIELDS], tuple(names[MAX_AUTO_FIELDS:])
    else:
        names = []
        for f in wanted:
            prefix = f + sep
            nested = [x for x in units.names if x.startswith(prefix)]
            names.extend(([f] if f in units.counts or not nested else []) + nested)
        names = list(dict.fromkeys(names))
    columns = {}
    for name in names:
        if name in units.counts:
            columns[name] = units.column(name)[1]
        else:
            columns[name] = pa.nulls(n, _TEXT)

    return JsonRecords(
        columns=columns,
        message=message,
        time=time,
        level=level,
        ok=units.ok,
        keys=keys,
        dropped=dropped,
        level_rule=level_rule,
    )


def sniff_json_lines(sample: Sequence[str]) -> float:
    """Share of the non-empty lines of ``sample`` that are JSON objects.

    Lines holding only blanks are left out; a leading byte-order mark is ignored. A line
    counts when :func:`parse_json_records` would mark it ``ok``.

    Parameters
    ----------
    sample : sequence of str
        A few lines from the start of a file.

    Returns
    -------
    float
        Between 0 and 1; 0.0 when the sample has no non-empty line.

    Examples
    --------
    >>> sniff_json_lines(['{"a": 1}', "", "plain text", '{"b": 2}'])
    0.6666666666666666
    """
    if isinstance(sample, str) or not isinstance(sample, Sequence):
        raise FormatError(f"sample must be a list of str lines, got {type(sample).__name__}")
    total = hits = 0
    for line in sample:
        if not isinstance(line, str):
            raise FormatError(
                f"sample must hold str lines, got {type(line).__name__}; decode them first"
            )
        text = line.strip(_SPACE_CHARS).removeprefix("\ufeff")  # a file's byte-order mark
        if not text:
            continue
        total += 1
        if text[0] == "{" and text[-1] == "}" and _load_object(text) is not None:
            hits += 1
    return hits / total if total else 0.0
