"""read_logs / iter_logs: formats, sources, and bad input that must never lose a line."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import llamalog
from llamalog import FormatError, LlamalogWarning, SourceError, iter_logs, read_logs

from .conftest import LOGHUB, ROOT, loghub_names

APP = "<Date> <Time> <Level> <Content>"
LINES = [
    "2026-03-01 08:00:00,001 INFO service started",
    "2026-03-01 08:00:01,002 WARN disk at 91%",
    "2026-03-01 08:00:02,003 ERROR request failed",
]


def write(path, text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(data)
    return str(path)


def read_quiet(*args, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LlamalogWarning)
        return read_logs(*args, **kwargs)


# --------------------------------------------------------------------------- basics


def test_columns_and_dtypes(tmp_path):
    frame = read_logs(write(tmp_path / "a.log", "\n".join(LINES) + "\n"), format=APP)
    assert list(frame.columns[:5]) == ["source", "line", "timestamp", "level", "message"]
    assert list(frame.columns[-3:]) == ["n_lines", "parse_ok", "problems"]
    assert isinstance(frame["source"].dtype, pd.CategoricalDtype)
    assert str(frame["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert frame["level"].dtype.ordered
    assert frame["message"].dtype == llamalog.schema.STR_DTYPE
    # few distinct values: a categorical with text categories
    assert isinstance(frame["Date"].dtype, pd.CategoricalDtype)
    assert frame["Date"].cat.categories.tolist() == ["2026-03-01"]
    assert frame["line"].tolist() == [1, 2, 3]
    assert frame["level"].astype(str).tolist() == ["INFO", "WARNING", "ERROR"]
    assert frame["message"].tolist() == ["service started", "disk at 91%", "request failed"]
    assert frame["timestamp"].iloc[1] == pd.Timestamp("2026-03-01 08:00:01.002", tz="UTC")
    assert frame["parse_ok"].all()
    assert (frame["problems"] == "").all()
    assert frame.attrs["llamalog"]["match_rate"] == 1.0
    assert (frame["level"] >= "WARNING").tolist() == [False, True, True]


def test_many_distinct_values_stay_text_few_become_categories():
    lines = [f"2026-03-01 08:00:{i % 60:02d} INFO req-{i} host-{i % 3} done" for i in range(400)]
    data = io.BytesIO("\n".join(lines).encode())
    frame = read_logs(data, format="<Date> <Time> <Level> <Request> <Host> <Content>")
    assert frame["Request"].dtype == llamalog.schema.STR_DTYPE
    assert frame["Request"].tolist() == [f"req-{i}" for i in range(400)]
    assert isinstance(frame["Host"].dtype, pd.CategoricalDtype)
    assert frame["Host"].astype(str).tolist() == [f"host-{i % 3}" for i in range(400)]
    assert frame["level"].astype(str).unique().tolist() == ["INFO"]


def test_readme_quickstart_example():
    data = io.BytesIO(b"2026-03-01 08:00:00 INFO started\n2026-03-01 08:00:01 WARN low disk\n")
    frame = read_logs(data, format=APP)
    assert frame["message"].tolist() == ["started", "low disk"]


def test_field_named_like_a_base_column(tmp_path):
    path = write(tmp_path / "a.log", "2026-03-01T08:00:00Z info hello world\n")
    frame = read_logs(path, format="<timestamp> <level> <message>")
    assert frame["message"].tolist() == ["hello world"]
    assert frame["level_raw"].tolist() == ["info"]
    assert frame["level"].astype(str).tolist() == ["INFO"]
    assert frame["timestamp_raw"].tolist() == ["2026-03-01T08:00:00Z"]
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-01 08:00", tz="UTC")


# --------------------------------------------------------------------------- sources


def test_sources_glob_list_directory_fileobj(tmp_path):
    a = write(tmp_path / "a.log", LINES[0] + "\n")
    b = write(tmp_path / "b.log", LINES[1] + "\n" + LINES[2] + "\n")
    by_glob = read_logs(str(tmp_path / "*.log"), format=APP)
    by_list = read_logs([a, b], format=APP)
    by_dir = read_logs(tmp_path, format=APP)
    for frame in (by_glob, by_list, by_dir):
        assert len(frame) == 3
        assert frame["source"].astype(str).tolist() == [a, b, b]
        assert frame["line"].tolist() == [1, 1, 2]
    stream = read_logs(io.BytesIO(("\n".join(LINES)).encode()), format=APP)
    assert len(stream) == 3
    text = read_logs(io.StringIO("\n".join(LINES)), format=APP)
    assert text["message"].tolist() == stream["message"].tolist()


def test_many_files_each_read_as_on_its_own(tmp_path):
    """Files of one read share the time format found for the file before only where it
    reads them, and categories that grow from file to file stay right."""
    iso = ["2026-03-01 08:00:00 INFO job a started", "2026-03-01 08:00:05 WARN job a slow"]
    day_first = ["13/03/2026 09:30:00 ERROR job b failed", "13/03/2026 09:31:00 INFO job b retry"]
    compact = ["20260301 101500 DEBUG job c tick"]
    paths = []
    for i, lines in enumerate([iso, day_first, iso, compact, day_first]):
        paths.append(write(tmp_path / f"{i}.log", "\n".join(lines) + ("\n" if i % 2 else "")))
    both = read_quiet(paths, format=APP)
    alone = pd.concat([read_quiet(p, format=APP) for p in paths], ignore_index=True)
    assert both["timestamp"].tolist() == alone["timestamp"].tolist()
    assert both["timestamp"].notna().all()
    assert both["level"].astype(str).tolist() == alone["level"].astype(str).tolist()
    assert both["Level"].astype(str).tolist() == alone["Level"].astype(str).tolist()
    assert both["message"].tolist() == alone["message"].tolist()
    stamps = both.groupby("source", observed=True)["timestamp"].first()
    assert stamps[paths[1]] == stamps[paths[4]] == pd.Timestamp("2026-03-13 09:30", tz="UTC")
    assert stamps[paths[3]] == pd.Timestamp("2026-03-01 10:15", tz="UTC")


def _small_file_lines(rng: np.random.Generator, k: int) -> bytes:
    """One small log file of mixed content (see the test below)."""
    kinds = ["iso", "iso", "iso", "trace", "day_first", "junk", "crlf", "unmatched", "late"]
    kind = kinds[k % len(kinds)]
    hour = int(rng.integers(0, 24))
    lines = [
        f"2026-03-{1 + k % 28:02d} {hour:02d}:{m:02d}:00,{k:03d} {lvl} file {k} event {m}"
        for m, lvl in enumerate(["INFO", "WARN", "ERROR", "INFO", "DEBUG"][: rng.integers(1, 6)])
    ]
    if kind == "trace":  # continuation lines, also before the file's first header
        lines = ["\tat orphan.Start(A.java:1)", *lines[:1], "java.lang.Error: x", "\tat B.c"]
    elif kind == "day_first":  # another time format: read again on its own
        lines = [f"13/03/2026 0{m}:00:00 INFO day first {k}" for m in range(3)]
    elif kind == "junk":
        lines.insert(1, "2026-03-01 01:00:00,000 INFO bad \xff byte \x00 nul")
    elif kind == "crlf":
        return ("\r\n".join(lines) + "\r\n").encode()
    elif kind == "unmatched":
        lines = ["no header here", "nor here"]
    elif kind == "late":  # out of order inside the file
        lines = [*lines, "2020-01-01 00:00:00,000 INFO back in time"]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")


@pytest.mark.parametrize("block_size", [4096, "8MB"])
def test_small_files_read_together_as_each_alone(tmp_path, block_size, monkeypatch):
    """Runs of small files are parsed as one block; every row, flag and time must be
    what reading each file alone gives."""
    from llamalog.read import reader

    batches = []
    batch_blocks = reader._batch_blocks

    def spy(sources, batch, opts):
        batches.append(len(batch))
        return batch_blocks(sources, batch, opts)

    monkeypatch.setattr(reader, "_batch_blocks", spy)
    rng = np.random.default_rng(7)
    paths = []
    for k in range(60):
        path = tmp_path / f"{k:03d}.log"
        data = _small_file_lines(rng, k)
        if k == 20:
            data = data.rstrip(b"\n")  # no final newline: read on its own
        if k == 30:
            data = b""
        if k == 40:
            path = tmp_path / f"{k:03d}.log.gz"
            data = gzip.compress(data)
        path.write_bytes(data)
        paths.append(str(path))
    with warnings.catch_warnings(record=True) as together_warned:
        warnings.simplefilter("always")
        together = read_logs(paths, format=APP, block_size=block_size)
    assert sum(batches) > 40 and len(batches) >= 2  # most files were read in batches
    alone = []
    warned_alone = set()
    for p in paths:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            alone.append(read_logs(p, format=APP, block_size=block_size))
        if any("matched only part" in str(w.message) for w in caught):
            warned_alone.add(p)
    alone_frames = alone
    alone = pd.concat(alone, ignore_index=True)
    columns = ["line", "timestamp", "level", "message", "Level", "n_lines", "parse_ok"]
    pd.testing.assert_frame_equal(
        together[columns], alone[columns], check_dtype=False, check_categorical=False
    )
    assert together["source"].astype(str).tolist() == alone["source"].astype(str).tolist()
    assert together["problems"].astype(str).tolist() == alone["problems"].astype(str).tolist()
    assert "out_of_order" in set(together["problems"].astype(str))
    assert together["timestamp"].notna().sum() > 100
    (low,) = [str(w.message) for w in together_warned if "matched only part" in str(w.message)]
    named = {p for p in paths if f"{p}:" in low}
    assert named and named <= warned_alone  # the five worst sources, by name
    times = together.attrs["llamalog"]["time"]
    assert times["sources"] == len(paths)
    assert times["n_other_sources"] == len(times["other_sources"]) == 14
    for p, frame in zip(paths, alone_frames, strict=True):  # as each file read alone
        want = frame.attrs["llamalog"]["time"]
        got = times["other_sources"].get(p, times)
        assert (got["fields"], got["format"]) == (want["fields"], want["format"])
    # without timestamps, files are read together from the first on
    slim = read_quiet(paths, format=APP, block_size=block_size, columns=[])
    pd.testing.assert_frame_equal(
        slim[["line", "message", "n_lines", "parse_ok"]],
        alone[["line", "message", "n_lines", "parse_ok"]],
        check_dtype=False,
    )
    no_time = (
        alone["problems"].astype(str).str.replace(r",?(bad_timestamp|out_of_order)", "", regex=True)
    )
    assert slim["problems"].astype(str).tolist() == no_time.str.strip(",").tolist()


def test_small_files_after_one_with_another_time_format(tmp_path, monkeypatch):
    """Ambiguous dates are read as the file before them was (its format is tried
    first): after a file whose dates read only day first, the next ambiguous files are
    read day first too, whether small files are parsed together or one by one."""
    from llamalog.read import reader

    days = ["01/02/2026", "01/02/2026", "13/02/2026", "01/02/2026", "02/01/2026"]
    paths = [
        write(tmp_path / f"{k}.log", f"{day} 08:00:00 INFO file {k}\n{day} 08:00:01 INFO b\n")
        for k, day in enumerate(days)
    ]
    together = read_logs(paths, format=APP)
    monkeypatch.setattr(reader, "SMALL_SHARE", 1 << 40)  # no file is small: one by one
    one_by_one = read_logs(paths, format=APP)
    pd.testing.assert_frame_equal(together, one_by_one)
    firsts = together.groupby("source", observed=True)["timestamp"].first()
    got = [firsts[p].strftime("%m-%d") for p in paths]
    assert got == ["01-02", "01-02", "02-13", "02-01", "01-02"]


def test_low_match_warning_names_the_worst_five_files_and_counts_the_rest(tmp_path):
    for k in range(8):
        (tmp_path / f"{k}.log").write_text("no header here\n" * 3)
    with pytest.warns(LlamalogWarning) as caught:
        frame = llamalog.read_logs(tmp_path, format=APP)
    text = str(caught[0].message)
    assert len(frame) == 24 and not frame["parse_ok"].any()
    assert text.count("0.0% of 3 lines") == 5
    assert "; and 3 more files)" in text and "no line of these 8 files matched" in text


@pytest.mark.parametrize("chunksize", [3, 50, 10_000])
def test_iter_logs_over_many_files_gives_read_logs_rows(tmp_path, chunksize):
    rng = np.random.default_rng(3)
    paths = [tmp_path / f"{k:03d}.log" for k in range(45)]
    for k, path in enumerate(paths):
        path.write_bytes(_small_file_lines(rng, k))
    whole = read_quiet(tmp_path, format=APP)
    with pytest.warns(LlamalogWarning, match="no line of these 5 files matched"):
        parts = list(iter_logs(tmp_path, format=APP, chunksize=chunksize))
    assert all(len(p) <= chunksize for p in parts) and len(parts[-1]) > 0
    joined = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(whole.astype(object), joined.astype(object), check_dtype=False)
    assert all(p["source"].cat.categories.tolist() == [str(q) for q in paths] for p in parts)


def test_a_folder_of_small_compressed_files_is_looked_at_once_per_file(tmp_path, monkeypatch):
    """Small gzip files cannot be parsed together; each is sized once and read on its
    own (finding the run again from every file made such folders quadratic)."""
    from llamalog.read import reader

    sized = []
    small_size = reader._small_size
    monkeypatch.setattr(
        reader, "_small_size", lambda src, opts: sized.append(1) or small_size(src, opts)
    )
    paths = []
    for k in range(30):
        path = tmp_path / f"{k:02d}.log.gz"
        path.write_bytes(gzip.compress(("\n".join(LINES) + f" {k}\n").encode()))
        paths.append(str(path))
    together = read_logs(tmp_path, format=APP)
    assert len(sized) == 30
    alone = pd.concat([read_logs(p, format=APP) for p in paths], ignore_index=True)
    columns = ["source", "line", "timestamp", "level", "message", "problems"]
    assert (
        together[columns].astype(str).values.tolist() == alone[columns].astype(str).values.tolist()
    )


def test_gzip_bz2_and_multimember(tmp_path):
    body = ("\n".join(LINES) + "\n").encode()
    gz = tmp_path / "a.log.gz"
    gz.write_bytes(gzip.compress(body) + gzip.compress(body))
    bz = tmp_path / "a.log.bz2"
    bz.write_bytes(bz2.compress(body))
    assert len(read_logs(str(gz), format=APP)) == 6
    assert read_logs(str(bz), format=APP)["message"].tolist()[2] == "request failed"


def test_missing_file_and_empty_glob(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        read_logs(str(tmp_path / "nope.log"), format=APP)
    with pytest.raises(SourceError, match="matches no file"):
        read_logs(str(tmp_path / "*.nothing"), format=APP)
    with pytest.raises(SourceError, match="BytesIO"):
        read_logs(b"raw bytes", format=APP)


def test_unreadable_file_in_directory_is_skipped_with_warning(tmp_path):
    write(tmp_path / "good.log", LINES[0] + "\n")
    os.symlink(tmp_path / "gone.log", tmp_path / "broken.log")
    with pytest.warns(LlamalogWarning, match="broken.log"):
        frame = read_logs(tmp_path, format=APP)
    assert frame["message"].tolist() == ["service started"]


# --------------------------------------------------------------------------- bad input


def test_empty_file(tmp_path):
    frame = read_logs(write(tmp_path / "e.log", b""), format=APP)
    assert len(frame) == 0
    assert "message" in frame and "parse_ok" in frame


def test_invalid_utf8_is_kept_and_flagged(tmp_path):
    raw = LINES[0].encode() + b"\n2026-03-01 08:00:01,000 INFO caf\xe9 \xff\xfe ok\n"
    frame = read_logs(write(tmp_path / "u.log", raw), format=APP)
    assert len(frame) == 2
    assert frame["problems"].tolist() == ["", "invalid_utf8"]
    assert frame["message"].iloc[1] == "caf\ufffd \ufffd\ufffd ok"
    assert frame["parse_ok"].all()


def test_binary_junk_and_nul(tmp_path):
    junk = bytes(range(256)) * 4
    raw = LINES[0].encode() + b"\n" + junk.replace(b"\n", b"") + b"\n" + LINES[1].encode()
    frame = read_quiet(write(tmp_path / "b.log", raw), format=APP, multiline=False)
    assert len(frame) == 3
    # the junk holds whitespace, so '<Date> <Time> <Level> <Content>' can match it
    assert set(frame["problems"].iloc[1].split(",")) >= {"binary", "invalid_utf8"}
    assert frame["parse_ok"].iloc[[0, 2]].all()
    nul = read_quiet(io.BytesIO(b"\x00\x00\x00\n" + LINES[0].encode()), format=APP)
    assert nul["message"].iloc[0] == "\x00\x00\x00"
    assert nul["problems"].iloc[0] == "no_match,binary"


def test_crlf_mixed_endings_and_no_final_newline(tmp_path):
    raw = (LINES[0] + "\r\n" + LINES[1] + "\n" + LINES[2]).encode()
    frame = read_logs(write(tmp_path / "c.log", raw), format=APP)
    assert frame["message"].tolist() == ["service started", "disk at 91%", "request failed"]
    assert frame["line"].tolist() == [1, 2, 3]


def test_huge_single_line(tmp_path):
    big = "2026-03-01 08:00:00 INFO " + "x" * (10 << 20)
    frame = read_logs(write(tmp_path / "h.log", big + "\n" + LINES[1] + "\n"), format=APP)
    assert len(frame) == 2
    assert len(frame["message"].iloc[0]) == 10 << 20
    junk = "y" * (10 << 20)
    frame = read_quiet(write(tmp_path / "j.log", junk), format=APP)
    assert len(frame) == 1 and not frame["parse_ok"].iloc[0]
    assert frame["message"].iloc[0] == junk


def test_truncated_gzip_keeps_lines_and_warns(tmp_path):
    body = "".join(f"2026-03-01 08:00:00 INFO line {i}\n" for i in range(20000)).encode()
    packed = gzip.compress(body)
    path = write(tmp_path / "t.log.gz", packed[: len(packed) // 2])
    with pytest.warns(LlamalogWarning, match=r"t\.log\.gz.*compressed byte"):
        frame = read_logs(path, format=APP)
    assert 1000 < len(frame) < 20000
    assert frame["message"].iloc[0] == "line 0"
    assert frame["problems"].iloc[-1] == "truncated"
    assert (frame["problems"].iloc[:-1] == "").all()


def test_bad_format_strings_raise_clear_errors(tmp_path):
    path = write(tmp_path / "a.log", LINES[0])
    with pytest.raises(FormatError, match=r"'\(<Date> <Time> <Content>' does not parse"):
        read_logs(path, format="(<Date> <Time> <Content>")
    with pytest.raises(FormatError, match="no <Field>"):
        read_logs(path, format="<date time>")
    with pytest.raises(FormatError, match="twice"):
        read_logs(path, format="<A> <A>")
    with pytest.raises(FormatError, match="unknown format"):
        read_logs(path, format="nonsense")
    with pytest.raises(FormatError, match="not a field"):
        read_logs(path, format=APP, message="Nope")


def test_format_matching_no_line_keeps_rows_and_warns(tmp_path):
    path = write(tmp_path / "a.log", "\n".join(LINES))
    with pytest.warns(LlamalogWarning, match=r"matched only.*0\.0% of 3 lines"):
        frame = read_logs(path, format=r"<Host> \[<Time>\] <Content>")
    assert len(frame) == 3
    assert not frame["parse_ok"].any()
    assert frame["message"].tolist() == LINES
    assert frame["Host"].isna().all()
    assert (frame["problems"] == "no_match").all()


def test_out_of_order_timestamps_are_flagged_not_sorted(tmp_path):
    raw = "\n".join([LINES[1], LINES[0], LINES[2]])
    frame = read_logs(write(tmp_path / "o.log", raw), format=APP)
    assert frame["line"].tolist() == [1, 2, 3]
    assert frame["problems"].tolist() == ["", "out_of_order", ""]


def test_bad_timestamp_is_flagged(tmp_path):
    raw = LINES[0] + "\n2026-13-45 99:00:00,000 INFO odd clock\n"
    frame = read_logs(write(tmp_path / "t.log", raw), format=APP)
    assert frame["timestamp"].isna().tolist() == [False, True]
    assert frame["problems"].tolist() == ["", "bad_timestamp"]


# --------------------------------------------------------------------------- multi-line


TRACE = [
    "2026-03-01 08:00:00,000 INFO start",
    "2026-03-01 08:00:01,000 ERROR boom",
    "java.lang.IllegalStateException: bad",
    "\tat com.example.A.run(A.java:10)",
    "",
    "2026-03-01 08:00:02,000 INFO recovered",
]


def test_continuation_lines_join_the_record_before():
    frame = read_logs(io.BytesIO("\n".join(TRACE).encode()), format=APP)
    assert len(frame) == 3
    assert frame["n_lines"].tolist() == [1, 4, 1]
    assert frame["line"].tolist() == [1, 2, 6]
    assert frame["message"].iloc[1] == "boom\n" + "\n".join(TRACE[2:5])
    assert frame["Content"].iloc[1] == frame["message"].iloc[1]


def test_multiline_false_keeps_each_line(tmp_path):
    frame = read_quiet(io.BytesIO("\n".join(TRACE).encode()), format=APP, multiline=False)
    assert len(frame) == len(TRACE)
    assert frame["parse_ok"].tolist() == [True, True, False, False, False, True]
    assert frame["message"].iloc[3] == TRACE[3]


def test_lines_before_the_first_header_are_rows_of_their_own():
    frame = read_logs(io.BytesIO(("orphan\n" + "\n".join(TRACE)).encode()), format=APP)
    assert frame["message"].iloc[0] == "orphan"
    assert not frame["parse_ok"].iloc[0]
    assert len(frame) == 4


@pytest.mark.parametrize("block_size", [64, 100, 333, 4096])
def test_block_boundaries_change_nothing(tmp_path, block_size):
    text = "\n".join(TRACE * 40 + ["junk \xff line"] + LINES * 30)
    path = write(tmp_path / "b.log", text.encode("utf-8", "surrogateescape"))
    whole = read_quiet(path, format=APP)
    small = read_quiet(path, format=APP, block_size=block_size)
    pd.testing.assert_frame_equal(whole, small)


def test_iter_logs_yields_the_same_rows(tmp_path):
    path = write(tmp_path / "i.log", "\n".join(TRACE * 50))
    whole = read_logs(path, format=APP)
    parts = list(iter_logs(path, format=APP, chunksize=7, block_size=256))
    assert all(len(p) <= 7 for p in parts)
    joined = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(
        whole.drop(columns=["problems"]), joined.drop(columns=["problems"]), check_categorical=False
    )
    with pytest.raises(ValueError, match="chunksize"):
        next(iter_logs(path, format=APP, chunksize=0))


# --------------------------------------------------------------------------- time


def test_tz_and_year_options():
    data = b"Dec 31 23:59:59 host app[1]: last\nJan  1 00:00:01 host app[1]: first\n"
    frame = read_logs(io.BytesIO(data), format="syslog", year=2024)
    assert frame["timestamp"].dt.year.tolist() == [2024, 2025]
    assert frame["Pid"].tolist() == ["1", "1"]
    local = read_logs(io.BytesIO(data), format="syslog", year=2024, tz="Europe/Paris")
    assert local["timestamp"].iloc[0] == pd.Timestamp("2024-12-31 22:59:59", tz="UTC")


def test_syslog_year_from_file_time(tmp_path):
    path = tmp_path / "s.log"
    write(path, "Mar  1 08:00:00 host sshd[7]: Accepted password for alice\n")
    os.utime(path, (pd.Timestamp("2023-06-01").timestamp(),) * 2)
    frame = read_logs(str(path), format="syslog")
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2023-03-01 08:00", tz="UTC")
    os.utime(path, (pd.Timestamp("2023-02-01").timestamp(),) * 2)
    frame = read_logs(str(path), format="syslog")
    assert frame["timestamp"].iloc[0].year == 2022


# --------------------------------------------------------------------------- presets


PRESET_SAMPLES = {
    "syslog": "<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8",
    "syslog-rfc5424": "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
    '[exampleSDID@32473 iut="3" eventSource="Application"] An application event',
    "apache-combined": '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" '
    '200 2326 "http://www.example.com/start.html" "Mozilla/4.08"',
    "apache-common": '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326',
    "apache-error": "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok",
}


@pytest.mark.parametrize("name", sorted(PRESET_SAMPLES))
def test_presets_parse_their_example(name):
    line = PRESET_SAMPLES[name]
    data = ((line + "\n") * 3).encode()
    frame = read_logs(io.BytesIO(data), format=name)
    assert frame["parse_ok"].all(), frame.iloc[0].to_dict()
    assert frame["timestamp"].notna().all()
    guess = llamalog.detect_format(io.BytesIO(data))
    assert guess.name == name, guess.scores.head()


def test_rfc5424_fields():
    frame = read_logs(
        io.BytesIO(PRESET_SAMPLES["syslog-rfc5424"].encode()), format="syslog-rfc5424"
    )
    row = frame.iloc[0]
    assert row["Pri"] == "165" and row["Host"] == "mymachine.example.com"
    assert row["StructuredData"] == 'exampleSDID@32473 iut="3" eventSource="Application"'
    assert row["message"] == "An application event"
    assert row["timestamp"] == pd.Timestamp("2003-10-11 22:14:15.003", tz="UTC")


def test_access_log_time_zone_and_message():
    frame = read_logs(io.BytesIO(PRESET_SAMPLES["apache-combined"].encode()), format="auto")
    assert frame.attrs["llamalog"]["format"] == "apache-combined"
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2000-10-10 20:55:36", tz="UTC")
    assert frame["message"].iloc[0] == "GET /a.gif HTTP/1.0"
    assert frame["Status"].iloc[0] == "200"


def test_auto_detects_timestamp_level_message(tmp_path):
    frame = read_logs(write(tmp_path / "a.log", "\n".join(LINES)), format="auto")
    assert frame.attrs["llamalog"]["format"] == "timestamp-level-message"
    assert frame["level"].astype(str).tolist() == ["INFO", "WARNING", "ERROR"]


def test_auto_on_unknown_text_keeps_every_line(tmp_path):
    path = write(tmp_path / "a.txt", "hello there\nnothing to see\n")
    with pytest.warns(LlamalogWarning):
        frame = read_logs(path)
    assert frame["message"].tolist() == ["hello there", "nothing to see"]


def test_jsonl(tmp_path):
    rows = [
        {"time": "2026-03-01T08:00:00.5Z", "level": "warn", "msg": "slow", "ctx": {"id": 1}},
        {"time": "2026-03-01T08:00:01Z", "level": "info", "msg": "ok", "ctx": {"id": 2}},
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\nnot json\n"
    frame = read_quiet(write(tmp_path / "a.jsonl", text), format="jsonl")
    assert len(frame) == 3
    assert frame["message"].tolist() == ["slow", "ok", "not json"]
    assert frame["parse_ok"].tolist() == [True, True, False]
    assert frame["level"].astype(str).tolist()[:2] == ["WARNING", "INFO"]
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-01 08:00:00.5", tz="UTC")
    assert llamalog.detect_format(str(tmp_path / "a.jsonl")).name == "jsonl"


# --------------------------------------------------------------------------- Loghub


# The structured CSVs went through pandas once: its default NA strings (BGL's "NULL")
# became empty cells, numbers lost leading zeros (HDFS "081109") or gained ".0".
_CSV_NA = {"", "NULL", "null", "NaN", "nan", "N/A", "NA", "n/a", "None", "-NaN", "#N/A"}


def _same(ours: pd.Series, truth: pd.Series) -> np.ndarray:
    """Equal as text, up to what writing the truth CSV through pandas did to it."""
    a = ours.fillna("").astype(str).to_numpy()
    a = np.where(np.isin(a, list(_CSV_NA)), "", a)
    b = truth.fillna("").astype(str).to_numpy()
    eq = a == b
    for i in np.flatnonzero(~eq):
        try:
            eq[i] = float(a[i]) == float(b[i])
        except ValueError:
            pass
    return eq


@pytest.mark.loghub
@pytest.mark.parametrize("name", loghub_names())
def test_loghub_fields_equal_structured_csv(name):
    formats = json.loads((LOGHUB / "formats.json").read_text())
    folder = LOGHUB / name
    truth = pd.read_csv(
        next(folder.glob("*_structured_corrected.csv")), dtype=str, keep_default_na=False
    )
    frame = read_logs(folder / f"{name}_2k.log", format=formats[name])
    assert len(frame) == 2000 == len(truth)
    assert frame["parse_ok"].all()
    assert frame["timestamp"].notna().all()
    fields = llamalog.parse.fieldformat.FieldFormat(formats[name]).fields
    for field in fields:
        column = {"Level": "Level"}.get(field, field)
        eq = _same(frame[column], truth[field])
        assert eq.all(), (
            field,
            frame[column][~eq].head(3).tolist(),
            truth[field][~eq].head(3).tolist(),
        )


@pytest.mark.loghub
@pytest.mark.parametrize("name", loghub_names())
def test_columns_build_only_what_is_asked_and_the_same(name):
    """A read of some columns gives exactly those columns of the full read."""
    formats = json.loads((LOGHUB / "formats.json").read_text())
    path = LOGHUB / name / f"{name}_2k.log"
    full = read_logs(path, format=formats[name])
    always = ["source", "line", "message", "n_lines", "parse_ok", "problems"]
    fields = [c for c in full.columns if c not in [*always, "timestamp", "level"]]
    for asked in ([], ["timestamp"], ["level"], fields[:1], ["level", *fields[-1:]]):
        part = read_logs(path, format=formats[name], columns=asked)
        expect = [c for c in full.columns if c in always or c in asked]
        assert list(part.columns) == expect, asked
        same = expect if "timestamp" in asked else [c for c in expect if c != "problems"]
        pd.testing.assert_frame_equal(part[same], full[same], check_categorical=False)
        if "timestamp" not in asked:  # only the timestamp problems are not looked for
            time_flags = {"bad_timestamp", "out_of_order"}
            for got, want in zip(part["problems"], full["problems"], strict=True):
                assert set(filter(None, got.split(","))) == set(want.split(",")) - time_flags - {""}


def test_columns_errors_iter_logs_and_cache(tmp_path):
    path = tmp_path / "c.log"
    write(path, "\n".join(LINES) + "\n")
    with pytest.raises(ValueError, match="not columns of this format"):
        read_logs(str(path), format=APP, columns=["nope"])
    chunks = list(iter_logs(str(path), format=APP, columns=["level"], chunksize=2))
    assert all(list(c.columns) == [*chunks[0].columns] for c in chunks)
    assert "level" in chunks[0] and "timestamp" not in chunks[0]
    full = read_logs(str(path), format=APP, cache=tmp_path / "cache")
    slim = read_logs(str(path), format=APP, columns=[], cache=tmp_path / "cache")
    assert "timestamp" in full and "timestamp" not in slim  # not the same cache entry
    with pytest.raises(ValueError, match="not in the logs read"):
        read_logs(ROOT / "datasets" / "app.jsonl", format="jsonl", columns=["no_such_key"])


# --------------------------------------------------------------------------- cache, convert


def test_cache_reuses_the_table_until_the_file_changes(tmp_path):
    path = tmp_path / "c.log"
    write(path, "\n".join(LINES) + "\n")
    first = read_logs(str(path), format=APP, cache=tmp_path / "cache")
    entries = list((tmp_path / "cache").glob("*.parquet"))
    assert len(entries) == 1
    again = read_logs(str(path), format=APP, cache=tmp_path / "cache")
    pd.testing.assert_frame_equal(first, again)
    assert again.attrs["llamalog"]["format"] == "custom"
    write(path, LINES[0] + "\n")
    os.utime(path, ns=(1, 1))
    changed = read_logs(str(path), format=APP, cache=tmp_path / "cache")
    assert len(changed) == 1
    assert len(list((tmp_path / "cache").glob("*.parquet"))) == 2


def test_convert_when_categories_grow_past_a_chunk(tmp_path):
    hosts = [f"host-{i % 2 if i < 1000 else i // 4}" for i in range(2000)]
    lines = [f"2026-03-01 08:00:00 INFO {h} up" for h in hosts]
    path = write(tmp_path / "g.log", "\n".join(lines))
    fmt = "<Date> <Time> <Level> <Host> <Content>"
    rows = llamalog.convert(
        path, tmp_path / "g.parquet", format=fmt, chunksize=100, block_size=4096
    )
    back = pd.read_parquet(tmp_path / "g.parquet")
    assert rows == len(back) == 2000
    assert isinstance(back["Host"].dtype, pd.CategoricalDtype)  # 2 hosts at first, 252 later
    assert back["Host"].astype(str).tolist() == hosts


def test_convert_streams_to_parquet(tmp_path):
    path = write(tmp_path / "t.log", "\n".join(TRACE * 30))
    rows = llamalog.convert(path, tmp_path / "t.parquet", format=APP, chunksize=7)
    back = pd.read_parquet(tmp_path / "t.parquet")
    whole = read_logs(path, format=APP)
    assert rows == len(back) == len(whole)
    assert back["message"].tolist() == whole["message"].tolist()
    assert back["timestamp"].equals(whole["timestamp"])


def test_truncated_gzip_of_json_lines_flags_the_last_record(tmp_path):
    body = "".join(json.dumps({"msg": f"event {i}", "level": "info"}) + "\n" for i in range(20000))
    packed = gzip.compress(body.encode())
    path = write(tmp_path / "t.jsonl.gz", packed[: len(packed) // 2])
    with pytest.warns(LlamalogWarning, match="compressed byte"):
        frame = read_logs(path, format="jsonl")
    assert frame["problems"].iloc[-1].endswith("truncated")
    assert (frame["problems"].iloc[:-1] == "").all()


def test_levels_derived_from_syslog_pri_and_http_status():
    rfc5424 = (
        b"<34>1 2003-10-11T22:14:15.003Z host su - ID47 - root failed\n"
        b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - its time\n"
        b"<999>1 2003-08-24T05:14:16Z host app - - - out of range PRI\n"
    )
    frame = llamalog.read_logs(io.BytesIO(rfc5424), format="syslog-rfc5424")
    assert frame["level"].astype(object).where(frame["level"].notna(), None).tolist() == [
        "CRITICAL", "NOTICE", None,
    ]  # fmt: skip
    access = (
        b'10.0.0.1 - - [01/Mar/2026:08:00:10 +0000] "GET / HTTP/1.1" 200 512\n'
        b'10.0.0.2 - - [01/Mar/2026:08:00:11 +0000] "GET /x HTTP/1.1" 404 12\n'
        b'10.0.0.3 - - [01/Mar/2026:08:00:12 +0000] "POST /y HTTP/1.1" 503 0\n'
    )
    frame = llamalog.read_logs(io.BytesIO(access), format="apache-common")
    assert frame["level"].astype(str).tolist() == ["INFO", "WARNING", "ERROR"]
    # the bundled access log: every line gets the level its status implies
    frame = llamalog.read_logs(Path(__file__).resolve().parents[1] / "datasets" / "access.log")
    status = frame["Status"].astype(str).str[0]
    expected = status.map({"5": "ERROR", "4": "WARNING"}).fillna("INFO")
    assert (frame["level"].astype(str) == expected).all()
    # a real level field wins over both
    own = llamalog.read_logs(io.BytesIO(b"2024-01-01 00:00:00 DEBUG 500 done\n"),
                             format="<Date> <Time> <Level> <Status> <Content>")  # fmt: skip
    assert own["level"].astype(str).tolist() == ["DEBUG"]


# --------------------------------------------------------------------------- encodings


def test_raw_keeps_indentation_and_trailing_blanks():
    frame = read_quiet(io.BytesIO(b"  indented\n\tdeep\nplain  \n"), format="raw")
    assert frame["message"].tolist() == ["  indented", "\tdeep", "plain  "]


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: b"\xef\xbb\xbf" + t.encode(),  # UTF-8 with a byte-order mark
        lambda t: t.encode("utf-16"),  # with its BOM, native order
        lambda t: t.encode("utf-16-be").join([b"\xfe\xff", b""]),
        lambda t: t.replace("\n", "\r").encode(),  # old Mac line ends
    ],
    ids=["utf8-bom", "utf16", "utf16-be", "cr-only"],
)
def test_encodings_and_line_ends_read_like_plain_utf8(tmp_path, encode):
    text = "2026-03-01 08:00:00 INFO café opened\n2026-03-01 08:00:01 WARN slow\n"
    want = read_quiet(io.BytesIO(text.encode()), format=APP)
    for source in (io.BytesIO(encode(text)), write(tmp_path / "e.log", encode(text))):
        got = read_quiet(source, format=APP)
        cols = ["line", "timestamp", "level", "message", "parse_ok"]
        pd.testing.assert_frame_equal(got[cols], want[cols])
    # auto-detection sees the decoded text too
    assert llamalog.detect_format(str(tmp_path / "e.log")).name == "timestamp-level-message"


def test_a_utf16_file_among_small_files_is_decoded(tmp_path):
    text = "2026-03-01 08:00:00 INFO a\n2026-03-01 08:00:01 INFO b\n"
    (tmp_path / "a.log").write_bytes(text.encode())
    (tmp_path / "b.log").write_bytes(text.encode("utf-16"))
    (tmp_path / "c.log").write_bytes(text.encode())
    frame = read_quiet(str(tmp_path), format=APP)
    assert len(frame) == 6 and frame["parse_ok"].all()
