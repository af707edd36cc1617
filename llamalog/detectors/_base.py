"""Shared plumbing for detectors: parameters, fitted checks, input conversion, persistence.

Detectors follow the scikit-learn contract (see ``STYLE.md``): ``__init__`` only
stores keyword-only parameters, ``fit`` returns ``self``, learned state ends with
``_`` and use before ``fit`` raises :class:`~llamalog.errors.NotFittedError`.
A saved detector is a folder holding ``params.json`` (format, version, class,
init parameters, learned scalars and small arrays) and ``weights.npz`` (numpy
arrays, read back with ``allow_pickle=False``). Nothing is ever pickled.
"""

from __future__ import annotations

import collections.abc
import contextlib
import hashlib
import inspect
import json
import math
import os
import re
import secrets
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._io import atomic_write, file_lock, read_npz
from ..errors import InvalidFileError, NotFittedError

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

#: ``params.json`` files larger than this are refused unread.
MAX_PARAMS_BYTES = 256 * 1024 * 1024
_MISSING = object()


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
        parameters, learned state, the size and SHA-256 of the weights) and
        ``weights.npz`` (numpy arrays). Saving over an earlier model is atomic: a
        process killed at any point leaves the old model or the new one loadable,
        never a mix (the weights go to a file of their own first, ``params.json``
        is then replaced to name them, and only then are they renamed to
        ``weights.npz``).

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
        with file_lock(folder / PARAMS_FILE):
            _remove_leftovers(folder)
            staged = f"weights.{secrets.token_hex(6)}.npz"
            with atomic_write(folder / staged, "wb") as fh:
                np.savez(fh, **arrays)
            meta["weights"] = {
                "file": staged,
                "bytes": (folder / staged).stat().st_size,
                "sha256": _sha256(folder / staged),
            }
            _write_json(folder / PARAMS_FILE, meta)  # the commit: the new model is saved
            os.replace(folder / staged, folder / WEIGHTS_FILE)
            meta["weights"]["file"] = WEIGHTS_FILE
            _write_json(folder / PARAMS_FILE, meta)
        return folder

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Rebuild a detector written by :meth:`save`, checking everything it reads.

        Raises
        ------
        FileNotFoundError
            When ``path`` lacks ``params.json`` or ``weights.npz``.
        InvalidFileError
            When the folder holds another format, a newer version or another class,
            or a field or array is malformed (wrong type, size or shape, a negative
            or duplicate id, a threshold that is not finite, weights that do not
            match ``params.json``); the message names the file and the field. It is
            a ``ValueError``.
        """
        folder = Path(path)
        meta_path = folder / PARAMS_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(f"{meta_path} not found; expected a folder written by save()")
        meta = _read_meta(meta_path, cls.__name__)
        weights_path = _weights_of(folder, meta_path, meta.get("weights"))
        obj = cls(**_check_params(cls, meta_path, meta["params"]))
        arrays = read_npz(weights_path)
        try:
            obj._set_state(meta["state"], arrays)
        except StateError as exc:
            where = weights_path if exc.field in arrays else meta_path
            raise InvalidFileError(
                f"{where}: {exc.field!r} {exc.problem}", path=where, field=exc.field
            ) from exc
        except (KeyError, TypeError, ValueError, IndexError, OverflowError) as exc:
            field = exc.args[0] if isinstance(exc, KeyError) and exc.args else None
            problem = f"lacks {field!r}" if field is not None else f"is invalid: {exc}"
            raise InvalidFileError(
                f"{meta_path} (with {weights_path.name}): the saved state {problem}",
                path=meta_path,
                field=None if field is None else str(field),
            ) from exc
        for name in ("threshold_", "center_"):
            value = getattr(obj, name, 0.0)
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise InvalidFileError(
                    f"{meta_path}: state field {name!r} must be a finite number, got {value!r}",
                    path=meta_path,
                    field=name,
                )
        return obj


#: File names of a saved detector.
PARAMS_FILE, WEIGHTS_FILE = "params.json", "weights.npz"
_STAGED = re.compile(r"weights\.[0-9a-f]{12}\.npz")


class StateError(ValueError):
    """A saved field or array that ``_set_state`` refuses (``load`` names the file)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field!r} {problem}")
        self.field, self.problem = field, problem


def state_number(
    state: dict,
    name: str,
    default: Any = _MISSING,
    *,
    integer: bool = False,
    lo: float | None = None,
    hi: float | None = None,
    finite: bool = True,
) -> Any:
    """``state[name]`` checked: a number (an int with ``integer``) in ``[lo, hi]``."""
    value = state.get(name, default) if isinstance(state, dict) else _MISSING
    if value is _MISSING:
        raise StateError(name, "is missing")
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise StateError(name, f"must be {'an integer' if integer else 'a number'}, got {value!r}")
    if finite and not math.isfinite(value):
        raise StateError(name, f"must be finite, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise StateError(name, f"must lie in [{lo}, {hi}], got {value!r}")
    return value


def state_array(
    arrays: dict,
    name: str,
    *,
    ndim: int,
    kind: str = "f",
    shape: tuple | None = None,
    finite: bool = True,
) -> np.ndarray:
    """``arrays[name]`` checked: its dimensions, dtype kind (``"f"`` float, ``"i"``
    integer) and, where given, its shape (``None`` in ``shape``: any length)."""
    if name not in arrays:
        raise StateError(name, "is missing from the weights")
    arr = arrays[name]
    if arr.ndim != ndim:
        raise StateError(name, f"must have {ndim} dimension(s), got shape {arr.shape}")
    ok = arr.dtype.kind in ("i", "u") if kind == "i" else arr.dtype.kind in ("f", "i", "u")
    if not ok:
        raise StateError(
            name, f"must hold {'integers' if kind == 'i' else 'numbers'}, got {arr.dtype}"
        )
    if shape is not None and any(
        want is not None and got != want for got, want in zip(arr.shape, shape, strict=True)
    ):
        want = tuple("any" if w is None else w for w in shape)
        raise StateError(name, f"must have shape {want}, got {arr.shape}")
    if finite and kind == "f" and not np.isfinite(arr).all():
        raise StateError(name, "holds NaN or infinite values")
    return arr


def state_ids(name: str, ids: Any, *, unique: bool = True) -> np.ndarray:
    """Template ids checked: integers, none below -1 (the "no template" id), no repeats."""
    arr = np.asarray(ids)
    if arr.size and arr.dtype.kind not in ("i", "u"):
        raise StateError(name, f"must hold integer ids, got {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < -1:
        raise StateError(name, f"holds a negative id {int(arr.min())}")
    if unique and np.unique(arr).size != arr.size:
        raise StateError(name, "holds duplicate ids")
    return arr


def _remove_leftovers(folder: Path) -> None:
    """Temporary and staged files of saves that were killed (the caller holds the lock),
    except staged weights that ``params.json`` still names (a save killed between its
    commit and its rename: they are the saved model)."""
    try:
        named = json.loads((folder / PARAMS_FILE).read_text(encoding="utf-8"))["weights"]["file"]
    except (OSError, ValueError, KeyError, TypeError):
        named = None
    for p in folder.iterdir():
        leftover = p.name.startswith((".params.json.", ".weights.")) and p.name.endswith(".tmp")
        if leftover or (_STAGED.fullmatch(p.name) and p.name != named):
            with contextlib.suppress(OSError):
                p.unlink()


def _write_json(path: Path, payload: dict) -> None:
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(payload, indent=2, allow_nan=True) + "\n")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _bad(path: Path, field: str, problem: str) -> InvalidFileError:
    return InvalidFileError(f"{path}: {field!r} {problem}", path=path, field=field)


def _read_meta(meta_path: Path, class_name: str) -> dict:
    """``params.json`` parsed, with its top-level fields checked."""
    if meta_path.stat().st_size > MAX_PARAMS_BYTES:
        raise _bad(meta_path, "params.json", f"is larger than {MAX_PARAMS_BYTES:,} bytes")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidFileError(f"{meta_path} is not valid JSON: {exc}", path=meta_path) from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _bad(meta_path, "format", f"is not {FORMAT!r}: this is not a llamalog detector")
    version = meta.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        raise _bad(meta_path, "version", f"must be an integer, got {version!r}")
    if version > FORMAT_VERSION:
        raise _bad(
            meta_path,
            "version",
            f"is {version}, this llamalog reads up to {FORMAT_VERSION}; upgrade llamalog",
        )
    if meta.get("class") != class_name:
        raise _bad(
            meta_path,
            "class",
            f"is {meta.get('class')!r}, not {class_name!r}; use {meta.get('class')}.load",
        )
    for name in ("params", "state"):
        meta.setdefault(name, {})
        if not isinstance(meta[name], dict):
            raise _bad(meta_path, name, f"must be a JSON object, got {type(meta[name]).__name__}")
    return meta


def _weights_of(folder: Path, meta_path: Path, entry: Any) -> Path:
    """The weights file ``params.json`` names, checked against its size and SHA-256.

    A save killed after ``params.json`` named the staged weights but before their
    rename leaves them under either name: both are tried.
    """
    if entry is None:  # written before weights were checksummed
        path = folder / WEIGHTS_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found; expected a folder written by save()")
        return path
    if not isinstance(entry, dict):
        raise _bad(meta_path, "weights", f"must be a JSON object, got {entry!r}")
    name, size, digest = entry.get("file"), entry.get("bytes"), entry.get("sha256")
    if not (name == WEIGHTS_FILE or (isinstance(name, str) and _STAGED.fullmatch(name))):
        raise _bad(meta_path, "weights.file", f"must be {WEIGHTS_FILE!r}, got {name!r}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise _bad(meta_path, "weights.bytes", f"must be a byte count, got {size!r}")
    if not (isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest)):
        raise _bad(meta_path, "weights.sha256", f"must be a SHA-256 hex digest, got {digest!r}")
    found = [folder / n for n in dict.fromkeys((name, WEIGHTS_FILE)) if (folder / n).is_file()]
    if not found:
        raise FileNotFoundError(
            f"{folder / WEIGHTS_FILE} not found; expected a folder written by save()"
        )
    for path in found:
        if path.stat().st_size == size and _sha256(path) == digest:
            return path
    raise InvalidFileError(
        f"{found[0]} does not match {meta_path} (size or SHA-256 differ): the weights "
        "were changed or come from another save",
        path=found[0],
        field="weights.sha256",
    )


def _check_params(cls: type, meta_path: Path, params: dict) -> dict[str, Any]:
    """The saved init parameters ``cls`` takes, each checked against its type hint."""
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # a hint that cannot be resolved at run time: types go unchecked
        hints = {}
    out = {}
    for name in cls._param_names():
        if name not in params:
            continue
        value = params[name]
        hint = hints.get(name)
        if hint is not None and not _fits(value, hint):
            raise _bad(meta_path, f"params.{name}", f"does not fit {hint}: got {value!r}")
        out[name] = value
    return out


def _fits(value: Any, hint: Any) -> bool:
    """Whether a JSON value fits a type hint (lists stand for tuples and sequences)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if hint is type(None) or hint is None:
        return value is None
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, a) for a in args)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    container = origin or hint
    if isinstance(container, type) and issubclass(container, collections.abc.Mapping):
        return isinstance(value, dict)
    if isinstance(container, type) and issubclass(container, collections.abc.Iterable):
        inner = args[0] if args else None  # Sequence[int], tuple[int, ...]
        return isinstance(value, list) and (inner is None or all(_fits(v, inner) for v in value))
    return True  # a type JSON cannot hold: left to the detector


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
