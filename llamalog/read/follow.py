"""Follow live log files as they grow: ``tail -F`` that yields parsed DataFrames.

:func:`follow` polls a file, or the files a glob or a directory names (looked at again
while following, so files created later join). Each time new complete lines have
arrived in a file it parses them with the same engine as :func:`~llamalog.read_logs`
and yields them as a DataFrame with the same columns, line numbers continuing where
that file's last batch stopped. What a batch cannot finish yet waits for the next one:

- a line without its ``\\n`` (the writer is half-way through it) waits for the rest;
- with ``multiline`` joining (stack traces), the last record waits for lines that may
  continue it, and is yielded alone once ``flush_after`` seconds pass without any.

Rotation is followed as ``tail -F`` does: when the path names another file (renamed
and recreated, as logrotate does) the old file is read to its end and the new one from
its start; when the file shrinks (``copytruncate``) it is read again from its start.
Each record is yielded exactly once, and concatenating the batches of a file that is
only appended to gives what ``read_logs`` gives on its final content.

Compressed files cannot be followed (their end is not a record boundary): read them
with :func:`~llamalog.read_logs` or :func:`~llamalog.iter_logs`.
"""

from __future__ import annotations

import io
import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LlamalogWarning, SourceError
from ..parse.engine import SourceState
from .reader import ReadOptions, _options, _parse, assemble, parse_size
from .sources import _MAGIC, _is_glob, count_newlines, dir_files, glob_files, last_newline

_KEYS = {"multiline", "message", "time_format", "time_fields", "tz", "year", "json_options"}


class _Tail:
    """One open generation of the followed file: its handle, position and parse state."""

    def __init__(self, path: Path, year: int | None, *, from_start: bool) -> None:
        self.f = open(path, "rb")
        st = os.fstat(self.f.fileno())
        self.ino = (st.st_dev, st.st_ino)
        head = self.f.read(3)
        if any(head.startswith(magic) for magic in _MAGIC):
            self.f.close()
            raise SourceError(
                f"{path} is compressed; a compressed file cannot be followed as it grows. "
                "Read it whole with llamalog.read_logs or llamalog.iter_logs."
            )
        self.state = SourceState(str(path), mtime=st.st_mtime)
        if year is not None:
            self.state.year.base = year
        start = 0 if from_start else st.st_size
        if start:
            # begin after the last complete line, numbering lines as the file does
            self.state.lines_done = count_newlines(self.f, 0, start)
            start = self._line_start(start)
        self.f.seek(start)
        self.pos = start
        self.pending = np.zeros(0, dtype=np.uint8)  # bytes read, not yet a whole record
        self.held_since: float | None = None  # when ``pending`` last stopped growing

    def _line_start(self, end: int) -> int:
        """The offset just after the last ``\\n`` before ``end`` (0 if none)."""
        pos = end
        while pos > 0:
            step = min(pos, 1 << 16)
            self.f.seek(pos - step)
            chunk = self.f.read(step)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                return pos - step + cut + 1
            pos -= step
        return 0

    def read_new(self, limit: int) -> bool:
        """Append up to ``limit`` new bytes to ``pending``; whether any came."""
        data = self.f.read(limit)
        if not data:
            return False
        self.pos += len(data)
        self.pending = np.concatenate([self.pending, np.frombuffer(data, dtype=np.uint8)])
        return True

    def close(self) -> None:
        self.f.close()


class _Files:
    """The files a followed source names now: a file, a glob, a directory (its regular,
    non-hidden files) or a list of these. Looked at again while following, so files
    created later (a glob's new match, a directory's new file) are followed too."""

    def __init__(self, source) -> None:
        items = source if isinstance(source, list | tuple) else [source]
        self.items = [os.fspath(item) for item in items]

    def waits(self) -> bool:
        """Whether naming no file yet is fine (a glob or a directory can fill later)."""
        return any(_is_glob(t) or Path(t).expanduser().is_dir() for t in self.items)

    def now(self) -> list[Path]:
        """The files named now (as :func:`~llamalog.read_logs` would list them)."""
        out: list[Path] = []
        for text in self.items:
            path = Path(text).expanduser()
            if path.is_dir():
                out += dir_files(path)
            elif path.is_file():
                out.append(path)
            elif _is_glob(text):
                out += glob_files(text)
        return [p for p in dict.fromkeys(out) if p.is_file()]


def follow(
    path,
    format: str = "auto",
    *,
    from_start: bool = False,
    poll: float = 0.5,
    flush_after: float = 1.0,
    idle_timeout: float | None = None,
    block_size: int | str = "8MB",
    columns=None,
    **options,
) -> Iterator[pd.DataFrame]:
    """Yield the records appended to log files, as DataFrames, while they grow.

    Parameters
    ----------
    path : path, glob, directory or a list of them
        The plain-text log files to follow (``tail -F``: each across rotation and
        truncation). A glob or a directory is looked at again while following, so a
        file created later is followed from its first line. Compressed files among
        them (rotated ``.gz`` archives) are left out with a warning.
    format : str
        As for :func:`~llamalog.read_logs`; ``"auto"`` detects from the lines already
        written (waiting for the first ones when there are none).
    from_start : bool
        Yield the lines already in the files first (default: only lines written after
        the call; their ``line`` numbers still count from the top of each file).
    poll : float
        Seconds to sleep when nothing new has arrived.
    flush_after : float
        Seconds a finished last record waits for continuation lines (multi-line
        formats) before it is yielded on its own.
    idle_timeout : float, optional
        Stop after this many seconds without new bytes in any file, yielding whatever
        was still held (a last line without ``\\n`` included). Default: follow until the
        caller stops iterating (``break``, or interrupting the notebook cell).
    block_size, columns, **options
        As for :func:`~llamalog.read_logs` (``multiline``, ``message``, ``time_format``,
        ``time_fields``, ``tz``, ``year``, ``json_options``).

    Yields
    ------
    DataFrame
        The records of one file completed since its previous batch, with the columns
        ``read_logs`` gives for this format (``source`` names the file).

    Raises
    ------
    SourceError
        A named file does not exist (a glob or a directory may name none yet), or a
        single named file is compressed.

    Examples
    --------
    Mine templates as lines arrive (stop with the notebook's interrupt button):

    >>> import llamalog
    >>> miner = llamalog.TemplateMiner()
    >>> fmt = "<Date> <Time> <Level> <Content>"
    >>> for batch in llamalog.follow("/var/log/app.log", format=fmt):  # doctest: +SKIP
    ...     miner.partial_fit(batch["message"])
    ...     print(llamalog.add_templates(batch, miner)[["line", "level", "template"]])
    """
    unknown = set(options) - _KEYS
    if unknown:
        raise TypeError(f"follow() got unknown options {sorted(unknown)}")
    for name, value in (("poll", poll), ("flush_after", flush_after)):
        if not value >= 0:
            raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
    files = _Files(path)
    found = files.now()
    if not found and not files.waits():
        raise SourceError(f"no such file: {path!r}; follow() needs an existing log file")
    single = len(files.items) == 1 and not files.waits()
    year = options.get("year")
    tails: dict[Path, _Tail] = {}
    skipped: set[Path] = set()
    for f in found:  # where to start is fixed now, not when the first batch is asked for
        _open(tails, skipped, f, year, from_start=from_start, strict=single)

    def resolve() -> ReadOptions | None:
        named = [f for f in files.now() if f not in skipped and os.path.getsize(f)]
        if format == "auto" and not named:
            return None  # detecting a format needs lines: wait for the first ones
        # a given format needs no file: an empty stream stands in when none exists yet
        source = str(named[0]) if named else io.BytesIO(b"")
        return _options(source, format=format, columns=columns, **options)[1]

    try:
        opts = resolve()  # a bad format fails here
    except BaseException:
        for t in tails.values():
            t.close()
        raise
    state = _Following(files, tails, skipped, year, opts, resolve)
    return _follow(state, parse_size(block_size), poll, flush_after, idle_timeout)


class _Following:
    """What a follow carries between polls."""

    def __init__(self, files, tails, skipped, year, opts, resolve) -> None:
        self.files, self.tails, self.skipped = files, tails, skipped
        self.year, self.opts, self.resolve = year, opts, resolve


def _open(tails, skipped, path: Path, year, *, from_start: bool, strict: bool) -> None:
    """Start following ``path``; a compressed one is refused (``strict``) or left out."""
    try:
        tails[path] = _Tail(path, year, from_start=from_start)
    except SourceError:
        if strict:
            raise
        skipped.add(path)
        warnings.warn(
            f"follow: {path} is compressed and is not followed", LlamalogWarning, stacklevel=4
        )
    except FileNotFoundError:  # gone between listing and opening
        pass


def _follow(state: _Following, block_bytes, poll, flush_after, idle_timeout):
    last_data = time.monotonic()
    tails = state.tails
    try:
        while state.opts is None:  # format="auto" and no line yet
            state.opts = state.resolve()
            if state.opts is not None:
                break
            for f in state.files.now():
                if f not in tails and f not in state.skipped:
                    _open(tails, state.skipped, f, state.year, from_start=True, strict=False)
            if idle_timeout is not None and time.monotonic() - last_data >= idle_timeout:
                return
            time.sleep(poll)
        opts = state.opts
        while True:
            got = False
            for tail in list(tails.values()):
                while tail.read_new(block_bytes):
                    got = True
                    frame = _complete(tail, opts, final=False)
                    if frame is not None:
                        yield frame
            now = time.monotonic()
            if got:
                last_data = now
                continue
            for path, tail in list(tails.items()):
                if not _replaced(path, tail):
                    continue
                try:  # read the old file to its end, then the new one from its start
                    fresh = _Tail(path, opts.year, from_start=True)
                except FileNotFoundError:  # gone again before it could be opened
                    continue
                while tail.read_new(block_bytes):
                    frame = _complete(tail, opts, final=False)
                    if frame is not None:
                        yield frame
                frame = _complete(tail, opts, final=True)
                if frame is not None:
                    yield frame
                tail.close()
                tails[path] = fresh
                last_data = now
            for f in state.files.now():  # files that appeared since: all their lines are new
                if f not in tails and f not in state.skipped:
                    _open(tails, state.skipped, f, state.year, from_start=True, strict=False)
            flushed = False
            for tail in tails.values():
                if (
                    tail.held_since is not None
                    and now - tail.held_since >= flush_after
                    and len(tail.pending)
                    and tail.pending[-1] == 10
                ):
                    frame = _complete(tail, opts, final=True)
                    flushed = True
                    if frame is not None:
                        yield frame
            if flushed:
                continue
            if idle_timeout is not None and now - last_data >= idle_timeout:
                for tail in tails.values():
                    frame = _complete(tail, opts, final=True)
                    if frame is not None:
                        yield frame
                return
            time.sleep(poll)
    finally:
        for tail in tails.values():
            tail.close()


def _replaced(path: Path, tail: _Tail) -> bool:
    """Whether the path now names another file (rotation) or a file shorter than what was
    read (truncated in place, as ``copytruncate`` does): either way, read it anew."""
    try:
        st = os.stat(path)
    except OSError:  # between a rename and the new file: keep the old one for now
        return False
    return (st.st_dev, st.st_ino) != tail.ino or st.st_size < tail.pos


def _complete(tail: _Tail, opts: ReadOptions, *, final: bool) -> pd.DataFrame | None:
    """Parse the whole records in ``tail.pending`` (all of it when ``final``) into a frame."""
    buf = tail.pending
    if not len(buf):
        return None
    if not final:
        cut = last_newline(buf) + 1
        if cut == 0:  # no whole line yet
            tail.held_since = time.monotonic()
            return None
        buf = buf[:cut]
    block = _parse(buf, tail.state, opts, final=final)
    used = len(buf) if final else block.bytes_used
    tail.pending = tail.pending[used:].copy()
    tail.held_since = time.monotonic() if len(tail.pending) else None
    if not block.n:
        return None
    return assemble([(0, block)], [tail.state.name], opts.layout, opts.columns)
