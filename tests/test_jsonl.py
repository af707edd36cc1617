"""Tests of the JSON-lines record parser (llamalog.parse.jsonl)."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llamalog.parse.jsonl as jsonl
from llamalog.errors import FormatError
from llamalog.parse.jsonl import JsonHints, JsonRecords, parse_json_records, sniff_json_lines

# ----------------------------------------------------------------------------- helpers


def arr(lines: list[str]) -> pa.LargeStringArray:
    return pa.array(lines, pa.large_string())


#: Module settings that send everything through pyarrow (even tiny inputs, and splitting
#: failing ranges down to single lines) or everything through json.loads.
CONFIGS = {
    "fast": {"_MIN_FAST_BYTES": 0, "_BLOCK_BYTES": 256, "_SLOW_RANGE": 1, "_MIN_FAILS": 10**9},
    "slow": {"_MIN_FAST_BYTES": 1 << 62},
    "default": {},
}


@contextlib.contextmanager
def config(name: str) -> Iterator[None]:
    saved = {k: getattr(jsonl, k) for k in CONFIGS[name]}
    safety_net = jsonl._FastReader.process_safely
    try:
        for k, v in CONFIGS[name].items():
            setattr(jsonl, k, v)
        # no fallback to the slow path on errors: a bug in the fast path must fail the test
        jsonl._FastReader.process_safely = jsonl._FastReader.process  # type: ignore[method-assign]
        yield
    finally:
        for k, v in saved.items():
            setattr(jsonl, k, v)
        jsonl._FastReader.process_safely = safety_net  # type: ignore[method-assign]


def same(a: Any, b: Any) -> bool:
    """Equality of equal types (so ``1 != 1.0`` and ``1 != True``) where NaN equals NaN."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return type(a) is type(b) and a == b


# ----------------------------------------------------------------------------- reference


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _flatten(obj: dict, prefix: str, sep: str, out: dict, top: set | None) -> None:
    for k, v in obj.items():
        name = prefix + k
        if isinstance(v, dict):
            _flatten(v, name + sep, sep, out, None)
        elif v is not None:
            if type(v) is int and not -(2**63) <= v < 2**63:
                v = float(v)
            out[name] = v
            if top is not None:
                top.add(name)


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    return "list"


def _column(values: list[Any], force_text: bool = False) -> tuple[str, list[Any]]:
    kinds = {_kind(v) for v in values if v is not None}
    if not kinds:
        return "null", values
    if len(kinds) == 1 and not (force_text and kinds != {"str"}):
        kind = kinds.pop()
        if kind == "list":
            return "list", [None if v is None else _text(v) for v in values]
        return kind, values
    if kinds == {"int", "float"} and not force_text:
        return "float", [None if v is None else float(v) for v in values]
    return "text", [None if v is None else _text(v) for v in values]


def reference(lines: list[str], sep: str = ".") -> dict[str, Any]:
    """Plain-Python parse of every line with json.loads, following the documented rules."""
    flats: list[dict | None] = []
    top: set[str] = set()
    for line in lines:
        try:
            obj = json.loads(line, strict=False)
        except (ValueError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            flat: dict = {}
            _flatten(obj, "", sep, flat, top)
            flats.append(flat)
        else:
            flats.append(None)
    ok = [f is not None for f in flats]
    names = list(dict.fromkeys(k for f in flats if f for k in f))
    columns = {k: _column([f.get(k) if f else None for f in flats]) for k in names}
    counts = {k: sum(f is not None and f.get(k) is not None for f in flats) for k in names}

    def pick(defaults: tuple[str, ...]) -> str | None:
        for cand in defaults:
            found = [k for k in names if k in top and k.lower() == cand]
            if found:
                return max(found, key=lambda k: counts[k])
        return None

    keys = {
        "message": pick(jsonl.DEFAULT_MESSAGE_KEYS),
        "time": pick(jsonl.DEFAULT_TIME_KEYS),
        "level": pick(jsonl.DEFAULT_LEVEL_KEYS),
    }
    message = list(lines)
    if keys["message"]:
        _, texts = _column([f.get(keys["message"]) if f else None for f in flats], True)
        message = [t if t is not None else line for t, line in zip(texts, lines, strict=True)]
    level = [None] * len(lines)
    if keys["level"]:
        level = _column([f.get(keys["level"]) if f else None for f in flats], True)[1]
    time = [None] * len(lines)
    if keys["time"]:
        values = [f.get(keys["time"]) if f else None for f in flats]
        kind, time = _column(values)
        if kind not in ("int", "float", "str", "null"):
            time = _column(values, True)[1]
    used = set(keys.values())
    auto = {k for k in names if columns[k][0] not in ("list", "null") and k not in used}
    return {
        "ok": ok,
        "keys": keys,
        "message": message,
        "level": level,
        "time": time,
        "columns": {k: columns[k] for k in auto},
    }


ARROW_KIND = {
    "bool": pa.bool_(),
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.large_string(),
    "text": pa.large_string(),
}


def check_against_reference(lines: list[str], rec: JsonRecords) -> None:
    ref = reference(lines)
    assert len(rec.message) == len(rec.time) == len(rec.level) == len(rec.ok) == len(lines)
    assert rec.ok.tolist() == ref["ok"]
    assert rec.keys == ref["keys"]
    assert rec.message.to_pylist() == ref["message"]
    assert rec.level.to_pylist() == ref["level"]
    got_time = rec.time.to_pylist()
    assert all(same(a, b) for a, b in zip(got_time, ref["time"], strict=True)), got_time
    assert set(rec.columns) == set(ref["columns"])
    for name, (kind, values) in ref["columns"].items():
        col = rec.columns[name]
        assert len(col) == len(lines)
        assert col.type == ARROW_KIND[kind], (name, col.type, kind)
        got = col.to_pylist()
        assert all(same(a, b) for a, b in zip(got, values, strict=True)), (name, got, values)


# ----------------------------------------------------------------------------- examples


def test_auto_key_detection_is_case_insensitive() -> None:
    rec = parse_json_records(
        arr(
            [
                '{"@timestamp": "2024-05-01T10:00:00Z", "Level": "INFO", "MSG": "started"}',
                '{"@timestamp": "2024-05-01T10:00:01Z", "Level": "WARN", "MSG": "slow"}',
            ]
        )
    )
    assert rec.keys == {"message": "MSG", "time": "@timestamp", "level": "Level"}
    assert rec.message.to_pylist() == ["started", "slow"]
    assert rec.level.to_pylist() == ["INFO", "WARN"]
    # the raw text of the time value: pyarrow's timestamp inference must not touch it
    assert rec.time.to_pylist() == ["2024-05-01T10:00:00Z", "2024-05-01T10:00:01Z"]
    assert rec.columns == {}  # the keys used for message, time and level are not repeated


def test_auto_key_priority_and_fallback_to_raw_line() -> None:
    lines = ['{"message": "m", "msg": "x", "time": 1, "ts": 2}', '{"msg": "only msg"}']
    rec = parse_json_records(arr(lines))
    assert rec.keys["message"] == "message"  # "message" comes before "msg"
    assert rec.keys["time"] == "time"
    assert rec.message.to_pylist() == ["m", lines[1]]  # no "message" key: the raw line
    assert rec.time.type == pa.int64()
    assert rec.time.to_pylist() == [1, None]
    assert rec.keys["level"] is None
    assert rec.level.null_count == 2
    assert rec.columns["msg"].to_pylist() == ["x", "only msg"]


def test_explicit_and_nested_dotted_keys() -> None:
    lines = [
        '{"ctx": {"text": "hello", "request_id": "r1"}, "http": {"status": 200}, "lvl": 30}',
        '{"ctx": {"text": "bye"}, "http": {"status": 404, "path": "/x"}, "lvl": 50}',
        "not json",
    ]
    rec = parse_json_records(
        arr(lines),
        message_key="ctx.text",
        level_key=["severity", "lvl"],
        time_key="nope",
        fields=["ctx.request_id", "http", "missing.key"],
    )
    assert rec.keys == {"message": "ctx.text", "time": None, "level": "lvl"}
    assert rec.message.to_pylist() == ["hello", "bye", "not json"]
    assert rec.level.to_pylist() == ["30", "50", None]  # levels are text
    assert list(rec.columns) == ["ctx.request_id", "http.status", "http.path", "missing.key"]
    assert rec.columns["ctx.request_id"].to_pylist() == ["r1", None, None]
    assert rec.columns["http.status"].type == pa.int64()
    assert rec.columns["http.status"].to_pylist() == [200, 404, None]
    assert rec.columns["http.path"].to_pylist() == [None, "/x", None]
    assert rec.columns["missing.key"].to_pylist() == [None, None, None]
    assert rec.time.to_pylist() == [None, None, None]


def test_custom_separator_and_keys_with_dots() -> None:
    lines = ['{"a.b": 1, "c": {"d": 2}}', '{"a.b": 3, "c": {"d": 4}}']
    rec = parse_json_records(arr(lines), sep="/")
    assert rec.columns["a.b"].to_pylist() == [1, 3]
    assert rec.columns["c/d"].to_pylist() == [2, 4]
    rec = parse_json_records(arr(lines), fields=["a.b", "c.d"])
    assert rec.columns["a.b"].to_pylist() == [1, 3]
    assert rec.columns["c.d"].to_pylist() == [2, 4]


@pytest.mark.parametrize("name", ["fast", "slow", "default"])
def test_bad_lines_keep_raw_text(name: str) -> None:
    lines = [
        '{"msg": "good", "n": 1}',
        '{"msg": "truncated',
        '{"msg": "trailing comma",}',
        "{'msg': 'python repr'}",
        '{"msg": "two"}{"msg": "objects"}',
        '{"n": Inf}',
        "",
        "plain text line",
        '{"msg": "good again", "n": 2}',
    ]
    with config(name):
        rec = parse_json_records(arr(lines))
    assert rec.ok.tolist() == [True, False, False, False, False, False, False, False, True]
    assert rec.message.to_pylist() == ["good", *lines[1:-1], "good again"]
    assert rec.columns["n"].to_pylist() == [1, None, None, None, None, None, None, None, 2]
    assert rec.ok.dtype == np.bool_


@pytest.mark.parametrize("name", ["fast", "slow"])
def test_json_that_is_not_an_object(name: str) -> None:
    lines = ["[1, 2]", '"str"', "42", "null", "true", "{}", " {} "]
    with config(name):
        rec = parse_json_records(arr(lines))
    assert rec.ok.tolist() == [False] * 5 + [True, True]
    assert rec.message.to_pylist() == lines


@pytest.mark.parametrize("name", ["fast", "slow"])
def test_mixed_types(name: str) -> None:
    lines = [
        '{"a": 1, "b": 1, "c": true, "d": "x", "e": 1, "f": {"g": 1}}',
        '{"a": "two", "b": 2.5, "c": false, "d": null, "e": true, "f": 3}',
        '{"a": [1, 2], "b": 3, "c": null, "d": "y", "e": 1.5, "f": {"g": "h"}}',
    ]
    with config(name):
        rec = parse_json_records(arr(lines))
    cols = {k: (v.type, v.to_pylist()) for k, v in rec.columns.items()}
    assert cols["a"] == (pa.large_string(), ["1", "two", "[1,2]"])
    assert cols["b"] == (pa.float64(), [1.0, 2.5, 3.0])
    assert cols["c"] == (pa.bool_(), [True, False, None])
    assert cols["d"] == (pa.large_string(), ["x", None, "y"])
    assert cols["e"] == (pa.large_string(), ["1", "true", "1.5"])
    assert cols["f"] == (pa.int64(), [None, 3, None])
    assert cols["f.g"] == (pa.large_string(), ["1", None, "h"])


@pytest.fixture
def slow_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Lines handed to the slow path (json.loads) during the test."""
    calls: list[str] = []
    load = jsonl._load_object

    def spy(text: str) -> Any:
        calls.append(text)
        return load(text)

    monkeypatch.setattr(jsonl, "_load_object", spy)
    return calls


def test_clean_input_never_reaches_the_slow_path(slow_calls: list[str]) -> None:
    lines = [
        json.dumps({"ts": f"2024-01-01T00:00:{i % 60:02d}Z", "msg": f"m\t{i}", "n": i / 3})
        for i in range(5000)
    ]
    lines = [line.replace("\\t", "\t") for line in lines]  # raw tabs inside strings
    with config("default"):
        rec = parse_json_records(arr(lines))
    assert rec.ok.all()
    assert slow_calls == []
    check_against_reference(lines, rec)


def test_type_conflicts_across_many_lines_stay_on_the_fast_path(slow_calls: list[str]) -> None:
    lines = []
    for i in range(3000):
        value = json.dumps(i) if i % 3 else json.dumps(f"id-{i}")
        lines.append(f'{{"msg": "m{i}", "id": {value}, "ctx": {{"v": {value}}}}}')
    with config("default"):
        rec = parse_json_records(arr(lines))
    assert slow_calls == []
    assert rec.ok.all()
    want = [str(i) if i % 3 else f"id-{i}" for i in range(3000)]
    assert rec.columns["id"].to_pylist() == want
    assert rec.columns["ctx.v"].to_pylist() == want
    check_against_reference(lines, rec)


def test_edge_values_match_json_loads() -> None:
    lines = [
        '{"big": 123456789012345678901234567890, "i": 9223372036854775807}',
        '{"big": 1, "i": -9223372036854775808, "f": NaN, "g": Infinity}',
        '{"dup": 1, "dup": 2, "esc": "\\u00e9\\n\\"", "tab": "a\tb", "ctl": "\x01"}',
        '{"t": "2024-01-01", "tz": "2024-01-01T00:00:00+02:00", "u": "\\ud83d\\ude00"}',
        '{"exp": 1E400, "neg": -0, "i": 1152921504606846977, "big": 2.5}',
        '{"nested": {"deep": {"deeper": {"x": [true, false]}}}, "empty": {}, "e2": []}',
        '{"a" :\t1 , "b":\n2}',
        '\t{"lead": "tab"}',
        '{"x": -NaN}',
        '{"x": Inf}',
        '{"nul": "a\x00b", "z": 1}',
    ]
    for name in ("fast", "slow", "default"):
        with config(name):
            rec = parse_json_records(arr(lines))
        check_against_reference(lines, rec)
        assert rec.ok.tolist() == [True] * 8 + [False, False, True]
        assert rec.columns["big"].type == pa.float64()
        assert rec.columns["i"].to_pylist()[:2] == [2**63 - 1, -(2**63)]
        assert rec.columns["dup"].to_pylist()[2] == 2
        assert rec.columns["tab"].to_pylist()[2] == "a\tb"
        assert rec.columns["tz"].to_pylist()[3] == "2024-01-01T00:00:00+02:00"
        assert rec.columns["nul"].to_pylist()[-1] == "a\x00b"


@pytest.mark.parametrize("name", ["fast", "slow"])
def test_keys_renamed_by_kind_keep_json_loads_semantics(name: str) -> None:
    # "a" changes kind between lines, so the fast path renames it by kind: duplicates of
    # different kinds must still resolve as json.loads does (last wins), and arrays must
    # not show the renamed keys
    lines = [
        '{"a": ""}',
        '{"a": 0, "a": ""}',
        '{"a": 1, "a": null}',
        '{"l": [{"a": 2}], "b": 1}',
        '{"l": [{"a": "x"}, {"b": true}], "a": "s"}',
    ]
    with config(name):
        rec = parse_json_records(arr(lines), fields=["a", "l"])
    assert rec.ok.all()
    assert rec.columns["a"].to_pylist() == ["", "", None, None, "s"]
    assert rec.columns["l"].to_pylist()[3] == '[{"a":2}]'
    with config(name):
        check_against_reference(lines, parse_json_records(arr(lines)))


@pytest.mark.parametrize("name", ["fast", "default"])
def test_time_values_stay_raw_text_across_blocks(name: str) -> None:
    lines = [f'{{"time": "2024-05-01T10:00:{i % 60:02d}+02:00", "msg": "a"}}' for i in range(500)]
    lines += [f'{{"time": {1714550400 + i}, "msg": "b"}}' for i in range(500)]
    lines += ['{"time": "2024-05-01", "msg": "c"}']
    with config(name):
        rec = parse_json_records(arr(lines))
    assert rec.keys["time"] == "time"
    assert rec.time.type == pa.large_string()
    want = [f"2024-05-01T10:00:{i % 60:02d}+02:00" for i in range(500)]
    assert rec.time.to_pylist() == [*want, *(str(1714550400 + i) for i in range(500)), "2024-05-01"]


@pytest.mark.parametrize("name", ["fast", "default"])
def test_hints_carried_between_calls_never_change_the_records(name: str) -> None:
    stamps = [
        f'{{"time": "2024-05-01T10:00:{i % 60:02d}Z", "msg": "a", "n": {i}}}' for i in range(800)
    ]
    # the next calls hold "time" as numbers, then objects, then strings again
    numbers = [f'{{"time": {1714550400 + i}, "msg": "b", "n": "x{i}"}}' for i in range(800)]
    objects = [f'{{"time": {{"s": {i}}}, "msg": "c"}}' for i in range(800)]
    calls = [stamps, numbers, objects, stamps]
    with config(name):
        hints = JsonHints()
        with_hints = [parse_json_records(arr(c), hints=hints) for c in calls]
        assert hints.strings is not None  # pyarrow's timestamps were read as text
        alone = [parse_json_records(arr(c)) for c in calls]
    for lines, a, b in zip(calls, with_hints, alone, strict=True):
        check_against_reference(lines, a)
        assert a.keys == b.keys and a.ok.tolist() == b.ok.tolist()
        assert a.time.equals(b.time) and a.message.equals(b.message)
        assert {k: v.type for k, v in a.columns.items()} == {
            k: v.type for k, v in b.columns.items()
        }
        assert all(a.columns[k].equals(b.columns[k]) for k in a.columns)


def test_lone_surrogate_escape_becomes_replacement_character() -> None:
    rec = parse_json_records(arr(['{"msg": "a\\ud800b"}']))
    assert rec.ok.tolist() == [True]
    assert rec.message.to_pylist() == ["a\ufffdb"]


def test_deep_nesting_does_not_crash() -> None:
    deep = '{"a":' * 50_000 + "1" + "}" * 50_000
    lines = [deep, '{"msg": "fine"}', '{"l":' + "[" * 5000 + "]" * 5000 + "}"]
    with config("fast"):
        rec = parse_json_records(arr(lines))
    assert rec.ok.tolist() == [False, True, False]  # too deep for json.loads: invalid
    assert rec.message.to_pylist()[1] == "fine"


def test_one_megabyte_line() -> None:
    big = "x" * (1 << 20)
    lines = ['{"msg": "small"}', json.dumps({"msg": big, "n": 7}), '{"msg": "after"}']
    with config("fast"):
        rec = parse_json_records(arr(lines))
    assert rec.ok.all()
    assert rec.message.to_pylist() == ["small", big, "after"]
    assert rec.columns["n"].to_pylist() == [None, 7, None]


def test_empty_input() -> None:
    rec = parse_json_records(pa.array([], pa.large_string()))
    assert len(rec) == 0
    assert rec.message.type == pa.large_string() and len(rec.message) == 0
    assert len(rec.time) == 0 and len(rec.level) == 0
    assert rec.ok.shape == (0,) and rec.ok.dtype == np.bool_
    assert rec.columns == {}
    assert rec.keys == {"message": None, "time": None, "level": None}


def test_all_invalid_and_nulls() -> None:
    data = pa.array(["", None, "x", "{"], pa.large_string())
    rec = parse_json_records(data)
    assert rec.ok.tolist() == [False] * 4
    assert rec.message.to_pylist() == ["", "", "x", "{"]


def test_accepts_string_sliced_and_chunked_arrays() -> None:
    lines = [f'{{"msg": "m{i}", "i": {i}}}' for i in range(300)]
    for data in (
        pa.array(lines, pa.string()),
        pa.array(["junk", *lines], pa.large_string()).slice(1),
        pa.chunked_array([lines[:100], lines[100:]], pa.large_string()),
    ):
        rec = parse_json_records(data)
        assert rec.columns["i"].to_pylist() == list(range(300))
        assert rec.message.to_pylist() == [f"m{i}" for i in range(300)]


def test_column_cap_keeps_the_most_frequent_keys() -> None:
    lines = []
    for i in range(100):
        obj = {f"k{j:03d}": j for j in range(70) if i < 100 - j}  # k000 in every line ...
        obj["msg"] = "m"
        lines.append(json.dumps(obj))
    rec = parse_json_records(arr(lines))
    assert len(rec.columns) == jsonl.MAX_AUTO_FIELDS
    assert list(rec.columns) == [f"k{j:03d}" for j in range(64)]  # most frequent first
    assert rec.dropped == tuple(f"k{j:03d}" for j in range(64, 70))
    # explicit fields are never capped
    rec = parse_json_records(arr(lines), fields=[f"k{j:03d}" for j in range(70)])
    assert len(rec.columns) == 70


def test_large_input_with_bad_lines_on_default_settings() -> None:
    rng = np.random.default_rng(7)
    lines = []
    for i in range(20_000):
        r = rng.random()
        if r < 0.002:
            lines.append('{"msg": "bad", oops}')
        elif r < 0.004:
            lines.append("Traceback (most recent call last):")
        else:
            lines.append(
                json.dumps(
                    {
                        "ts": f"2024-01-01T00:00:{i % 60:02d}Z",
                        "level": "info",
                        "msg": f"request {i}",
                        "dur": float(i) / 7,
                        "ctx": {"rid": f"r{i}"},
                    }
                )
            )
    rec = parse_json_records(arr(lines))
    check_against_reference(lines, rec)


def test_sniff_json_lines() -> None:
    assert sniff_json_lines(['{"a": 1}', "", "  ", '{"b": 2}']) == 1.0
    assert sniff_json_lines(['{"a": 1}', "text", "[1]", "{bad}"]) == 0.25
    assert sniff_json_lines([]) == 0.0
    assert sniff_json_lines(["", ""]) == 0.0
    assert sniff_json_lines(['\ufeff{"a": 1}', '{"b": 2}\r']) == 1.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fields": "ctx.id"}, "sequence of key names"),
        ({"fields": ["ok", ""]}, "non-empty"),
        ({"message_key": ""}, "empty string"),
        ({"time_key": 3}, "time_key"),
        ({"level_key": []}, "level_key"),
        ({"sep": ""}, "sep"),
    ],
)
def test_bad_arguments_raise_format_error(kwargs: dict, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        parse_json_records(arr(["{}"]), **kwargs)


def test_bad_lines_argument() -> None:
    with pytest.raises(FormatError, match="pyarrow"):
        parse_json_records(["{}"])  # type: ignore[arg-type]
    with pytest.raises(FormatError, match="type int64"):
        parse_json_records(pa.array([1, 2]))
    with pytest.raises(FormatError):
        sniff_json_lines("{}")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- properties

_keys = st.sampled_from(["msg", "Message", "level", "time", "ts", "a", "b", "n", "ctx", "x y"])
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["2024-01-01", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00", "INFO"]),
    st.lists(st.integers(-5, 5), max_size=3),
    st.lists(st.text(max_size=3), max_size=3),
)
_values = st.recursive(
    _scalars, lambda inner: st.dictionaries(_keys, inner, max_size=3), max_leaves=6
)
_objects = st.dictionaries(_keys, _values, max_size=6)


@st.composite
def _good_line(draw: st.DrawFn) -> str:
    obj = draw(_objects)
    compact = draw(st.booleans())
    return json.dumps(
        obj,
        ensure_ascii=draw(st.booleans()),
        separators=(",", ":") if compact else (", ", ": "),
    )


_bad_line = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "[1, 2]",
            "42",
            '"s"',
            "{",
            "}",
            "{}{}",
            '{"a": 1,}',
            '{"a": Inf}',
            '{"a": -NaN}',
            '{"a": 01}',
            "{'a': 1}",
            '{"a": "x\ty"}',
            '{"a":\n1}',
            '{"a": 1} ',
            '{"a": [1, "x"]}',
            '{"a": 1, "a": "b"}',
        ]
    ),
    _good_line().map(lambda s: s[: len(s) // 2]),
)
_lines = st.lists(st.one_of(_good_line(), _good_line(), _bad_line), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_lines, name=st.sampled_from(["fast", "slow"]))
def test_matches_plain_python_reference(lines: list[str], name: str) -> None:
    with config(name):
        rec = parse_json_records(arr(lines))
    check_against_reference(lines, rec)


@settings(max_examples=40, deadline=None)
@given(lines=_lines)
def test_rows_are_never_dropped_or_reordered(lines: list[str]) -> None:
    tagged = []
    for i, line in enumerate(lines):
        tagged.append(f'{{"msg": "row {i}"}}' if i % 2 else line)
    with config("fast"):
        rec = parse_json_records(arr(tagged), message_key="msg")
    message = rec.message.to_pylist()
    assert len(message) == len(rec.ok) == len(rec.time) == len(rec.level) == len(tagged)
    assert all(len(col) == len(tagged) for col in rec.columns.values())
    for i, line in enumerate(tagged):
        if i % 2:
            assert rec.ok[i] and message[i] == f"row {i}"
        elif not rec.ok[i]:
            assert message[i] == line


def test_many_json_files_find_each_time_format(tmp_path):
    """A read tries the time format of the file before first, and infers again where it
    does not read a file: every file's times are those of reading it alone."""
    import pandas as pd

    import llamalog

    stamps = ["2026-03-01T08:00:00Z", "13/03/2026 09:30:00", "2026-03-02 10:15:00.250", "x"]
    paths = []
    for k in range(12):
        stamp = stamps[k % len(stamps)]
        rows = [{"time": stamp, "level": "info", "message": f"file {k} row {j}"} for j in range(3)]
        path = tmp_path / f"{k:02d}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        paths.append(str(path))
    together = llamalog.read_logs(paths, format="jsonl")
    alone = pd.concat([llamalog.read_logs(p, format="jsonl") for p in paths], ignore_index=True)
    assert together["timestamp"].tolist() == alone["timestamp"].tolist()
    assert together["problems"].astype(str).tolist() == alone["problems"].astype(str).tolist()
    assert together["timestamp"].notna().sum() == 27  # the "x" files have none


# ----------------------------------------------------------------------------- real loggers

#: One line per logger, as the program writes it, and what a read must give: time (UTC),
#: level, message.
LOGGERS = {
    "pino": (
        '{"level":30,"time":1796681781341,"pid":123,"hostname":"web-1","msg":"request completed"}',
        "2026-12-07 22:16:21.341", "INFO", "request completed",
    ),
    "bunyan": (
        '{"name":"app","hostname":"web-1","pid":123,"level":50,"msg":"db down",'
        '"time":"2026-12-07T22:16:21.341Z","v":0}',
        "2026-12-07 22:16:21.341", "ERROR", "db down",
    ),
    "winston": (
        '{"level":"http","message":"GET /health 200","timestamp":"2026-12-07T22:16:21.341Z"}',
        "2026-12-07 22:16:21.341", "INFO", "GET /health 200",
    ),
    "zap": (
        '{"level":"warn","ts":1796681781.341,"caller":"server/main.go:42","msg":"slow request"}',
        "2026-12-07 22:16:21.341", "WARNING", "slow request",
    ),
    "slog": (
        '{"time":"2026-12-07T23:16:21.341234+01:00","level":"WARN+2","msg":"disk almost full"}',
        "2026-12-07 22:16:21.341234", "WARNING", "disk almost full",
    ),
    "structlog": (
        '{"event":"user logged in","level":"info","timestamp":"2026-12-07T22:16:21.341234Z"}',
        "2026-12-07 22:16:21.341234", "INFO", "user logged in",
    ),
    "python-json-logger": (
        '{"asctime":"2026-12-07 22:16:21,341","levelname":"ERROR","name":"app","message":"boom"}',
        "2026-12-07 22:16:21.341", "ERROR", "boom",
    ),
    "journald": (
        '{"__REALTIME_TIMESTAMP":"1796681781341234","PRIORITY":"3","_PID":"99",'
        '"_SYSTEMD_UNIT":"sshd.service","MESSAGE":"error: kex_exchange_identification"}',
        "2026-12-07 22:16:21.341234", "ERROR", "error: kex_exchange_identification",
    ),
    "docker": (
        '{"log":"GET / 200\\n","stream":"stdout","time":"2026-12-07T22:16:21.341234567Z"}',
        "2026-12-07 22:16:21.341234567", None, "GET / 200",
    ),
    "postgresql": (
        '{"timestamp":"2026-12-07 22:16:58.416 UTC","user":"postgres","dbname":"app",'
        '"pid":42,"error_severity":"FATAL","message":"password authentication failed"}',
        "2026-12-07 22:16:58.416", "CRITICAL", "password authentication failed",
    ),
    "mongodb": (
        '{"t":{"$date":"2026-12-07T22:16:21.341+00:00"},"s":"W","c":"NETWORK","id":22943,'
        '"ctx":"listener","msg":"Connection accepted"}',
        "2026-12-07 22:16:21.341", "WARNING", "Connection accepted",
    ),
    "gelf": (
        '{"version":"1.1","host":"web-1","short_message":"Backend down","timestamp":'
        '1796681781.341,"level":3,"_user":"bob"}',
        "2026-12-07 22:16:21.341", "ERROR", "Backend down",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LOGGERS))
def test_real_logger_lines(tmp_path, name):
    import pandas as pd

    import llamalog

    line, when, level, message = LOGGERS[name]
    path = tmp_path / f"{name}.jsonl"
    path.write_text(line + "\n" + line + "\n")
    for fmt in ("jsonl", "auto"):
        frame = llamalog.read_logs(path, format=fmt)
        row = frame.iloc[0]
        assert row["timestamp"] == pd.Timestamp(when, tz="UTC"), fmt
        assert (None if pd.isna(row["level"]) else row["level"]) == level, fmt
        assert row["message"] == message, fmt
        assert frame["parse_ok"].all() and (frame["problems"] == "").all(), fmt


@pytest.mark.parametrize(
    ("values", "rule", "levels"),
    [
        ([10, 20, 30, 40, 50, 60], "pino",
         ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
        ([30, 35], "pino", ["INFO", "INFO"]),
        ([0, 3, 6, 7], "syslog", ["EMERGENCY", "ERROR", "INFO", "DEBUG"]),
        ([30.0, 50.0], "pino", ["INFO", "ERROR"]),
        ([3, 30], None, ["ERROR", None]),  # names: 3 is a syslog severity
        (["info", "warn"], None, ["INFO", "WARNING"]),
    ],
)  # fmt: skip
def test_numeric_levels_choose_pino_or_syslog(values, rule, levels):
    from llamalog.parse.jsonblock import DERIVED_LEVELS, normalize_level, normalize_levels

    rec = parse_json_records(arr([json.dumps({"level": v, "msg": "x"}) for v in values]))
    assert rec.level_rule == rule
    mapper = DERIVED_LEVELS[rule] if rule else normalize_level
    got = normalize_levels(rec.level, mapper).tolist()
    assert [None if isinstance(v, float) else v for v in got] == levels


def test_mongodb_s_is_a_level_only_with_mongodb_values():
    mongo = parse_json_records(arr(['{"s": "I", "msg": "a"}', '{"s": "D2", "msg": "b"}']))
    assert mongo.keys["level"] == "s" and mongo.level.to_pylist() == ["I", "D2"]
    other = parse_json_records(arr(['{"s": "x", "msg": "a"}', '{"s": "I", "msg": "b"}']))
    assert other.keys["level"] is None and "s" in other.columns
    both = parse_json_records(arr(['{"s": "I", "level": "warn", "msg": "a"}']))
    assert both.keys["level"] == "level"


def test_nested_time_key_candidate():
    rec = parse_json_records(arr(['{"t": {"$date": "2026-12-07T22:16:21Z"}, "msg": "a"}']))
    assert rec.keys["time"] == "t.$date"
    rec = parse_json_records(arr(['{"t": {"$date": "x"}, "msg": "a"}']), sep="/")
    assert rec.keys["time"] == "t/$date"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1796681781], "2026-12-07 22:16:21"),
        ([1796681781.341], "2026-12-07 22:16:21.341"),
        ([1796688485.8431454], "2026-12-08 00:08:05.8431454"),  # Caddy: 7 digits as written
        ([-1.25, 0.1], "1969-12-31 23:59:58.75"),
        ([1796681781341], "2026-12-07 22:16:21.341"),
        ([1796681781341.5], "2026-12-07 22:16:21.3415"),
        ([1796681781341234], "2026-12-07 22:16:21.341234"),
        ([1796681781341234567], "2026-12-07 22:16:21.341234567"),
    ],
)
def test_epoch_numbers_exact(values, expected):
    import pandas as pd

    from llamalog.parse.jsonblock import epoch_ns

    assert epoch_ns(np.array(values)).tolist()[0] == pd.Timestamp(expected).value


def test_time_format_is_honoured(tmp_path):
    import pandas as pd

    import llamalog

    path = tmp_path / "a.jsonl"
    rows = [{"when": "07.12.26 22h16", "msg": "a"}, {"when": "08.12.26 01h00", "msg": "b"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    expected = [
        pd.Timestamp("2026-12-07 22:16", tz="UTC"),
        pd.Timestamp("2026-12-08 01:00", tz="UTC"),
    ]
    opts = {"time_key": "when"}
    frame = llamalog.read_logs(
        path, format="jsonl", json_options=opts, time_format="%d.%m.%y %Hh%M"
    )
    assert frame["timestamp"].tolist() == expected
    frame = llamalog.read_logs(
        path, format="jsonl", json_options={**opts, "time_format": "%d.%m.%y %Hh%M"}
    )
    assert frame["timestamp"].tolist() == expected
    # numbers read as their text: epoch milliseconds given as %Q, not guessed by size
    path.write_text('{"t": 1796681781341, "msg": "a"}\n')
    frame = llamalog.read_logs(path, format="jsonl", time_format="%Q")
    assert frame["timestamp"].tolist() == [pd.Timestamp("2026-12-07 22:16:21.341", tz="UTC")]
