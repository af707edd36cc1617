"""Timestamps: a strptime subset compiled for numba, format inference, years and zones.

Directives: ``%Y %y %m %d %e %H %I %M %S %f %b %B %h %a %A %p %z %Z`` as in
:func:`time.strptime`, plus ``%s`` (seconds since the epoch, optional fraction), ``%Q``
(milliseconds since the epoch), ``%Q6`` and ``%Q9`` (micro- and nanoseconds since the
epoch) and ``%.f`` (an optional ``.123``/``,123`` fraction). A space matches one or more
spaces, so ``"%b %d"`` reads ``"Mar  1"``.

``%z`` and ``%Z`` (the same directive) read ``Z``, ``+hh``, ``+hhmm``, ``+hh:mm`` and the
zone abbreviations of :data:`ZONE_ABBREVIATIONS`, any case. An abbreviation stands for its
fixed offset, whatever the date: ``CET`` is +01:00 even in July (summer is ``CEST``).
Abbreviations that name several zones (:data:`AMBIGUOUS_ZONES`) are read as the zone
documented there, with one :class:`~llamalog.LlamalogWarning` per source.

Year-less dates (classic syslog) get their year from ``year=`` or from the file's
modification time: the first record is placed in the latest year that does not put it
after the file was written, and each jump back of more than half a year (December to
January) starts a new year.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import FormatError, LlamalogWarning
from . import _time_kernels as K

_DIRECTIVES = {
    "Y": K.T_YEAR4,
    "y": K.T_YEAR2,
    "m": K.T_MONTH,
    "d": K.T_DAY,
    "e": K.T_DAY,
    "H": K.T_HOUR,
    "I": K.T_HOUR12,
    "M": K.T_MIN,
    "S": K.T_SEC,
    "f": K.T_FRAC,
    "b": K.T_MONTHNAME,
    "B": K.T_MONTHNAME,
    "h": K.T_MONTHNAME,
    "a": K.T_WEEKDAY,
    "A": K.T_WEEKDAY,
    "p": K.T_AMPM,
    "z": K.T_TZ,
    "Z": K.T_TZ,
    "s": K.T_EPOCH,
    "Q": K.T_EPOCH,
}

_H = 3600
#: Time zone abbreviations read by ``%z``/``%Z``: name -> fixed offset from UTC in seconds.
#: Each name means one offset all year (``CET`` +1, ``CEST`` +2); the names of
#: :data:`AMBIGUOUS_ZONES` are read as the zone said there.
ZONE_ABBREVIATIONS: dict[str, int] = {
    # universal
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0,
    # Europe
    "WET": 0, "WEST": _H, "BST": _H, "IST": 19800, "CET": _H, "CEST": 2 * _H,
    "MET": _H, "MEST": 2 * _H, "MEZ": _H, "MESZ": 2 * _H, "EET": 2 * _H, "EEST": 3 * _H,
    "MSK": 3 * _H,
    # North America
    "NST": -12600, "NDT": -9000, "AST": -4 * _H, "ADT": -3 * _H, "EST": -5 * _H,
    "EDT": -4 * _H, "CST": -6 * _H, "CDT": -5 * _H, "MST": -7 * _H, "MDT": -6 * _H,
    "PST": -8 * _H, "PDT": -7 * _H, "AKST": -9 * _H, "AKDT": -8 * _H, "HST": -10 * _H,
    "HDT": -9 * _H,
    # South America, Africa
    "BRT": -3 * _H, "ART": -3 * _H, "WAT": _H, "CAT": 2 * _H, "SAST": 2 * _H, "EAT": 3 * _H,
    # Asia
    "IDT": 3 * _H, "PKT": 5 * _H, "NPT": 20700, "ICT": 7 * _H, "WIB": 7 * _H, "HKT": 8 * _H,
    "SGT": 8 * _H, "MYT": 8 * _H, "PHT": 8 * _H, "AWST": 8 * _H, "JST": 9 * _H, "KST": 9 * _H,
    # Oceania
    "ACST": 34200, "ACDT": 37800, "AEST": 10 * _H, "AEDT": 11 * _H, "NZST": 12 * _H,
    "NZDT": 13 * _H,
}  # fmt: skip
#: Abbreviations that name several zones: the reading chosen, and the others.
AMBIGUOUS_ZONES: dict[str, str] = {
    "IST": "India Standard Time +05:30 (not Irish Standard Time +01:00 or Israel +02:00)",
    "CST": "US Central Standard Time -06:00 (not China Standard Time +08:00 or Cuba -05:00)",
    "BST": "British Summer Time +01:00 (not Bangladesh Standard Time +06:00)",
    "AST": "Atlantic Standard Time -04:00 (not Arabia Standard Time +03:00)",
}


def _pack_zone(name: str) -> int:
    """A zone name as the kernel packs it: upper-case bytes, big-endian, in an int."""
    key = 0
    for ch in name.upper().encode("ascii"):
        key = key * 256 + ch
    return key


def _zone_table() -> np.ndarray:
    """``n, keys[n] (sorted), offsets[n], ambiguous[n]``: the table the kernel reads."""
    names = sorted(ZONE_ABBREVIATIONS, key=_pack_zone)
    keys = [_pack_zone(name) for name in names]
    offsets = [ZONE_ABBREVIATIONS[name] for name in names]
    ambiguous = [int(name in AMBIGUOUS_ZONES) for name in names]
    return np.array([len(names), *keys, *offsets, *ambiguous], dtype=np.int64)


_ZONE_TABLE = _zone_table()
_ZONE_NAMES = sorted(ZONE_ABBREVIATIONS, key=_pack_zone)

#: Formats tried by inference, most specific first.
CANDIDATES: tuple[str, ...] = (
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%d-%H.%M.%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M:%S%.f %z",
    "%y/%m/%d %H:%M:%S%.f",
    "%m/%d/%Y %H:%M:%S%.f",
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M:%S%.f",
    "%d.%m.%Y %H:%M:%S%.f",
    "%y%m%d %H%M%S",
    "%y%m%d %H:%M:%S%.f",
    "%Y%m%d %H%M%S",
    "%Y%m%d %H:%M:%S%.f",
    "%Y%m%d-%H:%M:%S:%f",
    "%Y%m%d-%H:%M:%S%.f",
    "%Y%m%dT%H%M%S%.f%z",
    "%Y%m%dT%H%M%S%.f",
    "%d/%b/%Y:%H:%M:%S %z",
    "%d/%b/%Y:%H:%M:%S",
    "%d-%b-%Y %H:%M:%S%.f",
    "%a %b %d %H:%M:%S%.f %Y",
    "%a %b %d %H:%M:%S %z %Y",
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y %H:%M:%S%.f",
    "%b %d %Y %H:%M:%S%.f",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d %H:%M:%S%.f",
    "%b %d %H:%M:%S %Y",
    "%s",
    "%Q",
    "%Q6",
    "%Q9",
    "%Y-%m-%d",
    "%Y.%m.%d",
    "%y%m%d",
)

_PRECISION = {K.T_FRAC: 4, K.T_OPTFRAC: 4, K.T_SEC: 3, K.T_MIN: 2, K.T_DAY: 1}


@dataclass(frozen=True)
class TimeFormat:
    """A compiled time format.

    Examples
    --------
    >>> TimeFormat.compile("%y%m%d %H%M%S").has_year
    True
    >>> TimeFormat.compile("%b %d %H:%M:%S").has_year
    False
    """

    text: str
    codes: np.ndarray
    args: np.ndarray

    @classmethod
    def compile(cls, text: str) -> TimeFormat:
        """The compiled format (compiled once per process: a read of many small files
        tries every candidate on each)."""
        compiled = _COMPILED.get(text)
        if compiled is None:
            compiled = _COMPILED[text] = cls._compile(text)
        return compiled

    @classmethod
    def _compile(cls, text: str) -> TimeFormat:
        codes: list[int] = []
        args: list[int] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "%":
                if text.startswith("%.f", i):
                    codes.append(K.T_OPTFRAC)
                    args.append(0)
                    i += 3
                    continue
                d = text[i + 1 : i + 2]
                if d == "%":
                    codes.append(K.T_LIT)
                    args.append(37)
                elif d == "Q" and text[i + 2 : i + 3] in ("6", "9"):
                    codes.append(K.T_EPOCH)
                    args.append(int(text[i + 2]))
                    i += 3
                    continue
                elif d in _DIRECTIVES:
                    codes.append(_DIRECTIVES[d])
                    args.append(3 if d == "Q" else 0)
                else:
                    raise FormatError(
                        f"the time format {text!r} uses %{d}, which llamalog does not read; "
                        f"use the directives {sorted(_DIRECTIVES)} or %.f"
                    )
                i += 2
            elif ch == " ":
                codes.append(K.T_SPACE)
                args.append(0)
                while i < len(text) and text[i] == " ":
                    i += 1
            else:
                for byte in ch.encode("utf-8"):
                    codes.append(K.T_LIT)
                    args.append(byte)
                i += 1
        if K.T_TZ in codes:
            # the zone table travels at the end of args (the kernels take codes and args
            # alone); each %z's argument says where it starts
            start = len(args)
            args = [start if c == K.T_TZ else a for c, a in zip(codes, args, strict=True)]
            args.extend(_ZONE_TABLE.tolist())
        # shared by every caller of compile(text): the arrays are never written to
        return cls(text, np.array(codes, dtype=np.int64), np.array(args, dtype=np.int64))

    @property
    def has_year(self) -> bool:
        c = set(self.codes.tolist())
        return bool(c & {K.T_YEAR4, K.T_YEAR2, K.T_EPOCH})

    @property
    def precision(self) -> float:
        """A rank: fractions > seconds > minutes > dates; zones and years add a little."""
        c = set(self.codes.tolist())
        if K.T_EPOCH in c:
            return 3.5 if self.args[0] == 0 else 4.5
        rank = max((_PRECISION.get(x, 0) for x in c), default=0)
        if K.T_HOUR not in c and K.T_HOUR12 not in c:
            rank = min(rank, 1)
        return rank + (0.5 if K.T_TZ in c else 0) + (0.25 if self.has_year else 0)


#: Formats compiled so far, by their text.
_COMPILED: dict[str, TimeFormat] = {}


def _as_parts(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranges as int64[k, n]: a 1-D pair is one part per row."""
    s = np.asarray(starts, dtype=np.int64)
    e = np.asarray(ends, dtype=np.int64)
    if s.ndim == 1:
        s, e = s[None, :], e[None, :]
    return s, e  # strided views are fine: the kernel indexes [part, row]


def _valid_epoch(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, fmt: TimeFormat) -> bool:
    """Epoch formats only count when the digits have a plausible length (one part)."""
    if K.T_EPOCH not in fmt.codes:
        return True
    if starts.shape[0] != 1:
        return False
    lo, hi = {0: (9, 11), 3: (12, 14), 6: (15, 17), 9: (18, 19)}[int(fmt.args[0])]
    for s, e in zip(starts[0, :32], ends[0, :32], strict=False):
        if s < 0:
            continue
        digits = bytes(buf[s:e]).split(b".")[0]
        if not lo <= len(digits) <= hi:
            return False
    return True


def reads_all(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, fmt: TimeFormat) -> bool:
    """Whether ``fmt`` reads every sampled row that has a time (and there is one): how
    a read keeps the format found for the file before (see ``resolve_time``)."""
    starts, ends = _as_parts(starts, ends)
    present = (starts >= 0).any(axis=0)
    if not present.any():
        return False
    ok = K._parse_times(buf, starts, ends, fmt.codes, fmt.args)[1]
    return bool(ok[present].all()) and _valid_epoch(buf, starts[:, ok], ends[:, ok], fmt)


def infer_time_format(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, candidates=CANDIDATES
) -> tuple[TimeFormat | None, float]:
    """The candidate that parses most of the sample rows, and its success rate.

    ``starts``/``ends`` are int64[n] or int64[k, n] (parts joined by a space).
    """
    starts, ends = _as_parts(starts, ends)
    present = (starts >= 0).any(axis=0)
    n = int(present.sum())
    if n == 0:
        return None, 0.0
    best: tuple[float, float, TimeFormat | None] = (0.0, 0.0, None)
    for text in candidates:
        fmt = TimeFormat.compile(text)
        _, ok = K._parse_times(buf, starts, ends, fmt.codes, fmt.args)
        rate = float(ok[present].mean())
        if rate == 0 or not _valid_epoch(buf, starts[:, ok], ends[:, ok], fmt):
            continue
        key = (round(rate, 3), fmt.precision)
        if key > best[:2]:
            best = (key[0], key[1], fmt)
    return best[2], best[0]


@dataclass
class TimeCarry:
    """The time fields and format the last source of a read resolved to, tried first on
    the next one (when they read its sampled times, see :func:`reads_all`).

    The files of one read are mostly alike, and trying every candidate format on each of
    thousands of small files was most of their reading time. One holder serves header
    formats (``fields`` are the format's time fields) and JSON lines (one time key).
    """

    fields: list[str] | None = None
    format: TimeFormat | None = None

    def keep(self, fields: list[str] | None, fmt: TimeFormat | None) -> None:
        """Remember a source's choice, if it found a format."""
        if fmt is not None:
            self.fields, self.format = fields, fmt

    def same(self, fields: list[str] | None, fmt: TimeFormat | None) -> bool:
        """Whether the carried choice is ``fields`` and ``fmt`` (or nothing is carried)."""
        if self.format is None:
            return True
        return fmt is not None and (self.fields, self.format.text) == (fields, fmt.text)


@dataclass
class YearState:
    """Carries year inference across the blocks of one source."""

    base: int | None = None
    prev_key: int = -1
    rel_year: int = 0
    #: Ambiguous zone names already warned about for this source.
    zones_warned: set[str] = field(default_factory=set)


def _warn_ambiguous(parts: np.ndarray, ok: np.ndarray, state: YearState | None) -> None:
    """One warning per ambiguous zone name read (per source, with ``state``)."""
    column = parts[:, 5]
    if not column.any():
        return
    seen = state.zones_warned if state is not None else set()
    for place in np.unique(column[ok & (column > 0)]).tolist():
        name = _ZONE_NAMES[place - 1]
        if name in seen:
            continue
        seen.add(name)
        warnings.warn(
            f"the time zone abbreviation {name!r} names several zones; it was read as "
            f"{AMBIGUOUS_ZONES[name]}, offset {_offset_text(ZONE_ABBREVIATIONS[name])}. "
            "If that is wrong, pass time_format= with the offset written out, or strip the "
            "name and pass tz= with the zone (e.g. tz='Asia/Shanghai')",
            LlamalogWarning,
            stacklevel=4,
        )


def _offset_text(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


def _mtime_base(parts: np.ndarray, ok: np.ndarray, mtime: float | None) -> int:
    when = _dt.datetime.fromtimestamp(mtime, _dt.UTC) if mtime else _dt.datetime.now(_dt.UTC)
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return when.year
    month, day = int(parts[idx[0], 1]), int(parts[idx[0], 2])
    return when.year - 1 if (month, day) > (when.month, when.day) else when.year


def _assign_years(parts: np.ndarray, ok: np.ndarray, state: YearState, mtime) -> np.ndarray:
    years, state.prev_key, state.rel_year = K._relative_years(
        parts, ok, state.prev_key, state.rel_year
    )
    if state.base is None:
        state.base = _mtime_base(parts, ok, mtime)
    return years + state.base


_UTC = pd.DatetimeTZDtype("ns", "UTC")


def utc_datetimes(ns: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``datetime64[ns, UTC]`` values over int64 nanoseconds, without a copy.

    The public routes (``tz_localize``, ``pd.array(..., dtype=...)``) each copy the
    array, which for a large read means one more timestamp column at the peak; pandas'
    own constructor of an array from its values shares them. Should that private
    constructor change, the public route is taken.
    """
    values = np.ascontiguousarray(ns, dtype=np.int64).view("M8[ns]")
    try:
        out = pd.arrays.DatetimeArray._simple_new(values, dtype=_UTC)  # type: ignore[attr-defined]
        if out.dtype == _UTC and len(out) == len(values):
            return out
    except (AttributeError, TypeError, ValueError):
        pass
    return pd.Series(values).dt.tz_localize("UTC").array


def parse_times(
    buf: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    fmt: TimeFormat,
    *,
    tz: str | None = None,
    year_state: YearState | None = None,
    mtime: float | None = None,
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Parse spans to UTC timestamps (a DatetimeIndex): see :func:`parse_times_ns`."""
    ns, failed = parse_times_ns(buf, starts, ends, fmt, tz=tz, year_state=year_state, mtime=mtime)
    return pd.DatetimeIndex(utc_datetimes(ns)), failed


def parse_times_ns(
    buf: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    fmt: TimeFormat,
    *,
    tz: str | None = None,
    year_state: YearState | None = None,
    mtime: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Parse spans to UTC timestamps.

    Parameters
    ----------
    buf : uint8[n]
    starts, ends : int64[m] or int64[k, m]
        Byte ranges (parts of one value are joined by a space); ``-1`` starts mean
        "no value" (NaT, not a failure).
    fmt : TimeFormat
    tz : str, optional
        Zone of times written without an offset (default UTC).
    year_state : YearState, optional
        For year-less formats; carried across blocks of a source.

    Returns
    -------
    ns : int64[m]
        Nanoseconds since the epoch, UTC (``numpy.datetime64("NaT")`` where absent).
    failed : bool[m]
        True where a value was present but did not parse.
    """
    starts, ends = _as_parts(starts, ends)
    parts, ok = K._parse_times(buf, starts, ends, fmt.codes, fmt.args)
    if K.T_TZ in fmt.codes:
        _warn_ambiguous(parts, ok, year_state)
    if fmt.has_year:
        years = np.zeros(len(ok), dtype=np.int64)
    else:
        years = _assign_years(parts, ok, year_state or YearState(), mtime)
    ns, aware = K._combine(parts, ok, years, 0)
    # a value that is present but gave no time failed: unparsed, or a date such as a
    # year-less Feb 29 that its inferred year does not have
    failed = (starts >= 0).any(axis=0) & (~ok | (ns == K.NAT))
    if tz is None or aware.all():
        return ns, failed
    index = pd.DatetimeIndex(ns.view("datetime64[ns]"))
    local = index.tz_localize(
        tz, ambiguous=np.ones(len(index), dtype=bool), nonexistent="shift_forward"
    )
    utc = local.tz_convert("UTC").asi8
    return np.where(aware, ns, utc), failed


def zone_table() -> str:
    """:data:`ZONE_ABBREVIATIONS` as Markdown (the README's copy is checked against it):
    the names of each offset, with the ambiguous ones marked."""
    by_offset: dict[int, list[str]] = {}
    for name, offset in ZONE_ABBREVIATIONS.items():
        by_offset.setdefault(offset, []).append(
            f"`{name}`" + ("*" if name in AMBIGUOUS_ZONES else "")
        )
    rows = ["| offset | abbreviations |", "| --- | --- |"]
    for offset in sorted(by_offset):
        sign = "-" if offset < 0 else "+"
        hh, mm = divmod(abs(offset) // 60, 60)
        rows.append(f"| {sign}{hh:02d}:{mm:02d} | {', '.join(by_offset[offset])} |")
    notes = [f"- `{k}`: read as {v}." for k, v in AMBIGUOUS_ZONES.items()]
    return "\n".join([*rows, "", "\\* ambiguous, read as:", "", *notes])
