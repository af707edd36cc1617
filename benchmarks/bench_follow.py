"""llamalog.follow under rotation at full speed: lost and duplicated lines.

A writer process writes numbered lines (``seq N``) to ``app.log`` at ``--rate`` lines/s
for ``--seconds`` while :func:`llamalog.follow` reads them in this process, and rotates
the log ``--rotations`` times. Each scenario prints how many lines were written,
received, lost and duplicated. The scenarios:

- ``rename-file``, ``rename-glob``, ``rename-dir``: logrotate's default (``create``):
  ``app.log.N`` -> ``app.log.N+1``, ``app.log`` -> ``app.log.1``, a few lines more into
  the renamed file (the program has not reopened it yet), then a new ``app.log``;
  followed as the file, as ``app.log*`` and as the folder.
- ``delete-file``, ``delete-dir``: ``app.log`` deleted and created again.
- ``perm-file``, ``perm-glob``, ``perm-dir``: a rename rotation creates ``app.log``
  without read permission; it is made readable 0.2 s later (as root, follow's ``open``
  is made to honour the mode bits).
- ``copytruncate-file``, ``-glob``, ``-dir``: ``app.log`` copied to ``app.log.1`` and
  truncated between two writes (nothing is lost to the copy itself).
- ``copytruncate-racy-file``, ``-dir``: the copy and the truncation run in another thread
  while the writer goes on writing, as logrotate does; the lines that reached no file
  (written between the end of the copy and the truncation) are counted as ``inherent``:
  no reader can deliver them, ``lost`` counts only the others.

For the scenarios on one file, GNU ``tail -F -n +1`` (inotify) follows the same file:
``tail_F_lost`` counts the lines it missed, ``only_tail_F`` the lines it delivered and
follow() did not.

Usage::

    .venv/bin/python benchmarks/bench_follow.py [--rate 25000] [--seconds 12]
        [--rotations 5] [--scenario NAME ...]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

LINE = "2026-03-01 08:00:00 INFO seq {:09d}\n"
FMT = "<Date> <Time> <Level> <Content>"
SCENARIOS = [
    "rename-file",
    "rename-glob",
    "rename-dir",
    "delete-file",
    "delete-dir",
    "perm-file",
    "perm-glob",
    "perm-dir",
    "copytruncate-file",
    "copytruncate-glob",
    "copytruncate-dir",
    "copytruncate-racy-file",
    "copytruncate-racy-dir",
]


def _shift(folder: Path) -> None:
    """app.log.N -> app.log.N+1, oldest first."""
    numbered = [p for p in folder.glob("app.log.*") if p.suffix[1:].isdigit()]
    for old in sorted(numbered, key=lambda p: -int(p.suffix[1:])):
        os.rename(old, folder / f"app.log.{int(old.suffix[1:]) + 1}")


def write(folder: Path, scenario: str, rate: int, seconds: float, rotations: int) -> None:
    """The writer process: numbered lines at ``rate``, ``rotations`` rotations."""
    path = folder / "app.log"
    f = open(path, "a", encoding="utf-8")
    every = seconds / (rotations + 1)
    chunk = max(1, rate // 200)  # 200 writes a second
    start = time.monotonic()
    seq = rotated = 0
    racy: list[threading.Thread] = []
    while (now := time.monotonic() - start) < seconds:
        due = int(now * rate)
        if seq < due:
            n = min(chunk, due - seq)
            f.write("".join(LINE.format(s) for s in range(seq, seq + n)))
            f.flush()
            seq += n
        else:
            time.sleep(0.002)
        if rotated < rotations and now >= (rotated + 1) * every:
            rotated += 1
            f = _rotate(folder, scenario, f, racy)
    f.close()
    for thread in racy:
        thread.join()
    print(seq)


def _rotate(folder: Path, scenario: str, f, racy: list):
    path = folder / "app.log"
    kind = scenario.rsplit("-", 1)[0]
    if kind == "rename" or kind == "perm":
        _shift(folder)
        os.rename(path, folder / "app.log.1")
        f.write("")  # lines still go to the renamed file until the program reopens
        f.close()
        if kind == "perm":
            fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0)
            threading.Timer(0.2, os.chmod, (path, 0o644)).start()
            return os.fdopen(fd, "a", encoding="utf-8")
        return open(path, "a", encoding="utf-8")
    if kind == "delete":
        os.unlink(path)
        f.close()
        return open(path, "a", encoding="utf-8")
    if kind == "copytruncate":
        _shift(folder)
        shutil.copyfile(path, folder / "app.log.1")
        f.truncate(0)
        return f
    # copytruncate-racy: another thread copies and truncates while this one writes

    def copy_then_truncate():
        _shift(folder)
        shutil.copyfile(path, folder / "app.log.1")
        os.truncate(path, 0)

    thread = threading.Thread(target=copy_then_truncate)
    thread.start()
    racy.append(thread)
    return f


def _honour_modes() -> None:
    """As root every file is readable: make follow's open() refuse mode-0 files."""
    from llamalog.read import follow as module

    def guarded_open(path, *args, **kwargs):
        if not os.stat(path).st_mode & 0o444:
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    module.open = guarded_open


def run(scenario: str, rate: int, seconds: float, rotations: int) -> dict:
    import llamalog

    folder = Path(tempfile.mkdtemp(prefix=f"bench-follow-{scenario}-"))
    (folder / "app.log").touch()
    where = scenario.rsplit("-", 1)[1]
    source = {"file": folder / "app.log", "glob": f"{folder}/app.log*", "dir": folder}[where]
    if scenario.startswith("perm"):
        _honour_modes()
    stream = llamalog.follow(
        source, format=FMT, from_start=True, multiline=False, poll=0.05, idle_timeout=3.0
    )
    tail = tail_out = None
    if where == "file" and shutil.which("tail") and shutil.which("stdbuf"):
        # GNU tail -F (inotify) beside it, line-buffered so that stopping it loses nothing
        tail_out = open(folder.with_suffix(".tail"), "wb")
        tail = subprocess.Popen(
            ["stdbuf", "-oL", "tail", "-F", "-n", "+1", str(source)],
            stdout=tail_out,
            stderr=subprocess.DEVNULL,
        )
    flags = ["--rate", str(rate), "--seconds", str(seconds), "--rotations", str(rotations)]
    writer = subprocess.Popen(
        [sys.executable, __file__, "--write", str(folder), "--scenario", scenario, *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    t0 = time.monotonic()
    counts: collections.Counter = collections.Counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for batch in stream:
            for message in batch["message"]:
                counts[int(message.rsplit(" ", 1)[1])] += 1
    elapsed = time.monotonic() - t0
    written = int(writer.communicate()[0])
    by_tail: set[int] | None = None
    if tail is not None:
        time.sleep(1.0)
        tail.terminate()
        tail.wait()
        tail_out.close()
        out = folder.with_suffix(".tail")
        by_tail = {int(s) for s in re.findall(rb"seq (\d+)\n", out.read_bytes())}
        out.unlink()
    on_disk = set()
    for p in folder.iterdir():
        on_disk.update(int(s) for s in re.findall(rb"seq (\d+)", p.read_bytes()))
    missing = set(range(written)) - set(counts)
    inherent = missing - on_disk if "racy" in scenario else set()
    shutil.rmtree(folder)
    return {
        "scenario": scenario,
        "written": written,
        "received": sum(counts.values()),
        "lost": len(missing - inherent),
        "inherent": len(inherent),
        "duplicated": sum(c - 1 for c in counts.values()),
        "tail_F_lost": "-" if by_tail is None else written - len(by_tail),
        "only_tail_F": "-" if by_tail is None else len(by_tail - set(counts)),
        "lines/s": round(written / seconds),
        "wall_s": round(elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=25_000)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--rotations", type=int, default=5)
    parser.add_argument("--scenario", nargs="*", choices=SCENARIOS, default=SCENARIOS)
    parser.add_argument("--write", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        (scenario,) = args.scenario
        write(Path(args.write), scenario, args.rate, args.seconds, args.rotations)
        return
    import llamalog

    # compile the parser first: a first batch that waits for numba is not the point
    warm = Path(tempfile.mkdtemp()) / "warm.log"
    warm.write_text(LINE.format(0))
    llamalog.read_logs(warm, format=FMT, multiline=False)
    cols = ["scenario", "written", "received", "lost", "inherent", "duplicated"]
    cols += ["tail_F_lost", "only_tail_F"]
    cols += ["lines/s", "wall_s"]
    print(" | ".join(cols))
    for scenario in args.scenario:
        row = run(scenario, args.rate, args.seconds, args.rotations)
        print(" | ".join(str(row[c]) for c in cols), flush=True)


if __name__ == "__main__":
    main()
