"""The demo job: parse a bundled sample log, mine its templates, find anomalies, write it all.

Later stages (report) extend this job.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import schema as S
from ._io import atomic_write, safe_csv
from .analyze import summary
from .detectors import detect
from .read.reader import read_logs
from .templates import TemplateMiner, add_templates

BUNDLED = Path(__file__).resolve().parents[1] / "datasets" / "app.log"
#: Anomalies named in the printed and written summary.
TOP_ANOMALIES = 3


def sample_log(out: Path) -> Path:
    """The bundled ``datasets/app.log``, or a freshly generated copy when not in a checkout."""
    if BUNDLED.is_file():
        return BUNDLED
    from .datasets import synthetic

    return synthetic("app", seed=0).write(out / "app.log")


def training_cut(frame: pd.DataFrame) -> pd.Timestamp | float:
    """The middle of the log's time span (the bundled logs are anomaly-free before it).

    Falls back to the first half of the rows (``0.5``) when there are no timestamps.
    """
    ts = frame[S.TIMESTAMP] if S.TIMESTAMP in frame else None
    if ts is None or ts.notna().sum() < 2:
        return 0.5
    return ts.min() + (ts.max() - ts.min()) / 2


def flat_anomalies(found: pd.DataFrame) -> pd.DataFrame:
    """``found`` with its list columns as text: ``context`` joined by " | ", ``rows`` by spaces."""
    return found.assign(
        context=[" | ".join(map(str, c)) for c in found["context"]],
        rows=[" ".join(map(str, r)) for r in found["rows"]],
    )


def _anomaly_text(row: pd.Series) -> str:
    lines = f"lines {row['first_line']}-{row['last_line']}"
    return f"{lines}, confidence {row['confidence']:.2f}: {row['explanation']}"


def run_demo(out: str | Path = "out/demo", *, report: bool = True) -> dict:
    """Parse the sample log with ``format="auto"``, find anomalies, write results under ``out``.

    The detectors (:func:`llamalog.detect` defaults: pattern and time series over
    fixed time windows) learn from the first half of the log in time and score it all.
    With ``report`` the report notebook then runs on the same log with the same
    training cut (:func:`llamalog.run_report`), into ``out/report/``; without papermill
    installed that step is skipped and ``files`` says why.

    Returns
    -------
    dict
        ``log`` (the input), ``format`` (what auto-detection chose), ``summary``
        (DataFrame: the log summary, then ``anomalies`` and the top anomalies
        ``anomaly_1``, ...), ``anomalies`` (the anomalies frame) and ``files``
        (name -> path written).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    log = sample_log(out)
    frame = read_logs(log, format="auto")
    miner = TemplateMiner().fit(frame["message"])
    frame = add_templates(frame, miner)
    cut = training_cut(frame)
    found = detect(frame, train=cut)
    top = found.head(TOP_ANOMALIES)
    extra = [("anomalies", len(found))]
    extra += [(f"anomaly_{i}", _anomaly_text(r)) for i, (_, r) in enumerate(top.iterrows(), 1)]
    table = pd.concat(
        [summary(frame), pd.DataFrame(extra, columns=["metric", "value"])], ignore_index=True
    )
    files = {
        "parquet": out / "parsed.parquet",
        "csv": out / "parsed.csv",
        "templates": out / "templates.csv",
        "anomalies": out / "anomalies.csv",
        "summary": out / "summary.json",
    }
    # CSV cells of log text are made formula-safe for spreadsheets (a leading ')
    safe_csv(miner.templates_.sort_values("count", ascending=False), files["templates"])
    with atomic_write(files["parquet"], "wb") as fh:
        frame.to_parquet(fh, index=False)
    safe_csv(frame, files["csv"], index=False)
    safe_csv(flat_anomalies(found), files["anomalies"], index=False)
    meta = frame.attrs.get("llamalog", {})
    top_cols = ["first_line", "last_line", "start", "end", "detector", "confidence", "explanation"]
    payload = {
        "log": str(log),
        "format": meta.get("format"),
        "format_string": meta.get("format_string"),
        "summary": {m: _jsonable(v) for m, v in table.values},
        "anomalies": {
            "count": len(found),
            "trained_before": _jsonable(cut) if not isinstance(cut, float) else None,
            "top": [
                {k: _jsonable(v) for k, v in r.items()}
                for r in top[top_cols].to_dict(orient="records")
            ],
        },
    }
    with atomic_write(files["summary"], "w", encoding="utf-8") as fh:
        fh.write(json.dumps(payload, indent=2, default=str) + "\n")
    if report:
        files["report"] = _report(log, out / "report", cut)
    return {
        "log": log,
        "format": meta.get("format"),
        "summary": table,
        "anomalies": found,
        "files": files,
    }


def _report(log: Path, out: Path, cut) -> Path | str:
    """The HTML report of the demo log, or why there is none."""
    from .errors import MissingDependencyError
    from .reports import run_report

    train = cut if isinstance(cut, float) else pd.Timestamp(cut).isoformat()
    try:
        return out / run_report(log, out, train=train)["html"].name
    except MissingDependencyError as exc:
        return f"(no report: {exc})"


def _jsonable(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value
