"""MLX loading with an optimized BLAS, and the choice between MLX and numpy backends.

MLX's Linux CPU wheel (``mlx[cpu]``) links its matrix products to a bundled reference
BLAS (``mlx_cpu.libs/libblas-*.so``): a 1024³ float32 matmul runs at about 6 GFLOP/s
on this project's 2-core test machine. ``libmlx.so`` imports the standard symbols
(``cblas_sgemm``, LAPACK's ``sgetrf_``…), and the dynamic linker resolves them in the
process's global scope before an object's own dependencies. So a BLAS library loaded
with ``RTLD_GLOBAL`` *before* ``mlx.core`` is imported serves MLX's products instead.

:func:`load_mlx` does that with Intel oneMKL's single dynamic library ``libmkl_rt``
when the ``mkl`` wheel is installed (``pip install "llamalog[fast]"``, on Linux
x86-64; any x86-64 CPU). Measured here (``benchmarks/bench_mlx_blas.py``): the same
matmul at 189 GFLOP/s, results equal to numpy's within float32 rounding. Other BLAS
builds that export the standard unprefixed CBLAS symbols work too: point
``LLAMALOG_BLAS`` at the library file (e.g. a system ``libopenblas.so.0``), or set
``LLAMALOG_BLAS=none`` to keep MLX's own.

The preload only works when llamalog imports MLX first; :func:`blas_info` says what
happened. On macOS MLX uses Accelerate and Metal and nothing is changed.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import warnings
from contextlib import AbstractContextManager
from importlib import metadata
from pathlib import Path
from types import ModuleType

from .._optional import import_optional
from ..errors import LlamalogWarning, MissingDependencyError

__all__ = ["blas_info", "gpu_kind", "load_mlx", "one_blas_thread", "resolve_backend"]

log = logging.getLogger(__name__)

#: Set once the numpy fallback warning was shown (warn once per process).
_FALLBACK_WARNED = False
#: What :func:`load_mlx` bound: ``{"blas": name, "path": str | None, "optimized": bool}``.
_BLAS: dict[str, object] = {}


def _mkl_library() -> Path | None:
    """``libmkl_rt.so.*`` of an installed ``mkl`` wheel, if any."""
    try:
        files = metadata.distribution("mkl").files or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name.startswith("libmkl_rt.so"):
            path = Path(str(f.locate())).resolve()
            if path.is_file():
                return path
    return None


def _preload_blas() -> None:
    """Load an optimized BLAS with ``RTLD_GLOBAL`` so MLX binds to it (Linux only)."""
    if _BLAS:
        return
    choice = os.environ.get("LLAMALOG_BLAS", "").strip()
    if not sys.platform.startswith("linux") or "mlx.core" in sys.modules:
        reason = "macOS Accelerate" if sys.platform == "darwin" else "as imported"
        _BLAS.update(blas=reason, path=None, optimized=sys.platform == "darwin")
        return
    if choice.lower() == "none":
        _BLAS.update(blas="bundled reference BLAS", path=None, optimized=False)
        return
    path = Path(choice) if choice else _mkl_library()
    if path is None:
        _BLAS.update(blas="bundled reference BLAS", path=None, optimized=False)
        return
    try:
        ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
    except OSError as exc:
        warnings.warn(
            f"could not load the BLAS library {path} ({exc}); MLX keeps its slower "
            "bundled BLAS. Fix or unset LLAMALOG_BLAS.",
            LlamalogWarning,
            stacklevel=4,
        )
        _BLAS.update(blas="bundled reference BLAS", path=None, optimized=False)
        return
    name = "oneMKL" if "mkl" in path.name else path.name
    _BLAS.update(blas=name, path=str(path), optimized=True)
    log.info("MLX bound to %s (%s)", name, path)


def one_blas_thread() -> AbstractContextManager:
    """Context manager limiting numpy's BLAS to one thread (``threadpoolctl``).

    For the sequence model, whose products are tiny (a batch of 64 by a hidden layer of
    64): a second BLAS thread gains nothing there, and on a busy 2-core machine its
    spin-waiting made training 5-10x slower (``benchmarks/bench_sequence.py``).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def load_mlx() -> ModuleType:
    """Import ``mlx.core``, first binding an optimized BLAS where one is installed.

    Raises
    ------
    MissingDependencyError
        When MLX cannot be imported.
    """
    _preload_blas()
    return import_optional("mlx.core", extra="mlx")


def blas_info() -> dict[str, object]:
    """Which BLAS MLX's CPU products use: ``{"blas", "path", "optimized"}``.

    Call after :func:`load_mlx` (it is empty before).
    """
    return dict(_BLAS)


def gpu_kind(mx: ModuleType) -> str | None:
    """MLX's GPU here: ``"metal"`` (Apple silicon), ``"cuda"`` (``mlx[cuda13]`` or
    ``mlx[cuda12]`` on Linux with an NVIDIA GPU), or ``None`` (CPU only)."""
    for name in ("metal", "cuda"):
        module = getattr(mx, name, None)
        if module is not None and module.is_available():
            return name
    return None


def resolve_backend(backend: str, *, what: str, cuda_ok: bool = True) -> str:
    """Pick ``"mlx"`` or ``"numpy"`` for ``backend`` (``"auto"``, ``"mlx"``, ``"numpy"``).

    ``"auto"`` takes MLX on a Metal GPU, and on a CUDA GPU when ``cuda_ok``: the
    caller's batches are large enough for the GPU to beat numpy (on an H100 the
    models' default batches are bound by kernel launch latency and no faster than
    numpy; from 1,024 autoencoder rows or 256 sequence windows a batch, MLX trained
    2-10x faster; ``benchmarks/bench_gpu.py``). On CPU it takes numpy: both models
    measured faster in numpy than in MLX's CPU build, even with an optimized BLAS
    bound (``benchmarks/bench_detect.py``, ``bench_sequence.py``). Without MLX,
    ``"auto"`` falls back to numpy and warns once per process; ``"mlx"`` raises.
    """
    global _FALLBACK_WARNED
    if backend not in ("auto", "mlx", "numpy"):
        raise ValueError(f"backend must be 'auto', 'mlx' or 'numpy', got {backend!r}")
    if backend == "numpy":
        return "numpy"
    if backend == "mlx":
        load_mlx()
        return "mlx"
    try:
        mx = load_mlx()
    except MissingDependencyError as exc:
        if not _FALLBACK_WARNED:
            _FALLBACK_WARNED = True
            warnings.warn(
                f"MLX is not available, {what} runs with the numpy implementation ({exc}). "
                'Pass backend="numpy" to silence this.',
                LlamalogWarning,
                stacklevel=3,
            )
        return "numpy"
    gpu = gpu_kind(mx)
    if gpu == "metal" or (gpu == "cuda" and cuda_ok):
        return "mlx"
    if gpu == "cuda":
        log.info("%s uses numpy: its batches are too small to gain from the GPU", what)
    else:
        log.info("MLX has no GPU here; %s uses numpy, faster on CPU", what)
    return "numpy"
