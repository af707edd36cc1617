"""Reading a large JSON-lines log: ``read_logs(format="jsonl")`` against pandas and pyarrow.

Corpus: the 1M-line loggen HDFS corpus (``--lines``), parsed once and written as JSON
lines (``time`` in ISO 8601, ``level``, ``pid`` as a number, ``component``,
``message``) to ``benchmarks/data/`` (cached). Timed in one process, best of
``--repeat``, alternating the readers:

* ``llamalog.read_logs(path, format="jsonl")``: every line kept, time parsed to
  ``timestamp``, level normalised, the other keys as columns;
* ``pandas.read_json(path, lines=True, engine="pyarrow")``, then ``to_datetime`` of
  ``time``: the fastest pandas reader (it fails on any invalid line, where llamalog
  keeps and flags it);
* ``pyarrow.json.read_json(path)`` alone: the parse floor, no frame, no checks.

A second table times ``parse_json_records`` on small inputs through each of its two
paths (``json.loads`` line by line, and pyarrow's reader, which has a fixed cost per
call), for narrow records (the corpus's first lines, 5 keys) and wide ones (10 keys,
nested): the measurement behind ``_MIN_FAST_BYTES`` in ``llamalog/parse/jsonl.py``.

Usage::

    .venv/bin/python benchmarks/bench_jsonl.py [--lines 1000000] [--repeat 3] \
        [--results benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (
    DATA_DIR,
    ensure_corpus,
    load_formats,
    markdown_table,
    require_shared,
    write_results,
)

HEADING = "## JSON lines: one large file (issue: foundation)"


def ensure_jsonl(lines: int) -> Path:
    """The HDFS corpus of ``lines`` lines as JSON lines, written once."""
    import llamalog

    corpus = ensure_corpus("HDFS", lines)
    path = DATA_DIR / (corpus.stem + ".jsonl")
    if path.exists() and path.stat().st_mtime >= corpus.stat().st_mtime:
        return path
    frame = llamalog.read_logs(corpus, format=load_formats()["HDFS"])
    rows = zip(
        frame["timestamp"],
        frame["level"].astype(str),
        frame["Pid"].astype(str),
        frame["Component"].astype(str),
        frame["message"],
        strict=True,
    )
    with open(path, "w") as out:
        for t, level, pid, component, message in rows:
            record = {"time": t.isoformat(), "level": level, "pid": int(pid)}
            record |= {"component": component, "message": message}
            out.write(json.dumps(record) + "\n")
    return path


def read_llamalog(path: Path) -> int:
    import llamalog

    return len(llamalog.read_logs(path, format="jsonl"))


def read_pandas(path: Path) -> int:
    import pandas as pd

    frame = pd.read_json(path, lines=True, engine="pyarrow")
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return len(frame)


def read_pyarrow(path: Path) -> int:
    import pyarrow.json as pajson

    return pajson.read_json(path).num_rows


READERS = {
    "llamalog read_logs(format='jsonl')": read_llamalog,
    "pandas read_json(engine='pyarrow') + to_datetime": read_pandas,
    "pyarrow.json.read_json (parse only)": read_pyarrow,
}


def wide_records(n: int) -> list[str]:
    """``n`` records of 10 keys, one nested object and one list (about 250 bytes)."""
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        record = {
            "ts": f"2024-05-01T10:{i % 60:02d}:00Z",
            "level": ["info", "warn", "error"][i % 3],
            "msg": f"request {i} served in {rng.random():.3f}s",
            "host": f"web-{i % 7}",
            "status": [200, 404, 500][i % 3],
            "latency_ms": float(rng.random() * 100),
            "user": {"id": i * 7, "name": f"u{i}"},
            "path": f"/api/v1/items/{i}",
            "ok": bool(i % 2),
            "tags": ["a", "b"],
        }
        out.append(json.dumps(record))
    return out


def path_sizes(path: Path, sizes: list[int]) -> list[list[str]]:
    """Rows of the small-input table: per record shape and line count, both paths."""
    import pyarrow as pa

    import llamalog.parse.jsonl as J

    with open(path) as f:
        narrow = [next(f).rstrip("\n") for _ in range(max(sizes))]
    wide = wide_records(max(sizes))
    saved = J._MIN_FAST_BYTES
    rows = []
    try:
        for name, lines in (("narrow (5 keys)", narrow), ("wide (10 keys)", wide)):
            for n in sizes:
                arr = pa.array(lines[:n], pa.large_string())
                kb = sum(map(len, lines[:n])) / 1024
                times = []
                for knob in (1 << 62, 0):  # json.loads only, then pyarrow only
                    J._MIN_FAST_BYTES = knob
                    J.parse_json_records(arr)
                    best = float("inf")
                    for _ in range(5):
                        t = time.perf_counter()
                        for _ in range(20):
                            J.parse_json_records(arr)
                        best = min(best, (time.perf_counter() - t) / 20)
                    times.append(best * 1e6)
                J._MIN_FAST_BYTES = saved
                used = "pyarrow" if kb * 1024 >= saved else "json.loads"
                rows.append([name, n, f"{kb:.0f}", f"{times[0]:,.0f}", f"{times[1]:,.0f}", used])
    finally:
        J._MIN_FAST_BYTES = saved
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    require_shared()
    warnings.simplefilter("ignore")
    path = ensure_jsonl(args.lines)
    size = path.stat().st_size
    for read in READERS.values():  # warm-up: imports, numba's cache, the page cache
        read(path)
    best = dict.fromkeys(READERS, float("inf"))
    rows = {}
    for _ in range(args.repeat):
        for name, read in READERS.items():
            t = time.perf_counter()
            rows[name] = read(path)
            best[name] = min(best[name], time.perf_counter() - t)
    ours = best["llamalog read_logs(format='jsonl')"]
    table = markdown_table(
        ["reader", "best s", "lines/s", "MB/s", "rows", "llamalog speed vs this"],
        [
            [
                name,
                f"{s:.3f}",
                f"{rows[name] / s:,.0f}",
                f"{size / s / 1e6:.0f}",
                f"{rows[name]:,}",
                f"{s / ours:.2f}x",
            ]
            for name, s in best.items()
        ],
    )
    small = markdown_table(
        ["records", "lines", "KB", "json.loads path us", "pyarrow path us", "default path"],
        path_sizes(path, [32, 64, 128, 192, 256, 384]),
    )
    text = (
        f"`{path.name}`: {args.lines:,} HDFS records as JSON lines, {size / 1e6:.0f} MB; "
        f"best of {args.repeat}, readers alternating.\n\n{table}\n\n"
        f"`parse_json_records` on small inputs, each path forced (best of 5 x 20 calls):"
        f"\n\n{small}"
    )
    print(text)
    if args.results:
        write_results(args.results, HEADING, "bench_jsonl.py", argv, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
