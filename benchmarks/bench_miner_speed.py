"""Template-mining throughput on 1M-line loggen corpora: llamalog vs drain3, same run.

For each corpus (default HDFS, BGL, Spark, OpenSSH):

- **llamalog, end to end:** ``read_logs(raw file, format)`` then
  ``TemplateMiner().fit_transform(frame["message"])``. That is raw file in, template
  id per line out, with the default configuration. Timed twice: reading every column,
  and reading what mining needs (``columns=[]``: the message and the base columns,
  no fields, timestamps or levels), which is how a script that wants template ids
  reads.
- **drain3:** ``TemplateMiner()`` with its default configuration, fed the same
  messages. Extracting them is not timed, which favours drain3.

Each method reports lines/s (best of ``--repeat`` runs), its grouping accuracy (GA)
against loggen's per-line ground truth, and llamalog's peak RSS (measured in a fresh
process). drain3 is slow, so by default it is timed on a 200k-line prefix
(``--drain3-lines``), best of ``--repeat`` runs as well. That is fair because its speed
per line does not improve with more lines.

Usage::

    .venv/bin/python benchmarks/bench_miner_speed.py [--datasets HDFS,BGL] [--results FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (
    child_env,
    ensure_corpus,
    load_formats,
    machine_info,
    markdown_table,
    now_utc,
    replace_section,
    require_shared,
    run_measured,
)

HEADING = "## Template mining throughput (issue: template engine)"
DEFAULT = "HDFS,BGL,Spark,OpenSSH"


def llamalog_run(path: str, fmt: str, columns: list[str] | None) -> dict:
    """End to end, timed after a warm-up that compiles the kernels."""
    import llamalog
    from llamalog import TemplateMiner

    frame = llamalog.read_logs(path, format=fmt, columns=columns)
    TemplateMiner().fit_transform(frame["message"].iloc[:1000])
    start = time.perf_counter()
    frame = llamalog.read_logs(path, format=fmt, columns=columns)
    ids = TemplateMiner().fit_transform(frame["message"])
    seconds = time.perf_counter() - start
    np.save(path + ".llamalog_ids.npy", ids)
    return {"seconds": seconds, "lines": len(ids)}


def worker(spec: dict) -> None:
    print(json.dumps(llamalog_run(spec["path"], spec["fmt"], spec["columns"])))


def drain3_run(messages: list[str]) -> tuple[float, np.ndarray]:
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    miner = TemplateMiner(config=TemplateMinerConfig())
    ids = np.empty(len(messages), dtype=np.int64)
    start = time.perf_counter()
    for i, m in enumerate(messages):
        ids[i] = miner.add_log_message(m)["cluster_id"]
    return time.perf_counter() - start, ids


def bench(dataset: str, fmt: str, args) -> dict:
    import llamalog
    from llamalog import evaluate_parsing

    path = ensure_corpus(dataset, args.lines)
    truth = np.load(str(path) + ".truth.npy")
    best: dict[str, dict] = {}
    rss = 0
    for _ in range(args.repeat):
        for mode, columns in (("all", None), ("mining", [])):
            spec = {"path": str(path), "fmt": fmt, "columns": columns}
            child = run_measured(
                [sys.executable, __file__, "--worker", json.dumps(spec)], env=child_env()
            )
            out = child.result()
            if mode not in best or out["seconds"] < best[mode]["seconds"]:
                best[mode] = out
            rss = max(rss, child.maxrss_kib)
    ids = np.load(str(path) + ".llamalog_ids.npy")
    ga = evaluate_parsing(truth, ids).ga
    frame = llamalog.read_logs(path, format=fmt)
    messages = frame["message"].iloc[: args.drain3_lines].tolist()
    d_seconds, d_ids = min(
        (drain3_run(messages) for _ in range(args.repeat)), key=lambda run: run[0]
    )
    d_ga = evaluate_parsing(truth[: len(d_ids)], d_ids).ga
    row = {
        "dataset": dataset,
        "lines": int(best["mining"]["lines"]),
        "llamalog_all_lps": best["all"]["lines"] / best["all"]["seconds"],
        "llamalog_lps": best["mining"]["lines"] / best["mining"]["seconds"],
        "llamalog_ga": ga,
        "llamalog_rss_mib": rss / 1024,
        "drain3_lines": len(d_ids),
        "drain3_lps": len(d_ids) / d_seconds,
        "drain3_ga": d_ga,
    }
    row["ratio"] = row["llamalog_lps"] / row["drain3_lps"]
    row["ratio_all"] = row["llamalog_all_lps"] / row["drain3_lps"]
    print(
        f"{dataset}: llamalog {row['llamalog_lps']:,.0f} lines/s GA {ga:.4f}; drain3 "
        f"{row['drain3_lps']:,.0f} lines/s GA {d_ga:.4f}; ratio {row['ratio']:.1f}x",
        flush=True,
    )
    return row


def table(rows: list[dict]) -> str:
    cells = [
        [
            r["dataset"],
            f"{r['lines']:,}",
            f"{r['llamalog_all_lps']:,.0f} ({r['ratio_all']:.1f}x)",
            f"{r['llamalog_lps']:,.0f}",
            f"{r['drain3_lps']:,.0f} ({r['drain3_lines']:,} lines)",
            f"{r['ratio']:.1f}x: {'PASS' if r['ratio'] >= 10 else 'MISS'}",
            f"{r['llamalog_ga']:.4f}: {'PASS' if r['llamalog_ga'] >= 0.95 else 'MISS'}",
            f"{r['drain3_ga']:.4f}",
            f"{r['llamalog_rss_mib']:,.0f}: {'PASS' if r['llamalog_rss_mib'] <= 2048 else 'MISS'}",
        ]
        for r in rows
    ]
    return markdown_table(
        [
            "corpus",
            "lines",
            "llamalog lines/s, every column read + mine (vs drain3)",
            "llamalog lines/s, `columns=[]` read + mine",
            "drain3 lines/s (mine only)",
            "ratio, `columns=[]` (target 10x)",
            "llamalog GA (target 0.95)",
            "drain3 GA",
            "llamalog peak MiB (target 2 GiB)",
        ],
        cells,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--datasets", default=DEFAULT)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--drain3-lines", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    if args.worker:
        worker(json.loads(args.worker))
        return 0
    require_shared()
    formats = load_formats()
    rows = [bench(d, formats[d], args) for d in args.datasets.split(",")]
    text = table(rows)
    print()
    print(text)
    if args.results:
        info = machine_info()
        command = " ".join(["benchmarks/bench_miner_speed.py", *(argv or sys.argv[1:])])
        body = (
            f"Run {now_utc()} on {info.get('cpu', '?')}, nproc {info.get('nproc', '?')}.\n\n"
            f"Command: `.venv/bin/python {command}`\n\n"
            "llamalog: raw file in, template id per line out (`read_logs` + "
            "`TemplateMiner().fit_transform`), best of the runs, each in a fresh process; "
            "once reading every column, once with `columns=[]` (message and base columns "
            "only: what mining needs). Peak RSS: the larger of the two. "
            "drain3: default configuration, fed the extracted messages (extraction not "
            "timed), on a prefix, best of the runs too.\n\n" + text
        )
        replace_section(args.results, HEADING, body)
        print(f"wrote section {HEADING!r} in {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
