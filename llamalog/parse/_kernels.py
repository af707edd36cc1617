"""Numba kernels for splitting, checking, matching and gathering log lines.

Text enters as a ``uint8`` buffer plus ``int64`` offsets. Kernels never raise on bad
data: they write a status per row. Each kernel has a plain-Python twin in
``tests/reference.py`` that the tests compare against.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._dispatch import dual

# Op codes and hints of the matcher program; fieldformat.py compiles formats to them.
OP_MATCH, OP_CHAR, OP_ANY, OP_WS, OP_NWS, OP_DIGIT, OP_NDIGIT = 0, 1, 2, 3, 4, 5, 6
OP_WORD, OP_NWORD, OP_CLASS, OP_SAVE, OP_SPLIT, OP_JMP, OP_LAZY, OP_WSPLUS = (
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
)
HINT_NONE, HINT_BYTE, HINT_WS, HINT_END, HINT_SET = 0, 1, 2, 3, 4
#: HINT_SET's row of ``classes``: columns 0-127 the ASCII bytes that may follow the lazy
#: field (any non-ASCII byte may), column 128 set when the line may end there.

#: Per-line match status. GAVE_UP: the backtracking budget ran out. That happens on
#: lines that do not match a format with many lazy fields, where Python's ``re`` would
#: take exponential time too; the engine hands short ones to ``re`` and counts longer
#: ones as not matching.
NO_MATCH, MATCHED, UNDECIDED, GAVE_UP = 0, 1, 2, 3

#: Per-line flag bits written by :func:`_line_flags`.
FLAG_INVALID_UTF8 = 1
FLAG_BINARY = 2
FLAG_NON_ASCII = 4

_STACK = 512


@njit(cache=True, nogil=True, inline="always")
def _char_len(buf, pos):
    b = buf[pos]
    if b < 0x80:
        return 1
    if b >= 0xF0:
        return 4
    if b >= 0xE0:
        return 3
    if b >= 0xC0:
        return 2
    return 1


_ASCII_WS = np.zeros(128, dtype=np.bool_)  # str.isspace on ASCII: the one definition
_ASCII_WS[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


@njit(cache=True, nogil=True)
def _ws_len(buf, pos, end):
    """Byte length of the whitespace character at ``pos`` (Python's ``str.isspace``), or 0."""
    b = buf[pos]
    if b < 0x80:
        return 1 if _ASCII_WS[b] else 0
    if b == 0xC2:
        if pos + 1 < end and (buf[pos + 1] == 0x85 or buf[pos + 1] == 0xA0):
            return 2
        return 0
    if pos + 2 >= end:
        return 0
    b1 = buf[pos + 1]
    b2 = buf[pos + 2]
    if b == 0xE1:
        return 3 if (b1 == 0x9A and b2 == 0x80) else 0
    if b == 0xE2:
        if b1 == 0x80 and (b2 <= 0x8A or b2 == 0xA8 or b2 == 0xA9 or b2 == 0xAF):
            return 3
        if b1 == 0x81 and b2 == 0x9F:
            return 3
        return 0
    if b == 0xE3:
        return 3 if (b1 == 0x80 and b2 == 0x80) else 0
    return 0


@njit(cache=True, nogil=True, inline="always")
def _ws_at(buf, pos, end):
    """:func:`_ws_len` with ASCII answered inline by a table."""
    b = buf[np.uint64(pos)]
    if b < 0x80:
        return 1 if _ASCII_WS[b] else 0
    return _ws_len(buf, pos, end)


@njit(cache=True, nogil=True)
def _ws_len_before(buf, start, end):
    """Byte length of the whitespace character that ends at ``end`` (after ``start``), or 0."""
    if end <= start:
        return 0
    b = buf[end - 1]
    if b < 0x80:
        return 1 if _ASCII_WS[b] else 0
    if end - 2 >= start and _ws_len(buf, end - 2, end) == 2:
        return 2
    if end - 3 >= start and _ws_len(buf, end - 3, end) == 3:
        return 3
    return 0


@njit(cache=True, nogil=True, inline="always")
def _ws_before_at(buf, start, end):
    """:func:`_ws_len_before` with ASCII answered inline by the table (``end > start``)."""
    b = buf[np.uint64(end - 1)]
    if b < 0x80:
        return 1 if _ASCII_WS[b] else 0
    return _ws_len_before(buf, start, end)


@njit(cache=True, nogil=True)
def _count_newlines(buf):
    """Newlines in ``buf``. Kernels pass slices to helpers like this one rather than
    indexing a whole array from a parallel loop: over a slice numba knows every
    index is in range, and the loop compiles to vector code (8x faster here)."""
    n = 0
    for i in range(buf.size):
        n += buf[i] == 10
    return n


_ONES = np.uint64(0x0101010101010101)
_HIGH = np.uint64(0x8080808080808080)
_SPACES = np.uint64(0x2020202020202020)
_DELS = np.uint64(0x7F7F7F7F7F7F7F7F)


@njit(cache=True, nogil=True)
def _split_block(buf, words, w0, base, lut, ends, cls):
    """Record each newline of ``buf`` (at ``base + i``) in ``ends`` and the OR of the
    byte classes of the line it closes in ``cls``; returns the classes after the last.

    ``words`` is ``buf[w0:]`` as whole 8-byte words: a word without a control byte
    (newline included), DEL or non-ASCII byte holds nothing to record and is skipped
    whole; other bytes are looked at one by one.
    """
    j = 0
    acc = np.uint8(0)
    stop = w0 + 8 * words.size
    i = 0
    while i < buf.size:
        if i >= w0 and i < stop and (i - w0) & 7 == 0:
            w = words[(i - w0) >> 3]
            x = w ^ _DELS
            if ((w | ((w - _SPACES) & ~w) | ((x - _ONES) & ~x)) & _HIGH) == 0:
                i += 8
                continue
            end = i + 8
        else:
            end = i + 1
        for q in range(i, end):
            b = buf[q]
            if b == 10:
                ends[j] = base + q
                cls[j] = acc
                acc = np.uint8(0)
                j += 1
            else:
                acc |= lut[b]
        i = end
    return acc


@njit(cache=True, nogil=True)
def _line_starts(starts, ends, first_start):
    for i in range(starts.size):
        starts[i] = first_start if i == 0 else ends[i - 1] + 1


@njit(cache=True, nogil=True)
def _finish_lines(buf, starts, ends, cls, flags, s_out, e_out):
    """CR removal, flags and stripped spans of a run of lines (slices)."""
    for i in range(starts.size):
        s = starts[i]
        e = ends[i]
        if e > s and buf[e - 1] == 13:
            e -= 1
            ends[i] = e
        c = cls[i]
        if c & (FLAG_NON_ASCII | _FLAG_CR):
            flags[i] = _exact_flags(buf, s, e)
        else:
            flags[i] = c & FLAG_BINARY
        s_out[i], e_out[i] = _strip(buf, s, e)


@njit(cache=True, nogil=True)
def _utf8_valid_at(buf, pos, end):
    """Length of the valid UTF-8 sequence at ``pos``, or 0 when it is invalid."""
    b0 = buf[pos]
    if b0 < 0x80:
        return 1
    if 0xC2 <= b0 <= 0xDF:
        if pos + 1 < end and (buf[pos + 1] & 0xC0) == 0x80:
            return 2
        return 0
    if 0xE0 <= b0 <= 0xEF:
        if pos + 2 >= end:
            return 0
        b1 = buf[pos + 1]
        if (b1 & 0xC0) != 0x80 or (buf[pos + 2] & 0xC0) != 0x80:
            return 0
        if b0 == 0xE0 and b1 < 0xA0:
            return 0
        if b0 == 0xED and b1 >= 0xA0:
            return 0
        return 3
    if 0xF0 <= b0 <= 0xF4:
        if pos + 3 >= end:
            return 0
        b1 = buf[pos + 1]
        if (b1 & 0xC0) != 0x80 or (buf[pos + 2] & 0xC0) != 0x80 or (buf[pos + 3] & 0xC0) != 0x80:
            return 0
        if b0 == 0xF0 and b1 < 0x90:
            return 0
        if b0 == 0xF4 and b1 >= 0x90:
            return 0
        return 4
    return 0


@njit(cache=True, nogil=True)
def _exact_flags(buf, pos, end):
    """FLAG_BINARY / FLAG_NON_ASCII / FLAG_INVALID_UTF8 bits of ``buf[pos:end]``."""
    f = 0
    while pos < end:
        b = buf[pos]
        if b < 0x80:
            if (b < 32 and b != 9 and b != 11 and b != 12 and b != 27) or b == 127:
                f |= FLAG_BINARY
            pos += 1
        else:
            f |= FLAG_NON_ASCII
            k = _utf8_valid_at(buf, pos, end)
            if k == 0:
                f |= FLAG_INVALID_UTF8
                pos += 1
            else:
                pos += k
    return f


@njit(cache=True, nogil=True)
def _strip(buf, s, e):
    """``buf[s:e]`` without leading and trailing whitespace, as ``str.strip()``."""
    while s < e:
        k = _ws_at(buf, s, e)
        if k == 0:
            break
        s += k
    while e > s:
        k = _ws_before_at(buf, s, e)
        if k == 0:
            break
        e -= k
    return s, e


def _byte_classes():
    """Per byte: 0 for plain ASCII, else bits that call for a closer look at the line."""
    lut = np.zeros(256, dtype=np.uint8)
    for b in range(32):
        if b not in (9, 11, 12, 27):
            lut[b] = FLAG_BINARY
    lut[127] = FLAG_BINARY
    lut[13] = _FLAG_CR  # fine just before the newline, binary elsewhere
    lut[128:] = FLAG_NON_ASCII
    return lut


_FLAG_CR = 8
_BYTE_CLASSES = _byte_classes()


@dual(0, 1048576)
def _scan_lines(buf, lut):
    """Split ``buf`` into lines and flag and strip them, reading each byte once.

    Splits, then flags (``_exact_flags``) and strips (``_strip``) each line: returns ``starts``,
    ``ends``, ``flags``, ``ss``, ``se``. While looking for newlines each block ORs the
    byte classes (``lut``) of every line; only lines with non-ASCII bytes or a
    carriage return are read again to validate UTF-8 exactly.
    """
    n = buf.shape[0]
    n_blocks = 64 if n > (1 << 20) else 1
    head = min((-buf.ctypes.data) % 8, n)  # bytes before the first aligned word
    n_words = (n - head) // 8
    words = buf[head : head + 8 * n_words].view(np.uint64)
    wb = np.empty(n_blocks + 1, dtype=np.int64)  # blocks start on word boundaries
    bounds = np.empty(n_blocks + 1, dtype=np.int64)
    for k in range(n_blocks + 1):
        wb[k] = k * n_words // n_blocks
        bounds[k] = head + 8 * wb[k]
    bounds[0] = 0
    bounds[n_blocks] = n
    counts = np.zeros(n_blocks, dtype=np.int64)
    for k in prange(n_blocks):
        counts[k] = _count_newlines(buf[bounds[k] : bounds[k + 1]])
    total = counts.sum()
    last_open = n > 0 and buf[n - 1] != 10
    m = total + (1 if last_open else 0)
    starts = np.empty(m, dtype=np.int64)
    ends = np.empty(m, dtype=np.int64)
    cls = np.zeros(m, dtype=np.uint8)
    tails = np.zeros(n_blocks, dtype=np.uint8)  # classes after a block's last newline
    offsets = np.zeros(n_blocks + 1, dtype=np.int64)
    for k in range(n_blocks):
        offsets[k + 1] = offsets[k] + counts[k]
    for k in prange(n_blocks):
        a, b = offsets[k], offsets[k + 1]
        lead = head if k == 0 else 0
        block = buf[bounds[k] : bounds[k + 1]]
        tails[k] = _split_block(block, words[wb[k] : wb[k + 1]], lead, bounds[k], lut,
                                ends[a:b], cls[a:b])  # fmt: skip
    # a line's bytes before its block: the tails of the blocks back to its start
    carry = np.uint8(0)
    for k in range(n_blocks):
        if counts[k] > 0:
            cls[offsets[k]] |= carry
            carry = tails[k]
        else:
            carry |= tails[k]
    if last_open:
        ends[m - 1] = n
        cls[m - 1] = carry
    flags = np.zeros(m, dtype=np.uint8)
    s_out = np.empty(m, dtype=np.int64)
    e_out = np.empty(m, dtype=np.int64)
    n_runs = min(m, 64)
    for k in prange(n_runs):  # every start before any end loses its carriage return
        a = k * m // n_runs
        b = (k + 1) * m // n_runs
        _line_starts(starts[a:b], ends[a:b], 0 if a == 0 else ends[a - 1] + 1)
    for k in prange(n_runs):
        a = k * m // n_runs
        b = (k + 1) * m // n_runs
        _finish_lines(buf, starts[a:b], ends[a:b], cls[a:b], flags[a:b], s_out[a:b], e_out[a:b])
    return starts, ends, flags, s_out, e_out


def scan_lines(buf: np.ndarray):
    """``(starts, ends, flags, ss, se)`` of the lines of ``buf``: see ``_scan_lines``."""
    return _scan_lines(buf, _BYTE_CLASSES)


def split_lines(buf: np.ndarray):
    """``(starts, ends)`` of the lines of ``buf`` (uint8): byte ranges without the newline
    and without a ``\\r`` before it. A final line without newline counts; a trailing
    newline starts no empty line."""
    starts, ends, _, _, _ = scan_lines(buf)
    return starts, ends


# --------------------------------------------------------------------------- matcher


@njit(cache=True, nogil=True)
def _is_word(b):
    return (48 <= b <= 57) or (65 <= b <= 90) or (97 <= b <= 122) or b == 95


@njit(cache=True, nogil=True)
def _match_line(buf, s, e, op, pa, pb, classes, caps, st, trail, lazy, budget):
    """Run the program on ``buf[s:e]``; fill ``caps`` and return a match status.

    Backtracking keeps choice points in ``st`` (rows: pc, pos, aux, trail height) and
    undoes capture writes from ``trail`` (rows: slot, old value), so a choice point
    costs the same whatever the number of fields. ``lazy`` (int64[len(op), 2]) remembers
    each lazy field's last scan (where it started, where the hint was found), so a
    retried scan never reads the same bytes twice; scanned bytes count as steps.
    """
    ncap = caps.shape[0]
    for k in range(ncap):
        caps[k] = -1
    for k in range(lazy.shape[0]):
        lazy[k, 0] = -1
    depth = st.shape[0]
    pc = 0
    pos = s
    sp = 0
    tp = 0
    steps = 0
    while True:
        steps += 1
        if steps > budget:
            return GAVE_UP
        code = op[pc]
        fail = False
        if code == OP_CHAR:
            if pos < e and buf[np.uint64(pos)] == pa[pc]:
                pos += 1
                pc += 1
            else:
                fail = True
        elif code == OP_LAZY:
            hint = pa[pc]
            if hint == HINT_END:
                pos = e
                pc += 1
            else:
                q = pos
                found = False
                if hint == HINT_NONE:
                    found = True
                elif (
                    lazy[pc, 0] >= 0
                    and lazy[pc, 0] <= pos
                    and (lazy[pc, 1] < 0 or lazy[pc, 1] >= pos)
                ):
                    q = lazy[pc, 1]
                    found = q >= 0
                else:
                    if hint == HINT_BYTE:
                        target = pb[pc]
                        while q < e:
                            if buf[q] == target:
                                found = True
                                break
                            q += 1
                    elif hint == HINT_SET:
                        q = _next_in_set(buf, q, e, classes, pb[pc])
                        found = q < e or classes[pb[pc], 128] != 0
                    else:
                        while q < e:
                            if _ws_at(buf, q, e) > 0:
                                found = True
                                break
                            q += _char_len(buf, q)
                    steps += q - pos
                    lazy[pc, 0] = pos
                    lazy[pc, 1] = q if found else -1
                if not found:
                    fail = True
                else:
                    if q < e:
                        if sp >= depth:
                            return UNDECIDED
                        st[sp, 0] = pc
                        st[sp, 1] = q + _char_len(buf, q)
                        st[sp, 2] = -1
                        st[sp, 3] = tp
                        sp += 1
                    pos = q
                    pc += 1
        elif code == OP_SAVE:
            if tp >= trail.shape[0]:
                return UNDECIDED
            slot = pa[pc]
            trail[tp, 0] = slot
            trail[tp, 1] = caps[slot]
            tp += 1
            caps[slot] = pos
            pc += 1
        elif code == OP_WSPLUS:
            r = pos
            while r < e:
                k = _ws_at(buf, r, e)
                if k == 0:
                    break
                r += k
            if r == pos:
                fail = True
            else:
                first = pos + _ws_at(buf, pos, e)
                if r > first:
                    if sp >= depth:
                        return UNDECIDED
                    st[sp, 0] = pc
                    st[sp, 1] = pos
                    st[sp, 2] = r
                    st[sp, 3] = tp
                    sp += 1
                pos = r
                pc += 1
        elif code == OP_WS:
            k = _ws_at(buf, pos, e) if pos < e else 0
            if k > 0:
                pos += k
                pc += 1
            else:
                fail = True
        elif code == OP_MATCH:
            if pos == e:
                return MATCHED
            fail = True
        elif code == OP_SPLIT:
            if sp >= depth:
                return UNDECIDED
            st[sp, 0] = pb[pc]
            st[sp, 1] = pos
            st[sp, 2] = -1
            st[sp, 3] = tp
            sp += 1
            pc = pa[pc]
        elif code == OP_JMP:
            pc = pa[pc]
        elif code == OP_ANY:
            if pos < e:
                pos += _char_len(buf, pos)
                pc += 1
            else:
                fail = True
        elif code == OP_NWS:
            if pos < e and _ws_at(buf, pos, e) == 0:
                pos += _char_len(buf, pos)
                pc += 1
            else:
                fail = True
        elif code == OP_DIGIT or code == OP_NDIGIT or code == OP_WORD or code == OP_NWORD:
            if pos >= e:
                fail = True
            else:
                b = buf[pos]
                if b >= 0x80:
                    return UNDECIDED  # Unicode digits/letters: leave it to Python's re
                if code == OP_DIGIT:
                    hit = 48 <= b <= 57
                elif code == OP_NDIGIT:
                    hit = not (48 <= b <= 57)
                elif code == OP_WORD:
                    hit = _is_word(b)
                else:
                    hit = not _is_word(b)
                if hit:
                    pos += 1
                    pc += 1
                else:
                    fail = True
        elif code == OP_CLASS:
            if pos >= e:
                fail = True
            else:
                row = pa[pc]
                b = buf[pos]
                if b < 0x80:
                    hit = classes[row, b] != 0
                    if classes[row, 128] != 0:
                        hit = not hit
                    if hit:
                        pos += 1
                        pc += 1
                    else:
                        fail = True
                elif classes[row, 129] != 0:
                    return UNDECIDED
                elif classes[row, 128] != 0:
                    pos += _char_len(buf, pos)
                    pc += 1
                else:
                    fail = True
        else:
            return UNDECIDED
        if fail:
            while True:
                if sp == 0:
                    return NO_MATCH
                sp -= 1
                pc = st[sp, 0]
                pos = st[sp, 1]
                aux = st[sp, 2]
                height = st[sp, 3]
                while tp > height:
                    tp -= 1
                    caps[trail[tp, 0]] = trail[tp, 1]
                if aux < 0:
                    break
                # a whitespace run gives back one character
                r = aux - 1
                while r > pos and (buf[r] & 0xC0) == 0x80:
                    r -= 1
                if r <= pos:
                    continue
                first = pos + _ws_len(buf, pos, e)
                if r > first:
                    st[sp, 2] = r
                    sp += 1
                pos = r
                pc += 1
                break


@njit(cache=True, nogil=True, inline="always")
def _next_in_set(buf, q, e, classes, row):
    """The first position from ``q`` whose byte is non-ASCII or in ``classes[row]``,
    else ``e`` (a HINT_SET lazy field's next candidate end)."""
    while q < e:
        b = buf[np.uint64(q)]
        if b >= 0x80 or classes[row, b] != 0:
            return q
        q += 1
    return e


@njit(cache=True, nogil=True)
def _match_linear(buf, s, e, op, pa, pb, classes, caps):
    """The first path of the search, without choice points: every lazy field takes its
    shortest extension and every choice its preferred branch.

    When it reaches MATCH, the backtracking search would have found the same path
    first, so the result is exact. Anything else returns NO_MATCH and the caller runs
    the full search. Captures on the path are written; the caller clears ``caps``
    first when a branch may skip some.
    """
    pos = s
    pc = 0
    steps = 0
    budget = 4 * (op.shape[0] + e - s) + 16  # a preferred loop that consumes nothing
    alt_pc = -1  # the latest choice's other branch, while it is the search's next step
    alt_pos = 0
    while True:
        steps += 1
        if steps > budget:
            return NO_MATCH
        code = op[pc]
        if code != OP_CHAR and code != OP_JMP and code != OP_SPLIT:
            alt_pc = -1  # a capture or a choice of its own: the full search decides
        fail = False
        if code == OP_LAZY:
            hint = pa[pc]
            if hint == HINT_END:
                pos = e
            elif hint == HINT_BYTE:
                target = pb[pc]
                while pos < e and buf[np.uint64(pos)] != target:
                    pos += 1
                if pos >= e:
                    fail = True
            elif hint == HINT_WS:
                while pos < e:
                    b = buf[np.uint64(pos)]
                    if b < 0x80:
                        if _ASCII_WS[b]:
                            break
                        pos += 1
                    else:
                        if _ws_len(buf, pos, e) > 0:
                            break
                        pos += _char_len(buf, pos)
                if pos >= e:
                    fail = True
            elif hint == HINT_SET:
                pos = _next_in_set(buf, pos, e, classes, pb[pc])
                if pos >= e and classes[pb[pc], 128] == 0:
                    fail = True
            else:
                return NO_MATCH
            pc += 1
        elif code == OP_SAVE:
            caps[pa[pc]] = pos
            pc += 1
        elif code == OP_SPLIT:
            alt_pc = pb[pc]
            alt_pos = pos
            pc = pa[pc]  # the preferred branch
        elif code == OP_JMP:
            pc = pa[pc]
        elif code == OP_CHAR:
            if pos < e and buf[np.uint64(pos)] == pa[pc]:
                pos += 1
                pc += 1
            else:
                fail = True
        elif code == OP_WSPLUS or code == OP_WS:
            k = _ws_at(buf, pos, e) if pos < e else 0
            if k == 0:
                return NO_MATCH
            pos += k
            if code == OP_WSPLUS:
                while pos < e:
                    k = _ws_at(buf, pos, e)
                    if k == 0:
                        break
                    pos += k
            pc += 1
        elif code == OP_MATCH:
            if pos == e:
                return MATCHED
            fail = True
        else:
            return NO_MATCH
        if fail:
            if alt_pc < 0:
                return NO_MATCH
            pc, pos, alt_pc = alt_pc, alt_pos, -1  # where the search would go next


@dual(1, 5000)
def _match_lines(buf, starts, ends, op, pa, pb, classes, n_fields):
    """Match every line against the program.

    Returns ``status`` (uint8[m]: NO_MATCH, MATCHED, UNDECIDED, GAVE_UP) and ``caps``
    (int64[2 * n_fields, m]: absolute start, end of each field by row, -1 when unset
    or when the line did not match).
    """
    m = starts.shape[0]
    ncap = 2 * n_fields
    status = np.zeros(m, dtype=np.uint8)
    caps = np.full((ncap, m), -1, dtype=np.int64)
    linear = True
    for pc in range(op.shape[0]):
        if op[pc] == OP_SPLIT or op[pc] == OP_JMP:
            linear = False
    n_blocks = min(m, 256)
    for blk in prange(n_blocks):
        lo = blk * m // n_blocks
        hi = (blk + 1) * m // n_blocks
        _match_run(buf, starts[lo:hi], ends[lo:hi], op, pa, pb, classes, linear,
                   status[lo:hi], caps, lo)  # fmt: skip
    return status, caps


@njit(cache=True, nogil=True)
def _match_run(buf, starts, ends, op, pa, pb, classes, linear, status, caps, lo):
    """:func:`_match_lines` for a run of lines (rows ``lo`` on of ``caps``)."""
    ncap = caps.shape[0]
    st = np.empty((_STACK, 4), dtype=np.int64)
    trail = np.empty((8 * _STACK, 2), dtype=np.int64)
    lazy = np.empty((op.shape[0], 2), dtype=np.int64)
    row = np.empty(ncap, dtype=np.int64)
    for i in range(starts.size):
        s = starts[i]
        e = ends[i]
        if not linear:  # a branch may skip captures: clear those of the last line
            for k in range(ncap):
                row[k] = -1
        st_i = _match_linear(buf, s, e, op, pa, pb, classes, row)
        if st_i != MATCHED:
            budget = 20000 + 64 * (e - s)
            st_i = _match_line(buf, s, e, op, pa, pb, classes, row, st, trail, lazy, budget)
        status[i] = st_i
        if st_i == MATCHED:
            for k in range(ncap):
                caps[k, lo + i] = row[k]


# --------------------------------------------------------------------------- records


@njit(cache=True, nogil=True)
def _group_records(matched, join):
    """First and last line index of each record.

    With ``join``, a line that does not match joins the record before it when that
    record started with a matching line; other lines are records of their own.
    """
    m = matched.shape[0]
    first = np.empty(m, dtype=np.int64)
    last = np.empty(m, dtype=np.int64)
    n = 0
    open_matched = False
    for i in range(m):
        if join and not matched[i] and open_matched:
            last[n - 1] = i
            continue
        first[n] = i
        last[n] = i
        n += 1
        open_matched = matched[i]
    return first[:n], last[:n]


@dual(2, 20000)
def _gather(buf, starts, ends):
    """Copy byte ranges, one column per row of ``starts``/``ends`` (int64[k, n]).

    Returns ``data`` (uint8: the columns one after another), ``offsets`` (int64[k, n+1],
    Arrow ``large_string`` offsets of each column from its own start) and ``bases``
    (int64[k+1]: where each column starts in ``data``). A range with a negative start
    is empty (the caller marks it null).
    """
    k, n = starts.shape
    offsets = np.zeros((k, n + 1), dtype=np.int64)
    bases = np.zeros(k + 1, dtype=np.int64)
    for c in range(k):
        acc = 0
        for i in range(n):
            s = starts[c, i]
            if s >= 0:
                acc += ends[c, i] - s
            offsets[c, i + 1] = acc
        bases[c + 1] = bases[c] + acc
    data = np.empty(bases[k], dtype=np.uint8)
    n_blocks = min(n, 64)
    for blk in prange(n_blocks):
        lo = blk * n // n_blocks
        hi = (blk + 1) * n // n_blocks
        for c in range(k):
            _copy_spans(buf, starts[c, lo:hi], ends[c, lo:hi], offsets[c, lo:hi], bases[c], data)
    return data, offsets, bases


@njit(cache=True, nogil=True, inline="always")
def _copy_bytes(dst, o, src, a, n):
    """``dst[o:o + n] = src[a:a + n]``, eight bytes a step: the byte loads and stores of
    a step combine into one, and short copies skip a slice's setup."""
    q = 0
    while q + 8 <= n:
        for k in range(8):
            dst[np.uint64(o + q + k)] = src[np.uint64(a + q + k)]
        q += 8
    while q < n:
        dst[np.uint64(o + q)] = src[np.uint64(a + q)]
        q += 1


@njit(cache=True, nogil=True)
def _copy_spans(buf, starts, ends, offsets, base, data):
    """``data[base + offsets[i]:] = buf[starts[i]:ends[i]]`` for spans with a start >= 0
    (in a serial helper: faster than a byte loop in the parallel kernel)."""
    for i in range(starts.size):
        s = starts[i]
        if s >= 0:
            _copy_bytes(data, base + offsets[i], buf, s, ends[i] - s)


@dual(1, 20000)
def _gather_records(buf, starts, ends, line_starts, line_ends, first, last):
    """Copy each record's text: its first span, then ``\\n`` and each continuation line.

    ``starts``/``ends`` give the span taken from the record's first line; the lines
    ``first[i] + 1 .. last[i]`` follow whole (without their line ending).
    """
    n = starts.shape[0]
    lens = np.empty(n, dtype=np.int64)
    for i in prange(n):
        total = ends[i] - starts[i] if starts[i] >= 0 else 0
        for j in range(first[i] + 1, last[i] + 1):
            total += 1 + line_ends[j] - line_starts[j]
        lens[i] = total
    offsets = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        offsets[i + 1] = offsets[i] + lens[i]
    data = np.empty(offsets[-1], dtype=np.uint8)
    n_blocks = min(n, 64)
    for blk in prange(n_blocks):
        a = blk * n // n_blocks
        b = (blk + 1) * n // n_blocks
        _copy_records(buf, starts[a:b], ends[a:b], line_starts, line_ends, first[a:b],
                      last[a:b], offsets[a:b], data)  # fmt: skip
    return data, offsets


@njit(cache=True, nogil=True)
def _copy_records(buf, starts, ends, line_starts, line_ends, first, last, offsets, data):
    """The copies of :func:`_gather_records` for a run of records."""
    for i in range(starts.size):
        o = offsets[i]
        s = starts[i]
        if s >= 0:
            _copy_bytes(data, o, buf, s, ends[i] - s)
            o += ends[i] - s
        for j in range(first[i] + 1, last[i] + 1):
            data[o] = 10
            o += 1
            m = line_ends[j] - line_starts[j]
            _copy_bytes(data, o, buf, line_starts[j], m)
            o += m


# Record flag bits (engine.FLAG_NAMES names them).
REC_NO_MATCH, REC_INVALID_UTF8, REC_BINARY, REC_BAD_TIMESTAMP, REC_OUT_OF_ORDER = 1, 2, 4, 8, 16


@njit(cache=True, nogil=True)
def _record_flags(line_flags, first, last, ok):
    """Record flags from the flags of its lines (uint8[n]): no_match, invalid_utf8, binary."""
    n = first.shape[0]
    out = np.zeros(n, dtype=np.uint8)
    for r in range(n):
        raw = 0
        for j in range(first[r], last[r] + 1):
            raw |= line_flags[j]
        f = 0 if ok[r] else REC_NO_MATCH
        if raw & FLAG_INVALID_UTF8:
            f |= REC_INVALID_UTF8
        if raw & FLAG_BINARY:
            f |= REC_BINARY
        out[r] = f
    return out


@njit(cache=True, nogil=True)
def _time_flags(ns, failed, flags, max_seen):
    """Add bad_timestamp and out_of_order (earlier than a record before it) to ``flags``;
    returns the latest time seen so far, which carries to the next block."""
    nat = np.iinfo(np.int64).min
    for r in range(ns.shape[0]):
        if failed[r]:
            flags[r] |= REC_BAD_TIMESTAMP
        t = ns[r]
        if t == nat:
            continue
        if t < max_seen:
            flags[r] |= REC_OUT_OF_ORDER
        else:
            max_seen = t
    return max_seen


@njit(cache=True, nogil=True)
def _count_brackets(data, starts, ends):
    """int64[n]: how many ``{`` and ``[`` bytes each range ``data[starts[i]:ends[i]]`` holds
    (an upper bound on a JSON line's nesting depth). One pass over the bytes; Arrow's
    count_substring, twice, took 0.55 s on 155 MB of journald JSON."""
    n = starts.shape[0]
    out = np.zeros(n, dtype=np.int64)
    for i in range(n):
        c = 0
        for j in range(starts[i], ends[i]):
            b = data[j]
            if b == 123 or b == 91:
                c += 1
        out[i] = c
    return out
