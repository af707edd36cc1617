"""A one-table overview of a parsed log frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema as S


def _problem_counts(frame: pd.DataFrame) -> dict[str, int]:
    if S.FLAGS not in frame:
        return {}
    counts: dict[str, int] = {}
    for names, n in frame[S.FLAGS].value_counts().items():
        for name in str(names).split(","):
            if name:
                counts[name] = counts.get(name, 0) + int(n)
    return dict(sorted(counts.items()))


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Records, lines, sources, the format read, time span, rate, level mix and problems.

    Parameters
    ----------
    frame : DataFrame
        A frame from :func:`llamalog.read_logs`.

    Returns
    -------
    DataFrame
        Columns ``metric`` and ``value`` (one row per figure; values are numbers,
        timestamps or text), in a fixed order.

    Examples
    --------
    >>> import io, llamalog
    >>> data = b"2026-01-01 00:00:00 INFO a\\n2026-01-01 00:01:00 ERROR b\\n"
    >>> f = llamalog.read_logs(io.BytesIO(data), format="<Date> <Time> <Level> <Content>")
    >>> table = summary(f).set_index("metric")["value"]
    >>> table[["records", "span_seconds", "level_ERROR"]].tolist()
    [2, 60.0, 1]
    """
    S.validate_frame(frame, (S.MESSAGE,))
    n = len(frame)
    rows: list[tuple[str, object]] = [("records", n)]
    if S.N_LINES in frame:
        rows.append(("lines", int(frame[S.N_LINES].sum())))
    if S.SOURCE in frame:
        rows.append(("sources", int(frame[S.SOURCE].nunique())))
    meta = frame.attrs.get("llamalog") or {}
    if meta.get("format"):
        used = meta.get("formats") or {}
        named = [f"{k} ({v['sources']} files)" for k, v in used.items()] if len(used) > 1 else []
        rows.append(("format", ", ".join(named) or str(meta["format"])))
    if S.PARSE_OK in frame:
        rows.append(("parsed_share", float(frame[S.PARSE_OK].mean()) if n else np.nan))
    if S.TIMESTAMP in frame:
        ts = frame[S.TIMESTAMP]
        first, last = ts.min(), ts.max()
        span = (last - first).total_seconds() if n and pd.notna(first) else np.nan
        rows += [
            ("timestamped_share", float(ts.notna().mean()) if n else np.nan),
            ("first", first),
            ("last", last),
            ("span_seconds", span),
            ("records_per_second", n / span if span and span > 0 else np.nan),
        ]
    if S.LEVEL in frame:
        for level, count in frame[S.LEVEL].value_counts(sort=False).items():
            if count:
                rows.append((f"level_{level}", int(count)))
        rows.append(("level_unknown", int(frame[S.LEVEL].isna().sum())))
    if "template_id" in frame:
        rows.append(("templates", int(frame["template_id"][frame["template_id"] >= 0].nunique())))
    for name, count in _problem_counts(frame).items():
        rows.append((f"problem_{name}", count))
    return pd.DataFrame(rows, columns=["metric", "value"])
