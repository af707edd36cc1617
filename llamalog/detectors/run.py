"""``llamalog.detect``: run detectors over a parsed frame and return one anomalies frame.

Every detector scores its own unit — :class:`~llamalog.Autoencoder` and
:class:`~llamalog.SequenceModel` score windows, :class:`~llamalog.PatternDetector`
and :class:`~llamalog.TimeSeriesDetector` score lines (a line's time-series score is
that of its interval). :func:`detect` brings them onto one set of windows (a window
scores the maximum of its lines' scores and is flagged when one of its lines is), so
results of different detectors line up and merge. :func:`anomalies` does the same for
a single fitted detector.

An anomalies frame has one row per flagged window (or per window with ``all=True``):

========================  ===============================================================
``window``                window number in the windowing used
``key``                   session key, or the window number for time and count windows
``source``                file of the window's first line
``start``, ``end``        time bounds of the window (UTC; NaT where unknown)
``first_line``            file line of its first record, ``last_line`` of its last
``n_lines``               records in the window
``score``                 largest score / threshold over the detectors (above 1: flagged)
``confidence``            in [0, 1]: ``1 - prod(1 - c)`` over flagging detectors, where
                          each detector's confidence is 0.5 at its threshold
                          (:func:`~llamalog.detectors.confidence`)
``detector``              the detectors that flagged it, ``"+"``-joined
``explanation``           one sentence per flagging detector, ``"[name] …"``
``context``               the raw lines behind it (``"line: message"``), most telling first
``rows``                  positional rows of those lines in the frame
``score_<name>``          raw score of each detector, ``flag_<name>`` its 0/1 verdict
========================  ===============================================================
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import LlamalogWarning, SchemaError
from ..features.windows import Windows
from ..features.windows import windows as make_windows
from ._base import BaseDetector, confidence, template_texts
from .feedback import Labels, recalibrate, row_labels

__all__ = ["ANOMALY_COLUMNS", "DEFAULT_METHODS", "METHODS", "anomalies", "detect"]

#: Detector names :func:`detect` accepts, with the class each one builds.
METHODS = ("pattern", "timeseries", "sequence", "autoencoder")
#: What :func:`detect` runs when ``methods`` is not given: on sessions, where events
#: follow a workflow, the sequence model; on time or count windows, which cut across
#: interleaved activities, the time-series detector. The pattern detector always.
DEFAULT_METHODS = {"session": ("pattern", "sequence"), "other": ("pattern", "timeseries")}
#: Leading columns of an anomalies frame (then ``score_<name>``, ``flag_<name>``).
ANOMALY_COLUMNS = (
    "window", "key", "source", "start", "end", "first_line", "last_line", "n_lines",
    "score", "confidence", "detector", "explanation", "context", "rows",
)  # fmt: skip

WindowSpec = dict[str, Any]


def _classes() -> dict[str, type[BaseDetector]]:
    from .autoencoder import Autoencoder
    from .pattern import PatternDetector
    from .sequence import SequenceModel
    from .timeseries import TimeSeriesDetector

    return {
        "pattern": PatternDetector,
        "timeseries": TimeSeriesDetector,
        "sequence": SequenceModel,
        "autoencoder": Autoencoder,
    }


def _level(det: BaseDetector) -> str:
    """``"line"`` for detectors that take a frame, ``"window"`` for those taking windows."""
    from .pattern import PatternDetector
    from .timeseries import TimeSeriesDetector

    return "line" if isinstance(det, PatternDetector | TimeSeriesDetector) else "window"


def _name(det: BaseDetector) -> str:
    for name, cls in _classes().items():
        if type(det) is cls:
            return name
    return type(det).__name__.lower()


def _make(method: str | BaseDetector, *, random_state: int, progress: bool) -> BaseDetector:
    if isinstance(method, BaseDetector):
        return method
    classes = _classes()
    if method not in classes:
        raise ValueError(f"unknown detection method {method!r}; choose from {', '.join(METHODS)}")
    cls = classes[method]
    params = cls._param_names()
    kwargs = {}
    if "random_state" in params:
        kwargs["random_state"] = random_state
    if "progress" in params:
        kwargs["progress"] = progress
    return cls(**kwargs)


# -- inputs ---------------------------------------------------------------------------------
def _with_templates(frame: pd.DataFrame, params: bool) -> pd.DataFrame:
    """``frame`` with ``template_id`` (and ``params`` when asked), mined when missing."""
    from ..templates import add_templates
    from ..templates.miner import params_of

    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if "template_id" not in frame:
        return add_templates(frame, params=params)
    if params and "params" not in frame and S.MESSAGE in frame:
        out = frame.copy()
        out["params"] = params_of(frame[S.MESSAGE])
        return out
    return frame


def _has_times(frame: pd.DataFrame) -> bool:
    return S.TIMESTAMP in frame and int(frame[S.TIMESTAMP].notna().sum()) >= 2


def _empty_anomalies(names: Sequence[str]) -> pd.DataFrame:
    """An anomalies frame without rows (columns and dtypes as :func:`detect` gives)."""
    cols: dict[str, pd.Series] = {c: pd.Series(dtype=object) for c in ANOMALY_COLUMNS}
    for c in ("window", "first_line", "last_line", "n_lines"):
        cols[c] = pd.Series(dtype=np.int64)
    for c in ("score", "confidence"):
        cols[c] = pd.Series(dtype=np.float64)
    for c in ("start", "end"):
        cols[c] = pd.Series(dtype="datetime64[ns, UTC]")
    for c in ("detector", "explanation"):
        cols[c] = pd.Series(dtype="str")
    for name in names:
        cols[f"score_{name}"] = pd.Series(dtype=np.float64)
        cols[f"flag_{name}"] = pd.Series(dtype=np.int8)
    return pd.DataFrame(cols)


def _default_spec(frame: pd.DataFrame) -> WindowSpec:
    """Fixed time windows of :func:`~llamalog.analyze.timeseries.pick_interval`, else 100 lines."""
    from ..analyze.timeseries import pick_interval

    if not _has_times(frame):
        return {"size": 100}
    ts = frame[S.TIMESTAMP]
    return {"every": pick_interval(ts.max() - ts.min())}


def _train_rows(frame: pd.DataFrame, train: Any) -> np.ndarray:
    """Boolean mask of the training rows for ``train`` (see :func:`detect`)."""
    n = len(frame)
    if train is None:
        return np.ones(n, dtype=bool)
    if isinstance(train, float) and not isinstance(train, bool):
        if not 0.0 < train <= 1.0:
            raise ValueError(f"train as a fraction must be in (0, 1], got {train!r}")
        mask = np.zeros(n, dtype=bool)
        mask[: max(1, round(n * train))] = True
        return mask
    if isinstance(train, str | pd.Timestamp):
        if S.TIMESTAMP not in frame:
            raise ValueError("train= as a time needs a timestamp column")
        cut = pd.Timestamp(train)
        if cut.tzinfo is None:
            cut = cut.tz_localize("UTC")
        return (frame[S.TIMESTAMP] < cut).fillna(False).to_numpy()
    if isinstance(train, pd.DataFrame):
        return frame.index.isin(train.index)
    mask = np.asarray(train)
    if mask.dtype != bool or mask.shape != (n,):
        raise ValueError(
            "train= must be a fraction, a time, a DataFrame of training rows or a boolean "
            f"mask of {n} rows"
        )
    return mask


# -- projection onto windows ----------------------------------------------------------------
def _window_max(win: Windows, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per window: max of ``values`` over its rows and the first positional row holding it.

    Empty windows get 0 and row -1.
    """
    n = len(win)
    best = np.zeros(n)
    where = np.full(n, -1, dtype=np.int64)
    sizes = np.diff(win.sequence_offsets)
    nonempty = sizes > 0
    if not nonempty.any():
        return best, where
    v = np.asarray(values, dtype=np.float64)[win.member_rows]
    best[nonempty] = np.maximum.reduceat(v, win.sequence_offsets[:-1][nonempty])
    owner = np.repeat(np.arange(n), sizes)
    hits = np.flatnonzero(v == best[owner])
    first = np.full(n, v.size, dtype=np.int64)
    np.minimum.at(first, owner[hits], hits)
    where[nonempty] = win.member_rows[first[nonempty]]
    return best, where


class _Result:
    """One detector's verdict on the windows, with the window-level cut it used."""

    def __init__(
        self,
        name: str,
        det: BaseDetector,
        scores: np.ndarray,
        flags: np.ndarray,
        threshold: float,
        center: float,
    ):
        self.name, self.det = name, det
        self.scores = np.asarray(scores, dtype=np.float64)
        self.flags = np.asarray(flags, dtype=bool)
        self.threshold, self.center = float(threshold), float(center)
        self.confidence = confidence(self.scores, self.threshold, self.center) * self.flags
        self.explanations: dict[int, str] = {}
        self.highlights: dict[int, list[int]] = {}


def _score_windows(
    det: BaseDetector,
    name: str,
    frame: pd.DataFrame,
    win: Windows,
    templates: dict,
    *,
    calibration: np.ndarray | None = None,
    threshold: float | None = None,
) -> _Result:
    """Score ``win`` with ``det``.

    A line-level detector's window score is the largest of its lines'. Its cut is
    the detector's line threshold, raised to the ``threshold_quantile`` of the window
    scores of the training windows ``calibration`` (positions in ``win``): a window
    of many lines is more likely than one line to hold a high score, so the cut must
    be calibrated on windows like those scored. ``threshold`` overrides the cut.
    """
    if _level(det) == "line":
        line_scores = np.asarray(det.decision_function(frame), dtype=np.float64)
        line_flags = line_scores > float(det.threshold_)  # what predict() says, unscored
        scores, where = _window_max(win, line_scores)
        cut, center = float(det.threshold_), float(getattr(det, "center_", 0.0))
        if calibration is not None and calibration.size:
            q = float(det.threshold_quantile)
            cut = max(cut, float(np.quantile(scores[calibration], q)))
            center = float(np.median(scores[calibration]))
        if threshold is not None:
            cut = float(threshold)
        res = _Result(name, det, scores, scores > cut, cut, center)
        idx = np.flatnonzero(res.flags)
        if idx.size:
            texts = det.describe(frame, where[idx], templates=templates)
            # lines of the series that burst first (time series), then by score
            first = det.culprits(frame) if hasattr(det, "culprits") else None
            for i, text in zip(idx, texts, strict=True):
                res.explanations[int(i)] = text
                rows = win.rows(int(i))
                hot = rows[line_flags[rows]]
                key = -line_scores[hot]
                if first is not None:
                    key = key - first[hot] * (np.abs(key).max() + 1.0)
                order = np.argsort(key, kind="stable")
                lead = [] if first is not None else [int(where[i])]
                res.highlights[int(i)] = [*lead, *(int(r) for r in hot[order])]
        return res
    if threshold is not None:
        det.threshold_ = float(threshold)
    both = getattr(det, "_scores_and_flags", None)  # one scoring pass for the two
    if both is not None:
        scores, flags = both(win)
    else:
        scores = np.asarray(det.decision_function(win), dtype=np.float64)
        flags = np.asarray(det.predict(win), dtype=bool)
    res = _Result(name, det, scores, flags, det.threshold_, getattr(det, "center_", 0.0))
    idx = np.flatnonzero(flags)
    if idx.size:
        texts = det.describe(win, idx, templates=templates)
        focus = _window_focus(det, win, idx)
        for i, text, rows in zip(idx, texts, focus, strict=True):
            res.explanations[int(i)] = text
            res.highlights[int(i)] = rows
    return res


def _window_focus(det: BaseDetector, win: Windows, idx: np.ndarray) -> list[list[int]]:
    """Rows of each flagged window that the window-level detector blames."""
    from .autoencoder import Autoencoder
    from .sequence import SequenceModel

    out: list[list[int]] = []
    if isinstance(det, SequenceModel):
        table = det.explain([win.sequence(int(i)) for i in idx])
        for k, i in enumerate(idx):
            rows = win.rows(int(i))
            pos = table["position"].iloc[k]
            if pd.isna(pos) or rows.size == 0:
                out.append([])
            else:  # the event the model did not expect, or the last one before an early end
                out.append([int(rows[min(int(pos), rows.size - 1)])])
        return out
    if isinstance(det, Autoencoder):
        top = det.explain(win.counts[idx], top=2)
        for k, i in enumerate(idx):
            rows, seq = win.rows(int(i)), win.sequence(int(i))
            out.append([int(r) for r in rows[np.isin(seq, top[k])]])
        return out
    return [[] for _ in idx]


def _templates_map(frame: pd.DataFrame) -> dict[int, str]:
    if "template" not in frame or "template_id" not in frame:
        return {}
    return template_texts(frame) or {}


def _context_lines(frame: pd.DataFrame, rows: list[int], limit: int) -> tuple[list[str], list[int]]:
    seen: list[int] = []
    for r in rows:
        if r >= 0 and r not in seen:
            seen.append(r)
        if len(seen) >= limit:
            break
    lines = frame[S.LINE].to_numpy() if S.LINE in frame else np.arange(1, len(frame) + 1)
    msgs = frame[S.MESSAGE] if S.MESSAGE in frame else pd.Series([""] * len(frame))
    text = [f"{int(lines[r])}: {msgs.iloc[r]}" for r in seen]
    return text, seen


def _frame(
    frame: pd.DataFrame, win: Windows, results: list[_Result], *, keep_all: bool, context: int
) -> pd.DataFrame:
    n = len(win)
    index = win.index
    flagged = np.zeros(n, dtype=bool)
    for r in results:
        flagged |= r.flags
    chosen = np.arange(n) if keep_all else np.flatnonzero(flagged)
    lines = frame[S.LINE].to_numpy() if S.LINE in frame else np.arange(1, len(frame) + 1)
    first_row = index["first_row"].to_numpy()[chosen]
    last_row = index["last_row"].to_numpy()[chosen]
    has_rows = first_row >= 0
    sources = (
        frame[S.SOURCE].astype(str).to_numpy()[np.where(has_rows, first_row, 0)]
        if S.SOURCE in frame and len(frame)
        else np.full(chosen.size, "")
    )
    ratio = np.zeros(chosen.size)
    conf_keep = np.ones(chosen.size)
    detectors, explanations, contexts, rows_col = [], [], [], []
    for r in results:
        thr = r.threshold
        s = r.scores[chosen]
        ratio = np.maximum(ratio, s / thr if thr > 0 else np.where(s > 0, np.inf, 0.0))
        conf_keep *= 1.0 - r.confidence[chosen]
    for i in chosen:
        names, texts, hot = [], [], []
        for r in results:
            if r.flags[i]:
                names.append(r.name)
                texts.append(f"[{r.name}] {r.explanations.get(int(i), '')}")
                hot.extend(r.highlights.get(int(i), []))
        if not hot and len(win.rows(int(i))):
            hot = [int(x) for x in win.rows(int(i))[:context]]
        text, used = _context_lines(frame, hot, context)
        detectors.append("+".join(names))
        explanations.append("; ".join(texts))
        contexts.append(text)
        rows_col.append(used)
    out = pd.DataFrame(
        {
            "window": chosen.astype(np.int64),
            "key": index["key"].to_numpy()[chosen],
            "source": pd.Categorical(sources),
            "start": index["start"].to_numpy()[chosen],
            "end": index["end"].to_numpy()[chosen],
            "first_line": np.where(has_rows, lines[np.where(has_rows, first_row, 0)], -1),
            "last_line": np.where(has_rows, lines[np.where(has_rows, last_row, 0)], -1),
            "n_lines": index["n_events"].to_numpy()[chosen],
            "score": ratio,
            "confidence": 1.0 - conf_keep,
            "detector": pd.Series(detectors, dtype="str"),
            "explanation": pd.Series(explanations, dtype="str"),
            "context": contexts,
            "rows": rows_col,
        }
    )
    for col in ("start", "end"):
        out[col] = pd.to_datetime(out[col], utc=True)
    for r in results:
        out[f"score_{r.name}"] = r.scores[chosen]
        out[f"flag_{r.name}"] = r.flags[chosen].astype(np.int8)
    if not keep_all:
        out = out.sort_values(["confidence", "window"], ascending=[False, True], kind="stable")
        out = out.reset_index(drop=True)
    return out


# -- entry points ---------------------------------------------------------------------------
def detect(
    frame: pd.DataFrame,
    methods: Sequence[str | BaseDetector] | None = None,
    *,
    windows: WindowSpec | None = None,
    train: Any = None,
    labels: Labels | str | None = None,
    context: int = 5,
    all: bool = False,
    random_state: int = 0,
    progress: bool = False,
) -> pd.DataFrame:
    """Fit detectors on the training part of ``frame``, score all its windows, merge.

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame from :func:`~llamalog.read_logs`; templates are mined with
        :func:`~llamalog.add_templates` when it has no ``template_id``. Not modified.
    methods : sequence of str or detectors, optional
        Names from :data:`METHODS` (``"pattern"``, ``"timeseries"``, ``"sequence"``,
        ``"autoencoder"``) built with their defaults, or detector instances (fitted
        ones are used as they are). Default (:data:`DEFAULT_METHODS`): pattern and
        sequence on session windows, pattern and time series on other windows (the
        time series only when the frame has timestamps).
    windows : dict, optional
        Keyword arguments of :func:`~llamalog.windows` for the unit of the result,
        e.g. ``{"session": r"blk_-?\\d+"}`` or ``{"size": 20}``. By default fixed
        time windows of :func:`~llamalog.analyze.timeseries.pick_interval` over the
        span (100-line windows without timestamps).
    train : float, str, Timestamp, DataFrame or bool array, optional
        What the detectors learn from (thresholds included): a leading fraction of
        the rows (``0.5``), the rows before a time (``"2024-05-01"``), a frame of
        training rows (matched by index) or a boolean row mask. Default: all rows —
        anomalies are then what stands out from the bulk of the same log.
    labels : Labels or path, optional
        Feedback (:class:`~llamalog.detectors.feedback.Labels`): rows in windows labelled
        anomalous leave the training data, rows labelled normal join it, and each
        threshold is raised above labelled false alarms (:func:`recalibrate`).
    context : int
        Raw lines kept per anomaly.
    all : bool
        One row per window (flagged or not) in window order, instead of flagged
        windows by decreasing confidence.
    random_state, progress
        Passed to detectors built from names.

    Returns
    -------
    pandas.DataFrame
        The anomalies frame (columns in the module docstring).

    Examples
    --------
    >>> import llamalog
    >>> frame = llamalog.read_logs("datasets/app.log")
    >>> found = llamalog.detect(frame, ["pattern"], train=0.5)
    >>> found.columns[:6].tolist()
    ['window', 'key', 'source', 'start', 'end', 'first_line']
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if len(frame) == 0:
        names = [m if isinstance(m, str) else _name(m) for m in (methods or ())]
        return _empty_anomalies(names)
    if windows is not None and not isinstance(windows, Mapping):
        raise TypeError(
            "windows= takes the keyword arguments of llamalog.windows, e.g. "
            "{'session': r'blk_-?\\d+'} or {'every': '1min'} (detect builds the windows "
            f"itself, for the training rows and for all rows), not {type(windows).__name__}"
        )
    spec = dict(windows) if windows is not None else _default_spec(frame)
    if methods is None:
        methods = DEFAULT_METHODS["session" if "session" in spec else "other"]
        if not _has_times(frame):  # nothing to count per interval
            methods = tuple(m for m in methods if m != "timeseries")
    dets = [_make(m, random_state=random_state, progress=progress) for m in methods]
    if not dets:
        raise ValueError(f"give at least one detection method, from {', '.join(METHODS)}")
    from .pattern import PatternDetector

    frame = _with_templates(frame, params=any(isinstance(d, PatternDetector) for d in dets))
    train_mask = _train_rows(frame, train)
    row_label = row_labels(frame, labels) if labels is not None else None
    if row_label is not None:
        train_mask = (train_mask & (row_label != 1)) | (row_label == 0)
    if not train_mask.any():
        raise ValueError("no training rows are left; pass a larger train= or fewer labels")
    train_frame = frame[train_mask]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LlamalogWarning)  # NaT rows: reported below
        win = make_windows(frame, **spec)
    if win.dropped:
        warnings.warn(
            f"{win.dropped} rows without timestamp or template are in no window and "
            "cannot be flagged",
            LlamalogWarning,
            stacklevel=2,
        )
    if len(win) == 0:
        warnings.warn(
            f"the windowing {spec} gives no window over these {len(frame)} rows (does a "
            "session regex match any message?): nothing to detect",
            LlamalogWarning,
            stacklevel=2,
        )
        return _empty_anomalies([_name(d) for d in dets])
    inside = _inside(win, train_mask)
    train_win = None
    if any(_level(d) == "window" for d in dets):
        if inside.size < 2:
            raise ValueError(
                f"only {inside.size} window(s) lie wholly in the training part; window-level "
                "detectors need more: pass a larger train= or smaller windows="
            )
        train_win = _subset(win, inside)
    templates = _templates_map(frame)
    results = []
    for det in dets:
        name = _name(det)
        if not det.is_fitted:
            det.fit(train_frame if _level(det) == "line" else train_win)
        aligned = _aligned(det, win, frame, spec)
        res = _score_windows(det, name, frame, aligned, templates, calibration=inside)
        if row_label is not None:
            res = _recalibrated(res, det, aligned, row_label, frame, templates)
        results.append(res)
    return _frame(frame, win, results, keep_all=all, context=context)


def _aligned(det: BaseDetector, win: Windows, frame: pd.DataFrame, spec: WindowSpec) -> Windows:
    """``win``, or the same windows counted over the vocabulary ``det`` was fitted on."""
    vocab = getattr(det, "vocabulary_", None)
    if _level(det) == "line" or vocab is None or np.array_equal(vocab, win.vocabulary):
        return win
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LlamalogWarning)
        return make_windows(frame, **spec, vocabulary=vocab)


def _inside(win: Windows, train_mask: np.ndarray) -> np.ndarray:
    """Positions of the non-empty windows whose rows all lie in the training part.

    Only those train: a session cut by the end of the training period would look like
    one missing its last events.
    """
    outside, _ = _window_max(win, (~train_mask).astype(np.float64))
    return np.flatnonzero((outside == 0) & (np.diff(win.sequence_offsets) > 0))


def _subset(win: Windows, keep: np.ndarray) -> Windows:
    """The windows ``keep`` (positions) of ``win``, with the same vocabulary."""
    offsets = win.sequence_offsets
    sizes = np.diff(offsets)[keep]
    starts = offsets[:-1][keep]
    take = np.repeat(starts - np.r_[0, np.cumsum(sizes)[:-1]], sizes) + np.arange(sizes.sum())
    return Windows(
        counts=win.counts[keep],
        index=win.index.iloc[keep].reset_index(drop=True),
        vocabulary=win.vocabulary,
        sequence_values=win.sequence_values[take],
        sequence_offsets=np.r_[0, np.cumsum(sizes)].astype(offsets.dtype),
        member_rows=win.member_rows[take],
        dropped=win.dropped,
        unseen_column=win.unseen_column,
    )


def _recalibrated(
    res: _Result, det: BaseDetector, win: Windows, row_label: np.ndarray, frame, templates
) -> _Result:
    """Raise ``det``'s threshold above labelled false alarms; rescore if it moved."""
    wl, _ = _window_max(win, row_label.astype(np.float64))
    labelled = np.where(wl >= 1, 1, np.where(wl >= 0, 0, -1))
    has_label = np.zeros(len(win), dtype=bool)
    if win.member_rows.size:
        lab = (row_label >= 0).astype(np.float64)
        has_label, _ = _window_max(win, lab)
        has_label = has_label > 0
    labelled = np.where(has_label, labelled, -1)
    new = recalibrate(res.scores, labelled, res.threshold)
    if new == res.threshold:
        return res
    return _score_windows(det, res.name, frame, win, templates, threshold=new)


def anomalies(
    detector: BaseDetector,
    frame: pd.DataFrame,
    windows: Windows | WindowSpec | None = None,
    *,
    context: int = 5,
    all: bool = False,
) -> pd.DataFrame:
    """The anomalies frame of one fitted detector over ``frame``.

    A line-level detector flags a window when one of its lines scores above the
    detector's own (line) threshold; :func:`detect` instead calibrates that cut on
    the training windows, which it knows.

    Parameters
    ----------
    detector : fitted detector
        Any llamalog detector.
    frame : pandas.DataFrame
        The frame scored (with ``template_id``; and ``params`` for a
        :class:`~llamalog.PatternDetector` that learned parameters).
    windows : Windows or dict, optional
        The windows of ``frame`` to report on (built from ``frame``), or keyword
        arguments of :func:`~llamalog.windows`. Window-level detectors need the
        windows' vocabulary to match the one they were fitted on: pass a dict and it
        is taken from the detector. Default: as in :func:`detect`.
    context, all
        As in :func:`detect`.
    """
    detector._check_fitted()
    if isinstance(windows, Windows):
        win = windows
    else:
        if windows is not None and not isinstance(windows, Mapping):
            raise TypeError(
                "windows= takes a Windows object of this frame or the keyword arguments "
                f"of llamalog.windows, not {type(windows).__name__}"
            )
        spec = dict(windows) if windows is not None else _default_spec(frame)
        vocab = getattr(detector, "vocabulary_", None)
        if _level(detector) == "window" and vocab is not None and "vocabulary" not in spec:
            spec["vocabulary"] = vocab
        win = make_windows(frame, **spec)
    res = _score_windows(detector, _name(detector), frame, win, _templates_map(frame))
    return _frame(frame, win, [res], keep_all=all, context=context)
