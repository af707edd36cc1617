"""Event rates over time, and bursts and change points in them."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import LlamalogWarning

#: Interval lengths :func:`rate` chooses among when ``every`` is not given.
INTERVALS = ("1s", "10s", "1min", "5min", "15min", "1h", "1D")

#: The most intervals :func:`pick_interval` aims for.
MAX_INTERVALS = 300

#: The most rows :func:`rate` returns (intervals times values of ``by``), unless
#: :func:`pick_interval` would give more: past it, a coarser interval is used.
MAX_RATE_ROWS = 2_000_000


def pick_interval(span: pd.Timedelta | float | None) -> str:
    """The interval :func:`rate` uses for a time span when none is given.

    The rule: the shortest of :data:`INTERVALS` (1s, 10s, 1min, 5min, 15min, 1h, 1D)
    that cuts ``span`` into at most :data:`MAX_INTERVALS` (300) intervals, so a
    series has between about 30 and 300 points; ``"1D"`` for spans longer than 300
    days, ``"1s"`` for an empty or zero span.

    Examples
    --------
    >>> pick_interval(pd.Timedelta("2h")), pick_interval(pd.Timedelta("20s"))
    ('1min', '1s')
    """
    if span is None or pd.isna(span):
        return INTERVALS[0]
    span = pd.Timedelta(span)
    for every in INTERVALS:
        if span / pd.Timedelta(every) <= MAX_INTERVALS:
            return every
    return INTERVALS[-1]


def _step(every: str | pd.Timedelta) -> pd.Timedelta:
    try:
        step = pd.Timedelta(every)
    except ValueError as exc:
        raise ValueError(
            f"every must be a fixed duration such as '1min' or '1h', got {every!r}"
        ) from exc
    if step <= pd.Timedelta(0):
        raise ValueError(f"every must be positive, got {every!r}")
    return step


def _label(every: str | pd.Timedelta) -> str:
    return every if isinstance(every, str) else str(pd.Timedelta(every))


def _coarser(span: pd.Timedelta, step: pd.Timedelta, limit: int) -> str:
    """The shortest of :data:`INTERVALS`, or else whole days, longer than ``step`` that
    cuts ``span`` into at most ``limit`` intervals (floored starts: one more at most)."""
    for every in INTERVALS:
        if pd.Timedelta(every) > step and span // pd.Timedelta(every) + 2 <= limit:
            return every
    day = pd.Timedelta("1D")
    days = max(2, math.ceil(span / (day * max(limit - 2, 1))))
    while span // (day * days) + 2 > limit:
        days += 1
    return f"{days}D"


def _bounded(
    ts: pd.Series, every: str | pd.Timedelta, n_keys: int
) -> tuple[str | pd.Timedelta, pd.Timedelta]:
    """``every`` and its step, or a coarser interval (with a warning) when ``every``
    over the span of ``ts`` would give more than :data:`MAX_RATE_ROWS` rows."""
    step = _step(every)
    if not len(ts):
        return every, step
    first, last = ts.min(), ts.max()
    n_int = int((last.floor(step) - first.floor(step)) // step) + 1
    limit = max(MAX_RATE_ROWS // max(n_keys, 1), MAX_INTERVALS)
    if n_int <= limit:
        return every, step
    coarse = _coarser(last - first, step, limit)
    warnings.warn(
        f"rate: every={_label(every)!r} cuts the {last - first} from {first} to {last} into "
        f"{n_int:,} intervals{f' times {n_keys} values of by' if n_keys > 1 else ''}, more "
        f"than the {MAX_RATE_ROWS:,} rows rate() returns; counting per {coarse} instead "
        "(pass a longer every=, or a shorter part of the log)",
        LlamalogWarning,
        stacklevel=3,
    )
    return coarse, _step(coarse)


def rate(
    frame: pd.DataFrame,
    *,
    every: str | pd.Timedelta | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Records per time interval, optionally per value of a column.

    Parameters
    ----------
    frame : DataFrame
        A frame from :func:`llamalog.read_logs`.
    every : str or Timedelta, optional
        The interval length (``"10s"``, ``"1min"``, ``"1h"``...).  By default it is
        chosen from the time span by :func:`pick_interval`: the shortest of 1s, 10s,
        1min, 5min, 15min, 1h, 1D giving at most 300 intervals.
    by : str, optional
        A column (``"level"``, ``"template_id"``, a format field...) to count per
        value; missing values count as one more value.

    Returns
    -------
    DataFrame
        Columns ``start`` (the interval start, timestamps floored to ``every``),
        ``by`` when given, and ``count``: every interval from the first to the last
        record, empty ones included (count 0), times every value of ``by`` seen among
        the timed records.  ``attrs`` holds ``"every"`` (the interval used),
        ``"by"`` and ``"untimed"``: the number of records without a timestamp, which
        are not in the counts.

    Warns
    -----
    LlamalogWarning
        When ``every`` would give more than :data:`MAX_RATE_ROWS` (2 million) rows
        (intervals times values of ``by``): a sparse log spanning a year at
        ``every="1s"`` has 31 million intervals. The shortest of :data:`INTERVALS`
        longer than ``every`` (or else whole days) that fits is used instead, and
        named in the warning and in ``attrs["every"]``. Memory is thus bounded by
        about 2 million rows whatever the span; without ``every`` the chosen interval
        always fits (at most 300 intervals, or one a day for spans over 300 days).

    Examples
    --------
    >>> t = pd.to_datetime(["2026-01-01 00:00:05", "2026-01-01 00:00:50", None,
    ...                     "2026-01-01 00:03:01"], utc=True)
    >>> f = pd.DataFrame({"timestamp": t, "message": list("abcd")})
    >>> r = rate(f, every="1min")
    >>> r["count"].tolist(), r.attrs["untimed"]
    ([2, 0, 0, 1], 1)
    """
    S.validate_frame(frame, (S.TIMESTAMP, *((by,) if by is not None else ())))
    ts = pd.to_datetime(frame[S.TIMESTAMP])
    timed = ts.notna().to_numpy()
    ts = ts[timed]
    if every is None:
        every = pick_interval(ts.max() - ts.min() if len(ts) else None)
    if by is not None:
        codes, keys = pd.factorize(frame[by][timed], sort=True, use_na_sentinel=False)
    every, step = _bounded(ts, every, len(keys) if by is not None else 1)
    starts = ts.dt.floor(step)
    if len(starts):
        grid = pd.date_range(starts.min(), starts.max(), freq=step)
        slot = ((starts - grid[0]) // step).to_numpy().astype(np.int64)
    else:
        grid = pd.DatetimeIndex([], dtype=ts.dtype)
        slot = np.zeros(0, dtype=np.int64)
    if by is None:
        out = pd.DataFrame({"start": grid, "count": np.bincount(slot, minlength=len(grid))})
    else:
        table = np.zeros((len(grid), len(keys)), dtype=np.int64)
        np.add.at(table, (slot, codes), 1)
        out = pd.DataFrame(
            {
                "start": grid.repeat(len(keys)),
                by: keys.take(np.tile(np.arange(len(keys)), len(grid))),
                "count": table.ravel(),
            }
        )
    out["count"] = out["count"].astype("int64")
    out.attrs.update(every=_label(every), by=by, untimed=int((~timed).sum()))
    return out


def _series(counts: pd.Series | pd.DataFrame) -> list[tuple[object, pd.Series]]:
    """``(key, counts indexed by start)`` per key of a :func:`rate` frame, or a series."""
    if isinstance(counts, pd.Series):
        return [(None, counts)]
    S.validate_frame(counts, ("start", "count"))
    by = counts.attrs.get("by")
    if by is None or by not in counts:
        return [(None, counts.set_index("start")["count"])]
    return [
        (key, part.set_index("start")["count"])
        for key, part in counts.groupby(by, sort=False, dropna=False, observed=True)
    ]


def bursts(
    counts: pd.Series | pd.DataFrame,
    *,
    threshold: float = 3.5,
    window: int = 11,
) -> pd.DataFrame:
    """Intervals whose count rises far above its neighbourhood.

    The rule: ``baseline`` is the centred rolling median of the counts over
    ``window`` intervals; the spread is ``1.4826 * MAD`` (the rolling median of
    ``|count - baseline|``, scaled to a standard deviation), but at least
    ``sqrt(max(baseline, 1))`` (the Poisson noise of a count, so flat or sparse series
    do not make every blip a burst); ``score = (count - baseline) / spread``, and an
    interval bursts when ``score > threshold``.

    Parameters
    ----------
    counts : Series or DataFrame
        Counts indexed by interval start, or a frame from :func:`rate` (per value of
        its ``by`` column, when it has one).
    threshold : float
        The score above which an interval bursts (3.5 robust standard deviations).
    window : int
        The rolling window, in intervals (odd, so the window is centred).

    Returns
    -------
    DataFrame
        Columns ``start``, the ``by`` column of a :func:`rate` frame when it has one,
        ``count``, ``baseline`` and ``score``: one row per bursting interval, by start.
        Memory and time grow with the rows of ``counts`` (bounded by :func:`rate`),
        not with the span they cover.

    Examples
    --------
    >>> c = pd.Series([5, 6, 4, 5, 40, 5, 6, 5, 4],
    ...               index=pd.date_range("2026-01-01", periods=9, freq="1min"))
    >>> b = bursts(c)
    >>> b["start"].dt.strftime("%H:%M").tolist(), b["count"].tolist()
    (['00:04'], [40])
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    by = counts.attrs.get("by") if isinstance(counts, pd.DataFrame) else None
    parts = []
    for key, series in _series(counts):
        values = series.reset_index(drop=True).astype(float)
        baseline = values.rolling(window, center=True, min_periods=1).median()
        mad = (values - baseline).abs().rolling(window, center=True, min_periods=1).median()
        spread = np.maximum(1.4826 * mad, np.sqrt(np.maximum(baseline, 1.0)))
        score = (values - baseline) / spread
        hit = (score > threshold).to_numpy()
        part = pd.DataFrame(
            {
                "start": series.index[hit],
                "count": series.to_numpy()[hit],
                "baseline": baseline.to_numpy()[hit],
                "score": score.to_numpy()[hit],
            }
        )
        if by is not None:
            part.insert(1, by, [key] * len(part))
        parts.append(part)
    columns = ["start", *([by] if by is not None else []), "count", "baseline", "score"]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    out = out[columns].sort_values("start", kind="stable").reset_index(drop=True)
    return out


def _best_split(cum: np.ndarray, lo: int, hi: int, min_size: int) -> tuple[float, int]:
    """The largest drop in squared error from one mean to two over ``values[lo:hi]``."""
    n = hi - lo
    if n < 2 * min_size:
        return 0.0, -1
    total = cum[hi] - cum[lo]
    cut = np.arange(lo + min_size, hi - min_size + 1)
    left_n = cut - lo
    left = cum[cut] - cum[lo]
    right = total - left
    gain = left**2 / left_n + right**2 / (n - left_n) - total**2 / n
    best = int(np.argmax(gain))
    return float(gain[best]), int(cut[best])


def change_points(
    series: pd.Series | pd.DataFrame,
    *,
    penalty: float | None = None,
    min_size: int = 3,
    max_changes: int | None = None,
) -> pd.DataFrame:
    """Where the mean level of a series shifts, by binary segmentation.

    The method: the noise variance ``sigma**2`` is estimated robustly from the first
    differences (``(1.4826 * median|diff| / sqrt(2))**2``, or the plain variance when
    that is 0).  Starting from the whole series, the split of a segment into two that
    most reduces the squared error around the segment means is accepted when the
    reduction, divided by ``sigma**2``, exceeds ``penalty`` (BIC-style: a change adds
    two parameters, so by default ``2 * log(n)``); both halves are split again until
    no split passes, each segment keeping at least ``min_size`` points.

    Parameters
    ----------
    series : Series or DataFrame
        Values indexed by time, or a :func:`rate` frame without ``by``.
    penalty : float, optional
        The score a split must exceed; default ``2 * log(n)``.
    min_size : int
        The fewest points in a segment.
    max_changes : int, optional
        Stop after this many changes (strongest first).

    Returns
    -------
    DataFrame
        Columns ``at`` (the index value of the first point after the change),
        ``before`` and ``after`` (the means of the segments either side) and ``score``
        (the split's squared-error reduction over ``sigma**2``), by ``at``.

    Examples
    --------
    >>> s = pd.Series([2.0, 3, 2, 3, 2, 3, 10, 11, 10, 11, 10, 11],
    ...               index=pd.date_range("2026-01-01", periods=12, freq="1min"))
    >>> c = change_points(s)
    >>> c["at"].dt.strftime("%H:%M").tolist(), c[["before", "after"]].values.tolist()
    (['00:06'], [[2.5, 10.5]])
    """
    if min_size < 1:
        raise ValueError(f"min_size must be >= 1, got {min_size}")
    if isinstance(series, pd.DataFrame):
        parts = _series(series)
        if len(parts) != 1:
            raise ValueError("change_points takes one series: a rate() frame without `by`")
        series = parts[0][1]
    values = series.to_numpy(dtype=float)
    columns = ["at", "before", "after", "score"]
    n = len(values)
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    empty["at"] = series.index[:0]
    if n < 2 * min_size or not np.isfinite(values).all():
        if n and not np.isfinite(values).all():
            raise ValueError("change_points needs finite values; fill or drop NaN first")
        return empty
    sigma = 1.4826 * np.median(np.abs(np.diff(values))) / np.sqrt(2)
    var = sigma**2 if sigma > 0 else float(np.var(values))
    if var <= 0:
        return empty
    penalty = 2 * np.log(n) if penalty is None else penalty
    cum = np.concatenate([[0.0], np.cumsum(values)])
    segments = [(0, n)]
    found: dict[int, float] = {}
    while max_changes is None or len(found) < max_changes:
        best = (0.0, -1, -1)
        for lo, hi in segments:
            gain, cut = _best_split(cum, lo, hi, min_size)
            if cut >= 0 and gain / var > best[0]:
                best = (gain / var, cut, lo)
        score, cut, lo = best
        if cut < 0 or score <= penalty:
            break
        found[cut] = score
        hi = next(h for seg_lo, h in segments if seg_lo == lo)
        segments.remove((lo, hi))
        segments += [(lo, cut), (cut, hi)]
    cuts = sorted(found)
    bounds = [0, *cuts, n]
    means = [(cum[b] - cum[a]) / (b - a) for a, b in itertools.pairwise(bounds)]
    if not cuts:
        return empty
    return pd.DataFrame(
        {
            "at": series.index[cuts],
            "before": means[:-1],
            "after": means[1:],
            "score": [found[c] for c in cuts],
        }
    )
