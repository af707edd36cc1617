"""DeepLog-style next-event anomaly detector over event sequences, MLX and numpy backends.

:class:`SequenceModel` learns which event comes next in normal sessions. For every
position of a window it predicts a distribution over the next event from the
``history`` events before it, with an LSTM, and ranks the event that actually came.
As in DeepLog (Du et al., CCS 2017), a window is anomalous when some event falls
outside the ``g`` most probable predictions: events that are missing, extra
(repeated), swapped or never seen all show up as an improbable next event somewhere.
An end-of-window token is predicted after the last event too, so a truncated session
(its last events missing) is caught as an unexpected end.

The network is one LSTM layer over one-hot event inputs, then a linear layer and a
softmax over the events plus "end". Its parameters, shared by both backends, are
``Wx`` (inputs × 4·hidden, the input weights of the one-hot events, i.e. a learned
table), ``Wh`` (hidden × 4·hidden), ``b`` (4·hidden), ``Wo`` (hidden × outputs) and
``bo`` (outputs), with gates in the order input, forget, output, cell. The ``"mlx"``
backend trains it with a compiled MLX step, the ``"numpy"`` backend with hand-written
backpropagation through time; both use Adam. Scoring always runs the numpy forward
pass (:func:`forward`) on the stored float32 weights, so a saved model scores
identically after :meth:`SequenceModel.load`, with or without MLX.

Logs are extremely repetitive: thousands of sessions share a handful of
(history, next event) pairs. Training therefore deduplicates the pairs and weights
each distinct pair's cross-entropy by its count, which is the same loss as training
on every position (see :func:`loss_and_grads`) at a fraction of the cost; scoring
deduplicates too.

Beyond DeepLog's rank rule, an event predicted with a probability below
``min_probability_`` also counts as unexpected: repeated, swapped or skipped events are
often near-plausible (ranked 2nd or 3rd, with a tiny probability) and the plain rule
misses them. ``min_probability=0`` restores the plain rule.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pandas as pd

from .._optional import import_optional
from ._backend import load_mlx, one_blas_thread, resolve_backend
from ._base import (
    BaseDetector,
    StateError,
    state_array,
    state_ids,
    state_number,
    template_texts,
)
from ._training import EarlyStopping, epochs

if TYPE_CHECKING:
    from ..features.windows import Windows

__all__ = ["SequenceModel", "forward", "init_params", "loss_and_grads"]

Backend = Literal["auto", "mlx", "numpy"]

#: Input index of left padding (before the first event of a window).
PAD = 0
#: Input index of an event not seen in training.
UNSEEN_INPUT = 1
#: Output class "the window ends here".
END = 0
#: Output code of an event not seen in training (it has no class; worst rank).
UNSEEN_TARGET = -1
#: First input index / output class of the training events.
_IN0, _OUT0 = 2, 1
#: Names of the network parameters, in a fixed order.
PARAMS = ("Wx", "Wh", "b", "Wo", "bo")
#: Distinct (history, event) pairs scored per chunk.
_CHUNK = 4096
#: Smallest batch for which ``backend="auto"`` trains on a CUDA GPU. On an H100, 10
#: epochs over 5,000 Markov sessions took 5.6-7.2 s in MLX against 5.7-7.2 s in numpy
#: at the default 64 windows a batch, 3.6-3.8 s against 10.8-11.0 s at 256 and
#: 1.1-1.4 s against 9.0-12.2 s at 1,024 (``benchmarks/bench_gpu.py``, RESULTS.md).
_CUDA_MIN_BATCH = 256
#: Fewest Adam steps per epoch (deduplicated data can hold very few pairs).
_MIN_STEPS = 20
#: Most Adam steps per epoch (large corpora: each epoch sees a random share of the pairs).
_MAX_STEPS = 200
#: Smallest probability used in the score ``rank + 1 - p`` (keeps ``score >= g``
#: equivalent to ``rank >= g`` in float64 for any ``g`` below a million).
_P_FLOOR = 1e-9


# -- the network in numpy -----------------------------------------------------------------
def init_params(
    n_inputs: int, n_outputs: int, hidden: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Initial float32 parameters: uniform ``±1/sqrt(hidden)``, forget-gate bias 1, ``bo`` 0.

    Parameters
    ----------
    n_inputs : int
        Input vocabulary size (events plus padding and "unseen").
    n_outputs : int
        Output classes (events plus "end").
    hidden : int
        LSTM width.
    rng : numpy.random.Generator
        Source of randomness.
    """
    bound = 1.0 / math.sqrt(hidden)

    def uniform(*shape: int) -> np.ndarray:
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    b = uniform(4 * hidden)
    b[hidden : 2 * hidden] += 1.0
    return {
        "Wx": uniform(n_inputs, 4 * hidden),
        "Wh": uniform(hidden, 4 * hidden),
        "b": b,
        "Wo": uniform(hidden, n_outputs),
        "bo": np.zeros(n_outputs, np.float32),
    }


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out = np.tanh(x * 0.5)
    out *= 0.5
    out += 0.5
    return out


def _lstm(hist: np.ndarray, p: Mapping[str, np.ndarray], keep: bool):
    """Run the LSTM over ``hist`` (batch × steps input indices); last hidden state.

    With ``keep`` also returns the per-step values backpropagation needs.
    """
    n, steps = hist.shape
    H = p["Wh"].shape[0]
    dtype = p["Wh"].dtype
    table = p["Wx"] + p["b"]  # one-hot inputs: x @ Wx + b is a row of this table
    h = np.zeros((n, H), dtype)
    c = np.zeros((n, H), dtype)
    cache: list[tuple[np.ndarray, ...]] = []
    for t in range(steps):
        z = table[hist[:, t]]
        z += h @ p["Wh"]
        ifo = _sigmoid(z[:, : 3 * H])
        g = np.tanh(z[:, 3 * H :])
        c_prev = c
        c = ifo[:, H : 2 * H] * c_prev
        c += ifo[:, :H] * g
        tc = np.tanh(c)
        h_prev = h
        h = ifo[:, 2 * H :] * tc
        if keep:
            cache.append((h_prev, c_prev, ifo, g, tc))
    return h, cache


def forward(hist: np.ndarray, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """Logits of the next event after each history.

    Parameters
    ----------
    hist : numpy.ndarray
        ``(n, history)`` input indices (0 = padding, 1 = unseen, 2 + j = event ``j``
        of the vocabulary), oldest first.
    params : mapping
        ``Wx``, ``Wh``, ``b``, ``Wo``, ``bo`` (see the module docstring).

    Returns
    -------
    numpy.ndarray
        ``(n, outputs)`` logits: class 0 is "end of window", ``1 + j`` event ``j``.
    """
    h, _ = _lstm(np.asarray(hist), params, keep=False)
    return h @ params["Wo"] + params["bo"]


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def loss_and_grads(
    hist: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    params: Mapping[str, np.ndarray],
    *,
    need_grads: bool = True,
) -> tuple[float, dict[str, np.ndarray] | None]:
    """Weighted cross-entropy ``sum_i weight_i * CE_i`` and its gradients (BPTT).

    With ``weight = counts / counts.sum()`` over distinct (history, target) pairs this
    is exactly the mean cross-entropy over all the positions the pairs came from:
    deduplication changes the cost of training, not the loss.

    Parameters
    ----------
    hist : numpy.ndarray
        ``(n, history)`` input indices.
    target : numpy.ndarray
        ``(n,)`` output classes.
    weight : numpy.ndarray
        ``(n,)`` weight of each row in the loss.
    params : mapping
        Network parameters; the gradients have their dtype (float64 for checks).
    need_grads : bool, default True
        Compute the gradients (otherwise ``None`` is returned for them).

    Returns
    -------
    loss : float
    grads : dict of numpy.ndarray or None
        Same keys and shapes as ``params``.
    """
    hist = np.asarray(hist)
    n, steps = hist.shape
    dtype = params["Wh"].dtype
    h, cache = _lstm(hist, params, keep=need_grads)
    logits = h @ params["Wo"] + params["bo"]
    logp = _log_softmax(logits)
    rows = np.arange(n)
    weight = np.asarray(weight, dtype=dtype)
    loss = float(-np.dot(weight.astype(np.float64), logp[rows, target].astype(np.float64)))
    if not need_grads:
        return loss, None
    H = params["Wh"].shape[0]
    dlogits = np.exp(logp)
    dlogits[rows, target] -= 1.0
    dlogits *= weight[:, None]
    grads = {"Wo": h.T @ dlogits, "bo": dlogits.sum(axis=0)}
    dh = dlogits @ params["Wo"].T
    dc = np.zeros((n, H), dtype)
    dz_all = np.empty((steps, n, 4 * H), dtype)
    h_prev_all = np.empty((steps, n, H), dtype)
    WhT = params["Wh"].T
    for t in range(steps - 1, -1, -1):
        h_prev, c_prev, ifo, g, tc = cache[t]
        i, f, o = ifo[:, :H], ifo[:, H : 2 * H], ifo[:, 2 * H :]
        dc += dh * o * (1.0 - tc * tc)
        dz = dz_all[t]
        dz[:, :H] = dc * g
        dz[:, H : 2 * H] = dc * c_prev
        dz[:, 2 * H : 3 * H] = dh * tc
        dz[:, : 3 * H] *= ifo * (1.0 - ifo)
        dz[:, 3 * H :] = dc * i * (1.0 - g * g)
        h_prev_all[t] = h_prev
        dh = dz @ WhT
        dc *= f
    flat_dz = dz_all.reshape(steps * n, 4 * H)
    grads["Wh"] = h_prev_all.reshape(steps * n, H).T @ flat_dz
    grads["b"] = flat_dz.sum(axis=0)
    grads["Wx"] = _scatter_rows(hist.T.reshape(-1), flat_dz, params["Wx"].shape[0])
    return loss, grads


def _scatter_rows(index: np.ndarray, values: np.ndarray, n_rows: int) -> np.ndarray:
    """``out[k] = sum of values[index == k]`` (rows), through a sparse one-hot product."""
    import scipy.sparse as sp

    onehot = sp.csr_matrix(
        (np.ones(index.size, values.dtype), (index, np.arange(index.size))),
        shape=(n_rows, index.size),
    )
    return np.asarray(onehot @ values, dtype=values.dtype)


# -- input handling -----------------------------------------------------------------------
def _as_sequences(X: Any) -> tuple[np.ndarray, np.ndarray]:
    """Event ids of all windows back to back (int64) and their offsets (``n + 1``)."""
    values = getattr(X, "sequence_values", None)
    offsets = getattr(X, "sequence_offsets", None)
    if values is not None and offsets is not None:
        return _int_events(values, "the windows"), np.asarray(offsets, dtype=np.int64)
    if isinstance(X, np.ndarray) and X.ndim == 2:
        arr = _int_events(X, "the 2-D array")
        offsets = np.arange(arr.shape[0] + 1, dtype=np.int64) * arr.shape[1]
        return arr.reshape(-1), offsets
    if isinstance(X, str | bytes) or not isinstance(X, Iterable):
        raise ValueError(
            f"expected Windows or a list of 1-D integer arrays of event ids, got {type(X).__name__}"
        )
    parts = []
    for k, seq in enumerate(X):
        arr = np.asarray(seq)
        if arr.ndim != 1:
            if arr.ndim == 0 or arr.size:
                raise ValueError(
                    f"window {k} is not a 1-D sequence of event ids (shape {arr.shape})"
                )
            arr = arr.reshape(0)
        parts.append(_int_events(arr, f"window {k}"))
    lens = np.array([p.size for p in parts], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    values = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    return values.astype(np.int64, copy=False), offsets


def _int_events(arr: Any, what: str) -> np.ndarray:
    arr = np.asarray(arr)
    if arr.size == 0:
        return arr.astype(np.int64).reshape(arr.shape)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "O":
        try:
            as_int = arr.astype(np.int64)
        except (TypeError, ValueError, OverflowError):
            as_int = None
        if as_int is not None and all(
            isinstance(v, int | np.integer) and not isinstance(v, bool) for v in arr.ravel()
        ):
            return as_int
    raise ValueError(
        f"{what} holds {arr.dtype} values; event ids must be integers (e.g. template ids)"
    )


def _subset(values: np.ndarray, offsets: np.ndarray, idx: np.ndarray):
    """Values and offsets of windows ``idx`` only."""
    lens = np.diff(offsets)[idx]
    new_off = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    take = np.repeat(offsets[idx] - new_off[:-1], lens) + np.arange(int(new_off[-1]))
    return values[take], new_off


def _samples(codes_in: np.ndarray, codes_out: np.ndarray, offsets: np.ndarray, history: int):
    """One row per position of every non-empty window, plus its end.

    Returns the ``(n, history)`` left-padded input indices before each position, the
    output class at it (``END`` after the last event), and the window number and
    position of each row.
    """
    lens = np.diff(offsets)
    n_win = lens.size
    npos = np.where(lens > 0, lens + 1, 0)
    total = int(npos.sum())
    if total == 0:
        empty = np.zeros(0, np.int64)
        return np.zeros((0, history), np.int32), empty.astype(np.int32), empty, empty
    block = np.where(lens > 0, lens + history, 0)
    bstart = np.concatenate([[0], np.cumsum(block)[:-1]])
    buffer = np.full(int(block.sum()), PAD, np.int32)
    ev_win = np.repeat(np.arange(n_win), lens)
    j = np.arange(codes_in.size) - offsets[ev_win]
    buffer[bstart[ev_win] + history + j] = codes_in
    pwin = np.repeat(np.arange(n_win), npos)
    pos = np.arange(total) - np.repeat(np.cumsum(npos) - npos, npos)
    hist = np.lib.stride_tricks.sliding_window_view(buffer, history)[bstart[pwin] + pos]
    is_event = pos < lens[pwin]
    src = np.where(is_event, offsets[pwin] + pos, 0)
    target = np.where(is_event, codes_out[src] if codes_out.size else 0, END).astype(np.int32)
    return np.ascontiguousarray(hist), target, pwin, pos


def _unique_pairs(hist: np.ndarray, target: np.ndarray):
    """Distinct (history, target) rows: ``hist, target, inverse, counts``."""
    rows = np.ascontiguousarray(np.column_stack([hist, target]).astype(np.int32))
    if rows.shape[0] == 0:
        z = np.zeros(0, np.int64)
        return hist[:0], target[:0], z, z
    keyed = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, inverse, counts = np.unique(
        keyed, return_index=True, return_inverse=True, return_counts=True
    )
    uniq = rows[first]
    return uniq[:, :-1].copy(), uniq[:, -1].copy(), inverse.reshape(-1), counts


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _or_join(items: Sequence[str]) -> str:
    if not items:
        return "nothing"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


# -- the detector -------------------------------------------------------------------------
class SequenceModel(BaseDetector):
    """DeepLog-style detector: an LSTM predicts the next event, unexpected events are anomalies.

    For every position ``t`` of a window the model predicts the next event from the
    ``history`` events before it (left-padded at the start of the window) and ranks
    the event that came: ``r_t`` is its rank (0 = most probable) and ``p_t`` its
    probability. After the last event, "end of window" is the event to predict, so
    truncated windows are caught. The DeepLog rule flags a window when some ``r_t >= g``
    (the event is outside the top ``g`` predictions); an event never seen in training
    gets the worst rank (the number of classes) and is always flagged.

    Training deduplicates identical (history, next event) pairs and weights each
    pair's cross-entropy by its count: the loss is the one of training on every
    position, but logs repeat so much that there are often hundreds of times fewer
    pairs than positions. An epoch is one pass over the distinct pairs.

    Parameters
    ----------
    history : int, default 10
        Events before a position that the model sees.
    top_g : "auto" or int, default "auto"
        ``g`` of the DeepLog rule. ``"auto"`` calibrates it on the held-out
        validation windows: the smallest ``g`` such that at least
        ``threshold_quantile`` of them have every event within the top ``g``. As a
        floor, the same is required of the training windows: their ranks are
        optimistic (memorised) so they cannot set ``g`` alone, but a small validation
        split may miss a rare normal branch that training saw. At least ``min_g``.
    min_g : int, default 1
        Floor of the calibrated ``g``.
    min_probability : "auto" or float, default "auto"
        Probability floor added to the DeepLog rule: an event predicted with a lower
        probability counts as outside the top ``g`` (gets the worst rank) even when
        few events were more probable. Anomalies such as a repeated, swapped or
        skipped event are usually *near-plausible* (they occur in similar contexts),
        so they often rank 2nd or 3rd with a tiny probability, inside the top ``g``
        that the branch points of normal windows require. ``"auto"`` takes half the
        smallest probability of a true event that ``threshold_quantile`` of the
        windows keep (held-out and training windows, as for ``g``); ``0`` gives the
        plain DeepLog rule.
    hidden : int, default 64
        LSTM width.
    epochs : int, default 100
        Most passes over the distinct training pairs.
    batch_size : int, default 64
        Distinct pairs per Adam step.
    learning_rate : float, default 1e-2
        Adam step size (``betas=(0.9, 0.999)``, ``eps=1e-8``, bias-corrected).
    validation : float, default 0.1
        Fraction of training windows (whole windows, not positions) held out for
        early stopping and for calibrating ``g``; ``0`` uses the training windows.
    patience : int, default 8
        Epochs without improvement of the monitored loss before training stops; the
        weights of the best epoch are kept.
    threshold_quantile : float, default 0.995
        Fraction of held-out (and of training) windows that ``top_g="auto"`` and
        ``min_probability="auto"`` each keep normal.
    backend : {"auto", "mlx", "numpy"}, default "auto"
        Training backend. ``"auto"`` uses MLX on a Metal GPU, and on a CUDA GPU for
        batches of at least 256 windows (smaller ones trained no faster than numpy
        there); numpy on CPU, where it measured 3-4x faster than MLX's CPU build for
        this model; and numpy with a one-time warning when MLX cannot be imported.
        Scoring always runs in numpy.
    random_state : int, default 0
        Seed of initialisation, validation split and shuffling: the same seed and
        backend give the same scores.
    progress : bool, default False
        Show a tqdm progress bar over epochs.

    Attributes
    ----------
    vocabulary_ : numpy.ndarray
        Sorted int64 event ids seen in training; event ``vocabulary_[j]`` is output
        class ``1 + j`` (class 0 is "end of window").
    params_ : dict of numpy.ndarray
        float32 network parameters (see the module docstring).
    top_g_ : int
        ``g`` of the DeepLog rule.
    threshold_ : float
        ``float(top_g_)``: :meth:`predict` flags scores ``>= threshold_``.
    min_probability_ : float
        Probability below which an event counts as outside the top ``g``.
    center_ : float
        Median score of the calibration windows (for :meth:`confidence`).
    backend_ : str
        Backend used for training.
    n_pairs_, n_positions_ : int
        Distinct training pairs and the positions they came from.
    loss_curve_, validation_curve_ : list of float
        Mean cross-entropy per position per epoch (validation empty without a split).
    n_epochs_ : int
        Epochs run.
    fit_seconds_ : float
        Wall time of training.

    Examples
    --------
    >>> sessions = [[5, 1, 2, 2, 3], [5, 1, 2, 3], [-1, 7, 3]] * 40
    >>> det = SequenceModel(history=3, hidden=16, backend="numpy").fit(sessions)
    >>> det.predict([[5, 1, 2, 3], [5, 2, 1, 3], [5, 1, 2], [-1, 7, 4]]).tolist()
    [0, 1, 1, 1]
    >>> det.describe([[5, 2, 1, 3]], rows=[0])[0]
    'window 0: event 2 at position 1 was not expected after [5]: ranked ...
    """

    _fitted_attrs: ClassVar[tuple[str, ...]] = ("params_", "vocabulary_", "threshold_")

    def __init__(
        self,
        *,
        history: int = 10,
        top_g: int | Literal["auto"] = "auto",
        min_g: int = 1,
        min_probability: float | Literal["auto"] = "auto",
        hidden: int = 64,
        epochs: int = 100,
        batch_size: int = 64,
        learning_rate: float = 1e-2,
        validation: float = 0.1,
        patience: int = 8,
        threshold_quantile: float = 0.995,
        backend: Backend = "auto",
        random_state: int = 0,
        progress: bool = False,
    ) -> None:
        self.history = history
        self.top_g = top_g
        self.min_g = min_g
        self.min_probability = min_probability
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation = validation
        self.patience = patience
        self.threshold_quantile = threshold_quantile
        self.backend = backend
        self.random_state = random_state
        self.progress = progress

    # -- fitting ------------------------------------------------------------------------
    def _validate_params(self) -> None:
        self._check_positive_ints("history", "hidden", "epochs", "batch_size", "patience", "min_g")
        if self.top_g != "auto":
            self._check_positive_ints("top_g")
        if self.min_probability != "auto" and not (
            isinstance(self.min_probability, float | int | np.floating | np.integer)
            and 0.0 <= float(self.min_probability) < 1.0
        ):
            raise ValueError(
                f"min_probability must be 'auto' or a float in [0, 1), got {self.min_probability!r}"
            )
        self._check_training()
        self._check_threshold_quantile(allow_zero=False)

    def fit(self, X: Windows | np.ndarray | Iterable[np.ndarray], y: Any = None) -> SequenceModel:
        """Learn the vocabulary, train the LSTM and calibrate ``g``.

        Parameters
        ----------
        X : Windows or list of 1-D integer arrays
            Training windows (mostly normal): :class:`~llamalog.features.windows.Windows`
            (their ``sequences``), a list of event-id arrays (any integers, negative
            ones included) or a 2-D integer array of equal-length windows.
        y : ignored
            Present for scikit-learn compatibility.

        Returns
        -------
        SequenceModel
            ``self``, fitted.

        Raises
        ------
        ValueError
            For bad parameters, non-integer event ids or windows without any event.
        """
        self._validate_params()
        values, offsets = _as_sequences(X)
        lens = np.diff(offsets)
        nonempty = np.flatnonzero(lens > 0)
        if nonempty.size == 0:
            raise ValueError("fit needs at least one window with events; got none")
        backend = resolve_backend(
            self.backend,
            what="SequenceModel training",
            cuda_ok=int(self.batch_size) >= _CUDA_MIN_BATCH,
        )
        self.vocabulary_ = np.unique(values)

        rng = np.random.default_rng(self.random_state)
        order = rng.permutation(nonempty)
        n_val = round(nonempty.size * float(self.validation))
        n_val = min(n_val, nonempty.size - 1)
        val_win, train_win = np.sort(order[:n_val]), np.sort(order[n_val:])

        train = self._pairs(*_subset(values, offsets, train_win))
        val = self._pairs(*_subset(values, offsets, val_win)) if n_val else None
        self.n_pairs_ = int(train[0].shape[0])
        self.n_positions_ = int(train[2].sum())
        n_in, n_out = self.vocabulary_.size + _IN0, self.vocabulary_.size + _OUT0
        params = init_params(n_in, n_out, int(self.hidden), rng)
        trainer = _train_mlx if backend == "mlx" else _train_numpy
        start = time.perf_counter()
        with one_blas_thread():
            best, losses, val_losses = trainer(params, train, val, self._options(), rng)
        self.fit_seconds_ = time.perf_counter() - start
        self.backend_ = backend
        self.params_ = {k: np.ascontiguousarray(best[k], dtype=np.float32) for k in PARAMS}
        self.loss_curve_ = losses
        self.validation_curve_ = val_losses
        self.n_epochs_ = len(losses)

        q = float(self.threshold_quantile)
        held_out = self._calibration_stats(values, offsets, val_win if n_val else train_win, q)
        seen = self._calibration_stats(values, offsets, train_win, q) if n_val else held_out
        if self.top_g == "auto":
            g = max(held_out[0], seen[0], int(self.min_g))
        else:
            g = int(self.top_g)
        self.top_g_ = int(min(g, n_out))
        self.threshold_ = float(self.top_g_)
        if self.min_probability == "auto":
            self.min_probability_ = 0.5 * min(held_out[1], seen[1])
        else:
            self.min_probability_ = float(self.min_probability)
        res = held_out[2]
        scores = np.zeros(int(res["window"].max()) + 1 if res["window"].size else 0)
        np.maximum.at(scores, res["window"], self._position_scores(res["rank"], res["p"]))
        self.center_ = float(np.median(scores)) if scores.size else 0.0
        return self

    def _calibration_stats(
        self, values: np.ndarray, offsets: np.ndarray, windows: np.ndarray, q: float
    ) -> tuple[int, float, dict]:
        """``g`` and smallest probability that keep a fraction ``q`` of ``windows`` normal.

        The smallest ``g`` such that at least ``q`` of the windows have every rank below
        it, and the largest probability that at least ``q`` of them have every
        probability at or above; with the positions analysed.
        """
        res = self._positions(*_subset(values, offsets, windows))
        n = windows.size
        max_rank = np.full(n, -1, np.int64)
        min_p = np.ones(n)
        np.maximum.at(max_rank, res["window"], res["rank"])
        np.minimum.at(min_p, res["window"], res["p"])
        allowed = n - math.ceil(q * n - 1e-9)
        g = int(np.sort(max_rank)[n - 1 - allowed]) + 1
        return g, float(np.sort(min_p)[allowed]), res

    def _options(self) -> dict[str, Any]:
        return {
            "epochs": int(self.epochs),
            "batch_size": int(self.batch_size),
            "learning_rate": float(self.learning_rate),
            "patience": int(self.patience),
            "seed": int(self.random_state),
            "progress": bool(self.progress),
        }

    def _encode(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Input indices and output classes of event ids (unseen ones marked)."""
        vocab = self.vocabulary_
        idx = np.searchsorted(vocab, values)
        found = idx < vocab.size
        found[found] = vocab[idx[found]] == values[found]
        codes_in = np.where(found, idx + _IN0, UNSEEN_INPUT).astype(np.int32)
        codes_out = np.where(found, idx + _OUT0, UNSEEN_TARGET).astype(np.int32)
        return codes_in, codes_out

    def _pairs(self, values: np.ndarray, offsets: np.ndarray):
        """Distinct training pairs ``(hist, target, counts)``."""
        codes_in, codes_out = self._encode(values)
        hist, target, _, _ = _samples(codes_in, codes_out, offsets, int(self.history))
        hist, target, _, counts = _unique_pairs(hist, target)
        return hist, target, counts.astype(np.float64)

    # -- scoring ------------------------------------------------------------------------
    def _positions(self, values: np.ndarray, offsets: np.ndarray, top: int = 0) -> dict:
        """Rank, probability (and top predictions) of every position of every window."""
        codes_in, codes_out = self._encode(values)
        hist, target, win, pos = _samples(codes_in, codes_out, offsets, int(self.history))
        u_hist, u_target, inverse, _ = _unique_pairs(hist, target)
        n_out = self.vocabulary_.size + _OUT0
        ranks = np.empty(u_target.size, np.int64)
        probs = np.empty(u_target.size, np.float64)
        k = min(int(top), n_out)
        tops = np.empty((u_target.size, k), np.int64)
        with one_blas_thread():
            self._rank_chunks(u_hist, u_target, ranks, probs, tops, k, n_out)
        return {
            "window": win,
            "position": pos,
            "rank": ranks[inverse],
            "p": probs[inverse],
            "target": target,
            "hist": hist,
            "top": tops[inverse] if k else None,
        }

    def _rank_chunks(self, u_hist, u_target, ranks, probs, tops, k, n_out) -> None:
        """Fill ``ranks``/``probs``/``tops`` chunk by chunk, on every core: numpy releases
        the GIL, and each thread's products run on one BLAS thread."""

        def chunk(lo: int) -> None:
            self._rank_chunk(lo, u_hist, u_target, ranks, probs, tops, k, n_out)

        _on_cores(chunk, range(0, u_target.size, _CHUNK))

    def _rank_chunk(self, lo, u_hist, u_target, ranks, probs, tops, k, n_out) -> None:
        """Ranks, probabilities (and top predictions) of one chunk of distinct pairs."""
        sl = slice(lo, lo + _CHUNK)
        logits = forward(u_hist[sl], self.params_)
        tgt = u_target[sl]
        seen = tgt >= 0
        rows = np.arange(tgt.size)
        own = logits[rows, np.maximum(tgt, 0)]
        r = (logits > own[:, None]).sum(axis=1)
        logp = _log_softmax(logits.astype(np.float64))
        p = np.exp(logp[rows, np.maximum(tgt, 0)])
        ranks[sl] = np.where(seen, r, n_out)
        probs[sl] = np.where(seen, p, 0.0)
        if k:
            tops[sl] = np.argsort(-logits, axis=1, kind="stable")[:, :k]

    def _effective_ranks(self, rank: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Ranks, with events below ``min_probability_`` moved to the worst rank."""
        worst = self.vocabulary_.size + _OUT0
        return np.where(p < self.min_probability_, np.maximum(rank, worst), rank)

    def _position_scores(self, rank: np.ndarray, p: np.ndarray) -> np.ndarray:
        return self._effective_ranks(rank, p) + 1.0 - np.maximum(p, _P_FLOOR)

    def _window_scores(self, values: np.ndarray, offsets: np.ndarray):
        """Score and largest effective rank of each window (0 and -1 for empty windows)."""
        n = offsets.size - 1
        res = self._positions(values, offsets)
        scores = np.zeros(n)
        max_rank = np.full(n, -1, np.int64)
        if res["window"].size:
            s = self._position_scores(res["rank"], res["p"])
            np.maximum.at(scores, res["window"], s)
            np.maximum.at(max_rank, res["window"], self._effective_ranks(res["rank"], res["p"]))
        return scores, max_rank

    def _prepare(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        return _as_sequences(X)

    def decision_function(self, X: Windows | np.ndarray | Iterable[np.ndarray]) -> np.ndarray:
        """Anomaly score per window: ``max_t (r_t + 1 - p_t)`` (higher = odder).

        ``r_t`` is the rank of the event at position ``t`` among the predictions
        (0 = most probable; the end of the window counts as a position) and ``p_t``
        its probability, so the score lies in ``(r, r + 1]`` for the worst rank ``r``
        and ``score >= g`` exactly when some event is outside the top ``g``
        (:meth:`predict`). Empty windows score 0.

        Parameters
        ----------
        X : Windows or list of 1-D integer arrays
            Windows to score.

        Returns
        -------
        numpy.ndarray
            float64 scores, one per window.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        return self._window_scores(*self._prepare(X))[0]

    def predict(self, X: Windows | np.ndarray | Iterable[np.ndarray]) -> np.ndarray:
        """DeepLog rule: 1 for windows with some event outside the top ``g``, else 0 (int8)."""
        return self._scores_and_flags(X)[1].astype(np.int8)

    def _scores_and_flags(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        scores, max_rank = self._window_scores(*self._prepare(X))
        return scores, max_rank >= self.top_g_

    def explain(self, X: Windows | np.ndarray | Iterable[np.ndarray], top: int = 3) -> pd.DataFrame:
        """The least expected position of each window, with what the model expected.

        Parameters
        ----------
        X : Windows or list of 1-D integer arrays
            Windows to explain.
        top : int, default 3
            Predictions to list per window.

        Returns
        -------
        pandas.DataFrame
            One row per window: ``window`` (its number), ``key`` (for Windows),
            ``position`` (of the worst event, ``len(window)`` for its end; NA when
            empty), ``event`` (the actual event id; NA at the end of the window),
            ``end`` (the worst position is the end), ``unseen`` (the event was never
            seen in training), ``rank`` (0-based; the number of classes for unseen
            events), ``probability``, ``score``, ``anomaly`` (DeepLog rule),
            ``history`` (up to ``history`` events before it) and ``expected`` (the
            ``top`` most probable next events; ``None`` stands for the end).
        """
        values, offsets = self._prepare(X)
        n = offsets.size - 1
        res = self._positions(values, offsets, top=max(int(top), 0))
        scores = self._position_scores(res["rank"], res["p"])
        order = np.lexsort((res["position"], -scores, res["window"]))
        win_sorted = res["window"][order]
        first = np.ones(win_sorted.size, bool)
        first[1:] = win_sorted[1:] != win_sorted[:-1]
        worst = order[first]
        wins = res["window"][worst]

        position = pd.array([pd.NA] * n, dtype="Int64")
        event = pd.array([pd.NA] * n, dtype="Int64")
        rank = pd.array([pd.NA] * n, dtype="Int64")
        prob = np.full(n, np.nan)
        score = np.zeros(n)
        end = np.zeros(n, bool)
        unseen = np.zeros(n, bool)
        hist_col: list[list[int]] = [[] for _ in range(n)]
        expected: list[list[int | None]] = [[] for _ in range(n)]
        lens = np.diff(offsets)
        for w, i in zip(wins.tolist(), worst.tolist(), strict=True):
            pos = int(res["position"][i])
            position[w] = pos
            is_end = pos >= lens[w]
            end[w] = is_end
            if not is_end:
                event[w] = int(values[offsets[w] + pos])
                unseen[w] = res["target"][i] < 0
            rank[w] = int(res["rank"][i])
            prob[w] = float(res["p"][i])
            score[w] = float(scores[i])
            lo = max(0, pos - int(self.history))
            hist_col[w] = values[offsets[w] + lo : offsets[w] + pos].tolist()
            if res["top"] is not None:
                expected[w] = [self._class_event(c) for c in res["top"][i].tolist()]
        frame = pd.DataFrame({"window": np.arange(n)})
        keys = getattr(X, "index", None)
        if isinstance(keys, pd.DataFrame) and "key" in keys.columns and len(keys) == n:
            frame["key"] = keys["key"].to_numpy()
        frame["position"] = position
        frame["event"] = event
        frame["end"] = end
        frame["unseen"] = unseen
        frame["rank"] = rank
        frame["probability"] = prob
        frame["score"] = score
        frame["anomaly"] = score >= self.threshold_
        frame["history"] = hist_col
        frame["expected"] = expected
        return frame

    def _class_event(self, c: int) -> int | None:
        return None if c == END else int(self.vocabulary_[c - _OUT0])

    def describe(
        self,
        X: Windows | np.ndarray | Iterable[np.ndarray],
        rows: int | Iterable[int],
        templates: Mapping[int, str] | pd.Series | pd.DataFrame | None = None,
        *,
        top: int = 3,
        context: int = 3,
    ) -> list[str]:
        """One sentence per window of ``rows`` saying which event was unexpected.

        Parameters
        ----------
        X : Windows or list of 1-D integer arrays
            The windows.
        rows : int or iterable of int
            Window numbers to describe.
        templates : mapping, pandas.Series or DataFrame, optional
            Template text per event id (a DataFrame needs ``template_id`` and
            ``template`` columns), shown instead of bare ids.
        top : int, default 3
            Expected events to name.
        context : int, default 3
            Events before the unexpected one to quote.

        Returns
        -------
        list of str
            E.g. ``"window 4: event 7 at position 12 was not expected after [3, 4, 4]:
            ranked 15th (p=0.001); expected 5, 9 or 2"``.
        """
        if isinstance(rows, int | np.integer):
            rows = [int(rows)]
        values, offsets = _as_sequences(X)
        n = offsets.size - 1
        for w in rows:
            if not 0 <= int(w) < n:
                raise IndexError(f"window {int(w)} out of range for {n} windows")
        # explain only the windows asked for (a few flagged ones among many, usually)
        picked = [values[offsets[int(w)] : offsets[int(w) + 1]] for w in rows]
        table = self.explain(picked, top=top)
        names = template_texts(templates)

        def name(e: int | None) -> str:
            if e is None:
                return "the end of the window"
            text = names.get(int(e)) if names is not None else None
            return f'"{text}"' if text is not None else str(int(e))

        out = []
        for k, w in enumerate(rows):
            w = int(w)
            row = table.iloc[k]
            if row["position"] is pd.NA:
                out.append(f"window {w} is empty")
                continue
            pos, rank, p = int(row["position"]), int(row["rank"]), float(row["probability"])
            before = row["history"][-int(context) :] if context > 0 else []
            after = "[" + ", ".join(name(e) for e in before) + "]" if before else "the start"
            exp = _or_join([name(e) for e in row["expected"]])
            if row["end"]:
                what = f"the end of the window at position {pos}"
            else:
                what = f"event {name(row['event'])} at position {pos}"
            if row["unseen"]:
                text = f"{what} was never seen in training (after {after}); expected {exp}"
            elif row["anomaly"]:
                text = (
                    f"{what} was not expected after {after}: ranked {_ordinal(rank + 1)} "
                    f"(p={p:.3g}); expected {exp}"
                )
            else:
                text = (
                    f"looks normal, every event within the top {self.top_g_}; least expected: "
                    f"{what} after {after}, ranked {_ordinal(rank + 1)} (p={p:.3g})"
                )
            out.append(f"window {w}: {text}")
        return out

    # -- persistence --------------------------------------------------------------------
    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        state = {
            "backend_": self.backend_,
            "top_g_": self.top_g_,
            "min_probability_": self.min_probability_,
            "threshold_": self.threshold_,
            "center_": self.center_,
            "n_pairs_": self.n_pairs_,
            "n_positions_": self.n_positions_,
            "loss_curve_": self.loss_curve_,
            "validation_curve_": self.validation_curve_,
            "n_epochs_": self.n_epochs_,
            "fit_seconds_": self.fit_seconds_,
        }
        arrays = {k: self.params_[k] for k in PARAMS}
        arrays["vocabulary"] = self.vocabulary_
        return state, arrays

    def _set_state(self, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        if "vocabulary" not in arrays:
            raise StateError("vocabulary", "is missing from the weights")
        vocab = state_ids("vocabulary", arrays["vocabulary"])
        if vocab.ndim != 1 or (vocab.size > 1 and not (np.diff(vocab) > 0).all()):
            raise StateError("vocabulary", "must be sorted template ids")
        hidden = self.hidden
        if isinstance(hidden, bool) or not isinstance(hidden, int) or hidden < 1:
            raise StateError("hidden", f"must be a positive int, got {hidden!r}")
        n_in, n_out = vocab.size + _IN0, vocab.size + _OUT0
        shapes = {
            "Wx": (n_in, 4 * hidden),
            "Wh": (hidden, 4 * hidden),
            "b": (4 * hidden,),
            "Wo": (hidden, n_out),
            "bo": (n_out,),
        }
        self.params_ = {
            k: np.ascontiguousarray(
                state_array(arrays, k, ndim=len(shapes[k]), shape=shapes[k]), dtype=np.float32
            )
            for k in PARAMS
        }
        self.vocabulary_ = vocab
        self.backend_ = state.get("backend_")
        if self.backend_ not in ("mlx", "numpy"):
            raise StateError("backend_", f"must be 'mlx' or 'numpy', got {self.backend_!r}")
        self.top_g_ = int(state_number(state, "top_g_", integer=True, lo=1, hi=n_out))
        self.min_probability_ = float(state_number(state, "min_probability_", 0.0, lo=0, hi=1))
        self.threshold_ = float(state_number(state, "threshold_"))
        self.center_ = float(state_number(state, "center_", 0.0))
        self.n_pairs_ = int(state_number(state, "n_pairs_", 0, integer=True, lo=0))
        self.n_positions_ = int(state_number(state, "n_positions_", 0, integer=True, lo=0))
        self.loss_curve_ = list(state.get("loss_curve_", []))
        self.validation_curve_ = list(state.get("validation_curve_", []))
        self.n_epochs_ = int(state.get("n_epochs_", len(self.loss_curve_)))
        self.fit_seconds_ = float(state.get("fit_seconds_", math.nan))


# -- training -----------------------------------------------------------------------------
def _normalised(counts: np.ndarray) -> np.ndarray:
    """Count weights scaled to mean 1: a batch's mean weighted loss estimates the full one."""
    return counts / counts.mean()


def _train_numpy(params, train, val, opt, rng):
    """Adam on the numpy BPTT gradients; return the best parameters and loss curves."""
    hist, target, counts = train
    weight = _normalised(counts)
    params = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v2 = {k: np.zeros_like(v) for k, v in params.items()}
    lr, b1, b2, eps = opt["learning_rate"], 0.9, 0.999, 1e-8
    bs = opt["batch_size"]
    step = 0
    stopper = EarlyStopping(opt["patience"])
    losses: list[float] = []
    val_losses: list[float] = []
    for _ in (bar := epochs(opt["epochs"], opt["progress"], "SequenceModel")):
        total, seen = 0.0, 0
        for batch in _epoch_batches(target.size, bs, rng):
            loss, grads = loss_and_grads(
                hist[batch], target[batch], weight[batch] / batch.size, params
            )
            total += loss * batch.size
            seen += batch.size
            step += 1
            c1, c2 = 1.0 - b1**step, 1.0 - b2**step
            for k in PARAMS:
                gr = grads[k]
                m[k] *= b1
                m[k] += (1.0 - b1) * gr
                v2[k] *= b2
                v2[k] += (1.0 - b2) * gr * gr
                params[k] -= (lr / c1) * m[k] / (np.sqrt(v2[k] / c2) + eps)
        losses.append(total / seen)
        if val is not None:
            val_losses.append(_eval_loss(val, params))
        monitored = val_losses[-1] if val is not None else losses[-1]
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{losses[-1]:.4g}", val=f"{monitored:.4g}")
        if stopper.update(monitored, lambda: {k: p.copy() for k, p in params.items()}):
            break
    if hasattr(bar, "close"):
        bar.close()
    return stopper.best_state, losses, val_losses


def _eval_loss(pairs, params) -> float:
    """Mean cross-entropy per position of deduplicated ``pairs`` (numpy forward)."""
    hist, target, counts = pairs
    w = counts / counts.sum()

    def chunk(lo: int) -> float:
        sl = slice(lo, lo + _CHUNK)
        return loss_and_grads(hist[sl], target[sl], w[sl], params, need_grads=False)[0]

    with one_blas_thread():
        return float(sum(_on_cores(chunk, range(0, target.size, _CHUNK))))


def _on_cores(fn, starts: range) -> list:
    """``fn(start)`` for each of ``starts``, on every core, results in order.

    numpy releases the GIL in its kernels, so threads share the work; callers keep each
    thread's matrix products on one BLAS thread (``one_blas_thread``).
    """
    workers = min(len(starts), os.cpu_count() or 1)
    if workers < 2:
        return [fn(lo) for lo in starts]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, starts))


def _epoch_batches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled mini-batches of ``range(n)`` for one epoch.

    One pass over the pairs, bounded to between :data:`_MIN_STEPS` batches (drawn
    from consecutive permutations when the pairs are few) and :data:`_MAX_STEPS`
    (a random share of the pairs when they are many, a new share every epoch), so
    an epoch costs about the same whatever the corpus and early stopping looks at
    the validation loss often enough.
    """
    bs = min(batch_size, n)
    full = math.ceil(n / bs)
    steps = min(max(full, _MIN_STEPS), _MAX_STEPS)
    if steps == full:
        order = rng.permutation(n)
        return [np.sort(order[lo : lo + bs]) for lo in range(0, n, bs)]
    reps = math.ceil(steps * bs / n)
    order = np.concatenate([rng.permutation(n) for _ in range(reps)])
    return [np.sort(order[k * bs : (k + 1) * bs]) for k in range(steps)]


def _mlx_logits(mx: Any, p: Any, x: Any) -> Any:
    """MLX twin of :func:`forward`: logits for input indices ``x`` (``p[name]`` are mx arrays)."""
    H = p["Wh"].shape[0]
    table = p["Wx"] + p["b"]
    h = mx.zeros((x.shape[0], H))
    c = mx.zeros((x.shape[0], H))
    for t in range(x.shape[1]):
        z = table[x[:, t]] + h @ p["Wh"]
        ifo = mx.sigmoid(z[:, : 3 * H])
        g = mx.tanh(z[:, 3 * H :])
        c = ifo[:, H : 2 * H] * c + ifo[:, :H] * g
        h = ifo[:, 2 * H :] * mx.tanh(c)
    return h @ p["Wo"] + p["bo"]


def _train_mlx(params, train, val, opt, rng):
    """Adam with ``mlx.optimizers`` and a compiled step; return the best parameters and curves."""
    mx = load_mlx()
    nn = import_optional("mlx.nn", extra="mlx")
    optim = import_optional("mlx.optimizers", extra="mlx")
    from functools import partial

    mx.random.seed(opt["seed"])
    hist, target, counts = train
    weight = _normalised(counts).astype(np.float32)

    class _Net(nn.Module):
        def __init__(self, init: dict[str, np.ndarray]) -> None:
            super().__init__()
            for k in PARAMS:
                setattr(self, k, mx.array(init[k]))

        def __call__(self, x):
            return _mlx_logits(mx, self, x)

    model = _Net(params)
    mx.eval(model.parameters())
    optimizer = optim.Adam(learning_rate=opt["learning_rate"], bias_correction=True)

    def loss_fn(net, x, y, w):
        logits = net(x)
        own = mx.take_along_axis(logits, y[:, None], axis=1)[:, 0]
        ce = mx.logsumexp(logits, axis=1) - own
        return mx.sum(w * ce)

    loss_and_grad = nn.value_and_grad(model, loss_fn)
    state = [model.state, optimizer.state]

    @partial(mx.compile, inputs=state, outputs=state)
    def train_step(x, y, w):
        loss, grads = loss_and_grad(model, x, y, w)
        optimizer.update(model, grads)
        return loss

    def snapshot():
        return {k: np.array(getattr(model, k)) for k in PARAMS}

    bs = min(opt["batch_size"], target.size)
    x_all = mx.array(hist)
    y_all = mx.array(target.astype(np.int32))
    w_all = mx.array(weight)
    if val is not None:
        v_hist, v_target, v_counts = val
        val_x = mx.array(v_hist)
        val_y = mx.array(v_target.astype(np.int32))
        val_w = mx.array((v_counts / v_counts.sum()).astype(np.float32))
        eval_loss = mx.compile(lambda x, y, w: loss_fn(model, x, y, w), inputs=model.state)
    stopper = EarlyStopping(opt["patience"])
    losses: list[float] = []
    val_losses: list[float] = []
    for _ in (bar := epochs(opt["epochs"], opt["progress"], "SequenceModel")):
        parts, seen = [], 0
        for batch in _epoch_batches(target.size, bs, rng):
            n = batch.size
            scale = np.full(bs, 1.0 / n, np.float32)
            if n < bs:  # pad to a fixed shape (no recompiling) with zero-weight rows
                scale[n:] = 0.0
                batch = np.concatenate([batch, np.zeros(bs - n, batch.dtype)])
            idx = mx.array(batch.astype(np.int32))
            loss = train_step(x_all[idx], y_all[idx], w_all[idx] * mx.array(scale))
            mx.eval(state, loss)
            parts.append(loss * n)
            seen += n
        losses.append(float(mx.sum(mx.stack(parts)).item()) / seen)
        if val is not None:
            val_losses.append(float(eval_loss(val_x, val_y, val_w).item()))
        monitored = val_losses[-1] if val is not None else losses[-1]
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{losses[-1]:.4g}", val=f"{monitored:.4g}")
        if stopper.update(monitored, snapshot):
            break
    if hasattr(bar, "close"):
        bar.close()
    return stopper.best_state, losses, val_losses
