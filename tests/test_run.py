"""``llamalog.detect`` / ``anomalies``: merging detectors onto windows; feedback labels."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import llamalog
from llamalog.detectors.feedback import LABEL_COLUMNS, Labels, recalibrate, row_labels
from llamalog.detectors.run import ANOMALY_COLUMNS, _window_max, anomalies, detect

T0 = pd.Timestamp("2024-03-01 00:00:00", tz="UTC")
HDFS = Path(__file__).resolve().parents[1] / "datasets" / "hdfs_sessions.log"


def service_log(n_sessions: int = 120, planted: bool = True) -> pd.DataFrame:
    """Sessions ``open → read×k → close`` a few seconds apart; planted oddities at the end.

    The last sessions hold: a never-seen template (row ``new_row``), a session missing its
    ``close`` and an out-of-range duration.
    """
    rows = []
    t = T0
    rng = np.random.default_rng(0)
    for s in range(n_sessions):
        key = f"req-{s:04d}"
        rows.append((t, "INFO", f"open {key} from 10.0.0.{s % 7}", 0))
        for _ in range(int(rng.integers(1, 3))):
            t += pd.Timedelta(seconds=1)
            rows.append((t, "INFO", f"read {key} took {int(rng.integers(10, 20))} ms", 1))
        t += pd.Timedelta(seconds=1)
        if not (planted and s == n_sessions - 3):
            rows.append((t, "INFO", f"close {key}", 2))
        t += pd.Timedelta(seconds=2)
    if planted:
        rows.append((t, "ERROR", f"disk quota exceeded for req-{n_sessions - 1:04d}", 3))
        rows.append((t, "INFO", f"read req-{n_sessions - 1:04d} took 90000 ms", 1))
    frame = pd.DataFrame(rows, columns=["timestamp", "level", "message", "template_id"])
    frame.insert(0, "line", np.arange(1, len(frame) + 1))
    frame.insert(0, "source", "svc.log")
    return frame


def test_window_max_matches_a_loop():
    frame = service_log(20)
    win = llamalog.windows(frame, session=r"req-\d+")
    rng = np.random.default_rng(1)
    values = rng.integers(0, 5, len(frame)).astype(float)
    best, where = _window_max(win, values)
    for i in range(len(win)):
        rows = win.rows(i)
        assert best[i] == values[rows].max()
        assert where[i] == rows[np.argmax(values[rows])]


def test_detect_flags_planted_lines_with_context():
    frame = service_log()
    train = np.arange(len(frame)) < len(frame) * 0.8
    found = detect(frame, ["pattern"], windows={"session": r"req-\d+"}, train=train)
    assert list(found.columns[: len(ANOMALY_COLUMNS)]) == list(ANOMALY_COLUMNS)
    last = "req-0119"
    assert last in set(found["key"])
    row = found[found["key"] == last].iloc[0]
    assert row["detector"] == "pattern"
    assert 0.5 <= row["confidence"] <= 1 and row["score"] > 1
    assert any("disk quota" in line or "90000" in line for line in row["context"])
    assert "[pattern]" in row["explanation"]
    assert row["source"] == "svc.log" and row["first_line"] <= row["last_line"]
    # training windows are normal: nothing flagged there
    assert (found["start"] >= frame["timestamp"][~train].min() - pd.Timedelta("1min")).all()


def test_detect_all_has_one_row_per_window_and_merges():
    frame = service_log()
    train = np.arange(len(frame)) < len(frame) * 0.8
    spec = {"session": r"req-\d+"}
    everything = detect(frame, ["pattern", "timeseries"], windows=spec, train=train, all=True)
    win = llamalog.windows(frame, **spec)
    assert len(everything) == len(win)
    assert everything["window"].tolist() == list(range(len(win)))
    for name in ("pattern", "timeseries"):
        assert set(everything[f"flag_{name}"].unique()) <= {0, 1}
    flags = everything[["flag_pattern", "flag_timeseries"]].astype(bool)
    assert (everything["detector"].ne("") == flags.any(axis=1)).all()
    assert (everything.loc[flags.all(axis=1), "detector"] == "pattern+timeseries").all()
    assert (everything.loc[~flags.any(axis=1), "confidence"] == 0).all()
    flagged = everything[everything["detector"] != ""]
    assert (flagged["score"] > 1).all() and flagged["confidence"].between(0.5, 1).all()


@pytest.fixture(scope="module")
def hdfs():
    """The bundled HDFS log with templates, its truth per session and the clean half."""
    frame = llamalog.add_templates(llamalog.read_logs(HDFS), params=True)
    truth = pd.read_csv(str(HDFS) + ".truth.csv", keep_default_na=False)
    kinds = truth[truth["session"] != ""].groupby("session")["anomaly_kind"].agg(set)
    train = (
        frame["timestamp"]
        < frame["timestamp"].min() + (frame["timestamp"].max() - frame["timestamp"].min()) / 2
    ).to_numpy()
    return frame, kinds, train


def test_detect_sequence_sessions_on_hdfs(hdfs):
    frame, kinds, train = hdfs
    spec = {"session": r"blk_-?\d+"}
    found = detect(frame, ["sequence", "pattern"], windows=spec, train=train)
    session_kinds = {"missing_event", "extra_event", "reordered"}
    planted = {k for k, v in kinds.items() if v & session_kinds}
    by_sequence = set(found.loc[found["detector"].str.contains("sequence"), "key"])
    assert len(planted & by_sequence) >= 0.8 * len(planted)
    row = found[found["key"].isin(planted) & found["detector"].str.contains("sequence")].iloc[0]
    assert "[sequence] " in row["explanation"] and "expected" in row["explanation"]
    assert len(row["context"]) >= 1 and row["context"][0].split(":")[0].isdigit()
    assert row["first_line"] <= int(row["context"][0].split(":")[0]) <= row["last_line"]


def test_detect_defaults_and_errors():
    frame = service_log()
    out = detect(frame.drop(columns="template_id"), ["pattern"], train=0.8)
    assert {"window", "detector"} <= set(out.columns)
    with pytest.raises(ValueError, match="unknown detection method"):
        detect(frame, ["nope"])
    with pytest.raises(ValueError, match="at least one"):
        detect(frame, [])
    with pytest.raises(ValueError, match="fraction"):
        detect(frame, ["pattern"], train=1.5)
    with pytest.raises(ValueError, match="boolean mask"):
        detect(frame, ["pattern"], train=np.ones(3, dtype=bool))
    built = llamalog.windows(frame, every="1min")
    with pytest.raises(TypeError, match=r"keyword arguments of llamalog\.windows"):
        detect(frame, ["pattern"], windows=built)  # detect builds its own, from a spec
    det = llamalog.PatternDetector().fit(frame)
    assert len(anomalies(det, frame, built, all=True)) == built.counts.shape[0]
    with pytest.raises(TypeError, match="Windows object of this frame or the keyword"):
        anomalies(det, frame, ["every", "1min"])


def test_anomalies_of_one_fitted_detector(hdfs):
    frame, _, train = hdfs
    spec = {"session": r"blk_-?\d+"}
    det = llamalog.SequenceModel(backend="numpy").fit(llamalog.windows(frame[train], **spec))
    found = anomalies(det, frame, spec)
    assert len(found) and (found["detector"] == "sequence").all()
    assert found["explanation"].str.startswith("[sequence] ").all()
    assert (found["confidence"] >= 0.5).all()
    everything = anomalies(det, frame, spec, all=True)
    assert len(everything) == len(llamalog.windows(frame, **spec))
    assert everything["flag_sequence"].sum() == len(found)


def test_labels_round_trip_and_row_matching(tmp_path):
    frame = service_log(30)
    found = pd.DataFrame(
        {"source": ["svc.log", ""], "first_line": [3, 10], "last_line": [5, 10],
         "start": [T0, pd.NaT], "end": [T0, pd.NaT], "detector": ["pattern", "sequence"]}
    )  # fmt: skip
    labels = Labels(tmp_path / "sub" / "labels.csv")
    assert labels.frame.empty and row_labels(frame, labels).tolist() == [-1] * len(frame)
    assert labels.add(found.iloc[[0]], anomaly=False, note="known, harmless") == 1
    assert labels.add(found.iloc[1], anomaly=True) == 1
    table = Labels(labels.path).frame
    assert table["anomaly"].tolist() == [0, 1]
    assert table["note"].tolist() == ["known, harmless", ""]
    assert str(table["start"].dtype) == "datetime64[ns, UTC]"
    got = row_labels(frame, labels.path)
    lines = frame["line"].to_numpy()
    assert (got[(lines >= 3) & (lines <= 5)] == 0).all()
    assert (got[lines == 10] == 1).all()
    assert (got[(lines < 3) | ((lines > 5) & (lines != 10))] == -1).all()
    # overlapping labels: anomaly wins
    labels.add(pd.DataFrame({"first_line": [1], "last_line": [4]}), anomaly=True)
    assert row_labels(frame, labels)[lines == 4] == 1
    with pytest.raises(ValueError, match="first_line"):
        labels.add(pd.DataFrame({"x": [1]}), anomaly=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a llamalog labels file"):
        _ = Labels(bad).frame


def _label_one(path, n, go):
    go.wait(10)
    Labels(path).add(pd.DataFrame({"first_line": [n], "last_line": [n]}), anomaly=True)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_two_first_writers_never_duplicate_the_header(tmp_path):
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    for trial in range(30):
        path = tmp_path / f"labels{trial}.csv"
        go = ctx.Event()
        writers = [ctx.Process(target=_label_one, args=(path, n, go)) for n in (1, 2, 3)]
        for w in writers:
            w.start()
        go.set()
        for w in writers:
            w.join(30)
        assert path.read_text().count("first_line") == 1
        table = Labels(path).frame
        assert sorted(table["first_line"]) == [1, 2, 3] and set(table["detector"]) == {""}
    assert not [p.name for p in tmp_path.iterdir() if p.suffix != ".csv"]  # no temp files


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("svc.log,x,5,,,1,,,", "first_line must be a whole number, got 'x'"),
        ("svc.log,3,5,,,yes,,,", "anomaly must be 0 or 1"),
        ("svc.log,3,5,,,1,,,,extra", "expected 9 fields, found 10"),
        ("svc.log,7,5,,,1,,,", "last_line 5 is before first_line 7"),
        ("svc.log,3,5,someday,,1,,,", "start is not a time"),
        (",".join(LABEL_COLUMNS), "first_line must be a whole number"),  # a second header
    ],
)
def test_a_bad_label_row_is_named_by_file_and_line(tmp_path, row, problem):
    from llamalog.errors import InvalidFileError

    path = tmp_path / "labels.csv"
    good = 'svc.log,3,5,,,0,pattern,"two\nlines",'
    path.write_text(",".join(LABEL_COLUMNS) + f"\n{good}\n{row}\n{good}\n")
    with pytest.raises(InvalidFileError, match=f"labels.csv, line 4: {re.escape(problem)}"):
        _ = Labels(path).frame
    with pytest.raises(InvalidFileError, match="line 4"):
        detect(service_log(30), labels=path)


def test_recalibrate_never_drops_labelled_anomalies():
    rng = np.random.default_rng(0)
    for _ in range(200):
        scores = rng.random(20) * 3
        labels = rng.integers(-1, 2, 20)
        thr = float(rng.random() * 2)
        new = recalibrate(scores, labels, thr)
        assert new >= thr
        flagged_true = scores[(labels == 1) & (scores > thr)]
        assert (flagged_true > new).all()
        if new > thr:
            assert new in scores[labels == 0]


def test_detect_with_labels_clears_a_false_alarm(tmp_path):
    frame = service_log()
    spec = {"session": r"req-\d+"}
    train = np.arange(len(frame)) < len(frame) * 0.8
    first = detect(frame, ["pattern"], windows=spec, train=train)
    assert len(first)
    labels = Labels(tmp_path / "labels.csv")
    labels.add(first.iloc[[0]], anomaly=False, note="expected")
    again = detect(frame, ["pattern"], windows=spec, train=train, labels=labels)
    assert first.iloc[0]["key"] not in set(again["key"])


def test_detect_edge_frames():
    frame = service_log(60)
    empty = detect(frame.iloc[:0], ["pattern"])
    assert empty.empty and list(empty.columns[: len(ANOMALY_COLUMNS)]) == list(ANOMALY_COLUMNS)
    assert "flag_pattern" in empty.columns
    # no usable timestamps: count windows, and the time-series detector is left out
    untimed = frame.assign(timestamp=pd.NaT)
    out = detect(untimed, train=0.8, all=True)
    assert "flag_pattern" in out.columns and "flag_timeseries" not in out.columns
    assert out["n_lines"].max() <= 100
    with pytest.warns(llamalog.LlamalogWarning, match="no window"):
        none = detect(frame, ["pattern"], windows={"session": r"nomatch-\d+"})
    assert none.empty
    single = detect(frame.iloc[:1], ["pattern"])
    assert len(single) == 0


def test_train_forms_agree():
    frame = service_log()
    n_train = int(len(frame) * 0.8)
    cut = frame["timestamp"].iloc[n_train]
    spec = {"session": r"req-\d+"}
    by_mask = detect(frame, ["pattern"], windows=spec, train=np.arange(len(frame)) < n_train)
    by_frame = detect(frame, ["pattern"], windows=spec, train=frame.iloc[:n_train])
    by_time = detect(frame, ["pattern"], windows=spec, train=str(cut.tz_convert(None)))
    by_stamp = detect(frame, ["pattern"], windows=spec, train=cut)
    for other in (by_frame, by_time, by_stamp):
        pd.testing.assert_frame_equal(other, by_mask)
    with pytest.raises(ValueError, match="needs a timestamp"):
        detect(frame.drop(columns="timestamp"), ["pattern"], windows=spec, train="2024-03-01")


def test_one_scoring_pass_gives_decision_function_and_predict(hdfs):
    """detect scores window-level detectors once; the pair equals the two methods."""
    frame, _, train = hdfs
    spec = {"session": r"blk_-?\d+"}
    fit_on, win = llamalog.windows(frame[train], **spec), llamalog.windows(frame, **spec)
    fitted = [
        llamalog.SequenceModel(backend="numpy", random_state=0).fit(fit_on),
        llamalog.Autoencoder(backend="numpy", random_state=0).fit(fit_on),
    ]
    for det in fitted:
        scores, flags = det._scores_and_flags(win)
        np.testing.assert_array_equal(scores, det.decision_function(win))
        np.testing.assert_array_equal(flags, det.predict(win).astype(bool))
        assert flags.any() and not flags.all(), type(det).__name__
