"""A numba ``findall`` for the simple regular expressions that name sessions.

Session keys are usually found by patterns such as ``blk_-?\\d+`` or
``req-[0-9a-f]{8}``: a sequence of single characters, each optionally repeated,
with at most one capturing group. For those, :func:`compile_simple` turns the
pattern into per-atom character tables (built by Python's own ``re`` on each ASCII
character, so classes, flags and escapes mean exactly what they mean to ``re``) and
:func:`find_spans` scans ASCII text with the same leftmost, greedy, backtracking
search as ``re.findall``. Anything else (alternation, anchors, lookarounds, lazy
quantifiers, nested groups, patterns that can match empty text) gets ``None`` from
:func:`compile_simple`, and the caller keeps the general path. Rows holding non-ASCII
bytes are never scanned here (Unicode classes apply there): callers give them to
``re``. ``tests/test_windows.py`` checks the kernel against ``re.findall``.

:class:`KeyTable` then numbers the keys found, chunk after chunk, by first appearance:
a hash table over their 64-bit hashes, with every key's bytes compared to the stored
key, so that a hash shared by two texts is noticed and the caller takes an exact path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .._hashing import find, grow, span_hash

_BIG = np.iinfo(np.int64).max


@dataclass(frozen=True)
class SimplePattern:
    tables: np.ndarray  # uint8 [atoms, 256]: which bytes each atom takes (none >= 128)
    mins: np.ndarray  # int64 [atoms]
    maxs: np.ndarray  # int64 [atoms]
    group: tuple[int, int]  # atoms [lo, hi) of the key (the whole match without a group)


def _atom_table(item, state) -> np.ndarray:
    sub = re._parser.SubPattern(state, [item])  # type: ignore[attr-defined]
    rx = re._compiler.compile(sub, state.flags)  # type: ignore[attr-defined]
    table = np.zeros(256, dtype=np.uint8)  # bytes >= 128: the row goes to ``re``
    table[:128] = [rx.fullmatch(chr(b)) is not None for b in range(128)]
    return table


_SINGLE = ("LITERAL", "NOT_LITERAL", "IN", "ANY")


def _atoms(items, state, out: list, groups: list) -> bool:
    """Append (table, min, max) per atom of ``items``; False if a construct is unsupported."""
    for op, av in items:
        name = str(op)
        if name in _SINGLE:
            out.append((_atom_table((op, av), state), 1, 1))
        elif name == "MAX_REPEAT":
            lo, hi, body = av
            if len(body) != 1 or str(body[0][0]) not in _SINGLE:
                return False
            hi = _BIG if hi == re._constants.MAXREPEAT else int(hi)  # type: ignore[attr-defined]
            out.append((_atom_table(body[0], state), int(lo), hi))
        elif name == "SUBPATTERN":
            group, add_flags, del_flags, body = av
            if add_flags or del_flags:
                return False
            start = len(out)
            if not _atoms(body, state, out, groups):
                return False
            if group is not None:
                groups.append((start, len(out)))
        else:
            return False
    return True


def compile_simple(pattern: str) -> SimplePattern | None:
    """The tables of a simple ``pattern``, or None when it is not simple (see above)."""
    try:
        compiled = re.compile(pattern)
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
        atoms: list = []
        groups: list = []
        if not _atoms(parsed.data, parsed.state, atoms, groups):
            return None
    except Exception:  # private API: any doubt means the general path
        return None
    if not atoms or compiled.groups != len(groups) or len(groups) > 1:
        return None
    if sum(lo for _, lo, _ in atoms) == 0:  # can match empty text
        return None
    group = groups[0] if groups else (0, len(atoms))
    if group[0] == group[1]:
        return None
    return SimplePattern(
        tables=np.stack([t for t, _, _ in atoms]),
        mins=np.array([lo for _, lo, _ in atoms], dtype=np.int64),
        maxs=np.array([hi for _, _, hi in atoms], dtype=np.int64),
        group=group,
    )


@njit(cache=True, nogil=True, inline="always")
def _match_at(buf, p, e, tables, mins, maxs, counts, poss, done):
    """End of the match starting at ``p`` (greedy, backtracking as ``re``), or -1.

    The first ``done`` atoms are single bytes known to match at ``p`` (the literal
    start checked by the caller): they are recorded, not tried, and never give back.
    """
    n_atoms = mins.shape[0]
    for i in range(done):
        poss[i] = p + i
        counts[i] = 1
    i = done
    pos = p + done
    while True:
        if i == n_atoms:
            return pos
        k = 0
        if maxs[i] == 1:  # most atoms: one byte, maybe optional
            if pos < e and tables[_u(i), buf[_u(pos)]]:
                k = 1
        else:
            limit = min(maxs[i], e - pos)
            while k < limit and tables[_u(i), buf[_u(pos + k)]]:
                k += 1
        if k >= mins[i]:
            poss[i] = pos
            counts[i] = k
            pos += k
            i += 1
            continue
        while True:  # give back one repetition of the latest atom that can spare one
            i -= 1
            if i < done:
                return -1
            if counts[i] > mins[i]:
                counts[i] -= 1
                pos = poss[i] + counts[i]
                i += 1
                break


_ONES = np.uint64(0x0101010101010101)
_HIGH = np.uint64(0x8080808080808080)


@njit(cache=True, nogil=True, inline="always")
def _next_byte(buf, words, head, p, e, byte):
    """The first position in ``buf[p:e]`` holding ``byte``, ``e`` if none, or -1 if a
    non-ASCII byte comes first. Eight bytes a step where ``words`` (``buf[head:]`` as
    uint64) covers them: a word without a high bit and without ``byte`` is skipped whole.
    """
    boundary = min(head if p < head else p + (-(p - head) & 7), e)
    p = _bytes_until(buf, p, boundary, byte)
    if p != boundary or p == e:  # found, non-ASCII, or the end
        return p
    pattern = np.uint64(byte) * _ONES
    k = (p - head) >> 3
    last = min((e - head) >> 3, words.shape[0])  # words wholly before ``e``
    while k < last:
        w = words[_u(k)]
        x = w ^ pattern
        if ((w | ((x - _ONES) & ~x)) & _HIGH) != 0:
            break
        k += 1
    return _bytes_until(buf, head + 8 * k, e, byte)


@njit(cache=True, nogil=True, inline="always")
def _bytes_until(buf, p, stop, byte):
    """The first position in ``buf[p:stop]`` holding ``byte``, ``stop`` if none, or -1
    if a non-ASCII byte comes first (one byte a step)."""
    while p < stop:
        b = buf[_u(p)]
        if b >= 128:
            return -1
        if b == byte:
            return p
        p += 1
    return stop


@njit(cache=True, nogil=True, inline="always")
def _u(i):
    """An index known to be in range, as unsigned (no negative-index test)."""
    return np.uint64(i)


@njit(cache=True, nogil=True, inline="always")
def _scan(buf, words, head, lit, s, e, tables, mins, maxs, glo, ghi, counts, poss,
          out_s, out_e, o):  # fmt: skip
    """Write the key spans of ``findall`` over ``buf[s:e]`` from ``o`` on; return the count,
    or -1 when the text holds a non-ASCII byte (every byte is either visited here or
    inside a match, which takes ASCII bytes only). ``lit``: the bytes every match starts
    with (``blk_``), if any; the first is searched eight bytes at a time, the others
    checked before the pattern is tried."""
    n = 0
    p = s
    lead = tables[0]
    skip = mins[0] > 0  # positions whose byte the first atom refuses cannot start a match
    n_lit = lit.shape[0]
    while p < e:
        if n_lit:
            p = _next_byte(buf, words, head, p, e, lit[0])
            if p < 0:
                return -1
            if p >= e:
                break
            same = p + n_lit <= e
            for j in range(1, n_lit if same else 0):
                if buf[_u(p + j)] != lit[j]:
                    same = False
                    break
            if not same:  # the bytes after p are visited again from p + 1
                p += 1
                continue
        b = buf[p]
        if b >= 128:
            return -1
        if skip and not lead[b]:
            p += 1
            while p < e:
                b = buf[p]
                if b >= 128:
                    return -1
                if lead[b]:
                    break
                p += 1
            if p >= e:
                break
        q = _match_at(buf, p, e, tables, mins, maxs, counts, poss, n_lit)
        if q < 0:
            p += 1
            continue
        if o + n < out_s.shape[0]:
            out_s[o + n] = poss[glo]
            out_e[o + n] = poss[ghi - 1] + counts[ghi - 1]
        n += 1
        p = q  # q > p: the pattern cannot match empty text
    return n


def find_spans(data, offsets, rows, tables, mins, maxs, glo, ghi):
    """``re.findall`` key spans of each of ``rows`` (text in Arrow buffers): see
    :func:`_find_spans`. When every match starts with the same bytes (``blk_``,
    ``req-``), rows are searched for the first eight bytes at a time."""
    lit = []
    for table, lo, hi in zip(tables, mins, maxs, strict=True):
        one = np.flatnonzero(table)
        if lo != 1 or hi != 1 or one.size != 1:
            break
        lit.append(int(one[0]))
    head = min((-data.ctypes.data) % 8, data.size)
    n_words = (data.size - head) // 8
    words = data[head : head + 8 * n_words].view(np.uint64)
    lit = np.array(lit, dtype=np.uint8)
    return _find_spans(data, words, head, lit, offsets, rows, tables, mins, maxs, glo, ghi)


@njit(cache=True, nogil=True, parallel=True)
def _find_spans(data, words, head, lit, offsets, rows, tables, mins, maxs, glo, ghi):
    """``re.findall`` key spans of each of ``rows`` (text in Arrow buffers).

    Returns ``(row_of_match, start, end, hashes, not_ascii)``: byte offsets into
    ``data``, rows in order, matches in text order within a row, a 64-bit hash of
    each key, and the rows holding non-ASCII bytes (not searched: give them to
    ``re``). One scan per row; rows with two or more matches are scanned once more.
    """
    n = rows.shape[0]
    n_atoms = mins.shape[0]
    per_row = np.zeros(n, np.int64)
    one_s = np.zeros(n, np.int64)  # the match of rows that hold exactly one
    one_e = np.zeros(n, np.int64)
    n_blocks = min(n, 64)
    for blk in prange(n_blocks):
        counts = np.empty(n_atoms, np.int64)
        poss = np.empty(n_atoms, np.int64)
        first_s = np.empty(1, np.int64)
        first_e = np.empty(1, np.int64)
        for j in range(blk * n // n_blocks, (blk + 1) * n // n_blocks):
            r = rows[j]
            per_row[j] = _scan(
                data, words, head, lit, offsets[r], offsets[r + 1], tables, mins,
                maxs, glo, ghi, counts, poss, first_s, first_e, 0,
            )  # fmt: skip
            one_s[j] = first_s[0]
            one_e[j] = first_e[0]
    first = np.zeros(n + 1, np.int64)
    n_other = 0
    for j in range(n):
        first[j + 1] = first[j] + max(per_row[j], 0)
        n_other += per_row[j] < 0
    not_ascii = np.empty(n_other, np.int64)
    k = 0
    for j in range(n):
        if per_row[j] < 0:
            not_ascii[k] = rows[j]
            k += 1
    total = first[n]
    row_of = np.empty(total, np.int64)
    start = np.empty(total, np.int64)
    end = np.empty(total, np.int64)
    hashes = np.empty(total, np.uint64)
    for blk in prange(n_blocks):
        counts = np.empty(n_atoms, np.int64)
        poss = np.empty(n_atoms, np.int64)
        for j in range(blk * n // n_blocks, (blk + 1) * n // n_blocks):
            m = per_row[j]
            if m <= 0:
                continue
            r = rows[j]
            if m == 1:
                start[first[j]] = one_s[j]
                end[first[j]] = one_e[j]
            else:
                _scan(
                    data, words, head, lit, offsets[r], offsets[r + 1], tables, mins,
                    maxs, glo, ghi, counts, poss, start, end, first[j],
                )  # fmt: skip
            for i in range(first[j], first[j + 1]):
                row_of[i] = r
                hashes[i] = span_hash(data, start[i], end[i])
    return row_of, start, end, hashes, not_ascii


@njit(cache=True, nogil=True, parallel=True)
def substrings(data, start, stop):
    """Arrow large_string buffers (offsets, bytes) of ``data[start[i]:stop[i]]``."""
    n = start.shape[0]
    offsets = np.zeros(n + 1, np.int64)
    for i in range(n):
        offsets[i + 1] = offsets[i] + (stop[i] - start[i])
    out = np.empty(offsets[n], np.uint8)
    n_blocks = min(n, 64)
    for blk in prange(n_blocks):
        for i in range(blk * n // n_blocks, (blk + 1) * n // n_blocks):
            out[offsets[i] : offsets[i + 1]] = data[start[i] : stop[i]]
    return offsets, out


class KeyTable:
    """Distinct keys met so far, numbered in order of first appearance, across chunks
    of text (:func:`intern_keys` keeps its state here)."""

    def __init__(self) -> None:
        self.table = np.zeros((1024, 2), np.uint64)  # open addressing: [hash, code + 1]
        self.arena = np.empty(4096, np.uint8)  # the keys' bytes back to back
        self.ends = np.zeros(1025, np.int64)  # key k is arena[ends[k]:ends[k + 1]]
        self.n_keys = 0
        self.exact = True  # False once two different keys shared a hash

    def add(self, data, row_of, start, stop, hashes) -> tuple[np.ndarray, np.ndarray]:
        """(rows, key codes) of the spans ``data[start:stop]``, a key named twice in
        a row counted once; ``row_of`` ascends. Check :attr:`exact` at the end."""
        rows, codes, exact, state = intern_keys(
            data, row_of, start, stop, hashes, self.table, self.arena, self.ends, self.n_keys
        )
        self.table, self.arena, self.ends, self.n_keys = state
        self.exact &= exact
        return rows, codes

    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        """(offsets, bytes) of the keys, Arrow large_string buffers."""
        return self.ends[: self.n_keys + 1].copy(), self.arena[: self.ends[self.n_keys]]


@njit(cache=True, nogil=True)
def intern_keys(data, row_of, start, stop, hashes, table, arena, ends, n_keys):
    """Number each span ``data[start[i]:stop[i]]`` by its distinct text.

    A key's number is its order of first appearance over all calls (the state — hash
    ``table`` of ``[hash, code + 1]`` slots, key bytes ``arena`` with offsets ``ends``,
    and ``n_keys`` — is passed back in). A span is matched by its 64-bit hash; then,
    in parallel, every span's bytes are compared with its key's, and ``exact`` is
    False if two texts shared a hash (the caller then takes an exact path). Returns
    ``(rows, codes, exact, state)`` of the spans whose key their row did not name
    before (rows ascend in ``row_of``).
    """
    m = start.size
    need = ends[n_keys]  # room for every span being new: the loop never grows these
    for i in range(m):
        need += stop[i] - start[i]
    if need > arena.size:
        grown = np.empty(max(2 * arena.size, need), np.uint8)
        grown[: ends[n_keys]] = arena[: ends[n_keys]]
        arena = grown
    if n_keys + m + 1 > ends.size:
        grown_ends = np.zeros(max(2 * ends.size, n_keys + m + 1), np.int64)
        grown_ends[: n_keys + 1] = ends[: n_keys + 1]
        ends = grown_ends
    codes = np.empty(m, np.int64)
    rows = np.empty(m, np.int64)
    kept = np.empty(m, np.int64)
    i = k = 0
    while i < m:  # the loop stops when the table is half full: grow it, go on
        i, k, n_keys = _intern(data, row_of, start, stop, hashes, table, arena, ends,
                               n_keys, codes, rows, kept, i, k)  # fmt: skip
        if i < m:
            table = grow(table, 2 * table.shape[0])
    exact = spans_equal_keys(data, start, stop, codes, arena, ends)
    return rows[:k], kept[:k], exact, (table, arena, ends, n_keys)


@njit(cache=True, nogil=True)
def _intern(data, row_of, start, stop, hashes, table, arena, ends, n_keys, codes, rows, kept,
            i, k):  # fmt: skip
    """The loop of :func:`intern_keys` from span ``i`` (``k`` spans kept so far);
    returns where it stopped, the kept count and the key count."""
    size = table.shape[0]
    run = i  # first span of the current row
    while run > 0 and row_of[run - 1] == row_of[i]:
        run -= 1
    while i < start.size:
        if 2 * (n_keys + 1) > size:
            break
        if i == 0 or row_of[i] != row_of[i - 1]:
            run = i
        a, b = start[i], stop[i]
        h = hashes[i]
        slot, code = find(table, h)
        if code < 0:  # a new key
            code = n_keys
            at = ends[n_keys]
            for q in range(b - a):
                arena[at + q] = data[a + q]
            ends[n_keys + 1] = at + (b - a)
            table[slot, 0] = h
            table[slot, 1] = code + 1
            n_keys += 1
        codes[i] = code
        new = True
        for j in range(run, i):
            if codes[j] == code:
                new = False
                break
        if new:
            rows[k] = row_of[i]
            kept[k] = code
            k += 1
        i += 1
    return i, k, n_keys


@njit(cache=True, nogil=True, parallel=True)
def spans_equal_keys(data, start, stop, codes, arena, ends):
    """Whether every span ``data[start[i]:stop[i]]`` equals key ``codes[i]`` of the
    ``arena``."""
    n = start.size
    n_blocks = min(n, 64)
    good = np.ones(max(n_blocks, 1), np.bool_)
    for blk in prange(n_blocks):
        a = blk * n // n_blocks
        b = (blk + 1) * n // n_blocks
        good[blk] = _equal_keys(data, start[a:b], stop[a:b], codes[a:b], arena, ends)
    return good.all()


@njit(cache=True, nogil=True)
def _equal_keys(data, start, stop, codes, arena, ends):
    for i in range(start.size):
        a, c = start[i], ends[codes[i]]
        m = stop[i] - a
        if ends[codes[i] + 1] - c != m:
            return False
        for q in range(m):
            if data[a + q] != arena[c + q]:
                return False
    return True
