"""Tests of llamalog.templates.metrics: GA, PA, FGA and FTA on cases with known answers."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llamalog.templates.metrics import ParsingScores, evaluate_parsing

#: Eight lines: true group A has 4 lines, B and C 2 each.
TRUTH = ["A", "A", "A", "A", "B", "B", "C", "C"]
TEXTS = {"A": "open file <*>", "B": "close file <*>", "C": "disk full"}
TRUTH_TEXTS = [TEXTS[g] for g in TRUTH]


def f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def reference(truth, predicted, truth_texts=None, predicted_texts=None) -> dict:
    """The definitions written out with sets and loops, for comparison.

    GA and FGA as Loghub-2.0's ``evaluator.get_accuracy``, PA as ``PA_calculator``, FTA as
    ``template_level_analysis.evaluate_template_level`` (predicted templates are the
    distinct predicted texts; one is correct when its lines have a single true text equal
    to it).
    """
    n = len(truth)

    def groups(labels):
        out: dict = {}
        for i, label in enumerate(labels):
            out.setdefault(label, set()).add(i)
        return out

    true_sets, pred_sets = groups(truth), groups(predicted)
    true_frozen = {frozenset(s) for s in true_sets.values()}
    ok_lines = sum(pred_sets[predicted[i]] == true_sets[truth[i]] for i in range(n))
    correct = sum(frozenset(s) in true_frozen for s in pred_sets.values())
    out = {
        "ga": ok_lines / n,
        "fga": f1(correct / len(pred_sets), correct / len(true_sets)),
        "n_correct_groups": correct,
    }
    if truth_texts is not None:
        out["pa"] = sum(a == b for a, b in zip(truth_texts, predicted_texts, strict=True)) / n
        by_text = groups(predicted_texts)
        good = sum({truth_texts[i] for i in lines} == {text} for text, lines in by_text.items())
        out["fta"] = f1(good / len(by_text), good / len(set(truth_texts)))
        out["n_correct_templates"] = good
    return out


def test_perfect_parse_scores_one():
    s = evaluate_parsing(
        TRUTH,
        [7, 7, 7, 7, 3, 3, 9, 9],
        truth_templates=TRUTH_TEXTS,
        predicted_templates=TRUTH_TEXTS,
    )
    assert (s.ga, s.pa, s.fga, s.fta) == (1.0, 1.0, 1.0, 1.0)
    assert (s.n_lines, s.n_truth_groups, s.n_predicted_groups, s.n_correct_groups) == (8, 3, 3, 3)
    assert (s.n_truth_templates, s.n_predicted_templates, s.n_correct_templates) == (3, 3, 3)
    # Template strings as labels are their own texts.
    assert evaluate_parsing(TRUTH_TEXTS, list(TRUTH_TEXTS)).as_dict() == s.as_dict()


def test_split_group():
    # A (4 of 8 lines) split in two: GA loses A's share; B and C stay correct.
    predicted = ["A1", "A1", "A2", "A2", "B", "B", "C", "C"]
    s = evaluate_parsing(TRUTH, predicted)
    assert s.ga == pytest.approx(1 - 4 / 8)
    # 2 correct of 4 predicted groups, of 3 true: P = 1/2, R = 2/3, F1 = (2/3) / (7/6) = 4/7.
    assert s.fga == pytest.approx(4 / 7)
    assert (s.n_predicted_groups, s.n_correct_groups) == (4, 2)


def test_merged_groups():
    # B and C merged: only A is correct. P = 1/2, R = 1/3, F1 = (1/3) / (5/6) = 2/5.
    predicted = ["A", "A", "A", "A", "BC", "BC", "BC", "BC"]
    s = evaluate_parsing(TRUTH, predicted)
    assert s.ga == pytest.approx(4 / 8)
    assert s.fga == pytest.approx(2 / 5)
    assert (s.n_predicted_groups, s.n_correct_groups) == (2, 1)


def test_correct_groups_wrong_text():
    predicted_texts = [t.replace("close file <*>", "close <*> <*>") for t in TRUTH_TEXTS]
    s = evaluate_parsing(
        TRUTH, TRUTH, truth_templates=TRUTH_TEXTS, predicted_templates=predicted_texts
    )
    assert s.ga == 1.0 and s.fga == 1.0
    assert s.pa == pytest.approx(6 / 8)  # the two B lines
    assert s.fta == pytest.approx(2 / 3)  # 2 correct of 3 predicted, of 3 true
    assert s.n_correct_templates == 2


def test_published_definition_worked_example():
    # Six lines, true templates T1 (lines 0-2), T2 (3-4), T3 (5):
    #   line  true                     predicted
    #   0     Receiving block <*>      Receiving block <*>       (P1)
    #   1     Receiving block <*>      Receiving block <*>       (P1)
    #   2     Receiving block <*>      <*> block <*>             (P2)
    #   3     Deleting block <*>       <*> block <*>             (P2)
    #   4     Deleting block <*>       <*> block <*>             (P2)
    #   5     Verification succeeded   Verification succeeded    (P3)
    # GA: T1 is spread over P1 and P2, T2 shares P2 with line 2; only T3 = P3 exactly.
    #     GA = 1/6.
    # FGA: 1 correct group (P3) of 3 predicted and 3 true: P = R = 1/3, FGA = 1/3.
    # PA: lines 0, 1, 5 have the true text: 3/6.
    # FTA (Loghub-2.0's template_level_analysis): P1's lines all have true template T1
    #     and its text is T1 -> correct, although T1's line 2 went to P2 (purity, not
    #     completeness). P2 mixes T1 and T2 -> wrong. P3 correct. PTA = RTA = 2/3.
    #     (Requiring the whole group to be correct as well would give 1/3.)
    t1, t2, t3 = "Receiving block <*>", "Deleting block <*>", "Verification succeeded"
    truth = [t1, t1, t1, t2, t2, t3]
    predicted = [t1, t1, "<*> block <*>", "<*> block <*>", "<*> block <*>", t3]
    s = evaluate_parsing(truth, predicted)
    assert s.ga == pytest.approx(1 / 6)
    assert s.fga == pytest.approx(1 / 3)
    assert s.pa == pytest.approx(3 / 6)
    assert s.fta == pytest.approx(2 / 3)
    assert (s.n_correct_groups, s.n_correct_templates) == (1, 2)
    assert reference(truth, predicted, truth, predicted) == pytest.approx(
        {
            k: getattr(s, k)
            for k in ("ga", "fga", "pa", "fta", "n_correct_groups", "n_correct_templates")
        }
    )


def test_label_permutation_and_line_order_do_not_matter():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 6, 200)
    predicted = np.where(truth == 2, 3, truth)  # merge 2 into 3
    predicted[truth == 4] = 10 + rng.integers(0, 2, np.count_nonzero(truth == 4))  # split 4
    names = np.array([f"t{i} <*>" for i in range(12)], dtype=object)
    base = evaluate_parsing(
        truth, predicted, truth_templates=names[truth], predicted_templates=names[predicted % 12]
    )
    rename_t, rename_p = rng.permutation(100), rng.permutation(100) + 500
    order = rng.permutation(200)
    renamed = evaluate_parsing(
        rename_t[truth][order],
        rename_p[predicted][order],
        truth_templates=names[truth][order],
        predicted_templates=names[predicted % 12][order],
    )
    assert renamed == base
    assert 0 < base.ga < 1 and 0 < base.fga < 1


def test_ids_and_texts_that_are_not_one_to_one():
    # Two predicted ids with the same (right) text: the grouping is split (GA, FGA), the
    # text is one correct template (FTA), as Loghub-2.0 would see it from the text alone.
    s = evaluate_parsing(
        [0, 0, 1],
        [5, 6, 7],
        truth_templates=["a <*>", "a <*>", "b"],
        predicted_templates=["a <*>", "a <*>", "b"],
    )
    assert s.ga == pytest.approx(1 / 3)
    assert (s.pa, s.fta) == (1.0, 1.0)
    assert (s.n_predicted_groups, s.n_predicted_templates) == (3, 2)


def test_without_texts_pa_and_fta_are_nan():
    s = evaluate_parsing([0, 0, 1], [1, 1, 0])
    assert (s.ga, s.fga) == (1.0, 1.0)
    assert math.isnan(s.pa) and math.isnan(s.fta)
    assert (s.n_truth_templates, s.n_predicted_templates, s.n_correct_templates) == (0, 0, 0)
    # Texts on one side only are not enough either.
    assert math.isnan(evaluate_parsing(["a", "b"], [0, 1]).pa)


@pytest.mark.parametrize(
    "make",
    [
        list,
        np.array,
        lambda v: np.array(v, dtype=object),
        lambda v: pd.Series(v, dtype="str"),
        lambda v: pd.Series(v, dtype="category"),
        lambda v: pd.Index(v),
    ],
    ids=["list", "ndarray", "object", "str-series", "categorical", "index"],
)
def test_input_types(make):
    predicted = ["x", "x", "x", "x", "B", "B", "C", "C"]
    s = evaluate_parsing(make(TRUTH), make(predicted))
    assert (s.ga, s.pa, s.fga) == (1.0, pytest.approx(4 / 8), 1.0)


def test_tuple_labels():
    truth = [("a", 1), ("a", 1), ("b", 2)]
    assert evaluate_parsing(truth, [0, 0, 1]).ga == 1.0


def test_empty_input_raises():
    with pytest.raises(ValueError, match="empty"):
        evaluate_parsing([], [])


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="truth has 3 lines but predicted has 2"):
        evaluate_parsing([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="truth_templates has 2 entries"):
        evaluate_parsing(
            [1, 2, 3], [1, 2, 3], truth_templates=["a", "b"], predicted_templates=["a", "b", "c"]
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"truth": ["a", None], "predicted": ["a", "b"]}, "truth has 1 missing"),
        ({"truth": ["a", "b"], "predicted": [1.0, float("nan")]}, "predicted has 1 missing"),
        ({"truth": np.zeros((2, 2)), "predicted": [1, 2]}, "one-dimensional"),
        ({"truth": "ab", "predicted": "ab"}, "one string"),
        (
            {
                "truth": [1, 2],
                "predicted": [1, 2],
                "truth_templates": [1, 2],
                "predicted_templates": ["a", "b"],
            },
            "truth_templates must be strings",
        ),
    ],
)
def test_bad_input_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        evaluate_parsing(**kwargs)


def test_scores_are_frozen_and_dict():
    s = evaluate_parsing(TRUTH, TRUTH)
    assert isinstance(s, ParsingScores)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.ga = 0.5  # type: ignore[misc]
    assert list(s.as_dict())[:5] == ["ga", "pa", "fga", "fta", "n_lines"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 3), st.integers(0, 3)),
        min_size=1,
        max_size=30,
    )
)
def test_matches_reference(rows):
    truth, predicted, t_text, p_text = (list(c) for c in zip(*rows, strict=True))
    truth_texts = [f"t{v} <*>" for v in t_text]
    predicted_texts = [f"t{v} <*>" for v in p_text]
    s = evaluate_parsing(
        truth, predicted, truth_templates=truth_texts, predicted_templates=predicted_texts
    )
    ref = reference(truth, predicted, truth_texts, predicted_texts)
    assert {k: getattr(s, k) for k in ref} == pytest.approx(ref)
