"""Training time by batch size, numpy vs MLX, same run: where an MLX GPU pays.

Both models train the same data with the same parameters except ``batch_size``:

* the autoencoder on ``--windows`` x ``--events`` Poisson count windows (as
  ``bench_detect.py``), ``--ae-epochs`` epochs without early stop;
* the sequence model on ``--sessions`` random walks of a sparse Markov chain (as
  ``bench_sequence.py``'s ``markov`` corpus), ``--seq-epochs`` epochs without early stop.

MLX runs on its default device: the GPU with ``mlx[cuda13]`` (Linux, NVIDIA) or on
Apple silicon, else the CPU. Its first fit in a process is timed apart ("first MLX
fit"): on a fresh CUDA machine it includes compiling the GPU kernels, which MLX keeps
in a disk cache for later processes. The table gives the best of ``--repeat`` fits
after it, the final validation loss of each (batch size changes the training, the
backend should not), and numpy time / MLX time.

Where MLX has no GPU the run is recorded under its own heading (MLX on CPU).
This is the measurement behind ``backend="auto"``'s batch-size thresholds on CUDA
(``_CUDA_MIN_BATCH`` in ``llamalog/detectors/autoencoder.py`` and ``sequence.py``).

Usage::

    .venv/bin/python benchmarks/bench_gpu.py [--results benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, write_results
from bench_detect import counts
from bench_sequence import markov_sessions

HEADING = "## MLX on a GPU: training time by batch size (issue: detection)"
#: Section for a run where MLX has no GPU (the same table, MLX on its CPU build).
HEADING_CPU = "## MLX on CPU: training time by batch size (issue: detection)"


def _fit(make, backend: str, batch: int, data, repeat: int) -> tuple[float, float]:
    """Best time of ``repeat`` fits of fresh ``make(backend, batch)`` models, and the
    last validation loss."""
    best, det = float("inf"), None
    for _ in range(repeat):
        det = make(backend, batch)
        t = time.perf_counter()
        det.fit(data)
        best = min(best, time.perf_counter() - t)
    assert det is not None
    return best, det.validation_curve_[-1]


def _models(args):
    from llamalog import Autoencoder, SequenceModel

    ae_data = counts(args.windows, args.events)
    seq_data = markov_sessions(args.sessions, 40, 15.0)

    def ae(backend, batch):
        return Autoencoder(
            backend=backend, epochs=args.ae_epochs, patience=args.ae_epochs, batch_size=batch
        )

    def seq(backend, batch):
        return SequenceModel(
            backend=backend, epochs=args.seq_epochs, patience=args.seq_epochs, batch_size=batch
        )

    return [
        ("autoencoder", ae, ae_data, args.ae_batches),
        ("sequence", seq, seq_data, args.seq_batches),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=128)
    ap.add_argument("--ae-epochs", type=int, default=30)
    ap.add_argument(
        "--ae-batches", type=lambda s: [int(x) for x in s.split(",")], default=[256, 1024, 4096]
    )
    ap.add_argument("--sessions", type=int, default=5_000)
    ap.add_argument("--seq-epochs", type=int, default=10)
    ap.add_argument(
        "--seq-batches", type=lambda s: [int(x) for x in s.split(",")], default=[64, 256, 1024]
    )
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)

    from llamalog.detectors._backend import blas_info, gpu_kind, load_mlx

    mx = load_mlx()
    device = gpu_kind(mx) or f"cpu ({blas_info()['blas']})"
    print(f"MLX device: {mx.default_device()} -> {device}")
    rows, first = [], []
    for name, make, data, batches in _models(args):
        t = time.perf_counter()
        make("mlx", batches[0]).fit(data)
        first.append(f"{name} {time.perf_counter() - t:.1f} s")
        for batch in batches:
            tn, ln = _fit(make, "numpy", batch, data, args.repeat)
            tm, lm = _fit(make, "mlx", batch, data, args.repeat)
            rows.append(
                [
                    name,
                    f"{batch:,}",
                    f"{tn:.2f}",
                    f"{tm:.2f}",
                    f"{tn / tm:.2f}x",
                    f"{ln:.4g}",
                    f"{lm:.4g}",
                ]
            )
            print(rows[-1], flush=True)
    text = markdown_table(
        [
            "model",
            "batch",
            "numpy fit s",
            f"MLX fit s ({device})",
            "numpy / MLX",
            "numpy val loss",
            "MLX val loss",
        ],
        rows,
    )
    note = (
        f"Autoencoder: {args.windows:,} x {args.events} windows, {args.ae_epochs} epochs. "
        f"Sequence model: {args.sessions:,} Markov sessions, {args.seq_epochs} epochs. "
        f"Best of {args.repeat} fits; first MLX fit in the process (kernel compilation "
        f"included where the cache was cold): {', '.join(first)}."
    )
    print(f"{note}\n\n{text}")
    if args.results:
        heading = HEADING if gpu_kind(mx) else HEADING_CPU
        write_results(args.results, heading, "bench_gpu.py", argv, f"{note}\n\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
