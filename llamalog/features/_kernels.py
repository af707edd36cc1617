"""Numba kernels behind :func:`llamalog.features.windows`.

Every kernel takes and returns plain numpy arrays and reports problems through an
integer status code (``OK`` on success) instead of raising. Timestamps are int64
nanoseconds since the Unix epoch (UTC) with ``NAT`` (the int64 minimum) for missing
values. Each kernel has a plain-Python twin in ``tests/test_windows.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

NAT = np.iinfo(np.int64).min

#: Status codes.
OK = 0
BAD_WIDTH = 1  # a window width, step or idle gap was not positive
TOO_MANY = 2  # keeping empty windows would emit more than ``max_windows`` windows
UNSORTED = 3  # the input was not in the order the kernel requires
BAD_CODE = 4  # a window id or event code was out of range
NAT_INPUT = 5  # a NaT timestamp where a timestamp is required


@njit(cache=True, nogil=True)
def fixed_windows(ts, every, keep_empty, max_windows):
    """Assign rows to windows aligned on multiples of ``every`` nanoseconds.

    Returns ``(row_window, window_start, status)``: ``row_window[i]`` is the window of
    row ``i`` (-1 for NaT rows); windows are numbered in time order and only windows
    holding a row exist unless ``keep_empty``, which numbers every window from the first
    to the last row's window. ``window_start`` is in nanoseconds.
    """
    n = ts.size
    row_window = np.full(n, -1, np.int64)
    if every <= 0:
        return row_window, np.empty(0, np.int64), BAD_WIDTH
    if n and ts[0] != NAT and is_sorted(ts):  # no NaT either: one pass, few divisions
        lo = ts[0] // every
        span = ts[n - 1] // every - lo + 1
        if keep_empty and float(span) > max_windows:
            return row_window, np.empty(0, np.int64), TOO_MANY
        starts = np.empty(span if keep_empty else min(n, span), np.int64)
        w = -1
        end = ts[0]
        for i in range(n):
            t = ts[i]
            if t >= end:
                b = t // every
                w = b - lo if keep_empty else w + 1
                starts[w] = b * every
                end = starts[w] + every
            row_window[i] = w
        if keep_empty:
            for k in range(w + 1):
                starts[k] = (lo + k) * every
        return row_window, starts[: w + 1].copy(), OK
    bins = np.empty(n, np.int64)
    lo = np.iinfo(np.int64).max
    hi = np.iinfo(np.int64).min
    n_valid = 0
    for i in range(n):
        t = ts[i]
        if t == NAT:
            continue
        b = t // every
        bins[n_valid] = b
        n_valid += 1
        lo = min(lo, b)
        hi = max(hi, b)
    if n_valid == 0:
        return row_window, np.empty(0, np.int64), OK
    if keep_empty:
        if float(hi) - float(lo) + 1.0 > max_windows:
            return row_window, np.empty(0, np.int64), TOO_MANY
        n_windows = hi - lo + 1
        starts = np.empty(n_windows, np.int64)
        for w in range(n_windows):
            starts[w] = (lo + w) * every
        j = 0
        for i in range(n):
            if ts[i] != NAT:
                row_window[i] = bins[j] - lo
                j += 1
        return row_window, starts, OK
    span = hi - lo + 1
    if float(span) <= 4.0 * n_valid + 1024.0:
        # windows that hold a row, numbered in time order through a presence table
        rank = np.zeros(span, np.int64)
        for j in range(n_valid):
            rank[bins[j] - lo] = 1
        n_windows = 0
        for w in range(span):
            if rank[w]:
                rank[w] = n_windows
                n_windows += 1
            else:
                rank[w] = -1
        starts = np.empty(n_windows, np.int64)
        for w in range(span):
            if rank[w] >= 0:
                starts[rank[w]] = (lo + w) * every
        j = 0
        for i in range(n):
            if ts[i] != NAT:
                row_window[i] = rank[bins[j] - lo]
                j += 1
        return row_window, starts, OK
    uniq = np.unique(bins[:n_valid])
    pos = np.searchsorted(uniq, bins[:n_valid])
    j = 0
    for i in range(n):
        if ts[i] != NAT:
            row_window[i] = pos[j]
            j += 1
    return row_window, uniq * every, OK


@njit(cache=True, nogil=True)
def sliding_time(ts, size, step, keep_empty, max_windows):
    """Sliding time windows ``[k*step, k*step + size)`` over ascending timestamps.

    ``ts`` must be sorted and free of NaT. Returns ``(start, lo, hi, status)``: window
    ``w`` starts at ``start[w]`` ns and holds positions ``lo[w]:hi[w]`` of ``ts``.
    Windows run from the first that holds ``ts[0]`` to the last that holds ``ts[-1]``;
    windows without events are skipped unless ``keep_empty``.
    """
    n = ts.size
    empty = np.empty(0, np.int64)
    if size <= 0 or step <= 0:
        return empty, empty, empty, BAD_WIDTH
    if n == 0:
        return empty, empty, empty, OK
    for i in range(n):
        if ts[i] == NAT:
            return empty, empty, empty, NAT_INPUT
        if i > 0 and ts[i] < ts[i - 1]:
            return empty, empty, empty, UNSORTED
    kmin = (ts[0] - size) // step + 1
    kmax = ts[n - 1] // step
    if keep_empty and float(kmax) - float(kmin) + 1.0 > max_windows:
        return empty, empty, empty, TOO_MANY
    starts = empty
    los = empty
    his = empty
    n_windows = 0
    for phase in range(2):
        if phase == 1:
            starts = np.empty(n_windows, np.int64)
            los = np.empty(n_windows, np.int64)
            his = np.empty(n_windows, np.int64)
        w = 0
        k = kmin
        lo = 0
        hi = 0
        while k <= kmax:
            s = k * step
            e = s + size
            while lo < n and ts[lo] < s:
                lo += 1
            hi = max(hi, lo)
            while hi < n and ts[hi] < e:
                hi += 1
            if lo == hi and not keep_empty:
                if lo == n:
                    break
                k = max(k + 1, (ts[lo] - size) // step + 1)
                continue
            if phase == 1:
                starts[w] = s
                los[w] = lo
                his[w] = hi
            w += 1
            k += 1
        n_windows = w
    return starts, los, his, OK


@njit(cache=True, nogil=True)
def sliding_count(n, size, step):
    """Windows of ``size`` consecutive events, one starting every ``step`` events.

    Returns ``(lo, hi, status)``: window ``w`` holds positions ``lo[w]:hi[w]``. The
    last window is the first one that reaches position ``n`` (it may be shorter than
    ``size``); later windows would be subsets of it. ``n == 0`` gives no windows.
    """
    empty = np.empty(0, np.int64)
    if size <= 0 or step <= 0:
        return empty, empty, BAD_WIDTH
    n_windows = 0
    s = 0
    while s < n:
        n_windows += 1
        if s + size >= n:
            break
        s += step
    los = np.empty(n_windows, np.int64)
    his = np.empty(n_windows, np.int64)
    for w in range(n_windows):
        los[w] = w * step
        his[w] = min(w * step + size, n)
    return los, his, OK


@njit(cache=True, nogil=True)
def split_sessions(keys, ts, order, idle):
    """Split memberships into sessions per key, closing a session after an idle gap.

    ``keys[i]`` is the key code of membership ``i`` (-1: no key), ``ts[i]`` its time
    and ``order`` a permutation listing memberships by key, then time (then row).
    A gap ``>= idle`` ns between consecutive events of a key starts a new session;
    ``idle < 0`` disables splitting (one session per key, ``ts`` is ignored).
    Returns ``(session, session_key, status)``: the session id of each membership
    (-1 without key, ids numbered in ``order``) and the key code of each session.
    """
    m = keys.size
    session = np.full(m, -1, np.int64)
    session_key = np.empty(m, np.int64)
    if idle == 0:
        return session, session_key[:0], BAD_WIDTH
    n_sessions = 0
    prev_key = -1
    last = NAT
    for j in range(order.size):
        i = order[j]
        k = keys[i]
        if k < 0:
            continue
        if idle > 0:
            t = ts[i]
            if t == NAT:
                return session, session_key[:0], NAT_INPUT
            if k == prev_key and t < last:
                return session, session_key[:0], UNSORTED
            new = k != prev_key or t - last >= idle
            last = t
        else:
            new = k != prev_key
        if k < prev_key:
            return session, session_key[:0], UNSORTED
        if new:
            session_key[n_sessions] = k
            n_sessions += 1
        session[i] = n_sessions - 1
        prev_key = k
    return session, session_key[:n_sessions].copy(), OK


@njit(cache=True, nogil=True)
def group_pairs(window, n_windows):
    """Stable counting sort of memberships by window id.

    Returns ``(offsets, perm, status)``: memberships of window ``w`` are
    ``perm[offsets[w]:offsets[w + 1]]`` in their input order. Ids < 0 are skipped.
    """
    offsets = np.zeros(n_windows + 1, np.int64)
    for i in range(window.size):
        w = window[i]
        if w >= n_windows:
            return offsets, np.empty(0, np.int64), BAD_CODE
        if w >= 0:
            offsets[w + 1] += 1
    for w in range(n_windows):
        offsets[w + 1] += offsets[w]
    perm = np.empty(offsets[n_windows], np.int64)
    fill = offsets[:-1].copy()
    for i in range(window.size):
        w = window[i]
        if w >= 0:
            perm[fill[w]] = i
            fill[w] += 1
    return offsets, perm, OK


@njit(cache=True, nogil=True)
def csr_counts(window, code, n_windows, n_codes):
    """CSR arrays of event counts from (window id, event code) membership pairs.

    Pairs with a negative window or code are ignored. Returns
    ``(indptr, indices, data, status)`` with sorted column indices per row.
    """
    offsets, perm, status = group_pairs(window, n_windows)
    if status != OK:
        return (
            np.zeros(n_windows + 1, np.int64),
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            status,
        )
    return window_counts(offsets, code[perm], 0, n_codes)


@njit(cache=True, nogil=True)
def _tally(codes, shift, n_codes, count, touched):
    """Count the columns ``codes - shift`` (negative ones skipped) into ``count`` and
    list each once in ``touched``; returns how many, or -1 for a column ``>= n_codes``
    (``count`` is then reset). The arrays are slices so that the loop needs no
    negative-index handling, which keeps it fast inside parallel kernels."""
    nt = 0
    for p in range(codes.size):
        c = codes[p] - shift
        if c < 0:
            continue
        if c >= n_codes:
            for t in range(nt):
                count[touched[t]] = 0
            return -1
        if count[c] == 0:
            touched[nt] = c
            nt += 1
        count[c] += 1
    return nt


@njit(cache=True, nogil=True)
def _emit(nt, count, touched, indices, data):
    """Write the ``nt`` touched columns, sorted, and their counts; reset ``count``."""
    if nt > 32:
        touched[:nt] = np.sort(touched[:nt])
    else:  # a window's few columns: insertion sort in place, nothing allocated
        for i in range(1, nt):
            v = touched[i]
            j = i - 1
            while j >= 0 and touched[j] > v:
                touched[j + 1] = touched[j]
                j -= 1
            touched[j + 1] = v
    for t in range(nt):
        c = touched[t]
        indices[t] = c
        data[t] = count[c]
        count[c] = 0


@njit(cache=True, nogil=True, parallel=True)
def ordered_fixed(ts, every, code):
    """Fixed windows of ascending, NaT-free ``ts`` (the windows that hold a row), found
    in the same parallel pass that checks the order and finds the range of the rows'
    event ids ``code``.

    Returns ``(ascending, starts, offsets, top)``: window ``w`` starts at ``starts[w]``
    ns (a multiple of ``every``) and holds positions ``offsets[w]:offsets[w + 1]``;
    ``top`` is the largest id plus one, or -1 if an id is negative (as
    :func:`window_id_counts` takes it). When ``ts`` is not ascending or holds NaT,
    ``ascending`` is False and the rest is meaningless.
    """
    n = ts.size
    empty = np.empty(0, np.int64)
    if n == 0 or ts[0] == NAT:
        return n == 0, empty, np.zeros(1, np.int64), 0
    n_blocks = max(1, min(n // 65536, 64))
    ok = np.ones(n_blocks, np.bool_)
    found = np.zeros(n_blocks, np.int64)
    tops = np.zeros(n_blocks, np.int64)
    at = np.empty(n, np.int64)  # window starts of block b, from its first row on
    for blk in prange(n_blocks):
        a = blk * n // n_blocks
        b = (blk + 1) * n // n_blocks
        prev = ts[a - 1] if a > 0 else ts[0] - every  # row 0 starts a window
        ok[blk], found[blk] = _window_starts(ts[a:b], prev, every, a, at[a:b])
        tops[blk] = _id_top(code[a:b])
    if not ok.all():
        return False, empty, np.zeros(1, np.int64), 0
    starts, offsets = _starts_offsets(ts, every, at, found, n_blocks)
    return True, starts, offsets, _top_of(tops)


@njit(cache=True, nogil=True)
def _window_starts(ts, prev, every, base, out):
    """Rows of ``ts`` (after a row at ``prev``) whose window differs from the row
    before, as ``base + position`` into ``out``; ``(ascending, how many)``."""
    end = (prev // every + 1) * every
    k = 0
    for i in range(ts.size):
        t = ts[i]
        if t < prev:
            return False, k
        if t >= end:
            out[k] = base + i
            k += 1
            end = (t // every + 1) * every
        prev = t
    return True, k


@njit(cache=True, nogil=True)
def _starts_offsets(ts, every, at, found, n_blocks):
    n = ts.size
    total = 0
    for blk in range(n_blocks):
        total += found[blk]
    starts = np.empty(total, np.int64)
    offsets = np.empty(total + 1, np.int64)
    w = 0
    for blk in range(n_blocks):
        a = blk * n // n_blocks
        for j in range(found[blk]):
            row = at[a + j]
            offsets[w] = row
            starts[w] = (ts[row] // every) * every
            w += 1
    offsets[total] = n
    return starts, offsets


@njit(cache=True, nogil=True, parallel=True)
def window_counts(offsets, code, shift, n_codes):
    """CSR arrays ``(indptr, indices, data, status)`` of event counts of windows of
    consecutive memberships, in parallel: window ``w`` holds
    ``code[offsets[w]:offsets[w + 1]]`` and a membership's column is ``code - shift``
    (negative columns are skipped, one ``>= n_codes`` gives ``BAD_CODE``); column
    indices come sorted per row.

    Blocks of windows with about equal row counts run on the threads; each writes
    into its windows' own stretch of a buffer that is then compacted.
    """
    n_windows = offsets.size - 1
    room = np.zeros(n_windows + 1, np.int64)
    for w in range(n_windows):
        room[w + 1] = room[w] + min(offsets[w + 1] - offsets[w], n_codes)
    idx_buf = np.empty(room[n_windows], np.int64)
    val_buf = np.empty(room[n_windows], np.int64)
    first, nnz, bad = _window_blocks(offsets, 16)
    n_blocks = first.size - 1
    empty = np.empty(0, np.int64)
    for blk in prange(n_blocks):
        count = np.zeros(n_codes, np.int64)
        touched = np.empty(n_codes, np.int64)
        for w in range(first[blk], first[blk + 1]):
            nt = _tally(code[offsets[w] : offsets[w + 1]], shift, n_codes, count, touched)
            if nt < 0:
                bad[blk] = True
                break
            _emit(nt, count, touched, idx_buf[room[w] : room[w] + nt],
                  val_buf[room[w] : room[w] + nt])  # fmt: skip
            nnz[w] = nt
    if bad.any():
        return np.zeros(n_windows + 1, np.int64), empty, empty.copy(), BAD_CODE
    indptr, indices, data = _compact(room, nnz, idx_buf, val_buf)
    return indptr, indices, data, OK


@njit(cache=True, nogil=True, parallel=True)
def window_id_counts(offsets, code, limit, top):
    """:func:`window_counts` with the event ids themselves as columns: ``top`` (the
    largest id plus one, -1 when some id is negative; ``None`` when not known, and a
    first parallel pass finds it) sizes the count tables and bounds each window's
    distinct ids, so the output buffers hold ``min(rows, ids)`` entries a window, not
    one a row.

    Returns ``(indptr, indices, data, status)``; ``BAD_CODE`` if an id is negative or
    ``>= limit`` (the most table room a block may take).
    """
    n_windows = offsets.size - 1
    first, nnz, _ = _window_blocks(offsets, 16)
    n_blocks = first.size - 1
    empty = np.empty(0, np.int64)
    if top is None:
        tops = np.zeros(n_blocks, np.int64)
        for blk in prange(n_blocks):
            tops[blk] = _id_top(code[offsets[first[blk]] : offsets[first[blk + 1]]])
        top = _top_of(tops)
    if top < 0 or top > limit:
        return np.zeros(n_windows + 1, np.int64), empty, empty.copy(), BAD_CODE
    room = _room(offsets, top)
    idx_buf = np.empty(room[n_windows], np.int64)
    val_buf = np.empty(room[n_windows], np.int64)
    for blk in prange(n_blocks):
        w0, w1 = first[blk], first[blk + 1]
        _id_counts_block(offsets[w0 : w1 + 1], code, top, room[w0:w1], idx_buf, val_buf,
                         nnz[w0:w1])  # fmt: skip
    indptr, indices, data = _compact(room, nnz, idx_buf, val_buf)
    return indptr, indices, data, OK


@njit(cache=True, nogil=True)
def _id_top(codes):
    """The largest of ``codes`` plus one (0 when empty), or -1 if one is negative."""
    lo = 0
    hi = -1
    for p in range(codes.size):
        c = codes[p]
        lo = min(lo, c)
        hi = max(hi, c)
    return -1 if lo < 0 else hi + 1


@njit(cache=True, nogil=True)
def _top_of(tops):
    """The largest of the blocks' :func:`_id_top` values, or -1 if one is -1."""
    top = 0
    for blk in range(tops.size):
        if tops[blk] < 0:
            return -1
        top = max(top, tops[blk])
    return top


@njit(cache=True, nogil=True)
def _room(offsets, top):
    """Where window ``w``'s entries go: ``room[w]``, each taking ``min(rows, top)``."""
    n_windows = offsets.size - 1
    room = np.zeros(n_windows + 1, np.int64)
    for w in range(n_windows):
        room[w + 1] = room[w] + min(offsets[w + 1] - offsets[w], top)
    return room


@njit(cache=True, nogil=True)
def _id_counts_block(offsets, code, size, room, idx_buf, val_buf, nnz):
    """Windows ``offsets`` of one block (ids in ``[0, size)``) into the buffers at
    ``room``.

    A window of at least eight rows per id is counted into four interleaved tables
    (row ``p`` into lane ``p % 4``), so that runs of one id do not wait on one counter,
    and read back by scanning the ids; others use :func:`_tally`.
    """
    count = np.zeros(size, np.int64)
    touched = np.empty(size, np.int64)
    lanes = np.zeros(4 * size, np.int64)
    for w in range(offsets.size - 1):
        a, b = offsets[w], offsets[w + 1]
        r = room[w]
        if size > 0 and b - a >= 8 * size:
            nt = _tally_lanes(code[a:b], lanes, idx_buf[r : r + size], val_buf[r : r + size])
        else:
            nt = _tally(code[a:b], 0, size, count, touched)
            _emit(nt, count, touched, idx_buf[r : r + nt], val_buf[r : r + nt])
        nnz[w] = nt


@njit(cache=True, nogil=True)
def _tally_lanes(codes, lanes, indices, data):
    """Counts of ``codes`` (ids the caller checked to fit ``lanes``) through four lanes,
    written sorted to ``indices``/``data``; ``lanes`` is left zero."""
    hi = 0
    for p in range(codes.size):
        c = codes[p]
        lanes[4 * c + (p & 3)] += 1
        hi = max(hi, c + 1)
    nt = 0
    for c in range(hi):
        k = 4 * c
        total = lanes[k] + lanes[k + 1] + lanes[k + 2] + lanes[k + 3]
        if total:
            indices[nt] = c
            data[nt] = total
            nt += 1
            lanes[k] = lanes[k + 1] = lanes[k + 2] = lanes[k + 3] = 0
    return nt


@njit(cache=True, nogil=True)
def _window_blocks(offsets, most):
    """Up to ``most`` blocks of consecutive windows holding about equal numbers of
    memberships: block ``b`` is windows ``first[b]:first[b + 1]``. Returns ``first``
    and, zeroed, a count per window and a failure flag per block."""
    n_windows = offsets.size - 1
    n = offsets[n_windows]
    n_blocks = max(1, min(n_windows, most))
    first = np.zeros(n_blocks + 1, np.int64)
    for blk in range(1, n_blocks):
        first[blk] = max(first[blk - 1], np.searchsorted(offsets, blk * n // n_blocks))
    first[n_blocks] = n_windows
    return first, np.zeros(n_windows, np.int64), np.zeros(n_blocks, np.bool_)


@njit(cache=True, nogil=True)
def _compact(room, nnz, idx_buf, val_buf):
    """CSR arrays from window ``w``'s ``nnz[w]`` entries at ``room[w]`` of the buffers
    (a serial helper: in a parallel kernel each slice copy would start a parallel
    region of its own)."""
    n_windows = nnz.size
    indptr = np.zeros(n_windows + 1, np.int64)
    for w in range(n_windows):
        indptr[w + 1] = indptr[w] + nnz[w]
    indices = np.empty(indptr[n_windows], np.int64)
    data = np.empty(indptr[n_windows], np.int64)
    for w in range(n_windows):
        indices[indptr[w] : indptr[w + 1]] = idx_buf[room[w] : room[w] + nnz[w]]
        data[indptr[w] : indptr[w + 1]] = val_buf[room[w] : room[w] + nnz[w]]
    return indptr, indices, data


@njit(cache=True, nogil=True, parallel=True)
def window_extent(offsets, member_rows, ts):
    """Per window ``w`` (memberships ``offsets[w]:offsets[w + 1]``): its first and last
    frame row (smallest and largest) and its earliest and latest known time.

    Returns ``(first, last, start, end)``; -1 rows and NAT times for empty windows,
    NAT times for windows whose rows all lack a time. ``ts`` empty: times all NAT.
    """
    n_windows = offsets.size - 1
    first = np.full(n_windows, -1, np.int64)
    last = np.full(n_windows, -1, np.int64)
    start = np.full(n_windows, NAT, np.int64)
    end = np.full(n_windows, NAT, np.int64)
    n_blocks = max(1, min(n_windows, 64))
    for blk in prange(n_blocks):
        a = blk * n_windows // n_blocks
        b = (blk + 1) * n_windows // n_blocks
        _extent(offsets[a : b + 1], member_rows, ts, first[a:b], last[a:b], start[a:b],
                end[a:b])  # fmt: skip
    return first, last, start, end


@njit(cache=True, nogil=True)
def _extent(offsets, member_rows, ts, first, last, start, end):
    timed = ts.size > 0
    for w in range(offsets.size - 1):
        lo = np.iinfo(np.int64).max
        hi = np.iinfo(np.int64).min
        t_lo = np.iinfo(np.int64).max
        t_hi = NAT
        for p in range(offsets[w], offsets[w + 1]):
            r = member_rows[p]
            lo = min(lo, r)
            hi = max(hi, r)
            if timed:
                t = ts[r]
                if t != NAT:
                    t_lo = min(t_lo, t)
                    t_hi = max(t_hi, t)
        if offsets[w + 1] > offsets[w]:
            first[w] = lo
            last[w] = hi
            if t_hi != NAT:
                start[w] = t_lo
                end[w] = t_hi


@njit(cache=True, nogil=True)
def group_min(group, values, n_groups):
    """Smallest of ``values`` per group id in ``0..n_groups`` (ids < 0 are skipped).

    Groups without a value get the int64 maximum.
    """
    out = np.full(n_groups, np.iinfo(np.int64).max, np.int64)
    for i in range(group.size):
        g = group[i]
        if g >= 0 and values[i] < out[g]:
            out[g] = values[i]
    return out


@njit(cache=True, nogil=True)
def is_sorted(values):
    """Whether ``values`` never decrease."""
    for i in range(1, values.size):
        if values[i] < values[i - 1]:
            return False
    return True


@njit(cache=True, nogil=True)
def is_identity(rows, n):
    """Whether ``rows`` is ``0, 1, ..., n - 1``."""
    if rows.size != n:
        return False
    for i in range(n):
        if rows[i] != i:
            return False
    return True
