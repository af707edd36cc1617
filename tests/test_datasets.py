"""Tests of llamalog.datasets: the synthetic generator, the bundle and the Loghub loader."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from llamalog.datasets import (
    ANOMALY_KINDS,
    KINDS,
    TRUTH_COLUMNS,
    LoghubLayoutError,
    load_loghub,
    loghub_datasets,
    read_truth,
    synthetic,
)
from llamalog.datasets.__main__ import BUNDLE, main
from llamalog.errors import FormatError, SourceError

REPO = Path(__file__).resolve().parents[1]
LOGHUB = Path(
    os.environ.get("LLAMALOG_LOGHUB")
    or Path(__file__).resolve().parents[2] / "shared" / "loghub-2k"
)
START = pd.Timestamp("2026-03-01T08:00:00Z")
CONTENT = {"access": "Request", "jsonl": "msg"}
#: How each kind writes its timestamp: (text from the header fields, strptime format).
CLOCK = {
    "app": (lambda f: f"{f['Date']} {f['Time']}", "%Y-%m-%d %H:%M:%S,%f"),
    "hdfs": (lambda f: f["Date"] + f["Time"], "%y%m%d%H%M%S"),
    "syslog": (lambda f: f"2026 {f['Month']} {f['Day']} {f['Time']}", "%Y %b %d %H:%M:%S"),
    "access": (lambda f: f["Time"], "%d/%b/%Y:%H:%M:%S %z"),
    "jsonl": (lambda f: f["time"], "ISO8601"),
}
#: The session id as the text shows it.
SESSION = {
    "app": lambda f, s: s in f["Content"],
    "hdfs": lambda f, s: s in f["Content"].split(),
    "syslog": lambda f, s: s == f"{f['Host']}:{f['Pid']}",
    "access": lambda f, s: s == f["Host"],
    "jsonl": lambda f, s: s == f["ctx"]["request_id"],
}


def format_regex(fmt: str) -> re.Pattern[str]:
    """Loghub's reading of a ``<Field>`` header format as an anchored regex."""
    parts = re.split(r"(<[^<>]+>)", fmt)
    body = "".join(
        f"(?P<{p[1:-1]}>.*?)" if k % 2 else re.sub(" +", r"\\s+", p) for k, p in enumerate(parts)
    )
    return re.compile(f"^{body}$")


def template_regex(template: str, kind: str) -> re.Pattern[str]:
    """``<*>`` is one whole token, or (``access``) one path/query value."""
    slot = r"([^\s/?&=]+)" if kind == "access" else r"(\S+)"
    return re.compile("^" + slot.join(map(re.escape, template.split("<*>"))) + "$")


def header_fields(log) -> list[dict]:
    """The fields of each record's first line."""
    firsts = [log.lines[i - 1] for i in log.truth["line"]]
    if log.format == "jsonl":
        return [json.loads(line) for line in firsts]
    rx = format_regex(log.format)
    matches = [rx.match(line) for line in firsts]
    assert all(matches), [line for line, m in zip(firsts, matches, strict=True) if not m][:3]
    return [m.groupdict() for m in matches]


@pytest.fixture(scope="module", params=BUNDLE, ids=[b[1] for b in BUNDLE])
def bundled(request):
    """Each bundled log as the generator makes it, with its parsed header fields."""
    _, kind, n_lines, _ = request.param
    log = synthetic(kind, n_lines=n_lines)
    return log, header_fields(log)


def test_kinds_and_defaults():
    assert set(KINDS) == {b[1] for b in BUNDLE} == {"app", "hdfs", "syslog", "access", "jsonl"}
    log = synthetic("syslog", n_lines=150, anomalies=False)
    assert len(log.truth) == 150 and not log.truth["anomaly"].any()
    assert log.clean_until == START + pd.Timedelta("1h")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"kind": "nginx"}, "unknown kind"), ({"n_lines": 10}, "at least 100"),
     ({"duration": "1min"}, "10 minutes")],
)  # fmt: skip
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        synthetic(**kwargs)


def test_deterministic():
    a, b = synthetic("jsonl", n_lines=400, seed=7), synthetic("jsonl", n_lines=400, seed=7)
    assert a.lines == b.lines
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert synthetic("jsonl", n_lines=400, seed=8).lines != a.lines


def test_one_truth_row_per_record(bundled):
    log, _ = bundled
    truth = log.truth
    assert list(truth.columns) == list(TRUTH_COLUMNS)
    assert truth["line"].iloc[0] == 1 and (truth["n_lines"] >= 1).all()
    assert (truth["line"] + truth["n_lines"]).iloc[:-1].tolist() == truth["line"].iloc[1:].tolist()
    assert truth["line"].iloc[-1] + truth["n_lines"].iloc[-1] - 1 == len(log.lines)
    assert str(truth["timestamp"].dt.tz) == "UTC"
    assert (truth["format"] == log.format).all()
    if log.format != "jsonl":  # continuation lines never look like a header
        rx, starts = format_regex(log.format), set(truth["line"])
        cont = [line for i, line in enumerate(log.lines, 1) if i not in starts]
        assert not any(rx.match(line) for line in cont)
        assert len(cont) > 50 if log.kind == "app" else not cont


def test_app_stack_traces():
    log = synthetic("app", n_lines=3000)
    traced = log.truth[log.truth["n_lines"] > 1]
    assert len(traced) >= 10 and set(traced["level"]) == {"ERROR"}
    first = traced["line"].iloc[0] - 1
    lines = log.lines[first : first + traced["n_lines"].iloc[0]]
    assert re.match(r"java\.[\w.]+(Exception|Error): ", lines[1])
    assert all(re.match(r"\tat |\t\.\.\. \d+ more|Caused by: ", line) for line in lines[2:])


def test_text_matches_truth(bundled):
    log, fields = bundled
    truth = log.truth
    content = [f[CONTENT.get(log.kind, "Content")] for f in fields]
    for text, template in zip(content, truth["template"], strict=True):
        assert template_regex(template, log.kind).match(text), (template, text)
    if log.kind != "access":  # Loghub convention: a token with a variable is one <*>
        tokens = {tok for t in truth["template"] for tok in t.split(" ")}
        assert all(tok == "<*>" or "<*>" not in tok for tok in tokens)
    pairs = truth[["template_id", "template"]].drop_duplicates()
    assert pairs["template_id"].is_unique and pairs["template"].is_unique
    clock, fmt = CLOCK[log.kind]
    stamps = pd.to_datetime([clock(f) for f in fields], format=fmt, utc=True)
    assert (stamps == truth["timestamp"]).all()


def test_levels_and_sessions(bundled):
    log, fields = bundled
    truth = log.truth
    assert set(truth["level"]) <= {"DEBUG", "INFO", "WARNING", "ERROR"}
    raw = {"app": "Level", "hdfs": "Level", "jsonl": "level"}.get(log.kind)
    if raw:
        canon = [f[raw].upper().replace("WARN", "WARNING") for f in fields]
        assert canon == truth["level"].tolist()
    in_session = truth["session"] != ""
    assert 0.4 < in_session.mean() < 0.97
    for f, s in zip(fields, truth["session"], strict=True):
        assert not s or SESSION[log.kind](f, s), (s, f)
    spans = truth[in_session].groupby("session")["timestamp"].agg(["min", "max"]).sort_values("min")
    assert (spans["min"].shift(-1) < spans["max"]).sum() > 5  # sessions interleave


def test_anomalies_only_late_and_all_kinds(bundled):
    log, _ = bundled
    truth = log.truth
    bad = truth[truth["anomaly"]]
    assert (truth["anomaly"] == (truth["anomaly_kind"] != "")).all()
    assert set(bad["anomaly_kind"]) == set(ANOMALY_KINDS)
    assert (bad["timestamp"] >= log.clean_until).all()
    assert 0.01 < truth["anomaly"].mean() < 0.08
    new = bad.loc[bad["anomaly_kind"] == "new_template", "template_id"].unique()
    assert len(new) == 1
    assert set(truth.loc[truth["template_id"] == new[0], "anomaly_kind"]) == {"new_template"}
    for kind, seconds in (("burst", 60), ("error_spike", 120)):
        group = bad[bad["anomaly_kind"] == kind]
        assert len(group) >= 6
        assert group["timestamp"].max() - group["timestamp"].min() < pd.Timedelta(seconds, "s")
    assert bad.loc[bad["anomaly_kind"] == "burst", "template_id"].nunique() == 1


def test_session_anomalies_cover_whole_sessions(bundled):
    log, _ = bundled
    truth = log.truth
    for kind in ANOMALY_KINDS[:3]:
        sessions = truth.loc[truth["anomaly_kind"] == kind, "session"].unique()
        assert len(sessions) >= 1 and "" not in sessions
        assert (truth.loc[truth["session"].isin(sessions), "anomaly_kind"] == kind).all()


def test_out_of_range_values(bundled):
    log, fields = bundled
    truth = log.truth

    def numbers(i: int) -> list[float]:
        found = (
            template_regex(truth["template"].iat[i], log.kind)
            .match(fields[i][CONTENT.get(log.kind, "Content")])
            .groups()
        )
        found = [*found, fields[i]["Size"]] if log.kind == "access" else list(found)
        units = [re.fullmatch(r"(-?\d+(?:\.\d+)?)[a-z]*", v) for v in found]  # e.g. 0.012s
        return [abs(float(m[1])) if m else float("nan") for m in units]

    odd = truth.index[truth["anomaly_kind"] == "out_of_range_param"]
    tid = truth.loc[odd, "template_id"].unique()
    assert len(odd) >= 2 and len(tid) == 1
    normal = truth.index[(truth["template_id"] == tid[0]) & ~truth["anomaly"]]
    usual = pd.DataFrame([numbers(i) for i in normal]).max()
    for i in odd:
        assert (pd.Series(numbers(i)) > 10 * usual).any()


def test_out_of_order_flags(bundled):
    log, _ = bundled
    truth = log.truth
    earlier_max = truth["timestamp"].cummax().shift(1)
    expected = (truth["timestamp"] < earlier_max).astype(bool)
    assert (truth["out_of_order"] == expected).all()
    assert 1 <= truth["out_of_order"].sum() <= 10
    assert not (truth["out_of_order"] & truth["anomaly"]).any()


@pytest.mark.parametrize("name", ["x.log", "x.log.gz"])
def test_write_round_trip(tmp_path, name):
    log = synthetic("app", n_lines=300, seed=2)
    path = log.write(tmp_path / name)
    assert path == tmp_path / name and (tmp_path / f"{name}.truth.csv").is_file()
    data = path.read_bytes()
    if name.endswith(".gz"):
        assert data[:2] == b"\x1f\x8b"
        data = gzip.decompress(data)
    assert data.decode("utf-8").split("\n") == [*log.lines, ""]
    pd.testing.assert_frame_equal(read_truth(path), log.truth)
    pd.testing.assert_frame_equal(read_truth(f"{path}.truth.csv"), log.truth)
    again = log.write(tmp_path / f"again-{name}")
    assert again.read_bytes() == path.read_bytes()


def test_bundle_regenerates_byte_identically(tmp_path, capsys):
    bundle = REPO / "datasets"
    if not (bundle / "README.md").is_file():
        pytest.skip("no datasets/ bundle in this checkout")
    assert main(["--out", str(tmp_path)]) == 0
    made = sorted(p.name for p in tmp_path.iterdir())
    assert len(made) == 2 * len(BUNDLE) + 1 and str(tmp_path) in capsys.readouterr().out
    for name in made:
        assert (tmp_path / name).read_bytes() == (bundle / name).read_bytes(), name
    assert sum(p.stat().st_size for p in bundle.iterdir()) < 3_200_000


# -- Loghub --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loghub_root() -> Path:
    if not LOGHUB.is_dir():
        pytest.skip(f"no Loghub-2k samples at {LOGHUB} (set LLAMALOG_LOGHUB)")
    return LOGHUB


@pytest.mark.loghub
def test_load_every_loghub_dataset(loghub_root):
    names = loghub_datasets(loghub_root)
    assert names
    formats = json.loads((loghub_root / "formats.json").read_text())
    for name in names:
        sample = load_loghub(loghub_root / name)
        assert sample.name == name and sample.format == formats[name]
        assert sample.log_path == loghub_root / name / f"{name}_2k.log"
        data = sample.log_path.read_bytes()
        n_records = data.count(b"\n") + (not data.endswith(b"\n"))
        truth = sample.truth
        assert len(truth) == n_records and truth["LineId"].iat[0] == "1"
        assert truth.columns[0] == "LineId"
        assert list(truth.columns[-2:]) == ["EventId", "EventTemplate"]
        assert set(re.findall(r"<(\w+)>", sample.format)) <= set(truth.columns)
        assert list(sample.templates.columns) == ["EventId", "EventTemplate"]
        assert set(truth["EventId"]) <= set(sample.templates["EventId"])


def fake_loghub(root: Path, name: str = "Demo", *, csvs: bool = True, formats: bool = True):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / f"{name}_2k.log").write_text("a b\n")
    if csvs:
        (folder / f"{name}_2k.log_structured.csv").write_text(
            "LineId,Content,EventId,EventTemplate\n1,old,E1,old\n"
        )
        (folder / f"{name}_2k.log_structured_corrected.csv").write_text(
            "LineId,Content,EventId,EventTemplate\n1,NA,E1,<*>\n"
        )
        (folder / f"{name}_2k.log_templates.csv").write_text("EventId,EventTemplate\nE1,<*>\n")
    if formats:
        (root / "formats.json").write_text(json.dumps({"_about": "x", name: "<Content>"}))
    return folder


def test_fake_loghub_prefers_corrected_and_keeps_strings(tmp_path):
    sample = load_loghub(fake_loghub(tmp_path))
    assert loghub_datasets(tmp_path) == ["Demo"]
    assert sample.format == "<Content>"
    assert sample.truth.to_dict("records") == [
        {"LineId": "1", "Content": "NA", "EventId": "E1", "EventTemplate": "<*>"}
    ]


def test_loghub_errors(tmp_path):
    with pytest.raises(LoghubLayoutError, match="no Loghub dataset folder") as caught:
        load_loghub(tmp_path / "missing")
    assert isinstance(caught.value, FileNotFoundError) and isinstance(caught.value, SourceError)
    with pytest.raises(FileNotFoundError, match=r"_2k\.log"):
        load_loghub(tmp_path)
    with pytest.raises(SourceError, match="no Loghub root"):
        loghub_datasets(tmp_path / "missing")
    with pytest.raises(LoghubLayoutError, match="structured"):
        load_loghub(fake_loghub(tmp_path / "a", csvs=False))
    with pytest.raises(LoghubLayoutError, match=r"formats\.json"):
        load_loghub(fake_loghub(tmp_path / "b", formats=False))
    folder = fake_loghub(tmp_path / "c", "Other")
    (folder.parent / "formats.json").write_text('{"HDFS": "<Content>"}')
    with pytest.raises(FormatError, match="Other"):
        load_loghub(folder)
