"""``frame.llamalog``: each method equals the function it delegates to."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import llamalog
from llamalog import analyze

APP = Path(__file__).resolve().parents[1] / "datasets" / "app.log"


@pytest.fixture(scope="module")
def frame():
    return llamalog.add_templates(llamalog.read_logs(APP), params=True)


def test_analyses_delegate(frame):
    acc = frame.llamalog
    pd.testing.assert_frame_equal(acc.summary(), analyze.summary(frame))
    pd.testing.assert_frame_equal(acc.frequency(by="level"), analyze.frequency(frame, by="level"))
    pd.testing.assert_frame_equal(acc.rate(every="5min"), analyze.rate(frame, every="5min"))
    half = len(frame) // 2
    early, late = frame.iloc[:half], frame.iloc[half:]
    pd.testing.assert_frame_equal(
        late.llamalog.new_templates(early), analyze.new_templates(late, early)
    )
    pd.testing.assert_frame_equal(late.llamalog.compare(early), analyze.compare(late, early))
    pd.testing.assert_frame_equal(acc.transitions(), analyze.transitions(frame))
    tid = int(frame["template_id"].iloc[0])
    pd.testing.assert_frame_equal(
        acc.parameter_profile(tid, top=3), analyze.parameter_profile(frame, tid, top=3)
    )


def test_templates_windows_detect_delegate(frame):
    raw = frame.drop(columns=["template_id", "template", "params"])
    pd.testing.assert_frame_equal(raw.llamalog.templates(), llamalog.add_templates(raw))
    w = frame.llamalog.windows(every="1min")
    ref = llamalog.windows(frame, every="1min")
    assert (w.counts != ref.counts).nnz == 0 and w.index.equals(ref.index)
    found = frame.llamalog.detect(["pattern"], train=0.5)
    pd.testing.assert_frame_equal(found, llamalog.detect(frame, ["pattern"], train=0.5))
    det = llamalog.PatternDetector().fit(frame.iloc[: len(frame) // 2])
    mine = frame.llamalog.anomalies(det, {"every": "1min"})
    pd.testing.assert_frame_equal(mine, llamalog.anomalies(det, frame, {"every": "1min"}))


def test_charts_and_explorer_delegate(frame):
    from llamalog import charts
    from llamalog.explorer import filter_frame

    line = frame.llamalog.timeline(every="5min").to_dict()
    assert line["datasets"] == charts.timeline(frame, every="5min").to_dict()["datasets"]
    bars = frame.llamalog.template_bars(top=3).to_dict()
    assert bars["datasets"] == charts.template_bars(frame, top=3).to_dict()["datasets"]
    some = frame.llamalog.filter(levels=["ERROR"], text="timeout")
    pd.testing.assert_frame_equal(some, filter_frame(frame, levels=["ERROR"], text="timeout"))
    explorer = frame.llamalog.explore(page_size=5)
    assert len(explorer.filtered) == len(frame)


def test_methods_carry_the_functions_docs():
    from llamalog.accessor import LlamalogAccessor

    assert LlamalogAccessor.rate.__doc__ == analyze.rate.__doc__
    assert LlamalogAccessor.templates.__doc__ == llamalog.add_templates.__doc__
    assert LlamalogAccessor.templates.__name__ == "templates"


def test_import_llamalog_loads_only_the_reader():
    import subprocess
    import sys

    code = (
        "import sys, llamalog; "
        "print(sorted(m for m in ('llamalog.detectors', 'llamalog.features', "
        "'llamalog.templates', 'llamalog.analyze', 'scipy.sparse') if m in sys.modules)); "
        "llamalog.detect; print('llamalog.detectors' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"]
    assert "detect" in dir(llamalog)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = llamalog.nope
