"""The command line: demo, parse, detect, formats."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from llamalog.cli import app
from llamalog.detectors.run import ANOMALY_COLUMNS

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result


def test_demo_writes_table_and_summary(demo):
    tmp_path, result = demo
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["format"] == "log4j"
    assert summary["summary"]["records"] == 3000
    assert summary["summary"]["parsed_share"] == 1.0
    assert (tmp_path / "parsed.parquet").stat().st_size > 0
    assert summary["summary"]["templates"] >= 10
    templates = (tmp_path / "templates.csv").read_text().splitlines()
    assert templates[0] == "template_id,template,count,example,name,pinned"
    assert str(tmp_path) in result.output


def test_demo_runs_the_report_with_the_same_training_cut(demo):
    tmp_path, result = demo
    report = tmp_path / "report"
    assert (report / "report.html").stat().st_size > 0
    executed = json.loads((report / "report.ipynb").read_text())
    cut = json.loads((tmp_path / "summary.json").read_text())["anomalies"]["trained_before"]
    assert pd.Timestamp(executed["metadata"]["papermill"]["parameters"]["train"]) == pd.Timestamp(
        cut
    )
    same = pd.read_csv(report / "anomalies.csv")
    assert len(same) == len(pd.read_csv(tmp_path / "anomalies.csv"))
    assert "report.html" in result.output


def test_demo_writes_anomalies(demo):
    tmp_path, result = demo
    summary = json.loads((tmp_path / "summary.json").read_text())
    found = pd.read_csv(tmp_path / "anomalies.csv")
    expected = [*ANOMALY_COLUMNS, "score_pattern", "flag_pattern"]
    expected += ["score_timeseries", "flag_timeseries"]
    assert found.columns.tolist() == expected
    assert len(found) == summary["anomalies"]["count"] == summary["summary"]["anomalies"] > 0
    assert len(summary["anomalies"]["top"]) == min(3, len(found))
    assert summary["summary"]["anomaly_1"].startswith(f"lines {found['first_line'][0]}-")
    assert "anomaly_1" in result.output
    # flattened lists: "line: message" joined by " | ", positional rows by spaces
    assert found["context"].str.match(r"\d+: ").all()
    assert found["rows"].astype(str).str.fullmatch(r"\d+( \d+)*").all()
    # trained on the first half in time: found in the second, on planted anomalies
    cut = pd.Timestamp(summary["anomalies"]["trained_before"])
    parsed = pd.read_parquet(tmp_path / "parsed.parquet", columns=["line", "timestamp"])
    second_half = parsed.loc[parsed["timestamp"] >= cut, "line"].min()
    late = found[found["first_line"] >= second_half]
    assert len(late) > 0
    truth = pd.read_csv("datasets/app.log.truth.csv")
    bad = truth.loc[truth["anomaly"], "line"].to_numpy()
    planted = [
        ((bad >= a) & (bad <= b)).any()
        for a, b in zip(late.first_line, late.last_line, strict=True)
    ]
    assert any(planted)


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


def test_templates_command_mines_saves_and_extends(tmp_path):
    state = tmp_path / "miner.json"
    table = tmp_path / "templates.csv"
    first = runner.invoke(
        app,
        ["templates", "datasets/hdfs_sessions.log", "--save", str(state), "--out", str(table),
         "--output", "json", "--top", "3"],
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    shown = json.loads(first.stdout)
    assert len(shown) == 3 and shown[0]["count"] >= shown[1]["count"] >= shown[2]["count"]
    every = pd.read_csv(table)
    assert every["count"].sum() == 3000 and every["new"].all()
    assert "15 templates (15 new)" in first.stderr
    # the saved miner keeps the ids: a second run finds nothing new
    again = runner.invoke(
        app, ["templates", "datasets/hdfs_sessions.log", "--miner", str(state), "--output", "csv"]
    )
    assert again.exit_code == 0, again.output
    rows = pd.read_csv(io.StringIO(again.stdout))
    assert not rows["new"].any()
    merged = rows.merge(every, on="template_id", suffixes=("", "_first"))
    assert (merged["template"] == merged["template_first"]).all()
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    broken = runner.invoke(app, ["templates", "datasets/syslog.log", "--miner", str(bad)])
    assert broken.exit_code == 2 and "cannot read miner" in broken.stderr


def test_follow_prints_records_and_marks_new_templates(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(
        "2026-03-01 08:00:00 INFO request 1 served in 10 ms\n"
        "2026-03-01 08:00:01 INFO request 2 served in 12 ms\n"
        "2026-03-01 08:00:02 ERROR disk /dev/sda1 [bold]full[/bold]\n"
    )
    args = ["follow", str(log), "-f", "<Date> <Time> <Level> <Content>", "--from-start"]
    args += ["--idle-timeout", "0.3", "--poll", "0.05"]
    result = runner.invoke(app, [*args, "--output", "json"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3]
    assert records[0]["template"] == records[1]["template"] == "request <*> served in <*> ms"
    assert [r["new"] for r in records] == [True, False, True]
    assert records[2]["level"] == "ERROR"
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    assert text.stdout.count("NEW TEMPLATE") == 2
    assert "[bold]full[/bold]" in text.stdout  # log text is not console markup
    from llamalog import TemplateMiner

    saved = tmp_path / "miner.json"  # a saved miner's templates count as known
    TemplateMiner().fit(["request 7 served in 3 ms"]).save(saved)
    known = runner.invoke(app, [*args, "--miner", str(saved), "--output", "json"])
    assert known.exit_code == 0, known.output
    assert [json.loads(x)["new"] for x in known.stdout.splitlines()] == [False, False, True]
    saved.write_text("not a miner")
    broken = runner.invoke(app, [*args, "--miner", str(saved)])
    assert broken.exit_code == 2 and "cannot read miner" in broken.output


def test_follow_json_is_valid_json_and_a_glob_names_each_file(tmp_path):
    (tmp_path / "a.log").write_text("a line with no level and no time\n")
    (tmp_path / "b.log").write_text("2026-03-01 08:00:00 INFO from b\n")
    args = ["follow", str(tmp_path / "*.log"), "-f", "raw", "--from-start"]
    args += ["--idle-timeout", "0.3", "--poll", "0.05"]
    result = runner.invoke(app, [*args, "--output", "json"])
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout
    records = [json.loads(line, parse_constant=pytest.fail) for line in result.stdout.splitlines()]
    assert {r["source"].rsplit("/", 1)[-1] for r in records} == {"a.log", "b.log"}
    assert all(r["timestamp"] is None for r in records)
    text = runner.invoke(app, args)
    assert "a.log:" in text.stdout and "b.log:" in text.stdout


def test_piped_tables_are_not_wrapped(tmp_path):
    # the formats table holds long patterns: piped, each row stays one line
    result = subprocess.run(
        [sys.executable, "-m", "llamalog.cli", "formats"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line for line in result.stdout.splitlines() if "nginx-error" in line]
    assert len(rows) == 1 and "<Pid:\\d+>#<Tid:\\d+>" in rows[0]


def test_formats_detect_and_lnav_files(tmp_path):
    from llamalog.parse.presets import PRESETS

    spec = {
        "house_log": {
            "regex": {
                "std": {
                    "pattern": r"^(?<timestamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) "
                    r"(?<level>\w+) (?<body>.*)$"
                }
            },
            "timestamp-format": ["%Y-%m-%d %H:%M:%S"],
            "sample": [{"line": "2026-12-07 22:16:21 INFO hi"}],
        }
    }
    (tmp_path / "lnav").mkdir()
    (tmp_path / "lnav" / "house.json").write_text(json.dumps(spec))
    log = tmp_path / "x.log"
    log.write_text("2026-12-07 22:16:21 INFO hi\n2026-12-07 22:16:22 ERROR bad\n")
    try:
        args = ["formats", "--detect", str(log), "--lnav", str(tmp_path / "lnav")]
        result = runner.invoke(app, [*args, "--output", "json"])
        assert result.exit_code == 0, result.output
        scores = json.loads(result.stdout)
        assert scores[0]["name"] == "house_log" and scores[0]["score"] > 0.9
        assert "chosen: house_log" in result.stderr
        listed = runner.invoke(app, ["formats", "--output", "json"])
        assert "house_log" in {row["name"] for row in json.loads(listed.stdout)}
    finally:
        PRESETS.pop("house_log", None)
