"""Real logs from real programs (``datasets/real``) read with ``format="auto"`` to their
hand-checked expectations: the format, every record's first line, length, timestamp
(UTC, at the precision the log writes) and level."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import llamalog

REAL = Path(__file__).resolve().parents[1] / "datasets" / "real"
CASES = sorted(REAL.glob("*.expect.json"))


def _log_of(expect: Path) -> Path:
    stem = expect.name.removesuffix(".expect.json")
    found = [p for p in REAL.glob(stem + ".*") if not p.name.endswith(".expect.json")]
    assert len(found) == 1, f"{expect.name}: expected one log file named {stem}.*, got {found}"
    return found[0]


def read_expected(expect: Path):
    spec = json.loads(expect.read_text(encoding="utf-8"))
    records = pd.DataFrame(spec["records"], columns=["line", "n_lines", "timestamp", "level"])
    # a time written with more than 6 decimals is an epoch float (zap, Caddy): a float64
    # of ~1.8e9 seconds holds it to about 0.2 us, so it is compared to the microsecond
    digits = records["timestamp"].str.extract(r"\.(\d+)", expand=False).str.len()
    records["tolerance"] = pd.to_timedelta((digits > 6).map({True: 1, False: 0}), unit="us")
    records["timestamp"] = pd.to_datetime(records["timestamp"], utc=True, format="ISO8601")
    return spec, records


def test_the_corpus_is_there():
    assert len(CASES) >= 30, [c.name for c in CASES]
    spec = [json.loads(c.read_text())["format"] for c in CASES]
    assert len(set(spec)) >= 20


@pytest.mark.parametrize("expect", CASES, ids=lambda p: p.name.removesuffix(".expect.json"))
def test_real_log_reads_to_its_expectations(expect: Path):
    spec, want = read_expected(expect)
    log = _log_of(expect)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", llamalog.LlamalogWarning)
        frame = llamalog.read_logs(log, **spec.get("read", {}))
    doubts = [str(w.message) for w in caught if "unsure" in str(w.message)]
    meta = frame.attrs["llamalog"]
    assert meta["format"] == spec["format"], (meta["detected"], doubts)
    assert not doubts, doubts
    n_lines = sum(1 for _ in log.open("rb"))
    assert frame["n_lines"].sum() == n_lines  # every line in exactly one row
    assert len(frame) == len(want)
    got = frame[["line", "n_lines"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want[["line", "n_lines"]], check_dtype=False)
    got_time = frame["timestamp"].reset_index(drop=True)
    off = (got_time - want["timestamp"]).abs()
    bad_time = ~(off <= want["tolerance"]) & ~(got_time.isna() & want["timestamp"].isna())
    assert not bad_time.any(), pd.DataFrame(
        {"line": want["line"], "got": frame["timestamp"].to_numpy(), "want": want["timestamp"]}
    )[bad_time.to_numpy()].head()
    got_level = frame["level"].astype(object).where(frame["level"].notna(), None).tolist()
    want_level = [None if pd.isna(v) else v for v in want["level"]]
    wrong = [
        (line, g, w)
        for line, g, w in zip(want["line"], got_level, want_level, strict=True)
        if g != w
    ]
    assert not wrong, wrong[:10]
