"""TemplateMiner memory on a stream of ever-new templates: RSS as the stream grows.

One process per cap (``max_templates``) feeds 1,000,000 messages, each its own template
(digit-free words, so no mask hides them), to ``partial_fit`` in 100 batches, and reads
its resident set size (``/proc/self/status`` VmRSS) every 200,000 lines. A bounded miner
keeps a flat RSS once the cap is reached; ``--caps none`` shows the unbounded growth.

Usage::

    .venv/bin/python benchmarks/bench_miner_memory.py [--caps 20000,50000] [--results FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import child_env, markdown_table, write_results

HEADING = "## Template miner memory on a stream of new templates (issue: template engine)"
LINES, BATCH, EVERY = 1_000_000, 10_000, 200_000


def _word(i: int) -> str:
    return "".join(chr(97 + (i // 26**k) % 26) for k in range(5))


def _rss_mib() -> float:
    text = Path("/proc/self/status").read_text()
    return int(text.split("VmRSS:")[1].split()[0]) / 1024


def worker(cap: int | None) -> None:
    import llamalog

    miner = llamalog.TemplateMiner(max_templates=cap)
    start = time.perf_counter()
    points = []
    for b in range(0, LINES, BATCH):
        miner.partial_fit(
            [f"{_word(i)} handler {_word(7 * i + 3)} done" for i in range(b, b + BATCH)]
        )
        if (b + BATCH) % EVERY == 0:
            points.append([b + BATCH, _rss_mib(), time.perf_counter() - start])
    print(json.dumps({"points": points, "templates": len(miner.templates_)}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--caps", default="20000,50000", help="comma-separated; 'none': no cap")
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    if args.worker is not None:
        worker(None if args.worker == "none" else int(args.worker))
        return 0
    rows = []
    for cap in args.caps.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", cap],
            env=child_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        rss = [p[1] for p in result["points"]]
        rows.append(
            [
                cap,
                *(f"{r:,.0f}" for r in rss),
                f"{result['points'][-1][2]:.1f}",
                f"{result['templates']:,}",
            ]
        )
        print(f"max_templates={cap}: RSS MiB {[round(r) for r in rss]}", flush=True)
    header = [
        "max_templates",
        *(f"RSS MiB at {n // 1000}k lines" for n in range(EVERY, LINES + 1, EVERY)),
        "seconds",
        "templates kept",
    ]
    text = (
        f"{LINES:,} messages, each its own template, in {LINES // BATCH} `partial_fit` "
        "batches; resident set size of the process every 200k lines.\n\n"
        + markdown_table(header, rows)
    )
    print("\n" + text)
    if args.results:
        write_results(args.results, HEADING, "bench_miner_memory.py", argv, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
