"""The command line: demo, parse, detect, formats."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from llamalog.cli import app

runner = CliRunner()


def test_demo_writes_table_and_summary(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["format"] == "log4j"
    assert summary["summary"]["records"] == 3000
    assert summary["summary"]["parsed_share"] == 1.0
    assert (tmp_path / "parsed.parquet").stat().st_size > 0
    assert summary["summary"]["templates"] >= 10
    templates = (tmp_path / "templates.csv").read_text().splitlines()
    assert templates[0] == "template_id,template,count,example"
    assert str(tmp_path) in result.output


def test_parse_outputs_json_csv_and_table(tmp_path):
    out = tmp_path / "t.parquet"
    result = runner.invoke(
        app,
        [
            "parse",
            "datasets/syslog.log",
            "--format",
            "syslog",
            "--out",
            str(out),
            "--output",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert {"metric": "records", "value": 1200} in records
    assert out.exists()
    csv = runner.invoke(app, ["parse", "datasets/access.log", "--output", "csv"])
    assert csv.stdout.splitlines()[0] == "metric,value"


def test_untrusted_text_is_not_console_markup(tmp_path):
    log = tmp_path / "evil.log"
    log.write_text("2026-01-01 00:00:00 INFO [bold red]boom[/bold red]\n")
    result = runner.invoke(app, ["detect", str(log)])
    assert result.exit_code == 0
    result = runner.invoke(app, ["formats"])
    assert r"\[<Thread>\]" in result.output


def test_bad_format_is_a_clear_error():
    result = runner.invoke(app, ["parse", "datasets/app.log", "--format", "(<Broken>"])
    assert result.exit_code != 0
    assert "does not parse" in str(result.exception)


def test_import_stays_light():
    code = (
        "import sys, llamalog; "
        "heavy = [m for m in ('mlx', 'dask', 'ipywidgets', 'papermill', 'altair', 'sklearn') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
