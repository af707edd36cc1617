"""``read_logs`` and ``iter_logs``: log sources in, one pandas row per record out."""

from __future__ import annotations

import logging
import os
import stat
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import schema as S
from ..errors import LlamalogWarning
from ..parse import _kernels as K
from ..parse._time_kernels import T_EPOCH
from ..parse.categories import to_categorical
from ..parse.engine import (
    BAD_TIMESTAMP,
    FLAG_NAMES,
    OUT_OF_ORDER,
    TRUNCATED,
    Block,
    Keep,
    Layout,
    SourceState,
    parse_block,
)
from ..parse.jsonblock import parse_json_block
from ..parse.levels import LEVEL_DTYPE
from ..parse.timestamps import TimeCarry, utc_datetimes
from .formats import detect_format, json_defaults, resolve_layout
from .sources import _MAGIC, Source, _text_kind, iter_blocks, resolve_sources

if TYPE_CHECKING:
    from ..parse.jsonl import JsonHints

log = logging.getLogger(__name__)

_RENAME = {S.LEVEL: "level_raw", S.TIMESTAMP: "timestamp_raw"}


def parse_size(value: int | str) -> int:
    """Bytes from ``1048576``, ``"64MB"``, ``"1 GiB"``.

    Examples
    --------
    >>> parse_size("64MB"), parse_size("2KiB"), parse_size(10)
    (67108864, 2048, 10)
    """
    if isinstance(value, int):
        return value
    text = str(value).strip().upper().replace(" ", "").replace("IB", "B")
    units = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "K": 1 << 10, "M": 1 << 20, "B": 1}
    for unit, mult in units.items():
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return int(float(text[: -len(unit)]) * mult)
    if text.isdigit():
        return int(text)
    raise ValueError(f"cannot read a size from {value!r}; write e.g. 65536 or '64MB'")


@dataclass
class ReadOptions:
    """Everything ``read_logs`` passes down, after defaults are resolved."""

    layout: Layout | None
    jsonl: dict | None
    tz: str | None
    year: int | None
    block_bytes: int
    format_name: str
    detection: dict = field(default_factory=dict)
    columns: tuple[str, ...] | None = None  # columns asked for besides the base ones
    keep: Keep | None = None
    #: The time format the last source of this read resolved to (see ``TimeCarry``).
    time_carry: TimeCarry = field(default_factory=TimeCarry)
    #: JSON lines: what the blocks before learnt about the keys (``JsonHints``).
    json_hints: JsonHints | None = None


def _parse(buf, state: SourceState, opts: ReadOptions, final: bool) -> Block:
    if opts.layout is None:
        if opts.json_hints is None:
            from ..parse.jsonl import JsonHints

            opts.json_hints = JsonHints()
        return parse_json_block(
            buf,
            state,
            options=opts.jsonl or {},
            tz=opts.tz,
            carry=opts.time_carry,
            hints=opts.json_hints,
        )
    return parse_block(
        buf, opts.layout, state, final=final, tz=opts.tz, keep=opts.keep, carry=opts.time_carry
    )


#: The UTF-8 byte-order mark some editors and Windows programs write first.
_BOM = b"\xef\xbb\xbf"


def _parsed_blocks(src: Source, state: SourceState, opts: ReadOptions, skip: bool):
    """Blocks of one source; each block's unfinished last record goes back to the
    reader, which puts it in front of the next block."""
    blocks = iter_blocks(src, opts.block_bytes, skip_unreadable=skip)
    tail = None
    item = next(blocks, None)
    if item is not None and bytes(item[0][:3]) == _BOM:  # an encoding mark, not text
        item = (item[0][3:], item[1])
    while item is not None:
        buf, last = item
        block = _parse(buf, state, opts, final=last)
        if block.n:
            yield block
        if last:
            return
        tail = buf[block.bytes_used :]
        try:
            item = blocks.send(tail)
            tail = None
        except StopIteration:
            item = None
    if tail is not None and len(tail):
        yield _parse(tail, state, opts, final=True)


def _iter_source_blocks(src: Source, opts: ReadOptions, skip: bool) -> Iterator[Block]:
    """Parse one source block by block. The last record of a truncated compressed
    source is flagged ``truncated`` (each block is held back until the next arrives)."""
    state = SourceState(src.name, mtime=src.mtime)
    if opts.year is not None:
        state.year.base = opts.year
    held = None
    for block in _parsed_blocks(src, state, opts, skip):
        if held is not None:
            yield held
        held = block
    if held is not None:
        if src.truncated_at is not None:
            held.flags[-1] |= TRUNCATED
        yield held
    _source_done(src.name, state, opts)


def _source_done(name: str, state: SourceState, opts: ReadOptions) -> None:
    """Note a source's match rate (for the warning) and its time format (for attrs)."""
    rate = state.matched / state.lines if state.lines else 1.0
    # joined stack traces make many lines legitimately unmatched; single-line formats don't
    floor = 0.2 if opts.layout is not None and opts.layout.multiline else 0.9
    if rate < floor:
        opts.detection.setdefault("low_match", []).append((name, rate, state.lines))
    opts.detection.setdefault("time", {})[name] = (
        state.time_fields,
        state.time_format.text if state.time_format else None,
    )


def _column_name(name: str) -> str:
    return _RENAME.get(name, name if name not in S.BASE_COLUMNS else f"{name}_field")


def _field_pairs(layout: Layout | None, blocks: list[tuple[int, Block]]) -> list[tuple[str, str]]:
    """(field, column) pairs; fields named like a base column are renamed."""
    if layout is not None:
        names = layout.fmt.fields
    else:
        names = list(dict.fromkeys(k for _, b in blocks for k in b.fields))
    return [(n, _column_name(n)) for n in names if n != S.MESSAGE]


def _strings(arrays: list[pa.Array]):
    large = pa.large_string()
    chunks = [a if a.type == large else a.cast(large) for a in arrays]
    return pd.array(pa.chunked_array(chunks, type=large), dtype=S.STR_DTYPE)


def _field_column(arrays: list[pa.Array]):
    types = {a.type for a in arrays if not pa.types.is_null(a.type)}
    if not types or all(pa.types.is_string(t) or pa.types.is_large_string(t) for t in types):
        return _strings(arrays)
    if len(types) == 1:
        (t,) = types
        return pa.chunked_array([a.cast(t) for a in arrays], type=t).to_pandas()
    return _strings(arrays)


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _take(blocks: list[tuple[int, Block]], attr: str, dtype) -> np.ndarray:
    """Concatenate one per-block array, releasing the blocks' copies as it goes."""
    out = _concat([getattr(b, attr) for _, b in blocks], dtype)
    for _, b in blocks:
        setattr(b, attr, None)
    return out


def assemble(
    blocks: list[tuple[int, Block]],
    sources: list[str],
    layout: Layout | None,
    columns: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """One DataFrame from parsed blocks (``(source index, block)`` pairs).

    Column by column, so the blocks' memory is released while the frame is built.
    With ``columns``, only those (and :data:`ALWAYS`) are built.
    """

    def wanted(col: str) -> bool:
        return columns is None or col in columns or col in ALWAYS

    # every source is a category, in every frame of a read (iter_logs' chunks agree);
    # a dict, not list.index: a read of thousands of files assembles thousands of times
    position = {name: k for k, name in enumerate(dict.fromkeys(sources))}
    names = list(position)
    code_type = np.int8 if len(names) < 128 else np.int16 if len(names) < 32768 else np.int32
    where = np.array([position[sources[i]] for i, _ in blocks], dtype=code_type)
    sizes = np.array([b.n for _, b in blocks], dtype=np.int64)
    codes = np.repeat(where, sizes)
    data = {
        S.SOURCE: pd.Categorical.from_codes(codes, categories=names),
        S.LINE: _take(blocks, "line", np.int64),
    }
    if wanted(S.TIMESTAMP):
        ts = _take(blocks, "timestamp", np.int64)
        data[S.TIMESTAMP] = utc_datetimes(ts)
    if wanted(S.LEVEL):
        levels = [b.level.codes for _, b in blocks]
        data[S.LEVEL] = pd.Categorical.from_codes(_concat(levels, np.int8), dtype=LEVEL_DTYPE)
    data[S.MESSAGE] = _strings([b.message for _, b in blocks])
    encoders = (layout.categorical if layout is not None else None) or {}
    for name, col in _field_pairs(layout, blocks):
        if not wanted(col):
            continue
        parts = [b.fields.pop(name, None) for _, b in blocks]
        if name in encoders:
            data[col] = to_categorical(_concat(parts, np.int32), encoders[name].dtype())
        else:
            data[col] = _field_column(
                [pa.nulls(b.n) if p is None else p for p, (_, b) in zip(parts, blocks, strict=True)]
            )
        del parts
    data[S.N_LINES] = _take(blocks, "n_lines", np.int32)
    data[S.PARSE_OK] = _take(blocks, "parse_ok", bool)
    data[S.FLAGS] = flag_names(_take(blocks, "flags", np.uint8))
    frame = pd.DataFrame(data, copy=False)
    if columns is None:
        return frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the logs read; they have {list(frame)}")
    return frame[[c for c in frame.columns if c in ALWAYS or c in columns]]


def flag_names(bits: np.ndarray) -> pd.Categorical:
    """The ``problems`` column: comma-separated flag names per row, '' when clean."""
    present = np.flatnonzero(np.bincount(bits, minlength=256))
    names = {int(u): ",".join(n for b, n in FLAG_NAMES.items() if int(u) & b) for u in present}
    categories = list(dict.fromkeys(["", *names.values()]))
    lookup = np.zeros(256, dtype=np.int8)
    for u, name in names.items():
        lookup[u] = categories.index(name)
    return pd.Categorical.from_codes(lookup[bits], categories=categories)


# --------------------------------------------------------------------------- public API


def _options(
    source,
    *,
    format="auto",
    multiline=None,
    message=None,
    time_format=None,
    time_fields=None,
    tz=None,
    year=None,
    block_size="8MB",
    json_options=None,
    columns=None,
):
    sources = resolve_sources(source)
    detection: dict = {}
    if format == "auto":
        guess = detect_format(sources)
        detection["guess"] = guess
        _warn_guess(guess, sources[0].name if sources else "the input")
        format = guess.name
    layout, name = resolve_layout(
        format,
        multiline=multiline,
        message=message,
        time_format=time_format,
        time_fields=time_fields,
    )
    if layout is None:
        json_options = {**json_defaults(name), **(json_options or {})}
        if time_format is not None:
            json_options.setdefault("time_format", time_format)
    opts = ReadOptions(
        layout=layout,
        jsonl=json_options if layout is None else None,
        tz=tz,
        year=year,
        block_bytes=parse_size(block_size),
        format_name=name,
        detection=detection,
    )
    if columns is not None:
        opts.columns, opts.keep = _wanted(columns, layout)
    return sources, opts


def _warn_guess(guess, what: str, stacklevel: int = 4) -> None:
    """Say when ``format="auto"`` found nothing, or is unsure of its choice."""
    log.info("format='auto' chose %s", guess)
    if guess.name == "raw":
        warnings.warn(
            f"format='auto' recognised no known format in {what}; every line is kept whole "
            "as the message (parse_ok=False). Pass your header, e.g. "
            "format='<Date> <Time> <Level> <Content>', or register it with "
            "llamalog.register_format, to get fields and timestamps.",
            LlamalogWarning,
            stacklevel=stacklevel,
        )
    elif guess.doubt:
        other = f" or format={guess.runner_up!r}" if guess.runner_up else ""
        warnings.warn(
            f"format='auto' chose {guess.name!r} for {what} but is unsure: {guess.doubt}. "
            f"Check a few rows, and force the format with format={guess.name!r}{other} "
            "(`llamalog formats --detect FILE` shows every candidate's score).",
            LlamalogWarning,
            stacklevel=stacklevel,
        )


#: Columns every read returns, whatever ``columns=`` asks for.
ALWAYS = (S.SOURCE, S.LINE, S.MESSAGE, S.N_LINES, S.PARSE_OK, S.FLAGS)


def _wanted(columns, layout: Layout | None) -> tuple[tuple[str, ...], Keep]:
    """Check ``columns=`` against the format; what the engine has to build for them."""
    if isinstance(columns, str):
        columns = [columns]
    asked = tuple(dict.fromkeys(str(c) for c in columns))
    if layout is not None:
        by_column = {_column_name(f): f for f in layout.fmt.fields if f != S.MESSAGE}
        known = [*ALWAYS, S.TIMESTAMP, S.LEVEL, *by_column]
        unknown = [c for c in asked if c not in known]
        if unknown:
            raise ValueError(f"columns {unknown} are not columns of this format; it gives {known}")
        fields = frozenset(by_column[c] for c in asked if c in by_column)
    else:
        fields = None  # JSON lines: the keys are known once read
    return asked, Keep(time=S.TIMESTAMP in asked, level=S.LEVEL in asked, fields=fields)


def _warn_match(opts: ReadOptions) -> None:
    low = opts.detection.get("low_match", [])
    if not low:
        return
    guess = opts.detection.get("guess")
    if guess is not None and guess.doubt is None and all(rate > 0 for _, rate, _ in low):
        return  # detection chose this format for its records: continuation lines are expected
    worst = sorted(low, key=lambda t: t[1])[:5]
    what = "; ".join(f"{name}: {rate:.1%} of {n} lines" for name, rate, n in worst)
    if len(low) > len(worst):
        what += f"; and {len(low) - len(worst)} more files"
    if all(rate == 0 for _, rate, _ in low):
        which = "the file" if len(low) == 1 else f"these {len(low)} files"
        advice = f"no line of {which} matched: check the format string against one of its lines"
    elif opts.layout is not None and opts.layout.multiline:
        advice = (
            "lines that do not match were joined to the record before them as continuation "
            "lines (multiline=False keeps them as rows of their own)"
        )
    else:
        advice = "lines that do not match are kept with parse_ok=False"
    fmt = opts.layout.fmt.text if opts.layout else opts.format_name
    warnings.warn(
        f"the format {fmt!r} matched only part of the lines ({what}); {advice}",
        LlamalogWarning,
        stacklevel=3,
    )


def _attrs(opts: ReadOptions, frame: pd.DataFrame) -> dict:
    guess = opts.detection.get("guess")
    return {
        "format": opts.format_name,
        "format_string": opts.layout.fmt.text if opts.layout else opts.format_name,
        "detected": str(guess) if guess else None,
        "match_rate": float(frame[S.PARSE_OK].mean()) if len(frame) else None,
        "time": time_summary(opts.detection.get("time", {})),
    }


#: At most this many sources are listed by name in ``attrs["llamalog"]["time"]``.
MAX_LISTED = 100


def time_summary(times: dict[str, tuple]) -> dict:
    """The time fields and format of most sources, and the sources that differ.

    Not one entry per source: pandas copies a frame's ``attrs`` deeply on every
    operation, and a frame read from 20,000 files carried 20,000 entries into each
    (a filter took 150 ms instead of 0.2 ms).
    """

    def key(v: tuple) -> tuple:
        return (tuple(v[0]) if v[0] else None, v[1])

    counts = Counter(key(v) for v in times.values())
    (fields, fmt), _ = counts.most_common(1)[0] if counts else ((None, None), 0)
    other = [(name, v) for name, v in times.items() if key(v) != (fields, fmt)]
    return {
        "fields": list(fields) if fields else None,
        "format": fmt,
        "sources": len(times),
        "other_sources": {name: {"fields": v[0], "format": v[1]} for name, v in other[:MAX_LISTED]},
        "n_other_sources": len(other),
    }


def _blocks(sources: list[Source], opts: ReadOptions) -> Iterator[tuple[int, Block]]:
    skip = len(sources) > 1
    run: list[int] = []  # consecutive small files, up to a block in all
    total = 0
    for i, src in enumerate(sources):
        size = _small_size(src, opts) if skip else None
        if size is not None and total + size <= opts.block_bytes:
            run.append(i)
            total += size
            continue
        yield from _run_blocks(sources, run, opts)
        run, total = ([i], size) if size is not None else ([], 0)
        if size is None:
            for block in _iter_source_blocks(src, opts, skip):
                yield i, block
    yield from _run_blocks(sources, run, opts)


# --------------------------------------------------------------------------- small files
# A folder of small files (per job, per host, rotated) costs one parse per file, most of
# it fixed work (kernel calls, Arrow and pandas objects); runs of small files are parsed
# together as one block instead, and the rows split back by file. Files are batched only
# where the result is the same as reading each on its own: plain files that end with a
# newline, and, when timestamps are read, once a time format with a year is known from a
# file before (the year of a format without one comes from each file's date). A file of a
# batch whose sampled times that format does not read is parsed again on its own.

#: A file of at most ``block bytes // SMALL_SHARE`` is small (``llamalog.dask`` groups
#: its partitions by the same share of ``blocksize``).
SMALL_SHARE = 8


def _small_size(src: Source, opts: ReadOptions) -> int | None:
    """The size of a small, non-empty file (compressed or not), else None."""
    try:
        if src.path is None or opts.layout is None:
            return None
        st = src.path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or not 0 < st.st_size <= opts.block_bytes // SMALL_SHARE:
        return None
    return st.st_size


def _can_batch(opts: ReadOptions) -> bool:
    """Whether a batch reads as its files alone would (runs hold header formats only:
    :func:`_small_size` leaves JSON lines out)."""
    layout = opts.layout
    if not layout.time_fields and not layout.time_candidates():
        return True  # no time: nothing depends on each file's time format
    fmt = layout.time_format if layout.time_fields else None
    if fmt is None:
        fmt = opts.time_carry.format
    return fmt is not None and fmt.has_year and T_EPOCH not in fmt.codes


def _run_blocks(sources: list[Source], run: list[int], opts: ReadOptions):
    """The blocks of a run of small files: batches of the plain ones that end with a
    newline, once batching gives what reading each alone would; the rest one by one."""
    k = 0
    while k < len(run):
        batch = _read_batch(sources, run[k:]) if len(run) - k > 1 and _can_batch(opts) else []
        if len(batch) > 1:
            yield from _batch_blocks(sources, batch, opts)
            k += len(batch)
            continue
        for block in _iter_source_blocks(sources[run[k]], opts, True):
            yield run[k], block
        k += 1


def _read_batch(sources: list[Source], run: list[int]) -> list[tuple[int, bytes]]:
    """The files of ``run``, read, up to the first that cannot join a batch (compressed,
    without a final newline, unreadable)."""
    batch: list[tuple[int, bytes]] = []
    for j in run:
        try:
            with open(sources[j].path, "rb") as f:
                head = f.read(3)
                if any(head.startswith(m) for m in _MAGIC):
                    break
                data = head + f.read()
                if _text_kind(data[: 1 << 16]) is not None:
                    break  # UTF-16 or CR line ends: decoded on its own
        except OSError:
            break  # read on its own, which warns
        if not data.endswith(b"\n"):
            break
        batch.append((j, data[3:] if data.startswith(_BOM) else data))
    return batch


def _batch_blocks(
    sources: list[Source], batch: list[tuple[int, bytes]], opts: ReadOptions
) -> Iterator[tuple[int, Block]]:
    """Parse the files of ``batch`` as one block; one block per file (a file whose
    times the batch's format does not read is parsed on its own)."""
    layout = opts.layout
    keep = opts.keep or Keep()
    counts = np.array([data.count(b"\n") for _, data in batch], dtype=np.int64)
    file_lines = np.concatenate([[0], np.cumsum(counts)[:-1]])
    buf = np.frombuffer(b"".join(data for _, data in batch), dtype=np.uint8)
    state = SourceState("<batch>")
    state.time_resolved = True
    # the time format decides which lines are headers (engine.not_a_time), so it is
    # set whether or not timestamps are asked for
    if layout.time_fields and layout.time_format is not None:
        state.time_fields, state.time_format = layout.time_fields, layout.time_format
    else:
        state.time_fields, state.time_format = opts.time_carry.fields, opts.time_carry.format
    block = parse_block(
        buf, layout, state, final=True, tz=opts.tz, keep=keep, file_lines=file_lines
    )
    file_of = np.searchsorted(file_lines, block.line - 1, side="right") - 1
    cuts = np.searchsorted(file_of, np.arange(len(batch) + 1))
    for k, (j, _) in enumerate(batch):
        src = sources[j]
        part = _block_rows(block, int(cuts[k]), int(cuts[k + 1]), int(file_lines[k]))
        # read alone: a file whose times this format misses, and the files after one
        # that found another format (read alone they would try that one first)
        changed = not opts.time_carry.same(state.time_fields, state.time_format)
        if keep.time and (changed or not _times_read(part)):
            yield from ((j, b) for b in _iter_source_blocks(src, opts, True))
            continue
        if keep.time:  # out_of_order within this file only
            part.flags &= np.uint8(~OUT_OF_ORDER & 0xFF)
            nat = np.iinfo(np.int64).min
            K._time_flags(part.timestamp, np.zeros(part.n, dtype=bool), part.flags, nat)
        # a matched line always starts a record: the file's matched lines
        own = SourceState(src.name, lines=int(counts[k]), matched=int(part.parse_ok.sum()))
        own.time_fields, own.time_format = state.time_fields, state.time_format
        if part.n:
            yield j, part
        _source_done(src.name, own, opts)


def _times_read(part: Block) -> bool:
    """Whether the batch's time format read the file as reading it alone would have:
    the file has matched records and the first 256 of them have readable times."""
    sample = np.flatnonzero(part.parse_ok)[:256]
    return len(sample) > 0 and not (part.flags[sample] & BAD_TIMESTAMP).any()


def _block_rows(block: Block, a: int, b: int, first_line: int) -> Block:
    """Records ``a:b`` of ``block``, numbered from their file's first line."""
    return Block(
        n=b - a,
        line=block.line[a:b] - first_line,
        n_lines=block.n_lines[a:b],
        timestamp=np.ascontiguousarray(block.timestamp[a:b]),
        level=block.level[a:b],
        message=block.message[a:b],
        fields={k: v[a:b] for k, v in block.fields.items()},
        parse_ok=block.parse_ok[a:b],
        flags=block.flags[a:b].copy(),
        lines_used=0,
        bytes_used=0,
    )


def read_logs(
    source,
    format: str = "auto",
    *,
    multiline: bool | None = None,
    message: str | None = None,
    time_format: str | None = None,
    time_fields: list[str] | None = None,
    tz: str | None = None,
    year: int | None = None,
    block_size: int | str = "8MB",
    json_options: dict | None = None,
    columns: Sequence[str] | None = None,
    cache: bool | str | os.PathLike = False,
) -> pd.DataFrame:
    """Read log files into a DataFrame with one row per record.

    Parameters
    ----------
    source : path, glob, directory, open binary file, or a list of them
        Plain, gzip and bz2 files (detected by content) are read as streams.
    format : str
        ``"auto"`` (detect from a sample), a preset name (``"syslog"``,
        ``"syslog-rfc5424"``, ``"apache-combined"``, ``"apache-common"``,
        ``"apache-error"``, ``"log4j"``, ``"jsonl"``...: see ``llamalog.PRESETS``), or a
        header in ``<Field>`` notation such as ``"<Date> <Time> <Level> <Content>"``.
    multiline : bool, optional
        Join lines that do not match the header to the record before them (stack
        traces). Defaults to True for header formats, False for syslog, access logs and
        JSON lines.
    message : str, optional
        The field holding the free text (default ``Content``/``message``/``msg``).
    time_format, time_fields : optional
        A strptime-style format (see :mod:`llamalog.parse.timestamps`) and the fields
        to read it from; inferred from a sample when omitted.
    tz : str, optional
        Time zone of timestamps written without an offset (default UTC).
    year : int, optional
        Year of the first record for formats without one (default: from the file's
        modification time).
    block_size : int or str
        Bytes parsed at a time; memory stays proportional to it plus the result.
    json_options : dict, optional
        For ``format="jsonl"``: ``message_key``, ``time_key``, ``level_key``,
        ``fields`` (dotted paths reach nested keys).
    columns : sequence of str, optional
        Build only these of ``timestamp``, ``level`` and the format's fields (named as
        in the result); ``source``, ``line``, ``message``, ``n_lines``, ``parse_ok`` and
        ``problems`` always come. Fields, times and levels nobody asks for are neither
        copied nor parsed, so a read of ``columns=[]`` (messages only, e.g. to mine
        templates) is faster and smaller. Without ``timestamp`` no timestamp problems
        (bad_timestamp, out_of_order) are looked for.
    cache : bool or path
        Keep the parsed table as Parquet (in ``~/.cache/llamalog`` for True, or in the
        given folder) and reuse it while the files, format and options are unchanged.

    Returns
    -------
    DataFrame
        ``source`` (category), ``line`` (first line of the record, 1-based),
        ``timestamp`` (datetime64[ns, UTC]), ``level`` (ordered category),
        ``message`` (str), one column per format field, ``n_lines``, ``parse_ok`` and
        ``problems`` (why a row is suspect: no_match, invalid_utf8, binary,
        bad_timestamp, out_of_order, truncated). ``frame.attrs["llamalog"]`` records
        the format, the match rate and the time format used.

    Raises
    ------
    FormatError
        The format string does not parse or names an unknown preset.
    SourceError
        A named file does not exist or cannot be opened.

    Examples
    --------
    >>> import io
    >>> text = b"2026-03-01 08:00:00 INFO started\\n2026-03-01 08:00:01 WARN low disk\\n"
    >>> frame = read_logs(io.BytesIO(text), format="<Date> <Time> <Level> <Content>")
    >>> frame[["line", "level", "message"]]
       line    level   message
    0     1     INFO   started
    1     2  WARNING  low disk
    """
    options = dict(
        format=format,
        multiline=multiline,
        message=message,
        time_format=time_format,
        time_fields=time_fields,
        tz=tz,
        year=year,
        json_options=json_options,
        columns=None if columns is None else list(columns),
    )
    if cache:
        from .cache import cached_read

        return cached_read(
            source,
            options,
            cache,
            lambda: read_logs(source, block_size=block_size, **options),
        )
    sources, opts = _options(source, block_size=block_size, **options)
    # No malloc_trim here: measured on 1M HDFS lines, trimming before every block and
    # column lowers the peak from ~430 to ~405 MiB but makes the read 50 % slower (the
    # pages are faulted in again); one trim before assembling saved 5 MiB and cost
    # 10-25 ms a read in a loop of reads.
    blocks = list(_blocks(sources, opts))
    names = [s.name for s in sources]
    others = _redetect(sources, opts) if format == "auto" and len(sources) > 1 else {}
    moved = {i for idx, _ in others.values() for i in idx}
    if moved:
        blocks = [(i, b) for i, b in blocks if i not in moved]
    frame = assemble(blocks, names, opts.layout, opts.columns)
    del blocks
    formats = {opts.format_name: [n for k, n in enumerate(names) if k not in moved]}
    if others:
        frames = [frame]
        for name, (idx, gopts) in others.items():
            part = [(idx[j], b) for j, b in _blocks([sources[i] for i in idx], gopts)]
            frames.append(assemble(part, names, gopts.layout, gopts.columns))
            formats[name] = [names[i] for i in idx]
            opts.detection.setdefault("time", {}).update(gopts.detection.get("time", {}))
        frame = _in_source_order(concat_frames(frames))
    _warn_match(opts)
    frame.attrs["llamalog"] = _attrs(opts, frame)
    frame.attrs["llamalog"]["formats"] = {
        k: {"sources": len(v), "names": v[:MAX_LISTED]} for k, v in formats.items() if v
    }
    return frame


def _redetect(sources: list[Source], opts: ReadOptions) -> dict[str, tuple[list[int], ReadOptions]]:
    """Files of a mixed folder that the detected format reads badly, detected one by
    one: ``{format: (source indices, options)}`` for those of another format. Their
    low-match entries are taken off the warning list."""
    low = opts.detection.get("low_match", [])
    if not low:
        return {}
    index = {s.name: i for i, s in enumerate(sources)}
    groups: dict[str, list[int]] = {}
    keep_low = []
    for entry in low:
        i = index.get(entry[0])
        src = sources[i] if i is not None else None
        if src is None or src.path is None:
            keep_low.append(entry)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LlamalogWarning)
            guess = detect_format([src.path])
        if guess.name in (opts.format_name, "raw"):
            keep_low.append(entry)
            continue
        _warn_guess(guess, src.name, stacklevel=5)
        groups.setdefault(guess.name, []).append(i)
    opts.detection["low_match"] = keep_low
    out = {}
    for name, idx in groups.items():
        _, gopts = _options(
            [sources[i].path for i in idx],
            format=name,
            tz=opts.tz,
            year=opts.year,
            block_size=opts.block_bytes,
            columns=list(opts.columns) if opts.columns is not None else None,
        )
        log.info("format='auto': %d file(s) read as %s", len(idx), name)
        out[name] = (idx, gopts)
    return out


def _in_source_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by source (in the order given), then line."""
    order = np.lexsort((frame[S.LINE].to_numpy(), frame[S.SOURCE].cat.codes.to_numpy()))
    tail = [c for c in (S.N_LINES, S.PARSE_OK, S.FLAGS) if c in frame.columns]
    columns = [c for c in frame.columns if c not in tail] + tail
    return frame.take(order)[columns].reset_index(drop=True)


def iter_logs(
    source,
    format: str = "auto",
    *,
    chunksize: int = 1_000_000,
    block_size: int | str = "8MB",
    **options,
) -> Iterator[pd.DataFrame]:
    """Read logs as a stream of DataFrames of at most ``chunksize`` rows.

    Memory stays bounded by ``block_size`` and ``chunksize`` whatever the input size.
    Takes the same options as :func:`read_logs`; rows and columns are the same as
    ``read_logs`` would give, split into consecutive pieces.
    """
    if chunksize < 1:
        raise ValueError(f"chunksize must be a positive number of rows, got {chunksize}")
    keys = {"multiline", "message", "time_format", "time_fields", "tz", "year"}
    unknown = set(options) - keys - {"json_options", "columns"}
    if unknown:
        raise TypeError(f"iter_logs() got unknown options {sorted(unknown)}")
    sources, opts = _options(source, format=format, block_size=block_size, **options)
    names = [s.name for s in sources]
    # blocks wait until a chunk's worth is there and become one frame together (a frame
    # per block, concatenated, cost a categorical merge per block: thousands of small
    # files took minutes)
    pending: list[tuple[int, Block]] = []
    left: pd.DataFrame | None = None  # rows of the last frame not yielded yet
    rows = 0

    def frame() -> pd.DataFrame:
        if not pending:
            return left
        whole = assemble(pending, names, opts.layout, opts.columns)
        pending.clear()
        return whole if left is None else concat_frames([left, whole])

    for item in _blocks(sources, opts):
        pending.append(item)
        rows += item[1].n
        if rows < chunksize:
            continue
        whole = frame()
        while len(whole) >= chunksize:
            yield whole.iloc[:chunksize].reset_index(drop=True)
            whole = whole.iloc[chunksize:].reset_index(drop=True)
        left, rows = (whole if len(whole) else None), len(whole)
    if rows:
        yield frame()
    _warn_match(opts)


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate frames from llamalog, keeping categorical columns categorical."""
    if len(frames) == 1:
        return frames[0]
    from pandas.api.types import union_categoricals

    out = pd.concat(frames, ignore_index=True)
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            continue
        parts = [f[col] for f in frames if col in f.columns]
        if not all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            continue
        if len(parts) == len(frames):
            out[col] = union_categoricals([p.array for p in parts], ignore_order=True)
        else:  # frames read with other formats lack the field: null there
            categories = union_categoricals([p.array for p in parts], ignore_order=True)
            out[col] = pd.Categorical(out[col], categories=categories.categories)
    return out
