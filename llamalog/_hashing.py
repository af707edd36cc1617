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
