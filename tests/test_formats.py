"""The format library, registration, lnav imports and detection that says when it is unsure."""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import llamalog
from llamalog import LlamalogWarning, read_logs
from llamalog.errors import FormatError
from llamalog.parse.presets import PRESETS, Preset, register_format, unregister_format

HEADERS = [p for p in PRESETS.values() if p.origin == "builtin" and not p.is_json]
JSONS = [p for p in PRESETS.values() if p.origin == "builtin" and p.is_json and p.samples]


def read_quiet(data, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LlamalogWarning)
        return read_logs(io.BytesIO(data) if isinstance(data, bytes) else data, **kwargs)


def test_the_library_is_large_and_every_format_has_samples():
    assert len(PRESETS) >= 45
    missing = [p.name for p in PRESETS.values() if not p.samples and p.name != "raw"]
    assert missing == []


@pytest.mark.parametrize("preset", [p for p in HEADERS if p.samples], ids=lambda p: p.name)
def test_each_header_format_reads_its_samples(preset: Preset):
    frame = pd.concat(
        [read_quiet(f"{s}\n".encode(), format=preset.name, year=2026) for s in preset.samples]
    )
    assert len(frame) == len(preset.samples)
    assert frame["parse_ok"].all(), frame[["message", "problems"]]
    if preset.name not in ("uvicorn", "python-logging"):  # the formats without a time
        assert frame["timestamp"].notna().all(), preset.name
    has_level = preset.level is not None or "<Level" in preset.format
    if has_level:
        assert frame["level"].notna().all(), frame[["message"]]


@pytest.mark.parametrize("preset", JSONS, ids=lambda p: p.name)
def test_each_json_flavour_reads_its_samples(preset: Preset):
    data = ("\n".join(preset.samples) + "\n").encode()
    frame = read_quiet(data, format=preset.name)
    assert frame["parse_ok"].all()
    assert frame["timestamp"].notna().all()
    assert frame["message"].str.len().gt(0).all()


#: Layouts whose samples another library format reads the same way (same fields, same
#: time): detection may name either.
SAME_LAYOUT = {"mariadb-slow": {"mariadb-slow"}}


@pytest.mark.parametrize(
    "preset", [p for p in [*HEADERS, *JSONS] if p.samples], ids=lambda p: p.name
)
def test_detection_picks_each_format_for_its_own_samples(preset: Preset):
    # lnav's rule: every format's samples must be recognised as that format
    for line in preset.samples:
        guess = llamalog.detect_format(io.BytesIO(((line + "\n") * 3).encode()))
        assert guess.name == preset.name, guess.scores.head(3)
        assert guess.doubt is None, guess.doubt


def test_specific_formats_beat_generic_ones_on_ties():
    # dpkg lines also read as "date time message"; the specific format wins
    dpkg = PRESETS["dpkg"].samples[0] + "\n"
    guess = llamalog.detect_format(io.BytesIO(dpkg.encode() * 5))
    assert guess.name == "dpkg"
    generic = guess.scores.set_index("name").loc["timestamp-message"]
    assert generic["score"] == guess.scores.set_index("name").loc["dpkg", "score"]


def test_a_clock_that_reads_midnight_and_a_level_that_is_no_level_reject_a_format():
    text = b"update-alternatives 2025-06-24 14:36:53: run with --install /usr/bin/x x /y 10\n" * 4
    guess = llamalog.detect_format(io.BytesIO(text))
    scores = guess.scores.set_index("name")
    assert guess.name == "update-alternatives"
    assert scores.loc["timestamp-level-message", "score"] == 0
    frame = read_quiet(text)
    assert (frame["timestamp"] == pd.Timestamp("2025-06-24 14:36:53", tz="UTC")).all()


def test_a_level_field_without_levels_rejects_a_format():
    text = b"2026/12/07 22:16:21 Starting server on 127.0.0.1:8080\n" * 3
    guess = llamalog.detect_format(io.BytesIO(text))
    assert guess.name == "go-log"
    row = guess.scores.set_index("name").loc["timestamp-level-message"]
    assert row["score"] == 0


def test_an_unsure_choice_warns_with_the_runner_up():
    # most lines are something no format knows, and come before the first record
    text = b"~~ some text nobody wrote a format for ~~\n" * 30 + (
        b'2026/12/07 22:16:21 [error] 12#12: *1 open() "/x" failed\n' * 10
    )
    with pytest.warns(LlamalogWarning, match="unsure: it reads only part"):
        frame = read_logs(io.BytesIO(text))
    assert frame.attrs["llamalog"]["format"] == "nginx-error"


def test_nothing_known_reads_as_raw_with_parse_ok_false():
    with pytest.warns(LlamalogWarning, match="recognised no known format"):
        frame = read_logs(io.BytesIO(b"hello\nworld\n"))
    assert frame["parse_ok"].tolist() == [False, False]
    assert frame["problems"].astype(str).tolist() == ["", ""]


# --------------------------------------------------------------------------- continuations


def test_a_header_match_whose_time_is_no_time_continues_the_record():
    # with lazy fields 'Caused by: x' matches '<Date> <Time> <Level> <Content>'
    text = (
        b"2026-03-01 08:00:00,000 ERROR boom\n"
        b"java.lang.IllegalStateException: bad state\n"
        b"\tat com.example.App.run(App.java:42)\n"
        b"Caused by: java.io.IOException: disk gone\n"
        b"2026-03-01 08:00:01,000 INFO next\n"
    )
    frame = read_quiet(text, format="<Date> <Time> <Level> <Content>")
    assert frame["n_lines"].tolist() == [4, 1]
    assert frame["parse_ok"].all()
    assert frame["Date"].tolist() == ["2026-03-01", "2026-03-01"]


def test_a_time_that_starts_like_a_time_but_is_wrong_stays_a_flagged_record():
    text = b"2026-03-01 08:00:00 INFO a\n2026-13-45 99:00:00 INFO odd clock\n"
    frame = read_quiet(text, format="<Date> <Time> <Level> <Content>")
    assert len(frame) == 2
    assert frame["problems"].astype(str).tolist() == ["", "bad_timestamp"]


def test_the_readme_first_example_reads_app_log_as_3000_records(datasets_dir):
    frame = read_quiet(
        (datasets_dir / "app.log").read_bytes(), format="<Date> <Time> <Level> <Content>"
    )
    assert len(frame) == 3000
    assert frame["parse_ok"].all()


# --------------------------------------------------------------------------- registration


def test_register_format_is_read_and_detected_first():
    line = "2026-12-07 22:16:21 <ok> house | ready to serve"
    try:
        register_format(
            "house",
            r"<Date> <Time> \<<Level:[a-z]+>\> <Component> \| <Content>",
            levels={"ok": "INFO", "bad": "ERROR"},
            samples=[line],
        )
        text = (line + "\n" + line.replace("<ok>", "<bad>") + "\n").encode()
        frame = read_quiet(text)
        assert frame.attrs["llamalog"]["format"] == "house"
        assert frame["level"].astype(str).tolist() == ["INFO", "ERROR"]
        assert frame["Component"].tolist() == ["house", "house"]
    finally:
        unregister_format("house")
    assert "house" not in PRESETS


def test_register_format_checks_its_samples_and_names():
    with pytest.raises(FormatError, match="does not match"):
        register_format("bad-sample", "<Date> <Time> <Content>", samples=["nope"])
    with pytest.raises(FormatError, match="exists"):
        register_format("syslog", "<Date> <Time> <Content>")
    with pytest.raises(FormatError, match="not one of"):
        register_format("bad-level", "<Level> <Content>", levels={"x": "LOUD"})
    with pytest.raises(FormatError, match="built-in"):
        unregister_format("syslog")


def test_lnav_format_files_load_into_the_registry(tmp_path):
    spec = {
        "$schema": "https://lnav.org/schemas/format-v1.schema.json",
        "myapp_log": {
            "title": "My app",
            "description": "the house app",
            "regex": {
                "std": {
                    "pattern": r"^(?<timestamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) "
                    r"\|(?<level>\w+)\| (?<body>.*)$"
                }
            },
            "timestamp-format": ["%Y-%m-%d %H:%M:%S.%L"],
            "level-field": "level",
            "level": {"error": "E|oops", "warning": "W", "info": "I"},
            "sample": [{"line": "2026-12-07 22:16:21.341 |I| hello"}],
        },
        "myjson_log": {
            "json": True,
            "timestamp-field": "when",
            "level-field": "sev",
            "body-field": "text",
            "description": "json lines",
        },
    }
    path = tmp_path / "formats" / "mine.json"
    path.parent.mkdir()
    path.write_text(json.dumps(spec))
    try:
        added = llamalog.load_lnav_formats(tmp_path / "formats")
        assert [p.name for p in added] == ["myapp_log", "myjson_log"]
        text = b"2026-12-07 22:16:21.341 |I| hello\n2026-12-07 22:16:22.000 |oops| bad\n"
        frame = read_quiet(text)
        assert frame.attrs["llamalog"]["format"] == "myapp_log"
        assert frame["level"].astype(str).tolist() == ["INFO", "ERROR"]
        assert frame["timestamp"].iloc[0] == pd.Timestamp("2026-12-07 22:16:21.341", tz="UTC")
        assert frame["message"].tolist() == ["hello", "bad"]
        rows = b'{"when":"2026-12-07T22:16:21Z","sev":"error","text":"boom"}\n'
        frame = read_quiet(rows, format="myjson_log")
        assert frame["message"].tolist() == ["boom"]
        assert frame["level"].astype(str).tolist() == ["ERROR"]
    finally:
        for name in ("myapp_log", "myjson_log"):
            PRESETS.pop(name, None)


def test_lnav_file_that_is_broken_is_skipped_with_a_warning(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.warns(LlamalogWarning, match="skipped lnav format file"):
        assert llamalog.load_lnav_formats(tmp_path) == []


# --------------------------------------------------------------------------- folders


def test_a_folder_of_mixed_logs_gets_a_format_per_file(tmp_path, datasets_dir):
    for name in ("syslog.log", "app.log", "access.log", "app.jsonl"):
        (tmp_path / name).write_bytes((datasets_dir / name).read_bytes())
    frame = read_quiet(str(tmp_path), year=2026)
    used = frame.attrs["llamalog"]["formats"]
    assert {k: v["sources"] for k, v in used.items()} == {
        "apache-combined": 1,
        "jsonl": 1,
        "log4j": 1,
        "syslog": 1,
    }
    assert frame["timestamp"].notna().all()
    per_file = frame.groupby("source", observed=True).size()
    assert per_file.to_dict() == {
        str(tmp_path / "access.log"): 1200,
        str(tmp_path / "app.jsonl"): 1200,
        str(tmp_path / "app.log"): 3000,
        str(tmp_path / "syslog.log"): 1200,
    }
    # rows stay in source order, lines ascending within each source
    codes = frame["source"].cat.codes.to_numpy()
    assert (np.diff(codes) >= 0).all()


def test_readme_tables_are_generated_from_the_code(readme_text):
    # python -m llamalog.parse._tables README.md rewrites them
    from llamalog.parse._tables import rewrite, tables

    assert rewrite(readme_text) == readme_text
    for name, table in tables().items():
        assert f"<!-- {name}:start -->\n{table}\n<!-- {name}:end -->" in readme_text


@pytest.mark.parametrize("preset", [p for p in HEADERS if p.also], ids=lambda p: p.name)
def test_a_format_with_several_line_patterns_reads_each(preset: Preset):
    lines = [preset.samples[0], *(s for alt in preset.also for s in alt.samples)]
    frame = read_quiet(("\n".join(lines) + "\n").encode(), format=preset.name)
    assert len(frame) == len(lines)  # each pattern's line starts a record
    assert frame["parse_ok"].all()
    for k, alt in enumerate(preset.also, start=1):
        row = frame.iloc[k]
        if alt.level:
            assert pd.notna(row["level"])
        if alt.time_fields:
            assert pd.notna(row["timestamp"])
        if alt.message:
            assert frame["message"].iloc[k] == row[alt.message]


def test_werkzeug_and_flask_lines_in_one_file():
    text = (
        b'127.0.0.1 - - [08/Dec/2026 00:06:34] "GET / HTTP/1.1" 200 -\n'
        b"[2026-12-08 00:06:34,291] ERROR in app: Exception on /orders/7 [GET]\n"
        b"Traceback (most recent call last):\n"
        b'  File "app.py", line 3, in boom\n'
        b"RuntimeError: bad\n"
        b'127.0.0.1 - - [08/Dec/2026 00:06:35] "GET /orders/7 HTTP/1.1" 500 -\n'
    )
    frame = read_quiet(text)
    assert frame.attrs["llamalog"]["format"] == "werkzeug"
    assert frame["n_lines"].tolist() == [1, 4, 1]
    assert frame["level"].astype(str).tolist() == ["INFO", "ERROR", "ERROR"]
    assert frame["timestamp"].tolist() == [
        pd.Timestamp("2026-12-08 00:06:34", tz="UTC"),
        pd.Timestamp("2026-12-08 00:06:34.291", tz="UTC"),
        pd.Timestamp("2026-12-08 00:06:35", tz="UTC"),
    ]
    assert frame["message"].iloc[1].startswith("Exception on /orders/7 [GET]\nTraceback")
    assert frame["problems"].astype(str).tolist() == ["", "", ""]


def test_the_real_corpus_read_as_one_list_keeps_each_files_fields(datasets_dir):
    logs = sorted((datasets_dir / "real").glob("*.log"))
    frame = read_quiet(logs, year=2026)
    assert frame["n_lines"].sum() == sum(sum(1 for _ in p.open("rb")) for p in logs)
    assert len(frame.attrs["llamalog"]["formats"]) >= 20
    assert list(frame.columns[-3:]) == ["n_lines", "parse_ok", "problems"]
    nginx = frame[frame["source"] == str(datasets_dir / "real" / "nginx-error.log")]
    assert nginx["Pid"].notna().all()


def test_an_lnav_format_with_several_patterns_is_one_format(tmp_path):
    spec = {
        "svc_log": {
            "description": "a service with request lines and event lines",
            "regex": {
                "event": {
                    "pattern": r"^(?<timestamp>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z) "
                    r"(?<level>[A-Z]+) (?<body>.*)$"
                },
                "request": {
                    "pattern": r"^(?<timestamp>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z) "
                    r"> (?<method>GET|POST) (?<body>\S+)$"
                },
            },
            "timestamp-format": ["%Y-%m-%dT%H:%M:%SZ"],
            "level": {"error": "ERR", "info": "INF"},
            "sample": [
                {"line": "2026-12-07T22:16:21Z INF started"},
                {"line": "2026-12-07T22:16:22Z > GET /health"},
            ],
        }
    }
    (tmp_path / "svc.json").write_text(json.dumps(spec))
    try:
        (preset,) = llamalog.load_lnav_formats(tmp_path / "svc.json")
        assert preset.name == "svc_log" and len(preset.also) == 1
        text = (
            b"2026-12-07T22:16:21Z INF started\n"
            b"2026-12-07T22:16:22Z > GET /health\n"
            b"2026-12-07T22:16:23Z ERR db down\n"
        )
        frame = read_quiet(text, format="svc_log")
        assert frame["parse_ok"].all()
        assert frame["message"].tolist() == ["started", "/health", "db down"]
        assert frame["level"].astype(object).fillna("-").tolist() == ["INFO", "-", "ERROR"]
        assert frame["timestamp"].dt.second.tolist() == [21, 22, 23]
        assert frame["method"].tolist()[1] == "GET"
    finally:
        PRESETS.pop("svc_log", None)


def test_register_format_with_another_line_pattern():
    try:
        register_format(
            "proxy-house",
            r"<Date> <Time> <Client> <Status:\d\d\d> <Content>",
            level="Status",
            samples=["2026-12-07 22:16:21 10.0.0.1 200 GET /"],
            also=[
                {
                    "format": r"\[<Stamp:\d+>\] <Level:[A-Z]+>: <Note>",
                    "time_fields": ["Stamp"],
                    "time_format": "%s",
                    "level": "Level",
                    "message": "Note",
                    "samples": ["[1765145781] WARN: upstream slow"],
                }
            ],
        )
        text = b"2026-12-07 22:16:21 10.0.0.1 200 GET /\n[1765145781] WARN: upstream slow\n"
        frame = read_quiet(text, format="proxy-house")
        assert frame["parse_ok"].all()
        assert frame["message"].tolist() == ["GET /", "upstream slow"]
        assert frame["level"].astype(object).fillna("-").tolist()[1] == "WARNING"
        assert frame["timestamp"].iloc[1] == pd.Timestamp(1765145781, unit="s", tz="UTC")
        with pytest.raises(FormatError, match="also="):
            register_format("bad-also", "<Content>", also=[{"pattern": "x"}])
    finally:
        PRESETS.pop("proxy-house", None)
