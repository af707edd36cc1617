"""Interval-level detector of bursts and drops in event counts.

:class:`TimeSeriesDetector` cuts time into intervals and counts, per interval,
all lines, the lines of each level and the lines of each template. From a
training frame it learns a robust baseline of every such *series*; an interval
scores the largest robust z-score of any of its counts against its baseline.

The baseline of a series
    ``expected`` is the median of its counts per training interval (empty
    intervals count 0) and its spread is ``max(1.4826 * MAD, sqrt(expected), 1)``:
    the scaled median absolute deviation, but never below the Poisson noise of a
    count or below one line, so sparse series do not explode. When the training
    span covers at least two days (and intervals are at most an hour), median and
    MAD are taken per hour of the day (UTC) instead: a busy hour is compared with
    the same hour of other days.

The score of an interval
    ``z = (observed - expected) / spread`` per series; an interval scores the
    largest ``z`` (a *burst*) or the largest ``-z`` (a *drop*) of any series,
    and 0 when nothing rises above its baseline. Drops count only for series
    whose expected count is at least ``min_expected`` (a quiet series falling to 0
    is no news), and never in the first and last interval of a frame, which may be
    cut short. A template or level never seen in training is a series with
    baseline 0 and spread 1, so its count is its score. Intervals without any
    line still count: a gap is a drop of every busy series.

Memory and time
    Grow with the lines and the series, never with the time span: only intervals
    holding a line are counted (a sparse matrix of intervals x series), and the empty
    intervals between them, which all look alike but for their hour of the day, are
    counted per hour of the day (arithmetically, without listing them) and scored
    once per hour. A log busy for an hour and then quiet for a year, cut into
    1-second intervals, costs what its lines cost, not 31 million intervals. Only
    :meth:`TimeSeriesDetector.intervals` lists empty intervals, and at most
    :data:`MAX_ROWS` of them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..analyze.timeseries import _step, pick_interval
from ..errors import LlamalogWarning
from ._base import BaseDetector, StateError, quote, state_array, state_number, template_texts

__all__ = ["TimeSeriesDetector"]

TIMESTAMP = "timestamp"
LEVEL = "level"
TEMPLATE_ID = "template_id"
#: Series kinds, by code.
_TOTAL, _LEVEL, _TEMPLATE = 0, 1, 2
_SCALE = 1.4826
_SEASON_SPAN = pd.Timedelta("2D")
_SEASON_STEP = pd.Timedelta("1h")
_DAY_NS = 86_400 * 10**9
_HOUR_NS = 3_600 * 10**9

#: The most rows :meth:`TimeSeriesDetector.intervals` gives one per interval; over
#: more intervals, each run of empty intervals is one row.
MAX_ROWS = 100_000
#: Up to this many training intervals, the threshold is the quantile of their scores
#: listed one by one (as ``numpy.quantile`` computes it); beyond, of the scores weighted
#: by how many intervals have them (the same value up to rounding).
_LISTED = 1_000_000


def _duration(step: pd.Timedelta) -> str:
    """``1 min``, ``10 s``, ``2 h``, ``1 d``."""
    seconds = step.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"


class TimeSeriesDetector(BaseDetector):
    """Interval-level detector of bursts and drops of line counts.

    See the module docstring for the baseline, the score and the memory bound (the
    lines and series, never the time span).

    Parameters
    ----------
    every : str, default "auto"
        Interval length: ``"auto"`` picks it from the training span as
        :func:`llamalog.analyze.rate` does (the shortest of 1s, 10s, 1min, 5min,
        15min, 1h, 1D giving at most 300 intervals), or a fixed duration such as
        ``"1min"``.
    threshold_quantile : float, default 0.99
        ``threshold_`` is this quantile of the training intervals' scores (about
        one normal interval in a hundred scores above it), but at least
        ``min_threshold``.
    min_threshold : float, default 3.5
        Least ``threshold_``: a robust z of 3.5 is the usual outlier cut for
        median/MAD scores (Iglewicz and Hoaglin). With a few dozen training
        intervals the quantile is about their maximum, a noisy estimate; the floor
        keeps ordinary wobble of a quiet training period from setting the bar.
    min_expected : float, default 5
        Drops count only for series expected to have at least this many lines in
        an interval.
    seasonal : bool or "auto", default "auto"
        Hour-of-day baselines: ``"auto"`` uses them when the training span is at
        least two days and intervals are at most one hour.

    Attributes
    ----------
    every_ : str
        The interval length used.
    seasonal_ : bool
        Whether baselines are per hour of the day.
    series_ : DataFrame
        One row per series learned: ``name`` (``"all lines"``, ``"level ERROR"``,
        ``"template 12"``), ``kind`` (``total``, ``level``, ``template``), ``key``
        (level name or template id).
    expected_, spread_ : numpy.ndarray
        Baseline per series and hour of the day, shape ``(n_series, 24)`` (or
        ``(n_series, 1)`` without seasonal baselines).
    n_intervals_ : int
        Training intervals.
    threshold_, center_ : float
        Calibrated cut (:meth:`predict`) and median training interval score.

    Examples
    --------
    >>> start = pd.Timestamp("2026-01-01", tz="UTC")
    >>> minutes = np.repeat(np.arange(60), 10)          # 10 lines a minute for an hour
    >>> minutes = np.concatenate([minutes, [30] * 90])  # 90 more in minute 30
    >>> f = pd.DataFrame({
    ...     "timestamp": start + pd.to_timedelta(minutes, unit="min"),
    ...     "template_id": np.r_[np.zeros(600, int), np.ones(90, int)],
    ... })
    >>> det = TimeSeriesDetector(every="1min").fit(f.iloc[:600])
    >>> top = det.intervals(f).nlargest(1, "score")
    >>> top[["series", "observed", "direction"]].values.tolist()
    [['template 1', 90, 'burst']]
    >>> print(det.describe(f, [650])[0])
    template 1 burst: 90 lines in 1 min from 00:30 (expected 0 ± 1)
    """

    _fitted_attrs: ClassVar[tuple[str, ...]] = ("expected_", "spread_", "threshold_")

    def __init__(
        self,
        *,
        every: str = "auto",
        threshold_quantile: float = 0.99,
        min_threshold: float = 3.5,
        min_expected: float = 5.0,
        seasonal: bool | str = "auto",
    ) -> None:
        self.every = every
        self.threshold_quantile = threshold_quantile
        self.min_threshold = min_threshold
        self.min_expected = min_expected
        self.seasonal = seasonal

    # -- input ----------------------------------------------------------------------------
    def _validate_params(self) -> None:
        self._check_threshold_quantile()
        for name in ("min_expected", "min_threshold"):
            m = getattr(self, name)
            if (
                isinstance(m, bool)
                or not isinstance(m, int | float)
                or not (m >= 0 and math.isfinite(m))
            ):
                raise ValueError(f"{name} must be a finite number >= 0, got {m!r}")
        if self.seasonal not in ("auto", True, False):
            raise ValueError(f"seasonal must be 'auto', True or False, got {self.seasonal!r}")
        if self.every not in ("auto", None):
            _step(self.every)

    @staticmethod
    def _timestamps(frame: Any) -> pd.Series:
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(
                f"expected a frame from llamalog.read_logs, got {type(frame).__name__}"
            )
        if TIMESTAMP not in frame:
            raise ValueError(
                f"the frame lacks a {TIMESTAMP!r} column (it has {list(frame.columns)}); "
                "read it with llamalog.read_logs, which parses timestamps"
            )
        ts = pd.to_datetime(frame[TIMESTAMP], utc=True)
        return ts

    def _codes(
        self, frame: pd.DataFrame, timed: np.ndarray
    ) -> tuple[list[np.ndarray], list[str], list[tuple[int, Any]]]:
        """Series code of each timed row per family (total, level, template).

        Returns per family an array of series codes (-1: the row is in no series of
        that family) and the names and (kind, key) of series not learned in ``fit``,
        numbered after the learned ones.
        """
        n = int(timed.sum())
        lookup = self._lookup
        extra_names: list[str] = []
        extra_keys: list[tuple[int, Any]] = []
        families = [np.zeros(n, dtype=np.int64)]
        for kind, column in ((_LEVEL, LEVEL), (_TEMPLATE, TEMPLATE_ID)):
            if column not in frame:
                continue
            values = frame[column][timed]
            if kind == _LEVEL:
                keys = values.astype("string").to_numpy(dtype=object, na_value=None)
            else:
                num = pd.to_numeric(values, errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
                keys = np.where(np.isfinite(num), num, -1).astype(np.int64)
                keys[keys < 0] = -1
            row_codes, uniques = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=True)
            table = np.empty(len(uniques), dtype=np.int64)
            for u, key in enumerate(uniques):
                if key is None or (isinstance(key, float) and math.isnan(key)):
                    table[u] = -1
                    continue
                key = str(key) if kind == _LEVEL else int(key)
                code = lookup.get((kind, key))
                if code is None:
                    code = len(self.series_) + len(extra_keys)
                    extra_keys.append((kind, key))
                    extra_names.append(_name(kind, key))
                table[u] = code
            codes = table[np.maximum(row_codes, 0)] if len(table) else np.full(n, -1)
            codes = np.where(row_codes >= 0, codes, -1)
            families.append(codes.astype(np.int64))
        return families, extra_names, extra_keys

    # -- fitting --------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Any = None) -> TimeSeriesDetector:
        """Learn a baseline count per interval for every series of ``X``.

        Parameters
        ----------
        X : DataFrame
            A frame with ``timestamp`` and optionally ``level`` and ``template_id``;
            mostly normal activity.
        y : ignored

        Returns
        -------
        TimeSeriesDetector
            ``self``, fitted.

        Raises
        ------
        ValueError
            When no line of ``X`` has a timestamp.
        """
        self._validate_params()
        ts = self._timestamps(X)
        timed = ts.notna().to_numpy()
        if not timed.any():
            raise ValueError(
                "no line of the training frame has a timestamp, so there is nothing to "
                "count per interval; parse timestamps when reading (llamalog.read_logs "
                "with the right format) or use PatternDetector, which needs none"
            )
        ts = ts[timed]
        span = ts.max() - ts.min()
        every = pick_interval(span) if self.every in ("auto", None) else self.every
        step = _step(every)
        self.every_ = every if isinstance(every, str) else str(pd.Timedelta(every))
        self._step_ = step
        self.seasonal_ = bool(
            self.seasonal is True
            or (self.seasonal == "auto" and span >= _SEASON_SPAN and step <= _SEASON_STEP)
        )
        # series learned: all lines, then levels, then templates seen among timed lines
        keys: list[tuple[int, Any]] = [(_TOTAL, None)]
        if LEVEL in X:
            levels = X[LEVEL][timed].dropna().astype(str).unique()
            keys += [(_LEVEL, str(v)) for v in sorted(levels)]
        if TEMPLATE_ID in X:
            num = pd.to_numeric(X[TEMPLATE_ID][timed], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan
            )
            ids = np.where(np.isfinite(num), num, -1).astype(np.int64)
            keys += [(_TEMPLATE, int(t)) for t in np.unique(np.maximum(ids, -1))]
        self._set_series(keys)
        counts, grid = self._count(X, timed_ts=ts, timed=timed)[:2]
        n_series = len(self.series_)
        counts = counts[:, :n_series].tocsc()
        hours = grid.hours()
        sizes = grid.per_hour()  # intervals per hour of the day, empty ones included
        width = len(sizes)
        expected = np.zeros((n_series, width))
        spread = np.ones((n_series, width))
        for s in range(n_series):
            # the intervals of the series' column hold its lines; every other one counts 0
            lo, hi = counts.indptr[s], counts.indptr[s + 1]
            c = counts.data[lo:hi].astype(np.float64)
            at_hour = hours[counts.indices[lo:hi]]
            med_all, mad_all = _median_mad(c, grid.n_total)
            for h in range(width):
                if sizes[h]:
                    med, mad = _median_mad(c[at_hour == h], int(sizes[h]))
                else:  # an hour the training data never covered
                    med, mad = med_all, mad_all
                expected[s, h] = med
                spread[s, h] = max(_SCALE * mad, math.sqrt(med), 1.0)
        self.expected_ = expected
        self.spread_ = spread
        self.n_intervals_ = int(grid.n_total)
        table, _, empty = self._score_intervals(X)
        self._calibrate_counted(table["score"].to_numpy(), empty.score, empty.count)
        self.threshold_ = max(self.threshold_, float(self.min_threshold))
        return self

    def _calibrate_counted(self, scores: np.ndarray, extra: np.ndarray, count: np.ndarray) -> None:
        """:meth:`_calibrate` on ``scores`` plus ``count[h]`` intervals scoring ``extra[h]``."""
        if len(scores) + int(count.sum()) <= _LISTED:
            self._calibrate(np.concatenate([scores, np.repeat(extra, count)]))
            return
        values = np.concatenate([scores, extra])
        weights = np.concatenate([np.ones(len(scores), dtype=np.int64), count])
        self.threshold_ = _counted_quantile(values, weights, float(self.threshold_quantile))
        self.center_ = _counted_median(values, weights)

    def _set_series(self, keys: list[tuple[int, Any]]) -> None:
        kind_names = {_TOTAL: "total", _LEVEL: "level", _TEMPLATE: "template"}
        self.series_ = pd.DataFrame(
            {
                "name": [_name(k, v) for k, v in keys],
                "kind": [kind_names[k] for k, _ in keys],
                "key": pd.Series([v for _, v in keys], dtype=object),
            }
        )
        self._keys = keys
        self._lookup = {(k, v): i for i, (k, v) in enumerate(keys)}

    def _count(self, X: pd.DataFrame, *, timed_ts: pd.Series, timed: np.ndarray):
        """Sparse counts (intervals holding lines × series, new series after learned
        ones), the :class:`_Grid` of intervals, each timed row's interval (a row of the
        counts), and the new series' names, keys and codes per family.

        Only intervals holding a line get a row, so memory follows the lines, not the
        time span.
        """
        step = self._step_
        floored = timed_ts.dt.floor(step)
        first = floored.min()
        k = ((floored - first) // step).to_numpy().astype(np.int64)
        at, slot = np.unique(k, return_inverse=True)
        slot = slot.reshape(-1).astype(np.int64)
        grid = _Grid(first, step, at, int(at[-1]) + 1, self.seasonal_)
        families, extra_names, extra_keys = self._codes(X, timed)
        n_cols = len(self.series_) + len(extra_keys)
        rows = np.concatenate([slot[c >= 0] for c in families])
        cols = np.concatenate([c[c >= 0] for c in families])
        counts = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(at), n_cols)
        )
        counts.sum_duplicates()
        return counts, grid, slot, extra_names, extra_keys, families

    # -- scoring --------------------------------------------------------------------------
    def _score_intervals(self, X: pd.DataFrame) -> tuple[pd.DataFrame, _Rows, _Empty]:
        """The intervals of ``X`` holding lines, scored (one row each, in time order);
        where each row of ``X`` stands in them; the empty intervals' scores per hour."""
        ts = self._timestamps(X)
        timed = ts.notna().to_numpy()
        columns = ["start", "end", "score", "series", "observed", "expected", "spread", "direction"]
        if not timed.any():
            out = pd.DataFrame({c: [] for c in columns})
            out["start"] = pd.to_datetime(out["start"], utc=True)
            out["end"] = pd.to_datetime(out["end"], utc=True)
            empty = np.zeros(0, dtype=np.int64)
            return out, _Rows(timed, empty, [], empty), self._empty_scores(None, [])
        counts, grid, slot, extra_names, extra_keys, families = self._count(
            X, timed_ts=ts[timed], timed=timed
        )
        n_int = counts.shape[0]
        hours = grid.hours()
        starts = grid.starts()
        names = list(self.series_["name"]) + extra_names
        n_extra = len(extra_keys)
        exp_table = np.vstack([self.expected_, np.zeros((n_extra, self.expected_.shape[1]))])
        spr_table = np.vstack([self.spread_, np.ones((n_extra, self.spread_.shape[1]))])

        best = np.zeros(n_int)
        best_series = np.zeros(n_int, dtype=np.int64)  # "all lines" when nothing stands out
        best_obs = np.asarray(counts[:, 0].toarray()).ravel()
        best_exp = exp_table[0, hours]
        best_spr = spr_table[0, hours]
        best_up = np.ones(n_int, dtype=bool)

        def take(z, series, obs, exp, spr, up, at):
            """Keep, per interval ``at``, the candidate with the highest ``z``."""
            order = np.lexsort((-z, at))
            first = np.ones(len(order), dtype=bool)
            first[1:] = at[order][1:] != at[order][:-1]
            pick = order[first]
            where = at[pick]
            better = z[pick] > best[where]
            pick, where = pick[better], where[better]
            best[where] = z[pick]
            best_series[where] = series[pick]
            best_obs[where] = obs[pick]
            best_exp[where] = exp[pick]
            best_spr[where] = spr[pick]
            best_up[where] = up[pick]

        # bursts: only intervals × series holding lines can rise above the baseline
        coo = counts.tocoo()
        if coo.nnz:
            r, c, obs = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
            exp = exp_table[c, hours[r]]
            spr = spr_table[c, hours[r]]
            z = (obs - exp) / spr
            take(z, c, obs, exp, spr, np.ones(len(z), dtype=bool), r)
        # drops: series expected to be busy, in every interval but the frame's edges
        # (the first and last intervals hold lines, so they are the first and last rows)
        busy = np.flatnonzero((self.expected_ >= float(self.min_expected)).any(axis=1))
        inner = np.arange(1, n_int - 1)
        if len(busy) and len(inner):
            dense = counts[:, busy].toarray()[inner]
            exp = self.expected_[busy][:, hours[inner]].T
            spr = self.spread_[busy][:, hours[inner]].T
            z = (exp - dense) / spr
            z = np.where(exp >= float(self.min_expected), z, 0.0)
            at = np.repeat(inner, len(busy))
            series = np.tile(busy, len(inner))
            take(z.ravel(), series, dense.ravel(), exp.ravel(), spr.ravel(),
                 np.zeros(z.size, dtype=bool), at)  # fmt: skip
        out = _interval_frame(
            starts, starts + self._step_, best, [names[s] for s in best_series],
            best_obs.astype(np.int64), best_exp, best_spr, best_up,
        )  # fmt: skip
        return out, _Rows(timed, slot, families, best_series), self._empty_scores(grid, names)

    def _empty_scores(self, grid: _Grid | None, names: list[str]) -> _Empty:
        """How an empty interval between the first and last line scores, per hour of
        the day: a drop of the busy series with the highest z (0 - expected over
        spread), else 0 (series "all lines"), as :meth:`_score_intervals` would score
        it; and how many empty intervals ``grid`` has per hour."""
        width = self.expected_.shape[1]
        hour = np.arange(width)
        score = np.zeros(width)
        series = np.zeros(width, dtype=np.int64)
        expected = self.expected_[0].copy()
        spread = self.spread_[0].copy()
        busy = np.flatnonzero((self.expected_ >= float(self.min_expected)).any(axis=1))
        if len(busy):
            exp, spr = self.expected_[busy], self.spread_[busy]
            z = np.where(exp >= float(self.min_expected), (exp - 0.0) / spr, 0.0)
            top = np.argmax(z, axis=0)  # the first busy series among ties, as take() keeps
            better = z[top, hour] > 0
            score[better] = z[top, hour][better]
            series[better] = busy[top][better]
            expected[better] = exp[top, hour][better]
            spread[better] = spr[top, hour][better]
        count = np.zeros(width, dtype=np.int64)
        if grid is not None:
            count = grid.per_hour() - np.bincount(grid.hours(), minlength=width)
        return _Empty(grid, score, series, expected, spread, count, names)

    def intervals(self, X: pd.DataFrame) -> pd.DataFrame:
        """Score every interval from the first to the last timed line of ``X``.

        Returns
        -------
        DataFrame
            One row per interval (empty ones included): ``start``, ``end``, ``score``
            (the largest robust z of any series, 0 when none rises above or falls
            below its baseline), ``series`` (the series behind the score, e.g.
            ``"template 12"``, ``"level ERROR"``, ``"all lines"``), ``observed`` and
            ``expected`` lines of that series, its ``spread`` and ``direction``
            (``"burst"``, ``"drop"``, or ``""`` for a score of 0).

            When the span holds more than :data:`MAX_ROWS` (100,000) intervals, each
            run of consecutive empty intervals is one row instead, from the start of
            its first to the end of its last interval, with the highest score among
            them (``observed`` 0): at most two rows per interval holding lines, so a
            sparse log spanning months at 1-second intervals gives a short table.
        """
        self._check_fitted()
        table, _, empty = self._score_intervals(X)
        out = _listed(table, empty)
        out.attrs.update(every=self.every_)
        return out

    def _row_scores(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        table, where, _ = self._score_intervals(X)
        timed, slot = where.timed, where.slot
        scores = np.zeros(len(timed))
        if not timed.any() and len(timed):
            warnings.warn(
                "no line of the frame has a timestamp: every line scores 0; parse "
                "timestamps when reading to score counts over time",
                LlamalogWarning,
                stacklevel=3,
            )
        scores[timed] = table["score"].to_numpy()[slot]
        return scores, table

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Per line, the score of the interval it falls in (lines without timestamp: 0).

        Scores are per line so that they can be summed up or maxed over any window.
        """
        self._check_fitted()
        return self._row_scores(X)[0]

    def culprits(self, X: pd.DataFrame) -> np.ndarray:
        """Lines that belong to the series behind their interval's burst (bool per row).

        A line of template 12 in an interval whose score comes from a burst of
        ``"template 12"`` is a culprit, and so is an ERROR line under a burst of
        ``"level ERROR"``, and every line under a burst of ``"all lines"``; lines of
        drops are not (the missing lines are the news). :func:`llamalog.detect`
        shows culprits first among an anomaly's context lines.
        """
        self._check_fitted()
        table, where, _ = self._score_intervals(X)
        out = np.zeros(len(where.timed), dtype=bool)
        if not where.timed.any():
            return out
        behind = where.best_series[where.slot]  # the series behind each row's interval
        burst = (table["direction"].to_numpy(dtype=object) == "burst")[where.slot]
        hit = np.zeros(behind.size, dtype=bool)
        for codes in where.families:  # each row's series: all lines, its level, its template
            hit |= codes == behind
        out[where.timed] = hit & burst
        return out

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 for lines in an interval scoring above ``threshold_``, else 0 (int8)."""
        return (self.decision_function(X) > self.threshold_).astype(np.int8)

    def describe(
        self,
        X: pd.DataFrame,
        rows: Any,
        templates: Mapping | pd.Series | pd.DataFrame | None = None,
    ) -> list[str]:
        """One sentence per line in ``rows`` about the interval it falls in.

        Parameters
        ----------
        X : DataFrame
            The lines, as for :meth:`decision_function`.
        rows : int or sequence of int
            Positional rows of ``X``.
        templates : mapping, Series or DataFrame, optional
            Template texts by id (a dict, a Series indexed by id, or a frame with
            ``template_id`` and ``template``) quoted after template series.
        """
        self._check_fitted()
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if len(rows) and (rows.min() < -len(X) or rows.max() >= len(X)):
            raise IndexError(f"rows must be positions in 0..{len(X) - 1}")
        rows = rows % max(len(X), 1)
        table, rows_at, _ = self._score_intervals(X)
        where = np.full(len(rows_at.timed), -1, dtype=np.int64)
        where[rows_at.timed] = rows_at.slot
        texts = template_texts(templates)
        multi_day = len(table) and table["start"].iloc[0].date() != table["end"].iloc[-1].date()
        step = self._step_
        fmt = "%H:%M" if step >= pd.Timedelta("1min") else "%H:%M:%S"
        if multi_day:
            fmt = "%Y-%m-%d " + fmt
        length = _duration(step)
        out = []
        for r in rows:
            i = where[r]
            if i < 0:
                out.append("no timestamp: the line belongs to no interval and scores 0")
                continue
            row = table.iloc[i]
            name = row["series"]
            if texts is not None and name.startswith("template "):
                t = int(name.split(" ", 1)[1])
                if t in texts:
                    name = f"{name} ({quote(texts[t])})"
            when = f"{length} from {row['start'].strftime(fmt)}"
            facts = (
                f"{_lines(row['observed'])} in {when} "
                f"(expected {_num(row['expected'])} ± {_num(row['spread'])})"
            )
            if row["score"] > self.threshold_:
                out.append(f"{name} {row['direction']}: {facts}")
            else:
                out.append(
                    f"nothing unusual in {when} (closest: {name}, {facts.split(' in ', 1)[0]}, "
                    f"expected {_num(row['expected'])} ± {_num(row['spread'])})"
                )
        return out

    # -- persistence ----------------------------------------------------------------------
    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        state = {
            "every_": self.every_,
            "step_ns": int(self._step_.value),
            "seasonal_": self.seasonal_,
            "n_intervals_": self.n_intervals_,
            "threshold_": self.threshold_,
            "center_": self.center_,
            "series_kinds": [k for k, _ in self._keys],
            "series_keys": [v for _, v in self._keys],
        }
        return state, {"expected": self.expected_, "spread": self.spread_}

    def _set_state(self, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        if not isinstance(state.get("every_"), str):
            raise StateError("every_", f"must be a string, got {state.get('every_')!r}")
        if not isinstance(state.get("seasonal_"), bool):
            raise StateError("seasonal_", f"must be true or false, got {state.get('seasonal_')!r}")
        self.every_ = state["every_"]
        self._step_ = pd.Timedelta(state_number(state, "step_ns", integer=True, lo=1), unit="ns")
        self.seasonal_ = state["seasonal_"]
        self.n_intervals_ = state_number(state, "n_intervals_", integer=True, lo=0)
        self.threshold_ = float(state_number(state, "threshold_"))
        self.center_ = float(state_number(state, "center_"))
        kinds, values = state.get("series_kinds"), state.get("series_keys")
        if not isinstance(kinds, list) or not isinstance(values, list):
            raise StateError("series_kinds", "and series_keys must be lists")
        if len(kinds) != len(values):
            raise StateError("series_keys", f"has {len(values)} keys for {len(kinds)} kinds")
        keys = []
        for k, v in zip(kinds, values, strict=True):
            if k not in (_TOTAL, _LEVEL, _TEMPLATE) or isinstance(k, bool):
                raise StateError("series_kinds", f"holds {k!r}, not one of 0, 1, 2")
            if k == _LEVEL and not isinstance(v, str):
                raise StateError("series_keys", f"holds level {v!r}, not a string")
            if k == _TEMPLATE and (not isinstance(v, int) or isinstance(v, bool) or v < -1):
                raise StateError("series_keys", f"holds template id {v!r}")
            keys.append((k, None if k == _TOTAL else v))
        if len(set(keys)) != len(keys):
            raise StateError("series_keys", "names a series twice")
        self._set_series(keys)
        shape = (len(keys), 24 if self.seasonal_ else 1)
        self.expected_ = state_array(arrays, "expected", ndim=2, shape=shape).astype(np.float64)
        spread = state_array(arrays, "spread", ndim=2, shape=shape).astype(np.float64)
        if (spread <= 0).any():
            raise StateError("spread", "must be positive")
        self.spread_ = spread


@dataclass(frozen=True)
class _Rows:
    """Where each row of a scored frame stands: ``timed`` rows (bool per row), the
    interval of each timed row (``slot``), its series code per family (all lines, its
    level, its template; -1 for none) and the series behind each interval's score."""

    timed: np.ndarray
    slot: np.ndarray
    families: list[np.ndarray]
    best_series: np.ndarray


@dataclass(frozen=True)
class _Grid:
    """The intervals ``first + k * step`` for ``k`` in ``0 .. n_total - 1``; ``at``: the
    ``k`` of those holding a line, increasing (the rows of the counts)."""

    first: pd.Timestamp
    step: pd.Timedelta
    at: np.ndarray
    n_total: int
    seasonal: bool

    def starts(self) -> pd.DatetimeIndex:
        """Starts of the intervals holding a line."""
        return self.at_k(self.at)

    def at_k(self, k: np.ndarray) -> pd.DatetimeIndex:
        """Starts of intervals ``k``, in the unit ``pandas.date_range`` would give."""
        unit = pd.date_range(self.first, periods=2, freq=self.step).unit
        offsets = pd.to_timedelta(np.asarray(k, dtype=np.int64) * self.step.value, unit="ns")
        return pd.DatetimeIndex(self.first + offsets).as_unit(unit)

    def hours(self) -> np.ndarray:
        """Hour of the day (UTC) of the intervals holding a line; 0 without seasons."""
        if not self.seasonal:
            return np.zeros(len(self.at), dtype=np.int64)
        return self.starts().hour.to_numpy().astype(np.int64)

    def per_hour(self) -> np.ndarray:
        """How many intervals, empty or not, start in each hour of the day (UTC)."""
        if not self.seasonal:
            return np.array([self.n_total], dtype=np.int64)
        return _per_hour(self.first.value, self.step.value, self.n_total)


@dataclass(frozen=True)
class _Empty:
    """Intervals of ``grid`` without lines: per hour of the day (one value without
    seasons), their score, series (code), expected, spread, and how many there are."""

    grid: _Grid | None
    score: np.ndarray
    series: np.ndarray
    expected: np.ndarray
    spread: np.ndarray
    count: np.ndarray
    names: list[str]

    def rows(self, hour: np.ndarray, start: Any, end: Any) -> pd.DataFrame:
        """Rows of :meth:`TimeSeriesDetector.intervals` for empty intervals at ``hour``."""
        return _interval_frame(
            start, end, self.score[hour], [self.names[s] for s in self.series[hour]],
            np.zeros(len(hour), dtype=np.int64), self.expected[hour], self.spread[hour],
            np.zeros(len(hour), dtype=bool),
        )  # fmt: skip


def _interval_frame(start, end, score, series, observed, expected, spread, up) -> pd.DataFrame:
    """The frame of :meth:`TimeSeriesDetector.intervals` from its columns (``up``: bursts)."""
    return pd.DataFrame(
        {
            "start": start,
            "end": end,
            "score": score,
            "series": series,
            "observed": observed,
            "expected": expected,
            "spread": spread,
            "direction": np.where(score <= 0, "", np.where(up, "burst", "drop")),
        }
    )


def _listed(table: pd.DataFrame, empty: _Empty) -> pd.DataFrame:
    """:meth:`TimeSeriesDetector.intervals`: ``table`` (intervals holding lines) with
    the empty intervals between them, one row each or one row per run."""
    grid = empty.grid
    if grid is None or grid.n_total == len(table):
        return table
    step = grid.step
    if grid.n_total <= MAX_ROWS:
        starts = pd.date_range(grid.first, periods=grid.n_total, freq=step)
        hours = starts.hour.to_numpy() if grid.seasonal else np.zeros(len(starts), np.int64)
        at = grid.at
        columns = {}
        for name, per_hour, dtype in (
            ("score", empty.score, np.float64),
            ("observed", np.zeros_like(empty.count), np.int64),
            ("expected", empty.expected, np.float64),
            ("spread", empty.spread, np.float64),
        ):
            col = per_hour[hours].astype(dtype)
            col[at] = table[name].to_numpy(dtype=dtype)
            columns[name] = col
        series = np.asarray(empty.names, dtype=object)[empty.series[hours]]
        series[at] = table["series"].to_numpy(dtype=object)
        up = np.zeros(len(starts), dtype=bool)
        up[at] = table["direction"].to_numpy(dtype=object) == "burst"
        return _interval_frame(
            starts, starts + step, columns["score"], list(series), columns["observed"],
            columns["expected"], columns["spread"], up,
        )  # fmt: skip
    # one row per run of empty intervals, from just after ``a`` to just before ``b``
    gap = np.flatnonzero(np.diff(grid.at) > 1)
    lo, hi = grid.at[gap] + 1, grid.at[gap + 1]
    hours = np.zeros(len(gap), dtype=np.int64)
    if grid.seasonal:
        for i, (a, b) in enumerate(zip(lo.tolist(), hi.tolist(), strict=True)):
            hit = _per_hour(grid.first.value + a * step.value, step.value, b - a) > 0
            hours[i] = int(np.flatnonzero(hit)[np.argmax(empty.score[hit])])
    runs = empty.rows(hours, grid.at_k(lo), grid.at_k(hi))
    out = pd.concat([table, runs], ignore_index=True)
    return out.sort_values("start", kind="stable").reset_index(drop=True)


def _middle(values: np.ndarray, extra: float, k: int) -> float:
    """The median of sorted ``values`` and ``k`` more values ``extra``, as
    :func:`numpy.median` computes it (the mean of the two middle values)."""
    n = len(values) + k
    p = int(np.searchsorted(values, extra))

    def at(i: int) -> float:
        return float(values[i]) if i < p else extra if i < p + k else float(values[i - k])

    return (at((n - 1) // 2) + at(n // 2)) / 2


def _median_mad(values: np.ndarray, n: int) -> tuple[float, float]:
    """Median and median absolute deviation of ``values`` (>= 0) padded with zeros to
    ``n`` values, without listing the zeros."""
    zeros = n - len(values)
    med = _middle(np.sort(values), 0.0, zeros)
    mad = _middle(np.sort(np.abs(values - med)), abs(0.0 - med), zeros)
    return med, mad


def _counted(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``values`` sorted, and the cumulative ``weights`` (how many times each is there)."""
    order = np.argsort(values, kind="stable")
    return values[order], np.cumsum(weights[order])


def _counted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """:func:`numpy.quantile` (linear) of ``values`` each repeated ``weights`` times."""
    keep = np.isfinite(values) & (weights > 0)
    v, cum = _counted(values[keep], weights[keep])
    if not len(v):
        return 0.0
    n = int(cum[-1])
    index = q * (n - 1)
    lo = math.floor(index)
    frac = index - lo
    a = float(v[np.searchsorted(cum, lo, side="right")])
    b = float(v[np.searchsorted(cum, min(lo + 1, n - 1), side="right")])
    return a + (b - a) * frac if frac < 0.5 else b - (b - a) * (1 - frac)


def _counted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """:func:`numpy.median` of ``values`` each repeated ``weights`` times."""
    keep = np.isfinite(values) & (weights > 0)
    v, cum = _counted(values[keep], weights[keep])
    if not len(v):
        return 0.0
    n = int(cum[-1])
    a = float(v[np.searchsorted(cum, (n - 1) // 2, side="right")])
    b = float(v[np.searchsorted(cum, n // 2, side="right")])
    return (a + b) / 2


def _floor_sum(n: int, m: int, a: int, b: int) -> int:
    """``sum(floor((a * k + b) / m) for k in range(n))`` in O(log m) steps (m > 0).

    The Euclidean-like reduction of AtCoder Library's ``floor_sum``, on Python ints.
    """
    total = 0
    while True:
        if a >= m or a < 0:
            total += n * (n - 1) // 2 * (a // m)
            a %= m
        if b >= m or b < 0:
            total += n * (b // m)
            b %= m
        y = a * n + b
        if y < m:
            return total
        n, b = y // m, y % m
        m, a = a, m


def _per_hour(first_ns: int, step_ns: int, n: int) -> np.ndarray:
    """How many of the ``n`` times ``first_ns + k * step_ns`` (ns since the epoch, UTC)
    fall in each hour of the day, shape ``(24,)``, without listing them.

    A time ``y`` is at a time of day below ``x`` (``0 < x <= day``) when
    ``floor(y / day) - floor((y - x) / day)`` is 1 (else 0): sums of floors.
    """
    first_ns, step_ns, n = int(first_ns), int(step_ns), int(n)
    whole = _floor_sum(n, _DAY_NS, step_ns, first_ns)
    below = [0] + [
        whole - _floor_sum(n, _DAY_NS, step_ns, first_ns - h * _HOUR_NS) for h in range(1, 25)
    ]
    return np.diff(np.array(below, dtype=np.int64))


def _name(kind: int, key: Any) -> str:
    if kind == _TOTAL:
        return "all lines"
    if kind == _LEVEL:
        return f"level {key}"
    return "unparsed lines (template -1)" if key == -1 else f"template {key}"


def _num(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 0.05 or abs(x) >= 10 else f"{x:.1f}"


def _lines(n: int) -> str:
    return f"{int(n)} line" + ("" if int(n) == 1 else "s")
