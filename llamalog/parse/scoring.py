"""How well a format reads a sample of lines: the evidence ``format="auto"`` weighs.

A match alone proves little: a header of lazy fields such as ``<Date> <Time> <Level>
<Content>`` matches nearly any line with four words. So each candidate is *validated*:
its time fields must give plausible timestamps (a clock that only ever reads midnight,
a year outside 1990-2100 or a time that does not parse is evidence against it) and its
level field must hold levels. What is left is the share of lines the format reads
well, which :func:`score_layout` returns with the evidence behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _kernels as K
from .engine import Layout, SourceState, match_lines, not_a_time, resolve_time, span_strings
from .levels import DERIVED_LEVELS, normalize_level
from .timestamps import parse_times_ns

#: Credit for a line that does not match but continues a record before it (stack
#: traces, SQL, a slow-query record): it is explained, though not by the header.
CONTINUATION_CREDIT = 0.5
_DAY_NS = 86_400 * 10**9
#: Lines matched first, spread over the sample; a format that matches none is out.
PROBE = 48
#: Timestamps outside 1990-2100 are implausible (a number misread as epoch seconds).
_EARLIEST, _LATEST = 631_152_000 * 10**9, 4_102_444_800 * 10**9


@dataclass(frozen=True)
class LayoutScore:
    """What a format reads in a sample (shares are of the sample's non-empty lines)."""

    match_rate: float  #: lines the header matches (a time that is no time is no match)
    time_ok: float  #: matched lines with a plausible timestamp
    level_ok: float  #: of those, the share whose level field holds a level (1 without one)
    continued: float  #: unmatched lines after a record (multi-line formats)
    score: float  #: the evidence in one number, 0 = rejected
    why: str  #: what the number rests on, or why the format was rejected


def _levels_valid(
    layout: Layout, buf: np.ndarray, caps: np.ndarray, rows: np.ndarray
) -> float | None:
    """Share of ``rows`` whose level (field or derived) reads as a level, of those that
    have the field (None when none has it, e.g. an optional syslog ``<Pri>``)."""
    if layout.level is not None:
        name, mapper = layout.level, layout.level_mapper or normalize_level
    else:
        name, rule = layout.derived_level
        mapper = DERIVED_LEVELS[rule]
    k = layout.fmt.fields.index(name)
    rows = rows[caps[2 * k, rows] >= 0]
    if not len(rows):
        return None
    values = span_strings(buf, caps[2 * k, rows], caps[2 * k + 1, rows])
    cache: dict[str | None, bool] = {}
    hits = 0
    for v in values:
        if v not in cache:
            cache[v] = mapper(v) is not None
        hits += cache[v]
    return hits / len(rows)


def _credit(layout: Layout) -> float:
    """What a continuation line is worth: a whole line for a header that only marks where
    a record starts (no message field: the lines after it are the record), else half."""
    return 1.0 if layout.message is None else CONTINUATION_CREDIT


def _continued(layout: Layout, matched: np.ndarray, first: int, n: int) -> int:
    """Unmatched lines after the first record, in a format whose records run on."""
    if not layout.multiline:
        return 0
    return int(np.count_nonzero(~matched[first + 1 : n]))


def score_layout(buf: np.ndarray, layout: Layout, *, max_lines: int = 2000) -> LayoutScore:
    """Score ``layout`` on the whole lines of ``buf`` (a sample from a file's start).

    The score is the share of lines read well (matched with a plausible time, plus
    :data:`CONTINUATION_CREDIT` per continuation line or line of the format's other
    patterns; a whole line per continuation line for a header without a message field,
    whose records are the lines below it) times a level factor: 1.0 when every level
    field holds a level, 0.85 for a format without levels, zero when most "levels" are
    not levels, and 0.8 of that when the time is a date without a clock. A format without
    time fields is scored on its levels instead, at 0.9 of that. See the module docstring.
    """
    _, _, _, ss, se = K.scan_lines(buf)
    keep = se > ss
    ss, se = ss[keep][:max_lines], se[keep][:max_lines]
    n = len(ss)
    if n == 0:
        return LayoutScore(0.0, 0.0, 0.0, 0.0, 0.0, "empty sample")
    if n > PROBE:  # a quick look at lines spread over the sample first: most fail it
        pick = np.linspace(0, n - 1, PROBE).astype(np.int64)
        if not (match_lines(buf, ss[pick], se[pick], layout.fmt)[0] == K.MATCHED).any():
            return LayoutScore(0.0, 0.0, 0.0, 0.0, 0.0, "no line matches")
    status, caps, which = match_lines(buf, ss, se, layout.fmt)
    matched = status == K.MATCHED
    # lines of the format's other patterns are explained, like continuation lines
    alt = np.zeros(n, dtype=np.bool_) if which is None else matched & (which > 0)
    other = int(np.count_nonzero(alt))
    matched &= ~alt
    rows = np.flatnonzero(matched)
    if not len(rows):
        return LayoutScore(0.0, 0.0, 0.0, 0.0, 0.0, "no line matches")
    has_level = layout.level is not None or layout.derived_level is not None
    timeless = not layout.time_fields and not layout.time_candidates()
    if timeless:
        level_ok = (_levels_valid(layout, buf, caps, rows) if has_level else None) or 0.0
        good = len(rows) * level_ok
        continued = _continued(layout, matched | alt, rows[0], n)
        score = 0.9 * (good + _credit(layout) * continued) / n if level_ok >= 0.5 else 0.0
        why = "no time field: scored by its levels" if score else "no time and no level"
        return LayoutScore(len(rows) / n, 0.0, level_ok, continued / n, score, why)
    state = SourceState("<sample>")
    resolve_time(layout, state, buf, caps, rows)
    if state.time_format is None:
        return LayoutScore(len(rows) / n, 0.0, 0.0, 0.0, 0.0, "its time fields hold no time")
    # a field called just Date or Time that the chosen time leaves out holds no time
    unused = [
        f for f in layout.fmt.fields if f.lower() in ("date", "time") and f not in state.time_fields
    ]
    for name in unused:
        k = layout.fmt.fields.index(name)
        if np.count_nonzero(caps[2 * k, rows] < caps[2 * k + 1, rows]) * 2 > len(rows):
            return LayoutScore(len(rows) / n, 0.0, 0.0, 0.0, 0.0, f"its {name} field holds no time")
    demoted = not_a_time(buf, layout, state, caps, rows)
    matched[rows[demoted]] = False
    rows = rows[~demoted]
    k = [layout.fmt.fields.index(f) for f in state.time_fields]
    ns, failed = parse_times_ns(
        buf,
        caps[[2 * i for i in k]][:, rows],
        caps[[2 * i + 1 for i in k]][:, rows],
        state.time_format,
        year_state=state.year,
    )
    present = ns != np.iinfo(np.int64).min
    ok = present & ~failed
    plausible = ok & (ns >= _EARLIEST) & (ns < _LATEST)
    timed = rows[plausible]
    if not len(timed):
        return LayoutScore(len(rows) / n, 0.0, 0.0, 0.0, 0.0, "no plausible timestamp")
    clock = state.time_format.precision >= 2 and (
        int(np.count_nonzero(ns[plausible] % _DAY_NS)) == 0 and len(timed) >= 3
    )
    if clock:
        return LayoutScore(
            len(rows) / n, 0.0, 0.0, 0.0, 0.0, "its clock reads midnight on every line"
        )
    level_ok = _levels_valid(layout, buf, caps, timed) if has_level else None
    has_level = level_ok is not None
    level_ok = 1.0 if level_ok is None else level_ok
    if has_level and level_ok < 0.5:
        return LayoutScore(
            len(rows) / n,
            len(timed) / n,
            level_ok,
            0.0,
            0.0,
            f"its level field holds a level on {level_ok:.0%} of lines",
        )
    continued = _continued(layout, matched | alt, timed[0], n)
    read = (len(timed) + _credit(layout) * continued + CONTINUATION_CREDIT * other) / n
    factor = (0.85 + 0.15 * level_ok) if has_level else 0.85
    if state.time_format.precision < 2:  # a date without its clock: weaker evidence
        factor *= 0.8
    return LayoutScore(
        len(rows) / n,
        len(timed) / n,
        level_ok,
        continued / n,
        read * factor,
        f"{len(timed) / n:.0%} of lines timed"
        + (f", {level_ok:.0%} with a level" if has_level else "")
        + (f", {continued / n:.0%} continuation lines" if continued else ""),
    )
