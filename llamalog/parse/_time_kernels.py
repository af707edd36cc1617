"""Numba kernels that parse timestamps from byte ranges with a compiled strptime subset."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._dispatch import dual

# Directive codes of a compiled time format (see timestamps.py).
T_LIT, T_SPACE, T_YEAR4, T_YEAR2, T_MONTH, T_MONTHNAME, T_DAY, T_HOUR, T_MIN = (
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
)
T_SEC, T_FRAC, T_WEEKDAY, T_TZ, T_EPOCH, T_HOUR12, T_AMPM, T_OPTFRAC = 9, 10, 11, 12, 13, 14, 15, 16

NO_YEAR = -1
EPOCH = -2
NO_TZ = -(1 << 40)
NAT = np.iinfo(np.int64).min

_NS = 1_000_000_000


@njit(cache=True, nogil=True)
def _digits(buf, pos, end, max_n):
    """Read 1..max_n ASCII digits; return (value, new_pos), new_pos == pos on failure."""
    v = 0
    p = pos
    while p < end and p - pos < max_n:
        b = buf[p]
        if b < 48 or b > 57:
            break
        v = v * 10 + (b - 48)
        p += 1
    return v, p


@njit(cache=True, nogil=True)
def _lower(b):
    return b + 32 if 65 <= b <= 90 else b


@njit(cache=True, nogil=True)
def _month_name(buf, pos, end):
    """Match an English month name (abbreviated or full, any case)."""
    if pos + 3 > end:
        return 0, pos
    a = _lower(buf[pos])
    b = _lower(buf[pos + 1])
    c = _lower(buf[pos + 2])
    m = 0
    if a == 106 and b == 97 and c == 110:  # jan
        m = 1
    elif a == 102 and b == 101 and c == 98:  # feb
        m = 2
    elif a == 109 and b == 97 and c == 114:  # mar
        m = 3
    elif a == 97 and b == 112 and c == 114:  # apr
        m = 4
    elif a == 109 and b == 97 and c == 121:  # may
        m = 5
    elif a == 106 and b == 117 and c == 110:  # jun
        m = 6
    elif a == 106 and b == 117 and c == 108:  # jul
        m = 7
    elif a == 97 and b == 117 and c == 103:  # aug
        m = 8
    elif a == 115 and b == 101 and c == 112:  # sep
        m = 9
    elif a == 111 and b == 99 and c == 116:  # oct
        m = 10
    elif a == 110 and b == 111 and c == 118:  # nov
        m = 11
    elif a == 100 and b == 101 and c == 99:  # dec
        m = 12
    if m == 0:
        return 0, pos
    p = pos + 3
    while p < end and (65 <= buf[p] <= 90 or 97 <= buf[p] <= 122):
        p += 1  # the rest of a full name ("ember", "t."): letters only
    return m, p


@njit(cache=True, nogil=True)
def _days_in_month(y, m):
    if m == 2:
        leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
        return 29 if leap else 28
    if m == 4 or m == 6 or m == 9 or m == 11:
        return 30
    return 31


@njit(cache=True, nogil=True)
def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


#: Built-in zone names, packed (see ``_zone_index``): Z, UTC and GMT, offset 0.
_Z, _UTC, _GMT = 90, (85 << 16) + (84 << 8) + 67, (71 << 16) + (77 << 8) + 84


@njit(cache=True, nogil=True)
def _zone_index(args, tab, key):
    """Index of the packed upper-case zone name ``key`` in the table at ``args[tab:]``.

    The table is ``n, keys[n] (sorted), offsets[n] (seconds), ambiguous[n]``; ``tab == 0``
    means no table: then Z, UTC and GMT are known (index 0, offset 0). -1: unknown.
    """
    if tab <= 0:
        return 0 if key == _Z or key == _UTC or key == _GMT else -1
    lo = tab + 1
    hi = tab + 1 + args[tab]
    while lo < hi:
        mid = (lo + hi) // 2
        if args[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    if lo < tab + 1 + args[tab] and args[lo] == key:
        return lo - tab - 1
    return -1


@njit(cache=True, nogil=True)
def _parse_one(buf, pos, end, codes, args, out):
    """Parse one value; write year, month, day, ns-of-day, tz offset (s) and the zone
    name's place + 1 in the zone table if that name is ambiguous (else 0) into ``out``."""
    year = NO_YEAR
    month = 1
    day = 1
    hour = 0
    minute = 0
    sec = 0
    frac = 0
    tz = NO_TZ
    zone = 0
    pm = -1
    for k in range(codes.shape[0]):
        c = codes[k]
        if c == T_LIT:
            if pos < end and buf[pos] == args[k]:
                pos += 1
            else:
                return False
        elif c == T_SPACE:
            if pos >= end or buf[pos] != 32:
                return False
            while pos < end and buf[pos] == 32:
                pos += 1
        elif c == T_YEAR4:
            v, p = _digits(buf, pos, end, 4)
            if p - pos != 4:
                return False
            year = v
            pos = p
        elif c == T_YEAR2:
            v, p = _digits(buf, pos, end, 2)
            if p - pos != 2:
                return False
            year = 2000 + v if v < 69 else 1900 + v
            pos = p
        elif c == T_MONTHNAME:
            v, p = _month_name(buf, pos, end)
            if v == 0:
                return False
            month = v
            pos = p
        elif c == T_WEEKDAY:
            p = pos
            while p < end and (65 <= buf[p] <= 90 or 97 <= buf[p] <= 122):
                p += 1
            if p - pos < 3:
                return False
            pos = p
        elif c == T_FRAC or c == T_OPTFRAC:
            if c == T_OPTFRAC:
                if pos >= end or not (buf[pos] == 46 or buf[pos] == 44):
                    continue
                pos += 1
            p = pos
            v = 0
            while p < end and 48 <= buf[p] <= 57:
                if p - pos < 9:
                    v = v * 10 + (buf[p] - 48)
                p += 1
            n = p - pos
            if n == 0:
                return False
            for _ in range(n, 9):
                v *= 10
            frac = v
            pos = p
        elif c == T_TZ:
            if pos < end and (65 <= buf[pos] <= 90 or 97 <= buf[pos] <= 122):
                # a name: up to 5 letters, packed upper-case, looked up in the zone table
                # (args[k] is where it starts in args; 0: no table, only Z, UTC and GMT)
                p = pos
                key = 0
                while p < end and (65 <= buf[p] <= 90 or 97 <= buf[p] <= 122):
                    if p - pos == 5:
                        return False
                    key = key * 256 + (buf[p] & 0xDF)
                    p += 1
                found = _zone_index(args, args[k], key)
                if found < 0:
                    return False
                tab = args[k]
                n_zones = args[tab] if tab > 0 else 0
                tz = args[tab + 1 + n_zones + found] if tab > 0 else 0
                if tab > 0 and args[tab + 1 + 2 * n_zones + found] != 0:
                    zone = found + 1  # an ambiguous name: reported by the caller
                pos = p
            elif pos < end and (buf[pos] == 43 or buf[pos] == 45):
                sign = 1 if buf[pos] == 43 else -1
                hh, p = _digits(buf, pos + 1, end, 2)
                if p - pos != 3:
                    return False
                mm = 0
                if p < end and buf[p] == 58:
                    p += 1
                mm2, p2 = _digits(buf, p, end, 2)
                if p2 - p == 2:
                    mm = mm2
                    p = p2
                tz = sign * (hh * 3600 + mm * 60)
                pos = p
            else:
                return False
        elif c == T_EPOCH:
            v, p = _digits(buf, pos, end, 19)
            n = p - pos
            if n == 0:
                return False
            scale = args[k]  # digits of a whole-second value (10 for s, 13 for ms, ...)
            ns = v
            if scale == 0:
                ns = v * _NS
            elif scale == 3:
                ns = v * 1_000_000
            elif scale == 6:
                ns = v * 1000  # scale 9: nanoseconds as they are
            pos = p
            if scale == 0 and pos < end and buf[pos] == 46:
                q = pos + 1
                f = 0
                while q < end and 48 <= buf[q] <= 57:
                    if q - pos - 1 < 9:
                        f = f * 10 + (buf[q] - 48)
                    q += 1
                for _ in range(q - pos - 1, 9):
                    f *= 10
                ns += f
                pos = q
            if pos != end:
                return False
            out[0] = EPOCH
            out[3] = ns
            out[4] = 0
            out[5] = 0
            return True
        elif c == T_AMPM:
            if pos + 1 >= end:
                return False
            a = _lower(buf[pos])
            if _lower(buf[pos + 1]) != 109 or (a != 97 and a != 112):
                return False
            pm = 1 if a == 112 else 0
            pos += 2
        else:
            mx = 2
            v, p = _digits(buf, pos, end, mx)
            if p == pos:
                return False
            pos = p
            if c == T_MONTH:
                month = v
            elif c == T_DAY:
                day = v
            elif c == T_HOUR or c == T_HOUR12:
                hour = v
            elif c == T_MIN:
                minute = v
            elif c == T_SEC:
                sec = v
    if pos != end:
        return False
    if pm >= 0:
        if hour < 1 or hour > 12:
            return False
        hour = hour % 12 + (12 if pm == 1 else 0)
    if month < 1 or month > 12 or day < 1 or hour > 23 or minute > 59 or sec > 60:
        return False
    check_year = year if year != NO_YEAR else 2000  # 2000 is a leap year: Feb 29 passes
    if day > _days_in_month(check_year, month):
        return False
    out[0] = year
    out[1] = month
    out[2] = day
    out[3] = ((hour * 60 + minute) * 60 + sec) * _NS + frac
    out[4] = tz
    out[5] = zone
    return True


@njit(cache=True, nogil=True)
def _same_parts(buf, starts, ends, i, j):
    """True when rows ``i`` and ``j`` hold the same bytes in every part."""
    for c in range(starts.shape[0]):
        a, b = starts[c, i], starts[c, j]
        if (a < 0) != (b < 0):
            return False
        if a < 0:
            continue
        n = ends[c, i] - a
        if ends[c, j] - b != n:
            return False
        for q in range(n):
            if buf[a + q] != buf[b + q]:
                return False
    return True


@dual(1, 20000)
def _parse_times(buf, starts, ends, codes, args):
    """Parse each row's parts (int64[k, n] ranges, -1 = absent) as one text joined by spaces.

    Returns int64[n, 6] (year, month, day, ns of day, tz seconds, ambiguous zone name's
    place + 1 or 0) and ``ok``. A row whose bytes equal the row before it reuses its
    result: sorted logs repeat timestamps.
    """
    k = starts.shape[0]
    n = starts.shape[1]
    parts = np.zeros((n, 6), dtype=np.int64)
    ok = np.zeros(n, dtype=np.bool_)
    n_blocks = min(n, 64)
    for blk in prange(n_blocks):
        lo = blk * n // n_blocks
        hi = (blk + 1) * n // n_blocks
        width = 0
        for i in range(lo, hi):
            w = k
            for c in range(k):
                if starts[c, i] >= 0:
                    w += ends[c, i] - starts[c, i]
            width = max(width, w)
        scratch = np.empty(width, dtype=np.uint8)
        for i in range(lo, hi):
            if i > lo and _same_parts(buf, starts, ends, i, i - 1):
                ok[i] = ok[i - 1]
                for q in range(6):
                    parts[i, q] = parts[i - 1, q]
                continue
            if k == 1:
                if starts[0, i] >= 0:
                    ok[i] = _parse_one(buf, starts[0, i], ends[0, i], codes, args, parts[i])
                continue
            o = 0
            for c in range(k):
                a = starts[c, i]
                if a < 0:
                    continue
                if o > 0:
                    scratch[o] = 32
                    o += 1
                for q in range(a, ends[c, i]):
                    scratch[o] = buf[q]
                    o += 1
            if o > 0:
                ok[i] = _parse_one(scratch, 0, o, codes, args, parts[i])
    return parts, ok


@njit(cache=True, nogil=True)
def _relative_years(parts, ok, prev, rel):
    """Years relative to the first row for year-less dates.

    A jump back of more than half a year (December to January) starts a new year; a
    jump forward of more than half a year goes back one. ``prev``/``rel`` carry the
    state from an earlier block; returns the years and the new state.
    """
    n = parts.shape[0]
    years = np.zeros(n, dtype=np.int64)
    for i in range(n):
        if not ok[i]:
            continue
        key = parts[i, 1] * 32 + parts[i, 2]
        if prev >= 0 and key < prev - 6 * 32:
            rel += 1
        elif prev >= 0 and key > prev + 6 * 32:
            rel -= 1
        prev = key
        years[i] = rel
    return years, prev, rel


@dual(0, 50000)
def _combine(parts, ok, years, assume_utc_offset):
    """Nanoseconds since the epoch in UTC (NAT where not ok); naive rows use the offset."""
    n = parts.shape[0]
    out = np.empty(n, dtype=np.int64)
    aware = np.zeros(n, dtype=np.bool_)
    for i in prange(n):
        if not ok[i]:
            out[i] = NAT
            continue
        y = parts[i, 0]
        if y == EPOCH:
            out[i] = parts[i, 3]
            aware[i] = True
            continue
        if y == NO_YEAR:
            y = years[i]
        if parts[i, 2] > _days_in_month(y, parts[i, 1]):
            out[i] = NAT  # Feb 29 in a year that has none
            continue
        days = days_from_civil(y, parts[i, 1], parts[i, 2])
        off = parts[i, 4]
        if off == NO_TZ:
            off = assume_utc_offset
        else:
            aware[i] = True
        out[i] = days * 86400 * _NS + parts[i, 3] - off * _NS
    return out, aware
