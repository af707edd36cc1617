"""Logs past one machine: llamalog on Dask.

``llamalog.dask.read_logs`` builds a lazy :class:`dask.dataframe.DataFrame` whose
partitions are byte ranges of the log files (about ``blocksize`` each; a compressed file
or an open stream is one partition), each parsed by the same numba engine as
:func:`llamalog.read_logs`. The rows are the same as that function gives, in the same
order, with the same line numbers:

- **Split at records, not bytes.** A range starts at the first line of its bytes whose
  header matches the format (with ``multiline`` joining) and reads past its end up to
  the next such line, so a stack trace that crosses a boundary stays one record.
- **Line numbers** come from a first pass that counts the newlines of each range (a
  ``wc -l`` per range, in parallel); each partition adds the count before it.
- **One format for all.** ``format="auto"`` is resolved once, on the first file, before
  the graph is built; every partition then parses with it. Categorical columns have
  categories per partition (Dask's unknown categories).

What a partition cannot see: out-of-order timestamps are flagged within a partition,
and formats without a year (syslog) infer it per partition from the file's date; pass
``year=`` for files that span a new year.

Templates scale the same way: :func:`fit_templates` fits one
:class:`~llamalog.TemplateMiner` per partition and merges them pairwise into one id
space (:meth:`~llamalog.TemplateMiner.merge`), and :func:`add_templates` then labels
every partition with that miner.

Run it on a cluster by creating a ``dask.distributed.Client`` first; without one Dask's
default scheduler (threads) runs it on this machine.
"""

from __future__ import annotations

import io
import operator
import os
import warnings

import numpy as np
import pandas as pd

from . import schema as S
from ._optional import import_optional
from .errors import LlamalogWarning
from .parse.engine import FLAG_NAMES, OUT_OF_ORDER, SourceState
from .read.formats import detect_format
from .read.reader import (
    SMALL_SHARE,
    _options,
    _parse,
    assemble,
    flag_names,
    iter_logs,
    parse_size,
)
from .read.reader import read_logs as _read_logs
from .read.sources import Source, _is_plain_file, count_newlines, resolve_sources
from .templates.miner import TemplateMiner
from .templates.miner import add_templates as _add_templates

dask = import_optional("dask", extra="dask")
dd = import_optional("dask.dataframe", extra="dask")
_utils = import_optional("dask.dataframe.utils", extra="dask")

__all__ = ["add_templates", "fit_templates", "read_logs"]

_NAT = np.iinfo(np.int64).min
_OPTIONS = {"multiline", "message", "time_format", "time_fields", "tz", "year", "json_options"}


def read_logs(
    source,
    format: str = "auto",
    *,
    blocksize: int | str = "64MB",
    columns=None,
    **options,
) -> dd.DataFrame:
    """A lazy Dask DataFrame of the records of ``source``, partitioned by byte ranges.

    Parameters
    ----------
    source : path, glob, directory or a list of them
        As for :func:`llamalog.read_logs`; plain files are split into ranges of about
        ``blocksize`` bytes, gzip/bz2 files are one partition each.
    format : str
        As for :func:`llamalog.read_logs`; ``"auto"`` is detected once, up front.
    blocksize : int or str
        Bytes per partition of a plain file (``"64MB"``).
    columns, **options
        As for :func:`llamalog.read_logs` (``multiline``, ``message``, ``time_format``,
        ``time_fields``, ``tz``, ``year``, ``json_options``, ``columns``).

    Returns
    -------
    dask.dataframe.DataFrame
        ``compute()`` gives the rows and values ``llamalog.read_logs`` gives (its
        categorical columns may list their categories in another order).

    Examples
    --------
    >>> import llamalog.dask as lld  # doctest: +SKIP
    >>> frame = lld.read_logs("logs/*.log", format="log4j", blocksize="128MB")  # doctest: +SKIP
    >>> frame.groupby("level").size().compute()  # doctest: +SKIP
    """
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(f"llamalog.dask.read_logs() got unknown options {sorted(unknown)}")
    sources = resolve_sources(source)
    if not sources:
        raise ValueError(f"no files to read in {source!r}")
    if any(s.path is None for s in sources):
        raise TypeError(
            "llamalog.dask.read_logs reads files by path (workers open them); "
            "read an open stream with llamalog.read_logs"
        )
    if format == "auto":
        format = detect_format(sources).name
    block = parse_size(blocksize)
    opts = dict(options, format=format, columns=None if columns is None else list(columns))
    meta = _meta(sources[0], opts)
    timed = S.TIMESTAMP in meta.columns
    parts = []
    # consecutive small plain files share a partition (up to a block in all): a task
    # per small file costs more than the file takes to parse
    small: list[str] = []
    small_bytes = 0
    for src in sources:
        plain = _is_plain_file(src)
        size = src.path.stat().st_size if plain else 0
        is_small = plain and size <= block // SMALL_SHARE
        if small and (not is_small or small_bytes + size > block):
            parts.append(dask.delayed(_whole_file)(small, opts, meta))
            small, small_bytes = [], 0
        if is_small:
            small.append(str(src.path))
            small_bytes += size
            continue
        if not plain:
            parts.append(dask.delayed(_whole_file)(str(src.path), opts, meta))
            continue
        starts = list(range(0, max(size, 1), block))
        bounds = [*starts[1:], size]
        ranges = list(zip(starts, bounds, strict=True))
        # running sum and max, one step per range: the graph grows linearly
        before, carry, latest, newlines = 0, None, None, None
        for k, (a, b) in enumerate(ranges):
            if k:  # lines before this range: those before the last one, and its own
                before = dask.delayed(operator.add)(before, newlines)
            newlines = dask.delayed(_newlines)(str(src.path), a, b)
            part = dask.delayed(_read_range)(str(src.path), a, b, size, before, opts, meta)
            if timed:  # out of order against the file's earlier ranges too
                if k:
                    carry = latest if k == 1 else dask.delayed(max)(carry, latest)
                    latest = dask.delayed(_latest)(part)
                    part = dask.delayed(_order_after)(part, carry)
                else:
                    latest = dask.delayed(_latest)(part)
            parts.append(part)
    if small:
        parts.append(dask.delayed(_whole_file)(small, opts, meta))
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def fit_templates(
    frame: dd.DataFrame, *, column: str = S.MESSAGE, split_every: int = 8, **miner_options
) -> TemplateMiner:
    """One :class:`~llamalog.TemplateMiner` fitted on every partition of ``frame``.

    Each partition is fitted on its own (in parallel), then the miners are merged
    ``split_every`` at a time into one id space; the merged miner is returned (computed).
    ``miner_options`` go to ``TemplateMiner``.
    """
    miners = [dask.delayed(_fit_part)(part, column, miner_options) for part in frame.to_delayed()]
    if not miners:
        return TemplateMiner(**miner_options)
    while len(miners) > 1:
        miners = [
            dask.delayed(_merge_all)(miners[i : i + split_every])
            for i in range(0, len(miners), split_every)
        ]
    return miners[0].compute()


def add_templates(
    frame: dd.DataFrame, miner: TemplateMiner, *, column: str = S.MESSAGE
) -> dd.DataFrame:
    """``frame`` with ``template_id`` and ``template`` from a fitted ``miner`` (lazily)."""
    meta = _add_templates(frame._meta, miner, column=column)
    return frame.map_partitions(_add_templates, miner, column=column, meta=meta)


# --------------------------------------------------------------------------- tasks


def _fit_part(part: pd.DataFrame, column: str, options: dict) -> TemplateMiner:
    miner = TemplateMiner(**options)
    return miner.fit(part[column]) if len(part) else miner


def _merge_all(miners: list[TemplateMiner]) -> TemplateMiner:
    fitted = [m for m in miners if hasattr(m, "_state")]
    if not fitted:
        return miners[0]
    out = fitted[0]
    for m in fitted[1:]:
        out.merge(m)
    return out


def _newlines(path: str, start: int, stop: int) -> int:
    """``\\n`` bytes in ``[start, stop)`` of a file."""
    with open(path, "rb") as f:
        return count_newlines(f, start, stop)


def _line_start(f, pos: int) -> int:
    """The first line start at or after byte ``pos`` (0 stays 0)."""
    if pos == 0:
        return 0
    f.seek(pos - 1)
    while True:
        chunk = f.read(1 << 16)
        if not chunk:
            return f.tell()
        cut = chunk.find(b"\n")
        if cut >= 0:
            return f.tell() - len(chunk) + cut + 1


def _read_range(
    path: str, start: int, stop: int, size: int, before: int, opts: dict, meta: pd.DataFrame
) -> pd.DataFrame:
    """The records whose first line starts in this range's share of the file.

    The range owns the lines that start in ``[start, stop)``; ``before`` is the number
    of newlines before ``start``. With multi-line joining its share of records runs
    from its first record whose header matches to the next range's first such record,
    so bytes are read past ``stop`` (more and more) until one is seen or the file ends.
    """
    _, ro = _options(path, **opts)
    joins = ro.layout is not None and ro.layout.multiline
    with open(path, "rb") as f:
        begin = _line_start(f, start)
        end = _line_start(f, stop) if stop < size else size
        if begin >= end:
            return meta.copy()
        cut = False  # ``start`` falls inside a line
        if start > 0:
            f.seek(start - 1)
            cut = f.read(1) != b"\n"
        lines_before = before + cut  # that line's newline lies in [start, begin)
        f.seek(begin)
        head = f.read(end - begin)
        own_last = lines_before + head.count(b"\n") + (not head.endswith(b"\n"))
        ahead = max(stop - start, 1 << 16) // 4
        while True:
            extra = b""
            if joins and end < size:
                f.seek(end)
                extra = f.read(ahead)
                if end + len(extra) < size:
                    extra = extra[: extra.rfind(b"\n") + 1]  # whole lines only
            frame, matched = _parse_bytes(head + extra, path, lines_before, ro)
            line = frame[S.LINE].to_numpy()
            if not joins:
                return _conform(frame, meta)
            after = matched[matched > own_last]  # the next range's first record
            if len(after) or end + len(extra) >= size:
                last = int(after[0]) if len(after) else np.iinfo(np.int64).max
                first = lines_before + 1 if start == 0 else _first(matched)
                return _conform(frame[(line >= first) & (line < last)], meta)
            ahead *= 2


def _times(frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(frame[S.TIMESTAMP].dt.as_unit("ns").array.asi8, dtype=np.int64)


def _latest(frame: pd.DataFrame) -> int:
    """The latest timestamp of a partition (the int64 minimum, NaT's, when it has none)."""
    ts = _times(frame)
    return int(ts.max()) if len(ts) else _NAT


def _order_after(frame: pd.DataFrame, carry: int) -> pd.DataFrame:
    """Flag ``out_of_order`` the records earlier than ``carry``, the latest time of the
    file's earlier ranges (within a range the parse flagged them already)."""
    ts = _times(frame)
    late = (ts != _NAT) & (ts < carry)
    if not late.any():
        return frame
    col = frame[S.FLAGS]
    bit = {name: b for b, name in FLAG_NAMES.items()}
    cat_bits = np.array(
        [sum(bit[n] for n in str(c).split(",") if n) for c in col.cat.categories] + [0],
        dtype=np.uint8,
    )
    bits = cat_bits[col.cat.codes.to_numpy()]
    bits[late] |= OUT_OF_ORDER
    frame = frame.copy()
    frame[S.FLAGS] = flag_names(bits)
    return frame


def _first(lines: np.ndarray) -> int:
    """The first of ``lines`` (none: a number past every line)."""
    return int(lines[0]) if len(lines) else np.iinfo(np.int64).max


def _parse_bytes(data: bytes, path: str, lines_before: int, ro) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse whole lines as ``read_logs`` would from line ``lines_before + 1`` of ``path``;
    also the first lines of the records whose header matched."""
    state = SourceState(path, mtime=os.path.getmtime(path))
    state.lines_done = lines_before
    if ro.year is not None:
        state.year.base = ro.year
    block = _parse(np.frombuffer(data, dtype=np.uint8), state, ro, final=True)
    matched = np.asarray(block.line[block.parse_ok], dtype=np.int64)
    return assemble([(0, block)], [path], ro.layout, ro.columns), matched


def _whole_file(path: str | list[str], opts: dict, meta: pd.DataFrame) -> pd.DataFrame:
    """A partition of whole files: a compressed file, or a run of small plain ones."""
    return _conform(_read_logs(path, **opts), meta)


def _meta(src: Source, opts: dict) -> pd.DataFrame:
    """The empty frame every partition matches: columns and dtypes from a sample (the
    first 64 kB of a plain file, the first 1,000 records of a compressed one)."""
    with warnings.catch_warnings():  # a sample's match rate is no news: the reads warn
        warnings.simplefilter("ignore", LlamalogWarning)
        if _is_plain_file(src):
            with open(src.path, "rb") as f:
                sample = f.read(1 << 16)
            sample = sample[: sample.rfind(b"\n") + 1] or sample
            frame = _read_logs(io.BytesIO(sample), **opts)
        else:  # decompress only what the first records need
            chunks = iter_logs(src.path, chunksize=1000, **opts)
            frame = next(chunks)
            chunks.close()
    meta = frame.iloc[:0].copy()
    varying = [
        c for c in meta.columns if isinstance(meta[c].dtype, pd.CategoricalDtype) and c != S.LEVEL
    ]
    return _utils.clear_known_categories(meta, cols=varying)


def _conform(frame: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns and column kinds of ``meta`` (a field may come out
    categorical in one partition and text in another)."""
    frame = frame.reset_index(drop=True)
    for col in meta.columns:
        want, have = meta[col].dtype, frame[col].dtype
        if isinstance(want, pd.CategoricalDtype) and not isinstance(have, pd.CategoricalDtype):
            frame[col] = frame[col].astype("category")
        elif not isinstance(want, pd.CategoricalDtype) and isinstance(have, pd.CategoricalDtype):
            frame[col] = frame[col].astype(want)
    return frame[list(meta.columns)]
