"""Resolving sources (paths, globs, directories, file objects) and reading them as byte blocks.

Compressed files (gzip, bzip2, xz and zstandard, told apart by their first bytes, not
their names) are decompressed as streams, so a file larger than memory is never held
whole; concatenated members are read one after the other. A truncated or corrupt stream
keeps everything decompressed before the damage and reports the file and compressed byte
offset where it broke. A file that starts with one of these magic numbers but does not
decompress (a plain text file that happens to start with ``BZh``) is read as plain text.
"""

from __future__ import annotations

import bz2
import codecs
import glob
import io
import logging
import lzma
import os
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..errors import LlamalogWarning, MissingDependencyError, SourceError

_READ = 1 << 20

log = logging.getLogger(__name__)


@dataclass
class Source:
    """One input: a file path or an open binary file."""

    name: str
    path: Path | None = None
    fileobj: BinaryIO | None = None
    truncated_at: int | None = field(default=None, compare=False)

    @property
    def mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime if self.path else None
        except OSError:
            return None


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def resolve_sources(source) -> list[Source]:
    """Expand ``source`` into a list of :class:`Source`.

    Accepts a path (str or Path), a glob, a directory (its regular, non-hidden files,
    recursively, sorted), an open binary file, or a list of any of these.

    Raises
    ------
    SourceError
        When a named path does not exist or a glob matches nothing.
    """
    if isinstance(source, Source):
        return [source]
    if isinstance(source, list | tuple):
        out: list[Source] = []
        for item in source:
            out.extend(resolve_sources(item))
        return out
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        return [Source(name=str(name) if isinstance(name, str) else "<stream>", fileobj=source)]
    if isinstance(source, bytes | bytearray):
        raise SourceError(
            "got bytes, not a source; wrap them as io.BytesIO(data) to read them as a file"
        )
    if not isinstance(source, str | os.PathLike):
        raise SourceError(
            f"cannot read logs from a {type(source).__name__}; pass a path, glob, directory, "
            "open binary file or a list of them"
        )
    text = os.fspath(source)
    path = Path(text).expanduser()
    if path.is_dir():
        return [Source(name=str(p), path=p) for p in dir_files(path)]
    if path.exists():
        return [Source(name=str(path), path=path)]
    if _is_glob(text):
        files = glob_files(text)
        if not files:
            raise SourceError(f"the pattern {text!r} matches no file; check the path and quoting")
        return [Source(name=str(p), path=p) for p in files]
    raise SourceError(f"no such file or directory: {text!r}")


def dir_files(path: Path) -> list[Path]:
    """A directory's non-hidden entries that are not directories, recursively, sorted
    (a broken link is kept: reading it warns that it is unreadable)."""
    return sorted(
        p
        for p in path.rglob("*")
        if not any(part.startswith(".") for part in p.relative_to(path).parts)
        and (p.is_file() or not p.exists())
    )


def glob_files(pattern: str) -> list[Path]:
    """What a glob matches, directories left out, sorted (``**`` recurses)."""
    matches = sorted(glob.glob(os.path.expanduser(pattern), recursive=True))
    return [Path(m) for m in matches if not Path(m).is_dir()]


def _raw_chunks(src: Source, skip_unreadable: bool) -> Iterator[bytes] | None:
    if src.fileobj is not None:
        f = src.fileobj
        if isinstance(f, io.TextIOBase):

            def text_chunks() -> Iterator[bytes]:
                while chunk := f.read(_READ):
                    yield chunk.encode("utf-8", "surrogateescape")

            return text_chunks()

        def file_chunks() -> Iterator[bytes]:
            while chunk := f.read(_READ):
                yield chunk

        return file_chunks()
    try:
        handle = open(src.path, "rb")
    except OSError as exc:
        if not skip_unreadable:
            raise SourceError(f"cannot open {src.name}: {exc.strerror or exc}") from exc
        warnings.warn(f"skipped {src.name}: {exc.strerror or exc}", LlamalogWarning, stacklevel=4)
        return None

    def chunks() -> Iterator[bytes]:
        with handle:
            while chunk := handle.read(_READ):
                yield chunk

    return chunks()


def _zstd_decompressor():
    """A streaming zstandard decompressor (``compression.zstd`` from Python 3.14, else the
    ``zstandard`` package); both have ``decompress``, ``eof`` and ``unused_data``."""
    try:
        from compression import zstd  # type: ignore[import-not-found]

        return zstd.ZstdDecompressor()
    except ImportError:
        pass
    try:
        import zstandard
    except ImportError as exc:
        raise MissingDependencyError(
            f"reading zstandard-compressed logs needs the zstandard package ({exc}); "
            "install it with: pip install zstandard"
        ) from exc
    return zstandard.ZstdDecompressor().decompressobj()


def _zstd_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = []
    try:
        from compression import zstd  # type: ignore[import-not-found]

        errors.append(zstd.ZstdError)
    except ImportError:
        pass
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:
        pass
    return tuple(errors)


def _decompressor(kind: str):
    if kind == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if kind == "bz2":
        return bz2.BZ2Decompressor()
    if kind == "xz":
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    return _zstd_decompressor()


#: What a compressed stream that is not a valid one raises, by kind.
_ERRORS: tuple[type[BaseException], ...] = (
    zlib.error,
    lzma.LZMAError,
    OSError,
    EOFError,
    ValueError,
)

#: File name endings that promise compressed content.
_SUFFIXES = {"gzip": (".gz", ".tgz"), "bz2": (".bz2",), "xz": (".xz",), "zstd": (".zst", ".zstd")}


#: Bytes fed to a decompressor alone first: a stream that fails on them is no stream.
_PROBE = 64
#: Bytes fed per call after that: a call that fails loses its output, so a corrupt
#: stream loses at most the lines decompressed from this many compressed bytes.
_PIECE = 1 << 14


def _pieces(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The first ``_PROBE`` bytes alone, then the chunks cut in ``_PIECE``-byte pieces."""
    first = True
    for chunk in chunks:
        view = memoryview(chunk)
        pos = 0
        if first and chunk:
            first = False
            yield view[:_PROBE]
            pos = _PROBE
        while pos < len(view):
            yield view[pos : pos + _PIECE]
            pos += _PIECE


def _decompress(
    src: Source, chunks: Iterator[bytes], kind: str, *, base: int = 0, resync: bool = False
) -> Iterator[bytes]:
    """Decompress a stream of compressed chunks; members may be concatenated.

    When the decompressor rejects the first ``_PROBE`` bytes, the source was never
    compressed (its first bytes only look like a magic number): its bytes are yielded
    as they are, none lost.
    """
    errors = _ERRORS + (_zstd_errors() if kind == "zstd" else ())
    dec, fed, consumed = _decompressor(kind), False, base
    pieces = _pieces(chunks)
    ended_line = True
    for data in pieces:
        while data:
            if kind == "xz" and not fed and not data[0]:
                # stream padding: null bytes between xz streams (or after the last)
                stripped = bytes(data).lstrip(b"\x00")
                consumed += len(data) - len(stripped)
                data = stripped
                continue
            saved = dec.copy() if kind == "gzip" else None
            try:
                out = dec.decompress(data)
            except errors as exc:
                if consumed == base and not fed and not resync:
                    yield from _not_compressed(src, kind, data, pieces, exc)
                    return
                if saved is None:
                    src.truncated_at = consumed
                    warnings.warn(
                        f"{src.name}: the {kind} stream is corrupt at compressed byte "
                        f"{consumed} ({exc}); the lines decompressed before it are kept",
                        LlamalogWarning,
                        stacklevel=4,
                    )
                    return
                yield from _gzip_damage(src, saved, data, pieces, consumed, ended_line, exc)
                return
            fed = True
            if out:
                ended_line = out.endswith(b"\n")
                yield out
            rest = dec.unused_data if dec.eof else b""
            consumed += len(data) - len(rest)
            if dec.eof:
                dec, fed = _decompressor(kind), False
            data = rest
    if fed and not dec.eof:
        src.truncated_at = consumed
        warnings.warn(
            f"{src.name}: the {kind} stream ends early after {consumed} compressed bytes "
            "(truncated file?); the lines decompressed before the end are kept",
            LlamalogWarning,
            stacklevel=4,
        )


#: Compressed bytes fed at a time to find where a damaged gzip stream breaks.
_STEP = 64


def _gzip_damage(src, dec, data, pieces, consumed, ended_line, exc) -> Iterator[bytes]:
    """What can be saved of a gzip stream damaged at ``data`` (the piece that failed,
    ``dec`` the decompressor as it was before it): the piece fed again in small steps up
    to the break, then the stream from the next gzip member header after it (a file of
    several members, such as a concatenation or a block-gzipped log, goes on there)."""
    good = 0
    view = memoryview(data)
    size = _STEP
    while good < len(view):
        step = view[good : good + size]
        before = dec.copy()
        try:
            out = dec.decompress(step)
        except (zlib.error, EOFError, ValueError):
            if size == 1:
                break
            dec, size = before, 1  # the failing step again, a byte at a time
            continue
        if out:
            ended_line = out.endswith(b"\n")
            yield out
        good += len(step)
        if dec.eof:  # a member ended inside the piece: the rest starts a new one
            break
    broken = consumed + good
    # look for the next member after the break, buffering at most what is scanned
    rest = bytes(view[good + 1 :])
    skipped = 1
    while True:
        at = rest.find(b"\x1f\x8b\x08")
        if at >= 0:
            break
        skipped += max(0, len(rest) - 2)
        rest = rest[-2:]
        more = next(pieces, None)
        if more is None:
            at = -1
            break
        rest += bytes(more)
    lost = (
        "the rest of the stream is lost"
        if at < 0
        else (f"it goes on at the next gzip member, compressed byte {broken + skipped + at}")
    )
    warnings.warn(
        f"{src.name}: the gzip stream is damaged at compressed byte {broken} ({exc}); the "
        f"lines decompressed before it are kept and {lost}",
        LlamalogWarning,
        stacklevel=5,
    )
    if at < 0:
        src.truncated_at = broken
        return
    if not ended_line:
        yield b"\n"  # the line cut by the damage ends there

    def resumed() -> Iterator[bytes]:
        yield rest[at:]
        for piece in pieces:
            yield bytes(piece)

    # a false header (those bytes inside compressed data) fails again and is skipped
    yield from _decompress(src, resumed(), "gzip", base=broken + skipped + at, resync=True)


def _not_compressed(
    src: Source, kind: str, head: memoryview, rest: Iterator[memoryview], exc: BaseException
) -> Iterator[bytes]:
    """The raw bytes of a source whose magic number promised ``kind`` but no data followed."""
    name = src.name.lower()
    if name.endswith(_SUFFIXES[kind]):
        warnings.warn(
            f"{src.name}: starts like {kind} data but does not decompress ({exc}); "
            "read as plain text",
            LlamalogWarning,
            stacklevel=5,
        )
    else:
        log.debug("%s starts like %s data but is plain text (%s)", src.name, kind, exc)
    yield bytes(head)
    for piece in rest:
        yield bytes(piece)


_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}


def iter_bytes(src: Source, *, skip_unreadable: bool = False) -> Iterator[bytes]:
    """Decompressed byte chunks of one source (gzip, bz2, xz and zstd detected by content)."""
    chunks = _raw_chunks(src, skip_unreadable)
    if chunks is None:
        return
    first = next(chunks, b"")
    if not first:
        return
    kind = next((k for magic, k in _MAGIC.items() if first.startswith(magic)), None)

    def again() -> Iterator[bytes]:
        yield first
        yield from chunks

    if kind is None:
        yield from _as_utf8(again())
    else:
        yield from _as_utf8(_decompress(src, again(), kind))


def _text_kind(head: bytes) -> str | None:
    """``"utf-16"`` for a UTF-16 byte-order mark, ``"cr"`` for old Mac line ends (a CR
    and no LF in the first chunk), else None (UTF-8 or ASCII, read as it is)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\r" in head and b"\n" not in head:
        return "cr"
    return None


def _as_utf8(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """UTF-8 text with LF line ends from a UTF-16 stream (with its byte-order mark) or a
    stream whose lines end with CR alone; other streams pass as they are."""
    first = next(chunks, b"")
    kind = _text_kind(bytes(first[:_READ]))
    if kind is None:
        if first:
            yield first
        yield from chunks
        return
    if kind == "cr":
        yield bytes(first).replace(b"\r", b"\n")
        for chunk in chunks:
            yield bytes(chunk).replace(b"\r", b"\n")
        return
    decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    text = decoder.decode(bytes(first))
    yield text.lstrip("\ufeff").encode("utf-8", "surrogatepass")
    for chunk in chunks:
        yield decoder.decode(bytes(chunk)).encode("utf-8", "surrogatepass")
    yield decoder.decode(b"", final=True).encode("utf-8", "surrogatepass")


def _plain_blocks(src: Source, block_bytes: int):
    """Blocks of an uncompressed file, read straight into arrays (no intermediate bytes).

    A generator of ``(block, last)``: ``send(tail)`` gives back the unused end of the
    block, which then starts the next one. ``last`` is True for the rest of the file
    once its end is reached (the file is not read again after that), so that its last
    record is parsed once, as final.
    """
    with open(src.path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        # one buffer for the whole file, no larger than the file (+1 byte, to see its
        # end in the same read): the caller is done with a block (its records are
        # copied out) when it asks for the next
        buf = np.empty(max(1, min(block_bytes, size + 1)), dtype=np.uint8)
        kept = 0  # bytes at the front of buf carried over from the last block
        while True:
            if kept > len(buf) // 2:  # a record longer than half the buffer
                grown = np.empty(max(kept + block_bytes, 2 * len(buf)), dtype=np.uint8)
                grown[:kept] = buf[:kept]
                buf = grown
            n = f.readinto(memoryview(buf)[kept:]) or 0
            total = kept + n
            if n == 0 or (total < len(buf) and f.tell() >= os.fstat(f.fileno()).st_size):
                if total:
                    yield buf[:total], True
                return
            cut = last_newline(buf[:total]) + 1
            if cut == 0:  # one line longer than a block: keep reading
                kept = total
                continue
            tail = yield buf[:cut], False
            head = 0 if tail is None else len(tail)
            # the next block starts with the unused end of this one (a view of buf, or
            # any bytes), then the bytes read past its last newline; numpy copies
            # overlapping ranges correctly
            if head:
                buf[:head] = tail
            buf[head : head + total - cut] = buf[cut:total]
            kept = head + total - cut


def count_newlines(f, start: int, stop: int) -> int:
    """``\n`` bytes in ``[start, stop)`` of an open binary file (16 MB reads)."""
    f.seek(start)
    n = 0
    left = stop - start
    while left > 0:
        chunk = f.read(min(left, 1 << 24))
        if not chunk:
            break
        n += chunk.count(b"\n")
        left -= len(chunk)
    return n


def last_newline(buf: np.ndarray) -> int:
    """Index of the last ``\n`` in ``buf``, or -1."""
    step = 1 << 16
    end = len(buf)
    while end > 0:
        start = max(0, end - step)
        hits = np.flatnonzero(buf[start:end] == 10)
        if len(hits):
            return start + int(hits[-1])
        end = start
    return -1


def _is_plain_file(src: Source) -> bool:
    if src.path is None or not src.path.is_file():
        return False
    try:
        with open(src.path, "rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return False
    # compressed, UTF-16 and CR-only files are decoded as a stream
    return not any(head.startswith(magic) for magic in _MAGIC) and _text_kind(head) is None


#: A stream whose line grows past this without a newline is not a log: reading it stops
#: with an error instead of holding ever more memory (``/dev/zero``). Plain files are
#: read whatever their lines' length.
MAX_LINE_BYTES = 1 << 28


def iter_blocks(src: Source, block_bytes: int, *, skip_unreadable: bool = False):
    """Blocks of whole lines (uint8 arrays) of about ``block_bytes``; the last may lack ``\\n``.

    A generator of ``(block, last)``: ``send(tail)`` instead of ``next()`` puts ``tail``
    (the unused end of the block just yielded) in front of the next block, without
    copying the block itself. ``last`` says that nothing follows the block (known for
    plain files; a stream says so by ending).
    """
    if _is_plain_file(src):
        return (yield from _plain_blocks(src, block_bytes))
    parts: list[bytes] = []
    size = 0
    need = block_bytes  # doubled while one line fills it: joined O(n) times, not O(n^2)
    for chunk in iter_bytes(src, skip_unreadable=skip_unreadable):
        parts.append(chunk)
        size += len(chunk)
        if size < need:
            continue
        data = b"".join(parts)
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # one line longer than a block: keep reading
            if len(data) > MAX_LINE_BYTES:
                raise SourceError(
                    f"{src.name}: a line longer than {MAX_LINE_BYTES >> 20} MiB without a "
                    "newline; this is not a text log (a device such as /dev/zero, or binary "
                    "data). Raise llamalog.read.sources.MAX_LINE_BYTES to read it anyway."
                )
            parts, size, need = [data], len(data), 2 * len(data)
            continue
        need = block_bytes
        tail = yield np.frombuffer(data, dtype=np.uint8, count=cut), False
        parts = [tail.tobytes()] if tail is not None and len(tail) else []
        if cut < len(data):
            parts.append(data[cut:])
        size = sum(len(p) for p in parts)
    if parts:
        data = b"".join(parts)
        if data:
            yield np.frombuffer(data, dtype=np.uint8), True
