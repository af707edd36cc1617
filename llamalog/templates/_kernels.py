"""Numba kernel: the hash of each message's masked template, without building the text.

It follows :func:`llamalog.templates.masking.mask` rule for rule on ASCII messages and
writes the bytes that ``mask`` would write, then hashes them eight at a time. Messages with
non-ASCII bytes (where Python's Unicode digits and spaces apply) get status 1 and are
masked in Python. ``tests/test_templates.py`` checks the kernel against ``mask``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .. import _hashing as H

OK, NEEDS_PYTHON = 0, 1


def _table(words: list[str]) -> np.ndarray:
    width = max(len(w) for w in words)
    out = np.zeros((len(words), width + 1), dtype=np.uint8)
    for i, w in enumerate(words):
        out[i, 0] = len(w)
        out[i, 1 : 1 + len(w)] = np.frombuffer(w.encode(), dtype=np.uint8)
    return out


BOOLS = _table(["true", "false", "True", "False", "TRUE", "FALSE"])
DATES = _table(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec Mon Tue Wed Thu Fri Sat Sun".split()
)
UNITS = _table("B KB MB GB TB PB KiB MiB GiB TiB".split())


def _leads(*tables: np.ndarray) -> np.ndarray:
    """``_LEADS[t[0, 1], b]``: whether a word of table ``t`` starts with byte ``b`` (the
    tables' first words start with different bytes)."""
    out = np.zeros((256, 256), dtype=np.bool_)
    for t in tables:
        assert not out[t[0, 1]].any()
        out[t[0, 1], t[:, 1]] = True
    return out


_LEADS = _leads(BOOLS, DATES, UNITS)


def _classes() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint8)
    for b in (32, 9, 10, 11, 12, 13, 28, 29, 30, 31):
        table[b] |= 1  # whitespace, as str.split()
    for ch in ":=,()[]{}\"'#":
        table[ord(ch)] |= 2  # delimiter inside a token
    for b in range(48, 58):
        table[b] |= 4  # digit
    table[47] |= 8  # slash: paths and URLs need one
    return table


CLASSES = _classes()
_WS, _DELIM, _DIGIT, _SLASH = 1, 2, 4, 8


@njit(cache=True, nogil=True, inline="always")
def _u(i):
    """An index known to be in range, as unsigned: numba then skips the test for a
    negative index (the loops that read every byte run faster)."""
    return np.uint64(i)


@njit(cache=True, nogil=True, inline="always")
def _hash_padded(buf, k):
    """64-bit hash of ``buf[:k]``; ``buf`` has room to zero-pad ``k`` to a multiple of 8.

    Eight bytes a step (multiply and xor-shift), the length mixed in, and splitmix64's
    finaliser: equal texts, equal hashes; different texts collide with odds near 2^-64.
    """
    end = (k + 7) // 8 * 8
    for q in range(k, end):
        buf[q] = 0
    words = buf[:end].view(np.uint64)
    h = H.start(k)
    for w in words:
        h = H.step(h, w)
    return H.finish(h)


@njit(cache=True, nogil=True, inline="always")
def _is_ws(b):
    return CLASSES[b] & _WS


@njit(cache=True, nogil=True, inline="always")
def _is_delim(b):
    return CLASSES[b] & _DELIM


@njit(cache=True, nogil=True, inline="always")
def _in_table(buf, s, e, table):
    n = e - s
    if not _LEADS[table[0, 1], buf[_u(s)]]:  # no word of the table starts so
        return False
    for r in range(table.shape[0]):
        if table[r, 0] != n:
            continue
        same = True
        for q in range(n):
            if buf[s + q] != table[r, 1 + q]:
                same = False
                break
        if same:
            return True
    return False


@njit(cache=True, nogil=True, inline="always")
def _is_hex(b):
    return (48 <= b <= 57) or (97 <= b <= 102) or (65 <= b <= 70)


@njit(cache=True, nogil=True, inline="always")
def _is_uuid(buf, s, e):
    if e - s != 36:
        return False
    for q in range(36):
        b = buf[s + q]
        if q == 8 or q == 13 or q == 18 or q == 23:
            if b != 45:
                return False
        elif not _is_hex(b):
            return False
    return True


@njit(cache=True, nogil=True, inline="always")
def _is_numeric(buf, s, e):
    """``[-+]?\\d+`` or ``[-+]?(\\d+\\.\\d*|\\.\\d+)([eE][-+]?\\d+)?`` (ASCII)."""
    p = s
    if p < e and (buf[p] == 43 or buf[p] == 45):
        p += 1
    lead = 0
    while p < e and 48 <= buf[p] <= 57:
        p += 1
        lead += 1
    if p == e:
        return lead > 0
    if buf[p] != 46:
        return False
    p += 1
    frac = 0
    while p < e and 48 <= buf[p] <= 57:
        p += 1
        frac += 1
    if lead == 0 and frac == 0:
        return False
    if p == e:
        return True
    if buf[p] != 101 and buf[p] != 69:
        return False
    p += 1
    if p < e and (buf[p] == 43 or buf[p] == 45):
        p += 1
    exp = 0
    while p < e and 48 <= buf[p] <= 57:
        p += 1
        exp += 1
    return exp > 0 and p == e


@njit(cache=True, nogil=True, inline="always")
def _has(buf, s, e, a, b, c):
    for q in range(s, e - 2):
        if buf[q] == a and buf[q + 1] == b and buf[q + 2] == c:
            return True
    return False


@njit(cache=True, nogil=True, inline="always")
def _is_var_in(buf, s, e, digits, url):
    """Whether a (non-delimiter) piece is a variable, as ``masking._type_of``; for a
    piece of a token known to hold no digit (``digits`` False) or no ``://`` (``url``
    False) the scans those rule out are skipped."""
    if digits:
        for q in range(s, e):
            if CLASSES[buf[_u(q)]] & _DIGIT:
                return True
    n = e - s
    if n == 36 and _is_uuid(buf, s, e):
        return True
    if url and _has(buf, s, e, 58, 47, 47):  # ://
        return True
    if n > 1 and buf[s] == 47:
        return True
    if n >= 2 and buf[s] == 46 and buf[s + 1] == 47:  # ./
        return True
    if n >= 3 and buf[s] == 46 and buf[s + 1] == 46 and buf[s + 2] == 47:  # ../
        return True
    if n >= 2 and buf[s] == 126 and buf[s + 1] == 47:  # ~/
        return True
    if n == 3:
        return _in_table(buf, s, e, DATES)
    return (n == 4 or n == 5) and _in_table(buf, s, e, BOOLS)


@njit(cache=True, nogil=True)
def _is_var(buf, s, e):
    """Whether a (non-delimiter) piece is a variable, as ``masking._type_of``."""
    return _is_var_in(buf, s, e, True, True)


@njit(cache=True, nogil=True, inline="always")
def _pieces(buf, s, e, ps, pe, url):
    """Pieces of the token ``buf[s:e]`` into ``ps``/``pe``; returns their number.

    ``url``: whether the token holds ``://``.
    """
    n = 0
    if url or buf[s] == 47:
        h = e
        while h > s:
            b = buf[h - 1]
            if b == 44 or b == 58 or b == 59 or b == 41 or b == 34 or b == 93:
                h -= 1
            else:
                break
        if h == s:  # everything stripped: like Python, the head is ""
            pass
        ps[n] = s
        pe[n] = h
        n += 1
        for q in range(h, e):
            ps[n] = q
            pe[n] = q + 1
            n += 1
        return n
    cur = -1
    for q in range(s, e):
        if _is_delim(buf[_u(q)]):
            if cur >= 0:
                ps[n] = cur
                pe[n] = q
                n += 1
                cur = -1
            ps[n] = q
            pe[n] = q + 1
            n += 1
        elif cur < 0:
            cur = q
    if cur >= 0:
        ps[n] = cur
        pe[n] = e
        n += 1
    return n


@njit(cache=True, nogil=True, inline="always")
def _copy(out, o, buf, a, b):
    """Copy ``buf[a:b]`` to ``out[o:]``, eight bytes a step (byte loads and stores that
    combine into one), and return the new end. ``out`` has 8 bytes of slack past what
    it receives; ``buf`` is read past ``b`` only where it has those bytes."""
    n = b - a
    q = 0
    if a + n + 8 <= buf.shape[0]:
        while q < n:
            for k in range(8):
                out[_u(o + q + k)] = buf[_u(a + q + k)]
            q += 8
        return o + n
    for k in range(n):
        out[o + k] = buf[a + k]
    return o + n


@njit(cache=True, nogil=True, inline="always")
def _constant_pieces(buf, s, e):
    """For a token with delimiters and no digit or slash: whether no piece between its
    delimiters is a variable. Without digits or a slash only a UUID-long, a date-like
    (3 letters) or a boolean-like (4-5 letters) piece can be one (:func:`_is_var_in`)."""
    run = s
    for q in range(s, e + 1):
        if q < e and not _is_delim(buf[_u(q)]):
            continue
        n = q - run
        if n == 36 or n == 3 or n == 4 or n == 5:
            if _is_var_in(buf, run, q, False, False):
                return False
        run = q + 1
    return True


@njit(cache=True, nogil=True, inline="always")
def _constant_word(buf, s, e):
    """:func:`_constant_pieces` for a token without delimiters: one piece, the token."""
    n = e - s
    return not ((n == 36 or n == 3 or n == 4 or n == 5) and _is_var_in(buf, s, e, False, False))


@njit(cache=True, nogil=True, inline="always")
def _piece_is_delim(buf, ps, pe, i):
    return pe[i] - ps[i] == 1 and _is_delim(buf[ps[i]])


#: Parameter types, in the order :func:`llamalog.templates.masking._type_of` tries them
#: (``size`` and ``date`` also come from joining a unit or a written-out date).
TYPES = ("int", "float", "ip", "uuid", "url", "path", "hex", "bool", "date", "id", "size")
T_INT, T_FLOAT, T_IP, T_UUID, T_URL, T_PATH, T_HEX, T_BOOL, T_DATE, T_ID, T_SIZE = range(11)


@njit(cache=True, nogil=True, inline="always")
def _append(vals, v, buf, a, b, space, want):
    """Copy ``buf[a:b]`` to ``vals[v:]`` (after one space when ``space``) if ``want``;
    the new end either way."""
    if not want:
        return v + (b - a) + (1 if space else 0)
    if space:
        vals[v] = 32
        v += 1
    for q in range(a, b):
        vals[v] = buf[q]
        v += 1
    return v


@njit(cache=True, nogil=True)
def _is_ipv4(buf, s, e):
    r"""``/?\d{1,3}(\.\d{1,3}){3}`` (ASCII), the whole piece."""
    p = s
    if p < e and buf[p] == 47:
        p += 1
    for group in range(4):
        if group:
            if p >= e or buf[p] != 46:
                return False
            p += 1
        n = 0
        while p < e and 48 <= buf[p] <= 57 and n < 3:
            p += 1
            n += 1
        if n == 0:
            return False
    return p == e


@njit(cache=True, nogil=True)
def _type_code(buf, s, e):
    """The type of a variable piece, as ``masking._type_of`` (ASCII): an index in TYPES."""
    n = e - s
    p = s
    if p < e and (buf[p] == 43 or buf[p] == 45):
        p += 1
    q = p
    while q < e and 48 <= buf[q] <= 57:
        q += 1
    if q == e and q > p:
        return T_INT
    if _is_numeric(buf, s, e):
        return T_FLOAT
    if _is_ipv4(buf, s, e):
        return T_IP
    if _is_uuid(buf, s, e):
        return T_UUID
    if _has(buf, s, e, 58, 47, 47):
        return T_URL
    if (n > 1 and buf[s] == 47) or (n >= 2 and buf[s] == 46 and buf[s + 1] == 47):
        return T_PATH
    if (n >= 3 and buf[s] == 46 and buf[s + 1] == 46 and buf[s + 2] == 47) or (
        n >= 2 and buf[s] == 126 and buf[s + 1] == 47
    ):
        return T_PATH
    digit = False
    for q in range(s, e):
        if 48 <= buf[q] <= 57:
            digit = True
    if digit:
        h = s + 2 if n >= 2 and buf[s] == 48 and (buf[s + 1] == 120 or buf[s + 1] == 88) else s
        if e - h >= 6:
            hexy = True
            for q in range(h, e):
                if not _is_hex(buf[q]):
                    hexy = False
                    break
            if hexy:
                return T_HEX
    if (n == 4 or n == 5) and _in_table(buf, s, e, BOOLS):
        return T_BOOL
    if n == 3 and _in_table(buf, s, e, DATES):
        return T_DATE
    return T_ID


@njit(cache=True, nogil=True, inline="always")
def _new_variable(out, o, buf, a, b, vals, v, want, vend, vtype, n_par):
    """Write ``<*>`` for the variable ``buf[a:b]`` at ``out[o:]`` and, when ``want``,
    keep it as parameter ``n_par``; returns the new ends and whether it is numeric."""
    out[o] = 60
    out[o + 1] = 42
    out[o + 2] = 62
    v = _append(vals, v, buf, a, b, False, want)
    if want:
        vend[n_par] = v
        vtype[n_par] = _type_code(buf, a, b)
    return o + 3, v, _is_numeric(buf, a, b)


@njit(cache=True, nogil=True)
def _template_into(buf, s, e, ps, pe, out, want, vals, vend, vtype):
    """Write the masked template of ``buf[s:e]`` into ``out`` and, when ``want``, its
    parameters: their text one after another into ``vals``, where each ends into
    ``vend`` and its type code (:data:`TYPES`) into ``vtype``.

    Returns ``(template length, parameters, parameter bytes)``, or ``(-1, 0, 0)`` when
    the text holds a non-ASCII byte (Python masks those messages). ``out`` needs room for
    ``3 * (e - s) + 3`` bytes (each piece can become ``<*>``) and 8 more (:func:`_copy`);
    ``vals``, ``vend`` and ``vtype`` for ``e - s`` (a parameter's text is never longer
    than the text it spans).
    """
    o = 0
    n_par = 0
    v = 0
    pos = s
    n_words = 0
    prev_exact_var = False  # the last word is exactly <*>
    prev_ends_var = False
    last_numeric = False  # the last parameter is an int or float
    any_param = False
    date_run = 0
    while True:
        while pos < e and _is_ws(buf[_u(pos)]):
            pos += 1
        if pos >= e:
            break
        ts = pos
        seen = 0  # class bits of the token's bytes
        while pos < e:
            b = buf[_u(pos)]
            if b >= 0x80:
                return -1, 0, 0  # not ASCII: Python's Unicode rules apply
            c = CLASSES[b]
            if c & _WS:
                break
            seen |= c
            pos += 1
        te = pos
        digits = (seen & _DIGIT) != 0
        if (
            not seen & (_DIGIT | _SLASH)
            and date_run == 0
            and not (prev_ends_var and any_param and last_numeric)
            and (_constant_word(buf, ts, te) if seen == 0 else _constant_pieces(buf, ts, te))
        ):
            # no digit or slash, and no piece (between delimiters, if any) a word-like
            # variable: the pieces would all be copied as they are, so the token is (no
            # date or size unit can join it either: those rules need a variable just
            # before). Plain words take this way too: it is shorter than the general one
            if n_words > 0:
                out[o] = 32
                o += 1
            o = _copy(out, o, buf, ts, te)
            n_words += 1
            prev_exact_var = False
            prev_ends_var = False
            continue
        if seen & (_DELIM | _SLASH) == 0 and seen & _DIGIT and date_run == 0:
            # digits, no delimiter or slash: one piece, a variable of its own (it cannot
            # join a date, and no unit holds a digit)
            if n_words > 0:
                out[o] = 32
                o += 1
            o, v, last_numeric = _new_variable(out, o, buf, ts, te, vals, v, want, vend, vtype,
                                               n_par)  # fmt: skip
            any_param = True
            n_par += 1
            n_words += 1
            prev_exact_var = True
            prev_ends_var = True
            continue
        if (
            seen & (_DELIM | _DIGIT | _SLASH) == _DELIM | _DIGIT
            and date_run == 0
            and not (prev_ends_var and any_param and last_numeric)
        ):
            # delimiters and digits, no slash (uid=0, 10.0.0.1:22): its pieces, read in
            # one pass, are the pieces below would be (no date or unit can join them)
            if n_words > 0:
                out[o] = 32
                o += 1
            word_parts = 0
            last_is_var = False
            exact = False
            q = ts
            while q < te:
                if CLASSES[buf[_u(q)]] & _DELIM:
                    out[o] = buf[q]
                    o += 1
                    q += 1
                    word_parts += 1
                    last_is_var = False
                    exact = False
                    continue
                a = q
                digit = 0
                while q < te and not CLASSES[buf[_u(q)]] & _DELIM:
                    digit |= CLASSES[buf[_u(q)]] & _DIGIT
                    q += 1
                function = q < te and buf[q] == 40  # a name before "("
                if function or not (digit or _is_var_in(buf, a, q, False, False)):
                    o = _copy(out, o, buf, a, q)
                    word_parts += 1
                    last_is_var = False
                    exact = False
                elif word_parts > 0 and last_is_var:
                    v = _append(vals, v, buf, a, q, False, want)  # one variable grows
                    if want:
                        vend[n_par - 1] = v
                else:
                    o, v, last_numeric = _new_variable(out, o, buf, a, q, vals, v, want, vend,
                                                       vtype, n_par)  # fmt: skip
                    exact = word_parts == 0
                    word_parts += 1
                    last_is_var = True
                    any_param = True
                    n_par += 1
            n_words += 1
            prev_exact_var = exact
            prev_ends_var = last_is_var
            continue
        url = seen & (_DELIM | _SLASH) == _DELIM | _SLASH and _has(buf, ts, te, 58, 47, 47)
        if seen & _DELIM or buf[ts] == 47:
            n = _pieces(buf, ts, te, ps, pe, url)
        else:  # no delimiter, not a path: the token is one piece
            ps[0] = ts
            pe[0] = te
            n = 1
        first = 0
        glued = False
        if (
            date_run > 0
            and n_words > 0
            and prev_exact_var
            and n > 0
            and not _piece_is_delim(buf, ps, pe, 0)
            and _is_var(buf, ps[0], pe[0])
        ):
            glued = True
            last_numeric = False  # the parameter becomes a date
            v = _append(vals, v, buf, ps[0], pe[0], True, want)
            if want:
                vend[n_par - 1] = v
                vtype[n_par - 1] = T_DATE
            colon = False
            for q in range(ts, te):
                if buf[q] == 58:
                    colon = True
            date_run = 0 if colon else date_run + 1
            if date_run > 3:
                date_run = 0
            first = 1
        elif te - ts == 3 and _in_table(buf, ts, te, DATES):
            date_run = 1
        else:
            date_run = 0
        # a size unit right after a number joins it
        if first < n and n_words > 0 and prev_ends_var and any_param and last_numeric:
            if pe[first] - ps[first] <= 3 and _in_table(buf, ps[first], pe[first], UNITS):
                last_numeric = False
                v = _append(vals, v, buf, ps[first], pe[first], True, want)
                if want:
                    vend[n_par - 1] = v
                    vtype[n_par - 1] = T_SIZE
                ends_var = prev_ends_var
                for i in range(first + 1, n):
                    for q in range(ps[i], pe[i]):
                        out[o] = buf[q]
                        o += 1
                    ends_var = False
                prev_ends_var = ends_var
                prev_exact_var = prev_exact_var and n == first + 1
                continue
        if glued:
            word_parts = 1  # the <*> already written
            last_is_var = True
            exact = True
        else:
            if n_words > 0:
                out[o] = 32
                o += 1
            word_parts = 0
            last_is_var = False
            exact = False
        for i in range(first, n):
            a = ps[i]
            b = pe[i]
            delim = _piece_is_delim(buf, ps, pe, i)
            function = i + 1 < n and _piece_is_delim(buf, ps, pe, i + 1) and buf[ps[i + 1]] == 40
            if delim or function or not _is_var_in(buf, a, b, digits, url):
                if b - a == 1:  # a delimiter, mostly: no slice for one byte
                    out[o] = buf[a]
                    o += 1
                else:
                    o = _copy(out, o, buf, a, b)
                word_parts += 1
                last_is_var = False
                exact = False
                continue
            if word_parts > 0 and last_is_var:
                v = _append(vals, v, buf, a, b, False, want)  # one variable: its text grows
                if want:
                    vend[n_par - 1] = v
                continue
            o, v, last_numeric = _new_variable(out, o, buf, a, b, vals, v, want, vend, vtype,
                                               n_par)  # fmt: skip
            exact = word_parts == 0
            word_parts += 1
            last_is_var = True
            any_param = True
            n_par += 1
        n_words += 1
        prev_exact_var = exact
        prev_ends_var = last_is_var
    return o, n_par, v


@njit(cache=True, nogil=True, inline="always")
def _block(offsets, blk, n_blocks):
    """Rows ``lo:hi`` of block ``blk``, and scratch arrays (``ps``, ``pe``, ``out``) that
    fit its longest message (``out``: a template, padded for hashing)."""
    n = offsets.shape[0] - 1
    lo = blk * n // n_blocks
    hi = (blk + 1) * n // n_blocks
    width = 1
    for i in range(lo, hi):
        width = max(width, offsets[i + 1] - offsets[i] + 1)
    ps = np.empty(width, np.int64)
    pe = np.empty(width, np.int64)
    return lo, hi, ps, pe, np.empty(3 * width + 8, np.uint8)


@njit(cache=True, nogil=True, parallel=True)
def template_hashes(data, offsets):
    """Per message (Arrow string buffers): the template hash and a status."""
    n = offsets.shape[0] - 1
    hashes = np.zeros(n, dtype=np.uint64)
    status = np.zeros(n, dtype=np.uint8)
    n_blocks = min(n, 64)
    for blk in prange(n_blocks):
        lo, hi, ps, pe, out = _block(offsets, blk, n_blocks)
        vals = np.empty(0, dtype=np.uint8)
        vend = np.empty(0, dtype=np.int64)
        vtype = np.empty(0, dtype=np.uint8)
        for i in range(lo, hi):
            k = _template_into(
                data, offsets[i], offsets[i + 1], ps, pe, out, False, vals, vend, vtype
            )[0]
            if k < 0:
                status[i] = NEEDS_PYTHON
                continue
            hashes[i] = _hash_padded(out, k)
    return hashes, status


@njit(cache=True, nogil=True)
def template_texts(data, offsets, rows):
    """The masked templates of messages ``rows`` (ASCII ones) as UTF-8 bytes + offsets."""
    width = 1
    total = 0
    for r in rows:
        n = offsets[r + 1] - offsets[r]
        width = max(width, n + 1)
        total += 3 * n + 3
    ps = np.empty(width, dtype=np.int64)
    pe = np.empty(width, dtype=np.int64)
    buf = np.empty(total + 8, dtype=np.uint8)  # + _copy's slack
    ends = np.zeros(len(rows) + 1, dtype=np.int64)
    vals = np.empty(0, dtype=np.uint8)
    vend = np.empty(0, dtype=np.int64)
    vtype = np.empty(0, dtype=np.uint8)
    o = 0
    for j in range(len(rows)):
        r = rows[j]
        o += _template_into(
            data, offsets[r], offsets[r + 1], ps, pe, buf[o:], False, vals, vend, vtype
        )[0]
        ends[j + 1] = o
    return buf[:o], ends


@njit(cache=True, nogil=True, parallel=True)
def template_params(data, offsets):
    """The parameters of each message (Arrow string buffers), as ``masking.mask`` gives
    them, for ASCII messages.

    Returns ``(first, value_offsets, values, types, status)``: the parameters of message
    ``i`` are ``first[i]:first[i + 1]``; parameter ``k``'s text is
    ``values[value_offsets[k]:value_offsets[k + 1]]`` and its type ``TYPES[types[k]]``;
    ``status[i]`` is ``NEEDS_PYTHON`` for messages to mask in Python (no parameters
    here).
    """
    n = offsets.shape[0] - 1
    counts = np.zeros(n, np.int64)
    sizes = np.zeros(n, np.int64)
    status = np.zeros(n, np.uint8)
    n_blocks = min(n, 64)
    for blk in prange(n_blocks):
        lo, hi, ps, pe, out = _block(offsets, blk, n_blocks)
        vals = np.empty(0, np.uint8)  # this pass only counts
        vend = np.empty(0, np.int64)
        vtype = np.empty(0, np.uint8)
        for i in range(lo, hi):
            k, m, v = _template_into(
                data, offsets[i], offsets[i + 1], ps, pe, out, False, vals, vend, vtype
            )
            if k < 0:
                status[i] = NEEDS_PYTHON
            else:
                counts[i] = m
                sizes[i] = v
    first = np.zeros(n + 1, np.int64)
    vbase = np.zeros(n + 1, np.int64)
    for i in range(n):
        first[i + 1] = first[i] + counts[i]
        vbase[i + 1] = vbase[i] + sizes[i]
    values = np.empty(vbase[n], np.uint8)
    value_offsets = np.zeros(first[n] + 1, np.int64)
    types = np.empty(first[n], np.uint8)
    for blk in prange(n_blocks):
        lo, hi, ps, pe, out = _block(offsets, blk, n_blocks)
        vend = np.empty(ps.size, np.int64)
        for i in range(lo, hi):
            if counts[i] == 0:
                continue
            _template_into(
                data, offsets[i], offsets[i + 1], ps, pe, out, True,
                values[vbase[i]:], vend, types[first[i]:],
            )  # fmt: skip
            for k in range(counts[i]):
                value_offsets[first[i] + k + 1] = vbase[i] + vend[k]
    return first, value_offsets, values, types, status


@njit(cache=True, nogil=True)
def factorize_hashes(hashes):
    """``pandas.factorize`` of 64-bit hashes, with each code's first row and count.

    Returns ``(codes, first, counts)``: codes number the distinct hashes in order of
    first appearance. The hash table (:func:`llamalog._hashing.find`) is kept at most
    half full: a batch has few distinct templates, so it stays in cache.
    """
    n = hashes.size
    table = np.zeros((1024, 2), np.uint64)
    codes = np.empty(n, np.int64)
    first = np.empty(n, np.int64)  # pages are committed only where written
    counts = np.zeros(n, np.int64)
    i = n_codes = 0
    while i < n:  # the run stops when the table is half full: grow it, go on
        i, n_codes = _factorize_run(hashes, i, table, codes, first, counts, n_codes)
        if i < n:
            table = H.grow(table, 2 * table.shape[0])
    return codes, first[:n_codes].copy(), counts[:n_codes].copy()


@njit(cache=True, nogil=True)
def _factorize_run(hashes, i, table, codes, first, counts, n_codes):
    while i < hashes.size and 2 * (n_codes + 1) <= table.shape[0]:
        h = hashes[i]
        slot, c = H.find(table, h)
        if c < 0:
            c = n_codes
            n_codes += 1
            table[slot, 0] = h
            table[slot, 1] = c + 1
            first[c] = i
        codes[i] = c
        counts[c] += 1
        i += 1
    return i, n_codes


@njit(cache=True, nogil=True)
def text_hash(data):
    """The hash above of a whole byte string (for the templates Python masks)."""
    buf = np.empty(data.shape[0] + 8, np.uint8)
    buf[: data.shape[0]] = data
    return _hash_padded(buf, data.shape[0])
