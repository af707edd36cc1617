"""Shared plumbing for detectors: parameters, fitted checks, input conversion, persistence.

Detectors follow the scikit-learn contract (see ``STYLE.md``): ``__init__`` only
stores keyword-only parameters, ``fit`` returns ``self``, learned state ends with
``_`` and use before ``fit`` raises :class:`~llamalog.errors.NotFittedError`.
A saved detector is a folder holding ``params.json`` (format, version, class,
init parameters, learned scalars and small arrays) and ``weights.npz`` (numpy
arrays, read back with ``allow_pickle=False``). Nothing is ever pickled.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import NotFittedError

if TYPE_CHECKING:
    from ..features.windows import Windows

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "BaseDetector",
    "as_matrix",
    "confidence",
    "quote",
    "template_texts",
]

#: Value of ``"format"`` in every saved ``params.json``.
FORMAT = "llamalog-detector"
#: Version of the saved layout; :meth:`BaseDetector.load` refuses newer ones.
FORMAT_VERSION = 1

Matrix = sp.csr_matrix | np.ndarray


def as_matrix(X: Windows | sp.spmatrix | sp.sparray | np.ndarray) -> tuple[Matrix, Any]:
    """Turn detector input into a float matrix and its vocabulary.

    Parameters
    ----------
    X : Windows, scipy sparse matrix or array-like
        Windows (their ``counts`` are used), a sparse windows × events matrix
        or a dense 2-D array.

    Returns
    -------
    matrix : scipy.sparse.csr_matrix or numpy.ndarray
        float64 CSR matrix for sparse input, float64 C-contiguous array otherwise.
    vocabulary : numpy.ndarray or None
        ``X.vocabulary`` for :class:`~llamalog.features.windows.Windows`, else ``None``.

    Raises
    ------
    ValueError
        When ``X`` is not two-dimensional or holds non-finite values.
    """
    vocabulary = getattr(X, "vocabulary", None)
    counts = getattr(X, "counts", None)
    if counts is not None and vocabulary is not None:
        X = counts
        vocabulary = np.asarray(vocabulary)
    else:
        vocabulary = None
    if sp.issparse(X):
        out: Matrix = sp.csr_matrix(X, dtype=np.float64)
        values = out.data
    else:
        out = np.ascontiguousarray(X, dtype=np.float64)
        values = out
    if out.ndim != 2:
        raise ValueError(
            f"expected a 2-D windows × events matrix, got an array of shape {out.shape}; "
            "pass Windows, a scipy sparse matrix or a 2-D numpy array"
        )
    if not np.isfinite(values).all():
        raise ValueError("the input holds NaN or infinite values; counts must be finite")
    return out, vocabulary


def template_texts(templates: Any) -> dict[int, str] | None:
    """Template text by id for ``describe``: from a mapping, a Series indexed by id, or
    a frame with ``template_id`` and ``template`` columns (``miner.templates_`` reset,
    or a parsed frame itself); ``None`` stays ``None``.

    >>> template_texts(pd.DataFrame({"template_id": [3, 3], "template": ["up <*>", "up <*>"]}))
    {3: 'up <*>'}
    """
    if templates is None:
        return None
    if isinstance(templates, pd.DataFrame):
        if not {"template_id", "template"} <= set(templates.columns):
            raise ValueError("templates as a frame needs columns 'template_id' and 'template'")
        pairs = templates[["template_id", "template"]].drop_duplicates("template_id")
        ids, texts = pairs["template_id"], pairs["template"]
    elif isinstance(templates, pd.Series):
        ids, texts = templates.index, templates.to_numpy()
    else:
        items = dict(templates)
        ids, texts = list(items), list(items.values())
    return {int(k): str(v) for k, v in zip(ids, texts, strict=True) if pd.notna(k)}


def quote(text: str, limit: int = 60) -> str:
    """``text`` on one line in double quotes, cut to ``limit`` characters with "…".

    >>> quote("disk   full on /dev/sda", limit=12)
    '"disk full o…"'
    """
    text = " ".join(str(text).split())
    return f'"{text if len(text) <= limit else text[: limit - 1] + "…"}"'


def confidence(scores: np.ndarray, threshold: float, center: float) -> np.ndarray:
    """Map anomaly scores to a confidence in [0, 1] from the training score scale.

    ``center`` is the median training score and ``threshold`` the calibrated cut.
    Confidence is ``1 - 2 ** -(max(score - center, 0) / (threshold - center))``: 0 for
    scores at or below a typical training window, 0.5 exactly at the threshold (a
    coin flip), 0.75 at twice the threshold's distance from the median, 0.875 at
    three times, tending to 1. A zero spread (all training scores equal) gives 1 to
    any score above it and 0 otherwise.

    >>> confidence(np.array([0.0, 1.0, 2.0, 3.0, 5.0]), threshold=2.0, center=1.0).tolist()
    [0.0, 0.0, 0.5, 0.75, 0.9375]
    """
    scores = np.asarray(scores, dtype=np.float64)
    spread = float(threshold) - float(center)
    excess = np.maximum(scores - float(center), 0.0)
    if not spread > 0:
        return (excess > 0).astype(np.float64)
    return 1.0 - np.exp2(-excess / spread)


class BaseDetector:
    """Base class of llamalog detectors: parameters, fitted checks and save/load helpers.

    Subclasses list their keyword-only ``__init__`` parameters (stored verbatim
    as attributes), name the attributes that mark them fitted in
    ``_fitted_attrs``, and implement :meth:`_state` / :meth:`_set_state` for
    persistence.
    """

    #: Attributes that exist once ``fit`` has run.
    _fitted_attrs: ClassVar[tuple[str, ...]] = ()

    # -- parameters -------------------------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [
            p.name for p in sig.parameters.values() if p.name != "self" and p.kind is p.KEYWORD_ONLY
        ]

    def get_params(self) -> dict[str, Any]:
        """Init parameters as a dict (scikit-learn style)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- fitted state -----------------------------------------------------------------
    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` has run (all ``_fitted_attrs`` are set)."""
        return all(hasattr(self, a) for a in self._fitted_attrs)

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X) first "
                f"or load a saved one with {type(self).__name__}.load(path)"
            )

    def _scores_and_flags(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """``decision_function(X)`` and ``predict(X)`` (as bool). Detectors whose
        ``predict`` scores ``X`` again override this to score it once."""
        scores = np.asarray(self.decision_function(X), dtype=np.float64)
        return scores, np.asarray(self.predict(X), dtype=bool)

    # -- calibration ------------------------------------------------------------------
    def _check_threshold_quantile(self, *, allow_zero: bool = True) -> None:
        """Raise a clear ValueError unless ``threshold_quantile`` is a number in [0, 1]."""
        q = self.threshold_quantile
        number = isinstance(q, int | float) and not isinstance(q, bool)
        if not (number and (q >= 0 if allow_zero else q > 0) and q <= 1):
            span = "[0, 1]" if allow_zero else "(0, 1]"
            raise ValueError(f"threshold_quantile must be in {span}, got {q!r}")

    def _check_positive_ints(self, *names: str) -> None:
        """Raise a clear ValueError unless each named parameter is an int >= 1."""
        for name in names:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")

    def _check_training(self) -> None:
        """The parameters the neural detectors share: backend, validation, learning rate."""
        if self.backend not in ("auto", "mlx", "numpy"):
            raise ValueError(f"backend must be 'auto', 'mlx' or 'numpy', got {self.backend!r}")
        if not 0.0 <= float(self.validation) < 1.0:
            raise ValueError(f"validation must be in [0, 1), got {self.validation!r}")
        if not float(self.learning_rate) > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}")

    def _calibrate(self, scores: np.ndarray) -> None:
        """Set ``threshold_`` (the ``threshold_quantile`` of training ``scores``) and
        ``center_`` (their median), from training data only."""
        scores = np.asarray(scores, dtype=np.float64)
        scores = scores[np.isfinite(scores)]
        if scores.size == 0:
            self.threshold_, self.center_ = 0.0, 0.0
            return
        self.threshold_ = float(np.quantile(scores, float(self.threshold_quantile)))
        self.center_ = float(np.median(scores))

    def confidence(self, scores: np.ndarray) -> np.ndarray:
        """Confidence in [0, 1] of anomaly ``scores`` of this detector (see :func:`confidence`)."""
        self._check_fitted()
        return confidence(scores, self.threshold_, getattr(self, "center_", 0.0))

    # -- persistence ------------------------------------------------------------------
    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-able learned state and numpy arrays to save (subclasses override)."""
        raise NotImplementedError

    def _set_state(self, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`_state` returned (subclasses override)."""
        raise NotImplementedError

    def save(self, path: str | Path) -> Path:
        """Write the fitted detector to folder ``path`` (created if needed).

        The folder holds ``params.json`` (format name, version, class, init
        parameters, learned state) and ``weights.npz`` (numpy arrays).

        Returns
        -------
        pathlib.Path
            The folder written.
        """
        self._check_fitted()
        from .. import __version__

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        state, arrays = self._state()
        meta = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "llamalog_version": __version__,
            "class": type(self).__name__,
            "params": _jsonable(self.get_params()),
            "state": _jsonable(state),
        }
        (folder / "params.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        with open(folder / "weights.npz", "wb") as fh:
            np.savez(fh, **arrays)
        return folder

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Rebuild a detector written by :meth:`save`.

        Raises
        ------
        FileNotFoundError
            When ``path`` lacks ``params.json`` or ``weights.npz``.
        ValueError
            When the folder holds another format, a newer version or another class.
        """
        folder = Path(path)
        meta_path, weights_path = folder / "params.json", folder / "weights.npz"
        for p in (meta_path, weights_path):
            if not p.is_file():
                raise FileNotFoundError(f"{p} not found; expected a folder written by save()")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{meta_path} is not a llamalog detector (format {FORMAT!r})")
        if int(meta.get("version", 0)) > FORMAT_VERSION:
            raise ValueError(
                f"{meta_path} has format version {meta['version']}, this llamalog reads up to "
                f"{FORMAT_VERSION}; upgrade llamalog"
            )
        if meta.get("class") != cls.__name__:
            raise ValueError(
                f"{meta_path} holds a {meta.get('class')}, not a {cls.__name__}; "
                f"use {meta.get('class')}.load"
            )
        params = meta.get("params", {})
        obj = cls(**{k: params[k] for k in cls._param_names() if k in params})
        with np.load(weights_path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        obj._set_state(meta.get("state", {}), arrays)
        return obj


def _jsonable(value: Any) -> Any:
    """Numpy scalars and arrays, tuples and nested containers to plain JSON types."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value
