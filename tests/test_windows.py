"""llamalog.features.windows: kernels against Python twins, known answers per mode."""

from __future__ import annotations

import importlib
import warnings
from bisect import bisect_left
from collections import defaultdict
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llamalog.errors import LlamalogWarning, SchemaError
from llamalog.features import UNSEEN, Windows, WindowSpecError, windows
from llamalog.features import _kernels as K

NAT = K.NAT
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# --------------------------------------------------------------------------- twins


def ref_fixed(ts: list[int], every: int, keep_empty: bool) -> tuple[list[int], list[int]]:
    valid = [t for t in ts if t != NAT]
    if not valid:
        return [-1] * len(ts), []
    bins = sorted({t // every for t in valid})
    if keep_empty:
        bins = list(range(bins[0], bins[-1] + 1))
    where = {b: i for i, b in enumerate(bins)}
    return [where[t // every] if t != NAT else -1 for t in ts], [b * every for b in bins]


def ref_sliding_time(ts: list[int], size: int, step: int, keep_empty: bool) -> list[tuple]:
    if not ts:
        return []
    out = []
    for k in range((ts[0] - size) // step + 1, ts[-1] // step + 1):
        s = k * step
        lo, hi = bisect_left(ts, s), bisect_left(ts, s + size)
        if hi > lo or keep_empty:
            out.append((s, lo, hi))
    return out


def ref_sliding_count(n: int, size: int, step: int) -> list[tuple[int, int]]:
    out, s = [], 0
    while s < n:
        out.append((s, min(s + size, n)))
        if s + size >= n:
            break
        s += step
    return out


def ref_sessions(keys: list[int], ts: list[int], idle: int) -> list[tuple[int, tuple]]:
    """Sessions as sorted (key, member indices) pairs; members ordered by (time, index)."""
    by_key = defaultdict(list)
    for i, k in enumerate(keys):
        if k >= 0:
            by_key[k].append(i)
    out = []
    for k, members in by_key.items():
        if idle < 0:
            out.append((k, tuple(members)))
            continue
        members.sort(key=lambda i: (ts[i], i))
        current = [members[0]]
        for prev, i in pairwise(members):
            if ts[i] - ts[prev] >= idle:
                out.append((k, tuple(current)))
                current = []
            current.append(i)
        out.append((k, tuple(current)))
    return sorted(out)


def ref_counts(win: list[int], code: list[int], n_windows: int, n_codes: int) -> np.ndarray:
    dense = np.zeros((n_windows, n_codes), np.int64)
    for w, c in zip(win, code, strict=True):
        if w >= 0 and c >= 0:
            dense[w, c] += 1
    return dense


def i64(values) -> np.ndarray:
    return np.asarray(list(values), dtype=np.int64).reshape(-1)


# ----------------------------------------------------------------- property tests

times = st.lists(st.one_of(st.integers(-500, 500), st.just(NAT)), max_size=30)


wide_times = st.lists(st.one_of(st.integers(-(10**15), 10**15), st.just(NAT)), max_size=30)


@SETTINGS
@given(wide_times, st.integers(1, 1000))
def test_fixed_windows_twin_sparse_span(ts, every):
    """Windows far apart: the kernel sorts instead of using its presence table."""
    row_win, starts, status = K.fixed_windows(i64(ts), every, False, 10**6)
    assert status == K.OK
    want_win, want_starts = ref_fixed(ts, every, False)
    assert row_win.tolist() == want_win
    assert starts.tolist() == want_starts


@SETTINGS
@given(st.lists(st.integers(-(2**40), 2**40), max_size=40), st.booleans())
def test_vocabulary_matches_unique(values, small):
    from llamalog.features.windows import _vocabulary

    arr = np.abs(i64(values)) % 50 if small else i64(values)
    vocab, codes = _vocabulary(arr, pd.Series(arr))
    if arr.size:
        np.testing.assert_array_equal(vocab, np.unique(arr))
        np.testing.assert_array_equal(codes, np.searchsorted(np.unique(arr), arr))


@SETTINGS
@given(times, st.integers(1, 120), st.booleans())
def test_fixed_windows_twin(ts, every, keep_empty):
    row_win, starts, status = K.fixed_windows(i64(ts), every, keep_empty, 10**6)
    assert status == K.OK
    want_win, want_starts = ref_fixed(ts, every, keep_empty)
    assert row_win.tolist() == want_win
    assert starts.tolist() == want_starts


@SETTINGS
@given(times, st.integers(1, 120), st.booleans())
def test_fixed_windows_twin_sorted(ts, every, keep_empty):
    """Sorted times without NaT take the kernel's one-pass path."""
    ts = sorted(t for t in ts if t != NAT)
    row_win, starts, status = K.fixed_windows(i64(ts), every, keep_empty, 10**6)
    assert status == K.OK
    want_win, want_starts = ref_fixed(ts, every, keep_empty)
    assert row_win.tolist() == want_win
    assert starts.tolist() == want_starts
    assert K.fixed_windows(i64([0, 10**9]), 1, True, 10)[2] == K.TOO_MANY


@SETTINGS
@given(
    st.lists(st.integers(-500, 500), max_size=30),
    st.integers(1, 200),
    st.integers(1, 200),
    st.booleans(),
)
def test_sliding_time_twin(ts, size, step, keep_empty):
    ts = sorted(ts)
    starts, lo, hi, status = K.sliding_time(i64(ts), size, step, keep_empty, 10**6)
    assert status == K.OK
    got = list(zip(starts.tolist(), lo.tolist(), hi.tolist(), strict=True))
    assert got == ref_sliding_time(ts, size, step, keep_empty)


@SETTINGS
@given(st.integers(0, 60), st.integers(1, 25), st.integers(1, 25))
def test_sliding_count_twin(n, size, step):
    lo, hi, status = K.sliding_count(n, size, step)
    assert status == K.OK
    assert list(zip(lo.tolist(), hi.tolist(), strict=True)) == ref_sliding_count(n, size, step)


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(-1, 4), st.integers(0, 300)), max_size=40),
    st.one_of(st.just(-1), st.integers(1, 100)),
)
def test_split_sessions_twin(pairs, idle):
    keys = i64(k for k, _ in pairs)
    ts = i64(t for _, t in pairs)
    order = (
        np.lexsort((np.arange(keys.size), ts, keys))
        if idle > 0
        else np.argsort(keys, kind="stable")
    )
    session, session_key, status = K.split_sessions(keys, ts, order.astype(np.int64), idle)
    assert status == K.OK
    got = defaultdict(list)
    for i in order.tolist():
        if session[i] >= 0:
            got[int(session[i])].append(i)
    assert (session >= 0).tolist() == (keys >= 0).tolist()
    assert sorted((int(session_key[s]), tuple(m)) for s, m in got.items()) == ref_sessions(
        keys.tolist(), ts.tolist(), idle
    )
    assert np.all(np.diff(session_key) >= 0)  # numbered by key


@SETTINGS
@given(st.data(), st.integers(0, 6), st.integers(0, 5))
def test_group_and_csr_twin(data, n_windows, n_codes):
    m = data.draw(st.integers(0, 40))
    win = data.draw(st.lists(st.integers(-1, n_windows - 1), min_size=m, max_size=m))
    code = data.draw(st.lists(st.integers(-1, n_codes - 1), min_size=m, max_size=m))
    offsets, perm, status = K.group_pairs(i64(win), n_windows)
    assert status == K.OK
    for w in range(n_windows):
        assert perm[offsets[w] : offsets[w + 1]].tolist() == [
            i for i, x in enumerate(win) if x == w
        ]
    indptr, indices, values, status = K.csr_counts(i64(win), i64(code), n_windows, n_codes)
    assert status == K.OK
    matrix = sp.csr_matrix((values, indices, indptr), shape=(n_windows, n_codes))
    assert matrix.has_sorted_indices
    assert np.all(values > 0)
    np.testing.assert_array_equal(matrix.toarray(), ref_counts(win, code, n_windows, n_codes))


@SETTINGS
@given(st.data(), st.integers(1, 8), st.integers(-3, 3))
def test_window_counts_twin(data, n_codes, shift):
    sizes = data.draw(st.lists(st.integers(0, 9), min_size=1, max_size=30))
    offsets = i64([0, *np.cumsum(sizes)])
    m = int(offsets[-1])
    code = data.draw(st.lists(st.integers(shift, shift + n_codes - 1), min_size=m, max_size=m))
    indptr, indices, values, status = K.window_counts(offsets, i64(code), shift, n_codes)
    assert status == K.OK
    matrix = sp.csr_matrix((values, indices, indptr), shape=(len(sizes), n_codes))
    assert matrix.has_sorted_indices and np.all(values > 0)
    win = np.repeat(np.arange(len(sizes)), sizes).tolist()
    want = ref_counts(win, [c - shift for c in code], len(sizes), n_codes)
    np.testing.assert_array_equal(matrix.toarray(), want)
    if m:  # a column past n_codes is an error
        assert K.window_counts(offsets, i64(code) + n_codes, shift, n_codes)[3] == K.BAD_CODE


@SETTINGS
@given(st.lists(st.one_of(st.integers(-(10**12), 10**12), st.just(NAT)), max_size=300),
       st.integers(1, 10**11), st.booleans())  # fmt: skip
def test_ordered_fixed_twin(values, every, sort):
    ts = np.sort(i64(values)) if sort else i64(values)
    code = i64([v % 7 - (v == values[-1]) for v in values])  # some ids -1
    ascending, starts, offsets, top = K.ordered_fixed(ts, every, code)
    assert ascending == (NAT not in ts.tolist() and ts.tolist() == sorted(ts.tolist()))
    if ascending:
        assert top == (-1 if (code < 0).any() else int(code.max(initial=-1)) + 1)
        row_window, want_starts = ref_fixed(ts.tolist(), every, False)
        assert starts.tolist() == want_starts
        assert offsets.tolist() == [0, *np.cumsum(np.bincount(row_window)).tolist()]


@SETTINGS
@given(st.data(), st.integers(1, 3000), st.sampled_from([4, 2500]), st.sampled_from([9, 120]))
def test_window_id_counts_twin(data, limit, top, longest):
    """Few ids in long windows take the four-lane count, others the touched list."""
    sizes = data.draw(st.lists(st.integers(0, longest), min_size=1, max_size=30))
    offsets = i64([0, *np.cumsum(sizes)])
    m = int(offsets[-1])
    code = data.draw(st.lists(st.integers(-1, top), min_size=m, max_size=m))
    top = -1 if min(code, default=0) < 0 else max(code, default=-1) + 1
    indptr, indices, values, status = K.window_id_counts(offsets, i64(code), limit, None)
    *known, known_status = K.window_id_counts(offsets, i64(code), limit, top)
    assert known_status == status
    assert [a.tolist() for a in known] == [a.tolist() for a in (indptr, indices, values)]
    if any(c < 0 or c >= limit for c in code):
        assert status == K.BAD_CODE
        return
    assert status == K.OK
    width = max(code, default=0) + 1
    matrix = sp.csr_matrix((values, indices, indptr), shape=(len(sizes), width))
    assert matrix.has_sorted_indices and np.all(values > 0)
    win = np.repeat(np.arange(len(sizes)), sizes).tolist()
    np.testing.assert_array_equal(matrix.toarray(), ref_counts(win, code, len(sizes), width))


@SETTINGS
@given(st.data())
def test_window_extent_twin(data):
    sizes = data.draw(st.lists(st.integers(0, 6), max_size=20))
    n_rows = data.draw(st.integers(1, 30))
    ts = i64(data.draw(st.lists(st.one_of(st.integers(-99, 99), st.just(NAT)),
                                min_size=n_rows, max_size=n_rows)))  # fmt: skip
    offsets = i64([0, *np.cumsum(sizes)])
    rows = i64(data.draw(st.lists(st.integers(0, n_rows - 1), min_size=int(offsets[-1]),
                                  max_size=int(offsets[-1]))))  # fmt: skip
    first, last, start, end = K.window_extent(offsets, rows, ts)
    for w in range(len(sizes)):
        members = rows[offsets[w] : offsets[w + 1]].tolist()
        known = [int(ts[r]) for r in members if ts[r] != NAT]
        assert first[w] == (min(members) if members else -1)
        assert last[w] == (max(members) if members else -1)
        assert start[w] == (min(known) if known else NAT)
        assert end[w] == (max(known) if known else NAT)
    assert (K.window_extent(offsets, rows, ts[:0])[2] == NAT).all()


def test_kernel_status_codes():
    assert K.fixed_windows(i64([1]), 0, False, 10)[2] == K.BAD_WIDTH
    assert K.fixed_windows(i64([0, 10**12]), 1, True, 10)[2] == K.TOO_MANY
    assert K.sliding_time(i64([1]), 0, 1, False, 10)[3] == K.BAD_WIDTH
    assert K.sliding_time(i64([2, 1]), 1, 1, False, 10)[3] == K.UNSORTED
    assert K.sliding_time(i64([NAT]), 1, 1, False, 10)[3] == K.NAT_INPUT
    assert K.sliding_count(5, 0, 1)[2] == K.BAD_WIDTH
    assert K.split_sessions(i64([0, 0]), i64([5, 1]), i64([0, 1]), 3)[2] == K.UNSORTED
    assert K.split_sessions(i64([0]), i64([NAT]), i64([0]), 3)[2] == K.NAT_INPUT
    assert K.group_pairs(i64([3]), 2)[2] == K.BAD_CODE
    assert K.csr_counts(i64([0]), i64([9]), 1, 2)[3] == K.BAD_CODE
    # all-NaT and empty input
    row_win, starts, status = K.fixed_windows(i64([NAT, NAT]), 5, True, 10)
    assert status == K.OK and row_win.tolist() == [-1, -1] and starts.size == 0
    assert K.sliding_time(i64([]), 5, 5, True, 10)[0].size == 0
    assert K.sliding_count(0, 5, 5)[0].size == 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.integers(0, 600), st.none()), st.integers(0, 3)),
        max_size=25,
    ),
    st.sampled_from(["10s", "1min", "7s"]),
)
def test_fixed_windows_match_pandas_floor(rows, every):
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(
                [None if s is None else 1_700_000_000 + s for s, _ in rows], unit="s", utc=True
            ),
            "message": ["x"] * len(rows),
            "template_id": np.asarray([e for _, e in rows], dtype=np.int64),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LlamalogWarning)
        w = windows(frame, every=every)
    known = frame.dropna(subset=["timestamp"])
    want = known.groupby([known["timestamp"].dt.floor(every), "template_id"]).size()
    got = w.to_frame().set_axis(w.index["start"], axis=0).stack()
    got = got[got > 0]
    assert got.to_dict() == want.to_dict()
    assert w.dropped == len(frame) - len(known)
    assert w.index["n_events"].sum() == len(known)
    for i in range(len(w)):
        rows_i = w.rows(i)
        assert frame["timestamp"].iloc[rows_i].is_monotonic_increasing
        assert w.sequence(i).tolist() == frame["template_id"].iloc[rows_i].tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 900), st.integers(0, 40)), min_size=1, max_size=60),
    st.sampled_from(["10s", "1min", "7s", "1h"]),
    st.sampled_from([np.int64, np.int32, np.int16]),
    st.sampled_from(["UTC", "Europe/Paris", None]),
)
def test_ordered_fixed_windows_equal_general_path(rows, every, dtype, tz):
    """Time-ordered frames with integer ids take a parallel path of their own; it must
    give what the general path gives, field by field (zoned and naive clocks too)."""
    rows = sorted(rows, key=lambda r: r[0])
    stamps = pd.to_datetime([1_700_000_000 + s for s, _ in rows], unit="s", utc=True)
    stamps = stamps.tz_localize(None) if tz is None else stamps.tz_convert(tz)
    frame = pd.DataFrame(
        {
            "timestamp": stamps,
            "template_id": np.asarray([e for _, e in rows], dtype=dtype),
        }
    )
    fast = windows(frame, every=every)
    assert fast.__dict__["_member_rows"] is None  # the ordered path ran
    W = importlib.import_module("llamalog.features.windows")
    original = W._fixed_ordered
    W._fixed_ordered = lambda *a: None
    try:
        slow = windows(frame, every=every)
    finally:
        W._fixed_ordered = original
    assert slow.__dict__["_member_rows"] is not None
    np.testing.assert_array_equal(fast.counts.toarray(), slow.counts.toarray())
    assert fast.counts.has_sorted_indices
    np.testing.assert_array_equal(fast.vocabulary, slow.vocabulary)
    assert fast.vocabulary.dtype == slow.vocabulary.dtype == np.int64
    np.testing.assert_array_equal(fast.sequence_values, slow.sequence_values)
    np.testing.assert_array_equal(fast.sequence_offsets, slow.sequence_offsets)
    np.testing.assert_array_equal(fast.member_rows, slow.member_rows)
    pd.testing.assert_frame_equal(fast.index, slow.index)


def test_ordered_fixed_windows_leave_negative_and_sparse_ids_to_the_general_path():
    stamps = pd.to_datetime([1_700_000_000, 1_700_000_001, 1_700_000_090], unit="s", utc=True)
    for ids in ([3, -1, 3], [0, 10**12, 5]):
        frame = pd.DataFrame({"timestamp": stamps, "template_id": np.asarray(ids, np.int64)})
        w = windows(frame, every="1min")
        assert w.__dict__["_member_rows"] is not None
        assert w.vocabulary.tolist() == sorted(set(ids))
        assert w.to_frame().to_numpy().sum(axis=1).tolist() == [2, 1]


# -------------------------------------------------------------------- known answers


def make_frame() -> pd.DataFrame:
    ts = [
        "2024-01-01 00:00:10",
        "2024-01-01 00:00:50",
        None,
        "2024-01-01 00:02:05",
        "2024-01-01 00:02:06",
        "2024-01-01 00:00:55",
    ]
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime(ts, utc=True),
            "message": [
                "Receiving blk_1 src",
                "Receiving blk_-2 and blk_1 again blk_1",
                "no block here",
                "Deleting blk_-2",
                "Served blk_3",
                "Verification of blk_1",
            ],
            "line": np.arange(1, 7, dtype=np.int64),
            "source": pd.Categorical(["a.log"] * 6),
            "template_id": np.array([5, 7, 5, 9, 5, 7], dtype=np.int64),
            "block": pd.Series(["A", "A", None, "B", "B", "A"], dtype="object"),
        }
    )


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_fixed_windows_known_answer():
    frame = make_frame()
    with pytest.warns(LlamalogWarning, match="1 rows with NaT"):
        w = windows(frame, every="1min")
    assert isinstance(w, Windows)
    assert w.dropped == 1
    assert w.vocabulary.tolist() == [5, 7, 9]
    assert w.to_frame().to_numpy().tolist() == [[1, 2, 0], [1, 0, 1]]
    assert w.index["start"].tolist() == [ts("2024-01-01 00:00"), ts("2024-01-01 00:02")]
    assert w.index["end"].tolist() == [ts("2024-01-01 00:01"), ts("2024-01-01 00:03")]
    assert w.index["key"].tolist() == [0, 1]
    assert w.index["first_row"].tolist() == [0, 3]
    assert w.index["last_row"].tolist() == [5, 4]
    # time order inside a window: row 5 (00:00:55) after row 1 (00:00:50)
    assert w.rows(0).tolist() == [0, 1, 5]
    assert [s.tolist() for s in w.sequences] == [[5, 7, 7], [9, 5]]
    assert w.counts.dtype == np.int64 and sp.issparse(w.counts)

    with pytest.warns(LlamalogWarning):
        we = windows(frame, every="1min", empty=True)
    assert we.index["n_events"].tolist() == [3, 0, 2]
    assert we.rows(1).size == 0 and we.index["first_row"].tolist()[1] == -1
    assert we.to_frame().to_numpy().tolist() == [[1, 2, 0], [0, 0, 0], [1, 0, 1]]
    assert windows(frame.iloc[[0, 3]], every="1min", empty=True, min_events=1).counts.shape[0] == 2


def test_sliding_time_windows():
    frame = make_frame().drop(index=2).reset_index(drop=True)
    w = windows(frame, size="2min", step="1min")
    assert w.index["start"].tolist() == [
        ts("2023-12-31 23:59"),
        ts("2024-01-01 00:00"),
        ts("2024-01-01 00:01"),
        ts("2024-01-01 00:02"),
    ]
    assert w.index["n_events"].tolist() == [3, 3, 2, 2]
    assert [s.tolist() for s in w.sequences] == [[5, 7, 7], [5, 7, 7], [9, 5], [9, 5]]
    # tumbling when step is left out; empty windows between
    assert windows(frame, size="1min").index["n_events"].tolist() == [3, 2]
    assert windows(frame, size="1min", step="1min", empty=True).index["n_events"].tolist() == [
        3,
        0,
        2,
    ]


def test_count_windows_keep_nat_rows():
    frame = make_frame()
    w = windows(frame, size=2, step=2)
    assert w.dropped == 0
    assert [w.rows(i).tolist() for i in range(len(w))] == [[0, 1], [2, 3], [4, 5]]
    assert w.index["start"].tolist()[1] == ts("2024-01-01 00:02:05")  # NaT ignored
    assert w.index["end"].tolist()[1] == ts("2024-01-01 00:02:05")
    w = windows(frame, size=4, step=1)
    assert [w.rows(i).tolist() for i in range(len(w))] == [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]]
    w = windows(frame, size=4, step=4)
    assert [w.rows(i).tolist() for i in range(len(w))] == [[0, 1, 2, 3], [4, 5]]
    assert windows(frame, size=4, step=4, min_events=3).index["key"].tolist() == [0]


def test_column_sessions():
    frame = make_frame()
    w = windows(frame, session="block")
    assert w.index["key"].tolist() == ["A", "B"]
    assert [w.rows(i).tolist() for i in range(len(w))] == [[0, 1, 5], [3, 4]]
    assert w.index["start"].tolist() == [ts("2024-01-01 00:00:10"), ts("2024-01-01 00:02:05")]
    assert w.index["end"].tolist() == [ts("2024-01-01 00:00:55"), ts("2024-01-01 00:02:06")]
    assert w.to_frame().to_numpy().tolist() == [[1, 2, 0], [1, 0, 1]]


def test_regex_sessions_hdfs_like():
    frame = make_frame()
    w = windows(frame, session=r"blk_-?\d+")
    assert w.index["key"].tolist() == ["blk_1", "blk_-2", "blk_3"]
    # row 1 names blk_-2 and blk_1 (twice): it belongs to both sessions, once each
    assert [w.rows(i).tolist() for i in range(len(w))] == [[0, 1, 5], [1, 3], [4]]
    assert [s.tolist() for s in w.sequences] == [[5, 7, 7], [7, 9], [5]]
    assert w.index["n_events"].tolist() == [3, 2, 1]
    assert w.dropped == 0
    with pytest.warns(LlamalogWarning, match="matched no line"):  # a typo'd column, say
        assert windows(frame, session=r"nothing_\d+").counts.shape == (0, 0)
    with pytest.warns(LlamalogWarning, match="'blocks' is not a column"):
        windows(frame, session="blocks")


def test_idle_sessions_split():
    base = pd.Timestamp("2024-01-01", tz="UTC")
    seconds = [0, 5, 10, 50, 55, None, 200]
    frame = pd.DataFrame(
        {
            "timestamp": [base + pd.Timedelta(seconds=s) if s is not None else pd.NaT
                          for s in seconds],
            "message": ["k=A", "k=B", "k=A", "k=A", "k=B", "k=A", "k=A"],
            "template_id": np.arange(7, dtype=np.int64),
        }
    )  # fmt: skip
    with pytest.warns(LlamalogWarning):
        w = windows(frame, session=r"k=(\w)", idle="30s")
    assert w.index["key"].tolist() == ["A", "B", "A", "B", "A"]
    assert [w.rows(i).tolist() for i in range(len(w))] == [[0, 2], [1], [3], [4], [6]]
    assert w.index["start"].tolist()[1] == base + pd.Timedelta(seconds=5)
    assert w.dropped == 1
    # a gap of exactly idle splits; just under does not
    assert len(windows(frame.iloc[[0, 2]], session=r"k=(\w)", idle="10s")) == 2
    assert len(windows(frame.iloc[[0, 2]], session=r"k=(\w)", idle="11s")) == 1
    # out-of-order frame: sessions follow time, not rows
    shuffled = frame.iloc[[3, 0, 2]].reset_index(drop=True)
    w = windows(shuffled, session=r"k=(\w)", idle="30s")
    assert [w.rows(i).tolist() for i in range(len(w))] == [[1, 2], [0]]


def test_single_event_and_one_line_log():
    frame = make_frame().iloc[[0]]
    for kwargs in (
        {"every": "1min"},
        {"size": "5min", "step": "5min"},
        {"size": 20, "step": 20},
        {"session": r"blk_\d+"},
        {"session": "block", "idle": "30s"},
    ):
        w = windows(frame, **kwargs)
        assert w.counts.toarray().tolist() == [[1]], kwargs
        assert w.index["first_row"].tolist() == [0]
        assert w.sequences[0].tolist() == [5]
    w = windows(frame, size="5min", step="1min", empty=True)
    assert w.index["n_events"].tolist() == [1] * 5


def test_all_nat_and_empty_frames():
    frame = make_frame()
    frame["timestamp"] = pd.Series([pd.NaT] * len(frame), dtype="datetime64[ns, UTC]")
    with pytest.warns(LlamalogWarning, match="6 rows with NaT"):
        w = windows(frame, every="1min", empty=True)
    assert len(w) == 0 and w.dropped == 6 and w.counts.shape == (0, 0)
    with pytest.warns(LlamalogWarning):
        assert len(windows(frame, size="1min", step="30s")) == 0
    with pytest.warns(LlamalogWarning):
        assert len(windows(frame, session="block", idle="1s")) == 0
    w = windows(frame, session="block")  # key sessions keep NaT rows, no warning
    assert len(w) == 2 and w.index["start"].isna().all()
    empty = make_frame().iloc[:0]
    for kwargs in ({"every": "1min"}, {"size": 3}, {"session": r"blk_\d+"}):
        w = windows(empty, **kwargs)
        assert len(w) == 0 and w.sequences == [] and w.to_frame().shape == (0, 0)
        assert list(w.index.columns) == [
            "key", "start", "end", "n_events", "n_unseen", "first_row", "last_row"
        ]  # fmt: skip


def test_vocabulary_alignment_train_test():
    frame = make_frame()
    train = windows(frame.iloc[:4], size=2)
    assert train.vocabulary.tolist() == [5, 7, 9]
    test = frame.iloc[2:].copy()
    test["template_id"] = np.array([5, 11, 11, 7])  # 11 never seen in training
    dropped = windows(test, size=2, vocabulary=train)
    assert dropped.vocabulary.tolist() == [5, 7, 9]
    assert dropped.to_frame().to_numpy().tolist() == [[1, 0, 0], [0, 1, 0]]
    assert dropped.index["n_events"].tolist() == [2, 2]
    assert dropped.index["n_unseen"].tolist() == [1, 1]
    assert [s.tolist() for s in dropped.sequences] == [[5, 11], [11, 7]]
    column = windows(test, size=2, vocabulary=train.vocabulary, unseen="column")
    assert column.vocabulary.tolist() == [5, 7, 9, UNSEEN]
    assert column.to_frame().to_numpy().tolist() == [[1, 0, 0, 1], [0, 1, 0, 1]]
    # a Windows with an unseen column passes its vocabulary on without the -1
    again = windows(test, size=2, vocabulary=column, unseen="column")
    assert again.vocabulary.tolist() == [5, 7, 9, UNSEEN]
    # idf from training weights test windows of the same width
    weighted = dropped.tfidf(train.idf())
    assert weighted.shape == (2, 3)
    with pytest.raises(WindowSpecError, match="idf has shape"):
        column.tfidf(train.idf())


def test_categorical_events():
    frame = make_frame()
    frame["template_id"] = pd.Categorical(
        ["E1", "E2", None, "E3", "E1", "E2"], categories=["E3", "E2", "E1", "E0"]
    )
    with pytest.warns(LlamalogWarning, match="1 rows without 'template_id'"):
        w = windows(frame, size=10)
    assert w.dropped == 1
    assert w.vocabulary.tolist() == ["E1", "E2", "E3"]
    assert w.sequences[0].tolist() == ["E1", "E2", "E3", "E1", "E2"]
    assert w.counts.toarray().tolist() == [[2, 2, 1]]
    with pytest.warns(LlamalogWarning):
        w2 = windows(frame, size=10, vocabulary=np.array(["E2", "E0"]), unseen="column")
    assert w2.counts.toarray().tolist() == [[2, 0, 3]]


def test_tfidf_and_normalize():
    frame = make_frame()
    w = windows(frame, size=3)  # [[5,7,5],[9,5,7]] -> counts [[2,1,0],[1,1,1]]
    assert w.counts.toarray().tolist() == [[2, 1, 0], [1, 1, 1]]
    idf = w.idf()
    np.testing.assert_allclose(idf, [1.0, 1.0, np.log(3 / 2) + 1])
    np.testing.assert_allclose(w.tfidf().toarray(), w.counts.toarray() * idf)
    np.testing.assert_allclose(w.normalize("l1").toarray(), [[2 / 3, 1 / 3, 0], [1 / 3] * 3])
    l2 = w.normalize("l2", w.tfidf()).toarray()
    np.testing.assert_allclose(np.linalg.norm(l2, axis=1), [1, 1])
    with pytest.warns(LlamalogWarning):
        zero = windows(frame, every="1min", empty=True, vocabulary=[42])
    assert np.all(zero.normalize().toarray() == 0)
    with pytest.raises(WindowSpecError):
        w.normalize("max")


def test_input_not_mutated():
    frame = make_frame()
    before = frame.copy(deep=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LlamalogWarning)
        windows(frame, every="1min", empty=True)
        windows(frame, size="2min", step="1min")
        windows(frame, size=2, step=1)
        windows(frame, session=r"blk_-?\d+", idle="30s")
        windows(frame, session="block")
    pd.testing.assert_frame_equal(frame, before)


def test_argument_errors():
    frame = make_frame()
    with pytest.raises(WindowSpecError, match="exactly one"):
        windows(frame)
    with pytest.raises(WindowSpecError, match="exactly one"):
        windows(frame, every="1min", size=3)
    with pytest.raises(WindowSpecError, match="both be ints"):
        windows(frame, size=3, step="1min")
    with pytest.raises(WindowSpecError, match="idle= needs"):
        windows(frame, every="1min", idle="1s")
    with pytest.raises(WindowSpecError, match="positive"):
        windows(frame, every="-1min")
    with pytest.raises(WindowSpecError, match="fixed duration"):
        windows(frame, every="1 fortnight-ish")
    with pytest.raises(WindowSpecError, match="empty=True"):
        windows(frame, size=3, empty=True)
    with pytest.raises(WindowSpecError, match="positive"):
        windows(frame, size=0)
    with pytest.raises(WindowSpecError, match="valid regex"):
        windows(frame, session="(")
    with pytest.raises(SchemaError, match="no event column"):
        windows(frame, every="1min", event="nope")
    with pytest.raises(SchemaError, match="expected integer or categorical"):
        windows(frame, every="1min", event="message")
    with pytest.raises(WindowSpecError, match="more than"):
        windows(frame.iloc[[0, 3]], every="1ns", empty=True)


def test_regex_fast_path_matches_slow_path():
    import importlib

    mod = importlib.import_module("llamalog.features.windows")
    messages = pd.Series(
        ["none", "a blk_1 b", "blk_2 x blk_2", "blk_3 blk_-4", "blk_5 é blk_6", None]
        + [" ".join(f"blk_{i % 3}" for i in range(k)) for k in range(8)]
    )
    ok = np.ones(len(messages), bool)
    ok[1] = False
    for pattern in (r"blk_-?\d+", r"blk_(?P<n>\d)", r"\bblk_\d+"):
        fast = mod._regex_memberships_fast(messages, pattern, ok)
        assert fast is not None, pattern
        slow = mod._regex_memberships_slow(messages, pattern, ok)
        for got, want in zip(fast, slow, strict=True):
            assert got.tolist() == want.tolist(), pattern


# ------------------------------------------------------------ the numba findall

ATOMS = ["a", "b", "-", "_", r"\d", r"\w", r"\s", "[ab]", "[^a ]", ".", "x", r"\.", "é"]
QUANTIFIERS = ["", "", "?", "*", "+", "{2}", "{1,3}", "{0,2}"]


@st.composite
def simple_patterns(draw):
    atoms = [draw(st.sampled_from(ATOMS)) + draw(st.sampled_from(QUANTIFIERS))
             for _ in range(draw(st.integers(1, 4)))]  # fmt: skip
    if draw(st.booleans()):
        lo = draw(st.integers(0, len(atoms) - 1))
        hi = draw(st.integers(lo + 1, len(atoms)))
        atoms[lo] = "(" + atoms[lo]
        atoms[hi - 1] += ")"
    return "".join(atoms)


def _findall_keys(simple, texts: list[str]) -> tuple[dict, np.ndarray]:
    """The numba findall's keys per row of ``texts``, and its key hashes; checks that
    exactly the non-ASCII rows are handed back."""
    import pyarrow as pa

    from llamalog._arrow import string_buffers
    from llamalog.features._regex import find_spans

    offsets, data = string_buffers(pa.array(texts, pa.large_string()))
    rows, start, stop, hashes, other = find_spans(
        data, offsets, np.arange(len(texts)), simple.tables, simple.mins, simple.maxs,
        *simple.group,
    )  # fmt: skip
    assert other.tolist() == [i for i, t in enumerate(texts) if not t.isascii()]
    got = defaultdict(list)
    for r, a, b in zip(rows.tolist(), start.tolist(), stop.tolist(), strict=True):
        got[r].append(data[a:b].tobytes().decode())
    return got, hashes


@settings(max_examples=300, deadline=None)
@given(
    simple_patterns(),
    st.lists(st.text(alphabet="ab-_x. 19\tzé", max_size=40), min_size=1, max_size=6),
)
def test_numba_findall_equals_re_findall(pattern, texts):
    """The kernel's keys (and rows) equal ``re.findall``'s, or the pattern is refused."""
    import re

    from llamalog.features._regex import compile_simple

    simple = compile_simple(pattern)
    compiled = re.compile(pattern)
    if simple is None:
        assert compiled.groups > 1 or compiled.fullmatch("") is not None or "é" in pattern
        return
    got, hashes = _findall_keys(simple, texts)
    for i, text in enumerate(texts):
        if text.isascii():
            assert got[i] == compiled.findall(text), (pattern, text)
    assert len(set(hashes.tolist())) == len({k for ks in got.values() for k in ks})


def test_simple_patterns_refuse_what_they_cannot_do():
    from llamalog.features._regex import compile_simple

    for pattern in (r"^blk", r"a|bc", r"a+?", r"(a)(b)", r"(?:ab)+", r"\bx", r"a*", r"(?i:a)b"):
        assert compile_simple(pattern) is None, pattern
    for pattern in (r"blk_-?\d+", r"req=(?P<id>[0-9a-f]{8})", r"(?i)user \w+", r"a|b"):
        assert compile_simple(pattern) is not None, pattern


def test_regex_sessions_over_chunks_and_non_ascii_rows():
    """Chunked text, a non-ASCII row (Python re), a key twice in a row: same as the slow path."""
    import importlib

    import pyarrow as pa

    mod = importlib.import_module("llamalog.features.windows")
    parts = [["blk_1 blk_1 blk_2", "x"], ["blk_2 é blk_3", None, "blk_1"], ["blk_4"]]
    messages = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(parts, pa.large_string())))
    ok = np.ones(len(messages), bool)
    fast = mod._regex_memberships_fast(messages, r"blk_\d", ok)
    slow = mod._regex_memberships_slow(messages, r"blk_\d", ok)
    for got, want in zip(fast, slow, strict=True):
        assert got.tolist() == want.tolist()
    assert fast[0].tolist() == [0, 0, 2, 2, 4, 5]


def test_numba_findall_eight_bytes_at_a_time_equals_re():
    """Long rows, where the lead byte is searched a word at a time: same keys as ``re``,
    wherever the keys, near misses and non-ASCII bytes fall against word boundaries."""
    import re

    from llamalog.features._regex import compile_simple

    rng = np.random.default_rng(7)
    pieces = ["blk_", "blk_-", "bl", "b", "blk_12", "blk_-3456", " ", "xx", "é", "0123456789"]
    texts = ["".join(rng.choice(pieces, size=rng.integers(0, 30))) for _ in range(400)]
    pattern = r"blk_-?\d+"
    simple = compile_simple(pattern)
    assert simple is not None
    got, _ = _findall_keys(simple, texts)
    checked = 0
    for i, text in enumerate(texts):
        if text.isascii():
            assert got[i] == re.findall(pattern, text), text
            checked += bool(got[i])
    assert checked > 50


def _key_chunk(texts: list[str]) -> tuple:
    """A chunk of keys as the regex path sees it: bytes, rows, spans and hashes."""
    from llamalog._hashing import span_hash

    data = np.frombuffer("".join(texts).encode() or b"\0", np.uint8)
    stop = np.cumsum([len(t) for t in texts]).astype(np.int64)
    start = stop - np.asarray([len(t) for t in texts], np.int64)
    hashes = np.asarray(
        [span_hash(data, int(a), int(b)) for a, b in zip(start, stop, strict=True)], np.uint64
    )
    return data, start, stop, hashes


@SETTINGS
@given(st.lists(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["a", "bb", "a1", "ab"])),
                         max_size=40), min_size=1, max_size=4))  # fmt: skip
def test_key_table_twin(chunks):
    """Keys numbered by first appearance over all chunks; a key twice in a row kept once."""
    from llamalog.features._regex import KeyTable

    table, seen, got, want = KeyTable(), {}, [], []
    for chunk in chunks:
        chunk = sorted(chunk, key=lambda p: p[0])
        rows = np.asarray([r for r, _ in chunk], np.int64)
        data, start, stop, hashes = _key_chunk([k for _, k in chunk])
        r, c = table.add(data, rows, start, stop, hashes)
        got += list(zip(r.tolist(), c.tolist(), strict=True))
        named = set()
        for row, key in chunk:
            code = seen.setdefault(key, len(seen))
            if (row, code) not in named:
                named.add((row, code))
                want.append((row, code))
    assert got == want and table.exact
    off, data = table.keys()
    assert [bytes(data[a:b]).decode() for a, b in pairwise(off)] == list(seen)


def test_key_table_flags_shared_hashes():
    """Two different keys under one hash are not merged silently."""
    from llamalog.features._regex import KeyTable

    table = KeyTable()
    data, start, stop, _ = _key_chunk(["blk_1", "blk_2"])
    table.add(data, np.arange(2, dtype=np.int64), start, stop, np.zeros(2, np.uint64))
    assert not table.exact


def test_regex_sessions_exact_when_hashes_collide():
    """Should two keys share a 64-bit hash, the exact path gives the sessions."""
    mod = importlib.import_module("llamalog.features.windows")
    frame = make_frame()
    want = windows(frame, session=r"blk_-?\d+")

    class Colliding(mod.KeyTable):
        def add(self, *args):
            out = super().add(*args)
            self.exact = False
            return out

    original = mod.KeyTable
    mod.KeyTable = Colliding
    try:
        got = windows(frame, session=r"blk_-?\d+")
    finally:
        mod.KeyTable = original
    pd.testing.assert_frame_equal(got.index, want.index)
    np.testing.assert_array_equal(got.counts.toarray(), want.counts.toarray())
    np.testing.assert_array_equal(got.member_rows, want.member_rows)


def test_windows_with_lazy_fields_pickle_and_copy():
    """The index and rows built on first use come along in pickles and copies."""
    import copy
    import pickle

    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([1, 2, 70], unit="s", utc=True),
            "template_id": np.array([0, 1, 0]),
        }
    )
    w = windows(frame, every="1min")
    assert not isinstance(w.__dict__["_index"], pd.DataFrame)  # not built yet
    for other in (pickle.loads(pickle.dumps(w)), copy.deepcopy(w), copy.copy(w)):
        pd.testing.assert_frame_equal(other.index, w.index)
        np.testing.assert_array_equal(other.member_rows, [0, 1, 2])
        np.testing.assert_array_equal(other.counts.toarray(), w.counts.toarray())


@pytest.mark.parametrize("tz", ["UTC", "Europe/Paris"])
def test_index_frame_equals_the_public_constructor(tz):
    """The index frame built from arrays has the dtypes, labels and values that
    ``pd.DataFrame`` gives the same arrays."""
    mod = importlib.import_module("llamalog.features.windows")
    n = 5
    ints = np.arange(n, dtype=np.int64)
    stamps = pd.array(pd.date_range("2024-01-01", periods=n, freq="1min", tz=tz))
    arrays = [ints, stamps, stamps, ints * 2, ints * 3, ints, ints + 1]
    got = mod._frame_of(mod._INDEX_COLUMNS, True, arrays)
    want = pd.DataFrame(dict(zip(mod._INDEX_COLUMNS, arrays, strict=True)))
    pd.testing.assert_frame_equal(got, want)
    assert got.columns.dtype == want.columns.dtype
    got.columns.name = "renamed"  # the labels are the frame's own
    assert mod._INDEX_COLUMNS.name is None


@pytest.mark.parametrize(
    ("copied", "spec"),
    [
        ("template_id", {"every": "1min"}),
        ("template_id", {"size": 2}),
        ("timestamp", {"every": "1min"}),
        ("message", {"session": r"blk_\d+"}),
    ],
)
def test_a_column_read_twice_is_a_clear_error(copied, spec):
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=6, freq="20s", tz="UTC"),
            "template_id": np.arange(6) % 3,
            "message": [f"blk_{i % 2} done" for i in range(6)],
        }
    )
    doubled = pd.concat([frame, frame[[copied]]], axis=1)
    with pytest.raises(SchemaError, match=f"2 columns named '{copied}'"):
        windows(doubled, event="template_id", **spec)
    other = next(c for c in ("message", "template_id") if c != copied)
    if "session" not in spec:  # a copy of a column it does not read is left alone
        windows(pd.concat([frame, frame[[other]]], axis=1), event="template_id", **spec)
