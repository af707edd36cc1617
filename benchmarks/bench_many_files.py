"""Reading a folder of many small log files: ``read_logs(folder)`` against plain pandas.

Usage::

    .venv/bin/python benchmarks/bench_many_files.py                 # HDFS, 2,000 x 50 lines
    .venv/bin/python benchmarks/bench_many_files.py --dataset OpenSSH --files 5000 \\
        --lines-per-file 20 --results benchmarks/RESULTS.md

Method
------
Corpus. The first ``--files`` x ``--lines-per-file`` lines of the 1M-line loggen corpus
of ``--dataset`` (the one ``bench_read.py`` uses), cut into that many files of
consecutive lines in ``benchmarks/data/many_<dataset>_<files>x<lines>/``, written once
and reused. Many small files are what a folder of per-job, per-host or rotated logs
looks like.

What is timed, in this process, ``--repeat`` rounds alternating the two, best of them:

(a) ``llamalog.read_logs(folder, format=FMT)`` (after a warm-up read of one file, so
    that loading numba's cached kernels is not timed): every file, one row per line,
    a ``source`` column naming the file, fields, timestamps and levels; and the same
    rows through ``llamalog.iter_logs(folder, format=FMT, chunksize=20_000)``; the
    same files gzipped (``<folder>_gz``, not parsed together); their records as JSON
    lines (``<folder>_jsonl``, ``format="jsonl"``); and ``llamalog.dask.read_logs``
    computed with the threaded scheduler (when dask is installed).
(b) The pandas baseline, written the way a competent pandas user would: every file's
    lines read (``open().read().splitlines()``), one ``Series`` of all of them,
    ``str.extract`` with the Loghub regex of the format and ``pd.to_datetime`` on its
    date/time fields (``bench_read.py``'s baseline), plus the file name of each line.

Reported: lines/s and files/s of each, the ratio of ``read_logs`` to pandas, whether
every line was kept, and the time of one boolean filter of the frame ``read_logs``
gives (pandas copies a frame's ``attrs`` with it).
"""

from __future__ import annotations

import argparse
import importlib.util as import_util
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
from bench_read import TIME_SPECS, loghub_regex

HEADING = "## Many small files (issue: foundation)"


def ensure_folder(dataset: str, files: int, per_file: int) -> Path:
    """``files`` files of ``per_file`` consecutive lines of the 1M-line corpus."""
    folder = DATA_DIR / f"many_{dataset}_{files}x{per_file}"
    names = [folder / f"part{i:05d}.log" for i in range(files)]
    if folder.is_dir() and all(p.exists() for p in names):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    corpus = ensure_corpus(dataset, 1_000_000)
    with open(corpus, "rb") as src:
        for path in names:
            chunk = [src.readline() for _ in range(per_file)]
            path.write_bytes(b"".join(chunk))
    return folder


def ensure_variants(folder: Path, fmt: str) -> tuple[Path, Path]:
    """The same files gzipped, and their records as JSON lines (``time`` in ISO 8601,
    ``level``, ``message``), in folders beside ``folder``."""
    import gzip
    import json

    import llamalog

    gz, jsonl = folder.with_name(folder.name + "_gz"), folder.with_name(folder.name + "_jsonl")
    paths = sorted(folder.iterdir())
    if not (gz.is_dir() and len(list(gz.iterdir())) == len(paths)):
        gz.mkdir(exist_ok=True)
        for path in paths:
            (gz / (path.name + ".gz")).write_bytes(gzip.compress(path.read_bytes()))
    if not (jsonl.is_dir() and len(list(jsonl.iterdir())) == len(paths)):
        jsonl.mkdir(exist_ok=True)
        frame = llamalog.read_logs(folder, format=fmt)
        for path, part in frame.groupby("source", observed=True, sort=False):
            rows = zip(part["timestamp"], part["level"].astype(str), part["message"], strict=True)
            text = "".join(
                json.dumps({"time": t.isoformat(), "level": lv, "message": m}) + "\n"
                for t, lv, m in rows
            )
            (jsonl / (Path(path).stem + ".jsonl")).write_text(text)
    return gz, jsonl


def pandas_read(folder: Path, dataset: str, fmt: str) -> tuple[float, int, float]:
    """The baseline: seconds, rows, share of rows the regex matched."""
    import pandas as pd

    regex = loghub_regex(fmt)
    fields, time_format = TIME_SPECS.get(dataset, ((), ""))
    start = time.perf_counter()
    lines: list[str] = []
    sources: list[str] = []
    for path in sorted(folder.iterdir()):
        with open(path, encoding="utf-8", errors="replace") as f:
            part = f.read().splitlines()
        lines += part
        sources += [str(path)] * len(part)
    frame = pd.Series(lines).str.extract(regex)
    frame["source"] = pd.Categorical(sources)
    if fields and time_format != "epoch":
        text = frame[fields[0]]
        for name in fields[1:]:
            text = text + " " + frame[name]
        frame["timestamp"] = pd.to_datetime(text, format=time_format, errors="coerce")
    seconds = time.perf_counter() - start
    return seconds, len(frame), float(frame.iloc[:, 0].notna().mean())


def llamalog_read(folder: Path, fmt: str) -> tuple[float, int, float]:
    import llamalog

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", llamalog.LlamalogWarning)
        frame = llamalog.read_logs(folder, format=fmt)
    seconds = time.perf_counter() - start
    return seconds, len(frame), float(frame["parse_ok"].mean())


def llamalog_chunks(folder: Path, fmt: str, chunksize: int = 20_000) -> tuple[float, int, float]:
    """The same files through ``iter_logs`` (bounded memory), chunks of ``chunksize``."""
    import llamalog

    start = time.perf_counter()
    rows = ok = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", llamalog.LlamalogWarning)
        for chunk in llamalog.iter_logs(folder, format=fmt, chunksize=chunksize):
            rows += len(chunk)
            ok += int(chunk["parse_ok"].sum())
    return time.perf_counter() - start, rows, ok / max(rows, 1)


def dask_read(folder: Path, fmt: str) -> tuple[float, int, float]:
    """``llamalog.dask.read_logs`` on the folder, computed with the threaded scheduler."""
    import llamalog.dask as lld

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = lld.read_logs(folder, format=fmt).compute(scheduler="threads")
    return time.perf_counter() - start, len(frame), float(frame["parse_ok"].mean())


def filter_ms(folder: Path, fmt: str, repeat: int = 20) -> tuple[float, float]:
    """Milliseconds for one boolean filter (every other row) of the frame read from the
    folder, with its ``attrs`` (pandas copies them with the result) and without."""
    import llamalog

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", llamalog.LlamalogWarning)
        frame = llamalog.read_logs(folder, format=fmt)
    mask = np.arange(len(frame)) % 2 == 0
    times = []
    for attrs in (frame.attrs, {}):
        frame.attrs = attrs
        start = time.perf_counter()
        for _ in range(repeat):
            frame[mask]
        times.append((time.perf_counter() - start) / repeat * 1e3)
    return times[0], times[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="HDFS")
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--lines-per-file", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    require_shared()
    fmt = load_formats()[args.dataset]
    folder = ensure_folder(args.dataset, args.files, args.lines_per_file)
    import llamalog

    gz, jsonl = ensure_variants(folder, fmt)
    llamalog.read_logs(next(folder.iterdir()), format=fmt)  # load the kernels
    llamalog.read_logs(next(gz.iterdir()), format=fmt)
    llamalog.read_logs(next(jsonl.iterdir()), format="jsonl")
    readers = {
        "llamalog": lambda: llamalog_read(folder, fmt),
        "llamalog iter_logs (chunks of 20,000)": lambda: llamalog_chunks(folder, fmt),
        "llamalog, the files gzipped": lambda: llamalog_read(gz, fmt),
        "llamalog, the records as JSON lines": lambda: llamalog_read(jsonl, "jsonl"),
        "llamalog.dask (threaded scheduler)": lambda: dask_read(folder, fmt),
        "pandas": lambda: pandas_read(folder, args.dataset, fmt),
    }
    if import_util.find_spec("dask") is None:
        del readers["llamalog.dask (threaded scheduler)"]
    runs: dict[str, list[tuple[float, int, float]]] = {name: [] for name in readers}
    for _ in range(args.repeat):
        for name, read in readers.items():
            runs[name].append(read())
    best = {k: min(v) for k, v in runs.items()}
    lines = args.files * args.lines_per_file
    rows = []
    for name, (seconds, n, ok) in best.items():
        rows.append(
            [
                name,
                f"{seconds:.3f}",
                f"{n / seconds:,.0f}",
                f"{args.files / seconds:,.0f}",
                f"{n:,} of {lines:,}",
                f"{ok:.1%}",
            ]
        )
    ratio = best["pandas"][0] / best["llamalog"][0]
    table = markdown_table(
        ["reader", "best s", "lines/s", "files/s", "rows", "parsed"],
        rows,
    )
    text = (
        f"{args.files:,} files of {args.lines_per_file} {args.dataset} lines "
        f"(loggen, `{folder.name}`), best of {args.repeat} in one process:\n\n{table}\n\n"
        f"llamalog / pandas: {ratio:.1f}x\n\n"
        "A boolean filter (every other row) of the frame `read_logs` gives: "
        "{:.1f} ms with its `attrs`, {:.1f} ms with them cleared".format(*filter_ms(folder, fmt))
    )
    print(text)
    if args.results:
        write_results(args.results, HEADING, "bench_many_files.py", argv, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
