"""Line-level detector of odd templates and odd parameter values.

:class:`PatternDetector` learns from a training frame how often each template
occurs and, per template and parameter slot, which values its parameters take;
it then scores every line of a frame by how surprising it is, in bits.

The scale: surprise in bits
    Every reason a line can be odd is turned into a surprise ``-log2(p)`` of a
    smoothed probability ``p`` learned from the training lines, and the line's
    score is the largest of them.

    * **Template**: ``p = (count + 1/2) / (N + (K + 1) / 2)`` with ``count`` its
      training lines, ``N`` the training lines and ``K`` the templates seen
      (add-half / Krichevsky-Trofimov smoothing). Every line scores at least the
      surprise of its template; common templates score a few bits.
    * **New template** (never seen in training): the same formula with
      ``count = 0``, raised when needed to one bit above the highest training
      score, so a line of a new template always scores above every training line.
      Unparsed lines (``template_id`` -1) are one more template: when training had
      unparsed lines they score by their frequency like any template, when it had
      none an unparsed line is a new template. A new template counts only on lines
      at ``min_level`` (default WARNING) or worse, or without a level: a new
      message at INFO or DEBUG is more often new normal behaviour (a deploy, a new
      feature) than a fault, and scores 0.
    * **Out-of-range number** (slots of type int, float, size): values are compared
      on the scale ``v = sign(x) * log(1 + |x|)``, where ratios matter (100× the usual
      latency is far out, 11 items instead of 10 is not). The learned range is
      ``[q_lo - margin * s, q_hi + margin * s]`` with ``q_lo``, ``q_hi`` the 0.5 % and
      99.5 % quantiles of the training values, ``s`` their robust spread
      ``IQR / 1.349``, or ``(q_hi - q_lo) / 5.15`` when wider (a point mass with a
      tail has an IQR of 0), but at least 0.1 (10 %) and, for integers, at least the step
      from the median to the next integer (so a slot always 0 tolerates small
      counts). A value beyond a fence scores ``-log2(p_out) + e / ln 2`` where
      ``p_out = (n_out + 1/2) / (n + 1)`` is the smoothed share of the ``n``
      training values beyond that fence and ``e`` the distance past the fence in
      units of ``s`` (an exponential tail: each spread further out is ``e`` times
      less likely), so further out scores higher. A slot of another type whose
      every training value is a number glued to the same short unit (``0.25s``,
      ``40ms``, ``12%``) is checked the same way, in that unit. A range needs at
      least 10 training values.
    * **Unseen categorical value** (slots of any other type): a slot is checked
      only when it was seen at most ``max_values`` distinct values, each at least
      ``min_repeat`` times; free-text and id slots (block ids, user ids, hashes)
      have many distinct values and are never checked. A value outside the learned
      set scores ``-log2(1/2 / (n + (k + 1) / 2))`` for ``n`` training values of ``k``
      kinds: as surprising as a template seen once every ``2n`` lines. Numeric
      slots are checked by range only, never as categories (a new HTTP status
      inside the range of known ones is not flagged). A value of another type than
      the training values of its slot position is not checked.

A slot is a position in a row's ``params`` list (see
:func:`llamalog.add_templates` with ``params=True``), keyed by template id,
position and type. A position whose training values come in more than one type
(the octets of a MAC address, typed ``int`` when all digits and ``id`` otherwise)
is not checked, nor are the slots of a template whose training lines carry varying
numbers of values (a position then means different things on different lines).
Without a ``params`` column only templates are scored.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..schema import LEVEL, LEVELS
from ._base import (
    BaseDetector,
    StateError,
    quote,
    state_array,
    state_ids,
    state_number,
    template_texts,
)

__all__ = ["PatternDetector"]

TEMPLATE_ID = "template_id"
PARAMS = "params"
#: Parameter types checked by numeric range.
NUMERIC_TYPES = ("int", "float", "size")
#: Reason kinds of :meth:`PatternDetector.explain`, by code (0 = none).
REASONS = ("", "new_template", "rare_template", "out_of_range", "unseen_value")
_NONE, _NEW, _RARE, _RANGE, _UNSEEN = range(5)

_ALPHA = 0.5  # add-half smoothing of every frequency
_TAIL = 0.005  # quantiles the numeric range starts from
_MIN_SPREAD = 0.1  # least spread on the log scale (10 %)
_MIN_NUMERIC = 10  # least training values of a numeric slot to learn its range
_NO_SLOT = -(2**62)  # "no slot" in per-line results (fields have slots -1, -2, ...)
_Z99 = 5.152  # width of the central 99 % of a normal distribution, in sigmas
_SIZE = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*([KMGTP]?i?B)?\s*\Z", re.IGNORECASE)
#: A number glued to a short unit ("0.25s", "40ms.", "12%"): the masker types it "id".
_WITH_UNIT = re.compile(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)([a-zA-Z%µ]{1,3})\.?\Z")


def _unit_of(value: str) -> str | None:
    """The unit of a number written with one ("ms" for "40ms"), else None."""
    m = _WITH_UNIT.match(value)
    return m.group(2) if m else None


def _number_with(value: str, unit: str) -> float:
    """``value`` as a float when it is a number in ``unit``, else NaN."""
    m = _WITH_UNIT.match(value)
    return float(m.group(1)) if m is not None and m.group(2) == unit else math.nan


def _number(value: str, kind: str) -> float:
    """A parameter value as a float (NaN when it is not a number)."""
    if kind == "size":
        m = _SIZE.match(value)
        if m is None:
            return math.nan
        unit = (m.group(2) or "").lower()
        base = 1024.0 if "i" in unit else 1000.0
        power = "bkmgtp".index(unit[0]) if unit and unit[0] != "b" else 0
        return float(m.group(1)) * base**power
    try:
        return float(value)
    except ValueError:
        return math.nan


def _log_scale(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def _from_log_scale(v: np.ndarray | float) -> np.ndarray | float:
    return np.sign(v) * np.expm1(np.abs(v))


def _thousands(n: int) -> str:
    return f"{int(n):,}".replace(",", " ")


def _fmt(x: float, integer: bool) -> str:
    if integer:
        return _thousands(round(x))
    return f"{x:.4g}"


class PatternDetector(BaseDetector):
    """Line-level detector of new and rare templates and odd parameter values.

    Scores are surprises in bits (see the module docstring for every rule): the
    largest of the template's surprise, of a numeric value beyond its learned
    range and of an unseen value of a categorical slot.

    Parameters
    ----------
    threshold_quantile : float, default 0.999
        ``threshold_`` is this quantile of the training scores: about one training
        line in a thousand scores above it.
    rare : int or float, default 0.001
        A template is *rare* (reason ``rare_template``) when it had fewer than
        ``rare`` training lines (an int >= 1) or less than this share of them (a
        float in (0, 1)). It only names the reason; scores do not depend on it.
    margin : float, default 3.0
        How far beyond the 0.5 %-99.5 % quantiles of a numeric slot its learned
        range reaches, in robust spreads (on the log scale).
    max_values : int, default 20
        Most distinct values a categorical slot may have to be checked.
    min_repeat : int, default 3
        Least training count of each value of a checked categorical slot.
    min_level : str or None, default "WARNING"
        A line whose template was never seen in training counts as a new template
        only at this level or a more severe one (``level`` column, see
        :data:`llamalog.schema.LEVELS`). Below it (INFO, DEBUG…) a new message is
        taken for new normal behaviour — a deploy, a new feature, a new job — and
        scores 0; its parameters are not checked either (they have no model).
        Lines without a level always count; ``None`` counts every new template.
    fields : sequence of str, default ()
        Columns of the frame checked like parameters, per template: numbers by range,
        few-valued text by the set of values (e.g. ``("Status", "Size")`` for access
        logs, ``("Component",)``). Their slots read ``field <name>`` in explanations
        and carry negative slot numbers (-1 for the first field) in :meth:`explain`.

    Attributes
    ----------
    n_lines_ : int
        Training lines.
    templates_ : numpy.ndarray, counts_ : numpy.ndarray
        Template ids seen in training (-1 for unparsed lines) and their counts.
    new_template_score_ : float
        Score of a line whose template was never seen in training.
    numeric_ : DataFrame
        One row per numeric slot: ``template_id``, ``slot``, ``type``, ``unit`` (the
        unit glued to the numbers of a non-numeric slot, else ``""``), ``integer``
        (whether every training value was whole), ``n``, ``lo``, ``hi`` (the range,
        in the values' units), ``spread`` (log scale) and ``bits_lo``/``bits_hi``
        (the surprise at each fence).
    categorical_ : DataFrame
        One row per checked categorical slot: ``template_id``, ``slot``, ``type``,
        ``n``, ``values`` (list, most frequent first) and ``bits`` (surprise of an
        unseen value).
    threshold_, center_ : float
        Calibrated cut (:meth:`predict`) and median training score.

    Examples
    --------
    >>> train = pd.DataFrame({
    ...     "template_id": [0] * 60 + [1] * 40,
    ...     "params": [[(str(10 + i % 7), "int")] for i in range(60)]
    ...               + [[("GET" if i % 2 else "PUT", "word")] for i in range(40)],
    ... })
    >>> test = pd.DataFrame({
    ...     "template_id": [0, 0, 1, 7],
    ...     "params": [[("12", "int")], [("4000", "int")], [("POST", "word")], []],
    ... })
    >>> det = PatternDetector().fit(train)
    >>> det.predict(test).tolist()
    [0, 1, 1, 1]
    >>> det.explain(test)["reason"].tolist()
    ['', 'out_of_range', 'unseen_value', 'new_template']
    >>> print(det.describe(test, [2])[0])
    unseen value "POST" in slot 0 (word) of template 1 (seen: GET, PUT)
    """

    _fitted_attrs: ClassVar[tuple[str, ...]] = ("templates_", "counts_", "threshold_")

    def __init__(
        self,
        *,
        threshold_quantile: float = 0.999,
        rare: float = 0.001,
        margin: float = 3.0,
        max_values: int = 20,
        min_repeat: int = 3,
        min_level: str | None = "WARNING",
        fields: Sequence[str] = (),
    ) -> None:
        self.threshold_quantile = threshold_quantile
        self.rare = rare
        self.margin = margin
        self.max_values = max_values
        self.min_repeat = min_repeat
        self.min_level = min_level
        self.fields = tuple(fields)

    # -- input ----------------------------------------------------------------------------
    def _validate_params(self) -> None:
        self._check_threshold_quantile()
        rare = self.rare
        if isinstance(rare, bool) or not isinstance(rare, int | float) or not rare > 0:
            raise ValueError(f"rare must be a count >= 1 or a share in (0, 1), got {rare!r}")
        if isinstance(rare, float) and rare >= 1 and not rare.is_integer():
            raise ValueError(f"rare must be a whole count when >= 1, got {rare!r}")
        m = self.margin
        if (
            isinstance(m, bool)
            or not isinstance(m, int | float)
            or not (m >= 0 and math.isfinite(m))
        ):
            raise ValueError(f"margin must be a finite number >= 0, got {m!r}")
        if self.min_level is not None and str(self.min_level).upper() not in LEVELS:
            raise ValueError(
                f"min_level must be None or one of {', '.join(LEVELS)}, got {self.min_level!r}"
            )
        self._check_positive_ints("max_values", "min_repeat")

    def _input(self, X: Any) -> tuple[np.ndarray, list | None, pd.Index, pd.DataFrame | None]:
        """Template ids (int64, -1 for missing), params lists or None, index, frame.

        With ``fields``, each row's list also holds ``(value, type, slot)`` for each
        field, with slot ``-1`` for the first field, ``-2`` for the second...
        """
        if isinstance(X, pd.DataFrame):
            if TEMPLATE_ID not in X:
                raise ValueError(
                    f"the frame lacks a {TEMPLATE_ID!r} column (it has {list(X.columns)}); "
                    "add templates first with llamalog.add_templates(frame, params=True)"
                )
            ids = pd.to_numeric(X[TEMPLATE_ID], errors="coerce")
            params = list(X[PARAMS]) if PARAMS in X else None
            frame, index = X, X.index
        else:
            arr = np.asarray(X)
            if arr.ndim != 1:
                raise ValueError(
                    f"expected a frame with {TEMPLATE_ID!r} or a 1-D array of template ids, "
                    f"got an array of shape {arr.shape}"
                )
            ids = pd.to_numeric(pd.Series(arr), errors="coerce")
            params, frame, index = None, None, pd.RangeIndex(len(arr))
        values = ids.to_numpy(dtype=np.float64, na_value=np.nan)
        if (np.isfinite(values) & (values != np.round(values))).any():
            raise ValueError("template ids must be integers")
        tids = np.where(np.isfinite(values), values, -1).astype(np.int64)
        tids[tids < 0] = -1
        if self.fields and frame is not None:
            params = self._with_fields(frame, params)
        return tids, params, index, frame

    def _with_fields(self, frame: pd.DataFrame, params: list | None) -> list:
        """Each row's params plus ``(value, type, slot)`` for every field in ``fields``."""
        from ..templates.masking import _type_of

        missing = [f for f in self.fields if f not in frame]
        if missing:
            raise ValueError(
                f"fields {missing} are not columns of the frame (it has {list(frame.columns)})"
            )
        columns = [
            frame[f].astype("string").to_numpy(dtype=object, na_value=None) for f in self.fields
        ]
        base = params if params is not None else [[] for _ in range(len(frame))]
        out = []
        for i, p in enumerate(base):
            row = list(p) if isinstance(p, list | tuple | np.ndarray) else []
            for k, col in enumerate(columns):
                v = col[i]
                if v is not None:
                    row.append((v, _type_of(v) or "word", -(k + 1)))
            out.append(row)
        return out

    def _slot_name(self, slot: int) -> str:
        return f"field {self.fields[-slot - 1]}" if slot < 0 and self.fields else f"slot {slot}"

    def _quiet(self, frame: pd.DataFrame | None, n: int) -> np.ndarray:
        """Lines whose level is known and below ``min_level`` (new templates not counted)."""
        if self.min_level is None or frame is None or LEVEL not in frame:
            return np.zeros(n, dtype=bool)
        rank = {name: i for i, name in enumerate(LEVELS)}  # 0 = most severe
        cut = rank[str(self.min_level).upper()]
        levels = frame[LEVEL].astype("string").str.upper().to_numpy(dtype=object, na_value=None)
        return np.array([lv in rank and rank[lv] > cut for lv in levels], dtype=bool)

    @staticmethod
    def _flatten(tids: np.ndarray, params: list | None):
        """Every parameter as parallel lists: row, template, slot, type, value.

        A slot is the position in the row's list, or the slot an entry carries as its
        third element (fields, see ``_input``).
        """
        rows, tmpl, slots, kinds, values = [], [], [], [], []
        if params is None:
            return rows, tmpl, slots, kinds, values
        held = [
            i for i, p in enumerate(params) if isinstance(p, list | tuple | np.ndarray) and len(p)
        ]
        flat = list(itertools.chain.from_iterable(params[i] for i in held))
        if set(map(type, flat)) <= {tuple} and set(map(len, flat)) <= {2}:  # (value, type) pairs
            lengths = np.fromiter((len(params[i]) for i in held), np.int64, len(held))
            at = np.repeat(np.asarray(held, dtype=np.int64), lengths)
            first = np.repeat(np.cumsum(lengths) - lengths, lengths)
            return (
                at.tolist(),
                np.asarray(tids, dtype=np.int64)[at].tolist(),
                (np.arange(len(flat), dtype=np.int64) - first).tolist(),
                [k if type(k) is str else str(k) for _, k in flat],
                [v if type(v) is str else str(v) for v, _ in flat],
            )
        for i, p in enumerate(params):
            if not isinstance(p, list | tuple | np.ndarray):
                continue
            t = int(tids[i])
            for j, pair in enumerate(p):
                try:
                    value, kind, *rest = pair
                except (TypeError, ValueError):
                    continue
                rows.append(i)
                tmpl.append(t)
                slots.append(int(rest[0]) if rest else j)
                kinds.append(str(kind))
                values.append(str(value))
        return rows, tmpl, slots, kinds, values

    # -- fitting --------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame | np.ndarray, y: Any = None) -> PatternDetector:
        """Learn template frequencies and slot models from training lines.

        Parameters
        ----------
        X : DataFrame or array of int
            A frame with ``template_id`` (and ``params`` to check values), or the
            template ids alone. Mostly normal lines.
        y : ignored

        Returns
        -------
        PatternDetector
            ``self``, fitted.
        """
        self._validate_params()
        tids, params, _, _ = self._input(X)
        if len(tids) == 0:
            raise ValueError("cannot fit on an empty frame: it has no lines")
        keys, counts = np.unique(tids, return_counts=True)
        self.n_lines_ = len(tids)
        self.templates_ = keys.astype(np.int64)
        self.counts_ = counts.astype(np.int64)
        flat = self._flatten(tids, params)  # once, for the slot models and the calibration
        self._fit_slots(tids, params, flat)
        self.new_template_score_ = 0.0
        scores = self._analyse(tids, params, self.n_lines_, flat=flat)[0]
        base = self._template_bits(np.array([0]))[0]
        top = float(scores.max()) if len(scores) else 0.0
        self.new_template_score_ = float(max(base, top + 1.0))
        self._calibrate(scores)
        return self

    def _fit_slots(self, tids: np.ndarray, params: list | None, flattened: tuple) -> None:
        _, tmpl, slots, kinds, values = flattened
        flat = pd.DataFrame(
            {
                "template_id": tmpl,
                "slot": slots,
                "type": kinds,
                # Python strings: the slot models iterate over them
                "value": pd.Series(values, dtype=object),
            },
            columns=["template_id", "slot", "type", "value"],
        )
        flat["template_id"] = flat["template_id"].astype(np.int64)
        flat["slot"] = flat["slot"].astype(np.int64)
        num_rows, cat_rows = [], []
        margin = float(self.margin)
        # a slot position whose training values come in several types (hex octets that
        # are sometimes all digits, ids that are sometimes words) has no stable model,
        # nor has any position of a template whose lines carry varying numbers of
        # values (position j then means different things on different lines)
        kinds_at = flat.groupby(["template_id", "slot"], sort=False)["type"].nunique()
        mixed = set(kinds_at.index[kinds_at.to_numpy() > 1])
        if params is not None:
            lengths = pd.Series(
                [len(p) if isinstance(p, list | tuple | np.ndarray) else -1 for p in params]
            )
            varying = lengths.groupby(tids).nunique()
            ragged = set(varying.index[varying.to_numpy() > 1].tolist())
        else:
            ragged = set()
        for (t, j, kind), part in flat.groupby(["template_id", "slot", "type"], sort=True):
            if (t, j) in mixed or t in ragged:
                continue
            unit = ""
            if kind not in NUMERIC_TYPES:  # a number with the same unit every time?
                units = {_unit_of(v) for v in part["value"].unique()}
                if len(units) == 1 and None not in units:
                    unit = units.pop()
            if kind in NUMERIC_TYPES or unit:
                values = part["value"]
                x = np.array(
                    [_number_with(v, unit) if unit else _number(v, kind) for v in values],
                    dtype=np.float64,
                )
                x = x[np.isfinite(x)]
                if len(x) < _MIN_NUMERIC:  # too few values to learn a range from
                    continue
                v = _log_scale(x)
                q_lo, q1, q3, q_hi = np.quantile(v, [_TAIL, 0.25, 0.75, 1 - _TAIL])
                # the IQR's, or the central 99 %'s normal-equivalent spread when that is
                # wider: a slot with a point mass and a tail (block sizes: nearly all one
                # value) has an IQR of 0 that would make its tail look far out
                spread = max((q3 - q1) / 1.349, (q_hi - q_lo) / _Z99, _MIN_SPREAD)
                integer = bool(np.all(x == np.round(x)))
                if integer:  # the step to the next integer
                    med = abs(float(np.median(x)))
                    spread = max(spread, math.log1p(med + 1) - math.log1p(med))
                lo, hi = q_lo - margin * spread, q_hi + margin * spread
                n = len(v)
                num_rows.append(
                    {
                        "template_id": int(t), "slot": int(j), "type": kind, "unit": unit,
                        "integer": integer, "n": n,
                        "lo": float(_from_log_scale(lo)), "hi": float(_from_log_scale(hi)),
                        "spread": float(spread),
                        "bits_lo": math.log2((n + 1) / (int((v < lo).sum()) + _ALPHA)),
                        "bits_hi": math.log2((n + 1) / (int((v > hi).sum()) + _ALPHA)),
                    }
                )  # fmt: skip
            else:
                vc = part["value"].value_counts(sort=True)
                if len(vc) > int(self.max_values) or int(vc.min()) < int(self.min_repeat):
                    continue
                n, k = int(vc.sum()), len(vc)
                cat_rows.append(
                    {
                        "template_id": int(t), "slot": int(j), "type": kind, "n": n,
                        "values": sorted(map(str, vc.index), key=lambda s: (-vc[s], s)),
                        "bits": math.log2((n + _ALPHA * (k + 1)) / _ALPHA),
                    }
                )  # fmt: skip
        num_cols = [
            "template_id", "slot", "type", "unit", "integer", "n", "lo", "hi", "spread",
            "bits_lo", "bits_hi",
        ]  # fmt: skip
        cat_cols = ["template_id", "slot", "type", "n", "values", "bits"]
        self.numeric_ = pd.DataFrame(num_rows, columns=num_cols)
        self.categorical_ = pd.DataFrame(cat_rows, columns=cat_cols)
        self._index_models()

    def _models_of(self, tmpl: list, slots: list, kinds: list) -> tuple[np.ndarray, np.ndarray]:
        """Row of the numeric and of the categorical model of each parameter (-1: none)."""
        n = len(tmpl)
        codes, names = pd.factorize(pd.Series(kinds, dtype=object), sort=False)
        code_of = {k: i for i, k in enumerate(names.tolist())}
        t = np.asarray(tmpl, dtype=np.int64)
        j = np.asarray(slots, dtype=np.int64) + (1 << 15)
        fits = (
            n == 0
            or (t.min() >= 0 and t.max() < (1 << 38) and j.min() >= 0 and j.max() < (1 << 16))
        ) and len(names) < 256
        if not fits:  # ids or slots this packing cannot hold: look up one by one
            num = [self._num_key.get(k, -1) for k in zip(tmpl, slots, kinds, strict=True)]
            cat = [self._cat_key.get(k, -1) for k in zip(tmpl, slots, kinds, strict=True)]
            return np.asarray(num, dtype=np.int64), np.asarray(cat, dtype=np.int64)
        keys = (t << 24) | (j << 8) | codes.astype(np.int64)

        def lookup(table: dict) -> np.ndarray:
            out = np.full(n, -1, dtype=np.int64)
            known = [(mt, mj, code_of[mk], i) for (mt, mj, mk), i in table.items() if mk in code_of]
            known = [
                (mt, mj, c, i) for mt, mj, c, i in known if 0 <= mt < (1 << 38)
                and 0 <= mj + (1 << 15) < (1 << 16)
            ]  # fmt: skip
            if not known or n == 0:
                return out
            arr = np.asarray(known, dtype=np.int64)
            model = (arr[:, 0] << 24) | ((arr[:, 1] + (1 << 15)) << 8) | arr[:, 2]
            order = np.argsort(model)
            model, rows = model[order], arr[order, 3]
            pos = np.minimum(np.searchsorted(model, keys), len(model) - 1)
            hit = model[pos] == keys
            out[hit] = rows[pos[hit]]
            return out

        return lookup(self._num_key), lookup(self._cat_key)

    def _index_models(self) -> None:
        """Lookup tables from the model frames (after fit or load)."""
        num, cat = self.numeric_, self.categorical_
        self._num_key = {
            (int(t), int(j), str(k)): i
            for i, (t, j, k) in enumerate(
                zip(num["template_id"], num["slot"], num["type"], strict=True)
            )
        }
        self._cat_key = {
            (int(t), int(j), str(k)): i
            for i, (t, j, k) in enumerate(
                zip(cat["template_id"], cat["slot"], cat["type"], strict=True)
            )
        }
        self._cat_sets = [frozenset(v) for v in cat["values"]]
        self._num_unit = num["unit"].astype(str).tolist()
        self._num_lo = _log_scale(num["lo"].to_numpy(dtype=np.float64))
        self._num_hi = _log_scale(num["hi"].to_numpy(dtype=np.float64))
        self._num_s = num["spread"].to_numpy(dtype=np.float64)
        self._num_blo = num["bits_lo"].to_numpy(dtype=np.float64)
        self._num_bhi = num["bits_hi"].to_numpy(dtype=np.float64)
        self._count_of = dict(zip(self.templates_.tolist(), self.counts_.tolist(), strict=True))

    # -- scoring --------------------------------------------------------------------------
    def _template_bits(self, counts: np.ndarray) -> np.ndarray:
        k = len(self.templates_)
        total = self.n_lines_ + _ALPHA * (k + 1)
        return np.log2(total / (np.asarray(counts, dtype=np.float64) + _ALPHA))

    def _rare_limit(self) -> float:
        """Templates with fewer training lines than this are rare."""
        return float(self.rare) if self.rare >= 1 else float(self.rare) * self.n_lines_

    def _analyse(
        self,
        tids: np.ndarray,
        params: list | None,
        n_lines: int | None = None,
        quiet: np.ndarray | None = None,
        flat: tuple | None = None,
    ):
        """Score, reason code, slot, type, value and model row of every line.

        ``quiet`` marks lines below ``min_level``: a new template there scores 0.
        ``flat``: ``_flatten(tids, params)`` when the caller has it already.
        """
        n = len(tids)
        pos = np.searchsorted(self.templates_, tids)
        pos = np.minimum(pos, max(len(self.templates_) - 1, 0))
        seen = self.templates_[pos] == tids if len(self.templates_) else np.zeros(n, bool)
        counts = np.where(seen, self.counts_[pos] if len(self.counts_) else 0, 0)
        score = np.where(seen, self._template_bits(counts), self.new_template_score_)
        reason = np.full(n, _NONE, dtype=np.int8)
        reason[~seen] = _NEW
        if quiet is not None and quiet.any():
            hush = ~seen & quiet
            score[hush] = 0.0
            reason[hush] = _NONE
        reason[seen & (counts < self._rare_limit())] = _RARE
        slot = np.full(n, _NO_SLOT, dtype=np.int64)
        kind = np.full(n, None, dtype=object)
        value = np.full(n, None, dtype=object)
        model = np.full(n, -1, dtype=np.int64)

        rows, tmpl, slots, kinds, values = flat or self._flatten(tids, params)
        if rows:
            seen_row = seen[np.asarray(rows)]
            num_idx, cat_idx = self._models_of(tmpl, slots, kinds)
            num_at = np.flatnonzero(seen_row & (num_idx >= 0))
            num_i = num_idx[num_at]
            maybe = np.flatnonzero(seen_row & (num_idx < 0) & (cat_idx >= 0)).tolist()
            sets = self._cat_sets
            cat_at = [e for e in maybe if values[e] not in sets[cat_idx[e]]]
            cat_i = cat_idx[cat_at] if cat_at else np.zeros(0, np.int64)
            cat_bits = self.categorical_["bits"].to_numpy(dtype=np.float64)[cat_i]
            ev_score = np.zeros(len(rows))
            ev_reason = np.zeros(len(rows), dtype=np.int8)
            ev_model = np.full(len(rows), -1, dtype=np.int64)
            if len(num_at):
                ni = np.asarray(num_i)
                at = np.asarray(num_at)
                units = self._num_unit
                x = np.array(
                    [
                        _number_with(values[e], units[i])
                        if units[i]
                        else _number(values[e], kinds[e])
                        for e, i in zip(at, ni, strict=True)
                    ],
                    dtype=np.float64,
                )
                v = _log_scale(x)
                s = self._num_s[ni]
                below = (self._num_lo[ni] - v) / s
                above = (v - self._num_hi[ni]) / s
                out_bits = np.where(
                    above > 0,
                    self._num_bhi[ni] + above / math.log(2),
                    np.where(below > 0, self._num_blo[ni] + below / math.log(2), 0.0),
                )
                out_bits = np.where(np.isfinite(out_bits), out_bits, 0.0)
                hit = out_bits > 0
                ev_score[at[hit]] = out_bits[hit]
                ev_reason[at[hit]] = _RANGE
                ev_model[at[hit]] = ni[hit]
            if len(cat_at):
                at = np.asarray(cat_at)
                ev_score[at] = cat_bits
                ev_reason[at] = _UNSEEN
                ev_model[at] = cat_i
            hits = np.flatnonzero(ev_reason > 0)
            # the strongest parameter reason per row (first slot wins ties)
            for e in hits[np.argsort(-ev_score[hits], kind="stable")][::-1]:
                r = rows[e]
                if ev_score[e] >= score[r]:
                    score[r] = ev_score[e]
                    reason[r] = ev_reason[e]
                    slot[r] = slots[e]
                    kind[r] = kinds[e]
                    value[r] = values[e]
                    model[r] = ev_model[e]
        return score.astype(np.float64), reason, slot, kind, value, model, counts

    def decision_function(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Surprise in bits of every line (higher = odder), float64.

        Parameters
        ----------
        X : DataFrame or array of int
            A frame with ``template_id`` and optionally ``params``, or template ids.
        """
        self._check_fitted()
        tids, params, _, frame = self._input(X)
        return self._analyse(tids, params, quiet=self._quiet(frame, len(tids)))[0]

    def predict(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """1 for lines scoring above ``threshold_``, else 0 (int8 array)."""
        return (self.decision_function(X) > self.threshold_).astype(np.int8)

    def explain(self, X: pd.DataFrame | np.ndarray) -> pd.DataFrame:
        """Why each line scores what it does: its strongest reason.

        Returns
        -------
        DataFrame
            Indexed like ``X``; columns ``score``, ``reason`` (``new_template``,
            ``rare_template``, ``out_of_range``, ``unseen_value`` or ``""`` for a line
            whose score is only its common template's frequency), ``template_id``,
            ``slot`` (nullable int, missing unless the reason is a value), ``type``
            and ``value`` (the parameter, or None).
        """
        self._check_fitted()
        tids, params, index, frame = self._input(X)
        quiet = self._quiet(frame, len(tids))
        score, reason, slot, kind, value, _, _ = self._analyse(tids, params, quiet=quiet)
        return pd.DataFrame(
            {
                "score": score,
                "reason": pd.Categorical.from_codes(reason, REASONS),
                "template_id": tids,
                "slot": pd.arrays.IntegerArray(
                    np.where(slot == _NO_SLOT, 0, slot), slot == _NO_SLOT
                ),
                "type": kind,
                "value": value,
            },
            index=index,
        ).astype({"reason": str})

    def describe(
        self,
        X: pd.DataFrame | np.ndarray,
        rows: Any,
        templates: Mapping | pd.Series | pd.DataFrame | None = None,
    ) -> list[str]:
        """One sentence per line in ``rows`` saying why it scores what it does.

        Parameters
        ----------
        X : DataFrame or array of int
            The lines, as for :meth:`decision_function`.
        rows : int or sequence of int
            Positional rows of ``X`` to describe.
        templates : mapping, Series or DataFrame, optional
            Template texts by id (a dict, a Series indexed by id, or a frame with
            ``template_id`` and ``template`` such as ``miner.templates_``) used to
            quote new templates; by default the frame's ``template`` column, else its
            ``message``.
        """
        self._check_fitted()
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        tids, params, _, frame = self._input(X)
        if len(rows) and (rows.min() < -len(tids) or rows.max() >= len(tids)):
            raise IndexError(f"rows must be positions in 0..{len(tids) - 1}")
        rows = rows % max(len(tids), 1)
        sub_params = [params[r] for r in rows] if params is not None else None
        quiet = self._quiet(frame, len(tids))[rows]
        _, reason, slot, kind, value, model, counts = self._analyse(
            tids[rows], sub_params, quiet=quiet
        )
        texts = template_texts(templates)
        out = []
        for i, r in enumerate(rows):
            t = int(tids[r])
            name = "unparsed lines (template -1)" if t < 0 else f"template {t}"
            code = int(reason[i])
            if code == _NEW:
                quoted = _quote_of(t, texts, frame, r)
                what = "a line matching no template" if t < 0 else name
                text = f"{what} never seen in training"
                out.append(f"{text}: {quoted}" if quoted else text)
            elif code == _RARE:
                out.append(
                    f"rare {name} ({_thousands(counts[i])} of {_thousands(self.n_lines_)} "
                    "training lines)"
                )
            elif code == _RANGE:
                m = self.numeric_.iloc[int(model[i])]
                integer = bool(m["integer"])
                where = self._slot_name(int(slot[i]))
                out.append(
                    f"value {value[i]} of {where} ({kind[i]}) of {name} outside its "
                    f"learned range [{_fmt(m['lo'], integer)}, {_fmt(m['hi'], integer)}]"
                    + (f" {m['unit']}" if m["unit"] else "")
                )
            elif code == _UNSEEN:
                m = self.categorical_.iloc[int(model[i])]
                seen = list(m["values"])
                shown = ", ".join(seen[:8]) + (f", … ({len(seen)} in all)" if len(seen) > 8 else "")
                where = self._slot_name(int(slot[i]))
                out.append(
                    f"unseen value {quote(value[i], 80)} in {where} ({kind[i]}) of {name} "
                    f"(seen: {shown})"
                )
            else:
                out.append(
                    f"nothing unusual: {name} is common ({_thousands(counts[i])} of "
                    f"{_thousands(self.n_lines_)} training lines) and its values are in range"
                )
        return out

    # -- persistence ----------------------------------------------------------------------
    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        num, cat = self.numeric_, self.categorical_
        state = {
            "n_lines_": self.n_lines_,
            "new_template_score_": self.new_template_score_,
            "threshold_": self.threshold_,
            "center_": self.center_,
            "numeric_types": num["type"].astype(str).tolist(),
            "numeric_units": num["unit"].astype(str).tolist(),
            "categorical_types": cat["type"].astype(str).tolist(),
            "categorical_values": [list(v) for v in cat["values"]],
        }
        arrays = {
            "templates": self.templates_,
            "counts": self.counts_,
            "numeric_ids": num[["template_id", "slot", "n", "integer"]]
            .to_numpy(dtype=np.int64)
            .reshape(-1, 4),
            "numeric_values": num[["lo", "hi", "spread", "bits_lo", "bits_hi"]]
            .to_numpy(dtype=np.float64)
            .reshape(-1, 5),
            "categorical_ids": cat[["template_id", "slot", "n"]]
            .to_numpy(dtype=np.int64)
            .reshape(-1, 3),
            "categorical_bits": cat["bits"].to_numpy(dtype=np.float64),
        }
        return state, arrays

    def _set_state(self, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.n_lines_ = int(state_number(state, "n_lines_", integer=True, lo=1))
        self.new_template_score_ = float(state_number(state, "new_template_score_"))
        self.threshold_ = float(state_number(state, "threshold_"))
        self.center_ = float(state_number(state, "center_"))
        self.templates_ = state_ids("templates", state_array(arrays, "templates", ndim=1, kind="i"))
        counts = state_array(arrays, "counts", ndim=1, kind="i", shape=self.templates_.shape)
        if counts.size and counts.min() < 0:
            raise StateError("counts", "holds a negative count")
        self.counts_ = counts.astype(np.int64)
        n_num = len(state_array(arrays, "numeric_ids", ndim=2, kind="i", shape=(None, 4)))
        ids = _model_ids(arrays, "numeric_ids", self.templates_, len(self.fields))
        vals = state_array(arrays, "numeric_values", ndim=2, shape=(n_num, 5), finite=False)
        types = _texts(state, "numeric_types", n_num)
        self.numeric_ = pd.DataFrame(
            {
                "template_id": ids[:, 0], "slot": ids[:, 1],
                "type": pd.Series(types, dtype=object),
                "unit": pd.Series(_texts(state, "numeric_units", n_num), dtype=object),
                "integer": ids[:, 3].astype(bool), "n": ids[:, 2],
                "lo": vals[:, 0], "hi": vals[:, 1], "spread": vals[:, 2],
                "bits_lo": vals[:, 3], "bits_hi": vals[:, 4],
            }
        )  # fmt: skip
        n_cat = len(state_array(arrays, "categorical_ids", ndim=2, kind="i", shape=(None, 3)))
        ids = _model_ids(arrays, "categorical_ids", self.templates_, len(self.fields))
        values = state.get("categorical_values")
        if not (
            isinstance(values, list)
            and len(values) == n_cat
            and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in values)
        ):
            raise StateError("categorical_values", f"must be {n_cat} lists of strings")
        self.categorical_ = pd.DataFrame(
            {
                "template_id": ids[:, 0], "slot": ids[:, 1],
                "type": pd.Series(_texts(state, "categorical_types", n_cat), dtype=object),
                "n": ids[:, 2],
                "values": pd.Series([list(v) for v in values], dtype=object),
                "bits": state_array(arrays, "categorical_bits", ndim=1, shape=(n_cat,)),
            }
        )  # fmt: skip
        for name, frame in (("numeric_ids", self.numeric_), ("categorical_ids", self.categorical_)):
            if frame.duplicated(["template_id", "slot", "type"]).any():
                raise StateError(name, "holds the same (template, slot, type) twice")
        self._index_models()


def _model_ids(arrays: dict, name: str, templates: np.ndarray, n_fields: int) -> np.ndarray:
    """Rows ``(template_id, slot, n, ...)`` of a saved slot model, checked (fields have
    slots -1, -2, ...)."""
    ids = arrays[name].astype(np.int64)
    if len(ids) and not np.isin(ids[:, 0], templates).all():
        raise StateError(name, "names a template the model was not fitted on")
    if len(ids) and (ids[:, 1].min() < -n_fields or ids[:, 1].max() >= 1 << 15):
        raise StateError(name, f"holds a slot outside [{-n_fields}, {1 << 15})")
    if len(ids) and ids[:, 2:].min() < 0:
        raise StateError(name, "holds a negative count")
    return ids


def _texts(state: dict, name: str, n: int) -> list[str]:
    values = state.get(name)
    if not (
        isinstance(values, list) and len(values) == n and all(isinstance(v, str) for v in values)
    ):
        raise StateError(name, f"must be a list of {n} strings")
    return values


def _quote_of(t: int, texts: Mapping | None, frame: pd.DataFrame | None, r: int) -> str:
    if texts is not None and t in texts:
        return quote(texts[t], 80)
    if frame is not None:
        for col in ("template", "message"):
            if col in frame:
                v = frame[col].iloc[r]
                if v is not None and not (isinstance(v, float) and math.isnan(v)):
                    return quote(v, 80)
    return ""
