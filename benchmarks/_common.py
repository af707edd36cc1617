"""Helpers shared by the benchmarks: paths, corpora, measured child processes, reports.

Only the standard library is imported here, so that a benchmark's parent process stays
small and every library under test is imported in the child process that measures it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: The repository root (the folder holding ``llamalog/`` and ``benchmarks/``).
ROOT = Path(__file__).resolve().parent.parent
#: Generated corpora live here (git-ignored).
DATA_DIR = ROOT / "benchmarks" / "data"
#: The shared folder next to the repository: Loghub-2k samples and the corpus generator.
SHARED = ROOT.parent / "shared"
LOGHUB = SHARED / "loghub-2k"
LOGGEN = SHARED / "tools" / "loggen.py"


def require_shared() -> None:
    """Exit 0 with a clear message when ``../shared`` (samples and loggen) is missing."""
    missing = [p for p in (LOGHUB / "formats.json", LOGGEN) if not p.exists()]
    if missing:
        names = ", ".join(str(p) for p in missing)
        print(
            f"benchmark skipped: {names} not found. The benchmarks need the shared folder "
            f"next to the repository ({SHARED}) with loghub-2k/ and tools/loggen.py."
        )
        sys.exit(0)


def load_formats() -> dict[str, str]:
    """Loghub header formats in ``<Field>`` notation, keyed by dataset name."""
    data = json.loads((LOGHUB / "formats.json").read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


def human_count(n: int) -> str:
    """``1000000`` -> ``"1M"``, ``200000`` -> ``"200k"``, ``1234`` -> ``"1234"``."""
    for div, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= div and n % div == 0:
            return f"{n // div}{suffix}"
    return str(n)


def count_lines(path: Path, chunk: int = 1 << 24) -> int:
    """Number of ``\\n`` bytes in a file, as ``wc -l`` counts them."""
    total = 0
    with open(path, "rb") as f:
        while block := f.read(chunk):
            total += block.count(b"\n")
    return total


def ensure_corpus(dataset: str, lines: int, seed: int = 0) -> Path:
    """A corpus of ``lines`` lines from loggen, generated once and cached in ``DATA_DIR``.

    A cached file is reused when its line count matches; otherwise it is written again.
    """
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    suffix = "" if seed == 0 else f"_s{seed}"
    path = DATA_DIR / f"{dataset}_{human_count(lines)}{suffix}.log"
    if path.exists() and count_lines(path) == lines:
        return path
    cmd = [sys.executable, str(LOGGEN), str(LOGHUB / dataset), str(lines)]
    cmd += ["-o", str(path), "-q", "--seed", str(seed)]
    print(f"generating {path.relative_to(ROOT)} ({lines:,} lines) ...", flush=True)
    subprocess.run(cmd, check=True)
    return path


def head_file(path: Path, lines: int) -> Path:
    """The first ``lines`` lines of ``path`` as a cached file beside it."""
    out = path.with_name(f"{path.stem}_head{human_count(lines)}{path.suffix}")
    if out.exists() and count_lines(out) == lines:
        return out
    with open(path, "rb") as src, open(out, "wb") as dst:
        for i, line in enumerate(src):
            if i == lines:
                break
            dst.write(line)
    return out


@dataclass
class Child:
    """What a measured child process printed, how long it ran, and its peak RSS."""

    stdout: str
    wall_s: float
    maxrss_kib: int

    def result(self) -> dict:
        """The JSON object on the last line of stdout."""
        return json.loads(self.stdout.strip().splitlines()[-1])


def child_env() -> dict[str, str]:
    """The environment for child processes: the repository importable, as in a checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_measured(cmd: Sequence[str], *, env: dict[str, str] | None = None) -> Child:
    """Run ``cmd`` to completion and return its stdout, wall time and peak RSS.

    The peak RSS is ``ru_maxrss`` (KiB on Linux) of the rusage that ``os.wait4`` returns
    for this one child: the number ``resource.getrusage(RUSAGE_CHILDREN)`` would show
    after it, except that RUSAGE_CHILDREN keeps the maximum over *all* children waited
    for so far, so it cannot tell a small run that follows a big one.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=err, env=env, cwd=ROOT)
        assert proc.stdout is not None
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-4000:]
            raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{tail}")
    return Child(out.decode("utf-8", "replace"), wall, usage.ru_maxrss)


def time_command(cmd: Sequence[str]) -> float:
    """Wall seconds of one run of an external command (output discarded)."""
    start = time.perf_counter()
    subprocess.run(list(cmd), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def summary(samples: Sequence[float]) -> dict:
    """Best (minimum), median and all samples of a timing."""
    return {"best": min(samples), "median": statistics.median(samples), "samples": list(samples)}


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gib() -> float | None:
    """Physical memory in GiB from /proc/meminfo."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / (1 << 20)
    except OSError:
        pass
    return None


def git_state() -> str:
    """Short commit of HEAD, plus a note when llamalog/ has uncommitted changes (read-only)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--", "llamalog"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head or 'unknown'}{' + uncommitted changes in llamalog/' if dirty else ''}"


def machine_info() -> dict:
    """nproc, CPU model, memory, load average and OS of this machine."""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "mem_gib": mem_total_gib(),
        "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def now_utc() -> str:
    """The current time, ISO format in UTC, to the minute."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table with padded columns (readable as plain text too)."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def replace_section(
    path: Path, heading: str, body: str, title: str = "# Benchmark results"
) -> None:
    """Write ``heading`` + ``body`` into a markdown file, keeping every other section.

    An existing section with the same level-2 heading is replaced in place (up to the next
    ``## `` heading); otherwise the section is appended. A missing file is created.
    """
    text = path.read_text() if path.exists() else f"{title}\n"
    section = f"{heading}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^{re.escape(heading)}[ \t]*\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)


def write_results(
    path: Path, heading: str, script: str, argv: Sequence[str] | None, text: str
) -> None:
    """Record ``text`` under ``heading`` in ``path``, after the run's time, machine and
    the command that produced it (``script`` with ``argv``, or this process's arguments)."""
    info = machine_info()
    command = " ".join([f"benchmarks/{script}", *(argv if argv is not None else sys.argv[1:])])
    body = (
        f"Run {now_utc()} on {info.get('cpu', '?')}, nproc {info.get('nproc', '?')}.\n\n"
        f"Command: `.venv/bin/python {command}`\n\n{text}"
    )
    replace_section(path, heading, body)
    print(f"wrote section {heading!r} in {path}")
