"""Follow live log files as they grow: ``tail -F`` that yields parsed DataFrames.

:func:`follow` watches a file, or the files a glob or a directory names (looked at
again while following, so files created later join): woken by Linux inotify where it
can, polling every ``poll`` seconds otherwise. Each time new complete lines have
arrived in a file it parses them with the same engine as :func:`~llamalog.read_logs`
and yields them as a DataFrame with the same columns, line numbers continuing where
that file's last batch stopped. What a batch cannot finish yet waits for the next one:

- a line without its ``\\n`` (the writer is half-way through it) waits for the rest;
- with ``multiline`` joining (stack traces), the last record waits for lines that may
  continue it, and is yielded alone once ``flush_after`` seconds pass without any.

Concatenating the batches of a file that is only appended to gives what ``read_logs``
gives on its final content. Files are known by identity (device and inode), not by
name, so rotation loses and repeats nothing that reached a followed file:

- **renamed** (logrotate's ``create``): the file is read on from where it was. Named
  still (``app.log*``, a folder) it is followed under its new name; no longer named, it
  is read to its end once its old name is another file's or it is deleted, then closed.
- **deleted**: read to its end, then closed (its descriptor and disk space released).
- **truncated** (``copytruncate``): noticed when the file is shorter than what was read,
  or when its first bytes (up to 4 KiB) differ from those read, so a file truncated and
  written again past the old offset is noticed too. What was not read yet of the old
  content is read from its copy (a file beside it, or followed, that starts with the
  same bytes and is at least as long: logrotate's ``app.log.1``), under the original's
  name and line numbers; the copy is not yielded again. Then the file is read from its
  start.
- **unreadable** (permissions): left out with a :class:`~llamalog.LlamalogWarning`, as
  ``read_logs`` does, and tried again at each poll; once readable it is read from where
  it was when ``follow`` was called (from its start if it was created later).

What no follower of names can deliver, and is not delivered:

- with ``copytruncate``, the lines written between the end of the copy and the
  truncation: they are in neither file, and only a reader that read the file in that
  instant has them (``tail -F`` sometimes does); when no copy is found (a plain
  truncation, a copy kept elsewhere or compressed at once), also the lines written
  since the file was last read (inotify wakes ``follow`` at each write on Linux);
- a file deleted before ``follow`` opened it; following one name, a file renamed away
  before ``follow`` opened it (two rotations between two looks), and lines written to the
  renamed file after the new one appeared and the old one was read to its end
  (following ``app.log*`` or the folder keeps renamed files followed instead);
- a file truncated and written again with the same first 4 KiB and past the old offset
  is taken as appended to; a file created while following that begins with the same
  whole lines as a followed one is taken as its copy and not read.

Compressed files cannot be followed (their end is not a record boundary): read them
with :func:`~llamalog.read_logs` or :func:`~llamalog.iter_logs`.
"""

from __future__ import annotations

import collections
import copy
import io
import os
import stat
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

_HEAD = 4096  # first bytes kept per file: recognise it rewritten, or a copy of it
_SIBLINGS = 1000  # files beside a truncated one looked at for its copy
_DONE = 1024  # files let go of that are remembered, should they be named again
_KEYS = {"multiline", "message", "time_format", "time_fields", "tz", "year", "json_options"}


class _Tail:
    """One open file being followed: its handle, position, first bytes and parse state.

    A file is known by its identity (device, inode), not by its name: a rotated file
    renamed ``app.log.1`` is the same ``_Tail``, read on from where it was.
    """

    def __init__(self, path: Path, year: int | None, *, start: int) -> None:
        self.f = open(path, "rb")
        try:
            st = os.fstat(self.f.fileno())
            head = self.f.read(3)
            if any(head.startswith(magic) for magic in _MAGIC):
                raise SourceError(
                    f"{path} is compressed; a compressed file cannot be followed as it "
                    "grows. Read it whole with llamalog.read_logs or llamalog.iter_logs."
                )
        except BaseException:
            self.f.close()
            raise
        self.ident = (st.st_dev, st.st_ino)
        self.path = path  # its name now (a rename updates it)
        self.year = year
        self.copy_of: tuple[int, int] | None = None  # a copy of that file: not read
        self.fresh = False  # born while following: checked for being a copy first
        self.adopted = False  # a copy read on from where its original was truncated
        self.state = SourceState(str(path), mtime=st.st_mtime)
        if year is not None:
            self.state.year.base = year
        start = min(start, st.st_size)
        if start:
            # begin after the last complete line, numbering lines as the file does
            self.state.lines_done = count_newlines(self.f, 0, start)
            start = self._line_start(start)
        self.head = os.pread(self.f.fileno(), min(start, _HEAD), 0)  # the file's first bytes
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

    def read_new(self, limit: int) -> int:
        """Append up to ``limit`` new bytes to ``pending``; how many came."""
        data = self.f.read(limit)
        if not data:
            return 0
        if len(self.head) == self.pos < _HEAD:
            self.head += data[: _HEAD - self.pos]
        self.pos += len(data)
        self.pending = np.concatenate([self.pending, np.frombuffer(data, dtype=np.uint8)])
        return len(data)

    def unread(self, n: int) -> None:
        """Forget the last ``n`` bytes read (they may be another generation's)."""
        self.pos -= n
        self.pending = self.pending[: len(self.pending) - n].copy()
        self.head = self.head[: self.pos]
        self.f.seek(self.pos)

    def rewritten(self) -> bool:
        """Whether the file is no longer what was read: shorter than the offset reached
        (truncated) or with other first bytes (truncated and written again, even past the
        old offset)."""
        fd = self.f.fileno()
        # a copy taken over may be shorter than the original was read: not a truncation
        if os.fstat(fd).st_size < self.pos and not self.adopted:
            return True
        first = os.pread(fd, len(self.head), 0)
        return first != self.head[: len(first)]

    def restart(self) -> _Tail:
        """Read the file again from its start; return what the old content left behind
        (its parse state, position and held-back bytes) as a detached copy."""
        old = copy.copy(self)
        self.state = SourceState(str(self.path), mtime=os.fstat(self.f.fileno()).st_mtime)
        if self.year is not None:
            self.state.year.base = self.year
        self.pos, self.head, self.held_since = 0, b"", None
        self.pending = np.zeros(0, dtype=np.uint8)
        self.f.seek(0)
        return old

    def take_over(self, old: _Tail) -> None:
        """Go on with ``old``'s content from this file, a copy of it (copytruncate)."""
        self.state, self.pending, self.held_since = old.state, old.pending, old.held_since
        self.pos, self.head = old.pos, old.head
        self.f.seek(self.pos)
        self.copy_of, self.fresh, self.adopted = None, False, True

    def continues(self, old: _Tail) -> bool:
        """Whether this file still holds ``old``'s content (same first bytes, as long)."""
        fd = self.f.fileno()
        return os.fstat(fd).st_size >= old.pos and os.pread(fd, len(old.head), 0) == old.head

    def same_start(self, other: _Tail) -> bool:
        """Whether both files begin with the same whole line(s): one copies the other."""
        n = min(len(self.head), len(other.head))
        return n > 0 and self.head[:n] == other.head[:n] and b"\n" in self.head[:n]

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
        Seconds to sleep when nothing new has arrived. On Linux, inotify wakes the follow
        as soon as a followed folder changes, so this is only the longest wait (files in
        folders created later, and other systems, are polled).
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

    Warns
    -----
    LlamalogWarning
        A compressed file among several is left out; a file that cannot be read
        (permissions) is skipped until it can (warned once per file).

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
    state = _Following(files, options.get("year"), from_start=from_start, strict=single)
    state.block = parse_size(block_size)

    def resolve() -> ReadOptions | None:
        # a file that cannot be read yet (permissions) is passed over, as read_logs does
        for tail in list(state.tails.values()):
            try:
                if tail.copy_of is None and os.fstat(tail.f.fileno()).st_size:
                    return _options(str(tail.path), format=format, columns=columns, **options)[1]
            except OSError:
                continue
        if format == "auto":
            return None  # detecting a format needs lines: wait for the first ones
        # a given format needs no file: an empty stream stands in when none exists yet
        return _options(io.BytesIO(b""), format=format, columns=columns, **options)[1]

    try:
        for _ in _scan(state, initial=True):  # where to start is fixed now, not at next()
            pass
        state.opts = resolve()  # a bad format fails here
    except BaseException:
        state.close()
        raise
    state.resolve = resolve
    return _follow(state, poll, flush_after, idle_timeout)


class _Following:
    """What a follow carries between polls: the open files by identity and what is
    known of the files it cannot follow (compressed, or not readable yet)."""

    def __init__(self, files: _Files, year, *, from_start: bool, strict: bool) -> None:
        self.files, self.year, self.from_start, self.strict = files, year, from_start, strict
        self.tails: dict[tuple[int, int], _Tail] = {}
        self.skipped: set[tuple[int, int]] = set()  # compressed: never followed
        self.unreadable: dict[tuple[int, int], int] = {}  # where to start once readable
        self.done: dict[tuple[int, int], _Tail] = {}  # let go of while not deleted
        # old contents of truncated files whose copy was not found (yet)
        self.truncated: collections.deque[_Tail] = collections.deque(maxlen=64)
        self.opts: ReadOptions | None = None
        self.resolve = None
        self.block = 1 << 23
        self.wakeup = _Wakeup()

    def close(self) -> None:
        for tail in self.tails.values():
            tail.close()
        self.tails.clear()
        self.wakeup.close()


class _Wakeup:
    """Sleep until a followed folder changes or ``poll`` seconds pass: Linux inotify
    (``inotify_simple``) wakes a follow as soon as a line is written, as ``tail -F``
    does, so a file truncated right after a write loses as little; elsewhere, polling."""

    def __init__(self) -> None:
        self.watched: set[str] = set()
        try:
            from inotify_simple import INotify, flags

            self.inotify = INotify()
        except (ImportError, OSError):  # not Linux, not installed, or no watches left
            self.inotify = None
            return
        self.mask = (
            flags.MODIFY | flags.CREATE | flags.DELETE | flags.MOVED_FROM | flags.MOVED_TO
        ) | flags.ATTRIB

    def watch(self, files: _Files, tails) -> None:
        """Watch the folders of the followed files and those the source names."""
        if self.inotify is None:
            return
        folders = {str(Path(t.path).parent) for t in tails.values()}
        for text in files.items:
            path = Path(text).expanduser()
            if path.is_dir():
                folders.add(str(path))
            else:
                parts = path.parts
                plain = [i for i, part in enumerate(parts) if _is_glob(part)]
                folders.add(str(Path(*parts[: plain[0]]) if plain else path.parent))
        for folder in folders - self.watched:
            try:
                self.inotify.add_watch(folder, self.mask)
                self.watched.add(folder)
            except OSError:  # gone, or the watch limit is reached: polling covers it
                pass

    def sleep(self, seconds: float) -> None:
        if self.inotify is None:
            time.sleep(seconds)
        else:
            self.inotify.read(timeout=max(1, int(seconds * 1000)))

    def close(self) -> None:
        if self.inotify is not None:
            self.inotify.close()


def _named(files: _Files) -> dict[tuple[int, int], Path]:
    """The files the source names now, by identity (first name wins)."""
    out: dict[tuple[int, int], Path] = {}
    for path in files.now():
        try:
            st = os.stat(path)
        except OSError:  # gone since the listing
            continue
        out.setdefault((st.st_dev, st.st_ino), path)
    return out


def _scan(state: _Following, *, initial: bool = False):
    """Look at the files named now: follow new ones, let go of the ones rotated away or
    deleted (read to their end first). Yields frames; returns whether anything changed."""
    named = _named(state.files)
    changed = False
    for ident, tail in list(state.tails.items()):
        if ident in named:
            tail.path = named[ident]  # a rename (rotation) keeps the file and its offset
        elif tail.copy_of is not None:  # a copy never read, no longer named
            tail.close()
            del state.tails[ident]
        elif state.opts is not None and _retired(tail):
            yield from _pump(state, tail, limit=None)
            frame = _complete(tail, state.opts, final=True)
            if frame is not None:
                yield frame
            if os.fstat(tail.f.fileno()).st_nlink:
                # renamed, maybe where the listing looked already: if it is named again,
                # it goes on from here (a bounded memory of such files)
                state.done[ident] = tail
                while len(state.done) > _DONE:
                    del state.done[next(iter(state.done))]
            tail.close()
            del state.tails[ident]
            changed = True
    for ident, path in named.items():
        if ident in state.tails or ident in state.skipped:
            continue
        if initial:
            try:
                start = 0 if state.from_start else os.stat(path).st_size
            except OSError:  # gone since the listing
                continue
        else:  # born while following: all its lines are new
            start = state.unreadable.get(ident, 0)
        tail = _open(state, ident, path, start)
        if tail is None:
            continue
        if tail.ident in state.tails:  # renamed over between listing and opening
            tail.close()
            continue
        done = state.done.pop(tail.ident, None)
        if done is not None and tail.continues(done):
            tail.take_over(done)
            tail.adopted = False
        else:
            tail.fresh = not initial and start == 0
        state.tails[tail.ident] = tail
        state.unreadable.pop(ident, None)
        changed = True
    state.wakeup.watch(state.files, state.tails)
    return changed


def _open(state: _Following, ident, path: Path, start: int) -> _Tail | None:
    """Start following ``path``: a compressed file is refused (one named file) or left
    out; one that cannot be read is left out with a warning and tried again later."""
    try:
        return _Tail(path, state.year, start=start)
    except SourceError:
        if state.strict:
            raise
        state.skipped.add(ident)
        warnings.warn(
            f"follow: {path} is compressed and is not followed", LlamalogWarning, stacklevel=4
        )
    except PermissionError as exc:
        if ident not in state.unreadable:
            state.unreadable[ident] = start
            warnings.warn(
                f"follow: skipped {path} for now: {exc.strerror or exc}; "
                "it is tried again at each poll",
                LlamalogWarning,
                stacklevel=4,
            )
    except (FileNotFoundError, IsADirectoryError):  # gone between listing and opening
        pass
    return None


def _retired(tail: _Tail) -> bool:
    """Whether a file no longer named will not be written again: a copy read on after its
    original's truncation, a deleted file, or one whose name now is another file's."""
    if tail.adopted or os.fstat(tail.f.fileno()).st_nlink == 0:
        return True
    try:
        st = os.stat(tail.path)
    except OSError:  # renamed and not recreated yet: the writer may still append to it
        return False
    return (st.st_dev, st.st_ino) != tail.ident


def _pump(state: _Following, tail: _Tail, limit: int | None = 16):
    """Read what is new in ``tail`` (at most ``limit`` blocks), yielding its whole
    records; returns whether bytes came."""
    got = False
    while limit is None or limit > 0:
        if limit is not None:
            limit -= 1
        if tail.rewritten():
            yield from _truncated(state, tail)
        n = tail.read_new(state.block)
        if not n:
            break
        if tail.rewritten():  # truncated while reading: the bytes may be the new content's
            tail.unread(n)
            continue
        got = True
        if tail.fresh and not _not_a_copy(state, tail):
            continue
        frame = _complete(tail, state.opts, final=False)
        if frame is not None:
            yield frame
    return got


def _not_a_copy(state: _Following, tail: _Tail) -> bool:
    """Decide whether a file born while following is a copy of a followed one (the copy
    ``copytruncate`` makes before truncating): a copy is not read, its lines come from
    the original. False while undecided (no whole first line yet) or when a copy."""
    if b"\n" not in tail.head and len(tail.head) < _HEAD:
        return False
    for other in state.tails.values():
        if other is not tail and other.copy_of is None and not other.fresh:
            if tail.same_start(other):
                tail.copy_of = other.ident
                tail.pending = np.zeros(0, dtype=np.uint8)
                return False
    for old in state.truncated:
        if tail.same_start(old):  # the copy of a file truncated before it was seen
            state.truncated.remove(old)
            tail.take_over(old)
            return False
    tail.fresh = False
    return True


def _truncated(state: _Following, tail: _Tail):
    """``tail``'s file was truncated (and maybe written again): read it anew from its
    start. What was not read of the old content is read from its copy when one exists
    (same first bytes, at least as long as what was read); else it is lost."""
    old = tail.restart()
    copy_tail = _find_copy(state, tail, old) if old.pos else None
    if copy_tail is None:
        frame = _complete(old, state.opts, final=True)
        if frame is not None:
            yield frame
        # a copy seen later (still being written, or found by a later listing) goes on
        # from here: it is not read again from its start
        state.truncated.append(old)
        return
    copy_tail.take_over(old)
    yield from _pump(state, copy_tail, limit=None)


def _find_copy(state: _Following, tail: _Tail, old: _Tail) -> _Tail | None:
    """The file that holds ``old``'s content beyond ``old.pos``: among the followed ones
    and the files beside the truncated one, the newest that starts with ``old.head``."""
    paths = list(state.files.now())
    try:
        with os.scandir(Path(tail.path).parent) as entries:
            paths += [Path(e.path) for e, _ in zip(entries, range(_SIBLINGS), strict=False)]
    except OSError:
        pass
    best = None
    for path in dict.fromkeys(paths):
        try:
            st = os.stat(path)
            ident = (st.st_dev, st.st_ino)
            known = state.tails.get(ident)
            if ident == tail.ident or not stat.S_ISREG(st.st_mode) or st.st_size < old.pos:
                continue
            if known is not None and known.copy_of is None and not known.fresh:
                continue  # a file being read for its own sake
            with open(path, "rb") as f:
                if f.read(len(old.head)) != old.head:
                    continue
        except OSError:
            continue
        if best is None or st.st_mtime > best[0]:
            best = (st.st_mtime, path, ident)
    if best is None:
        return None
    _, path, ident = best
    if ident in state.tails:
        return state.tails[ident]
    try:
        found = _Tail(path, state.year, start=0)
    except (OSError, SourceError):
        return None
    if found.ident != ident:
        found.close()
        return None
    state.tails[ident] = found
    return found


def _follow(state: _Following, poll, flush_after, idle_timeout):
    last_data = last_scan = time.monotonic()
    tails = state.tails
    try:
        while state.opts is None:  # format="auto" and no line yet
            yield from _scan(state)
            state.opts = state.resolve()
            if state.opts is not None:
                break
            if idle_timeout is not None and time.monotonic() - last_data >= idle_timeout:
                return
            state.wakeup.sleep(poll)
        opts = state.opts
        while True:
            got = False
            for tail in list(tails.values()):
                if tail.copy_of is None and tail.ident in tails:
                    if (yield from _pump(state, tail)):
                        got = True
            now = time.monotonic()
            if got:
                last_data = now
            if not got or now - last_scan >= poll:
                last_scan = now
                if (yield from _scan(state)):
                    last_data = now
                    continue
            if got:
                continue
            flushed = False
            for tail in list(tails.values()):
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
                for tail in list(tails.values()):
                    if tail.copy_of is None:
                        frame = _complete(tail, opts, final=True)
                        if frame is not None:
                            yield frame
                return
            state.wakeup.sleep(poll)
    finally:
        state.close()


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
