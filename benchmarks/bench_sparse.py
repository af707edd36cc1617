"""Time-series detection on sparse logs: time and peak RSS bounded by the data (issue 17).

Package-manager and cron logs are busy for a while, then sparse: the training half of
such a log spans minutes, so the time-series detector picks seconds-long intervals,
and the whole log spans months. Each shape runs ``llamalog.detect(frame, train=0.5)``
(default methods: pattern and time series) and the charts' ``llamalog.analyze.rate``
in a child process of its own, under an address-space limit (``--limit-gb``), so a
shape that does not fit fails with ``MemoryError`` instead of taking the machine:

* ``dense``: a baseline, 20,000 lines over 2 hours (an ordinary log);
* ``18months``: 117 lines, 60 in the first four minutes, then one every ~10 days;
* ``3lines``: three lines, the first two a second apart, the third six months later;
* ``busyday``: 10,000 lines in an hour, then one line a week for a year.

Usage::

    .venv/bin/python benchmarks/bench_sparse.py [--limit-gb 4] [--shapes dense,3lines]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import child_env, run_measured

SHAPES = ("dense", "18months", "3lines", "busyday")
T0 = "2025-01-01 06:00:00"


def make_frame(shape: str):
    """The frame of ``shape`` (columns ``timestamp``, ``level``, ``message``)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    t0 = pd.Timestamp(T0, tz="UTC")
    if shape == "dense":
        offsets = np.sort(rng.uniform(0, 7200, 20_000))
    elif shape == "18months":
        busy = np.sort(rng.uniform(0, 240, 60))
        sparse = 240 + np.arange(1, 58) * (548 * 86400 / 57)
        offsets = np.r_[busy, sparse]
    elif shape == "3lines":
        offsets = np.array([0.0, 1.0, 182 * 86400.0])
    elif shape == "busyday":
        busy = np.sort(rng.uniform(0, 3600, 10_000))
        offsets = np.r_[busy, 3600 + np.arange(1, 53) * 7 * 86400.0]
    else:
        raise ValueError(f"unknown shape {shape!r}; choose from {', '.join(SHAPES)}")
    n = len(offsets)
    words = np.array(["Installed", "Upgraded", "Removed", "Configured"])
    kinds = rng.integers(0, len(words), n)
    messages = [f"{words[k]}: package-{i % 97} 1.{i % 13}.{i % 7}" for i, k in enumerate(kinds)]
    return pd.DataFrame(
        {
            "timestamp": t0 + pd.to_timedelta(offsets, unit="s"),
            "level": pd.Categorical(np.where(kinds == 2, "WARN", "INFO")),
            "message": messages,
        }
    )


def child(shape: str, limit_gb: float) -> int:
    """Run one shape under an address-space limit; print a JSON line."""
    import resource

    limit = int(limit_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import warnings

    import llamalog
    from llamalog.analyze import rate

    frame = make_frame(shape)
    warnings.simplefilter("ignore")
    out = {"shape": shape, "lines": len(frame)}
    t = time.perf_counter()
    try:
        found = llamalog.detect(frame, train=0.5)
        out["detect_s"] = round(time.perf_counter() - t, 3)
        out["anomalies"] = len(found)
        t = time.perf_counter()
        out["rate_rows"] = len(rate(frame))
        out["rate_s"] = round(time.perf_counter() - t, 3)
    except MemoryError:
        out["error"] = f"MemoryError after {time.perf_counter() - t:.1f} s"
    print(json.dumps(out))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--limit-gb", type=float, default=4.0, help="address-space limit per shape")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child, args.limit_gb)
    print(f"{'shape':<10} {'lines':>6} {'detect s':>9} {'rate s':>7} {'peak RSS MiB':>13}  result")
    for shape in args.shapes.split(","):
        cmd = [sys.executable, __file__, "--child", shape, "--limit-gb", str(args.limit_gb)]
        run = run_measured(cmd, env=child_env())
        res = run.result()
        what = res.get("error") or f"{res['anomalies']} anomalies, {res['rate_rows']} rate rows"
        print(
            f"{shape:<10} {res['lines']:>6} {res.get('detect_s', float('nan')):>9.2f} "
            f"{res.get('rate_s', float('nan')):>7.2f} {run.maxrss_kib / 1024:>13.0f}  {what}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
