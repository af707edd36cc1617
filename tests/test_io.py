"""Atomic writes, formula-safe CSV and defensive .npz reading (llamalog._io)."""

from __future__ import annotations

import io
import os
import stat
import zipfile

import numpy as np
import pandas as pd
import pytest

from llamalog._io import atomic_write, csv_safe, file_lock, read_npz, safe_csv
from llamalog.errors import InvalidFileError, LlamalogError


def test_atomic_write_replaces_the_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "sub" / "model.json"
    with atomic_write(target) as fh:
        fh.write("one")
    with atomic_write(target, "wb") as fh:
        fh.write(b"two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["model.json"]


def test_atomic_write_keeps_the_old_file_and_no_temp_on_error(tmp_path):
    target = tmp_path / "model.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target) as fh:
        fh.write("half of the new")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_atomic_write_gives_new_files_the_umask_permissions(tmp_path, umask):
    old = os.umask(umask)
    try:
        with atomic_write(tmp_path / "out.csv") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o666 & ~umask


def test_csv_safe_defuses_formula_prefixes_in_every_kind_of_text_column():
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "ok"],
            "cat": pd.Categorical(["=a", "b", "=a", "b", "b", "b", "b"]),
            "string": pd.array(["-x", "y", None, "y", "y", "y", "y"], dtype="string"),
            "mixed": [["=x"], "=y", 3, None, "z", "z", "z"],
            "n": [-1, 2, 3, 4, 5, 6, 7],
        },
        index=pd.Index(["=i", "j", "k", "l", "m", "n", "o"], name="-idx"),
    )
    out = csv_safe(frame)
    assert out["text"].tolist() == [
        "'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ok"
    ]  # fmt: skip
    assert out["cat"].tolist()[:2] == ["'=a", "b"]
    assert out["string"].tolist()[0] == "'-x" and pd.isna(out["string"].iloc[2])
    assert out["mixed"].tolist()[:3] == [["=x"], "'=y", 3]
    assert out["n"].tolist()[0] == -1  # numbers stay numbers
    assert out.index.tolist()[0] == "'=i" and out.index.name == "'-idx"
    assert frame["text"].iloc[0].startswith("=")  # the input is not changed


def test_safe_csv_writes_a_path_atomically_and_a_stream_directly(tmp_path):
    frame = pd.DataFrame({"template": ["=cmd|'/c calc'!A1", "fine"], "count": [1, 2]})
    safe_csv(frame, tmp_path / "t.csv", index=False)
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["template"].tolist() == ["'=cmd|'/c calc'!A1", "fine"]
    buf = io.StringIO()
    safe_csv(frame, buf, index=False)
    assert buf.getvalue().splitlines()[1].startswith("'=")
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def _npz_with_header(path, shape, dtype="<f8", payload=b"\0" * 64, compress=False):
    buf = io.BytesIO()
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", mode) as zf:
        zf.writestr("W0.npy", buf.getvalue() + payload)


def test_read_npz_refuses_huge_declared_arrays_without_allocating(tmp_path):
    _npz_with_header(tmp_path / "big.npz", (1 << 29,))  # 4 GiB declared, 64 bytes held
    with pytest.raises(InvalidFileError, match=r"big\.npz: array 'W0'.*4,294,967,296") as info:
        read_npz(tmp_path / "big.npz")
    assert info.value.field == "W0"
    # a deflated member may expand, but not by more than deflate's sane ratio
    _npz_with_header(tmp_path / "bomb.npz", (1 << 27,), payload=b"\0" * (1 << 16), compress=True)
    with pytest.raises(InvalidFileError, match="declares shape"):
        read_npz(tmp_path / "bomb.npz")


@pytest.mark.parametrize(
    ("name", "make", "match"),
    [
        ("objects.npz", lambda p: _npz_with_header(p, (2,), dtype="|O"), "objects"),
        ("negative.npz", lambda p: _npz_with_header(p, (-5,)), "negative"),
        ("text.npz", lambda p: p.write_text("not a zip"), "not a readable .npz"),
    ],
)
def test_read_npz_names_the_file_and_array_of_bad_input(tmp_path, name, make, match):
    make(tmp_path / name)
    with pytest.raises(LlamalogError, match=match) as info:
        read_npz(tmp_path / name)
    assert name in str(info.value) and isinstance(info.value, ValueError)


def test_read_npz_reads_what_savez_writes_and_checks_names(tmp_path):
    np.savez(tmp_path / "ok.npz", a=np.arange(3), b=np.ones((2, 2), np.float32))
    arrays = read_npz(tmp_path / "ok.npz", names=["a", "b"])
    assert arrays["a"].tolist() == [0, 1, 2] and arrays["b"].dtype == np.float32
    with pytest.raises(InvalidFileError, match=r"lacks the arrays \['c'\]"):
        read_npz(tmp_path / "ok.npz", names=["a", "c"])


@pytest.mark.skipif(os.name != "posix", reason="fcntl")
def test_file_lock_excludes_another_process(tmp_path):
    import multiprocessing as mp

    target = tmp_path / "labels.csv"
    ctx = mp.get_context("fork")
    ready, done = ctx.Event(), ctx.Event()

    def hold():
        with file_lock(target):
            ready.set()
            done.wait(10)

    child = ctx.Process(target=hold)
    child.start()
    try:
        assert ready.wait(10)
        import fcntl

        fd = os.open(tmp_path, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    finally:
        done.set()
        child.join(10)
    with file_lock(target):  # free again
        pass


# -- the Parquet cache and convert() write through atomic_write ----------------------------
def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_convert_and_cache_files_get_normal_permissions(tmp_path):
    import llamalog
    from llamalog.read.cache import cached_read

    log = tmp_path / "app.log"
    log.write_text("2026-01-01 10:00:00,000 INFO [main] a.B: started\n")
    old = os.umask(0o022)
    try:
        assert llamalog.convert(log, tmp_path / "out" / "app.parquet", format="log4j") == 1
        frame = cached_read(log, {"format": "log4j"}, tmp_path / "cache", lambda: pd.DataFrame())
    finally:
        os.umask(old)
    assert _mode(tmp_path / "out" / "app.parquet") == 0o644
    (entry,) = (tmp_path / "cache").iterdir()
    assert _mode(entry) == 0o644 and entry.suffix == ".parquet" and frame.empty


def test_convert_failing_half_way_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    import llamalog
    from llamalog.read import reader

    log = tmp_path / "app.log"
    log.write_text("2026-01-01 10:00:00,000 INFO [main] a.B: started\n")
    dest = tmp_path / "out" / "app.parquet"
    llamalog.convert(log, dest, format="log4j")
    before = dest.read_bytes()

    def broken(*args, **kwargs):
        yield pd.DataFrame({"message": ["one chunk"]})
        raise OSError("the disk went away")

    monkeypatch.setattr(reader, "iter_logs", broken)
    with pytest.raises(OSError, match="went away"):
        llamalog.convert(log, dest, format="log4j")
    assert dest.read_bytes() == before
    assert [p.name for p in dest.parent.iterdir()] == ["app.parquet"]


def test_temporary_files_of_killed_writers_are_removed_by_the_next_write(tmp_path):
    import os
    import time

    from llamalog import _io

    target = tmp_path / "miner.json"
    stale = tmp_path / ".miner.json.0123456789ab.tmp"
    fresh = tmp_path / ".miner.json.ba9876543210.tmp"  # a write still going on
    other = tmp_path / ".labels.csv.0123456789ab.tmp"
    for p in (stale, fresh, other):
        p.write_text("half")
    old = time.time() - _io.STALE_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    with _io.atomic_write(target) as fh:
        fh.write("{}")
    assert target.read_text() == "{}"
    assert not stale.exists() and fresh.exists() and other.exists()
