"""``llamalog.detect`` on a large corpus: wall time of each stage, 1M loggen lines.

The corpus (``../shared/tools/loggen.py``, HDFS by default) is read and mined once
(not timed here; ``bench_read.py`` and ``bench_miner_speed.py`` time those). Then, on
the first half as training data: typed parameters for the pattern detector
(``params_of``, the numba kernel behind ``add_templates(params=True)``), each
detector's fit and scoring through ``llamalog.detect`` on block sessions and on
1-minute windows, and the default combination end to end.

Usage::

    .venv/bin/python benchmarks/bench_detect_scale.py [--lines 1000000] \
        [--results benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (
    ensure_corpus,
    load_formats,
    markdown_table,
    require_shared,
    write_results,
)

HEADING = "## Detection at scale (issue: detection)"


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="HDFS")
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--session", default=r"blk_-?\d+")
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    require_shared()
    import llamalog
    from llamalog.templates.miner import params_of

    warnings.simplefilter("ignore", llamalog.LlamalogWarning)
    path = ensure_corpus(args.dataset, args.lines)
    frame = llamalog.add_templates(llamalog.read_logs(path, format=load_formats()[args.dataset]))
    params, t_params = timed(lambda: params_of(frame["message"]))
    frame["params"] = params
    rows = [["typed parameters (params_of)", "", f"{t_params:.1f}", ""]]
    for label, spec, methods in (
        ("block sessions", {"session": args.session}, ("pattern", "sequence", "autoencoder")),
        ("1-minute windows", {"every": "1min"}, ("pattern", "timeseries", "autoencoder")),
    ):
        for m in methods:
            found, t = timed(
                lambda m=m, spec=spec: llamalog.detect(frame, [m], windows=spec, train=0.5)
            )
            rows.append([label, m, f"{t:.1f}", str(len(found))])
            print(rows[-1], flush=True)
        found, t = timed(lambda spec=spec: llamalog.detect(frame, windows=spec, train=0.5))
        rows.append([label, "default combination", f"{t:.1f}", str(len(found))])
        print(rows[-1], flush=True)
    text = markdown_table(
        ["windows", "detector", "seconds (fit on half + score all)", "anomalies"], rows
    )
    print(text)
    if args.results:
        body = (
            f"Corpus: loggen {args.dataset}, {args.lines:,} lines, read and mined beforehand "
            "(not timed). Each detector row times `llamalog.detect(frame, [name], "
            "windows=..., train=0.5)` with the parameters already in the frame; the "
            "default rows time the default methods for that windowing.\n\n" + text
        )
        write_results(args.results, HEADING, "bench_detect_scale.py", argv, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
