"""Autoencoder training and scoring time, numpy backend vs MLX backend, same run.

Data: ``--windows`` x ``--events`` sparse Poisson counts (a few count profiles, as
session windows look). Each backend trains the same model (default parameters,
``epochs`` fixed, no early stop) ``--repeat`` times; the best time is reported, with
scoring throughput. This is the measurement behind ``backend="auto"`` choosing numpy
on machines where MLX has no GPU.

Usage::

    .venv/bin/python benchmarks/bench_detect.py [--results benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, write_results

HEADING = "## Autoencoder backends (issue: detection)"


def counts(n: int, d: int, seed: int = 0) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    profiles = rng.gamma(0.3, 2.0, (8, d))
    rows = profiles[rng.integers(0, 8, n)] * rng.uniform(1, 3, (n, 1))
    return sp.csr_matrix(rng.poisson(rows).astype(np.float64))


def run(backend: str, X, args) -> dict:
    from llamalog import Autoencoder

    fits, scores = [], []
    for _ in range(args.repeat):
        det = Autoencoder(backend=backend, epochs=args.epochs, patience=args.epochs, random_state=0)
        t = time.perf_counter()
        det.fit(X)
        fits.append(time.perf_counter() - t)
        t = time.perf_counter()
        det.decision_function(X)
        scores.append(time.perf_counter() - t)
    return {"backend": backend, "fit_s": min(fits), "score_wps": X.shape[0] / min(scores)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    X = counts(args.windows, args.events)
    from llamalog.detectors._backend import blas_info, load_mlx

    backends = ["numpy"]
    try:
        load_mlx()  # binds MLX to oneMKL where the mkl wheel is installed
        backends.append("mlx")
        print(f"MLX CPU BLAS: {blas_info()['blas']}")
    except ImportError:
        print("mlx is not importable: numpy only")
    rows = [run(b, X, args) for b in backends]
    text = markdown_table(
        [
            "backend",
            f"fit s ({args.windows:,} x {args.events}, {args.epochs} epochs)",
            "scoring windows/s",
        ],
        [[r["backend"], f"{r['fit_s']:.2f}", f"{r['score_wps']:,.0f}"] for r in rows],
    )
    print(text)
    if args.results:
        write_results(
            args.results, HEADING, "bench_detect.py", argv, f"Best of {args.repeat} runs.\n\n{text}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
