"""Sources: compressed inputs told apart by content (gzip, bz2, xz, zstd), damage kept."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import random
import warnings

import pytest

from llamalog import LlamalogWarning, read_logs
from llamalog.read.sources import Source, iter_bytes

zstandard = pytest.importorskip("zstandard")

APP = "<Date> <Time> <Level> <Content>"
BODY = "".join(f"2026-03-01 08:00:{i % 60:02d} INFO line {i}\n" for i in range(30)).encode()
BIG = "".join(f"2026-03-01 08:00:00 INFO line {i}\n" for i in range(40000)).encode()
# hard to compress: a break in the middle of its compressed form has many lines before it
NOISY = "".join(f"{i} {random.Random(i).getrandbits(64):x}\n" for i in range(40000)).encode()


def zst(data: bytes) -> bytes:
    # with a checksum, as the zstd tool writes by default: damage is then detected
    return zstandard.ZstdCompressor(write_checksum=True).compress(data)


COMPRESS = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": zst,
}


def decompressed(data: bytes, name: str = "x") -> tuple[bytes, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = b"".join(iter_bytes(Source(name=name, fileobj=io.BytesIO(data))))
    return out, [str(w.message) for w in caught if issubclass(w.category, LlamalogWarning)]


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_each_kind_is_read_by_content(tmp_path, suffix):
    path = tmp_path / "app.log"  # no telling suffix: the magic number decides
    path.write_bytes(COMPRESS[suffix](BODY))
    frame = read_logs(path, format=APP)
    assert len(frame) == 30
    assert frame["message"].iloc[-1] == "line 29"


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_concatenated_members(suffix):
    pack = COMPRESS[suffix]
    out, warned = decompressed(pack(BODY) + pack(b"tail\n"))
    assert out == BODY + b"tail\n"
    assert warned == []


def test_xz_stream_padding_between_streams():
    out, warned = decompressed(lzma.compress(b"a\n") + b"\x00" * 8 + lzma.compress(b"b\n"))
    assert (out, warned) == (b"a\nb\n", [])


@pytest.mark.parametrize("suffix", ["xz", "zst", "gz", "bz2"])
def test_truncated_stream_keeps_lines_before_the_break(tmp_path, suffix):
    packed = COMPRESS[suffix](BIG)
    path = tmp_path / f"t.log.{suffix}"
    # 4/5: bzip2 decompresses whole 900 KB blocks, and half the file holds none
    path.write_bytes(packed[: len(packed) * 4 // 5])
    with pytest.warns(LlamalogWarning, match=r"t\.log\.\w+.*(ends early|corrupt)"):
        frame = read_logs(path, format=APP)
    assert 0 < len(frame) < 40000
    assert frame["message"].iloc[0] == "line 0"
    assert frame["problems"].iloc[-1] == "truncated"
    assert (frame["problems"].iloc[:-1] == "").all()


@pytest.mark.parametrize("suffix", ["xz", "zst", "gz"])
def test_corrupt_middle_keeps_lines_before_it(suffix):
    packed = bytearray(COMPRESS[suffix](NOISY))
    cut = len(packed) // 2
    packed[cut : cut + 64] = b"\xff" * 64
    out, warned = decompressed(bytes(packed), f"c.{suffix}")
    assert warned and any(w in warned[0] for w in ("corrupt", "ends early", "damaged"))
    # what a damaged block decodes to before its check fails is not defined: the first
    # quarter (well before the damage) is what must be kept
    assert out[: len(NOISY) // 4] == NOISY[: len(NOISY) // 4]


@pytest.mark.parametrize(
    "text",
    [
        b"BZh is how this plain log starts\nsecond line\n",
        b"\x1f\x8b but not gzip\nsecond line\n",
        b"\xfd7zXZ\x00 junk\nsecond line\n",
        b"\x28\xb5\x2f\xfd junk\nsecond line\n",
    ],
)
def test_fake_magic_plain_file_is_read_as_plain(tmp_path, text):
    out, warned = decompressed(text, "plain.log")
    assert out == text and warned == []
    path = tmp_path / "plain.log"
    path.write_bytes(text)
    frame = read_logs(path, format="<Content>")
    assert frame["message"].tolist()[1] == "second line"
    assert len(frame) == 2


def test_fake_magic_with_compressed_name_warns():
    out, warned = decompressed(b"BZh plain\n", "x.log.bz2")
    assert out == b"BZh plain\n"
    assert len(warned) == 1 and "read as plain text" in warned[0]


def test_directory_mixing_plain_and_compressed(tmp_path):
    lines = BODY.splitlines(keepends=True)
    (tmp_path / "a.log").write_bytes(b"".join(lines[0:5]))
    (tmp_path / "b.log.gz").write_bytes(gzip.compress(b"".join(lines[5:10])))
    (tmp_path / "c.log.xz").write_bytes(lzma.compress(b"".join(lines[10:20])))
    (tmp_path / "d.log.zst").write_bytes(zst(b"".join(lines[20:30])))
    frame = read_logs(tmp_path, format=APP)
    assert frame["message"].tolist() == [f"line {i}" for i in range(30)]
    assert (frame["problems"] == "").all()


def test_damaged_gzip_member_loses_only_that_member(tmp_path):
    # several members (a concatenation, or a block-gzipped log): decoding goes on at the
    # next member after the damage, and the warning names where the damage is
    lines = NOISY.splitlines(keepends=True)
    members = [gzip.compress(b"".join(lines[i : i + 8000])) for i in range(0, 40000, 8000)]
    packed = bytearray(b"".join(members))
    start = len(members[0]) + len(members[1])  # the third member
    packed[start + 200 : start + 264] = b"\xff" * 64
    out, warned = decompressed(bytes(packed), "d.gz")
    assert len(warned) == 1 and "damaged at compressed byte" in warned[0]
    assert "goes on at the next gzip member" in warned[0]
    at = int(warned[0].split("compressed byte ")[1].split()[0])
    assert start + 150 <= at <= start + 264 + 64  # the break, within a step
    kept = out.splitlines(keepends=True)
    assert kept[:16000] == lines[:16000]  # the members before
    assert kept[-16000:] == lines[-16000:]  # and the two after
    frame = read_logs(io.BytesIO(bytes(packed)), format="raw")
    assert frame["n_lines"].sum() == out.count(b"\n") + (not out.endswith(b"\n"))


def test_damage_at_the_end_of_a_single_member_keeps_what_zlib_decodes():
    packed = bytearray(gzip.compress(NOISY))
    packed[-8:-4] = b"\x00\x00\x00\x00"  # the CRC: every line decodes, the check fails
    out, warned = decompressed(bytes(packed), "e.gz")
    assert out == NOISY and warned and "damaged" in warned[0]


class _Zeros(io.RawIOBase):
    """An endless stream of NUL bytes, as /dev/zero."""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        b[:] = bytes(len(b))
        return len(b)


def test_an_endless_line_stops_with_a_clear_error(monkeypatch):
    from llamalog.errors import SourceError
    from llamalog.read import sources

    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 8 << 20)
    with pytest.raises(SourceError, match="not a text log"):
        read_logs(io.BufferedReader(_Zeros()), format="raw")


def test_a_fifo_loses_nothing_to_detection(tmp_path):
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    lines = [f"2026-03-01 08:00:{i % 60:02d} INFO line {i}\n" for i in range(5000)]

    def write():
        with open(fifo, "w") as f:
            f.writelines(lines)

    writer = threading.Thread(target=write)
    writer.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LlamalogWarning)
        frame = read_logs(str(fifo))
    writer.join()
    assert len(frame) == 5000 and frame["parse_ok"].all()
    assert frame["message"].iloc[0] == "line 0"
