"""How often each value of a column occurs: counts, shares and the long tail."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema as S

#: The label of the row that holds the values past ``top`` in :func:`frequency`.
OTHER = "(other)"


def _value_counts(values: pd.Series) -> pd.Series:
    """Counts per value, missing values included, values never seen left out.

    Sorted by count (descending), ties in order of first appearance; a categorical
    becomes plain objects, so counts from two frames line up by value.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    counts = values.value_counts(dropna=False, sort=False)
    counts = counts[counts > 0]
    order = np.argsort(-counts.to_numpy(), kind="stable")
    counts = counts.iloc[order].astype("int64")
    counts.name = "count"
    return counts


def frequency(
    frame: pd.DataFrame,
    by: str = "template_id",
    *,
    top: int | None = None,
    other: bool = True,
) -> pd.DataFrame:
    """Count, share and cumulative share of each value of column ``by``.

    Parameters
    ----------
    frame : DataFrame
        A frame from :func:`llamalog.read_logs` (with :func:`llamalog.add_templates`
        for the template columns).
    by : str
        The column to count: ``"template_id"``, ``"template"``, ``"level"``, a format
        field such as ``"Component"``...  Missing values are counted as a value.
    top : int, optional
        Keep only the ``top`` most frequent values.
    other : bool
        With ``top``, add one last row labelled ``"(other)"`` holding the values left
        out (only when some are); the key column then holds objects.

    Returns
    -------
    DataFrame
        Columns ``by``, ``count``, ``share`` (of all rows) and ``cum_share``, most
        frequent first (ties in order of first appearance), index ``0..n-1``.

    Examples
    --------
    >>> f = pd.DataFrame({"message": list("abcd"), "level": ["INFO"] * 3 + ["ERROR"]})
    >>> frequency(f, "level")
       level  count  share  cum_share
    0   INFO      3   0.75       0.75
    1  ERROR      1   0.25       1.00
    >>> frequency(f, "message", top=1)["message"].tolist()
    ['a', '(other)']
    """
    S.validate_frame(frame, (by,))
    if top is not None and top < 0:
        raise ValueError(f"top must be >= 0, got {top}")
    counts = _value_counts(frame[by])
    n = len(frame)
    keys = pd.Series(counts.index, name=by)
    values = counts.to_numpy()
    if top is not None and top < len(counts):
        rest = int(values[top:].sum())
        keys, values = keys.iloc[:top], values[:top]
        if other and rest:
            keys = pd.Series([*keys.astype(object), OTHER], name=by, dtype=object)
            values = np.append(values, rest)
    out = pd.DataFrame({by: keys.to_numpy(), "count": values.astype("int64")})
    if isinstance(frame[by].dtype, pd.CategoricalDtype) and OTHER not in set(out[by]):
        out[by] = out[by].astype(frame[by].dtype)
    out["share"] = out["count"] / n if n else out["count"].astype(float)
    out["cum_share"] = out["share"].cumsum()
    return out
