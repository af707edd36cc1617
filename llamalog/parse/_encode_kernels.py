"""Numba kernels that dictionary-encode byte ranges: text in, integer codes out.

The table lives across blocks (a :class:`llamalog.parse.categories.SpanEncoder`
holds it), so the codes of one source, or of a whole ``read_logs`` call, share one
set of categories.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._dispatch import dual


@njit(cache=True, nogil=True, inline="always")
def _hash_span(buf, s, e):
    """The table's hash of a range: FNV-1a byte by byte (the values are mostly short,
    where it beats a word hash), never 0 (an empty slot)."""
    h = np.uint64(0xCBF29CE484222325)
    for q in range(s, e):
        h = (h ^ np.uint64(buf[q])) * np.uint64(0x100000001B3)
    return h | np.uint64(1)


@dual(1, 20000)
def _span_hashes(buf, starts, ends):
    """The table's hash of each range (uint64[n]); 0 for absent ranges (start < 0)."""
    n = starts.shape[0]
    out = np.zeros(n, dtype=np.uint64)
    for i in prange(n):
        s = starts[i]
        if s >= 0:
            out[i] = _hash_span(buf, s, ends[i])
    return out


@njit(cache=True, nogil=True)
def _same_span(buf, a, b, n):
    for q in range(n):
        if buf[a + q] != buf[b + q]:
            return False
    return True


@njit(cache=True, nogil=True)
def _probe(buf, s, length, h, table, key_hash, key_off, key_buf):
    """The code of the bytes ``buf[s:s+length]`` (hash ``h``), and the slot where the
    search ended: code -1 means absent, and the slot is then where it would go."""
    mask = table.shape[0] - 1
    slot = np.int64(h & np.uint64(mask))
    while True:
        k = table[slot]
        if k < 0:
            return -1, slot
        if key_hash[k] == h and key_off[k + 1] - key_off[k] == length:
            base = key_off[k]
            same = True
            for q in range(length):
                if key_buf[base + q] != buf[s + q]:
                    same = False
                    break
            if same:
                return k, slot
        slot = (slot + 1) & mask


@dual(1, 20000)
def _lookup(buf, starts, ends, table, key_hash, key_off, key_buf):
    """Codes of known values, in parallel (the table is only read): -1 for absent
    ranges, -2 for values not in the table yet. A row equal to the row before it
    reuses its code without hashing: logs repeat values in runs."""
    n = starts.shape[0]
    codes = np.empty(n, dtype=np.int64)
    n_blocks = min(n, 64)
    for blk in prange(n_blocks):
        lo = blk * n // n_blocks
        hi = (blk + 1) * n // n_blocks
        for i in range(lo, hi):
            s = starts[i]
            if s < 0:
                codes[i] = -1
                continue
            length = ends[i] - s
            if i > lo and starts[i - 1] >= 0 and ends[i - 1] - starts[i - 1] == length:
                if _same_span(buf, starts[i - 1], s, length):
                    codes[i] = codes[i - 1]
                    continue
            h = _hash_span(buf, s, ends[i])
            k, _ = _probe(buf, s, length, h, table, key_hash, key_off, key_buf)
            codes[i] = k if k >= 0 else -2
    return codes


@njit(cache=True, nogil=True)
def _insert(buf, starts, ends, codes, begin, table, key_hash, key_off, key_buf, state):
    """Give the rows still marked -2 (from ``begin`` on, in order) their codes, adding
    new keys. ``state`` is int64[2]: keys, bytes used in ``key_buf``. Returns the row
    where it stopped: ``n`` when done, earlier when the table or buffer is full (the
    caller grows them and calls again from there)."""
    n = starts.shape[0]
    for i in range(begin, n):
        if codes[i] != -2:
            continue
        s = starts[i]
        length = ends[i] - s
        h = _hash_span(buf, s, ends[i])
        k, slot = _probe(buf, s, length, h, table, key_hash, key_off, key_buf)
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
            k = nk
        codes[i] = k
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
