"""Ingest benchmark: ``llamalog.read_logs`` against ``wc -l`` and a plain-pandas baseline.

Usage::

    .venv/bin/python benchmarks/bench_read.py                  # HDFS and BGL, 1M lines
    .venv/bin/python benchmarks/bench_read.py --datasets HDFS,BGL,Spark --lines 200000 \\
        --json out/bench_read.json --results benchmarks/RESULTS.md --profile

Method
------
Corpora. ``../shared/tools/loggen.py`` grows each Loghub-2k sample to ``--lines`` lines
(seed ``--seed``), cached in ``benchmarks/data/`` and reused when the line count matches.
The header format of each dataset comes from ``../shared/loghub-2k/formats.json``. Before
anything is timed the file is read once (``wc -l``), so every run reads from the page
cache: the numbers are parsing cost, not disk speed.

What is timed, for each corpus, ``--repeat`` rounds, interleaved (wc, pandas, llamalog,
wc, pandas, ...) so that load from other processes on a shared machine hits all three
alike:

(a) ``wc -l FILE`` as a subprocess: the floor for touching every byte once.
(b) The pandas baseline, written the way a competent pandas user would: the Loghub
    regex built the standard way (each ``<Field>`` becomes ``(?P<Field>.*?)``, runs of
    spaces ``\\s+``, anchored ``^...$``, as Loghub's ``generate_logformat_regex``),
    ``open().read().splitlines()``, ``pd.Series(lines).str.extract(regex)`` and
    ``pd.to_datetime`` on the date/time fields with an explicit format
    (``errors="coerce"``). With pandas' default string dtype this runs pyarrow's RE2
    ``extract_regex`` when every group is named (Python ``re`` otherwise, e.g. Linux).
    If a ``--prefix`` (200k) line prefix predicts more than ``--pandas-limit`` (60)
    seconds for the whole file, the baseline is timed on that prefix and its lines/s
    reported (marked ``*``).
(c) ``llamalog.read_logs(FILE, format=FMT)`` (and, reported beside it, the same with
    ``columns=[]``: the message and base columns only), after an untimed warm-up call on the same
    file in the same process, so that loading numba's disk-cached machine code (or
    compiling it the first time) is not timed. A small warm-up file is not enough: large
    inputs use the kernels' parallel builds, and a file of several blocks passes buffers
    of another array type (read-only vs writable) than a one-block file, a second numba
    signature; after a 100k-line warm-up, 7 kernel variants were still loaded (about
    0.2 s) inside the timed call. The frame of the warm-up call is freed before the
    timed call; the two calls peak about 2% above one.

(b) and (c) each run in a fresh Python process per round; the time is measured inside it
around the call only (imports and warm-up excluded). The peak RSS of that process is its
``ru_maxrss`` as returned by ``os.wait4`` (the per-child value of
``getrusage(RUSAGE_CHILDREN)``): everything, interpreter and imported libraries included,
nothing subtracted. For context, the peak RSS of a bare ``python -c "import llamalog,
pandas"`` is reported too.

Reported: the best (minimum) time of the rounds, the usual estimate of a noisy machine's
uncontended speed; the median is in the JSON output. Peak RSS is the largest of the
rounds. Targets (PASS/MISS, never an error): at least 2M lines/s on HDFS, at least 10x the
pandas baseline, peak RSS at most 3x the file size.

``--profile`` runs one more ``read_logs`` (after the same warm-up) under cProfile and
prints the functions with the most own time, and llamalog's functions by cumulative time.
A numba kernel is one entry whose time is all its own.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
import time
from pathlib import Path

from _common import (
    LOGHUB,
    ROOT,
    child_env,
    count_lines,
    ensure_corpus,
    git_state,
    head_file,
    load_formats,
    machine_info,
    markdown_table,
    now_utc,
    replace_section,
    require_shared,
    run_measured,
    summary,
    time_command,
)

HEADING = "## Ingest: read_logs (issue: foundation)"
TARGET_HDFS_LPS = 2_000_000
TARGET_RATIO = 10.0
TARGET_RSS_X = 3.0
MB = 1e6
MIB = 1 << 20

#: How a pandas user would parse each dataset's timestamp: (fields joined by a space,
#: strptime format), or (field, "epoch") for seconds since 1970.
TIME_SPECS: dict[str, tuple[tuple[str, ...], str]] = {
    "Apache": (("Time",), "%a %b %d %H:%M:%S %Y"),
    "BGL": (("Time",), "%Y-%m-%d-%H.%M.%S.%f"),
    "HDFS": (("Date", "Time"), "%y%m%d %H%M%S"),
    "HPC": (("Time",), "epoch"),
    "Hadoop": (("Date", "Time"), "%Y-%m-%d %H:%M:%S,%f"),
    "HealthApp": (("Time",), "%Y%m%d-%H:%M:%S:%f"),
    "Linux": (("Month", "Date", "Time"), "%b %d %H:%M:%S"),
    "OpenSSH": (("Date", "Day", "Time"), "%b %d %H:%M:%S"),
    "OpenStack": (("Date", "Time"), "%Y-%m-%d %H:%M:%S.%f"),
    "Spark": (("Date", "Time"), "%y/%m/%d %H:%M:%S"),
}


def loghub_regex(fmt: str) -> str:
    """The regex Loghub's parsers build from a ``<Field>`` header format.

    Examples
    --------
    >>> loghub_regex("<Date> <Time> <Level>: <Content>")
    '^(?P<Date>.*?)\\\\s+(?P<Time>.*?)\\\\s+(?P<Level>.*?):\\\\s+(?P<Content>.*?)$'
    """
    parts = re.split(r"(<[^<>]+>)", fmt)
    out = []
    for k, part in enumerate(parts):
        if k % 2 == 0:
            out.append(re.sub(" +", r"\\s+", part))
        else:
            out.append(f"(?P<{part.strip('<>')}>.*?)")
    return "^" + "".join(out) + "$"


# --------------------------------------------------------------------------- child workers


def work_pandas(path: str, dataset: str, fmt: str) -> dict:
    """The plain-pandas baseline: lines -> str.extract -> to_datetime."""
    import pandas as pd

    regex = loghub_regex(fmt)
    fields, time_format = TIME_SPECS.get(dataset, ((), ""))
    start = time.perf_counter()
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    frame = pd.Series(lines).str.extract(regex)
    del lines
    if fields:
        text = frame[fields[0]]
        for name in fields[1:]:
            text = text + " " + frame[name]
        if time_format == "epoch":
            secs = pd.to_numeric(text, errors="coerce")
            frame["timestamp"] = pd.to_datetime(secs, unit="s", errors="coerce")
        else:
            frame["timestamp"] = pd.to_datetime(text, format=time_format, errors="coerce")
    seconds = time.perf_counter() - start
    first = frame.columns[0]
    return {
        "seconds": seconds,
        "rows": len(frame),
        "matched": float(frame[first].notna().mean()) if len(frame) else None,
        "time_ok": float(frame["timestamp"].notna().mean()) if fields and len(frame) else None,
    }


def work_llamalog(
    path: str, dataset: str, fmt: str, profile: bool = False, columns: list | None = None
) -> dict:
    """``read_logs`` after an untimed warm-up call on the same file (``columns``: only
    the base columns and those)."""
    import llamalog

    llamalog.read_logs(path, format=fmt, columns=columns)
    if profile:
        return profile_llamalog(path, fmt)
    start = time.perf_counter()
    frame = llamalog.read_logs(path, format=fmt, columns=columns)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rows": len(frame),
        "matched": float(frame["parse_ok"].mean()) if len(frame) else None,
        "time_ok": (
            float(frame["timestamp"].notna().mean())
            if len(frame) and "timestamp" in frame
            else None
        ),
    }


def _status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _trim_heap() -> None:
    """Hand freed heap memory back to the system (glibc's ``malloc_trim``; elsewhere
    nothing happens)."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def memory_llamalog(path: str, dataset: str, fmt: str) -> dict:
    """Peak RSS of one read, and how much of it the read itself added.

    A warm-up on the first 32 MB loads every kernel (the numba/LLVM code and the
    thread pool are a fixed cost of about 100 MiB); the RSS after it is the baseline.
    """
    import gc
    import io

    import llamalog

    with open(path, "rb") as f:
        head = f.read(32 << 20)
    head = head[: head.rfind(b"\n") + 1]
    llamalog.read_logs(io.BytesIO(head), format=fmt)
    del head
    gc.collect()
    _trim_heap()  # the warm-up's freed memory is not part of the baseline
    baseline = _status_mib("VmRSS")
    frame = llamalog.read_logs(path, format=fmt)
    return {
        "seconds": 0.0,
        "rows": len(frame),
        "matched": None,
        "time_ok": None,
        "baseline_mib": baseline,
        "peak_mib": _status_mib("VmHWM"),
    }


def profile_llamalog(path: str, fmt: str, top: int = 15) -> dict:
    """Functions with the most own time in one ``read_logs`` call, under cProfile."""
    import cProfile
    import pstats

    import llamalog

    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.runcall(llamalog.read_logs, path, format=fmt)
    seconds = time.perf_counter() - start
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    rows = []
    for (file, line, name), (_, ncalls, tottime, cumtime, _) in stats.items():
        where = Path(file)
        try:
            where = where.relative_to(ROOT)
        except ValueError:
            parts = where.parts
            if "site-packages" in parts:
                where = Path(*parts[parts.index("site-packages") + 1 :])
        rows.append(
            {
                "function": f"{where}:{line}({name})" if line else name,
                "ncalls": ncalls,
                "tottime": tottime,
                "cumtime": cumtime,
            }
        )
    by_own = sorted(rows, key=lambda r: r["tottime"], reverse=True)[:top]
    ours = [r for r in rows if r["function"].startswith("llamalog/")]
    by_cum = sorted(ours, key=lambda r: r["cumtime"], reverse=True)[:top]
    return {"seconds": seconds, "top": by_own, "stages": by_cum}


def worker(spec: dict) -> None:
    """Child-process entry point: run one measurement and print it as JSON."""
    kind = spec.pop("kind")
    work = {"pandas": work_pandas, "llamalog": work_llamalog, "memory": memory_llamalog}[kind]
    result = work(**spec)
    print(json.dumps(result))


# --------------------------------------------------------------------------- parent


def measure(kind: str, path: Path, dataset: str, fmt: str, **extra) -> dict:
    """One fresh child process running ``kind`` on ``path``: its result and peak RSS."""
    spec = {"kind": kind, "path": str(path), "dataset": dataset, "fmt": fmt, **extra}
    child = run_measured([sys.executable, __file__, "--worker", json.dumps(spec)], env=child_env())
    return {**child.result(), "maxrss_kib": child.maxrss_kib}


def bare_rss(code: str) -> float:
    """Peak RSS in MiB of ``python -c code``."""
    return run_measured([sys.executable, "-c", code], env=child_env()).maxrss_kib / 1024


def pandas_input(path: Path, lines: int, args: argparse.Namespace, dataset: str, fmt: str):
    """Full file or prefix for the baseline, and the probe run when the prefix is chosen."""
    if lines <= args.prefix:
        return path, lines, None
    head = head_file(path, args.prefix)
    probe = measure("pandas", head, dataset, fmt)
    predicted = probe["seconds"] * lines / args.prefix
    if predicted > args.pandas_limit:
        print(
            f"  pandas: {args.prefix:,}-line prefix predicts {predicted:.0f} s for the whole "
            f"file (> {args.pandas_limit:.0f} s): timing the prefix",
            flush=True,
        )
        return head, args.prefix, probe
    return path, lines, None


def bench_corpus(dataset: str, fmt: str, args: argparse.Namespace) -> dict:
    """All measurements for one dataset's corpus."""
    path = ensure_corpus(dataset, args.lines, args.seed)
    size = path.stat().st_size
    lines = count_lines(path)
    print(f"{dataset}: {path.relative_to(ROOT)}, {size / MB:.1f} MB, {lines:,} lines", flush=True)
    time_command(["wc", "-l", str(path)])  # page cache warm-up, untimed
    pd_path, pd_lines, probe = pandas_input(path, lines, args, dataset, fmt)
    wc, pandas, llama, slim = [], [], [], []
    if probe is not None:
        pandas.append(probe)
    for r in range(args.repeat):
        wc.append(time_command(["wc", "-l", str(path)]))
        if len(pandas) < args.repeat:
            pandas.append(measure("pandas", pd_path, dataset, fmt))
        llama.append(measure("llamalog", path, dataset, fmt))
        slim.append(measure("llamalog", path, dataset, fmt, columns=[]))
        print(
            f"  round {r + 1}/{args.repeat}: wc {wc[-1]:.3f} s, pandas "
            f"{pandas[-1]['seconds']:.2f} s, llamalog {llama[-1]['seconds']:.2f} s "
            f"(columns=[]: {slim[-1]['seconds']:.2f} s)",
            flush=True,
        )
    mem = measure("memory", path, dataset, fmt)
    return {
        "dataset": dataset,
        "format": fmt,
        "memory": memory_row(mem, size),
        "path": str(path.relative_to(ROOT)),
        "bytes": size,
        "lines": lines,
        "wc": summary(wc),
        "pandas": runs(pandas, pd_lines, pd_path.stat().st_size, prefix=pd_path != path),
        "llamalog": runs(llama, lines, size, prefix=False),
        "llamalog_slim": runs(slim, lines, size, prefix=False),
    }


def grown_memory(dataset: str, fmt: str, args: argparse.Namespace) -> dict:
    """Peak RSS of one read of a larger corpus, in a fresh process as for the others."""
    path = ensure_corpus(dataset, args.grow, args.seed)
    size = path.stat().st_size
    print(f"{dataset}: {path.relative_to(ROOT)}, {size / MB:.1f} MB (memory only)", flush=True)
    mem = measure("memory", path, dataset, fmt)
    return {"lines": count_lines(path), "bytes": size, **memory_row(mem, size)}


def memory_row(mem: dict, size: int) -> dict:
    """Peak and baseline of a 'memory' measurement, and both as multiples of the file."""
    return {
        "baseline_mib": mem["baseline_mib"],
        "peak_mib": mem["peak_mib"],
        "added_x_file": (mem["peak_mib"] - mem["baseline_mib"]) * MIB / size,
        "peak_x_file": mem["peak_mib"] * MIB / size,
    }


def grown_table(corpus: dict, grown: dict) -> str:
    """Peak RSS of one read as the file grows: the fixed runtime weighs less and less."""
    rows = []
    for lines, size, m in (
        (corpus["lines"], corpus["bytes"], corpus["memory"]),
        (grown["lines"], grown["bytes"], grown),
    ):
        rows.append(
            [
                f"{lines:,}",
                f"{size / MB:.1f}",
                f"{m['peak_mib']:,.0f}",
                f"{m['peak_x_file']:.2f}x: "
                + ("PASS" if m["peak_x_file"] <= TARGET_RSS_X else "MISS"),
                f"{m['baseline_mib']:,.0f}",
                f"{m['added_x_file']:.2f}x",
            ]
        )
    head = ["lines", "file MB", "one read: peak MiB", "x file (target 3x)", "baseline MiB"]
    return "\n".join(
        [
            f"Peak RSS of one read as the {corpus['dataset']} file grows (fresh process each; "
            "the baseline of about 250 MiB, Python with pandas, Arrow, numba and LLVM, does "
            "not grow with the file):",
            "",
            markdown_table([*head, "added x file"], rows),
        ]
    )


def runs(results: list[dict], lines: int, size: int, prefix: bool) -> dict:
    """Timings, throughput and memory of the rounds of one method."""
    secs = summary([r["seconds"] for r in results])
    rss = max(r["maxrss_kib"] for r in results) * 1024
    return {
        "lines": lines,
        "bytes": size,
        "prefix": prefix,
        "seconds": secs,
        "lines_per_s": lines / secs["best"],
        "mb_per_s": size / MB / secs["best"],
        "rows": results[-1]["rows"],
        "matched": results[-1]["matched"],
        "time_ok": results[-1]["time_ok"],
        "peak_rss_mib": rss / MIB,
        "rss_x_file": rss / size,
    }


def targets(c: dict) -> dict:
    """PASS/MISS (or n/a) for each target of one corpus."""
    llama, pandas = c["llamalog"], c["pandas"]
    ratio = llama["lines_per_s"] / pandas["lines_per_s"]
    return {
        "ratio": ratio,
        "lps": ("PASS" if llama["lines_per_s"] >= TARGET_HDFS_LPS else "MISS")
        if c["dataset"] == "HDFS"
        else "n/a",
        "x_pandas": "PASS" if ratio >= TARGET_RATIO else "MISS",
        "rss": "PASS" if llama["rss_x_file"] <= TARGET_RSS_X else "MISS",
    }


def tables(corpora: list[dict], bare: dict, repeat: int) -> str:
    """Throughput, memory and target tables as markdown."""
    through, memory, verdicts = [], [], []
    for c in corpora:
        llama, pandas, t = c["llamalog"], c["pandas"], c["targets"]
        star = "*" if pandas["prefix"] else ""
        through.append(
            [
                c["dataset"],
                f"{c['bytes'] / MB:.1f}",
                f"{c['lines']:,}",
                f"{c['wc']['best']:.3f}",
                f"{pandas['lines_per_s']:,.0f}{star}",
                f"{llama['lines_per_s']:,.0f}",
                f"{t['ratio']:.1f}x",
                f"{llama['mb_per_s']:.0f}",
                f"{c['llamalog_slim']['lines_per_s']:,.0f} "
                f"({c['llamalog_slim']['peak_rss_mib']:,.0f} MiB)",
            ]
        )
        m = c["memory"]
        memory.append(
            [
                c["dataset"],
                f"{c['bytes'] / MB:.1f}",
                f"{llama['peak_rss_mib']:,.0f}",
                f"{llama['rss_x_file']:.2f}x",
                f"{m['peak_mib']:,.0f}",
                f"{m['baseline_mib']:,.0f}",
                f"{m['added_x_file']:.2f}x",
                f"{pandas['peak_rss_mib']:,.0f}{star}",
                f"{pandas['rss_x_file']:.2f}x{star}",
            ]
        )
        verdicts.append(
            [
                c["dataset"],
                f"{llama['lines_per_s'] / 1e6:.2f}M lines/s: {t['lps']}",
                f"{t['ratio']:.1f}x: {t['x_pandas']}",
                f"{llama['rss_x_file']:.2f}x: {t['rss']}",
                f"{llama['matched']:.1%} / {pandas['matched']:.1%}",
            ]
        )
    parts = [
        f"Throughput (best of {repeat} rounds; lines/s and MB/s from the best time):",
        "",
        markdown_table(
            [
                "corpus",
                "file MB",
                "lines",
                "wc -l s",
                "pandas lines/s",
                "llamalog lines/s",
                "llamalog/pandas",
                "llamalog MB/s",
                "llamalog `columns=[]` lines/s (peak)",
            ],
            through,
        ),
        "",
        "Peak RSS of the measuring process (largest of the rounds), nothing subtracted; "
        f"bare `import llamalog, pandas`: {bare['llamalog+pandas']:.0f} MiB, bare "
        f"`import pandas`: {bare['pandas']:.0f} MiB:",
        "",
        markdown_table(
            [
                "corpus",
                "file MB",
                "llamalog MiB",
                "x file",
                "one read: peak MiB",
                "baseline MiB",
                "added x file",
                "pandas MiB",
                "x its input",
            ],
            memory,
        ),
        "",
        "'one read': a fresh process loads every kernel on a 32 MB prefix first; its RSS "
        "then is the baseline (Python, pandas, Arrow, numba's compiled code and thread pool), "
        "and 'added' is what reading the whole file put on top of it.",
        "",
        "Targets: >= 2M lines/s on HDFS, >= 10x pandas, peak RSS <= 3x file size:",
        "",
        markdown_table(
            ["corpus", "HDFS speed", "vs pandas", "peak RSS", "parsed ok: llamalog / pandas"],
            verdicts,
        ),
    ]
    if any(c["pandas"]["prefix"] for c in corpora):
        parts += ["", "`*` pandas timed on a prefix of the file (see --prefix, --pandas-limit)."]
    return "\n".join(parts)


def versions() -> dict:
    """Versions of the libraries involved, read in a child process (parent stays light)."""
    code = (
        "import json, numpy, pandas, pyarrow, numba, llamalog; "
        "print(json.dumps({'numpy': numpy.__version__, 'pandas': pandas.__version__, "
        "'pyarrow': pyarrow.__version__, 'numba': numba.__version__, "
        "'llamalog': llamalog.__version__, 'numba_threads': numba.config.NUMBA_NUM_THREADS}))"
    )
    return run_measured([sys.executable, "-c", code], env=child_env()).result()


def profile_text(prof: dict) -> str:
    """The cProfile top lists (own time; llamalog functions by cumulative time) as markdown."""
    total = prof["seconds"]

    def table(entries: list[dict], key: str) -> str:
        rows = [
            [
                r["function"],
                r["ncalls"],
                f"{r['tottime']:.3f}",
                f"{r['cumtime']:.3f}",
                f"{r[key] / total:.0%}",
            ]
            for r in entries
        ]
        header = ["function", "calls", "own s", "cumulative s", f"share ({key})"]
        return markdown_table(header, rows)

    return "\n".join(
        [
            f"cProfile of one read_logs call ({total:.2f} s under the profiler), by own time:",
            "",
            table(prof["top"], "tottime"),
            "",
            "llamalog functions by cumulative time (where the stages spend it):",
            "",
            table(prof["stages"], "cumtime"),
        ]
    )


def section(report: dict, text: str) -> str:
    """The RESULTS.md section for this run."""
    m, v = report["machine"], report["versions"]
    mem = f", {m['mem_gib']:.0f} GiB RAM" if m["mem_gib"] else ""
    load = ""
    if m["loadavg"] and report.get("loadavg_end"):
        start, end = m["loadavg"][0], report["loadavg_end"][0]
        load = f"; 1-min load average {start:.2f} at start, {end:.2f} at end"
    return "\n".join(
        [
            f"Run {report['date']} on {m['cpu']}, nproc {m['nproc']}{mem}{load} ({m['os']}).",
            f"Versions: Python {m['python']}, numpy {v['numpy']}, pandas {v['pandas']}, "
            f"pyarrow {v['pyarrow']}, numba {v['numba']} ({v['numba_threads']} threads), "
            f"llamalog {v['llamalog']} (git {report['git']}).",
            "",
            "Command:",
            "",
            "```",
            report["command"],
            "```",
            "",
            "Method (details in the docstring of `benchmarks/bench_read.py`): loggen corpora, "
            "page cache warm; per round a fresh process each for the pandas baseline "
            "(`open().read().splitlines()`, `Series.str.extract(loghub_regex)`, "
            "`pd.to_datetime(format=...)`) and `read_logs(path, format=...)` (after a "
            "warm-up call), timed around the call only.",
            "",
            text,
        ]
    )


def busy_note(report: dict) -> str:
    """A warning paragraph when other processes kept the CPUs busy as the run started."""
    m = report["machine"]
    if not m["loadavg"] or not m["nproc"] or m["loadavg"][0] <= 0.5 * m["nproc"]:
        return ""
    return (
        f"Note: the machine was busy (1-min load average {m['loadavg'][0]:.1f} on "
        f"{m['nproc']} CPUs before the benchmark started): absolute speeds are pessimistic "
        "and vary from run to run; compare runs made under similar load."
    )


def command_line(argv: list[str]) -> str:
    """This invocation as a shell command, paths relative to the working directory."""
    python = os.path.relpath(sys.executable)
    if python.startswith(".."):
        python = sys.executable
    return shlex.join([python, sys.argv[0], *argv])


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets", default="HDFS,BGL", help="comma-separated Loghub datasets")
    p.add_argument("--lines", type=int, default=1_000_000, help="lines per corpus")
    p.add_argument("--repeat", type=int, default=3, help="rounds per measurement")
    p.add_argument("--seed", type=int, default=0, help="loggen seed")
    p.add_argument("--prefix", type=int, default=200_000, help="pandas prefix lines")
    p.add_argument(
        "--pandas-limit",
        type=float,
        default=60.0,
        help="time the pandas baseline on the prefix when the whole file would take longer",
    )
    p.add_argument(
        "--grow",
        type=int,
        default=3_000_000,
        help="lines of a larger corpus of the first dataset whose peak RSS is also measured "
        "(how the fixed runtime weighs as files grow; 0 to skip)",
    )
    p.add_argument("--json", type=Path, help="write all numbers to this JSON file")
    p.add_argument("--results", type=Path, help="write this run's section into a markdown file")
    p.add_argument("--profile", action="store_true", help="cProfile one read_logs call")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.lines < 1 or args.prefix < 1:
        p.error("--repeat, --lines and --prefix must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        worker(json.loads(argv[1]))
        return 0
    args = parse_args(argv)
    require_shared()
    formats = load_formats()
    datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    unknown = [d for d in datasets if d not in formats or not (LOGHUB / d).is_dir()]
    if unknown:
        print(f"unknown datasets {unknown}; known: {', '.join(sorted(formats))}")
        return 2
    report = {"date": now_utc(), "command": command_line(argv)}
    return run(args, datasets, formats, report)


def run(args: argparse.Namespace, datasets: list[str], formats: dict, report: dict) -> int:
    """Measure, print, and write the optional JSON and markdown outputs."""
    report["machine"] = machine_info()
    report["versions"] = versions()
    report["git"] = git_state()
    report["bare_rss_mib"] = {
        "llamalog+pandas": bare_rss("import llamalog, pandas"),
        "pandas": bare_rss("import pandas"),
    }
    corpora = []
    for dataset in datasets:
        corpus = bench_corpus(dataset, formats[dataset], args)
        corpus["targets"] = targets(corpus)
        corpora.append(corpus)
    report["corpora"] = corpora
    if args.grow and args.grow > args.lines:
        report["grown"] = grown_memory(datasets[0], formats[datasets[0]], args)
    report["loadavg_end"] = machine_info()["loadavg"]
    text = tables(corpora, report["bare_rss_mib"], args.repeat)
    if "grown" in report:
        text += "\n\n" + grown_table(corpora[0], report["grown"])
    if note := busy_note(report):
        text += "\n\n" + note
    print("\n" + text)
    if args.profile:
        c = corpora[0]
        path = ROOT / c["path"]
        report["profile"] = measure("llamalog", path, c["dataset"], c["format"], profile=True)
        prof = profile_text(report["profile"])
        print("\n" + prof)
        text += "\n\n" + prof
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str))
        print(f"\nwrote {args.json}")
    if args.results:
        replace_section(args.results, HEADING, section(report, text))
        print(f"wrote section {HEADING!r} in {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
