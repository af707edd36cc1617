"""Normalising severity levels to one ordered vocabulary.

Levels repeat a handful of values, so the work happens on the distinct values only
(Arrow's dictionary encoding finds them in C++) and costs nothing per row.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit, prange

from .._arrow import string_buffers
from ..schema import LEVELS
from ._dispatch import dual

#: Level vocabularies of real programs: vocabulary -> {value as written: canonical level}.
#:
#: :func:`normalize_level` reads the union of the vocabularies whose values are names (any
#: case); ``"pino/bunyan"``, ``"redis"`` and ``"windows (numbers)"`` hold values that mean
#: other things elsewhere (``"30"``, ``"."``, ``"1"``) and are read only by their own
#: mappers (:func:`level_from_pino`, :func:`level_from_redis`, :func:`level_from_windows`,
#: also ``DERIVED_LEVELS``). The README's table of levels is generated from this dict.
LEVEL_VOCABULARIES: dict[str, dict[str, str]] = {
    "syslog (RFC 5424 names and severities 0-7; journald PRIORITY)": {
        "emerg": "EMERGENCY", "emergency": "EMERGENCY", "panic": "EMERGENCY",
        "alert": "ALERT", "crit": "CRITICAL", "critical": "CRITICAL",
        "err": "ERROR", "error": "ERROR", "warning": "WARNING", "warn": "WARNING",
        "notice": "NOTICE", "info": "INFO", "informational": "INFO", "debug": "DEBUG",
        "0": "EMERGENCY", "1": "ALERT", "2": "CRITICAL", "3": "ERROR",
        "4": "WARNING", "5": "NOTICE", "6": "INFO", "7": "DEBUG",
    },
    "Apache httpd 2.4 (LogLevel; also module:level such as core:error)": {
        **{f"trace{k}": "TRACE" for k in range(1, 9)},
        "debug": "DEBUG", "info": "INFO", "notice": "NOTICE", "warn": "WARNING",
        "error": "ERROR", "crit": "CRITICAL", "alert": "ALERT", "emerg": "EMERGENCY",
    },
    "Python logging": {
        "DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARNING", "WARN": "WARNING",
        "ERROR": "ERROR", "CRITICAL": "CRITICAL", "FATAL": "CRITICAL",
    },
    "log4j / logback / log4net": {
        "TRACE": "TRACE", "DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING",
        "ERROR": "ERROR", "FATAL": "CRITICAL",
    },
    "java.util.logging": {
        "FINEST": "TRACE", "FINER": "TRACE", "FINE": "DEBUG", "CONFIG": "DEBUG",
        "INFO": "INFO", "WARNING": "WARNING", "SEVERE": "ERROR",
    },
    "Go log/slog (offsets such as INFO+2 or WARN-4 read as the base level)": {
        "DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING", "ERROR": "ERROR",
    },
    "glog / klog (line prefix letter)": {
        "I": "INFO", "W": "WARNING", "E": "ERROR", "F": "CRITICAL",
    },
    "zap": {
        "debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR",
        "dpanic": "EMERGENCY", "panic": "EMERGENCY", "fatal": "CRITICAL",
    },
    "zerolog / Serilog / .NET console (three- and four-letter forms)": {
        "trc": "TRACE", "vrb": "TRACE", "trce": "TRACE", "dbg": "DEBUG", "dbug": "DEBUG",
        "inf": "INFO", "wrn": "WARNING", "err": "ERROR", "fail": "ERROR",
        "ftl": "CRITICAL", "crit": "CRITICAL", "pnc": "EMERGENCY",
    },
    "PostgreSQL (error_severity)": {
        **{f"DEBUG{k}": "DEBUG" for k in range(1, 6)},
        "LOG": "INFO", "INFO": "INFO", "DETAIL": "INFO", "HINT": "INFO",
        "STATEMENT": "INFO", "CONTEXT": "INFO", "QUERY": "INFO", "LOCATION": "INFO",
        "NOTICE": "NOTICE", "WARNING": "WARNING", "ERROR": "ERROR",
        "FATAL": "CRITICAL", "PANIC": "EMERGENCY",
    },
    "MongoDB (s: F, E, W, I, D1-D5)": {
        "F": "CRITICAL", "E": "ERROR", "W": "WARNING", "I": "INFO",
        **{f"D{k}": "DEBUG" for k in range(1, 6)},
    },
    "MySQL / MariaDB error log": {
        "System": "INFO", "Note": "INFO", "Warning": "WARNING", "Error": "ERROR",
    },
    "winston (npm levels)": {
        "error": "ERROR", "warn": "WARNING", "info": "INFO", "http": "INFO",
        "verbose": "TRACE", "debug": "DEBUG", "silly": "TRACE",
    },
    "Windows event log (names)": {
        "Critical": "CRITICAL", "Error": "ERROR", "Warning": "WARNING",
        "Information": "INFO", "Verbose": "TRACE",
    },
    "one-letter and other common forms": {
        "T": "TRACE", "V": "TRACE", "D": "DEBUG", "N": "NOTICE", "C": "CRITICAL",
        "failure": "ERROR", "failed": "ERROR",
    },
    "pino/bunyan (numbers; level_from_pino)": {
        "10": "TRACE", "20": "DEBUG", "30": "INFO", "40": "WARNING", "50": "ERROR",
        "60": "CRITICAL",
    },
    "redis (role marks; level_from_redis)": {
        ".": "DEBUG", "-": "INFO", "*": "NOTICE", "#": "WARNING",
    },
    "windows (numbers; level_from_windows)": {
        "0": "INFO", "1": "CRITICAL", "2": "ERROR", "3": "WARNING", "4": "INFO", "5": "TRACE",
    },
}  # fmt: skip

#: Vocabularies read only by their own mapper: their values mean other things elsewhere.
_OWN_MAPPER = ("pino/bunyan", "redis", "windows (numbers")


def _union(vocabularies) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, table in vocabularies.items():
        if name.startswith(_OWN_MAPPER):
            continue
        for raw, level in table.items():
            key = raw.upper()
            if out.setdefault(key, level) != level:  # a clash would make the table a lie
                raise AssertionError(f"{raw!r} is {out[key]} and {level} ({name})")
    return out


_LOOKUP = _union(LEVEL_VOCABULARIES)
_SLOG_OFFSET = re.compile(r"(DEBUG|INFO|WARN|ERROR)[+-][0-9]{1,3}")
_APACHE_MODULE = re.compile(r"[A-Z0-9_]+:([A-Z0-9]+)")

#: The dtype of the ``level`` column: ordered from least to most severe.
LEVEL_DTYPE = pd.CategoricalDtype(list(reversed(LEVELS)), ordered=True)
#: Level name -> its code in ``LEVEL_DTYPE`` (a dict lookup; ``Index.get_loc`` costs more).
_LEVEL_CODE = {name: code for code, name in enumerate(LEVEL_DTYPE.categories)}


def normalize_level(value: str | None) -> str | None:
    """Canonical level of one raw value, or None when it is not a level.

    Reads the names of every vocabulary in :data:`LEVEL_VOCABULARIES` (any case, with
    surrounding ``[]<>():`` and blanks ignored), syslog severities ``0``-``7``, Apache's
    ``module:level`` and Go slog's offsets (``INFO+2`` is INFO).

    Examples
    --------
    >>> normalize_level("warn"), normalize_level("[E]"), normalize_level("combo")
    ('WARNING', 'ERROR', None)
    >>> normalize_level("core:error"), normalize_level("WARN-4"), normalize_level("SEVERE")
    ('ERROR', 'WARNING', 'ERROR')
    >>> normalize_level("trace3"), normalize_level("DEBUG2"), normalize_level("Note")
    ('TRACE', 'DEBUG', 'INFO')
    """
    if value is None:
        return None
    key = value.strip().strip("[]<>():").upper()
    hit = _LOOKUP.get(key)
    if hit is not None or len(key) < 4:
        return hit
    if (m := _APACHE_MODULE.fullmatch(key)) is not None:
        return _LOOKUP.get(m.group(1))
    if (m := _SLOG_OFFSET.fullmatch(key)) is not None:
        return _LOOKUP[m.group(1)]
    return None


#: Syslog severities by number (RFC 5424 section 6.2.1), in the order of ``LEVELS``.
_SYSLOG_SEVERITY = LEVELS[:8]


def level_from_pri(value: str | None) -> str | None:
    """The severity in a syslog PRI value (``facility * 8 + severity``).

    >>> level_from_pri("34"), level_from_pri("<13>"), level_from_pri("x")
    ('CRITICAL', 'NOTICE', None)
    """
    if value is None:
        return None
    v = value.strip().strip("<>")
    if not v.isdigit() or int(v) > 191:
        return None
    return _SYSLOG_SEVERITY[int(v) % 8]


def level_from_status(value: str | None) -> str | None:
    """A level for an HTTP status: 5xx ERROR, 4xx WARNING, 1xx-3xx INFO.

    >>> level_from_status("503"), level_from_status("404"), level_from_status("200")
    ('ERROR', 'WARNING', 'INFO')
    """
    if value is None:
        return None
    v = value.strip()
    if len(v) != 3 or not v.isdigit() or not 100 <= int(v) <= 599:
        return None
    return "ERROR" if v[0] == "5" else "WARNING" if v[0] == "4" else "INFO"


def _own(vocabulary: str) -> dict[str, str]:
    return next(t for name, t in LEVEL_VOCABULARIES.items() if name.startswith(vocabulary))


_PINO_STEPS = ((60, "CRITICAL"), (50, "ERROR"), (40, "WARNING"), (30, "INFO"), (20, "DEBUG"))
_REDIS = _own("redis")
_WINDOWS_NUMBERS = _own("windows (numbers")
_WINDOWS_NAMES = {k.upper(): v for k, v in _own("Windows event log").items()} | {
    "INFORMATIONAL": "INFO",
    "LOGALWAYS": "INFO",
}


def _integer(value: str) -> int | None:
    """An integer written as ``30``, ``30.0`` or ``<30>``; None for anything else."""
    v = value.strip().strip("<>")
    if v.endswith(".0"):
        v = v[:-2]
    return int(v) if v.isdigit() and len(v) <= 6 else None


def level_from_pino(value: str | None) -> str | None:
    """The level of a pino or bunyan numeric level (10 trace ... 60 fatal).

    Custom levels between the standard ones read as the standard level below them
    (35 is INFO); numbers below 10 are not pino levels.

    >>> level_from_pino("30"), level_from_pino("60"), level_from_pino("45"), level_from_pino("3")
    ('INFO', 'CRITICAL', 'WARNING', None)
    """
    if value is None:
        return None
    v = _integer(value)
    if v is None or v < 10:
        return None
    return next((level for step, level in _PINO_STEPS if v >= step), "TRACE")


def level_from_syslog(value: str | None) -> str | None:
    """The level of a syslog severity number ``0``-``7`` (journald's ``PRIORITY``).

    >>> level_from_syslog("3"), level_from_syslog("<6>"), level_from_syslog("8")
    ('ERROR', 'INFO', None)
    """
    if value is None:
        return None
    v = _integer(value)
    return _SYSLOG_SEVERITY[v] if v is not None and v < 8 else None


def level_from_redis(value: str | None) -> str | None:
    """The level of a Redis log mark: ``.`` debug, ``-`` verbose, ``*`` notice, ``#`` warning.

    Redis ranks verbose between debug and notice, hence INFO (not TRACE, which would put
    it below debug).

    >>> level_from_redis("#"), level_from_redis("*"), level_from_redis("-"), level_from_redis("x")
    ('WARNING', 'NOTICE', 'INFO', None)
    """
    return None if value is None else _REDIS.get(value.strip())


def level_from_windows(value: str | None) -> str | None:
    """The level of a Windows event: its number (1 critical ... 5 verbose, 0 "log always",
    shown as Information) or its name.

    >>> level_from_windows("2"), level_from_windows("Information"), level_from_windows("5")
    ('ERROR', 'INFO', 'TRACE')
    """
    if value is None:
        return None
    v = value.strip()
    return _WINDOWS_NUMBERS.get(v) or _WINDOWS_NAMES.get(v.upper())


#: How a level is derived from a field that is not a level name (see ``Layout``).
DERIVED_LEVELS = {
    "pri": level_from_pri,
    "status": level_from_status,
    "pino": level_from_pino,
    "redis": level_from_redis,
    "windows": level_from_windows,
    "syslog": level_from_syslog,
}


def normalize_codes(codes: np.ndarray, categories, mapper=normalize_level) -> pd.Categorical:
    """Canonical levels from the codes of a categorical field (-1 = missing)."""
    lut = np.array(
        [-1 if (m := mapper(v)) is None else _LEVEL_CODE[m] for v in categories] + [-1],
        dtype=np.int8,  # pandas' code type for these few levels: from_codes keeps it
    )
    return pd.Categorical.from_codes(lut[codes], dtype=LEVEL_DTYPE, validate=False)


def normalize_levels(values: pa.Array | pa.ChunkedArray, mapper=normalize_level) -> pd.Categorical:
    """Map raw level strings to the ordered ``LEVEL_DTYPE`` categorical (NaN = unknown)."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = (
            encoded.combine_chunks()
            if encoded.num_chunks
            else pa.array([], pa.dictionary(pa.int32(), pa.large_string()))
        )
    if len(encoded) == 0:
        return pd.Categorical([], dtype=LEVEL_DTYPE)
    mapped = [mapper(v) for v in encoded.dictionary.to_pylist()]
    # one more entry, -1, for nulls: their indices point at it
    codes_for = np.array([-1 if m is None else _LEVEL_CODE[m] for m in mapped] + [-1], np.int8)
    indices = encoded.indices
    if indices.null_count:
        indices = pc.fill_null(indices, len(mapped))
    codes = codes_for[indices.to_numpy(zero_copy_only=False)]
    # codes are valid by construction: from_codes need not check them
    return pd.Categorical.from_codes(codes, dtype=LEVEL_DTYPE, validate=False)


# ----------------------------------------------------------------------------- in messages

#: Level words a program writes in a message, each in lower, Title and UPPER case.
MESSAGE_WORDS = (
    "emergency", "emerg", "alert", "critical", "crit", "error", "err", "warning", "warn",
    "notice", "info", "debug", "trace", "fatal", "panic", "severe",
)  # fmt: skip
#: Only in upper case and before a colon: PostgreSQL's (``LOG:  statement: ...``).
MESSAGE_COLON_WORDS = ("LOG", "DETAIL", "HINT", "STATEMENT", "CONTEXT", "DEBUG1", "DEBUG2")
MESSAGE_COLON_WORDS += ("DEBUG3", "DEBUG4", "DEBUG5")
#: Only in brackets, as written: MySQL's ``[Note]``, Apache's ``[trace1]``..``[trace8]``
#: (which may follow a module, as other words: ``[core:trace3]``) and level letters.
MESSAGE_BRACKET_WORDS = ("Note", "System", "T", "D", "I", "N", "W", "E", "F", "C", "V")
#: Keys whose value is the level (``level=error``, ``"severity": "ERROR"``).
MESSAGE_KEYS = ("level", "lvl", "severity", "loglevel", "log_level", "levelname")
#: Characters at the start of each message searched for a level.
MESSAGE_PREFIX = 200

# kinds of the entries of the word table (bits)
_GENERAL, _COLON, _BRACKET, _TRACE_N, _KEY, _UPPER = 1, 2, 4, 8, 16, 32


def _cases(word: str) -> list[str]:
    return list(dict.fromkeys((word, word.title(), word.upper())))


def _word_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The words as a padded uint8[n, 12] table sorted by length, where each length's rows
    start (int64[14]: rows ``first[k]:first[k + 1]`` are ``k`` bytes long), their level
    codes and kinds (int64[n])."""
    rows: list[tuple[str, int, int]] = []
    for word in MESSAGE_WORDS:
        code = _LEVEL_CODE[_LOOKUP[word.upper()]]
        rows += [(w, code, _GENERAL | (_UPPER if w.isupper() else 0)) for w in _cases(word)]
    rows += [(w, _LEVEL_CODE[_LOOKUP[w]], _COLON) for w in MESSAGE_COLON_WORDS]
    rows += [(w, _LEVEL_CODE[_LOOKUP[w.upper()]], _BRACKET) for w in MESSAGE_BRACKET_WORDS]
    rows += [(f"trace{k}", _LEVEL_CODE["TRACE"], _TRACE_N) for k in range(1, 9)]
    rows += [(w, -1, _KEY) for key in MESSAGE_KEYS for w in _cases(key)]
    rows.sort(key=lambda row: len(row[0]))
    table = np.zeros((len(rows), 12), np.uint8)
    for i, (w, _, _) in enumerate(rows):
        table[i, : len(w)] = np.frombuffer(w.encode(), np.uint8)
    lens = np.array([len(w) for w, _, _ in rows], np.int64)
    first = np.searchsorted(lens, np.arange(14)).astype(np.int64)
    codes = np.array([c for _, c, _ in rows], np.int64)
    kinds = np.array([k for _, _, k in rows], np.int64)
    return table, first, codes, kinds


_TABLE = _word_table()


@njit(cache=True, nogil=True, inline="always")
def _is_word_byte(b):
    return (48 <= b <= 57) or (65 <= b <= 90) or (97 <= b <= 122) or b == 95


@njit(cache=True, nogil=True, inline="always")
def _token_end(buf, pos, end):
    while pos < end and _is_word_byte(buf[pos]):
        pos += 1
    return pos


@njit(cache=True, nogil=True, inline="always")
def _find_word(buf, s, e, table, first, kinds, want):
    """Index of the table entry spelled ``buf[s:e]`` whose kind has a ``want`` bit, or -1."""
    n = e - s
    if n < 1 or n > 12:
        return -1
    for i in range(first[n], first[n + 1]):
        if (kinds[i] & want) == 0 or buf[s] != table[i, 0]:
            continue
        same = True
        for q in range(1, n):
            if buf[s + q] != table[i, q]:
                same = False
                break
        if same:
            return i
    return -1


@njit(cache=True, nogil=True, inline="always")
def _blanks(buf, pos, end):
    while pos < end and (buf[pos] == 32 or buf[pos] == 9):
        pos += 1
    return pos


@njit(cache=True, nogil=True, inline="always")
def _bracketed(buf, p, we, table, first, codes, kinds):
    """``[warn]``, ``<E>``, ``[core:error]``, ``[ INFO ]`` at ``p``: a level code or -1."""
    q = _blanks(buf, p + 1, we)
    t = _token_end(buf, q, we)
    module = False
    if t < we and buf[t] == 58 and t > q:  # "module:" in lower case, digits, underscores
        module = True
        for r in range(q, t):
            if 65 <= buf[r] <= 90:
                module = False
        if module:
            q = t + 1
            t = _token_end(buf, q, we)
    r = _blanks(buf, t, we)
    if t == q or r >= we or not (buf[r] == 93 or buf[r] == 62):
        return -1
    want = _GENERAL | _TRACE_N if module else _GENERAL | _TRACE_N | _BRACKET
    i = _find_word(buf, q, t, table, first, kinds, want)
    return -1 if i < 0 else codes[i]


@njit(cache=True, nogil=True, inline="always")
def _is_quote(b):
    return b == 34 or b == 39


@njit(cache=True, nogil=True, inline="always")
def _key_value(buf, p, i, we, table, first, codes, kinds):
    """The level of ``key=word``, ``"key" = "word"``, ``"key":"word"`` whose ``=`` or ``:``
    is at ``i`` (the message starts at ``p``, its window ends at ``we``), or -1."""
    j = i
    if buf[i] == 58:  # "key":"word": a quote before the colon, one after blanks
        if j - 1 < p or buf[j - 1] != 34:
            return -1
        j -= 1
        v = _blanks(buf, i + 1, we)
        if v >= we or buf[v] != 34:
            return -1
        v += 1
    else:  # key["']? [ \t]* = [ \t]* ["']?
        while j - 1 >= p and (buf[j - 1] == 32 or buf[j - 1] == 9):
            j -= 1
        if j - 1 >= p and _is_quote(buf[j - 1]):
            j -= 1
        v = _blanks(buf, i + 1, we)
        if v < we and _is_quote(buf[v]):
            v += 1
    ks = j
    while ks - 1 >= p and _is_word_byte(buf[ks - 1]):
        ks -= 1
    if ks == j or _find_word(buf, ks, j, table, first, kinds, _KEY) < 0:
        return -1
    # before the key: the start or a byte that is neither a word character nor a quote,
    # then maybe one quote
    q = ks - 1 if ks - 1 >= p and _is_quote(buf[ks - 1]) else ks
    if q > p and (_is_word_byte(buf[q - 1]) or _is_quote(buf[q - 1])):
        return -1
    w = _token_end(buf, v, we)
    k = _find_word(buf, v, w, table, first, kinds, _GENERAL)
    return -1 if k < 0 else codes[k]


@njit(cache=True, nogil=True)
def _skip_colours(buf, p, end):
    """The position after the ANSI colour sequences (``ESC [ ... m``) at ``p``: programs
    that colour their terminal output (werkzeug, uvicorn) write them into the file."""
    while p + 1 < end and buf[p] == 27 and buf[p + 1] == 91:
        q = p + 2
        while q < end and 48 <= buf[q] <= 63:  # parameter bytes
            q += 1
        while q < end and 32 <= buf[q] <= 47:  # intermediate bytes
            q += 1
        if q >= end or not 64 <= buf[q] <= 126:  # no final byte: not a sequence
            break
        p = q + 1
    return p


@njit(cache=True, nogil=True)
def _at_start(buf, p, we, table, first, codes, kinds):
    """The level code of the level word that starts at ``p`` (bracketed, with a colon, or
    an upper-case word and a blank), else -1."""
    b = buf[p]
    if b == 91 or b == 60:  # [ or <
        return _bracketed(buf, p, we, table, first, codes, kinds)
    t = _token_end(buf, p, we)
    if t > p and t < we:
        if buf[t] == 58 and (t + 1 == we or buf[t + 1] == 32 or buf[t + 1] == 9):
            i = _find_word(buf, p, t, table, first, kinds, _GENERAL | _COLON)
            if i >= 0:
                return codes[i]
        if buf[t] == 32 or buf[t] == 9:
            i = _find_word(buf, p, t, table, first, kinds, _UPPER)
            if i >= 0:
                return codes[i]
    return -1


@njit(cache=True, nogil=True)
def _after_tag(buf, p, we):
    """Where the next token starts when the token at ``p`` is a tag a program writes
    before its level (``auth:``, ``nsd[12]:``, ``[8721]``, ``unbound[79:0]``, ``(core)``,
    ``->``), else -1."""
    q = p
    while q < we and buf[q] != 32 and buf[q] != 9:
        q += 1
    n = q - p
    if n == 0 or q >= we:
        return -1
    a, z = buf[p], buf[q - 1]
    tag = (n >= 2 and z == 58) or (n >= 2 and a == 40 and z == 41)
    if not tag and n >= 2 and z == 93:  # [8721] or a name with its pid: unbound[79:0]
        for i in range(p, q - 1):
            if buf[i] == 91:
                tag = True
                break
    if not tag:
        tag = True  # punctuation alone, such as -> or --
        for i in range(p, q):
            c = buf[i]
            if c >= 128 or c == 95 or 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122:
                tag = False
                break
    if not tag:
        return -1
    while q < we and (buf[q] == 32 or buf[q] == 9):
        q += 1
    return q if q < we else -1


#: Tags (``auth:``, ``[8721]``) a level word may follow at the start of a message.
MESSAGE_TAGS = 2


@dual(1, 50_000)
def _message_levels(buf, starts, ends, table, first, codes, kinds, prefix):
    """Level codes (int8[n], -1 = none) of messages ``buf[starts[i]:ends[i]]`` (int64[n],
    start -1 = null), by the rules of :func:`levels_in_messages`, within ``prefix``
    characters of each message's start."""
    n = starts.shape[0]
    out = np.full(n, -1, dtype=np.int8)
    for row in prange(n):
        p = starts[row]
        if p < 0:
            continue
        end = ends[row]
        we = end
        if end - p > prefix:  # the byte after ``prefix`` characters (UTF-8)
            chars = 0
            we = p
            while we < end:
                if (buf[we] & 0xC0) != 0x80:
                    if chars == prefix:
                        break
                    chars += 1
                we += 1
        p = _skip_colours(buf, p, we)
        if p >= we:
            continue
        start = p
        code = -1
        for _hop in range(MESSAGE_TAGS + 1):  # the start, then after each tag
            code = _at_start(buf, p, we, table, first, codes, kinds)
            if code >= 0:
                break
            q = _after_tag(buf, p, we)
            if q < 0:
                break
            p = q
        if code >= 0:
            out[row] = code
            continue
        p = start
        # key=value: the leftmost pair, found by its = or : (a test per byte: a call
        # per byte cost more than the whole scan)
        for i in range(p + 1, we):
            c = buf[i]
            if c == 61 or c == 58:
                code = _key_value(buf, p, i, we, table, first, codes, kinds)
                if code >= 0:
                    out[row] = code
                    break
    return out


def levels_in_messages(messages: pa.Array | pa.ChunkedArray) -> pd.Categorical:
    """The level each message states about itself, for logs without a level field.

    What counts, tried in this order (a level word is one of :data:`MESSAGE_WORDS` in
    lower, Title or UPPER case):

    * ``[warn]``, ``<E>``, ``[ INFO ]``, ``[core:error]``, ``[Note]``: at the start, in
      brackets, a level word (after an Apache ``module:`` maybe), ``trace1``-``trace8``,
      MySQL's ``Note``/``System`` or one of the letters ``TDINWEFCV``;
    * ``error: x``, ``FATAL: x``, ``LOG:  x``: at the start, a level word (or one of
      :data:`MESSAGE_COLON_WORDS`), a colon and a blank or the end;
    * ``WARNING  x``: at the start, a level word in upper case and a blank;
    * ``level=error``, ``lvl='warn'``, ``"severity": "ERROR"``: one of :data:`MESSAGE_KEYS`
      (maybe quoted) after the start or a character that is not a letter, digit,
      underscore or quote, then ``=`` or ``":"`` and a level word ending there; the
      leftmost such pair.

    The first three rules also hold after up to :data:`MESSAGE_TAGS` tags that programs
    write before their level: a word ending in a colon (``auth: Error: ...``,
    ``nsd[12]: error: ...``), a bracketed or parenthesised word (``[8721] [error] ...``) or
    punctuation (``-> WARNING: ...``). ANSI colour sequences at the start are skipped.
    Everything must lie in the first
    :data:`MESSAGE_PREFIX` characters. Words inside
    prose ("no error found") and a lower-case word without a colon ("error loading
    module") are not levels. A numba kernel scans the bytes once (a regular expression
    in Arrow, extract_regex, took 0.5 s per million messages; the kernel is several
    times faster); ``tests/reference.py`` states the same rules as a regex.

    Parameters
    ----------
    messages : pyarrow.Array or pyarrow.ChunkedArray
        Strings (``string`` or ``large_string``); nulls give NaN.

    Returns
    -------
    pandas.Categorical
        Of ``LEVEL_DTYPE``, NaN where a message states no level.

    Raises
    ------
    TypeError
        When ``messages`` is not an Arrow string array.

    Examples
    --------
    >>> import pyarrow as pa
    >>> msgs = pa.array(["ERROR: disk full", "[warn] slow", "no error found", "level=debug x"])
    >>> levels_in_messages(msgs).tolist()
    ['ERROR', 'WARNING', nan, 'DEBUG']
    """
    if isinstance(messages, pa.ChunkedArray):
        messages = (
            messages.combine_chunks() if messages.num_chunks else pa.array([], pa.large_string())
        )
    typ = getattr(messages, "type", None)
    if not isinstance(messages, pa.Array) or not (
        pa.types.is_string(typ)
        or pa.types.is_large_string(typ)
        or pa.types.is_string_view(typ)
        or pa.types.is_null(typ)
    ):
        raise TypeError(
            "levels_in_messages takes a pyarrow string array, got "
            f"{typ or type(messages).__name__}; pass pyarrow.array(list_of_str) or "
            "pyarrow.array(frame['message'])"
        )
    if len(messages) == 0:
        return pd.Categorical([], dtype=LEVEL_DTYPE)
    arr = messages.cast(pa.large_string())
    offsets, data = string_buffers(arr)
    starts = offsets[:-1].astype(np.int64)
    if arr.null_count:
        starts[np.asarray(arr.is_null())] = -1
    ends = np.ascontiguousarray(offsets[1:], dtype=np.int64)
    codes = _message_levels(data, starts, ends, *_TABLE, MESSAGE_PREFIX)
    return pd.Categorical.from_codes(codes, dtype=LEVEL_DTYPE, validate=False)


def vocabulary_table() -> str:
    """:data:`LEVEL_VOCABULARIES` as a Markdown table (the README's copy is checked
    against it): per canonical level, the values of each vocabulary that read as it."""
    rows = ["| vocabulary | " + " | ".join(reversed(LEVELS)) + " |"]
    rows.append("| --- |" + " --- |" * len(LEVELS))
    for name, mapping in LEVEL_VOCABULARIES.items():
        cells = []
        for level in reversed(LEVELS):
            words = [f"`{w}`" for w, v in mapping.items() if v == level]
            cells.append(", ".join(words))
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)
