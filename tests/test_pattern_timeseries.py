"""Tests of PatternDetector (line level) and TimeSeriesDetector (interval level)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import llamalog
import llamalog.datasets
from llamalog.detectors.pattern import PatternDetector
from llamalog.detectors.timeseries import TimeSeriesDetector
from llamalog.errors import LlamalogWarning, NotFittedError

T0 = pd.Timestamp("2026-01-01", tz="UTC")


# -- hand-made frames -------------------------------------------------------------------
def pattern_train(n: int = 1000) -> pd.DataFrame:
    """Template 0: latency 20-40 ms and a user id; 1: a method among GET/PUT; 2: rare."""
    rng = np.random.default_rng(0)
    ids, params = [], []
    for i in range(n):
        if i % 250 == 7:
            ids.append(2)
            params.append([])
        elif i % 2:
            ids.append(0)
            params.append([(str(int(rng.integers(20, 41))), "int"), (f"u-{i}", "id")])
        else:
            ids.append(1)
            params.append(
                [("GET" if i % 4 else "PUT", "word"), (f"{rng.uniform(0.01, 0.05):.3f}s", "id")]
            )
    return pd.DataFrame({"template_id": ids, "params": params})


def rows(*items: tuple[int, list]) -> pd.DataFrame:
    return pd.DataFrame({"template_id": [t for t, _ in items], "params": [p for _, p in items]})


@pytest.fixture(scope="module")
def pattern() -> PatternDetector:
    return PatternDetector().fit(pattern_train())


def test_pattern_new_template_scores_above_every_training_line(pattern):
    train_scores = pattern.decision_function(pattern_train())
    test = rows((0, [("30", "int"), ("u-1", "id")]), (9, []))
    scores = pattern.decision_function(test)
    assert scores.dtype == np.float64
    assert scores[1] > train_scores.max()
    assert pattern.predict(test).tolist() == [0, 1]
    assert pattern.predict(test).dtype == np.int8
    ex = pattern.explain(test)
    assert ex["reason"].tolist() == ["", "new_template"]
    assert pattern.describe(test, [1], templates={9: "Disk <*> failed"}) == [
        'template 9 never seen in training: "Disk <*> failed"'
    ]


def test_pattern_new_template_above_training_outliers():
    train = pattern_train()
    train.loc[1, "params"] = [("900000000", "int"), ("u-1", "id")]  # far out of range
    det = PatternDetector().fit(train)
    train_scores = det.decision_function(train)
    assert det.explain(train)["reason"].iloc[1] == "out_of_range"
    assert det.decision_function(np.array([9]))[0] > train_scores.max()


def test_pattern_rare_template(pattern):
    test = rows((2, []), (1, [("GET", "word"), ("0.02s", "id")]))
    ex = pattern.explain(test)
    # 4 of 1000 lines is not below the default share 0.001, but scores above the others
    assert ex["reason"].tolist() == ["", ""]
    assert ex["score"].iloc[0] > ex["score"].iloc[1]
    rare = PatternDetector(rare=0.005).fit(pattern_train())
    assert rare.explain(test)["reason"].tolist() == ["rare_template", ""]
    assert rare.describe(test, [0]) == ["rare template 2 (4 of 1 000 training lines)"]
    # the rare share is only a label: scores do not change
    loose = PatternDetector(rare=0.6).fit(pattern_train())
    assert loose.explain(test)["reason"].tolist() == ["rare_template", "rare_template"]
    assert np.array_equal(loose.decision_function(test), pattern.decision_function(test))
    assert np.array_equal(rare.decision_function(test), pattern.decision_function(test))
    assert PatternDetector(rare=5).fit(pattern_train()).explain(test)["reason"].iloc[0] == (
        "rare_template"
    )
    assert PatternDetector(rare=4).fit(pattern_train()).explain(test)["reason"].iloc[0] == ""


def test_pattern_out_of_range_grows_with_distance(pattern):
    values = ["30", "90", "400", "4000", "40000"]
    test = rows(*[(0, [(v, "int"), ("u-3", "id")]) for v in values])
    scores = pattern.decision_function(test)
    ex = pattern.explain(test)
    assert ex["reason"].tolist()[0] == ""
    assert ex["reason"].tolist()[2:] == ["out_of_range"] * 3
    assert np.all(np.diff(scores[2:]) > 0)
    assert pattern.predict(test)[[0, 3, 4]].tolist() == [0, 1, 1]
    assert (ex["slot"].iloc[3], ex["type"].iloc[3], ex["value"].iloc[3]) == (0, "int", "4000")
    assert pd.isna(ex["slot"].iloc[0])
    (text,) = pattern.describe(test, [3])
    assert text.startswith("value 4000 of slot 0 (int) of template 0 outside its learned range [")
    lo, hi = (int(x) for x in text.split("[")[1].rstrip("]").replace(" ", "").split(","))
    assert lo < 20 and 40 < hi < 400
    # far below the range too
    low = rows((0, [("-5000", "int"), ("u-3", "id")]))
    assert pattern.explain(low)["reason"].tolist() == ["out_of_range"]


def test_pattern_numbers_with_units(pattern):
    test = rows((1, [("GET", "word"), ("0.03s", "id")]), (1, [("GET", "word"), ("4.2s", "id")]))
    assert pattern.explain(test)["reason"].tolist() == ["", "out_of_range"]
    assert pattern.describe(test, [1])[0].endswith(" s")
    # another unit is not compared with seconds
    other = rows((1, [("GET", "word"), ("4200ms", "id")]))
    assert pattern.explain(other)["reason"].tolist() == [""]


def test_pattern_unseen_categorical_value(pattern):
    test = rows((1, [("POST", "word"), ("0.02s", "id")]), (1, [("PUT", "word"), ("0.02s", "id")]))
    assert pattern.explain(test)["reason"].tolist() == ["unseen_value", ""]
    assert pattern.predict(test).tolist() == [1, 0]
    assert pattern.describe(test, [0]) == [
        'unseen value "POST" in slot 0 (word) of template 1 (seen: GET, PUT)'
    ]
    # an id slot (a new user id on every line) is never checked
    fresh = rows((0, [("30", "int"), ("u-999999", "id")]))
    assert pattern.explain(fresh)["reason"].tolist() == [""]
    assert len(pattern.categorical_) == 1


def test_pattern_categorical_needs_repeated_values():
    train = rows(*[(0, [(f"v{i % 6}", "word")]) for i in range(30)])
    assert len(PatternDetector(min_repeat=5).fit(train).categorical_) == 1
    assert len(PatternDetector(min_repeat=6).fit(train).categorical_) == 0
    assert len(PatternDetector(max_values=5).fit(train).categorical_) == 0


def test_pattern_template_ids_only():
    train = np.r_[np.zeros(3000, int), np.ones(1000, int), [2, 2]]
    det = PatternDetector().fit(train)
    test = np.array([0, 1, 2, 3])
    assert det.explain(test)["reason"].tolist() == ["", "", "rare_template", "new_template"]
    frame = pd.DataFrame({"template_id": test})
    assert np.array_equal(det.decision_function(frame), det.decision_function(test))
    # a frame with params but scored without them: same template scores
    with_params = PatternDetector().fit(pattern_train())
    no_params = PatternDetector().fit(pattern_train()[["template_id"]])
    only = pattern_train()[["template_id"]]
    assert np.allclose(with_params.decision_function(only), no_params.decision_function(only))


def test_pattern_unparsed_lines():
    train = pd.DataFrame({"template_id": [0] * 99 + [1] * 100})
    det = PatternDetector().fit(train)
    test = pd.DataFrame({"template_id": pd.array([-1, None, 0], dtype="Int64")})
    assert det.explain(test)["reason"].tolist() == ["new_template", "new_template", ""]
    assert det.describe(test, [0])[0].startswith("a line matching no template never seen")
    # when training had unparsed lines they score by their frequency
    seen = PatternDetector().fit(pd.DataFrame({"template_id": [0] * 99 + [-1] * 100}))
    assert seen.explain(test)["reason"].tolist() == ["", "", ""]


def test_pattern_save_load_identical(pattern, tmp_path):
    test = pd.concat(
        [
            pattern_train(300),
            rows((1, [("POST", "word"), ("9s", "id")]), (0, [("5000", "int")]), (7, [])),
        ],
        ignore_index=True,
    )
    folder = pattern.save(tmp_path / "det")
    meta = json.loads((folder / "params.json").read_text())
    assert meta["class"] == "PatternDetector"
    assert meta["state"]["categorical_values"] == [["GET", "PUT"]]
    back = PatternDetector.load(folder)
    assert np.array_equal(back.decision_function(test), pattern.decision_function(test))
    pd.testing.assert_frame_equal(back.explain(test), pattern.explain(test))
    assert back.describe(test, [301, 302]) == pattern.describe(test, [301, 302])
    assert back.threshold_ == pattern.threshold_
    assert back.get_params() == pattern.get_params()
    with np.load(folder / "weights.npz", allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)


def test_pattern_not_fitted_and_bad_input(tmp_path):
    det = PatternDetector()
    test = rows((0, []))
    for call in (det.decision_function, det.predict, det.explain):
        with pytest.raises(NotFittedError):
            call(test)
    with pytest.raises(NotFittedError):
        det.describe(test, [0])
    with pytest.raises(NotFittedError):
        det.save(tmp_path / "x")
    with pytest.raises(ValueError, match="empty"):
        det.fit(pd.DataFrame({"template_id": pd.Series([], dtype="int64")}))
    with pytest.raises(ValueError, match="add_templates"):
        det.fit(pd.DataFrame({"message": ["a"]}))
    with pytest.raises(ValueError, match="1-D"):
        det.fit(np.zeros((2, 2), dtype=int))
    fitted = PatternDetector().fit(np.zeros(10, dtype=int))
    with pytest.raises(IndexError):
        fitted.describe(np.zeros(3, dtype=int), [5])


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("threshold_quantile", 1.5),
        ("threshold_quantile", -0.1),
        ("rare", 0),
        ("rare", -2),
        ("rare", 2.5),
        ("margin", -1.0),
        ("margin", float("inf")),
        ("max_values", 0),
        ("min_repeat", 0),
        ("min_repeat", 2.5),
    ],
)
def test_pattern_bad_params(param, value):
    with pytest.raises(ValueError, match=param):
        PatternDetector(**{param: value}).fit(np.zeros(10, dtype=int))


# -- time series: hand-made frames ------------------------------------------------------
def timeline(per_minute: dict[int, dict[int, int]], start: pd.Timestamp = T0) -> pd.DataFrame:
    """Lines from ``{minute: {template: count}}``, spread over each minute."""
    stamps, ids, levels = [], [], []
    for minute, counts in sorted(per_minute.items()):
        for tid, c in counts.items():
            offsets = (np.arange(c) + 0.5) / max(c, 1) * 60
            stamps += list(
                start + pd.Timedelta(minutes=minute) + pd.to_timedelta(offsets, unit="s")
            )
            ids += [tid] * c
            levels += ["ERROR" if tid == 9 else "INFO"] * c
    stamps = pd.DatetimeIndex(stamps, dtype="datetime64[ns, UTC]")
    order = np.argsort(stamps.asi8, kind="stable")
    return pd.DataFrame(
        {
            "timestamp": stamps[order],
            "level": pd.Categorical(np.array(levels)[order]),
            "template_id": np.array(ids)[order],
        }
    )


def steady(minutes: range, a: int = 20, b: int = 3) -> dict[int, dict[int, int]]:
    """Template 0 at about ``a`` lines a minute, template 1 at about ``b``."""
    rng = np.random.default_rng(minutes.start)
    return {m: {0: int(rng.poisson(a)), 1: int(rng.poisson(b))} for m in minutes}


@pytest.fixture(scope="module")
def ts() -> TimeSeriesDetector:
    return TimeSeriesDetector(every="1min").fit(timeline(steady(range(120))))


def test_ts_burst_of_one_template(ts):
    minutes = steady(range(200, 230))
    minutes[210][1] = 60  # template 1: 20x its rate
    test = timeline(minutes)
    iv = ts.intervals(test)
    assert len(iv) == 30
    assert list(iv.columns) == [
        "start", "end", "score", "series", "observed", "expected", "spread", "direction"
    ]  # fmt: skip
    top = iv.loc[iv["score"].idxmax()]
    assert (top["series"], top["observed"], top["direction"]) == ("template 1", 60, "burst")
    assert top["start"] == T0 + pd.Timedelta(minutes=210)
    assert (iv["score"] > ts.threshold_).sum() == 1
    row = int(np.flatnonzero(test["timestamp"] >= top["start"])[0])
    assert ts.predict(test)[row] == 1
    assert ts.predict(test).sum() == sum(minutes[210].values())
    (text,) = ts.describe(test, [row], templates={1: "Cache miss for <*>"})
    assert text == (
        'template 1 ("Cache miss for <*>") burst: 60 lines in 1 min from 03:30 (expected 3 ± 1.7)'
    )
    other = ts.describe(test, [0])[0]
    assert other.startswith("nothing unusual in 1 min from 03:20")


def test_ts_drop_to_zero(ts):
    minutes = steady(range(200, 230))
    minutes[215] = {1: 3}  # template 0 (about 20 a minute) stops for a minute
    iv = ts.intervals(timeline(minutes))
    top = iv.loc[iv["score"].idxmax()]
    # template 0 falls from 20 to 0, all lines from 23 to 3: either explains the drop
    assert top["series"] in ("template 0", "all lines")
    assert top["direction"] == "drop"
    assert top["score"] > ts.threshold_
    assert (iv["score"] > ts.threshold_).sum() == 1


def test_ts_quiet_series_drop_is_no_news(ts):
    minutes = steady(range(200, 230))
    for m in range(205, 225):
        minutes[m].pop(1)  # template 1 (about 3 a minute) is silent for 20 minutes
    iv = ts.intervals(timeline(minutes))
    assert (iv["score"] <= ts.threshold_).all()
    assert "template 1" not in set(iv.loc[iv["direction"] == "drop", "series"])


def test_ts_gap_counts_as_zeros(ts):
    minutes = {m: c for m, c in steady(range(200, 240)).items() if not 215 <= m < 220}
    test = timeline(minutes)
    iv = ts.intervals(test)
    assert len(iv) == 40
    gap = iv[
        (iv["start"] >= T0 + pd.Timedelta(minutes=215))
        & (iv["start"] < T0 + pd.Timedelta(minutes=220))
    ]
    assert len(gap) == 5
    assert (gap["direction"] == "drop").all()
    assert (gap["observed"] == 0).all()
    assert (gap["score"] > ts.threshold_).all()
    # the lines around the gap are not flagged: their intervals are normal
    assert ts.predict(test).sum() == 0


def test_ts_edges_are_not_drops(ts):
    minutes = steady(range(200, 230))
    minutes[229] = {0: 1}  # cut short: the frame ends a second into the minute
    minutes[200] = {0: 1}
    iv = ts.intervals(timeline(minutes))
    assert iv["score"].iloc[[0, -1]].tolist() == [0.0, 0.0]


def test_ts_new_series_bursts_against_zero(ts):
    minutes = steady(range(500, 520))  # later than training
    minutes[510][7] = 12  # a template never seen in training
    minutes[511][9] = 2  # ERROR lines, a level never seen in training
    iv = ts.intervals(timeline(minutes))
    at = iv.set_index(iv["start"].dt.minute)
    assert (at.loc[30, "series"], at.loc[30, "score"]) == ("template 7", 12.0)
    assert at.loc[31, "series"] in ("template 9", "level ERROR")
    assert at.loc[31, "score"] == 2.0


def test_ts_missing_timestamps():
    frame = timeline(steady(range(60)))
    nat = frame.assign(timestamp=pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]"))
    with pytest.raises(ValueError, match="no line of the training frame has a timestamp"):
        TimeSeriesDetector().fit(nat)
    det = TimeSeriesDetector().fit(frame)
    with pytest.warns(LlamalogWarning, match="no line of the frame has a timestamp"):
        scores = det.decision_function(nat)
    assert scores.tolist() == [0.0] * len(nat)
    assert len(det.intervals(nat)) == 0
    assert det.describe(nat, [0])[0].startswith("no timestamp")
    # some NaT rows: they score 0, the others their interval's score
    burst = timeline({**steady(range(60, 70)), 65: {0: 20, 1: 80}})
    burst.loc[burst.index[::7], "timestamp"] = pd.NaT
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = det.decision_function(burst)
    assert (s[burst["timestamp"].isna().to_numpy()] == 0).all()
    assert s.max() > det.threshold_


def test_ts_single_event():
    one = timeline({0: {3: 1}})
    det = TimeSeriesDetector().fit(one)
    assert det.n_intervals_ == 1
    assert det.threshold_ == 3.5
    iv = det.intervals(one)
    assert len(iv) == 1 and iv["score"].iloc[0] == 0.0
    assert det.predict(one).tolist() == [0]
    many = pd.concat([one] * 30, ignore_index=True)  # 30 lines in the same second
    assert det.every_ == "1s"
    assert det.intervals(many)["score"].iloc[0] > det.threshold_


def test_ts_auto_interval_and_threshold():
    frame = timeline(steady(range(120)))  # 2 hours: 1-minute intervals
    det = TimeSeriesDetector().fit(frame)
    assert det.every_ == "1min" and not det.seasonal_
    assert det.threshold_ >= 3.5
    loose = TimeSeriesDetector(min_threshold=0.0, threshold_quantile=0.5).fit(frame)
    assert loose.threshold_ < det.threshold_
    assert list(det.series_["name"]) == ["all lines", "level INFO", "template 0", "template 1"]


def test_ts_hour_of_day_profile():
    # three days: 100 lines per 15 minutes from 09:00 to 17:00, 10 otherwise
    rng = np.random.default_rng(1)
    quarters = {}
    for q in range(3 * 96):
        busy = 36 <= q % 96 < 68
        quarters[q] = {0: int(rng.poisson(100 if busy else 10))}
    train = timeline({q * 15: c for q, c in quarters.items()})
    det = TimeSeriesDetector().fit(train)
    assert det.seasonal_ and det.every_ == "15min"
    day4 = T0 + pd.Timedelta(days=3)
    test = timeline({0: {0: 10}, 15 * 4: {0: 100}, 15 * 40: {0: 100}, 15 * 90: {0: 10}}, start=day4)
    iv = det.intervals(test).set_index("start")
    assert iv.loc[day4 + pd.Timedelta(hours=1), "score"] > det.threshold_  # 01:00: busy at night
    assert iv.loc[day4 + pd.Timedelta(hours=10), "score"] <= det.threshold_  # 10:00: usual
    flat = TimeSeriesDetector(seasonal=False).fit(train)
    assert not flat.seasonal_
    assert (
        flat.intervals(test).set_index("start").loc[day4 + pd.Timedelta(hours=1), "score"]
        < (iv.loc[day4 + pd.Timedelta(hours=1), "score"])
    )


def test_ts_save_load_identical(ts, tmp_path):
    minutes = steady(range(200, 230))
    minutes[210][7] = 30
    minutes[220] = {}
    test = timeline(minutes)
    back = TimeSeriesDetector.load(ts.save(tmp_path / "ts"))
    assert np.array_equal(back.decision_function(test), ts.decision_function(test))
    pd.testing.assert_frame_equal(back.intervals(test), ts.intervals(test))
    assert back.describe(test, [0, 300]) == ts.describe(test, [0, 300])
    assert (back.every_, back.seasonal_, back.threshold_) == (
        ts.every_,
        ts.seasonal_,
        ts.threshold_,
    )


def test_ts_not_fitted_and_bad_params(tmp_path):
    frame = timeline(steady(range(10)))
    det = TimeSeriesDetector()
    for call in (det.decision_function, det.predict, det.intervals):
        with pytest.raises(NotFittedError):
            call(frame)
    with pytest.raises(NotFittedError):
        det.save(tmp_path / "x")
    for params in (
        {"every": "banana"},
        {"every": "-1min"},
        {"threshold_quantile": 2},
        {"min_expected": -1},
        {"min_threshold": float("nan")},
        {"seasonal": "sometimes"},
    ):
        with pytest.raises(ValueError):
            TimeSeriesDetector(**params).fit(frame)
    with pytest.raises(ValueError, match="timestamp"):
        TimeSeriesDetector().fit(frame.drop(columns="timestamp"))


# -- synthetic logs with ground truth ---------------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    log = llamalog.datasets.synthetic("app", n_lines=8000, seed=0)
    path = log.write(tmp_path_factory.mktemp("app") / "app.log")
    frame = llamalog.add_templates(llamalog.read_logs(path), params=True)
    truth = log.truth[["line", "anomaly", "anomaly_kind"]]
    frame = frame.merge(truth, on="line", how="left", validate="one_to_one")
    early = (frame["timestamp"] < log.clean_until).to_numpy()
    train = frame[early].reset_index(drop=True)
    test = frame[~early].reset_index(drop=True)
    assert not train["anomaly"].any()
    return train, test


def test_pattern_on_synthetic_app(app):
    # measured (seeds 0-3, 8000 lines): recall 1.0, false positives 0-0.3 % of normal lines
    train, test = app
    det = PatternDetector().fit(train)
    flagged = det.predict(test).astype(bool)
    kinds = test["anomaly_kind"].to_numpy()
    planted = np.isin(kinds, ["new_template", "out_of_range_param"])
    assert planted.sum() >= 5
    assert flagged[planted].mean() >= 0.8
    normal = ~test["anomaly"].to_numpy(bool)
    assert flagged[normal].mean() <= 0.01
    reasons = det.explain(test)["reason"].to_numpy()
    assert set(reasons[kinds == "new_template"]) == {"new_template"}
    assert set(reasons[kinds == "out_of_range_param"]) == {"out_of_range"}


def test_timeseries_on_synthetic_app(app):
    # measured (seeds 0-3, 8000 lines): recall 1.0; every flagged interval but one holds
    # a planted burst or error spike
    train, test = app
    det = TimeSeriesDetector().fit(train)
    flagged = det.predict(test).astype(bool)
    kinds = test["anomaly_kind"].to_numpy()
    planted = np.isin(kinds, ["burst", "error_spike"])
    assert planted.sum() >= 50
    assert flagged[planted].mean() >= 0.9
    # lines share their interval's score, so the normal lines of a planted interval are
    # flagged with it; elsewhere normal lines are rarely flagged
    step = pd.Timedelta(det.every_)
    minute = test["timestamp"].dt.floor(step)
    hot = set(minute[planted])
    calm = ~minute.isin(hot).to_numpy() & ~test["anomaly"].to_numpy(bool)
    assert flagged[calm].mean() <= 0.05
    iv = det.intervals(test)
    top = iv.nlargest(len(hot), "score")
    assert set(top["start"]) == hot
    assert set(top["direction"]) == {"burst"}


def test_new_templates_count_from_min_level():
    train = pd.DataFrame({"template_id": [0, 1] * 50, "level": ["INFO", "ERROR"] * 50})
    test = pd.DataFrame({"template_id": [7, 8, 9, 0], "level": ["INFO", "ERROR", None, "DEBUG"]})
    default = PatternDetector().fit(train)
    assert default.predict(test).tolist() == [0, 1, 1, 0]
    assert default.explain(test)["reason"].tolist() == ["", "new_template", "new_template", ""]
    assert PatternDetector(min_level=None).fit(train).predict(test).tolist() == [1, 1, 1, 0]
    assert PatternDetector(min_level="critical").fit(train).predict(test).tolist() == [0, 0, 1, 0]
    with pytest.raises(ValueError, match="min_level"):
        PatternDetector(min_level="LOUD").fit(train)


def test_culprits_are_the_lines_of_the_bursting_series():
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    rows = []
    for minute in range(60):
        for k in range(5):
            rows.append((t0 + pd.Timedelta(minutes=minute, seconds=k), 0, "INFO"))
    for k in range(40):  # template 1 bursts in minute 61
        rows.append((t0 + pd.Timedelta(minutes=61, seconds=k), 1, "INFO"))
    rows.append((t0 + pd.Timedelta(minutes=61, seconds=50), 0, "INFO"))
    frame = pd.DataFrame(rows, columns=["timestamp", "template_id", "level"])
    det = TimeSeriesDetector(every="1min").fit(frame.iloc[:300])
    culprits = det.culprits(frame)
    assert culprits[300:340].all()  # the burst's lines
    assert not culprits[:300].any() and not culprits[340]
    found = llamalog.detect(frame, [det], windows={"every": "1min"}, context=3)
    assert len(found) == 1
    assert all(line.split(": ")[0] in {str(i) for i in range(301, 341)}
               for line in found.loc[0, "context"])  # fmt: skip


def test_slots_of_mixed_types_are_not_checked():
    octets = ["16", "E2", "23", "9F", "00", "0D"] * 10
    train = pd.DataFrame(
        {"template_id": [0] * 60, "params": [[(o, "int" if o.isdigit() else "id")] for o in octets]}
    )
    test = pd.DataFrame({"template_id": [0, 0], "params": [[("99", "int")], [("ZZ", "id")]]})
    det = PatternDetector().fit(train)
    assert det.numeric_.empty and det.categorical_.empty
    assert det.predict(test).tolist() == [0, 0]


def test_templates_with_varying_value_counts_are_not_checked():
    params = [[("7", "int")] if i % 2 else [("a1", "id"), ("7", "int")] for i in range(60)]
    train = pd.DataFrame({"template_id": [0] * 60, "params": params})
    det = PatternDetector().fit(train)
    assert det.numeric_.empty and det.categorical_.empty
    steady = pd.DataFrame({"template_id": [0] * 60, "params": [[("7", "int")]] * 60})
    assert len(PatternDetector().fit(steady).numeric_) == 1


def test_fields_are_checked_like_parameters(tmp_path):
    rng = np.random.default_rng(0)
    n = 400
    train = pd.DataFrame(
        {
            "template_id": np.zeros(n, dtype=np.int64),
            "Status": rng.choice(["200", "304"], n),
            "Method": rng.choice(["GET", "PUT"], n),
            "Size": rng.integers(900, 1100, n).astype(str),
        }
    )
    test = pd.DataFrame(
        {
            "template_id": [0, 0, 0],
            "Status": ["200", "200", "200"],
            "Method": ["GET", "DELETE", "GET"],
            "Size": ["1000", "1000", "250000"],
        }
    )
    plain = PatternDetector().fit(train)
    assert plain.predict(test).tolist() == [0, 0, 0]
    det = PatternDetector(fields=("Method", "Size")).fit(train)
    assert det.predict(test).tolist() == [0, 1, 1]
    why = det.describe(test, [1, 2])
    assert 'unseen value "DELETE" in field Method' in why[0]
    assert "value 250000 of field Size (int)" in why[1]
    assert det.explain(test)["slot"].tolist()[1:] == [-1, -2]
    loaded = PatternDetector.load(det.save(tmp_path / "fields"))
    assert loaded.fields == ("Method", "Size")
    np.testing.assert_array_equal(loaded.decision_function(test), det.decision_function(test))
    with pytest.raises(ValueError, match="not columns"):
        PatternDetector(fields=("Nope",)).fit(train)


def test_pattern_model_lookup_packed_and_plain_agree(pattern):
    """The packed-key lookup gives what the per-key dictionaries give, and falls back to
    them for slots the packing cannot hold."""
    keys = [*pattern._num_key, *pattern._cat_key, (0, 5, "int"), (9, 0, "word"), (1, 0, "int")]
    tmpl, slots, kinds = (list(x) for x in zip(*keys, strict=True))
    num, cat = pattern._models_of(tmpl, slots, kinds)
    assert num.tolist() == [pattern._num_key.get(k, -1) for k in keys]
    assert cat.tolist() == [pattern._cat_key.get(k, -1) for k in keys]
    far = pattern._models_of([*tmpl, 0], [*slots, 10**6], [*kinds, "int"])
    assert far[0].tolist() == [*num.tolist(), -1] and far[1].tolist() == [*cat.tolist(), -1]
    assert (num >= 0).any() and (cat >= 0).any()


# -- time series: sparse logs, memory bounded by the lines (issue 17) ---------------------
_SPARSE_CHILD = """
import json, resource, sys, warnings
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import numpy as np, pandas as pd
import llamalog

offsets = np.load(sys.argv[1])
n = len(offsets)
frame = pd.DataFrame({
    "timestamp": pd.Timestamp("2025-01-01 06:00", tz="UTC") + pd.to_timedelta(offsets, unit="s"),
    "level": ["WARN" if i % 5 == 2 else "INFO" for i in range(n)],
    "message": [f"Installed: package-{i % 97} 1.{i % 13}.{i % 7}" for i in range(n)],
})
warnings.simplefilter("ignore")
found = llamalog.detect(frame, train=0.5)
det = llamalog.TimeSeriesDetector().fit(llamalog.add_templates(frame.iloc[: n // 2]))
rows = len(det.intervals(llamalog.add_templates(frame)))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"anomalies": len(found), "every": det.every_, "rows": rows, "peak_kib": peak}))
"""

DAY = 86400.0


def sparse_offsets(shape: str) -> np.ndarray:
    """Seconds since the first line of the sparse shapes of issue 17."""
    rng = np.random.default_rng(0)
    if shape == "18 months":  # 117 lines: 60 in four minutes, then one every ~10 days
        return np.r_[np.sort(rng.uniform(0, 240, 60)), 240 + np.arange(1, 58) * 548 * DAY / 57]
    if shape == "3 lines":  # a second apart, then six months later
        return np.array([0.0, 1.0, 182 * DAY])
    # a busy first hour (10,000 lines), then one line a week for a year
    return np.r_[np.sort(rng.uniform(0, 3600, 10_000)), 3600 + np.arange(1, 53) * 7 * DAY]


@pytest.mark.parametrize("shape", ["18 months", "3 lines", "busy day then weekly"])
def test_ts_sparse_logs_fit_in_memory(shape, tmp_path):
    """detect(train=0.5) on logs whose training part spans minutes and the whole
    months: seconds-long intervals over months once took minutes and gigabytes. Run
    in a child under a 1.5 GB address-space limit, so a regression fails fast."""
    import subprocess
    import sys

    path = tmp_path / "offsets.npy"
    np.save(path, sparse_offsets(shape))
    limit = str(int(1.5 * 2**30))
    run = subprocess.run(
        [sys.executable, "-c", _SPARSE_CHILD, str(path), limit],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["peak_kib"] < 2**20  # under 1 GiB
    assert out["every"] in ("1s", "10s")  # seconds-long intervals over months
    assert out["rows"] < 3 * len(sparse_offsets(shape))  # runs of empty intervals: one row


def test_ts_sparse_scores_match_the_listed_intervals(monkeypatch):
    """A busy hour, then a line a day for a week, at 10-second intervals (60,000 of
    them): the rows of the intervals listed one by one, and the runs of empty ones."""
    from llamalog.detectors import timeseries as T

    minutes = steady(range(60), a=60)
    minutes.update({60 * 24 * d + 7: {0: 1} for d in range(1, 8)})
    minutes[60 * 24 * 3 + 7] = {0: 1, 5: 40}  # a new template bursts on day 3
    frame = timeline(minutes)
    det = TimeSeriesDetector(every="10s").fit(frame.iloc[: len(frame) // 2])
    assert det.n_intervals_ == det.intervals(frame.iloc[: len(frame) // 2]).shape[0]
    full = det.intervals(frame)
    n = int((full["start"].iloc[-1] - full["start"].iloc[0]) / pd.Timedelta("10s")) + 1
    assert len(full) == n > 60_000
    assert full["start"].diff().iloc[1:].eq(pd.Timedelta("10s")).all()
    # the gaps are drops of the busy series, as in a dense log
    assert (full.loc[full["observed"] == 0, "direction"] == "drop").all()
    monkeypatch.setattr(T, "MAX_ROWS", 1000)
    runs = det.intervals(frame)
    assert len(runs) < 2 * frame["timestamp"].dt.floor("10s").nunique()
    held = full[full["observed"] > 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(runs[runs["observed"] > 0].reset_index(drop=True), held)
    empty = runs[runs["observed"] == 0]
    for row in empty.itertuples():
        inside = full[(full["start"] >= row.start) & (full["end"] <= row.end)]
        assert len(inside) == (row.end - row.start) / pd.Timedelta("10s")
        assert (inside["observed"] == 0).all() and row.score == inside["score"].max()
    # each line scores its interval's score; the burst on day 3 is flagged
    scores = det.decision_function(frame)
    at = full.set_index("start")["score"]
    assert np.array_equal(scores, at[frame["timestamp"].dt.floor("10s")].to_numpy())
    flagged = frame[det.predict(frame) == 1]
    assert set(flagged["template_id"]) >= {5}


def test_ts_sparse_seasonal_runs_take_the_worst_hour(monkeypatch):
    """Past MAX_ROWS, a run of empty intervals spanning hours scores its worst hour."""
    from llamalog.detectors import timeseries as T

    rng = np.random.default_rng(3)
    quarters = {q * 15: {0: int(rng.poisson(100 if 36 <= q % 96 < 68 else 3))} for q in range(288)}
    det = TimeSeriesDetector(every="15min").fit(timeline(quarters))
    assert det.seasonal_
    test = timeline({0: {0: 3}, 60 * 24 * 10: {0: 3}})  # ten quiet days
    full = det.intervals(test)
    monkeypatch.setattr(T, "MAX_ROWS", 10)
    runs = det.intervals(test)
    assert len(full) == 10 * 96 + 1 and len(runs) == 3
    assert runs["score"].iloc[1] == full["score"].max() > det.threshold_
    assert runs["series"].iloc[1] == full.loc[full["score"].idxmax(), "series"]


def test_ts_counted_helpers_match_numpy():
    """The helpers that count empty intervals instead of listing them."""
    from llamalog.detectors import timeseries as T

    rng = np.random.default_rng(0)
    for _ in range(300):
        n, m = int(rng.integers(0, 60)), int(rng.integers(1, 50))
        a, b = int(rng.integers(-100, 100)), int(rng.integers(-1000, 1000))
        assert T._floor_sum(n, m, a, b) == sum((a * k + b) // m for k in range(n))
    for first, step, n in [
        ("2026-01-01 00:00:00", "1s", 7200),
        ("2026-01-01 23:59:58", "1s", 5),
        ("1969-12-31 22:30:00", "7min", 2000),
        ("2026-05-03 13:20:00", "1D", 9),
        ("2026-05-03 13:20:00", "25h", 60),
        ("2026-05-03 13:20:00.3", "1h", 100),
    ]:
        starts = pd.date_range(pd.Timestamp(first, tz="UTC"), periods=n, freq=pd.Timedelta(step))
        want = np.bincount(starts.hour, minlength=24)
        got = T._per_hour(starts[0].value, pd.Timedelta(step).value, n)
        assert got.tolist() == want.tolist(), (first, step)
    assert T._per_hour(0, 10**9, 10**12).sum() == 10**12  # no listing: instant
    for _ in range(200):
        values = rng.poisson(3, int(rng.integers(0, 30))).astype(np.float64)
        zeros = int(rng.integers(0 if len(values) else 1, 30))
        c = np.r_[values, np.zeros(zeros)]
        med = float(np.median(c))
        assert T._median_mad(values, len(c)) == (med, float(np.median(np.abs(c - med))))
        weights = rng.integers(0, 5, len(c))
        if weights.sum():
            listed = np.repeat(c, weights)
            for q in (0.0, 0.5, 0.9, 0.99, 1.0):
                assert T._counted_quantile(c, weights, q) == pytest.approx(
                    np.quantile(listed, q), rel=1e-12, abs=1e-12
                )
            assert T._counted_median(c, weights) == float(np.median(listed))


def test_ts_counted_calibration_matches_listed(monkeypatch):
    """Past _LISTED training intervals the threshold comes from counted scores."""
    from llamalog.detectors import timeseries as T

    minutes = steady(range(120))
    minutes.update({m: {0: 25} for m in range(400, 460)})  # a gap of five hours
    frame = timeline(minutes)
    listed = TimeSeriesDetector(every="1min", threshold_quantile=0.9).fit(frame)
    monkeypatch.setattr(T, "_LISTED", 0)
    counted = TimeSeriesDetector(every="1min", threshold_quantile=0.9).fit(frame)
    assert counted.threshold_ == pytest.approx(listed.threshold_, rel=1e-12)
    assert counted.center_ == listed.center_
    assert counted.n_intervals_ == listed.n_intervals_ == 460


def test_ts_interval_starts_keep_sub_unit_steps(monkeypatch):
    """Timestamps in whole seconds (unit "s") cut into 500 ms intervals: the starts
    of intervals, listed or in runs, are not truncated to the timestamps' unit."""
    from llamalog.detectors import timeseries as T

    stamps = ["2026-01-01 00:00:01", "2026-01-01 00:00:02", "2026-01-01 00:00:02"]
    stamps.append("2026-01-01 00:00:05")
    ts = pd.Series(pd.DatetimeIndex(stamps, tz="UTC").as_unit("s"))
    frame = pd.DataFrame({"timestamp": ts, "template_id": [0, 0, 1, 0]})
    det = TimeSeriesDetector(every="500ms").fit(frame)
    listed = det.intervals(frame)
    assert len(listed) == 9 and listed["start"].diff().iloc[1:].eq(pd.Timedelta("500ms")).all()
    monkeypatch.setattr(T, "MAX_ROWS", 2)
    runs = det.intervals(frame)
    assert runs["start"].dt.strftime("%S.%f").tolist() == [
        "01.000000", "01.500000", "02.000000", "02.500000", "05.000000"
    ]  # fmt: skip
    assert runs["end"].iloc[3] == pd.Timestamp("2026-01-01 00:00:05", tz="UTC")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("step_ns", 0, "step_ns"),
        ("seasonal_", "yes", "seasonal_"),
        ("series_kinds", [7], "series_kinds"),
        ("threshold_", None, "threshold_"),
        ("n_intervals_", -1, "n_intervals_"),
    ],
)
def test_ts_load_refuses_a_crafted_state(ts, tmp_path, field, value, message):
    import json

    from llamalog.errors import InvalidFileError

    folder = ts.save(tmp_path / "ts")
    params = json.loads((folder / "params.json").read_text())
    state = params["state"] if "state" in params else params
    state[field] = value
    if field == "series_kinds":
        state["series_keys"] = [None]
    (folder / "params.json").write_text(json.dumps(params))
    with pytest.raises((InvalidFileError, ValueError), match=message):
        TimeSeriesDetector.load(folder)
