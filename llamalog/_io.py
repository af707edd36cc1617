"""Writing files safely and reading saved arrays defensively.

Every file llamalog saves goes through :func:`atomic_write`: the bytes go to a
temporary file in the destination's folder, are flushed and fsynced, and the file is
renamed over the destination (``os.replace``), then the folder is fsynced. A reader,
or a process killed half-way (even by SIGKILL), sees the old file or the new one,
never half of one. A new file gets the usual permissions (``0o666`` less the umask),
as ``open`` would give it.

CSV tables meant for people go through :func:`safe_csv`, which also defuses
spreadsheet formulas (see :func:`csv_safe`). Saved arrays are read back with
:func:`read_npz`, which checks each array's declared size before allocating it and
never unpickles.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import secrets
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from .errors import InvalidFileError

__all__ = ["FORMULA_PREFIXES", "atomic_write", "csv_safe", "file_lock", "read_npz", "safe_csv"]

#: A text cell starting with one of these is read as a formula by spreadsheets
#: (OWASP "CSV injection"); :func:`csv_safe` puts a ``'`` before it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Members an ``.npz`` may hold; llamalog's own have a few dozen.
MAX_NPZ_MEMBERS = 4096

#: How much larger than its compressed bytes a deflated ``.npz`` member may declare
#: itself (llamalog writes stored members, whose data must be in the file).
MAX_DEFLATE_RATIO = 50


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


#: A temporary file of an earlier write this old was left by a killed process.
STALE_SECONDS = 600


def _remove_stale(target: Path) -> None:
    """Remove the temporary files that killed writers left beside ``target`` (a write
    in progress is younger than :data:`STALE_SECONDS` and is left alone)."""
    now = time.time()
    for old in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > STALE_SECONDS:
                old.unlink()


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no folder handles)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot sync a folder: the rename stands
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike, mode: str = "w", *, encoding: str | None = None, newline=None
) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` when the block ends without error.

    Parameters
    ----------
    path : path
        The file to write; its folder is created if needed.
    mode : {"w", "wb"}
        Text or binary.
    encoding, newline
        As for :func:`open` in text mode (``encoding`` defaults to UTF-8).

    Yields
    ------
    file object
        Write everything to it. On an exception the temporary file is removed and
        ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target) as fh:
    ...     _ = fh.write("done\\n")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('done\\n', ['out.txt'])
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write opens files for writing ('w' or 'wb'), got {mode!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(target)
    # O_EXCL and mode 0o666: a fresh file with the permissions the umask allows
    # (tempfile.mkstemp would make it 0o600)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)
    try:
        if mode == "wb":
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline=newline)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _remove_stale(target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(target.parent)


@contextlib.contextmanager
def file_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock for changing the file ``path``, across processes.

    The lock is taken on ``path``'s folder (``fcntl.flock``), not on the file itself,
    because :func:`atomic_write` replaces the file: a lock on the old inode would not
    exclude a writer who opened the new one. Other processes that use this lock wait;
    readers need none (they see whole files). Without ``fcntl`` (Windows) this only
    serialises nothing and is a no-op.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    folder = Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


# -- CSV ------------------------------------------------------------------------------------
def _defuse(values: list) -> tuple[list, bool]:
    out = ["'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v for v in values]
    return out, any(a is not b for a, b in zip(out, values, strict=True))


def _safe_column(col):
    import pandas as pd

    if isinstance(col.dtype, pd.CategoricalDtype):
        cats, changed = _defuse(list(col.cat.categories))
        if not changed:
            return col
        if len(set(cats)) == len(cats):
            return col.cat.rename_categories(cats)
        col = col.astype(object)  # "=a" and "'=a" both present: fall back to values
    if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
        return col
    try:
        hit = col.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
    except (AttributeError, TypeError):  # lists or other objects: look at each cell
        hit = col.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
        hit = hit.astype(bool)
    if not hit.any():
        return col
    col = col.copy()
    col[hit] = "'" + col[hit].astype(str)
    return col


def csv_safe(frame):
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    A text cell (or column name, or index label) starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading ``'``, which spreadsheets read as
    "this is text" (OWASP's advice against CSV injection). Numbers stay numbers.
    Reading the CSV back with pandas keeps the ``'``.

    >>> import pandas as pd
    >>> csv_safe(pd.DataFrame({"t": ["=1+1", "ok", "-x"], "n": [-1, 2, 3]}))
           t  n
    0  '=1+1 -1
    1     ok  2
    2    '-x  3
    """
    import pandas as pd

    out = frame.copy(deep=False)  # columns with nothing to defuse are shared, not copied
    for i in range(out.shape[1]):
        out.isetitem(i, _safe_column(out.iloc[:, i]))
    out.columns = _defuse(list(out.columns))[0]
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_levels(
            [_safe_column(pd.Series(level)).to_numpy() for level in out.index.levels]
        )
    else:
        out.index = pd.Index(_safe_column(out.index.to_series()), name=out.index.name)
    out.index.name = _defuse([out.index.name])[0][0]
    return out


def safe_csv(frame, path_or_buf, **kwargs) -> None:
    """Write ``frame`` as CSV with formulas defused (:func:`csv_safe`).

    A path is written atomically (:func:`atomic_write`); a file object (such as
    ``sys.stdout``) is written directly. ``kwargs`` go to ``DataFrame.to_csv``.
    """
    out = csv_safe(frame)
    if isinstance(path_or_buf, str | os.PathLike):
        with atomic_write(path_or_buf, "w", encoding="utf-8", newline="") as fh:
            out.to_csv(fh, **kwargs)
    else:
        out.to_csv(path_or_buf, **kwargs)


# -- npz ------------------------------------------------------------------------------------
def _member_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple, np.dtype]:
    with zf.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    return shape, dtype


def read_npz(path: str | os.PathLike, names: Any = None) -> dict[str, np.ndarray]:
    """The arrays of the ``.npz`` file ``path``, checked before they are allocated.

    Each member's header is read first: object arrays (which would need pickle) are
    refused, and so is an array that declares more bytes than its member holds in the
    file (``MAX_DEFLATE_RATIO`` times more for a compressed member), so a small
    crafted file cannot make llamalog allocate gigabytes.

    Parameters
    ----------
    path : path
        The ``.npz`` file.
    names : collection of str, optional
        Members that must be present.

    Raises
    ------
    InvalidFileError
        The file is not a readable ``.npz``, or a member is missing, holds objects or
        declares an impossible size; the message names the file and the member.
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidFileError(f"{path} is not a readable .npz file: {exc}", path=path) from exc
    arrays: dict[str, np.ndarray] = {}
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_NPZ_MEMBERS:
            raise InvalidFileError(
                f"{path} holds {len(infos)} arrays, more than the {MAX_NPZ_MEMBERS} allowed",
                path=path,
            )
        for info in infos:
            name = info.filename.removesuffix(".npy")
            try:
                shape, dtype = _member_header(zf, info)
                if any(int(d) < 0 for d in shape):
                    raise ValueError(f"it declares a negative shape {shape}")
                if dtype.hasobject:
                    raise ValueError("it holds Python objects (refused: never unpickled)")
                declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
                ratio = 1 if info.compress_type == zipfile.ZIP_STORED else MAX_DEFLATE_RATIO
                if declared > info.compress_size * ratio:
                    raise ValueError(
                        f"it declares shape {shape} of {dtype} ({declared:,} bytes) but holds "
                        f"{info.compress_size:,} bytes in the file"
                    )
                with zf.open(info) as fh:
                    arrays[name] = np.lib.format.read_array(fh, allow_pickle=False)
            except (ValueError, OSError, EOFError, zipfile.BadZipFile, TypeError) as exc:
                raise InvalidFileError(
                    f"{path}: array {name!r} cannot be read: {exc}", path=path, field=name
                ) from exc
    missing = sorted(set(names or ()) - set(arrays))
    if missing:
        raise InvalidFileError(
            f"{path} lacks the arrays {missing}; it was not written by this model's save()",
            path=path,
            field=missing[0],
        )
    return arrays
