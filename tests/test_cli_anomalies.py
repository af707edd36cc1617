"""``llamalog anomalies``: detection from the shell on the bundled logs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from llamalog.cli import app

HDFS = Path(__file__).resolve().parents[1] / "datasets" / "hdfs_sessions.log"


def test_anomalies_on_sessions_csv_and_json(tmp_path):
    runner = CliRunner()
    out = tmp_path / "found.csv"
    args = ["anomalies", str(HDFS), "--session", r"blk_-?\d+", "--train", "0.5"]
    result = runner.invoke(app, [*args, "--out", str(out), "--output", "json", "--top", "3"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert 1 <= len(printed) <= 3
    assert {"key", "confidence", "detector", "explanation"} <= set(printed[0])
    table = pd.read_csv(out)
    assert len(table) >= len(printed)
    assert table["key"].str.startswith("blk_").all()
    assert table["context"].str.len().gt(0).all()
    total = sum(1 for _ in open(HDFS, encoding="utf-8"))
    assert (table["first_line"] > total // 3).all()  # trained on the first half


def test_anomalies_text_and_errors():
    runner = CliRunner()
    result = runner.invoke(
        app, ["anomalies", str(HDFS), "--every", "1min", "--methods", "pattern,timeseries"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("#1 ") and "confidence" in result.stdout
    assert "[timeseries]" in result.stdout or "[pattern]" in result.stdout
    assert "   > " in result.stdout  # context lines
    bad = runner.invoke(app, ["anomalies", str(HDFS), "--every", "1min", "--size", "20"])
    assert bad.exit_code != 0 and "at most one" in bad.output
    bad = runner.invoke(app, ["anomalies", str(HDFS), "--methods", "nope"])
    assert bad.exit_code == 2 and "unknown detection method" in bad.output
