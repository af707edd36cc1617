"""How well a template miner matches ground truth: GA, PA, FGA and FTA.

The four metrics are those of Loghub-2.0 (Jiang et al., "A Large-Scale Evaluation for
Log Parsing Techniques: How Far Are We?", ISSTA 2024), computed the way its evaluator
computes them (repository ``logpai/loghub-2.0``: GA and FGA in
``benchmark/logparser/utils/evaluator.py``, PA in
``benchmark/evaluation/utils/PA_calculator.py``, FTA in
``benchmark/evaluation/utils/template_level_analysis.py``).

Definitions
-----------
A *group* is the set of lines that share a label. A predicted group is *correct* when its
set of lines equals the set of lines of a true group: every line of the true group got
that one predicted label, and no other line did.

GA (grouping accuracy)
    Lines in correct groups / all lines.
FGA (F1 of grouping accuracy)
    PGA = correct groups / predicted groups, RGA = correct groups / true groups,
    FGA = 2 PGA RGA / (PGA + RGA), and 0 when both are 0.
PA (parsing accuracy, per line)
    Lines whose predicted template text equals their true template text / all lines.
FTA (F1 of template accuracy)
    The templates are the distinct template texts, and the lines of a predicted template
    are the lines whose predicted text it is. A predicted template is correct when all
    its lines have one and the same true template and its text equals that true
    template. PTA = correct templates / predicted templates, RTA = correct templates /
    true templates, FTA = 2 PTA RTA / (PTA + RTA), and 0 when both are 0.

Two points checked against the Loghub-2.0 evaluator:

* Texts are compared exactly, with no normalisation: the evaluator compares the two
  ``EventTemplate`` columns with ``DataFrame.eq`` and strips, collapses or rewrites
  nothing (its ``correct_single_template`` rules are applied to templates before
  evaluation by the parsers that use them, and were applied to the corrected ground
  truth when it was made, never by the evaluator). Normalising here would give
  numbers that cannot be compared with published Loghub-2.0 results. Writing templates
  in the ground truth's convention (``<*>`` for a whole variable, no double spaces) is
  the miner's job.
* FTA asks for *purity*, not completeness: a predicted template whose lines all belong
  to true template T and whose text is T counts as correct even when some other lines
  of T went to another predicted template (that other one is then wrong, and GA and
  FGA penalise the split).

Labels and texts are given separately here, whereas the Loghub-2.0 evaluator sees only
the template text and uses it as the group label too. When labels and texts correspond
one to one (as in the Loghub files and in Drain's output) the scores are identical.
When two predicted labels share a text, GA and FGA see two groups (they judge the
grouping) and FTA sees one template (it judges the text).

Missing labels or texts (``None``, ``NaN``) raise ``ValueError``: the Loghub-2.0
evaluator drops lines without a true template from GA, FGA and FTA but counts them as
wrong in PA; here the caller decides what such lines mean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ParsingScores", "evaluate_parsing"]


@dataclass(frozen=True)
class ParsingScores:
    """Accuracy of one parse against ground truth (see the module docstring).

    Attributes
    ----------
    ga, pa, fga, fta : float
        Grouping accuracy, parsing accuracy, F1 of grouping accuracy and F1 of template
        accuracy, each in [0, 1]. ``pa`` and ``fta`` are NaN when template texts are
        not available for both sides.
    n_lines : int
        Number of lines scored.
    n_truth_groups, n_predicted_groups : int
        Distinct true and predicted labels.
    n_correct_groups : int
        Predicted groups whose lines are exactly the lines of a true group.
    n_truth_templates, n_predicted_templates : int
        Distinct true and predicted template texts (0 when texts are not available).
    n_correct_templates : int
        Predicted templates whose lines all have one true template, equal to their text.
    """

    ga: float
    pa: float
    fga: float
    fta: float
    n_lines: int
    n_truth_groups: int
    n_predicted_groups: int
    n_correct_groups: int
    n_truth_templates: int
    n_predicted_templates: int
    n_correct_templates: int

    def as_dict(self) -> dict[str, float | int]:
        """The scores and counts as a plain dict (field order)."""
        return asdict(self)


def evaluate_parsing(
    truth: Sequence[Any] | np.ndarray | pd.Series,
    predicted: Sequence[Any] | np.ndarray | pd.Series,
    *,
    truth_templates: Sequence[str] | np.ndarray | pd.Series | None = None,
    predicted_templates: Sequence[str] | np.ndarray | pd.Series | None = None,
) -> ParsingScores:
    """Score a template mining result against ground truth, as Loghub-2.0 does.

    Parameters
    ----------
    truth, predicted : sequence of hashable, length n
        Group label of each line: template ids or template strings. Only which lines
        share a label matters, not the label values.
    truth_templates, predicted_templates : sequence of str, length n, optional
        Template text of each line. When absent, the labels are taken as the texts if
        they are all strings; otherwise PA and FTA are NaN.

    Returns
    -------
    ParsingScores
        GA, PA, FGA, FTA and the counts behind them.

    Raises
    ------
    ValueError
        When there are no lines, when the lengths differ, when an input is not
        one-dimensional, when a label or text is missing (None or NaN), or when given
        template texts are not strings.

    Examples
    --------
    >>> s = evaluate_parsing(["A <*>", "A <*>", "B"], ["A <*>", "A <*>", "B <*>"])
    >>> s.ga, s.fga, round(s.pa, 3), s.fta
    (1.0, 1.0, 0.667, 0.5)
    >>> evaluate_parsing([0, 0, 1], [5, 6, 7]).ga
    0.3333333333333333
    """
    t_codes, t_uniques = _factorize(truth, "truth")
    p_codes, p_uniques = _factorize(predicted, "predicted")
    n = len(t_codes)
    if n == 0:
        raise ValueError("truth and predicted are empty: give at least one line to score")
    if len(p_codes) != n:
        raise ValueError(
            f"truth has {n} lines but predicted has {len(p_codes)}: "
            "give one label per line in both, in the same order"
        )
    correct_lines, n_correct_groups = _matching_groups(t_codes, p_codes, len(p_uniques))
    texts = _text_codes(
        _texts(truth_templates, t_codes, t_uniques, n, "truth"),
        _texts(predicted_templates, p_codes, p_uniques, n, "predicted"),
    )
    if texts is None:
        pa = fta = math.nan
        n_tt = n_pt = n_correct_templates = 0
    else:
        tt, pt, k = texts
        pa = float(np.count_nonzero(tt == pt)) / n
        n_tt = int(np.count_nonzero(np.bincount(tt, minlength=k)))
        n_pt = int(np.count_nonzero(np.bincount(pt, minlength=k)))
        n_correct_templates = _correct_templates(tt, pt, k)
        fta = _f1(n_correct_templates, n_pt, n_tt)
    return ParsingScores(
        ga=float(np.count_nonzero(correct_lines)) / n,
        pa=pa,
        fga=_f1(n_correct_groups, len(p_uniques), len(t_uniques)),
        fta=fta,
        n_lines=n,
        n_truth_groups=len(t_uniques),
        n_predicted_groups=len(p_uniques),
        n_correct_groups=n_correct_groups,
        n_truth_templates=n_tt,
        n_predicted_templates=n_pt,
        n_correct_templates=n_correct_templates,
    )


def _factorize(values: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer code per line (0..k-1, first-seen order) and the k distinct values."""
    if isinstance(values, str | bytes):
        raise ValueError(f"{name} is one string; give a sequence with one entry per line")
    if isinstance(values, pd.DataFrame) or (isinstance(values, np.ndarray) and values.ndim != 1):
        raise ValueError(f"{name} must be one-dimensional (one entry per line)")
    if not isinstance(values, np.ndarray | pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        values = pd.Series(list(values))
    codes, uniques = pd.factorize(values)
    missing = np.flatnonzero(codes < 0)
    if missing.size:
        raise ValueError(
            f"{name} has {missing.size} missing values (None or NaN), first at line index "
            f"{missing[0]}; drop those lines or give them a label"
        )
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)


def _is_text(uniques: np.ndarray) -> bool:
    return pd.api.types.infer_dtype(uniques, skipna=False) == "string"


def _texts(
    templates: Any, codes: np.ndarray, uniques: np.ndarray, n: int, name: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes and distinct texts of one side's templates, or None when there are none."""
    if templates is None:
        # Labels that are template strings are their own texts: reuse their codes.
        return (codes, uniques) if len(uniques) and _is_text(uniques) else None
    t_codes, t_uniques = _factorize(templates, f"{name}_templates")
    if len(t_codes) != n:
        raise ValueError(
            f"{name}_templates has {len(t_codes)} entries but {name} has {n}: "
            "give one template text per line"
        )
    if not _is_text(t_uniques):
        raise ValueError(f"{name}_templates must be strings (template text of each line)")
    return t_codes, t_uniques


def _text_codes(
    truth: tuple[np.ndarray, np.ndarray] | None, predicted: tuple[np.ndarray, np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Truth and predicted text codes in one code space (equal text, equal code), and k."""
    if truth is None or predicted is None:
        return None
    t_codes, t_uniques = truth
    p_codes, p_uniques = predicted
    # Match the distinct texts only (a few hundred), not the n lines.
    where = pd.Index(t_uniques).get_indexer(pd.Index(p_uniques))
    new = where < 0
    where[new] = len(t_uniques) + np.arange(np.count_nonzero(new))
    k = len(t_uniques) + int(np.count_nonzero(new))
    return t_codes, where.astype(np.int64)[p_codes], k


def _pairs(a: np.ndarray, b: np.ndarray, kb: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (a, b) code pairs that occur on some line, as two arrays."""
    joint = pd.unique(a * kb + b)
    return np.divmod(joint, kb)


def _matching_groups(t: np.ndarray, p: np.ndarray, kp: int) -> tuple[np.ndarray, int]:
    """Per-line flag "my predicted group is my true group", and the number of such groups.

    A true group and a predicted group have the same lines exactly when the true group
    meets no other predicted group and the predicted group meets no other true group.
    """
    pt, pp = _pairs(t, p, kp)
    preds_per_truth = np.bincount(pt)
    truths_per_pred = np.bincount(pp, minlength=kp)
    n_groups = int(np.count_nonzero((preds_per_truth[pt] == 1) & (truths_per_pred[pp] == 1)))
    lines = (preds_per_truth[t] == 1) & (truths_per_pred[p] == 1)
    return lines, n_groups


def _correct_templates(tt: np.ndarray, pt: np.ndarray, k: int) -> int:
    """Predicted texts whose lines all have one true text, equal to the predicted text."""
    pred, true = _pairs(pt, tt, k)
    truths_per_pred = np.bincount(pred, minlength=k)
    return int(np.count_nonzero((truths_per_pred[pred] == 1) & (true == pred)))


def _f1(correct: int, n_predicted: int, n_truth: int) -> float:
    precision = correct / n_predicted
    recall = correct / n_truth
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)
