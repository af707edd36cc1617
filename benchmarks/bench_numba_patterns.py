"""The numba code patterns the README's "Writing kernels" notes rest on, measured.

Each row times two forms of the same work in this process (best of ``--repeat``, after
a warm-up call that compiles both), on an 8 MB slice of a loggen corpus or on arrays of
the sizes the kernels see:

- **loop in a ``prange`` body vs serial helper over slices:** counting newlines with
  the loop inside the parallel body, indexing the whole buffer, against
  ``llamalog.parse._kernels._count_newlines`` called on each block's slice.
- **slice copies outside ``prange``:** compacting 2,000 windows' entries with slice
  copies written in the parallel kernel against the same loop in a serial helper
  (``llamalog.features._kernels._compact``).
- **signed vs unsigned index:** a summing loop over ``range(a, b)`` with ``buf[i]``
  against ``buf[np.uint64(i)]``.
- **rebinding an array in a hot loop:** factorizing 1M template hashes with a table
  that grows inside the loop against ``llamalog.templates._kernels.factorize_hashes``
  (growth in an outer loop).

Usage::

    .venv/bin/python benchmarks/bench_numba_patterns.py [--repeat 9] [--results FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numba import njit, prange

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import ensure_corpus, machine_info, markdown_table, now_utc, replace_section

from llamalog import _hashing as H
from llamalog.features import _kernels as FK
from llamalog.parse import _kernels as PK
from llamalog.templates import _kernels as TK

HEADING = "## Numba code patterns (kernel-writing notes)"


@njit(nogil=True, parallel=True)
def newlines_in_body(buf):
    n = buf.size
    counts = np.zeros(64, np.int64)
    for k in prange(64):
        c = 0
        for i in range(k * n // 64, (k + 1) * n // 64):
            c += buf[i] == 10
        counts[k] = c
    return counts.sum()


@njit(nogil=True, parallel=True)
def newlines_in_helper(buf):
    n = buf.size
    counts = np.zeros(64, np.int64)
    for k in prange(64):
        counts[k] = PK._count_newlines(buf[k * n // 64 : (k + 1) * n // 64])
    return counts.sum()


# the same source as the serial helper, compiled as a parallel kernel: its slice copies
# then each start a parallel region
compact_in_parallel_kernel = njit(nogil=True, parallel=True)(FK._compact.py_func)


@njit(nogil=True, parallel=True)
def compact_in_helper(room, nnz, idx_buf, val_buf):
    return FK._compact(room, nnz, idx_buf, val_buf)


@njit(nogil=True)
def sum_signed(buf, a, b):
    s = 0
    for i in range(a, b):
        s += buf[i]
    return s


@njit(nogil=True)
def sum_unsigned(buf, a, b):
    s = 0
    for i in range(a, b):
        s += buf[np.uint64(i)]
    return s


@njit(nogil=True)
def factorize_rebinding(hashes):
    n = hashes.size
    table = np.zeros((1024, 2), np.uint64)
    codes = np.empty(n, np.int64)
    n_codes = 0
    for i in range(n):
        if 2 * (n_codes + 1) > table.shape[0]:
            table = H.grow(table, 2 * table.shape[0])  # rebinds ``table`` in the loop
        slot, c = H.find(table, hashes[i])
        if c < 0:
            c = n_codes
            n_codes += 1
            table[slot, 0] = hashes[i]
            table[slot, 1] = c + 1
        codes[i] = c
    return codes


def best_ms(fn: Callable, args: tuple, repeat: int) -> float:
    fn(*args)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        samples.append(time.perf_counter() - start)
    return min(samples) * 1e3


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    info = machine_info()

    buf = np.fromfile(ensure_corpus("OpenSSH", 1_000_000), dtype=np.uint8)[: 8 << 20]
    rng = np.random.default_rng(0)
    sizes = rng.integers(0, 30, 2000)
    room = np.concatenate(([0], np.cumsum(sizes + 5)))
    idx_buf = rng.integers(0, 100, room[-1])
    val_buf = rng.integers(1, 9, room[-1])
    distinct = rng.integers(0, 2**63, 200).astype(np.uint64)
    hashes = distinct[rng.integers(0, 200, 1_000_000)]
    assert newlines_in_body(buf) == newlines_in_helper(buf)
    assert sum_signed(buf, 0, buf.size) == sum_unsigned(buf, 0, buf.size)
    assert (factorize_rebinding(hashes) == TK.factorize_hashes(hashes)[0]).all()
    for a, b in zip(
        compact_in_parallel_kernel(room, sizes, idx_buf, val_buf),
        compact_in_helper(room, sizes, idx_buf, val_buf),
        strict=True,
    ):
        assert (a == b).all()

    cases = [
        ("newline count, 8 MB", "loop inside the prange body", newlines_in_body,
         "serial helper over slices", newlines_in_helper, (buf,)),
        ("compact 2,000 windows", "slice copies in the parallel kernel",
         compact_in_parallel_kernel, "serial helper", compact_in_helper,
         (room, sizes, idx_buf, val_buf)),
        ("sum of 8 MB of bytes", "buf[i]", sum_signed, "buf[np.uint64(i)]", sum_unsigned,
         (buf, 0, buf.size)),
        ("factorize 1M hashes", "table rebound in the loop", factorize_rebinding,
         "growth in an outer loop", lambda h: TK.factorize_hashes(h), (hashes,)),
    ]  # fmt: skip
    rows = []
    for work, slow_name, slow, fast_name, fast, fargs in cases:
        t_slow = best_ms(slow, fargs, args.repeat)
        t_fast = best_ms(fast, fargs, args.repeat)
        rows.append([work, f"{slow_name}: {t_slow:.2f}", f"{fast_name}: {t_fast:.2f}",
                     f"{t_slow / t_fast:.1f}x"])  # fmt: skip
        print(f"{work}: {t_slow:.2f} ms vs {t_fast:.2f} ms ({t_slow / t_fast:.1f}x)", flush=True)
    text = markdown_table(["work", "slow form, ms", "fast form, ms", "ratio"], rows)
    print()
    print(text)
    if args.results:
        command = " ".join(
            [".venv/bin/python benchmarks/bench_numba_patterns.py", *(argv or sys.argv[1:])]
        )
        body = (
            f"Run {now_utc()} on {info['cpu']}, nproc {info['nproc']}.\n\n"
            f"Command: `{command}`\n\n"
            "Each form of the same work timed in one process, best of "
            f"{args.repeat}; the forms are described in the docstring of "
            "`benchmarks/bench_numba_patterns.py` and checked to give equal results.\n\n" + text
        )
        replace_section(args.results, HEADING, body)
        print(f"wrote section {HEADING!r} in {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
