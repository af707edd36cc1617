"""Numba kernels that dictionary-encode byte ranges: text in, integer codes out.

The table lives across blocks (a :class:`llamalog.parse.categories.SpanEncoder`
holds it), so the codes of one source, or of a whole ``read_logs`` call, share one
set of categories.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._dispatch import dual

FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)


@dual(1, 20000)
def _span_hashes(buf, starts, ends):
    """FNV-1a 64-bit hash of each range (uint64[n]); 0 for absent ranges (start < 0)."""
    n = starts.shape[0]
    out = np.zeros(n, dtype=np.uint64)
    for i in prange(n):
        s = starts[i]
        if s < 0:
            continue
        h = FNV_OFFSET
        for q in range(s, ends[i]):
            h = (h ^ np.uint64(buf[q])) * FNV_PRIME
        out[i] = h | np.uint64(1)  # never 0, which marks an empty slot
    return out


@njit(cache=True, nogil=True)
def _encode(buf, starts, ends, hashes, begin, table, key_hash, key_off, key_buf, state, codes):
    """Codes for rows ``begin..`` by open addressing; new keys are copied into ``key_buf``.

    ``state`` is int64[2]: number of keys, bytes used in ``key_buf``. Returns the row
    where it stopped: ``n`` when done, earlier when a table or buffer is full (the
    caller grows it and calls again from there).
    """
    n = starts.shape[0]
    mask = table.shape[0] - 1
    for i in range(begin, n):
        s = starts[i]
        if s < 0:
            codes[i] = -1
            continue
        h = hashes[i]
        slot = np.int64(h & np.uint64(mask))
        length = ends[i] - s
        while True:
            k = table[slot]
            if k < 0:
                nk = state[0]
                used = state[1]
                if 2 * (nk + 1) > table.shape[0] or nk + 1 >= key_hash.shape[0]:
                    return i
                if used + length > key_buf.shape[0]:
                    return i
                for q in range(length):
                    key_buf[used + q] = buf[s + q]
                key_hash[nk] = h
                key_off[nk + 1] = used + length
                table[slot] = nk
                state[0] = nk + 1
                state[1] = used + length
                codes[i] = nk
                break
            if key_hash[k] == h and key_off[k + 1] - key_off[k] == length:
                same = True
                base = key_off[k]
                for q in range(length):
                    if key_buf[base + q] != buf[s + q]:
                        same = False
                        break
                if same:
                    codes[i] = k
                    break
            slot = (slot + 1) & mask
    return n


@njit(cache=True, nogil=True)
def _rehash(key_hash, n_keys, size):
    table = np.full(size, -1, dtype=np.int64)
    mask = size - 1
    for k in range(n_keys):
        slot = np.int64(key_hash[k] & np.uint64(mask))
        while table[slot] >= 0:
            slot = (slot + 1) & mask
        table[slot] = k
    return table
