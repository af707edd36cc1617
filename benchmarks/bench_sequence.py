"""SequenceModel (DeepLog-style LSTM) training and scoring time, numpy vs MLX, same run.

Two corpora of ``--sessions`` sessions:

* ``hdfs``: the block sessions of ``llamalog.datasets.synthetic("hdfs")`` (very
  repetitive, as real HDFS logs: a few hundred distinct (history, next event) pairs);
* ``markov``: random walks on a sparse random Markov chain over ``--events`` events
  (2-3 successors each, geometric lengths, mean ``--length``): little repetition, so
  deduplication helps far less and training cost shows.

Each backend trains the same model (default parameters, ``--epochs`` fixed, no early
stop) ``--repeat`` times; the best time is reported with scoring throughput (windows/s,
numpy scoring, which both backends share).

Usage::

    .venv/bin/python benchmarks/bench_sequence.py [--results benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, write_results

HEADING = "## SequenceModel backends (issue: detection)"


def hdfs_sessions(n: int, seed: int = 0) -> list[np.ndarray]:
    import llamalog
    from llamalog.datasets import synthetic

    lines = 16 * n
    while True:
        truth = synthetic("hdfs", n_lines=lines, seed=seed).truth
        truth = truth[truth["session"] != ""]
        win = llamalog.windows(truth, session="session")
        if len(win) >= n:
            return win.sequences[:n]
        lines *= 2


def markov_sessions(n: int, events: int, length: float, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    succ = [rng.choice(events, rng.integers(2, 4), replace=False) for _ in range(events)]
    prob = [rng.dirichlet(np.ones(s.size)) for s in succ]
    out = []
    for _ in range(n):
        size = 1 + rng.geometric(1.0 / length)
        e = int(rng.integers(0, 4))  # a few start events
        seq = [e]
        for _ in range(size - 1):
            e = int(rng.choice(succ[e], p=prob[e]))
            seq.append(e)
        out.append(np.array(seq, dtype=np.int64))
    return out


def run(backend: str, sessions: list[np.ndarray], args) -> dict:
    from llamalog.detectors.sequence import SequenceModel

    fits, scores = [], []
    det = None
    for _ in range(args.repeat):
        det = SequenceModel(
            backend=backend, epochs=args.epochs, patience=args.epochs, random_state=0
        )
        t = time.perf_counter()
        det.fit(sessions)
        fits.append(time.perf_counter() - t)
        t = time.perf_counter()
        det.decision_function(sessions)
        scores.append(time.perf_counter() - t)
    assert det is not None
    return {
        "backend": backend,
        "fit_s": min(fits),
        "score_wps": len(sessions) / min(scores),
        "pairs": det.n_pairs_,
        "positions": det.n_positions_,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=5_000)
    ap.add_argument("--events", type=int, default=40)
    ap.add_argument("--length", type=float, default=15.0)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--corpus", choices=["hdfs", "markov", "both"], default="both")
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    corpora = {}
    if args.corpus in ("hdfs", "both"):
        corpora["hdfs"] = hdfs_sessions(args.sessions)
    if args.corpus in ("markov", "both"):
        corpora["markov"] = markov_sessions(args.sessions, args.events, args.length)
    backends = ["numpy"]
    try:
        from llamalog.detectors._backend import blas_info, load_mlx

        load_mlx()
        backends.append("mlx")
        print(f"MLX CPU BLAS: {blas_info().get('blas')}")
    except ImportError:
        print("mlx is not importable: numpy only")
    rows = []
    for name, sessions in corpora.items():
        results = [run(b, sessions, args) for b in backends]
        base = results[0]["fit_s"]
        for r in results:
            rows.append(
                [
                    name,
                    r["backend"],
                    f"{r['positions']:,}",
                    f"{r['pairs']:,}",
                    f"{r['fit_s']:.2f}",
                    f"{r['fit_s'] / base:.2f}x",
                    f"{r['score_wps']:,.0f}",
                ]
            )
    text = markdown_table(
        [
            "corpus",
            "backend",
            "positions",
            "distinct pairs",
            f"fit s ({args.sessions:,} sessions, {args.epochs} epochs)",
            "fit vs numpy",
            "scoring windows/s",
        ],
        rows,
    )
    print(text)
    if args.results:
        write_results(
            args.results,
            HEADING,
            "bench_sequence.py",
            argv,
            f"Best of {args.repeat} runs.\n\n{text}",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
