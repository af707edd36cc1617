"""Arrow string arrays as numpy buffers and back, for the numba kernels."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, data)`` of a string array as numpy views: int64 offsets (n + 1) and the
    uint8 text they index (empty when there is no text)."""
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    n = len(arr)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return offsets, data


def large_strings(
    data: np.ndarray, offsets: np.ndarray, valid: np.ndarray | None = None
) -> pa.LargeStringArray:
    """A large_string array over numpy ``data`` and ``offsets`` (n + 1), without copying;
    rows where ``valid`` is False are null."""
    n = len(offsets) - 1
    text = pa.py_buffer(data) if len(data) else pa.py_buffer(b"")
    if valid is None or valid.all():
        return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), text)
    bitmap = np.packbits(valid, bitorder="little")
    return pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), text, pa.py_buffer(bitmap), int(n - valid.sum())
    )
