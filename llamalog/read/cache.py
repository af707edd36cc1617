"""Parsed-table caching and streaming conversion to Parquet.

A cache entry is a Parquet file named by a hash of what determines the result: each
source's absolute path, size and modification time, the format and options, and the
llamalog version. Changing any of them parses again; nothing is ever unpickled.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import pandas as pd

from .._io import atomic_write
from .sources import resolve_sources

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/llamalog`` or ``~/.cache/llamalog``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "llamalog"


def cache_key(source, options: dict) -> str | None:
    """A hex digest for file sources, None when a source cannot be identified (a stream)."""
    from .. import __version__

    parts = []
    for src in resolve_sources(source):
        if src.path is None:
            return None
        try:
            st = src.path.stat()
        except OSError:
            return None
        parts.append([str(src.path.resolve()), st.st_size, st.st_mtime_ns])
    payload = json.dumps([__version__, parts, options], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def write_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write Parquet through :func:`llamalog._io.atomic_write`: readers never see half a
    file, and a crash leaves the old one."""
    with atomic_write(path, "wb") as fh:
        frame.to_parquet(fh, index=False)


def cached_read(source, options: dict, cache, parse) -> pd.DataFrame:
    """Return the cached table for (source, options), or ``parse()`` it and store it."""
    folder = default_cache_dir() if cache is True else Path(cache)
    key = cache_key(source, options)
    if key is None:
        log.debug("not caching: a source is a stream or cannot be identified")
        return parse()
    path = folder / f"{key}.parquet"
    if path.exists():
        try:
            frame = pd.read_parquet(path)
            log.info("read %s from the cache %s", source, path)
            return frame
        except Exception as exc:  # a damaged entry is parsed again and replaced
            log.warning("ignoring unreadable cache entry %s: %s", path, exc)
    frame = parse()
    write_atomic(frame, path)
    return frame


def convert(source, dest, format: str = "auto", *, chunksize: int = 1_000_000, **options) -> int:
    """Parse ``source`` and write it to the Parquet file ``dest`` with bounded memory.

    Parameters
    ----------
    source, format, options
        As for :func:`llamalog.read_logs`.
    dest : path
        The Parquet file to write (replaced atomically when done).
    chunksize : int
        Rows per row group; memory stays proportional to it.

    Returns
    -------
    int
        The number of rows written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .reader import iter_logs

    rows = 0
    with atomic_write(dest, "wb") as fh:
        writer = None
        try:
            for frame in iter_logs(source, format, chunksize=chunksize, **options):
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    # categories grow from chunk to chunk: give every categorical int32 codes
                    schema = pa.schema(
                        [
                            f.with_type(pa.dictionary(pa.int32(), f.type.value_type))
                            if pa.types.is_dictionary(f.type)
                            else f
                            for f in table.schema
                        ],
                        metadata=table.schema.metadata,
                    )
                    writer = pq.ParquetWriter(fh, schema)
                writer.write_table(table.cast(schema))
                rows += len(frame)
            if writer is None:
                pd.DataFrame().to_parquet(fh)
        finally:
            if writer is not None:
                writer.close()  # the footer goes in before atomic_write syncs and renames
    return rows
