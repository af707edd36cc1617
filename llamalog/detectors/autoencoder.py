"""Autoencoder anomaly detector over window count vectors, with MLX and numpy backends.

A window whose event counts the autoencoder cannot reconstruct well is unusual:
:class:`Autoencoder` learns to compress normalised count vectors through a
small bottleneck and scores each window by its mean squared reconstruction error.

The network is a stack of dense layers ``d → hidden[0] → … → hidden[-1] → … →
hidden[0] → d`` with ReLU after every layer except the last, trained with Adam
on mini-batches with early stopping on a validation split. The ``"mlx"`` backend
trains it with ``mlx.nn`` and a compiled step; the ``"numpy"`` backend trains the
same network with hand-written backprop. Both store float32 weights as numpy
arrays, and scoring always runs the numpy forward pass (:func:`forward`), so a
saved model scores identically after :meth:`Autoencoder.load`, with or without MLX.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import scipy.sparse as sp

from .._optional import import_optional
from ._backend import load_mlx, resolve_backend
from ._base import (
    BaseDetector,
    Matrix,
    StateError,
    as_matrix,
    quote,
    state_array,
    state_ids,
    state_number,
    template_texts,
)
from ._training import EarlyStopping, epochs

if TYPE_CHECKING:
    from ..features.windows import Windows

__all__ = ["Autoencoder", "forward", "layer_sizes", "reconstruction_errors"]

Backend = Literal["auto", "mlx", "numpy"]
Normalize = Literal["tfidf", "l2"] | None

log = logging.getLogger(__name__)
#: Rows scored per chunk in :meth:`Autoencoder.decision_function`.
_CHUNK = 8192
#: Smallest batch for which ``backend="auto"`` trains on a CUDA GPU. On an H100, 30
#: epochs over 100k x 128 windows took 6.7-9.4 s in MLX against 6.3-7.4 s in numpy at
#: 256 rows a batch (kernel launch latency), 1.9-2.8 s against 4.9-5.8 s at 1,024 and
#: 0.8-1.1 s against 4.2-4.8 s at 4,096 (``benchmarks/bench_gpu.py``, RESULTS.md).
_CUDA_MIN_BATCH = 1024


# -- plain functions for the math ---------------------------------------------------------
def layer_sizes(n_features: int, hidden: Sequence[int]) -> list[int]:
    """Widths of the mirrored network: ``[d, *hidden, *reversed(hidden[:-1]), d]``.

    >>> layer_sizes(10, (8, 2))
    [10, 8, 2, 8, 10]
    """
    hidden = [int(h) for h in hidden]
    return [int(n_features), *hidden, *hidden[-2::-1], int(n_features)]


def forward(x: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]):
    """Reconstruct rows ``x`` with dense layers ``x @ W + b``, ReLU between them.

    ``weights[i]`` has shape ``(in, out)``; the last layer is linear.
    """
    a = x
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        a = a @ w + b
        if i < last:
            a = np.maximum(a, 0)
    return a


def reconstruction_errors(
    x: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> np.ndarray:
    """Squared reconstruction error of every entry of ``x`` (same shape as ``x``)."""
    diff = forward(x, weights, biases) - x
    return diff * diff


# -- the detector -------------------------------------------------------------------------
class Autoencoder(BaseDetector):
    """Anomaly detector scoring windows by autoencoder reconstruction error.

    Parameters
    ----------
    hidden : tuple of int, default (64, 16)
        Widths of the encoder layers; the last one is the bottleneck and the
        decoder mirrors the encoder.
    epochs : int, default 30
        Most epochs. An epoch is one pass over the training rows, or several
        when there are too few rows for 20 batches.
    batch_size : int, default 256
        Rows per Adam step.
    learning_rate : float, default 1e-3
        Adam step size (``betas=(0.9, 0.999)``, ``eps=1e-8``, bias-corrected).
    validation : float, default 0.1
        Fraction of training rows held out to monitor for early stopping; ``0``
        monitors the training loss instead.
    patience : int, default 5
        Epochs without improvement of the monitored loss before training stops;
        the weights of the best epoch are kept.
    threshold_quantile : float, default 0.995
        ``threshold_`` is this quantile of the training scores, so about
        ``1 - threshold_quantile`` of the training windows are flagged by
        :meth:`predict`. Set it to your expected contamination.
    normalize : {"tfidf", "l2", None}, default "tfidf"
        Row transform before the network: ``"tfidf"`` weights counts by the
        smoothed idf ``log((1 + n) / (1 + df)) + 1`` learned in ``fit`` and
        scales rows to unit L2 norm; ``"l2"`` only scales rows; ``None`` uses raw
        counts.
    backend : {"auto", "mlx", "numpy"}, default "auto"
        Training backend. ``"auto"`` uses MLX on a Metal GPU, and on a CUDA GPU for
        batches of at least 1,024 rows (smaller ones trained no faster than numpy there);
        numpy on CPU, where it measured faster than MLX's CPU build; and numpy with a
        one-time warning when MLX cannot be imported. Scores never depend on the
        backend's presence: scoring runs in numpy.
    random_state : int, default 0
        Seed of weight initialisation, validation split and shuffling: the same
        seed and backend give the same scores.
    progress : bool, default False
        Show a tqdm progress bar over epochs.

    Attributes
    ----------
    backend_ : str
        Backend used for training, ``"mlx"`` or ``"numpy"``.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    vocabulary_ : numpy.ndarray or None
        Event ids of the columns when ``fit`` got :class:`~llamalog.features.windows.Windows`.
    idf_ : numpy.ndarray or None
        Smoothed idf per column (``normalize="tfidf"`` only).
    weights_, biases_ : list of numpy.ndarray
        float32 layer weights, ``weights_[i]`` of shape ``(in, out)``.
    threshold_ : float
        Score above which :meth:`predict` flags a window.
    loss_curve_, validation_curve_ : list of float
        Mean training and validation loss per epoch (validation empty without a split).
    n_epochs_ : int
        Epochs run (early stopping may end training before ``epochs``).
    fit_seconds_ : float
        Wall time of training.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> profiles = np.array([[4, 2, 1, 0, 0, 0], [0, 0, 1, 3, 3, 0]])
    >>> X = profiles[rng.integers(0, 2, 400)] * rng.integers(1, 4, (400, 1))
    >>> X[7, 5] = 2  # window 7 holds an event never seen elsewhere
    >>> det = Autoencoder(
    ...     hidden=(8, 2), epochs=20, batch_size=32, learning_rate=1e-2, backend="numpy"
    ... ).fit(X)
    >>> scores = det.decision_function(X)
    >>> int(scores.argmax()), int(det.predict(X)[7])
    (7, 1)
    >>> det.explain(X[[7]], top=1).tolist()
    [[5]]
    """

    _fitted_attrs: ClassVar[tuple[str, ...]] = ("weights_", "biases_", "threshold_")

    def __init__(
        self,
        *,
        hidden: Sequence[int] = (64, 16),
        epochs: int = 30,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        validation: float = 0.1,
        patience: int = 5,
        threshold_quantile: float = 0.995,
        normalize: Normalize = "tfidf",
        backend: Backend = "auto",
        random_state: int = 0,
        progress: bool = False,
    ) -> None:
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation = validation
        self.patience = patience
        self.threshold_quantile = threshold_quantile
        self.normalize = normalize
        self.backend = backend
        self.random_state = random_state
        self.progress = progress

    # -- fitting ------------------------------------------------------------------------
    def fit(self, X: Windows | sp.spmatrix | sp.sparray | np.ndarray, y: Any = None) -> Autoencoder:
        """Learn the normalisation, train the network and set ``threshold_``.

        Parameters
        ----------
        X : Windows, scipy sparse matrix or numpy.ndarray
            Training windows × events counts (mostly normal windows).
        y : ignored
            Present for scikit-learn compatibility.

        Returns
        -------
        Autoencoder
            ``self``, fitted.
        """
        self._validate_params()
        matrix, vocabulary = as_matrix(X)
        n, d = matrix.shape
        if n < 2 or d < 1:
            raise ValueError(f"fit needs at least 2 windows and 1 column, got shape {(n, d)}")
        backend = resolve_backend(
            self.backend,
            what="Autoencoder training",
            cuda_ok=int(self.batch_size) >= _CUDA_MIN_BATCH,
        )

        self.n_features_in_ = d
        self.vocabulary_ = vocabulary
        self.idf_ = _idf(matrix) if self.normalize == "tfidf" else None
        data = self._transform(matrix)

        rng = np.random.default_rng(self.random_state)
        order = rng.permutation(n)
        n_val = round(n * float(self.validation))
        if n_val >= n:
            n_val = n - 1
        val_idx, train_idx = np.sort(order[:n_val]), np.sort(order[n_val:])

        sizes = layer_sizes(d, self.hidden)
        trainer = _train_mlx if backend == "mlx" else _train_numpy
        start = time.perf_counter()
        # BLAS keeps its own threading here: on 100k x 128 windows two threads trained in
        # 4.5 s against 5.4 s for one (benchmarks/bench_detect.py, idle machine)
        weights, biases, losses, val_losses = trainer(
            data, train_idx, val_idx, sizes, self._options(), rng
        )
        self.fit_seconds_ = time.perf_counter() - start
        self.backend_ = backend
        self.weights_ = [np.ascontiguousarray(w, dtype=np.float32) for w in weights]
        self.biases_ = [np.ascontiguousarray(b, dtype=np.float32) for b in biases]
        self.loss_curve_ = losses
        self.validation_curve_ = val_losses
        self.n_epochs_ = len(losses)
        self._calibrate(self._scores(data))
        return self

    def _validate_params(self) -> None:
        hidden = list(self.hidden) if isinstance(self.hidden, Sequence) else None
        if not hidden or any(int(h) < 1 for h in hidden):
            raise ValueError(
                f"hidden must be a non-empty tuple of positive ints, got {self.hidden!r}"
            )
        if self.normalize not in ("tfidf", "l2", None):
            raise ValueError(f"normalize must be 'tfidf', 'l2' or None, got {self.normalize!r}")
        self._check_training()
        self._check_threshold_quantile()
        self._check_positive_ints("epochs", "batch_size", "patience")

    def _options(self) -> dict[str, Any]:
        return {
            "epochs": int(self.epochs),
            "batch_size": int(self.batch_size),
            "learning_rate": float(self.learning_rate),
            "patience": int(self.patience),
            "seed": int(self.random_state),
            "progress": bool(self.progress),
        }

    # -- scoring ------------------------------------------------------------------------
    def _transform(self, matrix: Matrix) -> Matrix:
        """Apply the fitted normalisation; sparse stays sparse."""
        if self.normalize is None:
            return matrix
        out = matrix.copy()
        if self.normalize == "tfidf":
            if sp.issparse(out):
                out.data *= self.idf_[out.indices]
            else:
                out *= self.idf_
        if sp.issparse(out):
            norms = np.sqrt(np.asarray(out.multiply(out).sum(axis=1)).ravel())
            scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
            out.data *= np.repeat(scale, np.diff(out.indptr))
        else:
            norms = np.sqrt(np.einsum("ij,ij->i", out, out))
            scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
            out *= scale[:, None]
        return out

    def _prepare(self, X: Windows | sp.spmatrix | sp.sparray | np.ndarray) -> Matrix:
        self._check_fitted()
        matrix, vocabulary = as_matrix(X)
        d = matrix.shape[1]
        if d != self.n_features_in_:
            hint = (
                "; build the windows with vocabulary=det.vocabulary_"
                if self.vocabulary_ is not None
                else ""
            )
            raise ValueError(
                f"X has {d} columns but this {type(self).__name__} was fitted on "
                f"{self.n_features_in_}; pass windows × events counts with the training "
                f"columns{hint}"
            )
        if (
            vocabulary is not None
            and self.vocabulary_ is not None
            and not np.array_equal(vocabulary, self.vocabulary_)
        ):
            raise ValueError(
                "the windows' vocabulary differs from the one seen in fit (same size, "
                "other event ids or order); build them with vocabulary=det.vocabulary_"
            )
        return self._transform(matrix)

    def _errors_chunks(self, data: Matrix):
        for lo in range(0, data.shape[0], _CHUNK):
            x = _dense(data, slice(lo, lo + _CHUNK))
            yield reconstruction_errors(x, self.weights_, self.biases_)

    def _scores(self, data: Matrix) -> np.ndarray:
        parts = [e.mean(axis=1, dtype=np.float64) for e in self._errors_chunks(data)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def decision_function(self, X: Windows | sp.spmatrix | sp.sparray | np.ndarray) -> np.ndarray:
        """Anomaly score per window: mean squared reconstruction error (higher = odder).

        Parameters
        ----------
        X : Windows, scipy sparse matrix or numpy.ndarray
            Windows × events counts with the columns seen in ``fit``.

        Returns
        -------
        numpy.ndarray
            float64 scores, one per row of ``X``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ValueError
            When ``X`` has another number of columns (or another vocabulary) than in ``fit``.
        """
        return self._scores(self._prepare(X))

    def predict(self, X: Windows | sp.spmatrix | sp.sparray | np.ndarray) -> np.ndarray:
        """1 for windows scoring above ``threshold_``, else 0 (int8 array)."""
        return self._scores_and_flags(X)[1].astype(np.int8)

    def _scores_and_flags(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        scores = self.decision_function(X)
        return np.asarray(scores, dtype=np.float64), scores > self.threshold_

    def explain(
        self,
        X: Windows | sp.spmatrix | sp.sparray | np.ndarray,
        top: int = 3,
        *,
        return_errors: bool = False,
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Columns contributing most to each window's score.

        Parameters
        ----------
        X : Windows, scipy sparse matrix or numpy.ndarray
            Windows × events counts with the columns seen in ``fit``.
        top : int, default 3
            Columns to report per window (at most the number of columns).
        return_errors : bool, default False
            Also return the squared errors of those columns.

        Returns
        -------
        ids : numpy.ndarray
            ``(n, top)`` event ids (``vocabulary_`` entries, or column numbers
            when fitted without a vocabulary), largest squared error first.
        errors : numpy.ndarray
            ``(n, top)`` float64 squared errors, only with ``return_errors=True``.
        """
        data = self._prepare(X)
        k = max(0, min(int(top), self.n_features_in_))
        cols, errs = [], []
        for e in self._errors_chunks(data):
            idx = np.argsort(-e, axis=1, kind="stable")[:, :k]
            cols.append(idx)
            errs.append(np.take_along_axis(e, idx, axis=1).astype(np.float64))
        col = np.concatenate(cols) if cols else np.zeros((0, k), dtype=np.intp)
        ids = self.vocabulary_[col] if self.vocabulary_ is not None else col
        if return_errors:
            err = np.concatenate(errs) if errs else np.zeros((0, k))
            return ids, err
        return ids

    def describe(
        self,
        X: Windows | sp.spmatrix | sp.sparray | np.ndarray,
        rows: Sequence[int] | np.ndarray,
        *,
        templates: Any = None,
        top: int = 3,
    ) -> list[str]:
        """One sentence per window in ``rows``: the events the model reconstructs worst.

        Each event is given with its count in the window and the count the model
        expected (the reconstruction mapped back through the normalisation, so an
        expected count is an estimate), and its template text when ``templates`` gives
        it (a mapping, a Series by id, or a frame with ``template_id`` and ``template``).
        """
        rows = np.asarray(rows, dtype=np.intp)
        texts = template_texts(templates)
        matrix, _ = as_matrix(X)
        if rows.size == 0:
            return []
        sub = matrix[rows]
        ids, errs = self.explain(sub, top=top, return_errors=True)
        data = self._prepare(sub)
        recon = forward(_dense(data, slice(None)), self.weights_, self.biases_).astype(np.float64)
        counts = sub.toarray() if sp.issparse(sub) else np.asarray(sub)
        col_of = (
            {int(v): j for j, v in enumerate(self.vocabulary_)}
            if self.vocabulary_ is not None
            else None
        )
        out = []
        for k in range(rows.size):
            parts = []
            total = counts[k].sum()
            norm = data[k].toarray().ravel() if sp.issparse(data) else data[k]
            for e, err in zip(ids[k], errs[k], strict=True):
                if err <= 0:
                    continue
                j = col_of[int(e)] if col_of is not None else int(e)
                expected = _expected_count(recon[k, j], norm[j], counts[k, j], total)
                name = f"event {int(e)}"
                if texts and int(e) in texts:
                    name += f" {quote(texts[int(e)])}"
                parts.append(f"{name}: {int(counts[k, j])} seen, ~{expected:.1f} expected")
            out.append(
                "unusual mix of events; worst reconstructed: " + "; ".join(parts)
                if parts
                else "window reconstructed with a high overall error"
            )
        return out

    # -- persistence --------------------------------------------------------------------
    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        state = {
            "backend_": self.backend_,
            "threshold_": self.threshold_,
            "center_": self.center_,
            "n_features_in_": self.n_features_in_,
            "vocabulary_": self.vocabulary_,
            "idf_": self.idf_,
            "loss_curve_": self.loss_curve_,
            "validation_curve_": self.validation_curve_,
            "n_epochs_": self.n_epochs_,
            "fit_seconds_": self.fit_seconds_,
            "n_layers": len(self.weights_),
        }
        arrays = {f"W{i}": w for i, w in enumerate(self.weights_)}
        arrays.update({f"b{i}": b for i, b in enumerate(self.biases_)})
        return state, arrays

    def _set_state(self, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.hidden = tuple(self.hidden)
        if not all(isinstance(h, int) and h >= 1 for h in self.hidden):
            raise StateError("hidden", f"must be positive layer widths, got {self.hidden!r}")
        d = state_number(state, "n_features_in_", integer=True, lo=1)
        sizes = layer_sizes(d, self.hidden)
        n_layers = state_number(state, "n_layers", integer=True, lo=1)
        if n_layers != len(sizes) - 1:
            raise StateError("n_layers", f"must be {len(sizes) - 1} for hidden={self.hidden}")
        self.weights_ = [
            state_array(arrays, f"W{i}", ndim=2, shape=(sizes[i], sizes[i + 1]))
            for i in range(n_layers)
        ]
        self.biases_ = [
            state_array(arrays, f"b{i}", ndim=1, shape=(sizes[i + 1],)) for i in range(n_layers)
        ]
        self.backend_ = state.get("backend_")
        if self.backend_ not in ("mlx", "numpy"):
            raise StateError("backend_", f"must be 'mlx' or 'numpy', got {self.backend_!r}")
        self.threshold_ = float(state_number(state, "threshold_"))
        self.center_ = float(state_number(state, "center_", 0.0))
        self.n_features_in_ = d
        vocab = state.get("vocabulary_")
        self.vocabulary_ = None if vocab is None else state_ids("vocabulary_", vocab)
        if self.vocabulary_ is not None and self.vocabulary_.shape != (d,):
            raise StateError("vocabulary_", f"must list {d} template ids")
        idf = state.get("idf_")
        if idf is not None:
            idf = state_array(
                {"idf_": np.asarray(idf, dtype=np.float64)}, "idf_", ndim=1, shape=(d,)
            )
        self.idf_ = idf
        self.loss_curve_ = list(state.get("loss_curve_", []))
        self.validation_curve_ = list(state.get("validation_curve_", []))
        self.n_epochs_ = int(state.get("n_epochs_", len(self.loss_curve_)))
        self.fit_seconds_ = float(state.get("fit_seconds_", math.nan))


# -- helpers ------------------------------------------------------------------------------
def _expected_count(recon: float, norm: float, count: float, total: float) -> float:
    """Count a reconstructed normalised value stands for, scaled like the observed one."""
    if norm > 0:
        return max(0.0, count * recon / norm)
    return max(0.0, recon) * max(total, 1.0)


def _idf(matrix: Matrix) -> np.ndarray:
    """Smoothed idf ``log((1 + n) / (1 + df)) + 1`` of the columns (as :meth:`Windows.idf`)."""
    n, d = matrix.shape
    if sp.issparse(matrix):
        nz = matrix.copy()
        nz.eliminate_zeros()
        df = np.bincount(nz.indices, minlength=d)
    else:
        df = np.count_nonzero(matrix, axis=0)
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def _dense(data: Matrix, rows: slice | np.ndarray) -> np.ndarray:
    """float32 dense copy of some rows."""
    part = data[rows]
    if sp.issparse(part):
        part = part.toarray()
    return np.asarray(part, dtype=np.float32)


#: Fewest Adam steps per epoch: a small training set is passed over several times per
#: epoch, so that a few hundred windows still get enough steps to fit.
_MIN_STEPS = 20


def _epoch_order(rng: np.random.Generator, idx: np.ndarray, batch_size: int) -> np.ndarray:
    """Training rows of one epoch: whole shuffled passes over ``idx``, enough for
    :data:`_MIN_STEPS` batches."""
    passes = max(1, math.ceil(_MIN_STEPS * batch_size / max(idx.size, 1)))
    return np.concatenate([rng.permutation(idx) for _ in range(passes)])


def _init_layers(sizes: list[int], rng: np.random.Generator) -> tuple[list, list]:
    """Uniform ``±1/sqrt(in)`` init, as ``mlx.nn.Linear`` does."""
    weights, biases = [], []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1.0 / math.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        biases.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return weights, biases


def _flat_views(shapes: list[tuple[int, ...]], dtype=np.float32) -> tuple[np.ndarray, list]:
    """One contiguous buffer and a view of it per shape (so Adam runs on one array)."""
    total = sum(math.prod(sh) for sh in shapes)
    flat = np.zeros(total, dtype=dtype)
    views, at = [], 0
    for sh in shapes:
        n = math.prod(sh)
        views.append(flat[at : at + n].reshape(sh))
        at += n
    return flat, views


def _train_numpy(
    data: Matrix,
    train_idx: np.ndarray,
    val_idx: np.ndarray,
    sizes: list[int],
    opt: dict[str, Any],
    rng: np.random.Generator,
) -> tuple[list[np.ndarray], list[np.ndarray], list[float], list[float]]:
    """Train with numpy backprop and Adam; return best weights and loss curves.

    Parameters and gradients live in one flat float32 buffer each (the layers are
    views into it), so an Adam step is a handful of vectorised operations whatever
    the number of layers.
    """
    init_w, init_b = _init_layers(sizes, rng)
    n_layers = len(init_w)
    shapes = [w.shape for w in init_w] + [b.shape for b in init_b]
    flat, views = _flat_views(shapes)
    gflat, gviews = _flat_views(shapes)
    for view, value in zip(views, init_w + init_b, strict=True):
        view[...] = value
    weights, biases = views[:n_layers], views[n_layers:]
    grads_w, grads_b = gviews[:n_layers], gviews[n_layers:]
    m, v, tmp = np.zeros_like(flat), np.zeros_like(flat), np.zeros_like(flat)
    lr, b1, b2, eps = opt["learning_rate"], 0.9, 0.999, 1e-8
    step = 0
    dense_all = not sp.issparse(data) or data.shape[0] * data.shape[1] <= 32_000_000
    cache = _dense(data, slice(None)) if dense_all else None
    val = _dense(data, val_idx) if val_idx.size else None
    stopper = EarlyStopping(opt["patience"])
    losses: list[float] = []
    val_losses: list[float] = []

    # each batch is gathered into one reused buffer, which stays in cache (gathering a
    # shuffled copy of all rows per epoch took 1.7x as long), and bias gradients are
    # column sums taken as one product with a row of ones (4x faster than np.sum here)
    xbuf = np.empty((opt["batch_size"], sizes[0]), dtype=np.float32)
    ones = np.ones((1, opt["batch_size"]), dtype=np.float32)
    for _ in (bar := epochs(opt["epochs"], opt["progress"], "Autoencoder")):
        total, count = 0.0, 0
        order = _epoch_order(rng, train_idx, opt["batch_size"])
        for lo in range(0, order.size, opt["batch_size"]):
            rows = order[lo : lo + opt["batch_size"]]
            if cache is not None:
                x = np.take(cache, rows, axis=0, out=xbuf[: rows.size])
            else:
                x = _dense(data, np.sort(rows))
            acts = [x]
            a = x
            for i in range(n_layers):
                a = a @ weights[i]
                a += biases[i]
                if i < n_layers - 1:
                    np.maximum(a, 0, out=a)  # ReLU in place: a > 0 exactly where a unit fired
                acts.append(a)
            g = np.subtract(a, x, out=a)  # the last activation is not needed any more
            flat_diff = g.ravel()
            total += float(np.dot(flat_diff, flat_diff))
            count += x.shape[0]
            g *= np.float32(2.0 / g.size)
            for i in range(n_layers - 1, -1, -1):
                np.matmul(acts[i].T, g, out=grads_w[i])
                np.matmul(ones[:, : g.shape[0]], g, out=grads_b[i][None])
                if i > 0:
                    g = g @ weights[i].T
                    g *= acts[i] > 0
            step += 1
            c1, c2 = 1.0 - b1**step, 1.0 - b2**step
            m *= b1
            m += np.multiply(gflat, 1.0 - b1, out=tmp)
            v *= b2
            np.multiply(gflat, gflat, out=tmp)
            tmp *= 1.0 - b2
            v += tmp
            np.divide(v, c2, out=tmp)
            np.sqrt(tmp, out=tmp)
            tmp += eps
            np.divide(m, tmp, out=tmp)
            tmp *= lr / c1
            flat -= tmp
        losses.append(total / max(count * sizes[-1], 1))
        if val is not None:
            r = forward(val, weights, biases) - val
            val_losses.append(float(np.mean(r * r, dtype=np.float64)))
        monitored = val_losses[-1] if val is not None else losses[-1]
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{losses[-1]:.4g}", val=f"{monitored:.4g}")
        snapshot = lambda: ([w.copy() for w in weights], [b.copy() for b in biases])  # noqa: E731
        if stopper.update(monitored, snapshot):
            break
    if hasattr(bar, "close"):
        bar.close()
    best_w, best_b = stopper.best_state
    return best_w, best_b, losses, val_losses


def _train_mlx(
    data: Matrix,
    train_idx: np.ndarray,
    val_idx: np.ndarray,
    sizes: list[int],
    opt: dict[str, Any],
    rng: np.random.Generator,
) -> tuple[list[np.ndarray], list[np.ndarray], list[float], list[float]]:
    """Train with ``mlx.nn`` and a compiled Adam step; return best weights and loss curves."""
    mx = load_mlx()
    nn = import_optional("mlx.nn", extra="mlx")
    optim = import_optional("mlx.optimizers", extra="mlx")
    from functools import partial

    mx.random.seed(opt["seed"])

    class _Net(nn.Module):
        def __init__(self, sizes: list[int]) -> None:
            super().__init__()
            self.layers = [nn.Linear(i, o) for i, o in itertools.pairwise(sizes)]

        def __call__(self, x):
            for layer in self.layers[:-1]:
                x = nn.relu(layer(x))
            return self.layers[-1](x)

    model = _Net(sizes)
    mx.eval(model.parameters())
    optimizer = optim.Adam(learning_rate=opt["learning_rate"], bias_correction=True)

    def loss_fn(net, x):
        return mx.mean(mx.square(net(x) - x))

    loss_and_grad = nn.value_and_grad(model, loss_fn)
    state = [model.state, optimizer.state]

    @partial(mx.compile, inputs=state, outputs=state)
    def train_step(x):
        loss, grads = loss_and_grad(model, x)
        optimizer.update(model, grads)
        return loss

    eval_loss = mx.compile(lambda x: loss_fn(model, x), inputs=model.state)

    def snapshot():
        return (
            [np.array(layer.weight.T) for layer in model.layers],
            [np.array(layer.bias) for layer in model.layers],
        )

    dense_all = not sp.issparse(data) or data.shape[0] * data.shape[1] <= 32_000_000
    # the whole matrix lives in MLX once; batches are gathered inside the compiled step
    cache = mx.array(_dense(data, slice(None))) if dense_all else None

    @partial(mx.compile, inputs=state, outputs=state)
    def train_rows(rows):
        return train_step(mx.take(cache, rows, axis=0))

    val = mx.array(_dense(data, val_idx)) if val_idx.size else None
    stopper = EarlyStopping(opt["patience"])
    losses: list[float] = []
    val_losses: list[float] = []
    for _ in (bar := epochs(opt["epochs"], opt["progress"], "Autoencoder")):
        parts, sizes_seen = [], []
        order = _epoch_order(rng, train_idx, opt["batch_size"])
        order_mx = mx.array(order.astype(np.int32)) if cache is not None else None
        for lo in range(0, order.size, opt["batch_size"]):
            batch = order[lo : lo + opt["batch_size"]]
            if order_mx is not None:
                loss = train_rows(order_mx[lo : lo + batch.size])
            else:
                loss = train_step(mx.array(_dense(data, np.sort(batch))))
            mx.eval(state, loss)
            parts.append(loss)
            sizes_seen.append(batch.size)
        epoch_losses = np.array(mx.stack(parts)) if parts else np.zeros(0)
        losses.append(float(np.dot(epoch_losses, sizes_seen) / max(sum(sizes_seen), 1)))
        if val is not None:
            val_losses.append(float(eval_loss(val).item()))
        monitored = val_losses[-1] if val is not None else losses[-1]
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{losses[-1]:.4g}", val=f"{monitored:.4g}")
        if stopper.update(monitored, snapshot):
            break
    if hasattr(bar, "close"):
        bar.close()
    best_w, best_b = stopper.best_state
    return best_w, best_b, losses, val_losses
