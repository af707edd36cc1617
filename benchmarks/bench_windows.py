"""Windowing speed on the 1M-line loggen HDFS corpus: llamalog.windows vs plain pandas.

Setup (not timed): ``read_logs(path, format)`` once, then ``template_id`` from
``TemplateMiner().fit_transform(frame["message"])``. Two jobs are then timed, each for
llamalog and for the plain-pandas code a competent pandas user would write:

- **sessions by block id:** ``llamalog.windows(frame, event="template_id",
  session=r"blk_-?\\d+")``; pandas: ``message.str.findall(regex)`` -> ``explode`` ->
  drop duplicate (row, key) pairs -> ``groupby([key, template_id]).size().unstack()``.
- **1-minute fixed windows:** ``llamalog.windows(frame, event="template_id",
  every="1min")`` and its ``.index`` (built on first use; timed, since the pandas table
  carries the window starts); pandas: ``groupby([timestamp.dt.floor("1min"), template_id])
  .size().unstack()``.

Both run in this process, in turn (llamalog, pandas, llamalog, ...), ``--repeat``
times each (best and median reported); llamalog's numba kernels are compiled by a
warm-up call on a prefix first. The per-window count vectors of the two are checked to
be equal (windows aligned by session key / window start, columns by template id).

Usage::

    .venv/bin/python benchmarks/bench_windows.py [--repeat 5] [--results FILE]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (
    ROOT,
    ensure_corpus,
    git_state,
    load_formats,
    machine_info,
    markdown_table,
    now_utc,
    replace_section,
    require_shared,
    summary,
)

HEADING = "## Windowing (issue: analysis)"
BLOCK = r"blk_-?\d+"
TARGET_S_PER_M = 1.0
TARGET_RATIO = 10.0


def pandas_sessions(frame: pd.DataFrame) -> pd.DataFrame:
    """Session counts by block id, the pandas way: findall, explode, dedupe, count."""
    keys = frame["message"].str.findall(BLOCK).explode().dropna()
    pairs = pd.DataFrame({"row": keys.index.to_numpy(), "key": keys.to_numpy()})
    pairs = pairs.drop_duplicates()
    pairs["template_id"] = frame["template_id"].to_numpy()[pairs["row"].to_numpy()]
    return pairs.groupby(["key", "template_id"]).size().unstack(fill_value=0)


def pandas_fixed(frame: pd.DataFrame) -> pd.DataFrame:
    """1-minute window counts, the pandas way: floor the timestamp, group, count."""
    start = frame["timestamp"].dt.floor("1min")
    return frame.groupby([start, "template_id"]).size().unstack(fill_value=0)


def llamalog_sessions(frame: pd.DataFrame):
    import llamalog

    return llamalog.windows(frame, event="template_id", session=BLOCK)


def llamalog_fixed(frame: pd.DataFrame):
    import llamalog

    w = llamalog.windows(frame, event="template_id", every="1min")
    _ = w.index  # built on first use: timed here, as pandas' table carries window starts
    return w


def timed(fns: list[Callable], frame: pd.DataFrame, repeat: int) -> list[tuple[dict, object]]:
    """Run each of ``fns`` on ``frame``, in turn, ``repeat`` rounds (interleaved, so that
    a neighbour's load on the shared machine falls on both sides alike); per function
    its timings and last result."""
    samples: list[list[float]] = [[] for _ in fns]
    outs: list[object] = [None] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            outs[k] = None
            gc.collect()
            start = time.perf_counter()
            outs[k] = fn(frame)
            samples[k].append(time.perf_counter() - start)
    return [(summary(t), out) for t, out in zip(samples, outs, strict=True)]


def check_counts(w, p: pd.DataFrame, by: str) -> None:
    """Assert that llamalog's windows ``w`` and the pandas table ``p`` count alike.

    Windows are aligned by ``w.index[by]`` against ``p.index`` and columns by template id.
    """
    keys = w.index[by]
    assert len(w) == len(p), f"{len(w)} llamalog windows vs {len(p)} pandas windows"
    assert keys.is_unique and p.index.is_unique
    assert set(keys) == set(p.index), "window keys differ"
    vocab = np.asarray(w.vocabulary)
    assert set(vocab.tolist()) == set(p.columns.tolist()), "template ids differ"
    expected = p.reindex(index=pd.Index(keys), columns=vocab).to_numpy()
    got = w.counts.toarray()
    assert got.shape == expected.shape
    assert np.array_equal(got, expected), "counts differ"


def versions() -> dict:
    import numba
    import pyarrow
    import scipy

    import llamalog

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "llamalog": llamalog.__version__,
    }


def fmt_s(t: dict) -> str:
    digits = 4 if t["best"] < 0.01 else 3
    return f"{t['best']:.{digits}f} / {t['median']:.{digits}f}"


def table(rows: list[dict], lines: int) -> str:
    cells = []
    for r in rows:
        per_m = r["llamalog"]["best"] * 1_000_000 / lines
        ratio = r["pandas"]["best"] / r["llamalog"]["best"]
        cells.append(
            [
                r["job"],
                f"{r['windows']:,}",
                fmt_s(r["llamalog"]),
                fmt_s(r["pandas"]),
                f"{ratio:.1f}x",
                f"{per_m:.3f} s: {'PASS' if per_m <= TARGET_S_PER_M else 'MISS'}",
                f"{ratio:.1f}x: {'PASS' if ratio >= TARGET_RATIO else 'MISS'}",
            ]
        )
    return markdown_table(
        [
            "job",
            "windows",
            "llamalog s (best / median)",
            "pandas s (best / median)",
            "ratio (pandas / llamalog, best)",
            "≤ 1 s per 1M lines",
            "≥ 10× pandas",
        ],
        cells,
    )


def section(info: dict, v: dict, load_end, command: str, lines: int, repeat: int, text: str):
    mem = f", {info['mem_gib']:.0f} GiB RAM" if info.get("mem_gib") else ""
    load = ""
    if info.get("loadavg") and load_end:
        load = f"; 1-min load average {info['loadavg'][0]:.2f} at start, {load_end[0]:.2f} at end"
    lines_out = [
        f"Run {now_utc()} on {info['cpu']}, nproc {info['nproc']}{mem}{load} ({info['os']}).",
        f"Versions: Python {v['python']}, numpy {v['numpy']}, pandas {v['pandas']}, "
        f"pyarrow {v['pyarrow']}, scipy {v['scipy']}, numba {v['numba']} "
        f"({v['numba_threads']} threads), llamalog {v['llamalog']} (git {git_state()}).",
        "",
        "Command:",
        "",
        "```",
        command,
        "```",
        "",
        "Method (details in the docstring of `benchmarks/bench_windows.py`): loggen HDFS "
        f"corpus, {lines:,} lines, parsed once with `read_logs` and mined once with "
        "`TemplateMiner().fit_transform` (neither timed). Each job runs "
        f"{repeat} times in one process, llamalog and pandas in turn (a neighbour's load "
        "falls on both alike), llamalog after a warm-up call on a prefix; "
        "times in seconds, best / median. Sessions: `windows(frame, "
        'event="template_id", session=r"blk_-?\\d+")` vs pandas `str.findall` -> '
        "`explode` -> drop duplicate (row, key) -> `groupby([key, template_id]).size()"
        '.unstack()`. Fixed: `windows(frame, event="template_id", every="1min")` '
        "and its `.index` (built on first use) vs "
        'pandas `groupby([timestamp.dt.floor("1min"), template_id]).size().unstack()`. '
        "Per-window count vectors checked equal (windows aligned by key / window "
        "start, columns by template id): counts agree.",
        "",
        text,
    ]
    if info.get("loadavg") and info.get("nproc") and info["loadavg"][0] > 0.5 * info["nproc"]:
        lines_out += [
            "",
            f"Note: the machine was busy (1-min load average {info['loadavg'][0]:.1f} on "
            f"{info['nproc']} CPUs before the benchmark started): absolute times are "
            "pessimistic and vary from run to run.",
        ]
    return "\n".join(lines_out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    require_shared()
    info = machine_info()
    import llamalog

    path = ensure_corpus("HDFS", args.lines)
    formats = load_formats()
    print(f"reading and mining {path.relative_to(ROOT)} (not timed) ...", flush=True)
    frame = llamalog.read_logs(path, format=formats["HDFS"])
    frame["template_id"] = llamalog.TemplateMiner().fit_transform(frame["message"])
    frame = frame.reset_index(drop=True)
    lines = len(frame)

    # warm-up: compile llamalog's kernels (and pandas' lazy imports) on a prefix
    head = frame.iloc[:10_000]
    for fn in (llamalog_sessions, llamalog_fixed, pandas_sessions, pandas_fixed):
        fn(head)

    jobs = [
        ("sessions by block id", llamalog_sessions, pandas_sessions, "key"),
        ("1-minute fixed windows", llamalog_fixed, pandas_fixed, "start"),
    ]
    rows = []
    for name, ll_fn, pd_fn, by in jobs:
        (ll_t, w), (pd_t, p) = timed([ll_fn, pd_fn], frame, args.repeat)
        check_counts(w, p, by)
        print(
            f"{name}: llamalog {fmt_s(ll_t)} s, pandas {fmt_s(pd_t)} s, "
            f"{len(w):,} windows; counts agree",
            flush=True,
        )
        rows.append({"job": name, "llamalog": ll_t, "pandas": pd_t, "windows": len(w)})
        del w, p
    print("counts agree")
    text = table(rows, lines)
    print()
    print(text)
    if args.results:
        load_end = os.getloadavg() if hasattr(os, "getloadavg") else None
        command = " ".join(
            [".venv/bin/python benchmarks/bench_windows.py", *(argv or sys.argv[1:])]
        )
        body = section(info, versions(), load_end, command, lines, args.repeat, text)
        replace_section(args.results, HEADING, body)
        print(f"wrote section {HEADING!r} in {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
