"""Compare two frames: which values appear, vanish or change their share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema as S
from .frequency import _value_counts

#: |z| above which :func:`compare` calls a share shifted (two-sided p < 0.001).
Z_THRESHOLD = 3.29


def compare(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    by: str = "template_id",
    threshold: float = Z_THRESHOLD,
) -> pd.DataFrame:
    """How the mix of values of column ``by`` differs from frame ``a`` to frame ``b``.

    For each value the shares ``count / len(frame)`` are compared by a two-proportion
    z test with the pooled share ``p = (count_a + count_b) / (n_a + n_b)``::

        z = (share_b - share_a) / sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))

    Status: ``"new"`` when absent from ``a``, ``"vanished"`` when absent from ``b``,
    ``"shifted"`` when ``|z| > threshold`` (3.29 by default: two-sided p < 0.001 for
    that one value, a guard against the many values compared at once), else
    ``"same"``.  With very large frames even small shifts pass; read ``share_a`` and
    ``share_b`` too.

    Parameters
    ----------
    a, b : DataFrame
        The frames to compare (for instance a baseline and a later period).
        Template ids line up only when one miner labelled both frames (pass the
        fitted miner to :func:`llamalog.add_templates`); otherwise use
        ``by="template"``.
    by : str
        The column compared; missing values count as a value.
    threshold : float
        The ``|z|`` above which a share is shifted.

    Returns
    -------
    DataFrame
        Columns ``by``, ``count_a``, ``count_b``, ``share_a``, ``share_b``, ``z`` and
        ``status``, the largest ``|z|`` first.

    Examples
    --------
    >>> a = pd.DataFrame({"message": [""] * 100, "level": ["INFO"] * 90 + ["ERROR"] * 10})
    >>> b = pd.DataFrame({"message": [""] * 100, "level": ["INFO"] * 50 + ["ERROR"] * 40
    ...                   + ["DEBUG"] * 10})
    >>> compare(a, b, by="level")[["level", "count_a", "count_b", "status"]]
       level  count_a  count_b   status
    0   INFO       90       50  shifted
    1  ERROR       10       40  shifted
    2  DEBUG        0       10      new
    """
    S.validate_frame(a, (by,))
    S.validate_frame(b, (by,))
    counts = pd.concat(
        [_value_counts(a[by]).rename("count_a"), _value_counts(b[by]).rename("count_b")],
        axis=1,
        sort=False,
    )
    counts = counts.fillna(0).astype("int64")
    n_a, n_b = len(a), len(b)
    count_a = counts["count_a"].to_numpy()
    count_b = counts["count_b"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share_a = count_a / n_a if n_a else np.full(len(counts), np.nan)
        share_b = count_b / n_b if n_b else np.full(len(counts), np.nan)
        pooled = (count_a + count_b) / (n_a + n_b) if n_a + n_b else np.zeros(len(counts))
        se = np.sqrt(pooled * (1 - pooled) * (1 / max(n_a, 1) + 1 / max(n_b, 1)))
        z = np.where(se > 0, (share_b - share_a) / se, 0.0)
    if not (n_a and n_b):
        z = np.full(len(counts), np.nan)
    status = np.where(
        count_a == 0,
        "new",
        np.where(count_b == 0, "vanished", np.where(np.abs(z) > threshold, "shifted", "same")),
    )
    out = pd.DataFrame(
        {
            by: counts.index.to_numpy(),
            "count_a": count_a,
            "count_b": count_b,
            "share_a": share_a,
            "share_b": share_b,
            "z": z,
            "status": status,
        }
    )
    order = np.argsort(-np.nan_to_num(np.abs(z), nan=-1.0), kind="stable")
    return out.iloc[order].reset_index(drop=True)
