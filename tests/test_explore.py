"""The explorer: filters combine, anomalies narrow and get labelled, log text is escaped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import llamalog
from llamalog.explorer import filter_frame

pytest.importorskip("ipywidgets")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def frame():
    return llamalog.add_templates(llamalog.read_logs(ROOT / "datasets" / "app.log"))


@pytest.fixture(scope="module")
def found(frame):
    return llamalog.detect(frame, windows={"every": "1min"}, train=0.5)


def test_filters_combine(frame):
    t0 = frame["timestamp"].min() + pd.Timedelta("30min")
    t1 = t0 + pd.Timedelta("20min")
    got = filter_frame(frame, start=t0, end=t1, levels=["ERROR", "WARNING"])
    want = frame[
        (frame["timestamp"] >= t0)
        & (frame["timestamp"] < t1)
        & frame["level"].isin(["ERROR", "WARNING"])
    ]
    assert got.index.equals(want.index) and len(got) > 0
    tid = int(frame["template_id"].value_counts().index[1])
    assert (filter_frame(frame, templates=[tid])["template_id"] == tid).all()
    hits = filter_frame(frame, text="TIMEOUT")
    assert len(hits) == frame["message"].str.contains("timeout", case=False).sum() > 0
    assert len(filter_frame(frame, text=r"status 5\d\d", regex=True)) == (
        frame["message"].str.contains(r"status 5\d\d").sum()
    )
    assert filter_frame(frame, lines=(10, 20))["line"].between(10, 20).all()
    with pytest.raises(ValueError, match="not a regular expression"):
        filter_frame(frame, text="([", regex=True)
    assert len(filter_frame(frame)) == len(frame)


def test_widgets_drive_the_filter_and_pages(frame):
    ex = llamalog.explore(frame, page_size=10)
    assert len(ex.filtered) == len(frame) and "3,000" in ex.count.value
    ex.levels.value = ("ERROR",)
    assert set(ex.filtered["level"].astype(str)) == {"ERROR"}
    ex.text.value = "gateway"
    assert ex.filtered["message"].str.contains("gateway", case=False).all()
    assert f"<b>{len(ex.filtered):,}</b>" in ex.count.value
    ex.levels.value, ex.text.value = (), ""
    ex.time.value = (ex.time.options[10][1], ex.time.options[20][1])
    ts = ex.filtered["timestamp"]
    assert ts.min() >= ex.time.options[10][1] and ts.max() < ex.time.options[20][1]
    first_page = ex.table.value
    ex.next.click()
    assert ex.page == 1 and ex.table.value != first_page
    ex.regex.value, ex.text.value = True, "(["
    assert len(ex.filtered) == 0 and "not a regular expression" in ex.count.value


def test_anomalies_narrow_the_records_and_get_labelled(frame, found, tmp_path):
    ex = llamalog.explore(frame, found, labels=tmp_path / "labels.csv")
    ex.label(True)
    assert "pick an anomaly first" in ex.status.value
    ex.anomaly = 0
    top = found.sort_values("confidence", ascending=False, kind="stable").iloc[0]
    assert ex.filtered["line"].between(top["first_line"], top["last_line"]).all()
    assert len(ex.filtered) == frame["line"].between(top["first_line"], top["last_line"]).sum()
    assert len(ex.filtered) > 0
    assert "confidence" in ex.detail.value
    ex.note.value = "planted"
    ex.is_anomaly.click()
    ex.anomaly = 1
    ex.false_alarm.click()
    labels = llamalog.Labels(tmp_path / "labels.csv").frame
    assert labels["anomaly"].tolist() == [1, 0]
    assert labels["note"].tolist() == ["planted", "planted"]
    assert labels["first_line"].iloc[0] == top["first_line"]
    ex.anomaly = None
    assert len(ex.filtered) == len(frame)


def test_log_text_is_shown_escaped(frame):
    evil = frame.head(20).copy()
    evil["message"] = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    found = pd.DataFrame(
        {
            "first_line": [1],
            "last_line": [5],
            "score": [2.0],
            "confidence": [0.9],
            "detector": ["<b>pattern</b>"],
            "explanation": ["<img src=x onerror=alert(3)>"],
            "context": [["1: <script>alert(4)</script>"]],
        }
    )
    ex = llamalog.explore(evil, found)
    ex.anomaly = 0
    shown = ex.table.value + ex.detail.value
    assert "<script>" not in shown and "<img" not in shown and "<b>pattern" not in shown
    assert "&lt;script&gt;alert(1)" in ex.table.value
    assert "&lt;img src=x onerror=alert(3)&gt;" in ex.detail.value
    ex.label(False)
    assert "no labels file" in ex.status.value
