"""Categorical fields: low-cardinality header fields become codes plus categories.

Levels, hosts, components, process ids and dates repeat a few values over millions
of rows. Stored as categoricals they take one to four bytes a row instead of their
text plus an 8-byte offset, and group-bys on them are fast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .._arrow import large_strings
from . import _encode_kernels as K

#: A field is encoded when the first block of a read has at most this share of distinct
#: values (or 16). At a fifth, a code (two or four bytes) plus a fifth of a dictionary
#: entry is still smaller than a short string with its 8-byte offset: clock times and
#: process ids of busy logs qualify (HDFS: 150 -> 134 MiB for 1M lines). The choice holds
#: for the whole read: a field whose values later turn out to be many stays categorical,
#: which costs memory but never correctness.
CATEGORICAL_SHARE = 0.2


class SpanEncoder:
    """A growing dictionary from byte strings to integer codes.

    Examples
    --------
    >>> import numpy as np
    >>> buf = np.frombuffer(b"INFO WARN INFO", dtype=np.uint8)
    >>> enc = SpanEncoder()
    >>> enc.encode(buf, np.array([0, 5, 10]), np.array([4, 9, 14])).tolist()
    [0, 1, 0]
    >>> enc.categories().tolist()
    ['INFO', 'WARN']
    """

    def __init__(self) -> None:
        self.table = np.full(64, -1, dtype=np.int64)
        self.key_hash = np.zeros(32, dtype=np.uint64)
        self.key_off = np.zeros(33, dtype=np.int64)
        self.key_buf = np.zeros(1024, dtype=np.uint8)
        self.state = np.zeros(2, dtype=np.int64)
        self._categories: tuple[int, pd.Index] | None = None  # (n, categories()) last built
        self._dtype: pd.CategoricalDtype | None = None

    @property
    def n_categories(self) -> int:
        return int(self.state[0])

    def encode(self, buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Codes of the ranges (-1 where a start is negative), in the narrowest signed
        integer type that holds every category so far (a read keeps one array per
        block: a field of few values takes one byte a row, not four)."""
        starts = np.ascontiguousarray(starts, dtype=np.int64)
        ends = np.ascontiguousarray(ends, dtype=np.int64)
        codes = K._lookup(buf, starts, ends, self.table, self.key_hash, self.key_off, self.key_buf)
        new = np.flatnonzero(codes == -2)
        row = int(new[0]) if len(new) else len(starts)
        while row < len(starts):
            row = K._insert(
                buf,
                starts,
                ends,
                codes,
                row,
                self.table,
                self.key_hash,
                self.key_off,
                self.key_buf,
                self.state,
            )
            if row < len(starts):
                self._grow(int(ends[row] - starts[row]))
        n = self.n_categories
        return codes.astype(np.int8 if n < 1 << 7 else np.int16 if n < 1 << 15 else np.int32)

    def _grow(self, need_bytes: int) -> None:
        n = self.n_categories
        if 2 * (n + 1) > len(self.table) or n + 1 >= len(self.key_hash):
            size = len(self.key_hash) * 2
            self.key_hash = np.resize(self.key_hash, size)
            self.key_off = np.resize(self.key_off, size + 1)
            self.table = K._rehash(self.key_hash, n, 4 * size)
        used = int(self.state[1])
        if used + need_bytes > len(self.key_buf):
            self.key_buf = np.resize(self.key_buf, 2 * (used + need_bytes))

    def categories(self) -> pd.Index:
        """The distinct values, in order of first appearance (code order), as strings.

        Built as one Arrow array over a copy of the keys (no Python string per value:
        a field such as a clock time has tens of thousands); bytes that are not UTF-8,
        which the reader repairs before encoding, would be decoded with replacement.
        Built again only when categories were added since the last call (keys are only
        ever appended).
        """
        n = self.n_categories
        if self._categories is not None and self._categories[0] == n:
            return self._categories[1]
        self._categories = (n, self._build_categories(n))
        return self._categories[1]

    def dtype(self) -> pd.CategoricalDtype:
        """A ``CategoricalDtype`` over :meth:`categories` (checked once per set)."""
        categories = self.categories()
        if self._dtype is None or self._dtype.categories is not categories:
            self._dtype = pd.CategoricalDtype(categories)
        return self._dtype

    def _build_categories(self, n: int) -> pd.Index:
        data = self.key_buf[: int(self.key_off[n])].copy()
        offsets = self.key_off[: n + 1].copy()
        arr = large_strings(data, offsets)
        try:
            arr.validate(full=True)
        except pa.ArrowInvalid:
            raw = data.tobytes()
            values = [raw[offsets[k] : offsets[k + 1]].decode("utf-8", "replace") for k in range(n)]
            return pd.Index(values, dtype="str")
        return pd.Index(pd.array(arr, dtype="str"))


def few_distinct(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> bool:
    """Whether a sample of ranges (the first 20,000) has few enough distinct values."""
    starts = np.ascontiguousarray(starts[:20_000])
    hashes = K._span_hashes(buf, starts, np.ascontiguousarray(ends[:20_000]))
    present = hashes[starts >= 0]
    return len(np.unique(present)) <= max(16, CATEGORICAL_SHARE * len(starts))


def to_categorical(codes: np.ndarray, categories: pd.Index | pd.CategoricalDtype) -> pd.Categorical:
    """A pandas categorical with (Arrow-backed) string categories.

    Given a ``CategoricalDtype`` (:meth:`SpanEncoder.dtype`), the categories are not
    checked again: a read of many small blocks (``iter_logs``, small files) builds one
    categorical per block over every category seen so far, and checking tens of
    thousands of them for each block made such reads quadratic.
    """
    if isinstance(categories, pd.CategoricalDtype):
        return pd.Categorical.from_codes(codes, dtype=categories)
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype="str"))
