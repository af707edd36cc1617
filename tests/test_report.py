"""Charts carry the right numbers and cannot be broken out of; reports run end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import llamalog
from llamalog import charts
from llamalog.cli import app

ROOT = Path(__file__).resolve().parents[1]
EVIL = "</script><script>alert(document.domain)</script> <img src=x onerror=alert(document.cookie)>"


@pytest.fixture(scope="module")
def frame():
    return llamalog.add_templates(llamalog.read_logs(ROOT / "datasets" / "app.log"))


def _data(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_timeline_counts_every_timed_record_by_level(frame):
    spec = charts.timeline(frame, every="5min").to_dict()
    rows = pd.DataFrame(_data(spec))
    assert rows["count"].sum() == frame["timestamp"].notna().sum()
    by_level = rows.groupby("level")["count"].sum().to_dict()
    want = frame["level"].astype(str).value_counts().to_dict()
    assert by_level == want
    assert spec["encoding"]["color"]["scale"]["domain"][:3] == ["TRACE", "DEBUG", "INFO"]
    assert "per 5min" in spec["title"]


def test_template_bars_show_the_commonest_templates(frame):
    spec = charts.template_bars(frame, top=5).to_dict()
    rows = pd.DataFrame(_data(spec))
    top = frame["template_id"].value_counts().head(5)
    assert rows["template_id"].tolist() == top.index.tolist()
    assert rows["count"].tolist() == top.tolist()
    labels = zip(rows["template_id"], rows["label"], strict=True)
    assert all(label.startswith(f"[{t}] ") for t, label in labels)
    with pytest.raises(llamalog.errors.SchemaError):
        charts.template_bars(frame.drop(columns="template_id"))


def test_anomaly_timeline_shades_the_most_confident_windows(frame):
    found = llamalog.detect(frame, windows={"every": "1min"}, train=0.5)
    assert len(found) > 3
    spec = charts.anomaly_timeline(frame, found, top=3).to_dict()
    shade, _ = spec["layer"]
    spans = spec["datasets"][shade["data"]["name"]]
    assert len(spans) == 3
    assert {s["detector"] for s in spans} <= set(found["detector"])
    assert max(s["confidence"] for s in spans) == pytest.approx(found["confidence"].max())
    quiet = charts.anomaly_timeline(frame, found.iloc[:0]).to_dict()
    assert len(quiet["layer"]) == 1


def test_log_text_cannot_close_the_script_a_chart_lives_in(frame, tmp_path):
    hostile = frame.head(50).copy()
    hostile["template"] = EVIL
    chart = charts.template_bars(hostile)
    html = llamalog.charts.alt.renderers.get()(chart.to_dict())["text/html"]
    assert llamalog.charts.alt.renderers.active == "llamalog"
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "\\u003c/script\\u003e" in html  # the text is there, escaped for JSON
    charts.save_html(chart, tmp_path / "chart.html")
    page = (tmp_path / "chart.html").read_text()
    assert "<script>alert" not in page and "<img src=x" not in page
    text = json.dumps({"t": EVIL}, cls=charts.ScriptSafeJSONEncoder)
    assert json.loads(text) == {"t": EVIL} and "<" not in text and ">" not in text


def test_report_command_writes_notebook_html_and_tables_safely(tmp_path):
    lines = (ROOT / "datasets" / "app.log").read_text().splitlines()
    evil = f"2026-03-01 08:30:00,000 ERROR [main] com.example.Evil: {EVIL}"
    formula = "2026-03-01 08:31:00,000 ERROR [main] com.example.Evil: =cmd|' /C calc'!A0"
    log = tmp_path / "evil.log"
    log.write_text("\n".join([*lines[:300], evil, evil, formula, *lines[300:]]) + "\n")
    out = tmp_path / "report"
    result = CliRunner().invoke(
        app,
        ["report", str(log), "-f", "log4j", "--every", "1min", "--top", "40", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"report.ipynb", "report.html", "summary.json", "templates.csv"} <= names
    assert {"anomalies.csv", "anomalies.json"} <= names
    summary = json.loads((out / "summary.json").read_text())
    assert summary["records"] == len(llamalog.read_logs(log, format="log4j"))
    assert len(pd.read_csv(out / "anomalies.csv")) > 0
    templates = pd.read_csv(out / "templates.csv")
    assert templates["template"].str.contains("</script><script>alert", regex=False).any()
    assert templates["template"].str.startswith("'=cmd|").any()  # not a formula
    for name in ("templates.csv", "anomalies.csv"):
        cells = pd.read_csv(out / name, dtype=str).stack()
        assert not cells.str.startswith(("=", "+", "@", "\t", "\r")).any(), name
    page = (out / "report.html").read_text()
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert" in page  # in the chart, escaped
    assert "<script>alert" not in page and "<img src=x" not in page
    executed = json.loads((out / "report.ipynb").read_text())
    assert executed["metadata"]["papermill"]["parameters"]["every"] == "1min"


def test_report_on_an_empty_log_succeeds(tmp_path):
    log = tmp_path / "empty.log"
    log.write_text("")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["report", str(log), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["records"] == 0
    assert pd.read_csv(out / "templates.csv").empty
    assert json.loads((out / "anomalies.json").read_text()) == []


def test_write_tables_defuses_formulas_and_leaves_no_temp_files(tmp_path):
    from llamalog.reports import write_tables

    overview = pd.DataFrame({"metric": ["records", "first"], "value": [2, float("nan")]})
    templates = pd.DataFrame({"template": ["=HYPERLINK(<*>)", "@SUM(<*>)"], "count": [1, -1]})
    found = pd.DataFrame(
        {"explanation": ["+evil", "fine"], "context": [["=x"], []], "rows": [[1], [2]]}
    )
    files = write_tables(
        tmp_path, source="app.log", overview=overview, templates=templates, found=found
    )
    assert sorted(files) == ["anomalies.csv", "anomalies.json", "summary.json", "templates.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)
    back = pd.read_csv(files["templates.csv"])
    assert back["template"].tolist() == ["'=HYPERLINK(<*>)", "'@SUM(<*>)"]
    assert back["count"].tolist() == [1, -1]  # numbers stay numbers
    assert pd.read_csv(files["anomalies.csv"])["explanation"].tolist() == ["'+evil", "fine"]
    assert json.loads(files["summary.json"].read_text()) == {
        "source": "app.log", "records": 2, "first": None
    }  # fmt: skip
    assert json.loads(files["anomalies.json"].read_text())[0]["context"] == ["=x"]  # JSON: as is


def test_demo_tables_are_formula_safe_and_complete(tmp_path):
    from llamalog.demo import run_demo

    result = run_demo(tmp_path, report=False)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in result["files"].values())
    for name in ("templates.csv", "anomalies.csv", "parsed.csv"):
        cells = pd.read_csv(tmp_path / name, dtype=str).stack()
        assert not cells.str.startswith(("=", "+", "@", "\t", "\r")).any(), name


def test_timeline_by_another_column_keeps_nine_and_sums_the_rest(frame):
    spec = charts.timeline(frame, every="10min", by="template_id").to_dict()
    rows = pd.DataFrame(_data(spec))
    assert rows["count"].sum() == frame["timestamp"].notna().sum()
    named = set(rows["template_id"]) - {"(other)"}
    top9 = frame["template_id"].value_counts().nlargest(9).index.astype(str)
    assert named == set(top9) and "(other)" in set(rows["template_id"])
    one = pd.DataFrame(_data(charts.timeline(frame, every="10min", by=None).to_dict()))
    assert one["count"].sum() == len(frame) and "level" not in one.columns
