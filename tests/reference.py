"""Plain-Python twins of the numba kernels in :mod:`llamalog.parse`.

Each function here says what a kernel must compute, written the obvious way with
``bytes``, ``str``, :mod:`re` and :mod:`datetime` (no numba, no numpy). The tests run
kernel and twin on the same input and compare. Offsets are byte offsets into the buffer,
as in the kernels.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

# Statuses and flag bits, as in llamalog.parse._kernels.
NO_MATCH, MATCHED, UNDECIDED = 0, 1, 2
FLAG_INVALID_UTF8, FLAG_BINARY, FLAG_NON_ASCII = 1, 2, 4

#: C0 controls other than tab, vertical tab, form feed and escape, and DEL.
_BINARY = re.compile(rb"[\x00-\x08\x0a\x0d-\x1a\x1c-\x1f\x7f]")
_WS = re.compile(r"\s")

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

Span = tuple[int, int]


# --------------------------------------------------------------------------- lines


def split_lines(data: bytes) -> list[Span]:
    """Byte ranges of the lines: no ``\\n``, no ``\\r`` right before it or at the end.

    A final line without a newline counts; a trailing newline adds no empty line.
    """
    out: list[Span] = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:  # a final \r is a line ending cut short: dropped like a CRLF's
            end = len(data) - 1 if data.endswith(b"\r") and len(data) > pos else len(data)
            out.append((pos, end))
            break
        end = nl - 1 if nl > pos and data[nl - 1] == 0x0D else nl
        out.append((pos, end))
        pos = nl + 1
    return out


def line_flags(data: bytes, spans: Sequence[Span]) -> list[int]:
    """FLAG_INVALID_UTF8 / FLAG_BINARY / FLAG_NON_ASCII bits of each line."""
    out = []
    for s, e in spans:
        chunk = data[s:e]
        f = 0
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            f |= FLAG_INVALID_UTF8
        if _BINARY.search(chunk):
            f |= FLAG_BINARY
        if not chunk.isascii():
            f |= FLAG_NON_ASCII
        out.append(f)
    return out


def strip_span(data: bytes, s: int, e: int) -> Span:
    """The span of ``data[s:e].decode().strip()`` (valid UTF-8 only)."""
    text = data[s:e].decode("utf-8")
    lead = len(text) - len(text.lstrip())
    core = text.strip()
    a = s + len(text[:lead].encode("utf-8"))
    return a, a + len(core.encode("utf-8"))


def strip_spans(data: bytes, spans: Sequence[Span]) -> list[Span]:
    return [strip_span(data, s, e) for s, e in spans]


def is_space(ch: str) -> bool:
    """Whitespace as the matcher sees it: Python's ``re`` ``\\s`` for str patterns."""
    return _WS.match(ch) is not None


def ws_len(data: bytes, pos: int, end: int) -> int:
    """Byte length of the whitespace character starting at ``pos`` (before ``end``), or 0."""
    b = data[pos]
    n = 1 if b < 0x80 else 2 if b < 0xE0 else 3 if b < 0xF0 else 4
    if pos + n > end:
        return 0
    try:
        ch = data[pos : pos + n].decode("utf-8")
    except UnicodeDecodeError:
        return 0
    return n if is_space(ch) else 0


# --------------------------------------------------------------------------- matching


def match_line(
    regex: re.Pattern, fields: Sequence[str], data: bytes, s: int, e: int
) -> tuple[int, list[int]]:
    """Status and absolute byte spans (start, end per field; -1 when unset) of one line.

    The line is ``data[s:e]`` (valid UTF-8, no ``\\n``) and must match ``regex`` whole.
    """
    text = data[s:e].decode("utf-8")
    m = regex.fullmatch(text)
    if m is None:
        return NO_MATCH, [-1] * (2 * len(fields))
    caps: list[int] = []
    for name in fields:
        a, b = m.span(name)
        if a < 0:
            caps += [-1, -1]
        else:
            caps += [s + len(text[:a].encode("utf-8")), s + len(text[:b].encode("utf-8"))]
    return MATCHED, caps


# --------------------------------------------------------------------------- records


def group_records(matched: Sequence[bool], join: bool) -> list[Span]:
    """(first, last) line of each record.

    With ``join``, a line that does not match joins the record before it when that record
    started with a matching line; every other line starts a record.
    """
    records: list[list[int]] = []
    for i, ok in enumerate(matched):
        if join and not ok and records and matched[records[-1][0]]:
            records[-1][1] = i
        else:
            records.append([i, i])
    return [(a, b) for a, b in records]


def gather(data: bytes, spans: Sequence[Span]) -> tuple[bytes, list[int]]:
    """The ranges concatenated, and Arrow offsets; a negative start is an empty range."""
    pieces = [data[s:e] if s >= 0 else b"" for s, e in spans]
    offsets = [0]
    for p in pieces:
        offsets.append(offsets[-1] + len(p))
    return b"".join(pieces), offsets


def gather_records(
    data: bytes,
    spans: Sequence[Span],
    lines: Sequence[Span],
    records: Sequence[Span],
) -> tuple[bytes, list[int]]:
    """Each record's first span, then ``\\n`` + each continuation line whole."""
    texts = []
    for (s, e), (first, last) in zip(spans, records, strict=True):
        head = data[s:e] if s >= 0 else b""
        tail = b"".join(b"\n" + data[a:b] for a, b in lines[first + 1 : last + 1])
        texts.append(head + tail)
    offsets = [0]
    for t in texts:
        offsets.append(offsets[-1] + len(t))
    return b"".join(texts), offsets


# --------------------------------------------------------------------------- timestamps


def time_tokens(fmt: str) -> list[str]:
    """``'%Y-%m-%d%.f'`` -> ``['%Y', '-', '%m', '-', '%d', '%.f']``; space runs -> ``' '``."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt.startswith("%.f", i):
            out.append("%.f")
            i += 3
        elif fmt[i] == "%":
            out.append(fmt[i : i + 2])
            i += 2
        elif fmt[i] == " ":
            while i < len(fmt) and fmt[i] == " ":
                i += 1
            out.append(" ")
        else:
            out.append(fmt[i])
            i += 1
    return out


def has_year(fmt: str) -> bool:
    return any(t in ("%Y", "%y", "%s", "%Q") for t in time_tokens(fmt))


def format_time(when: dt.datetime, fmt: str, ns: int = 0, frac: str = ".9") -> str:
    """``strftime``, plus ``%s``/``%Q`` and ``%.f`` by hand.

    ``frac`` says how ``%.f`` is written: ``''`` (left out) or a separator and a digit
    count, e.g. ``'.9'`` (``.123456789``), ``',3'`` (``,123``).
    """
    out = []
    for tok in time_tokens(fmt):
        if tok == "%.f":
            if frac:
                digits = f"{when.microsecond:06d}{ns:03d}"[: int(frac[1:])]
                out.append(frac[0] + digits)
        elif tok in ("%s", "%Q"):
            aware = when if when.tzinfo else when.replace(tzinfo=UTC)
            delta = aware - EPOCH
            whole = delta.days * 86400 + delta.seconds
            if tok == "%s":
                out.append(str(whole))
            else:
                out.append(str(whole * 1000 + delta.microseconds // 1000))
        else:
            out.append(when.strftime(tok))
    return "".join(out)


def parse_time(text: str, fmt: str, year: int | None = None) -> tuple[dt.datetime, int] | None:
    """Parse ``text`` with ``fmt``: (datetime, extra nanoseconds below the microsecond).

    ``datetime.strptime`` does the work where Python has the directive. By hand: ``%s``
    (seconds since the epoch, optional ``.fraction``), ``%Q`` (milliseconds), ``%.f`` (an
    optional ``.digits`` or ``,digits``), fractions beyond microseconds (the first nine
    digits count), ``%e`` (``%d``), ``%Z`` (``UTC``/``GMT``/``Z``) and year-less formats
    (``year``, default 2000, which has a Feb 29). The datetime is aware when the text
    carries a zone. Returns None when the text does not parse.
    """
    toks = time_tokens(fmt)
    if toks in (["%s"], ["%Q"]):
        pattern = r"(\d{1,19})(?:\.(\d*))?" if toks == ["%s"] else r"(\d{1,19})"
        m = re.fullmatch(pattern, text)
        if m is None:
            return None
        if toks == ["%Q"]:
            whole_ns = int(m.group(1)) * 1_000_000
        else:
            digits = (m.group(2) or "")[:9].ljust(9, "0")
            whole_ns = int(m.group(1)) * 1_000_000_000 + int(digits)
        when = EPOCH + dt.timedelta(microseconds=whole_ns // 1000)
        return when, whole_ns % 1000

    # the fraction: find it by trying where the format puts it, then hand it to %f
    variants = [[]]
    for tok in toks:
        if tok == "%.f":
            variants = [v + extra for v in variants for extra in ([".", "%f"], [",", "%f"], [])]
        elif tok == "%e":
            variants = [[*v, "%d"] for v in variants]
        elif tok == "%Z":
            variants = [[*v, "%z"] for v in variants]
        else:
            variants = [[*v, tok] for v in variants]
    if "%Z" in toks:
        text = re.sub(r"UTC|GMT", "Z", text)
    if not has_year(fmt):
        text = f"{text} {2000 if year is None else year}"
        variants = [[*v, " ", "%Y"] for v in variants]
    for variant in variants:
        got = _strptime_ns(text, variant)
        if got is not None:
            return got
    return None


def _strptime_ns(text: str, toks: list[str]) -> tuple[dt.datetime, int] | None:
    """``strptime`` where ``%f`` may have any number of digits (the first nine count)."""
    extra = 0
    if "%f" in toks and toks.index("%f") > 0:
        # strptime reads at most six digits: cut a longer fraction, keep its nanoseconds
        sep = toks[toks.index("%f") - 1]
        m = re.search(re.escape(sep) + r"(\d{7,})", text)
        if m:
            padded = m.group(1)[:9]
            text = text[: m.start(1)] + padded[:6] + text[m.end(1) :]
            extra = int(padded[6:].ljust(3, "0"))
    try:
        return dt.datetime.strptime(text, "".join(toks)), extra
    except ValueError:
        return None


def time_ns(when: dt.datetime, extra_ns: int = 0) -> int:
    """Nanoseconds since the epoch; a naive datetime counts as UTC."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    delta = aware - EPOCH
    seconds = delta.days * 86400 + delta.seconds
    return seconds * 1_000_000_000 + delta.microseconds * 1000 + extra_ns


def assign_years(dates: Sequence[tuple[int, int] | None], base: int) -> list[int | None]:
    """Years of year-less (month, day) values: the first in ``base``; going back more than
    half a year (December to January) moves to the next year, forward more than half a
    year to the year before."""
    years: list[int | None] = []
    year = base
    prev = None
    for md in dates:
        if md is None:
            years.append(None)
            continue
        here = dt.date(2000, *md)  # 2000: every (month, day) exists
        if prev is not None:
            days = (here - prev).days
            if days < -183:
                year += 1
            elif days > 183:
                year -= 1
        prev = here
        years.append(year)
    return years


def localize(when: dt.datetime, zone: str) -> dt.datetime:
    """A naive wall time in ``zone`` as a UTC datetime, as pandas' ``tz_localize`` with
    ``ambiguous=True`` (the DST reading) and ``nonexistent='shift_forward'`` (a time in
    a spring-forward gap moves to the first time after the gap)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)

    def exists(wall: dt.datetime) -> bool:
        back = wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        return back == wall

    if not exists(when):
        step = when.replace(second=0, microsecond=0)
        while not exists(step):
            step += dt.timedelta(minutes=1)
        when = step
    # fold=0 is the earlier (DST) reading of an ambiguous wall time
    return when.replace(tzinfo=tz, fold=0).astimezone(UTC)


# --------------------------------------------------------------------------- levels in messages

#: Level words and their canonical level (llamalog.parse.levels.MESSAGE_WORDS).
MESSAGE_LEVEL_WORDS = {
    "emergency": "EMERGENCY", "emerg": "EMERGENCY", "panic": "EMERGENCY",
    "alert": "ALERT", "critical": "CRITICAL", "crit": "CRITICAL", "fatal": "CRITICAL",
    "error": "ERROR", "err": "ERROR", "severe": "ERROR", "warning": "WARNING",
    "warn": "WARNING", "notice": "NOTICE", "info": "INFO", "debug": "DEBUG", "trace": "TRACE",
}  # fmt: skip
_PG_COLON = {"LOG": "INFO", "DETAIL": "INFO", "HINT": "INFO", "STATEMENT": "INFO"}
_PG_COLON |= {"CONTEXT": "INFO"} | {f"DEBUG{k}": "DEBUG" for k in range(1, 6)}
_BRACKET_ONLY = {"Note": "INFO", "System": "INFO", "T": "TRACE", "D": "DEBUG", "I": "INFO"}
_BRACKET_ONLY |= {"N": "NOTICE", "W": "WARNING", "E": "ERROR", "F": "CRITICAL", "C": "CRITICAL"}
_BRACKET_ONLY |= {"V": "TRACE"}


def _spellings(words) -> str:
    out = [v for w in words for v in (w, w.title(), w.upper())]
    return "|".join(sorted(set(out), key=len, reverse=True))


_LW = _spellings(MESSAGE_LEVEL_WORDS)
_KEYS_RE = _spellings(("level", "lvl", "severity", "loglevel", "log_level", "levelname"))
_TRACE_N = "|".join(f"trace{k}" for k in range(1, 9))
_ONLY = "|".join(_BRACKET_ONLY)
_BRACKET_RE = re.compile(
    rf"[\[<][ \t]*(?:[a-z0-9_]+:(?P<m>{_LW}|{_TRACE_N})|(?P<w>{_LW}|{_TRACE_N}|{_ONLY}))"
    rf"[ \t]*[\]>]"
)
_COLON_RE = re.compile(rf"(?P<w>{_LW}|{'|'.join(_PG_COLON)}):(?:[ \t]|$)")
_UPPER_RE = re.compile(rf"(?P<w>{'|'.join(w.upper() for w in MESSAGE_LEVEL_WORDS)})[ \t]")
_KV_RE = re.compile(
    rf"(?:^|(?<=[^A-Za-z0-9_\"']))[\"']?(?:{_KEYS_RE})"
    rf"(?:[\"']?[ \t]*=[ \t]*[\"']?|\":[ \t]*\")(?P<w>{_LW})(?![A-Za-z0-9_])"
)


def _message_word_level(word: str) -> str:
    if word.startswith("trace"):
        return "TRACE"
    return MESSAGE_LEVEL_WORDS.get(word.lower()) or _PG_COLON.get(word) or _BRACKET_ONLY[word]


_TAG_RE = re.compile(r"([^ \t]+)[ \t]*")


def _is_tag(token: str) -> bool:
    """A word programs write before their level: ``auth:``, ``[12]``, ``(x)``, ``->``."""
    if len(token) >= 2 and (
        token.endswith(":")
        or token[0] + token[-1] == "()"
        or (token.endswith("]") and "[" in token[:-1])
    ):
        return True
    return all(ord(c) < 128 and not c.isalnum() and c != "_" for c in token)


_ANSI_RE = re.compile(r"(?:\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e])*")


def message_level(text: str | None, prefix: int = 200) -> str | None:
    """The level a message states about itself (``levels_in_messages``), the obvious way:
    each rule a regular expression on the first ``prefix`` characters, tried in turn."""
    if text is None:
        return None
    head = text[:prefix]
    head = head[_ANSI_RE.match(head).end() :]  # colour sequences at the start
    pos = 0
    for _ in range(3):  # the start, then after each of up to two tags
        m = _BRACKET_RE.match(head, pos) or _COLON_RE.match(head, pos)
        m = m or _UPPER_RE.match(head, pos)
        if m is not None:
            found = m.groupdict()
            return _message_word_level(found.get("m") or found["w"])
        tag = _TAG_RE.match(head, pos)
        if tag is None or not _is_tag(tag.group(1)) or tag.end() >= len(head):
            break
        pos = tag.end()
    m = _KV_RE.search(head)
    return None if m is None else _message_word_level(m.group("w"))


# --------------------------------------------------------------------------- epoch units

#: ``%Q6`` and ``%Q9``: micro- and nanoseconds since the epoch (whole formats only).
_EPOCH_UNITS = {"%Q6": 1_000, "%Q9": 1}
_format_time_plain = format_time
_parse_time_plain = parse_time


def _format_time_units(when: dt.datetime, fmt: str, ns: int = 0, frac: str = ".9") -> str:
    """:func:`format_time`, plus ``%Q6``/``%Q9`` as a whole format."""
    if fmt not in _EPOCH_UNITS:
        return _format_time_plain(when, fmt, ns, frac)
    return str(time_ns(when, ns) // _EPOCH_UNITS[fmt])


def _parse_time_units(text: str, fmt: str, year: int | None = None):
    """:func:`parse_time`, plus ``%Q6``/``%Q9`` as a whole format (1 to 19 digits)."""
    if fmt not in _EPOCH_UNITS:
        return _parse_time_plain(text, fmt, year)
    if re.fullmatch(r"\d{1,19}", text) is None:
        return None
    whole_ns = int(text) * _EPOCH_UNITS[fmt]
    return EPOCH + dt.timedelta(microseconds=whole_ns // 1000), whole_ns % 1000


format_time = _format_time_units
parse_time = _parse_time_units


def count_brackets(data: bytes, starts, ends) -> list[int]:
    """``_count_brackets``: the ``{`` and ``[`` bytes of each range."""
    return [
        data[a:b].count(b"{") + data[a:b].count(b"[") for a, b in zip(starts, ends, strict=True)
    ]
