"""Tests for the analyses in llamalog.analyze: frequency, rates, patterns, compare."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import llamalog
from llamalog.analyze.compare import compare
from llamalog.analyze.frequency import frequency
from llamalog.analyze.patterns import (
    cooccurrence,
    new_templates,
    parameter_profile,
    rare_templates,
    transitions,
)
from llamalog.analyze.timeseries import bursts, change_points, pick_interval, rate
from llamalog.errors import SchemaError

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
APP_FORMAT = r"<Date> <Time> <Level> \[<Thread>\] <Component>: <Content>"
T0 = pd.Timestamp("2026-01-01", tz="UTC")


def make(times, ids, *, levels=None, messages=None):
    """A small frame: seconds after T0 (None for NaT), template ids, levels, messages."""
    n = len(ids)
    ts = pd.Series(
        [T0 + pd.Timedelta(seconds=s) if s is not None else pd.NaT for s in times],
        dtype="datetime64[ns, UTC]",
    )
    return pd.DataFrame(
        {
            "timestamp": ts,
            "level": pd.Categorical(levels or ["INFO"] * n),
            "message": messages or [f"m {i}" for i in ids],
            "template_id": np.asarray(ids, dtype=np.int64),
            "template": pd.Categorical([f"t{i}" if i >= 0 else None for i in ids]),
        }
    )


EMPTY = make([], [])


# frequency ---------------------------------------------------------------------------


def test_frequency_counts_shares_and_tail():
    f = make([0] * 6, [1, 1, 1, 2, 2, 3])
    out = frequency(f)
    assert out["template_id"].tolist() == [1, 2, 3]
    assert out["count"].tolist() == [3, 2, 1]
    assert out["cum_share"].iloc[-1] == pytest.approx(1.0)
    top = frequency(f, top=1)
    assert top["template_id"].tolist() == [1, "(other)"]
    assert top["count"].tolist() == [3, 3]
    assert frequency(f, top=1, other=False)["count"].tolist() == [3]
    assert len(frequency(f, top=5)) == 3  # no "(other)" when nothing is left out


def test_frequency_categorical_and_missing():
    f = make([0] * 4, [1, 1, -1, 2], levels=["INFO", "ERROR", None, "INFO"])
    out = frequency(f, "level")
    assert isinstance(out["level"].dtype, pd.CategoricalDtype)
    assert out["count"].tolist() == [2, 1, 1]
    assert out["level"].isna().sum() == 1  # missing counted, not dropped
    assert "t0" not in set(frequency(f, "template").astype(str)["template"])


def test_frequency_empty_and_bad_column():
    out = frequency(EMPTY, "level")
    assert out.empty and list(out.columns) == ["level", "count", "share", "cum_share"]
    with pytest.raises(SchemaError):
        frequency(EMPTY, "Component")


# rate, bursts, change points ---------------------------------------------------------


def test_pick_interval_rule():
    assert pick_interval(pd.Timedelta("300s")) == "1s"
    assert pick_interval(pd.Timedelta("301s")) == "10s"
    assert pick_interval(pd.Timedelta("2h")) == "1min"
    assert pick_interval(pd.Timedelta("3D")) == "15min"
    assert pick_interval(pd.Timedelta("1000D")) == "1D"
    assert pick_interval(None) == "1s"


def test_rate_fills_gaps_and_reports_untimed():
    f = make([0, 5, None, 185, None], [1, 2, 1, 1, 2])
    out = rate(f, every="1min")
    assert out["start"].tolist() == [T0 + pd.Timedelta(minutes=m) for m in range(4)]
    assert out["count"].tolist() == [2, 0, 0, 1]
    assert out.attrs == {"every": "1min", "by": None, "untimed": 2}
    assert out["count"].sum() + out.attrs["untimed"] == len(f)


def test_rate_by_column_is_a_full_grid():
    f = make([0, 5, 70, 200], [1, 2, 1, 1])
    out = rate(f, every="1min", by="template_id")
    assert list(out.columns) == ["start", "template_id", "count"]
    assert len(out) == 4 * 2  # 4 intervals x 2 ids, zeros included
    table = out.pivot(index="start", columns="template_id", values="count")
    assert table[1].tolist() == [1, 1, 0, 1]
    assert table[2].tolist() == [1, 0, 0, 0]
    by_level = rate(f, every="1min", by="level")
    assert by_level["count"].sum() == 4


def test_rate_default_interval_single_event_and_all_nat():
    one = rate(make([42], [1]))
    assert one["count"].tolist() == [1] and one.attrs["every"] == "1s"
    spread = rate(make([0, 7200], [1, 1]))
    assert spread.attrs["every"] == "1min" and len(spread) == 121
    nat = make([None, None, None], [1, 2, 3])
    out = rate(nat)
    assert out.empty and out.attrs["untimed"] == 3
    assert rate(nat, by="level").empty
    empty = rate(EMPTY, by="template_id")
    assert empty.empty and empty.attrs["untimed"] == 0


def test_rate_bad_interval():
    with pytest.raises(ValueError, match="fixed duration"):
        rate(make([0], [1]), every="1M")
    with pytest.raises(ValueError, match="positive"):
        rate(make([0], [1]), every="0s")


def test_rate_fine_interval_over_a_long_span_is_coarsened(monkeypatch):
    """A sparse log at a fine ``every`` would give more rows than MAX_RATE_ROWS: a
    coarser interval is used, and a warning says which."""
    from llamalog.analyze import timeseries as T

    monkeypatch.setattr(T, "MAX_RATE_ROWS", 1000)
    f = make([0, 1, 2, 30, 2 * 86400 - 1], [1, 2, 1, 1, 2])  # 172,800 seconds
    with pytest.warns(llamalog.LlamalogWarning, match=r"counting per 5min instead"):
        out = rate(f, every="1s")
    assert out.attrs["every"] == "5min" and len(out) == 576
    assert out["count"].sum() == 5
    with pytest.warns(llamalog.LlamalogWarning, match=r"times 2 values of by"):
        by = rate(f, every="1s", by="template_id")
    assert by.attrs["every"] == "15min" and len(by) <= 1000
    monkeypatch.setattr(T, "MAX_RATE_ROWS", 10)
    with pytest.warns(llamalog.LlamalogWarning, match=r"counting per 15min"):
        assert len(rate(f, every="1s")) == 192  # never fewer than MAX_INTERVALS (300) allowed
    big = pd.Timedelta(days=36500)
    assert T._coarser(big, pd.Timedelta("1h"), 300) == "123D"
    assert big // pd.Timedelta("123D") + 2 <= 300 < big // pd.Timedelta("122D") + 2


def test_rate_sparse_year_at_one_second_fits_in_memory(tmp_path):
    """A busy hour, then a line a week for a year, at every="1s" (31 million
    intervals): in a child under a 1.5 GB address-space limit."""
    import json
    import subprocess
    import sys

    child = """
import json, resource, sys, warnings
limit = int(1.5 * 2**30)
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import numpy as np, pandas as pd
from llamalog.analyze import bursts, rate
rng = np.random.default_rng(0)
offsets = np.r_[np.sort(rng.uniform(0, 3600, 10_000)), 3600 + np.arange(1, 53) * 7 * 86400.0]
frame = pd.DataFrame({
    "timestamp": pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(offsets, unit="s"),
    "level": np.where(np.arange(len(offsets)) % 3, "INFO", "WARN"),
})
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    out = rate(frame, every="1s", by="level")
    found = bursts(out)
print(json.dumps({"rows": len(out), "every": out.attrs["every"], "total": int(out["count"].sum()),
                  "warned": [str(w.message) for w in caught]}))
"""
    run = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["total"] == 10_052 and out["rows"] <= 2_000_000
    assert out["every"] == "1min"
    assert any("counting per 1min" in w for w in out["warned"]), out["warned"]


def test_bursts_finds_the_spike_only():
    counts = [5, 6, 4, 5, 5, 6, 60, 5, 4, 6, 5, 5, 6, 4]
    series = pd.Series(counts, index=pd.date_range(T0, periods=len(counts), freq="1min"))
    out = bursts(series)
    assert out["start"].tolist() == [T0 + pd.Timedelta(minutes=6)]
    assert out["count"].tolist() == [60] and out["score"].iloc[0] > 3.5
    assert bursts(pd.Series([3] * 20)).empty  # a flat series never bursts
    assert bursts(pd.Series([0] * 19 + [1])).empty  # one event in a sparse series neither


def test_bursts_on_rate_frames():
    times = list(range(0, 600, 30)) + [300] * 25  # a spike at minute 5 of template 2
    f = make(times, [1] * 20 + [2] * 25)
    out = bursts(rate(f, every="1min", by="template_id"))
    assert out[["template_id", "count"]].values.tolist() == [[2, 25]]
    assert bursts(rate(EMPTY)).empty
    assert bursts(rate(make([None], [1]), by="level")).empty


def test_change_points_step_and_flat():
    rng = np.random.default_rng(0)
    values = np.r_[rng.poisson(5, 60), rng.poisson(20, 60)]
    series = pd.Series(values, index=pd.date_range(T0, periods=120, freq="1min"))
    out = change_points(series)
    assert len(out) == 1
    assert abs(out["at"].iloc[0] - (T0 + pd.Timedelta(minutes=60))) <= pd.Timedelta("2min")
    assert out["before"].iloc[0] < out["after"].iloc[0]
    assert change_points(pd.Series([4.0] * 50)).empty
    assert change_points(pd.Series(rng.poisson(10, 200))).empty
    assert change_points(pd.Series([1.0])).empty
    assert change_points(rate(EMPTY)).empty
    assert change_points(rate(make([0, 3000] * 5, [1] * 10), every="1min")).empty
    two = change_points(pd.Series([0.0] * 10 + [9.0] * 10 + [0.0] * 10), max_changes=1)
    assert len(two) == 1


# patterns ----------------------------------------------------------------------------


def test_new_and_rare_templates():
    reference = make([0, 1], [1, 2])
    frame = make([10, 20, 30, 40, 50], [1, 3, 3, 4, -1])
    new = new_templates(frame, reference)
    assert new["template"].tolist() == ["t3", "t4"]  # -1 (no template) is not new
    assert new["count"].tolist() == [2, 1]
    assert new["first_seen"].iloc[0] == T0 + pd.Timedelta(seconds=20)
    assert new_templates(frame, frame).empty
    by_id = new_templates(frame, reference, by="template_id")
    assert by_id["template_id"].tolist() == [3, 4]
    assert len(new_templates(frame, EMPTY)) == 3
    rare = rare_templates(frame)
    assert rare["template_id"].tolist() == [1, 4]
    assert rare["template"].tolist() == ["t1", "t4"]
    assert rare["example"].tolist() == ["m 1", "m 4"]
    assert len(rare_templates(frame, max_count=2)) == 3
    assert rare_templates(EMPTY).empty


def test_transitions_overall_and_per_session():
    f = make([0] * 6, [1, 2, 1, 2, 1, 3])
    out = transitions(f)
    pairs = {(a, b): c for a, b, c in out[["from", "to", "count"]].itertuples(index=False)}
    assert pairs == {(1, 2): 2, (2, 1): 2, (1, 3): 1}
    assert out.loc[(out["from"] == 1) & (out["to"] == 2), "probability"].item() == pytest.approx(
        2 / 3
    )
    f["session"] = ["a", "b", "a", "b", "a", None]
    per = transitions(f, session="session")
    pairs = {(a, b): c for a, b, c in per[["from", "to", "count"]].itertuples(index=False)}
    assert pairs == {(1, 1): 2, (2, 2): 1}
    assert transitions(make([0], [1])).empty  # one line: no pair
    assert transitions(EMPTY, session="level").empty


def test_cooccurrence_windows():
    f = make([0, 1, 2, 61, 62, 130, None], [1, 2, 1, 1, 3, 2, 3])
    out = cooccurrence(f, every="1min")
    got = {(a, b): w for a, b, w in out[["first", "second", "windows"]].itertuples(index=False)}
    assert got == {(1, 2): 1, (1, 3): 1}
    assert out.attrs == {"windows": 3, "untimed": 1}
    nat = cooccurrence(make([None, None], [1, 2]))
    assert nat.empty and nat.attrs["untimed"] == 2
    assert cooccurrence(EMPTY).empty


def test_parameter_profile_slots():
    messages = ["took 5 ms from 10.0.0.1", "took 7 ms from 10.0.0.2", "took 7 ms from 10.0.0.1"]
    f = make([0, 1, 2, 3], [0, 0, 0, 1], messages=[*messages, "other"])
    out = parameter_profile(f, 0)
    assert out["slot"].tolist() == [0, 1]
    assert out["type"].tolist() == ["int", "ip"]
    assert out["cardinality"].tolist() == [2, 2]
    assert out["top_values"][0] == [("7", 2), ("5", 1)]
    assert out.loc[0, ["min", "median", "max"]].tolist() == [5.0, 7.0, 7.0]
    assert np.isnan(out.loc[1, "min"])  # addresses are not numbers
    assert parameter_profile(f, 99).empty
    assert parameter_profile(EMPTY, 0).empty


# compare -----------------------------------------------------------------------------


def test_compare_statuses():
    a = make([0] * 200, [1] * 100 + [2] * 98 + [4] * 2)
    b = make([0] * 200, [1] * 100 + [2] * 50 + [3] * 50)
    out = compare(a, b).set_index("template_id")
    assert out.loc[3, "status"] == "new"
    assert out.loc[4, "status"] == "vanished"
    assert out.loc[2, "status"] == "shifted" and out.loc[2, "z"] < -3.29
    assert out.loc[1, "status"] == "same" and out.loc[1, "z"] == pytest.approx(0.0)
    assert out.loc[1, ["share_a", "share_b"]].tolist() == [0.5, 0.5]
    same = compare(a, a)
    assert set(same["status"]) == {"same"}
    assert compare(a, b, by="level")["status"].tolist() == ["same"]


def test_compare_with_empty_frames():
    a = make([0, 1], [1, 2])
    out = compare(EMPTY, a)
    assert out["status"].tolist() == ["new", "new"] and out["z"].isna().all()
    assert compare(a, EMPTY)["status"].tolist() == ["vanished", "vanished"]
    assert compare(EMPTY, EMPTY).empty


# a bundled log -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    frame = llamalog.read_logs(DATASETS / "app.log", format=APP_FORMAT)
    return llamalog.add_templates(frame)


def test_app_log_end_to_end_without_mutation(app):
    before = app.copy(deep=True)
    n = len(app)
    first, second = app.iloc[: n // 2], app.iloc[n // 2 :]
    freq = frequency(app, "Component", top=5)
    assert len(freq) == 6 and freq["count"].sum() == n
    assert frequency(app)["count"].sum() == n
    r = rate(app, by="level")
    assert r.attrs["every"] == "1min"  # about two hours of logs
    assert r["count"].sum() + r.attrs["untimed"] == n
    assert list(bursts(rate(app)).columns) == ["start", "count", "baseline", "score"]
    assert list(change_points(rate(app)).columns) == ["at", "before", "after", "score"]
    assert new_templates(app, app).empty
    rare = rare_templates(app, max_count=3)
    assert (rare["count"] <= 3).all()
    trans = transitions(app, session="Thread")
    assert trans["count"].sum() == n - app["Thread"].nunique()
    co = cooccurrence(app, every="5min")
    assert (co["first"] < co["second"]).all()
    top_id = int(frequency(app)["template_id"].iloc[0])
    profile = parameter_profile(app, top_id)
    assert len(profile) >= 1 and (profile["count"] > 0).all()
    diff = compare(first, second)
    assert diff["count_a"].sum() == len(first) and diff["count_b"].sum() == len(second)
    assert set(diff["status"]) <= {"new", "vanished", "shifted", "same"}
    pd.testing.assert_frame_equal(app, before)
    assert app.attrs == before.attrs
