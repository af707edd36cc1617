"""Template-level patterns: new and rare templates, sequences, co-occurrence, parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from .. import schema as S
from ..templates import mask
from .timeseries import _step

TEMPLATE_ID = "template_id"
TEMPLATE = "template"


def _known(values: pd.Series) -> np.ndarray:
    """Rows that have a template: not missing and not the id -1 of "no template"."""
    known = values.notna().to_numpy()
    if pd.api.types.is_integer_dtype(values.dtype):
        known = known & (values.to_numpy() >= 0)
    return known


def _first_last(frame: pd.DataFrame, by: str, rows: np.ndarray) -> pd.DataFrame:
    """Per value of ``by`` over ``rows``: count, first and last timestamp seen."""
    keys = frame[by][rows]
    if isinstance(keys.dtype, pd.CategoricalDtype):
        keys = keys.astype(object)
    parts = {"count": keys.groupby(keys, sort=False).size()}
    if S.TIMESTAMP in frame:
        ts = frame[S.TIMESTAMP][rows].groupby(keys, sort=False)
        parts["first_seen"] = ts.min()
        parts["last_seen"] = ts.max()
    out = pd.DataFrame(parts)
    out.index.name = by
    return out.reset_index()


def new_templates(
    frame: pd.DataFrame, reference: pd.DataFrame, *, by: str = TEMPLATE
) -> pd.DataFrame:
    """Templates found in ``frame`` but never in ``reference``.

    Parameters
    ----------
    frame, reference : DataFrame
        Frames with templates (:func:`llamalog.add_templates`).
    by : str
        The column compared: the template text by default, which lines up frames
        labelled by different miners; ``"template_id"`` when one miner labelled both.
        Rows without a template (missing, or id -1) are left out.

    Returns
    -------
    DataFrame
        Columns ``by``, ``count`` and, when the frame has timestamps, ``first_seen``
        and ``last_seen``; earliest first (then most frequent).

    Examples
    --------
    >>> old = pd.DataFrame({"message": ["a", "b"], "template": ["x <*>", "y"]})
    >>> new = pd.DataFrame({"message": ["a", "c", "c"], "template": ["x <*>", "z", "z"]})
    >>> new_templates(new, old)
      template  count
    0        z      2
    """
    S.validate_frame(frame, (by,))
    S.validate_frame(reference, (by,))
    seen = set(reference[by][_known(reference[by])].astype(object))
    rows = _known(frame[by]) & ~frame[by].astype(object).isin(seen).to_numpy()
    out = _first_last(frame, by, rows)
    order = ["first_seen", "count"] if "first_seen" in out else ["count"]
    ascending = [True, False] if "first_seen" in out else [False]
    return out.sort_values(order, ascending=ascending, kind="stable").reset_index(drop=True)


def rare_templates(
    frame: pd.DataFrame, *, max_count: int = 1, by: str = TEMPLATE_ID
) -> pd.DataFrame:
    """Templates seen at most ``max_count`` times, with an example message.

    Parameters
    ----------
    frame : DataFrame
        A frame with templates (:func:`llamalog.add_templates`).
    max_count : int
        The most occurrences a rare template has.
    by : str
        The template column; rows without a template (missing, or id -1) are left out.

    Returns
    -------
    DataFrame
        Columns ``by``, ``template`` (when ``by`` is another column and the frame has
        it), ``count``, ``first_seen``/``last_seen`` (with timestamps) and ``example``
        (the first message), rarest first.

    Examples
    --------
    >>> f = pd.DataFrame({"message": ["a 1", "a 2", "b"], "template_id": [0, 0, 1]})
    >>> rare_templates(f)
       template_id  count example
    0            1      1       b
    """
    S.validate_frame(frame, (by, S.MESSAGE))
    known = _known(frame[by])
    out = _first_last(frame, by, known)
    keep = out["count"] <= max_count
    out = out[keep]
    rows = frame[known]
    firsts = rows.drop_duplicates(by).set_index(by)
    keys = out[by]
    if by != TEMPLATE and TEMPLATE in frame:
        out.insert(1, TEMPLATE, firsts[TEMPLATE].reindex(keys).to_numpy())
    out = out.assign(example=firsts[S.MESSAGE].reindex(keys).to_numpy())
    return out.sort_values("count", kind="stable").reset_index(drop=True)


def transitions(
    frame: pd.DataFrame, *, session: str | None = None, by: str = TEMPLATE_ID
) -> pd.DataFrame:
    """How often each template follows each other, overall or within sessions.

    Pairs are consecutive rows in frame order (sort the frame first to use another
    order); with ``session`` only rows with the same (non-missing) session value
    pair up, so a block id or a thread name gives per-session sequences.

    Parameters
    ----------
    frame : DataFrame
        A frame with templates (:func:`llamalog.add_templates`).
    session : str, optional
        The column naming the session of each row.
    by : str
        The column whose values make the sequence (id -1 and missing values included).

    Returns
    -------
    DataFrame
        Columns ``from``, ``to``, ``count`` and ``probability`` (``count`` over all
        transitions out of ``from``), most frequent first.  For a matrix use
        ``table.pivot(index="from", columns="to", values="count").fillna(0)``.

    Examples
    --------
    >>> f = pd.DataFrame({"message": list("abab"), "template_id": [1, 2, 1, 2]})
    >>> transitions(f)
       from  to  count  probability
    0     1   2      2          1.0
    1     2   1      1          1.0
    """
    S.validate_frame(frame, (by, *((session,) if session is not None else ())))
    values = frame[by]
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if session is None:
        pairs = pd.DataFrame(
            {"from": values.iloc[:-1].to_numpy(), "to": values.iloc[1:].to_numpy()}
        )
    else:
        codes = pd.factorize(frame[session])[0]
        order = np.argsort(codes, kind="stable")
        codes, ordered = codes[order], values.to_numpy()[order]
        same = (codes[1:] == codes[:-1]) & (codes[1:] >= 0)
        pairs = pd.DataFrame({"from": ordered[:-1][same], "to": ordered[1:][same]})
    if pairs.empty:
        return pd.DataFrame(
            {
                "from": values.iloc[:0].to_numpy(),
                "to": values.iloc[:0].to_numpy(),
                "count": np.zeros(0, dtype=np.int64),
                "probability": np.zeros(0),
            }
        )
    out = pairs.groupby(["from", "to"], sort=True, dropna=False).size().rename("count")
    out = out.reset_index()
    out["count"] = out["count"].astype("int64")
    total = out.groupby("from", dropna=False)["count"].transform("sum")
    out["probability"] = out["count"] / total
    return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def cooccurrence(
    frame: pd.DataFrame, *, every: str | pd.Timedelta = "1min", by: str = TEMPLATE_ID
) -> pd.DataFrame:
    """Pairs of templates seen in the same time window, and how often.

    Time is cut into windows of length ``every`` (timestamps floored to it); each
    window counts once for each pair of distinct values of ``by`` it holds.

    Parameters
    ----------
    frame : DataFrame
        A frame with timestamps and templates.
    every : str or Timedelta
        The window length.
    by : str
        The template column; rows without a template (missing, or id -1) are left out.

    Returns
    -------
    DataFrame
        Columns ``first`` and ``second`` (``first < second``), ``windows`` (windows
        holding both), ``windows_first`` and ``windows_second`` (windows holding
        each) and ``lift`` (``windows * total / (windows_first * windows_second)``,
        above 1 when they meet more often than by chance), most frequent first.
        ``attrs`` holds ``"windows"`` (the non-empty windows) and ``"untimed"``
        (rows left out for lack of a timestamp).

    Examples
    --------
    >>> t = pd.to_datetime(["2026-01-01 00:00:01", "2026-01-01 00:00:02",
    ...                     "2026-01-01 00:01:30"], utc=True)
    >>> f = pd.DataFrame({"timestamp": t, "message": list("abc"), "template_id": [1, 2, 1]})
    >>> cooccurrence(f)[["first", "second", "windows", "lift"]]
       first  second  windows  lift
    0      1       2        1   1.0
    """
    S.validate_frame(frame, (S.TIMESTAMP, by))
    ts = pd.to_datetime(frame[S.TIMESTAMP])
    timed = ts.notna().to_numpy()
    rows = timed & _known(frame[by])
    values = frame[by][rows]
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    window, _ = pd.factorize(ts[rows].dt.floor(_step(every)))
    key, keys = pd.factorize(values, sort=True)
    n_windows = int(window.max()) + 1 if len(window) else 0
    hold = sparse.csr_matrix(
        (np.ones(len(key), dtype=np.int64), (window, key)), shape=(n_windows, len(keys))
    )
    hold.data[:] = 1  # duplicates summed on conversion: presence only
    hold.sum_duplicates()
    hold.data[:] = 1
    per_key = np.asarray(hold.sum(axis=0)).ravel()
    both = sparse.triu(hold.T @ hold, k=1).tocoo()
    out = pd.DataFrame(
        {
            "first": keys.take(both.row),
            "second": keys.take(both.col),
            "windows": both.data.astype(np.int64),
            "windows_first": per_key[both.row].astype(np.int64),
            "windows_second": per_key[both.col].astype(np.int64),
        }
    )
    out["lift"] = out["windows"] * n_windows / (out["windows_first"] * out["windows_second"])
    out = out.sort_values(["windows", "first", "second"], ascending=[False, True, True])
    out = out.reset_index(drop=True)
    out.attrs.update(windows=n_windows, untimed=int((~timed).sum()))
    return out


def _numeric(values: pd.Series) -> pd.Series | None:
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers if len(numbers) and numbers.notna().all() else None


def parameter_profile(
    frame: pd.DataFrame,
    template_id: int,
    *,
    top: int = 5,
    column: str = S.MESSAGE,
) -> pd.DataFrame:
    """What the variables of one template hold, slot by slot.

    The rows with ``template_id`` are masked again with
    :func:`llamalog.templates.mask`; slot ``i`` is the ``i``-th variable of each
    message (messages with fewer variables do not count for the slots they lack).

    Parameters
    ----------
    frame : DataFrame
        A frame with ``template_id`` (:func:`llamalog.add_templates`).
    template_id : int
        The template to profile.
    top : int
        How many of the most frequent values to list.
    column : str
        The text column the templates were mined from.

    Returns
    -------
    DataFrame
        One row per slot: ``slot``, ``type`` (the most common variable type: int,
        float, ip, uuid, ...), ``count`` (messages with that slot), ``cardinality``
        (distinct values), ``top_values`` (a list of ``(value, count)``) and, when
        every value is a number, ``min``, ``q25``, ``median``, ``q75``, ``max``
        (NaN otherwise).

    Examples
    --------
    >>> f = pd.DataFrame({"message": ["took 5 ms", "took 7 ms", "took 7 ms"],
    ...                   "template_id": [0, 0, 0]})
    >>> p = parameter_profile(f, 0)
    >>> p[["slot", "type", "cardinality", "min", "max"]].values.tolist()
    [[0, 'int', 2, 5.0, 7.0]]
    >>> p["top_values"][0]
    [('7', 2), ('5', 1)]
    """
    S.validate_frame(frame, (TEMPLATE_ID, column))
    messages = frame[column][(frame[TEMPLATE_ID] == template_id).to_numpy()]
    params = [mask("" if pd.isna(m) else str(m))[1] for m in messages]
    width = max((len(p) for p in params), default=0)
    stats = ["min", "q25", "median", "q75", "max"]
    rows = []
    for slot in range(width):
        pairs = [p[slot] for p in params if len(p) > slot]
        values = pd.Series([v for v, _ in pairs], dtype=object)
        kinds = pd.Series([k for _, k in pairs], dtype=object).value_counts()
        counts = values.value_counts(sort=False)
        counts = counts.iloc[np.argsort(-counts.to_numpy(), kind="stable")]
        row = {
            "slot": slot,
            "type": kinds.index[0],
            "count": len(values),
            "cardinality": len(counts),
            "top_values": [(str(v), int(c)) for v, c in counts.iloc[:top].items()],
        }
        numbers = _numeric(values)
        quantiles = (
            numbers.quantile([0.0, 0.25, 0.5, 0.75, 1.0]).to_numpy()
            if numbers is not None
            else [np.nan] * 5
        )
        row.update(zip(stats, (float(q) for q in quantiles), strict=True))
        rows.append(row)
    columns = ["slot", "type", "count", "cardinality", "top_values", *stats]
    return pd.DataFrame(rows, columns=columns)
