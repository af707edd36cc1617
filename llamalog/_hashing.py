"""The 64-bit hash the numba kernels share: eight bytes a step, splitmix64's finaliser.

Equal byte strings hash equal, in every kernel; different ones collide with odds near
2^-64. The templates kernel hashes a zero-padded buffer a word at a time
(:func:`step` per word); :func:`span_hash` hashes any span of a byte array to the same
value.
"""

from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, nogil=True, inline="always")
def start(n):
    """The state before the first word of an ``n``-byte string (its length mixed in)."""
    return np.uint64(n) * GOLDEN


@njit(cache=True, nogil=True, inline="always")
def step(h, w):
    """Mix one little-endian 8-byte word (zero-padded at the end) into ``h``."""
    h = (h ^ w) * M1
    return h ^ (h >> np.uint64(31))


@njit(cache=True, nogil=True, inline="always")
def finish(h):
    """splitmix64's finaliser."""
    h ^= h >> np.uint64(30)
    h *= M1
    h ^= h >> np.uint64(27)
    h *= M2
    return h ^ (h >> np.uint64(31))


@njit(cache=True, nogil=True, inline="always")
def span_hash(buf, a, b):
    """The hash of ``buf[a:b]`` (uint8), read without padding: the byte loads of a full
    word combine into one load."""
    h = start(b - a)
    p = a
    while p < b:
        w = np.uint64(0)
        m = min(8, b - p)
        for q in range(m):
            w |= np.uint64(buf[p + q]) << np.uint64(8 * q)
        h = step(h, w)
        p += m
    return finish(h)


# Hash tables of 64-bit hashes: ``table`` is uint64 ``[size, 2]`` (size a power of two)
# holding ``[hash, code + 1]`` per slot, 0 in the second column for an empty slot; linear
# probing. Callers keep it at most half full and grow it with :func:`grow`.


@njit(cache=True, nogil=True, inline="always")
def find(table, h):
    """``(slot, code)`` of hash ``h``: its code, or -1 and the empty slot where it goes."""
    mask = table.shape[0] - 1
    slot = np.int64(h & np.uint64(mask))
    while table[slot, 1] != 0:
        if table[slot, 0] == h:
            return slot, np.int64(table[slot, 1]) - 1
        slot = (slot + 1) & mask
    return slot, np.int64(-1)


@njit(cache=True, nogil=True)
def grow(table, size):
    """The entries of ``table`` in a new table of ``size`` slots."""
    new = np.zeros((size, 2), np.uint64)
    for s in range(table.shape[0]):
        if table[s, 1] != 0:
            slot = find(new, table[s, 0])[0]
            new[slot, 0] = table[s, 0]
            new[slot, 1] = table[s, 1]
    return new
