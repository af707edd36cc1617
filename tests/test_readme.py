"""README snippets run: the windows example on a bundled log."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import llamalog

ROOT = Path(__file__).resolve().parents[1]


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def test_windows_snippet_runs_on_bundled_data():
    block = next(b for b in python_blocks() if "llamalog.windows(" in b)
    frame = llamalog.read_logs(
        ROOT / "datasets" / "hdfs_sessions.log",
        format="<Date> <Time> <Pid> <Level> <Component>: <Content>",
    )
    scope = {"llamalog": llamalog, "frame": frame, "other": frame.iloc[:500]}
    exec(compile(block, "README.md", "exec"), scope)  # our own README, not log text
    w, test = scope["w"], scope["test"]
    assert w.counts.shape[0] == len(w.index) == len(w.sequences) > 0
    assert list(test.vocabulary) == list(w.vocabulary)


def test_templates_snippet_runs_on_bundled_data(tmp_path, monkeypatch):
    block = next(b for b in python_blocks() if "from llamalog import TemplateMiner" in b)
    frame = llamalog.read_logs(
        ROOT / "datasets" / "hdfs_sessions.log",
        format="<Date> <Time> <Pid> <Level> <Component>: <Content>",
    )
    scope = {
        "llamalog": llamalog,
        "frame": frame,
        "new_frame": frame.iloc[:100],
        "batch": frame["message"].iloc[100:200],
        "other_miner": llamalog.TemplateMiner().fit(frame["message"].iloc[:50]),
    }
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.log").write_bytes((ROOT / "datasets" / "app.log").read_bytes())
    exec(compile(block, "README.md", "exec"), scope)  # our own README, not log text
    assert {"template_id", "template"} <= set(scope["frame"].columns)
    assert (tmp_path / "miner.json").exists()


def test_analysis_snippet_runs_on_bundled_data():
    block = next(b for b in python_blocks() if "analyze.frequency(" in b)
    frame = llamalog.add_templates(
        llamalog.read_logs(ROOT / "datasets" / "app.log", format="log4j")
    )
    scope = {"frame": frame}
    exec(compile(block, "README.md", "exec"), scope)  # our own README, not log text
    assert scope["counts"]["count"].sum() == frame["timestamp"].notna().sum()


def test_detector_snippet_runs_on_bundled_data(tmp_path, monkeypatch):
    block = next(b for b in python_blocks() if "Autoencoder(random_state" in b)
    frame = llamalog.add_templates(
        llamalog.read_logs(
            ROOT / "datasets" / "hdfs_sessions.log",
            format="<Date> <Time> <Pid> <Level> <Component>: <Content>",
        )
    )
    scope = {"llamalog": llamalog, "frame": frame}
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), scope)  # our own README, not log text
    assert len(scope["scores"]) == len(scope["test"].index)
    assert (tmp_path / "ae-model" / "params.json").exists()


def test_detect_snippet_runs_on_bundled_data(tmp_path, monkeypatch):
    block = next(b for b in python_blocks() if "llamalog.detect(" in b)
    frame = llamalog.read_logs(ROOT / "datasets" / "hdfs_sessions.log")
    scope = {"llamalog": llamalog, "frame": frame}
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), scope)  # our own README, not log text
    assert (tmp_path / "labels.csv").exists()
    found = scope["found"]
    assert {"key", "confidence", "context", "explanation"} <= set(found.columns)


def test_follow_snippet_runs_on_a_growing_bundled_log(tmp_path, monkeypatch, capsys):
    block = next(b for b in python_blocks() if "llamalog.follow(" in b)
    live = tmp_path / "app.log"
    lines = (ROOT / "datasets" / "app.log").read_bytes().splitlines(keepends=True)
    live.write_bytes(b"".join(lines[:200]))
    access = tmp_path / "nginx"
    access.mkdir()
    (access / "access.log").write_bytes((ROOT / "datasets" / "access.log").read_bytes())
    real = llamalog.follow
    quick = {"from_start": True, "poll": 0.01, "idle_timeout": 0.5}

    def follow(path, **kwargs):  # the snippet's files; app.log grows while it is followed
        if "nginx" in str(path):
            yield from real(access / "*.log", **kwargs, **quick)
            return
        for i, batch in enumerate(real(live, **kwargs, **quick)):
            if i == 0:
                with open(live, "ab") as f:
                    f.write(b"".join(lines[200:300]))
            yield batch

    monkeypatch.setattr(llamalog, "follow", follow)
    scope = {"llamalog": llamalog}
    exec(compile(block, "README.md", "exec"), scope)  # our own README, not log text
    assert "template" in capsys.readouterr().out
    seen = scope["miner"].templates_["count"].sum()
    assert seen == len(llamalog.read_logs(live, format="log4j"))


def test_dask_snippet_runs_on_a_local_cluster(tmp_path, monkeypatch):
    distributed = __import__("pytest").importorskip("dask.distributed")
    import llamalog.dask as lld

    block = next(b for b in python_blocks() if "import llamalog.dask as lld" in b)
    clients = []
    real_client = distributed.Client

    def client(address=None):  # the snippet's scheduler: an in-process cluster here
        c = real_client(processes=False, n_workers=1, dashboard_address=None)
        clients.append(c)
        return c

    real = lld.read_logs
    monkeypatch.setattr(distributed, "Client", client)
    monkeypatch.setattr(
        lld, "read_logs", lambda path, **kw: real(ROOT / "datasets" / "app.log", **kw)
    )
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    try:
        exec(compile(block, "README.md", "exec"), scope)  # our own README, not log text
    finally:
        for c in clients:
            c.close()
    assert (tmp_path / "miner.json").exists()
    assert {"template_id", "template"} <= set(scope["frame"].columns)


def test_charts_and_report_snippets_run_on_bundled_data(tmp_path, monkeypatch):
    charts_block = next(b for b in python_blocks() if "charts.timeline(frame)" in b)
    report_block = next(b for b in python_blocks() if "llamalog.run_report(" in b)
    frame = llamalog.add_templates(llamalog.read_logs(ROOT / "datasets" / "app.log"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.log").write_bytes((ROOT / "datasets" / "app.log").read_bytes())
    scope = {"llamalog": llamalog, "frame": frame}
    exec(compile(charts_block, "README.md", "exec"), scope)  # our own README, not log text
    assert (tmp_path / "timeline.html").stat().st_size > 0
    exec(compile(report_block, "README.md", "exec"), scope)
    assert scope["files"]["html"] == tmp_path / "out" / "report" / "report.html"
    assert (tmp_path / "out" / "report" / "anomalies.json").exists()


def test_explorer_snippet_runs_on_bundled_data(tmp_path, monkeypatch):
    block = next(b for b in python_blocks() if "llamalog.explore(" in b)
    frame = llamalog.add_templates(llamalog.read_logs(ROOT / "datasets" / "app.log"))
    monkeypatch.chdir(tmp_path)
    scope = {"llamalog": llamalog, "frame": frame}
    exec(compile(block, "README.md", "exec"), scope)  # our own README, not log text
    assert len(scope["found"]) > 0


def test_register_format_snippet_reads_a_house_log(tmp_path, monkeypatch):
    block = next(b for b in python_blocks() if "llamalog.register_format(" in b)
    (tmp_path / "billing.log").write_text(
        "2026-12-07 22:16:21 <ok> billing | ready\n2026-12-07 22:16:22 <bad> billing | down\n"
    )
    monkeypatch.chdir(tmp_path)
    try:
        code = textwrap.dedent(block)
        exec(compile(code, "README.md", "exec"), {"llamalog": llamalog})  # our own README
        frame = llamalog.read_logs("billing.log")
        assert frame.attrs["llamalog"]["format"] == "house"
        assert frame["level"].astype(str).tolist() == ["INFO", "ERROR"]
    finally:
        llamalog.PRESETS.pop("house", None)
