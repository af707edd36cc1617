"""llamalog.follow: a growing file yields each record once, across rotation and truncation."""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import threading
import time
import warnings
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --- scenarios: a writer thread writes numbered lines while follow() reads ------------
# Each line carries a sequence number; the check is 0 duplicated and 0 lost. Sizes are
# kept small for CI; benchmarks/bench_follow.py runs the full size (>= 20,000 lines/s).

SEQ = "2026-03-01 08:00:00 INFO seq {:07d}\n"
SCENARIO = dict(poll=0.01, flush_after=0.05, idle_timeout=1.0)


def _counts(messages, written: int) -> tuple[int, int]:
    """(lost, duplicated) sequence numbers among ``messages``."""
    seqs = [int(m.split()[-1]) for m in messages]
    seen = set(seqs)
    return written - len(seen & set(range(written))), len(seqs) - len(seen)


class _Writer(threading.Thread):
    """Writes ``n`` numbered lines to ``dir/app.log`` in chunks, calling ``rotate`` after
    every ``every`` lines (it gets and returns the open file)."""

    def __init__(self, folder: Path, n: int, every: int, rotate, chunk: int = 50) -> None:
        super().__init__(daemon=True)
        self.folder, self.n, self.every, self.rotate, self.chunk = folder, n, every, rotate, chunk
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            f = open(self.folder / "app.log", "a", encoding="utf-8")
            for seq in range(self.n):
                f.write(SEQ.format(seq))
                if (seq + 1) % self.chunk == 0:
                    f.flush()
                    time.sleep(0.002)
                if (seq + 1) % self.every == 0 and seq + 1 < self.n:
                    f.flush()
                    f = self.rotate(f, (seq + 1) // self.every)
            f.close()
        except BaseException as exc:  # reported by the test
            self.error = exc


def _warm_up(folder: Path) -> None:
    """Compile the parser before the writer starts: a first batch that waits seconds for
    numba while the writer rotates several times would lose generations that were named
    only meanwhile (inherent to following a name, as ``tail -F`` does)."""
    warm = folder.parent / f"{folder.name}-warm.log"
    warm.write_text(SEQ.format(0))
    llamalog.read_logs(warm, format=FMT, multiline=False)


def _follow_while_writing(source, writer: _Writer, **kwargs) -> list[str]:
    _warm_up(writer.folder)
    stream = llamalog.follow(
        source, format=FMT, from_start=True, multiline=False, **{**SCENARIO, **kwargs}
    )
    writer.start()
    messages: list[str] = []
    for batch in stream:
        messages += batch["message"].tolist()
    writer.join()
    assert writer.error is None
    return messages


def _rename_rotate(folder: Path):
    """logrotate's default (create): app.log.N -> app.log.N+1, app.log -> app.log.1, a
    few more lines into the renamed file (the program has not reopened yet), new app.log."""

    def rotate(f, _k):
        names = sorted(folder.glob("app.log.*"), key=lambda p: -int(p.suffix[1:]))
        for old in names:
            os.rename(old, folder / f"app.log.{int(old.suffix[1:]) + 1}")
        os.rename(folder / "app.log", folder / "app.log.1")
        f.write("")  # the program writes on to its open file until told to reopen
        f.close()
        return open(folder / "app.log", "a", encoding="utf-8")

    return rotate


@pytest.mark.parametrize("kind", ["file", "glob", "directory"])
def test_rename_rotation_loses_and_repeats_nothing(tmp_path, kind):
    (tmp_path / "app.log").touch()
    source = {"file": tmp_path / "app.log", "glob": f"{tmp_path}/app.log*", "directory": tmp_path}
    writer = _Writer(tmp_path, n=6000, every=1000, rotate=_rename_rotate(tmp_path))
    messages = _follow_while_writing(source[kind], writer)
    assert len(list(tmp_path.glob("app.log.*"))) == 5
    assert _counts(messages, 6000) == (0, 0)


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_delete_and_recreate_loses_and_repeats_nothing(tmp_path, kind):
    def rotate(f, _k):
        time.sleep(0.05)  # let follow read the last lines: a deleted file's are gone
        os.unlink(tmp_path / "app.log")
        f.close()
        return open(tmp_path / "app.log", "a", encoding="utf-8")

    (tmp_path / "app.log").touch()
    source = tmp_path / "app.log" if kind == "file" else tmp_path
    messages = _follow_while_writing(source, _Writer(tmp_path, 3000, 500, rotate))
    assert _counts(messages, 3000) == (0, 0)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts /proc/self/fd")
def test_files_rotated_away_and_deleted_are_closed(tmp_path):
    """dateext rotation (app.log -> app.log.<k>), keeping the last 3: hundreds of
    rotations must not hold hundreds of descriptors (nor the deleted files' space)."""
    seen: set[int] = set()

    def rotate(f, k):
        os.rename(tmp_path / "app.log", tmp_path / f"app.log.{k}")
        f.close()
        if k > 3:  # delete the oldest once follow has read it (as a generous keep does)
            deadline = time.monotonic() + 5
            wanted = range((k - 4) * 20, (k - 3) * 20)
            while not seen.issuperset(wanted) and time.monotonic() < deadline:
                time.sleep(0.001)
            os.unlink(tmp_path / f"app.log.{k - 3}")
        return open(tmp_path / "app.log", "a", encoding="utf-8")

    (tmp_path / "app.log").touch()
    _warm_up(tmp_path)
    before = _open_fds()
    stream = llamalog.follow(tmp_path, format=FMT, from_start=True, multiline=False, **SCENARIO)
    writer = _Writer(tmp_path, n=300 * 20, every=20, rotate=rotate, chunk=20)
    writer.start()
    most = 0
    messages: list[str] = []
    for batch in stream:
        messages += batch["message"].tolist()
        seen.update(int(m.split()[-1]) for m in batch["message"])
        most = max(most, _open_fds() - before)
    writer.join()
    assert writer.error is None
    assert most < 20
    assert _counts(messages, 6000) == (0, 0)


@pytest.fixture
def honour_modes(monkeypatch):
    """Make follow's open() refuse a file without read permission even as root."""
    from llamalog.read import follow as module

    def guarded_open(path, *args, **kwargs):
        if not os.stat(path).st_mode & 0o444:
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(module, "open", guarded_open, raising=False)


def test_an_unreadable_file_is_skipped_with_a_warning_then_followed(tmp_path, honour_modes):
    _append(tmp_path / "app.log", "2026-03-01 08:00:00 INFO readable\n")
    secret = tmp_path / "secret.log"
    _append(secret, "2026-03-01 08:00:00 INFO before the call\n")
    secret.chmod(0)
    with pytest.warns(llamalog.LlamalogWarning, match="secret.log"):
        stream = llamalog.follow(tmp_path, format=FMT, multiline=False, **FAST)
        _append(tmp_path / "app.log", "2026-03-01 08:00:01 INFO app 1\n")
        assert next(stream)["message"].tolist() == ["app 1"]
    _append(secret, "2026-03-01 08:00:02 INFO secret 1\n")
    secret.chmod(0o644)  # readable now: read on from where it was at the call
    got = concat_frames(list(stream))
    assert got["message"].tolist() == ["secret 1"]
    assert got["line"].tolist() == [2]


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_rotation_to_an_unreadable_file_keeps_the_held_record(tmp_path, honour_modes, kind):
    """The new file is created without read permission and made readable later (a
    permission flip); the trace held back at the rotation is not lost."""
    path = tmp_path / "app.log"
    _append(path, "2026-03-01 08:00:00 INFO one\n2026-03-01 08:00:01 ERROR failed\n")
    stream = llamalog.follow(
        path if kind == "file" else tmp_path, format=FMT, from_start=True, **FAST
    )
    first = next(stream)
    _append(path, "\tat com.example.App.main(App.java:3)\n")
    os.rename(path, tmp_path / "app.log.1")
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0))
    _append(path, "2026-03-01 08:00:02 INFO two\n")
    threading.Timer(0.2, path.chmod, (0o644,)).start()
    with pytest.warns(llamalog.LlamalogWarning, match="app.log"):
        got = concat_frames([first, *stream])
    assert got["message"].tolist()[1:] == [
        "failed\n\tat com.example.App.main(App.java:3)",
        "two",
    ]


def test_permission_flips_during_rotations_lose_and_repeat_nothing(tmp_path, honour_modes):
    def rotate(f, _k):
        os.rename(tmp_path / "app.log", tmp_path / f"app.log.{_k}")
        f.close()
        fd = os.open(tmp_path / "app.log", os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0)
        new = os.fdopen(fd, "a", encoding="utf-8")
        threading.Timer(0.1, os.chmod, (tmp_path / f"app.log.{_k}", 0o644)).start()
        threading.Timer(0.1, os.chmod, (tmp_path / "app.log", 0o644)).start()
        return new

    (tmp_path / "app.log").touch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", llamalog.LlamalogWarning)
        messages = _follow_while_writing(tmp_path, _Writer(tmp_path, 3000, 500, rotate))
    assert _counts(messages, 3000) == (0, 0)


# --- truncation ------------------------------------------------------------------------


def test_a_truncated_file_that_regrew_past_the_offset_is_read_from_its_start(tmp_path):
    """The caller is slow with a batch; meanwhile the file is truncated and written again
    beyond where follow had read: its first bytes differ, so it starts again at the top."""
    path = tmp_path / "app.log"
    _append(path, "".join(f"2026-03-01 08:00:00 INFO old {i}\n" for i in range(10)))
    stream = llamalog.follow(path, format=FMT, from_start=True, multiline=False, **FAST)
    assert len(next(stream)) == 10
    with open(path, "r+b") as f:
        f.truncate(0)
    _append(path, "".join(f"2026-03-01 09:00:00 INFO new {i:03d}\n" for i in range(30)))
    got = concat_frames(list(stream))
    assert got["message"].tolist() == [f"new {i:03d}" for i in range(30)]
    assert got["line"].tolist() == list(range(1, 31))


def test_copytruncate_reads_the_lines_not_yet_read_from_the_copy(tmp_path):
    path = tmp_path / "app.log"
    _append(path, "2026-03-01 08:00:00 INFO one\n2026-03-01 08:00:01 INFO two\n")
    stream = llamalog.follow(path, format=FMT, from_start=True, multiline=False, **FAST)
    assert next(stream)["message"].tolist() == ["one", "two"]
    _append(path, "2026-03-01 08:00:02 INFO three\n2026-03-01 08:00:03 INFO four\n")
    shutil.copyfile(path, tmp_path / "app.log.1")  # logrotate copytruncate
    with open(path, "r+b") as f:
        f.truncate(0)
    _append(path, "2026-03-01 08:00:04 INFO five\n")
    got = concat_frames(list(stream))
    assert got["message"].tolist() == ["three", "four", "five"]
    assert got["line"].tolist() == [3, 4, 1]
    assert got["source"].astype(str).str.endswith("app.log").all()


def test_a_copy_seen_only_after_the_truncation_is_not_read_again(tmp_path):
    """The copy is shorter than what was read (lines came after the copy, before the
    truncation) and appears in the folder only later: it is recognised by its first
    bytes and yields nothing again."""
    logs = tmp_path / "logs"
    logs.mkdir()
    path = logs / "app.log"
    _append(path, "".join(f"2026-03-01 08:00:00 INFO line {i}\n" for i in range(1, 5)))
    stream = llamalog.follow(logs, format=FMT, from_start=True, multiline=False, **FAST)
    assert len(next(stream)) == 4
    shutil.copyfile(path, tmp_path / "copy")  # copied elsewhere first
    _append(path, "2026-03-01 08:00:00 INFO line 5\n")
    assert next(stream)["message"].tolist() == ["line 5"]
    with open(path, "r+b") as f:
        f.truncate(0)
    _append(path, "2026-03-01 08:00:00 INFO line 6\n")
    assert next(stream)["message"].tolist() == ["line 6"]
    os.rename(tmp_path / "copy", logs / "app.log.1")
    _append(path, "2026-03-01 08:00:00 INFO line 7\n")
    assert concat_frames(list(stream))["message"].tolist() == ["line 7"]


@pytest.mark.parametrize("kind", ["file", "glob", "directory"])
def test_copytruncate_rotation_loses_and_repeats_nothing(tmp_path, kind):
    """5 copytruncate rotations while lines are written (the copy and the truncation
    happen between two writes: the loss inherent to copytruncate is then none)."""

    def rotate(f, k):
        names = sorted(tmp_path.glob("app.log.*"), key=lambda p: -int(p.suffix[1:]))
        for old in names:
            os.rename(old, tmp_path / f"app.log.{int(old.suffix[1:]) + 1}")
        shutil.copyfile(tmp_path / "app.log", tmp_path / "app.log.1")
        f.truncate(0)
        return f

    (tmp_path / "app.log").touch()
    source = {"file": tmp_path / "app.log", "glob": f"{tmp_path}/app.log*", "directory": tmp_path}
    writer = _Writer(tmp_path, n=6000, every=1000, rotate=rotate, chunk=25)
    messages = _follow_while_writing(source[kind], writer)
    assert _counts(messages, 6000) == (0, 0)


# --- property: random appends, rotations and truncations against the written lines ----

_NAMED_OPS = ["rename", "rename_unreadable", "chmod", "copytruncate", "truncate", "delete"]
_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.integers(1, 40)),
        st.tuples(st.sampled_from([*_NAMED_OPS, "read"])),
    ),
    max_size=12,
)


def _guarded_open(path, *args, **kwargs):
    if not os.stat(path).st_mode & 0o444:
        raise PermissionError(13, "Permission denied", str(path))
    return open(path, *args, **kwargs)


@settings(max_examples=12, deadline=None)
@given(kind=st.sampled_from(["file", "glob", "directory"]), ops=_OPS)
def test_follow_yields_each_written_line_once(kind, ops):
    """An oracle of the lines written: whatever the appends, renames, copytruncates,
    truncations, deletions and permission flips (a rotation creating an unreadable file,
    made readable later), each line comes once. follow() runs only while the test asks
    for a batch (a slow caller), and then waits for the lines of readable files. Before a
    truncation or a deletion, and before any rotation of a single followed name, the test
    makes the files readable and reads what was written (otherwise those lines are lost
    to any follower: see follow's docstring)."""
    from llamalog.read import follow as module

    with (
        tempfile.TemporaryDirectory() as tmp,
        mock.patch.object(module, "open", _guarded_open, create=True),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", llamalog.LlamalogWarning)
        folder = Path(tmp) / "logs"
        folder.mkdir()
        path = folder / "app.log"
        path.touch()
        source = {"file": path, "glob": f"{folder}/app.log*", "directory": folder}[kind]
        fast = dict(poll=0.005, flush_after=0.01, idle_timeout=0.25)
        stream = llamalog.follow(source, format=FMT, from_start=True, multiline=False, **fast)
        f = open(path, "a", encoding="utf-8")
        written = 0
        received: list[int] = []
        hidden: set[int] = set()  # lines in app.log while it is not readable
        hidden_rotated: set[int] = set()  # lines in rotated files not readable
        unreadable = False  # app.log now

        def read_up() -> None:
            while len(received) < written - len(hidden) - len(hidden_rotated):
                batch = next(stream, None)
                assert batch is not None, f"lost: {set(range(written)) - set(received)}"
                received.extend(int(m.split()[-1]) for m in batch["message"])

        def chmod() -> None:
            for p in folder.iterdir():
                p.chmod(0o644)
            hidden.clear()
            hidden_rotated.clear()

        try:
            for op, *arg in ops:
                if op == "append":
                    f.write("".join(SEQ.format(s) for s in range(written, written + arg[0])))
                    f.flush()
                    if unreadable:
                        hidden.update(range(written, written + arg[0]))
                    written += arg[0]
                    continue
                if op in ("chmod", "truncate", "delete") or kind == "file":
                    chmod()
                    unreadable = False
                if op in ("read", "truncate", "delete") or kind == "file":
                    read_up()
                if op in ("rename", "rename_unreadable"):
                    _shift(folder)
                    os.rename(path, folder / "app.log.1")
                    f.close()
                    hidden_rotated.update(hidden)
                    hidden.clear()
                    unreadable = op == "rename_unreadable"
                    fd = os.open(
                        path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0 if unreadable else 0o644
                    )
                    f = os.fdopen(fd, "a", encoding="utf-8")
                elif op == "copytruncate":
                    _shift(folder)
                    shutil.copyfile(path, folder / "app.log.1")  # a readable copy
                    (folder / "app.log.1").chmod(0o644)
                    f.truncate(0)
                    hidden.clear()  # its lines are in the (readable) copy now
                elif op == "truncate":
                    f.truncate(0)
                elif op == "delete":
                    os.unlink(path)
                    f.close()
                    f = open(path, "a", encoding="utf-8")
            f.close()
            chmod()
            received += [int(m.split()[-1]) for b in stream for m in b["message"]]
        finally:
            f.close()
            stream.close()
        assert sorted(received) == list(range(written))


def _shift(folder: Path) -> None:
    """app.log.N -> app.log.N+1, oldest first."""
    numbered = [p for p in folder.glob("app.log.*") if p.suffix[1:].isdigit()]
    for old in sorted(numbered, key=lambda p: -int(p.suffix[1:])):
        os.rename(old, folder / f"app.log.{int(old.suffix[1:]) + 1}")


def test_inotify_wakes_follow_before_the_poll_interval(tmp_path):
    """With Linux inotify a written line is read at once, not after ``poll`` seconds
    (what lets a file truncated right after a write lose as little as ``tail -F``)."""
    pytest.importorskip("inotify_simple")
    path = tmp_path / "app.log"
    _append(path, "2026-03-01 08:00:00 INFO old\n")
    stream = llamalog.follow(path, format=FMT, multiline=False, poll=60, flush_after=0)
    threading.Timer(0.2, _append, (path, "2026-03-01 08:00:01 INFO new\n")).start()
    start = time.monotonic()
    assert next(stream)["message"].tolist() == ["new"]
    assert time.monotonic() - start < 30
    stream.close()
