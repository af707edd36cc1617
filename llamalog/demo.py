"""The demo job: parse a bundled sample log, mine its templates, write table and summary.

Later stages (anomalies, report) extend this job.
"""

from __future__ import annotations

import json
from pathlib import Path

from .analyze import summary
from .read.reader import read_logs
from .templates import TemplateMiner, add_templates

BUNDLED = Path(__file__).resolve().parents[1] / "datasets" / "app.log"


def sample_log(out: Path) -> Path:
    """The bundled ``datasets/app.log``, or a freshly generated copy when not in a checkout."""
    if BUNDLED.is_file():
        return BUNDLED
    from .datasets import synthetic

    return synthetic("app", seed=0).write(out / "app.log")


def run_demo(out: str | Path = "out/demo") -> dict:
    """Parse the sample log with ``format="auto"`` and write results under ``out``.

    Returns
    -------
    dict
        ``log`` (the input), ``format`` (what auto-detection chose), ``summary``
        (DataFrame) and ``files`` (name -> path written).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    log = sample_log(out)
    frame = read_logs(log, format="auto")
    miner = TemplateMiner().fit(frame["message"])
    frame = add_templates(frame, miner)
    table = summary(frame)
    files = {
        "parquet": out / "parsed.parquet",
        "csv": out / "parsed.csv",
        "templates": out / "templates.csv",
        "summary": out / "summary.json",
    }
    miner.templates_.sort_values("count", ascending=False).to_csv(files["templates"])
    frame.to_parquet(files["parquet"], index=False)
    frame.to_csv(files["csv"], index=False)
    meta = frame.attrs.get("llamalog", {})
    payload = {
        "log": str(log),
        "format": meta.get("format"),
        "format_string": meta.get("format_string"),
        "summary": {m: (v.isoformat() if hasattr(v, "isoformat") else v) for m, v in table.values},
    }
    files["summary"].write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return {"log": log, "format": meta.get("format"), "summary": table, "files": files}
