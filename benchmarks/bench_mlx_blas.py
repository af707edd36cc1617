"""MLX on Linux CPU: its bundled reference BLAS against oneMKL bound by llamalog.

Each configuration runs in its own process (the BLAS is chosen when ``mlx.core`` is
first imported): a 1024³ float32 matmul (best of 5, GFLOP/s) and an autoencoder fit
(``--windows`` x ``--events``, ``--epochs`` epochs, MLX backend), beside numpy doing
the same matmul and fit in the same run. A second table times element-wise operations
on a 256 x 512 float32 array (nanoseconds per element, best of 7 rounds of 50, each
MLX operation evaluated on its own): what the models spend besides matrix products.

Usage::

    .venv/bin/python benchmarks/bench_mlx_blas.py [--results benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import child_env, markdown_table, write_results

HEADING = "## MLX matrix products on Linux CPU (issue: detection)"

CHILD = r"""
import json, sys, time
sys.path.insert(0, "benchmarks")
import numpy as np
from bench_detect import counts
from llamalog import Autoencoder
from llamalog.detectors._backend import blas_info, load_mlx

backend, windows, events, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
if backend == "mlx":
    mx = load_mlx()
    x = mx.array(a)
    mx.eval(x @ x)
    def product():
        mx.eval(x @ x)
else:
    def product():
        a @ a
times = []
for _ in range(5):
    t = time.perf_counter()
    product()
    times.append(time.perf_counter() - t)
best = min(times)
X = counts(windows, events)
det = Autoencoder(backend=backend, epochs=epochs, patience=epochs, random_state=0)
t = time.perf_counter()
det.fit(X)
fit = time.perf_counter() - t
info = blas_info() if backend == "mlx" else {"blas": "numpy's OpenBLAS"}
print(json.dumps({"gflops": 2 * 1024**3 / best / 1e9, "fit_s": fit, "blas": info["blas"]}))
"""


def run(backend: str, blas: str | None, args) -> dict:
    env = child_env()
    if blas is not None:
        env["LLAMALOG_BLAS"] = blas
    cmd = [sys.executable, "-c", CHILD, backend, str(args.windows), str(args.events)]
    cmd.append(str(args.epochs))
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


OPS = {
    "add": (lambda m, a: a + a, lambda a: a + a),
    "multiply": (lambda m, a: a * a, lambda a: a * a),
    "maximum (ReLU)": (lambda m, a: m.maximum(a, 0.0), lambda a: np.maximum(a, 0.0)),
    "exp": (lambda m, a: m.exp(a), np.exp),
    "tanh": (lambda m, a: m.tanh(a), np.tanh),
    "sigmoid": (lambda m, a: m.sigmoid(a), lambda a: 1 / (1 + np.exp(-a))),
}


def elementwise() -> list[list[str]]:
    """ns per element of each op in :data:`OPS`, MLX (CPU) and numpy, same array."""
    from llamalog.detectors._backend import load_mlx

    mx = load_mlx()
    a = np.random.default_rng(0).standard_normal((256, 512)).astype(np.float32)
    x = mx.array(a)

    def best(fn) -> float:
        fn()
        rounds = []
        for _ in range(7):
            t = time.perf_counter()
            for _ in range(50):
                fn()
            rounds.append((time.perf_counter() - t) / 50)
        return min(rounds) / a.size * 1e9

    rows = []
    with mx.stream(mx.cpu):
        for name, (mlx_op, np_op) in OPS.items():
            t_mx = best(lambda op=mlx_op: mx.eval(op(mx, x)))
            t_np = best(lambda op=np_op: op(a))
            rows.append([name, f"{t_mx:.2f}", f"{t_np:.2f}", f"{t_mx / t_np:.1f}x"])
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=20_000)
    ap.add_argument("--events", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    rows = []
    for label, backend, blas in (
        ("numpy", "numpy", None),
        ("MLX, bundled BLAS (LLAMALOG_BLAS=none)", "mlx", "none"),
        ("MLX, bound by llamalog", "mlx", os.environ.get("LLAMALOG_BLAS")),
    ):
        r = run(backend, blas, args)
        rows.append([label, r["blas"], f"{r['gflops']:.1f}", f"{r['fit_s']:.2f}"])
        print(rows[-1], flush=True)
    head = [
        "configuration",
        "BLAS",
        "1024³ matmul GFLOP/s",
        f"autoencoder fit s ({args.windows:,} x {args.events}, {args.epochs} epochs)",
    ]
    text = markdown_table(head, rows)
    ops = markdown_table(
        ["operation (256 x 512 float32)", "MLX CPU ns/element", "numpy ns/element", "MLX / numpy"],
        elementwise(),
    )
    text = f"{text}\n\n{ops}"
    print(text)
    if args.results:
        note = "With `pip install -e '.[fast]'`; each configuration in its own process.\n\n"
        write_results(args.results, HEADING, "bench_mlx_blas.py", argv, note + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
