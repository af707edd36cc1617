"""llamalog.follow: a growing file yields each record once, across rotation and truncation."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pandas as pd
import pytest

import llamalog
from llamalog.errors import SourceError
from llamalog.read.reader import concat_frames

FMT = "<Date> <Time> <Level> <Content>"
FAST = dict(poll=0.01, flush_after=0.05, idle_timeout=0.5)


def _append(path, text: str) -> None:
    with open(path, "a", encoding="utf-8", newline="") as f:
        f.write(text)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values only: categories and string storage may differ batch by batch."""
    return frame.astype(object).reset_index(drop=True)


def test_batches_of_a_growing_file_equal_one_read_of_the_result(tmp_path):
    path = tmp_path / "app.log"
    _append(path, "2026-03-01 08:00:00 INFO started\n2026-03-01 08:00:01 DEBUG tick 1\n")
    stream = llamalog.follow(path, format=FMT, from_start=True, **FAST)
    batches = [next(stream)]
    # a stack trace written in two parts, then a line written in two parts
    _append(path, "2026-03-01 08:00:02 ERROR failed\n\tat com.example.Db.open(Db.java:10)\n")
    _append(path, "\tat com.example.App.main(App.java:3)\n2026-03-01 08:00:03 WARN half")
    _append(path, " written\n2026-03-01 08:00:04 INFO done\n")
    batches += list(stream)
    got = concat_frames(batches)
    want = llamalog.read_logs(path, format=FMT)
    assert len(got) == len(want) == 5
    pd.testing.assert_frame_equal(_plain(got), _plain(want))
    trace = got[got["level"] == "ERROR"].iloc[0]
    assert trace["n_lines"] == 3 and trace["message"].endswith("App.main(App.java:3)")
    assert got["message"].tolist()[3] == "half written"


def test_without_from_start_only_new_lines_come_with_their_file_line_numbers(tmp_path):
    path = tmp_path / "app.log"
    _append(path, "".join(f"2026-03-01 08:00:0{i} INFO old {i}\n" for i in range(3)))
    stream = llamalog.follow(path, format=FMT, multiline=False, **FAST)
    _append(path, "2026-03-01 08:00:05 INFO new 1\n2026-03-01 08:00:06 INFO new 2\n")
    got = concat_frames(list(stream))
    assert got["message"].tolist() == ["new 1", "new 2"]
    assert got["line"].tolist() == [4, 5]
    assert got["timestamp"].dt.second.tolist() == [5, 6]


def test_rotation_reads_the_old_file_to_its_end_then_the_new_one(tmp_path):
    path = tmp_path / "app.log"
    _append(path, "2026-03-01 08:00:00 INFO one\n")
    stream = llamalog.follow(path, format=FMT, from_start=True, multiline=False, **FAST)
    first = next(stream)
    _append(path, "2026-03-01 08:00:01 INFO two\n")
    os.rename(path, tmp_path / "app.log.1")  # logrotate: rename, then a new file
    _append(path, "2026-03-01 08:00:02 INFO three\n2026-03-01 08:00:03 INFO four\n")
    got = concat_frames([first, *stream])
    assert got["message"].tolist() == ["one", "two", "three", "four"]
    assert got["line"].tolist() == [1, 2, 1, 2]


def test_truncation_in_place_starts_again_from_the_top(tmp_path):
    path = tmp_path / "app.log"
    _append(path, "2026-03-01 08:00:00 INFO before a\n2026-03-01 08:00:01 INFO before b\n")
    stream = llamalog.follow(path, format=FMT, from_start=True, multiline=False, **FAST)
    assert next(stream)["message"].tolist() == ["before a", "before b"]
    with open(path, "r+b") as f:  # copytruncate
        f.truncate(0)
    _append(path, "2026-03-01 09:00:00 INFO after\n")
    got = concat_frames(list(stream))
    assert got["message"].tolist() == ["after"]
    assert got["line"].tolist() == [1]


def test_idle_timeout_yields_a_last_line_without_newline(tmp_path):
    path = tmp_path / "app.log"
    _append(path, "2026-03-01 08:00:00 INFO complete\n2026-03-01 08:00:01 INFO no newline")
    got = concat_frames(list(llamalog.follow(path, format=FMT, from_start=True, **FAST)))
    assert got["message"].tolist() == ["complete", "no newline"]


def test_auto_format_waits_for_lines_and_json_lines_follow(tmp_path):
    path = tmp_path / "events.jsonl"
    path.touch()
    stream = llamalog.follow(path, from_start=True, **FAST)
    _append(path, '{"time": "2026-03-01T08:00:00Z", "level": "error", "message": "disk full"}\n')
    got = next(stream)
    assert got["message"].tolist() == ["disk full"]
    assert got["level"].astype(str).tolist() == ["ERROR"]
    assert list(stream) == []


def test_follow_refuses_what_it_cannot_follow(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        next(llamalog.follow(tmp_path / "missing.log"))
    packed = tmp_path / "old.log.gz"
    packed.write_bytes(gzip.compress(b"2026-03-01 08:00:00 INFO x\n"))
    with pytest.raises(SourceError, match="compressed"):
        next(llamalog.follow(packed, format=FMT, **FAST))
    plain = tmp_path / "a.log"
    plain.write_text("x\n")
    with pytest.raises(TypeError, match="unknown options"):
        next(llamalog.follow(plain, format=FMT, cache=True))
    with pytest.raises(ValueError, match="poll"):
        next(llamalog.follow(plain, format=FMT, poll=-1))


def test_a_glob_follows_every_file_and_the_ones_created_later(tmp_path):
    a, b, c = (tmp_path / f"app-{x}.log" for x in "abc")
    _append(a, "2026-03-01 08:00:00 INFO a one\n")
    _append(b, "2026-03-01 08:00:00 INFO b one\n")
    stream = llamalog.follow(
        tmp_path / "app-*.log", format=FMT, from_start=True, multiline=False, **FAST
    )
    first = [next(stream), next(stream)]
    _append(a, "2026-03-01 08:00:01 INFO a two\n")
    _append(c, "2026-03-01 08:00:02 INFO c one\n2026-03-01 08:00:03 INFO c two\n")
    batches = [*first, *stream]
    assert all(batch["source"].nunique() == 1 for batch in batches)
    got = concat_frames(batches)
    by_file = {
        Path(str(src)).name: grp["message"].tolist()
        for src, grp in got.groupby("source", observed=True)
    }
    assert by_file == {
        "app-a.log": ["a one", "a two"],
        "app-b.log": ["b one"],
        "app-c.log": ["c one", "c two"],
    }
    assert got[got["source"].astype(str).str.endswith("app-c.log")]["line"].tolist() == [1, 2]


def test_a_directory_leaves_out_compressed_archives_and_waits_for_files(tmp_path):
    (tmp_path / "old.log.1.gz").write_bytes(gzip.compress(b"2026-03-01 07:00:00 INFO old\n"))
    with pytest.warns(llamalog.LlamalogWarning, match="compressed"):
        stream = llamalog.follow(tmp_path, format=FMT, from_start=True, **FAST)
    _append(tmp_path / "app.log", "2026-03-01 08:00:00 INFO first\n")
    got = concat_frames(list(stream))
    assert got["message"].tolist() == ["first"]
    empty = tmp_path / "later"
    empty.mkdir()
    stream = llamalog.follow(empty / "*.log", format=FMT, **FAST)
    _append(empty / "new.log", "2026-03-01 08:00:00 INFO born later\n")
    assert concat_frames(list(stream))["message"].tolist() == ["born later"]
