"""Feedback: analysts' true/false-anomaly labels in a plain CSV file, and their reuse.

A label says that the lines ``first_line..last_line`` of ``source`` were (``anomaly``
= 1) or were not (0) an anomaly. Labels are keyed by file lines, not by window
numbers, so they survive another windowing, another detector or a re-run on a
grown file. The file is plain CSV (``source, first_line, last_line, start, end,
anomaly, detector, note, labelled_at``), appended to, readable by any tool. Each
:meth:`Labels.add` rewrites the file atomically under a lock on its folder, so
writers in several processes never duplicate the header or interleave rows, and a
crash leaves the file as it was.

Reuse, in :func:`llamalog.detect` (``labels=path``):

* training leaves out the rows of windows labelled anomalous and adds the rows of
  windows labelled normal (confirmed false alarms), so detectors retrain on
  confirmed-normal data;
* :func:`recalibrate` then moves each detector's threshold just above the scores of
  windows labelled normal, without going above any window labelled anomalous.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schema as S
from .._io import atomic_write, file_lock
from ..errors import InvalidFileError

__all__ = ["LABEL_COLUMNS", "Labels", "recalibrate", "row_labels"]

#: Columns of a labels file, in order.
LABEL_COLUMNS = (
    "source", "first_line", "last_line", "start", "end", "anomaly", "detector", "note",
    "labelled_at",
)  # fmt: skip


class Labels:
    """Analysts' labels, stored in the CSV file ``path`` (created on the first label).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> path = tempfile.mkdtemp() + "/labels.csv"
    >>> found = pd.DataFrame({"source": ["app.log"], "first_line": [10], "last_line": [29],
    ...                       "start": [pd.NaT], "end": [pd.NaT], "detector": ["pattern"]})
    >>> labels = Labels(path)
    >>> labels.add(found, anomaly=False, note="nightly backup")
    1
    >>> Labels(path).frame[["first_line", "last_line", "anomaly", "note"]].values.tolist()
    [[10, 29, 0, 'nightly backup']]
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Labels({str(self.path)!r}, {len(self.frame)} labels)"

    @property
    def frame(self) -> pd.DataFrame:
        """All labels as a DataFrame (empty with :data:`LABEL_COLUMNS` when no file yet).

        Raises
        ------
        InvalidFileError
            A row is malformed (a field too many or too few, a line number that is not a
            whole number, an ``anomaly`` other than 0 or 1, a time that does not parse);
            the message names the file and the line. It is a ``ValueError``.
        """
        if not self.path.is_file() or self.path.stat().st_size == 0:
            return _empty()
        return _read_labels(self.path)

    def add(self, found: pd.DataFrame | pd.Series, *, anomaly: bool, note: str = "") -> int:
        """Append a label for each row of ``found`` (rows of an anomalies frame).

        Parameters
        ----------
        found : DataFrame or Series
            Rows of :func:`llamalog.detect` output (or any frame with ``first_line``,
            ``last_line`` and optionally ``source``, ``start``, ``end``, ``detector``).
        anomaly : bool
            ``True``: a real anomaly; ``False``: a false alarm (normal behaviour).
        note : str
            Free text kept with the label.

        Returns
        -------
        int
            Labels written.
        """
        rows = found.to_frame().T if isinstance(found, pd.Series) else found
        for col in ("first_line", "last_line"):
            if col not in rows:
                raise ValueError(f"labels need a {col!r} column (as in llamalog.detect output)")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        records = []
        for _, r in rows.iterrows():
            detector = r.get("detector", "")
            records.append(
                {
                    "source": "" if pd.isna(r.get("source", "")) else str(r.get("source", "")),
                    "first_line": int(r["first_line"]),
                    "last_line": int(r["last_line"]),
                    "start": _iso(r.get("start")),
                    "end": _iso(r.get("end")),
                    "anomaly": int(bool(anomaly)),
                    "detector": "" if pd.isna(detector) else str(detector),
                    "note": str(note),
                    "labelled_at": now,
                }
            )
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=LABEL_COLUMNS)
        # two first writers must not both write the header, and a reader or a crash
        # must never see half a row: under a lock, the file is rewritten whole
        with file_lock(self.path):
            old = self.path.read_bytes() if self.path.is_file() else b""
            if not old:
                writer.writeheader()
            elif not old.endswith(b"\n"):
                out.write("\r\n")
            writer.writerows(records)
            with atomic_write(self.path, "wb") as fh:
                fh.write(old)
                fh.write(out.getvalue().encode("utf-8"))
        return len(records)


def _read_labels(path: Path) -> pd.DataFrame:
    """Parse and check a labels file, naming the file and line of any bad row."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None) or []
        missing = [c for c in ("first_line", "last_line", "anomaly") if c not in header]
        if missing:
            raise InvalidFileError(
                f"{path} is not a llamalog labels file: it lacks {missing}; "
                f"expected columns {', '.join(LABEL_COLUMNS)}",
                path=path,
                field=missing[0],
            )
        rows, line = [], reader.line_num
        for record in reader:
            start, line = line + 1, reader.line_num
            if not record:
                continue
            rows.append(_label_row(path, start, header, record))
    out = pd.DataFrame(rows, columns=header)
    for col in LABEL_COLUMNS:
        if col not in out:
            out[col] = ""
    for col in ("start", "end"):
        times = pd.to_datetime(
            out[col].where(out[col] != ""), utc=True, errors="coerce", format="ISO8601"
        )
        out[col] = times.astype("datetime64[ns, UTC]")
    for col in ("first_line", "last_line"):
        out[col] = out[col].astype(np.int64)
    out["anomaly"] = out["anomaly"].astype(np.int8)
    return out


def _label_row(path: Path, line: int, header: list[str], record: list[str]) -> dict:
    def bad(problem: str, field: str | None = None) -> InvalidFileError:
        return InvalidFileError(
            f"{path}, line {line}: {problem}; fix or delete that row", path=path, field=field
        )

    if len(record) != len(header):
        raise bad(f"expected {len(header)} fields, found {len(record)}")
    row = dict(zip(header, record, strict=True))
    for col in ("first_line", "last_line"):
        try:
            row[col] = int(row[col])
        except ValueError:
            raise bad(f"{col} must be a whole number, got {row[col]!r}", col) from None
        if row[col] < 0:
            raise bad(f"{col} must not be negative, got {row[col]}", col)
    if row["last_line"] < row["first_line"]:
        raise bad(f"last_line {row['last_line']} is before first_line {row['first_line']}")
    if row["anomaly"] not in ("0", "1"):
        raise bad(f"anomaly must be 0 or 1, got {row['anomaly']!r}", "anomaly")
    row["anomaly"] = int(row["anomaly"])
    for col in ("start", "end"):
        if row.get(col):
            try:
                pd.Timestamp(row[col])
            except ValueError:
                raise bad(f"{col} is not a time: {row[col]!r}", col) from None
    return row


def _iso(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).isoformat()


def _empty() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in LABEL_COLUMNS})
    out["first_line"] = out["first_line"].astype(np.int64)
    out["last_line"] = out["last_line"].astype(np.int64)
    out["anomaly"] = out["anomaly"].astype(np.int8)
    return out


def row_labels(frame: pd.DataFrame, labels: Labels | pd.DataFrame | str | Path) -> np.ndarray:
    """Label of every row of ``frame``: 1 anomaly, 0 normal, -1 unlabelled (int8).

    A row is covered by a label when its ``line`` lies in ``first_line..last_line``
    and its ``source`` equals the label's (a label without source covers every
    source). Where labels overlap, "anomaly" wins.
    """
    table = _as_table(labels)
    out = np.full(len(frame), -1, dtype=np.int8)
    if table.empty or len(frame) == 0:
        return out
    if S.LINE not in frame:
        raise ValueError("labels are matched by file line: the frame needs a 'line' column")
    lines = frame[S.LINE].to_numpy()
    sources = (
        frame[S.SOURCE].astype(str).to_numpy() if S.SOURCE in frame else np.full(len(frame), "")
    )
    for label in (0, 1):  # anomalies last so they win
        for r in table[table["anomaly"] == label].itertuples(index=False):
            hit = (lines >= r.first_line) & (lines <= r.last_line)
            if r.source:
                hit &= _same_source(sources, r.source)
            out[hit] = label
    return out


def _same_source(sources: np.ndarray, source: str) -> np.ndarray:
    """Sources equal to ``source``, or with the same file name when one side is bare."""
    exact = sources == source
    if exact.any():
        return exact
    name = Path(source).name
    return np.array([Path(s).name == name for s in sources], dtype=bool)


def _as_table(labels: Labels | pd.DataFrame | str | Path) -> pd.DataFrame:
    if isinstance(labels, pd.DataFrame):
        table = labels
    else:
        table = (labels if isinstance(labels, Labels) else Labels(labels)).frame
    if "source" not in table:
        table = table.assign(source="")
    return table.assign(source=table["source"].fillna("").astype(str))


def recalibrate(scores: np.ndarray, labels: Iterable[int] | np.ndarray, threshold: float) -> float:
    """A threshold that clears labelled false alarms without losing labelled anomalies.

    Parameters
    ----------
    scores : array of float
        Scores of windows (higher = more anomalous).
    labels : array of int
        Per window: 1 labelled anomalous, 0 labelled normal, -1 unlabelled.
    threshold : float
        The current threshold (a window is flagged when its score is above it).

    Returns
    -------
    float
        The largest score of a normal-labelled window that lies below every
        anomaly-labelled score, if above ``threshold`` (the threshold only rises: labels
        of misses are kept as labels, a lower threshold would flag more unlabelled
        normal windows); else ``threshold``.

    Examples
    --------
    >>> recalibrate([0.1, 0.9, 0.7, 2.0], [-1, 0, 0, 1], threshold=0.5)
    0.9
    >>> recalibrate([0.1, 0.9, 2.0], [-1, 0, 1], threshold=1.0)
    1.0
    >>> recalibrate([0.1, 3.0, 2.0], [-1, 0, 1], threshold=0.5)  # cannot clear it
    0.5
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(list(labels) if not isinstance(labels, np.ndarray) else labels)
    normal = scores[(labels == 0) & np.isfinite(scores)]
    anomalous = scores[(labels == 1) & np.isfinite(scores)]
    ceiling = anomalous.min() if anomalous.size else np.inf
    below = normal[normal < ceiling]
    if below.size and below.max() > threshold:
        return float(below.max())
    return float(threshold)
