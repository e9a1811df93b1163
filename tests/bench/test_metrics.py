"""The bench's metric functions: answer matching, hit@k, MRR@10, scoring, percentiles."""

from __future__ import annotations

import math

import pytest

from bench.metrics import (
    Outcome,
    contains_answer,
    first_hit_rank,
    fold,
    hit_at,
    latency_summary,
    percentile,
    reciprocal_rank,
    score,
)


def test_fold_collapses_whitespace_and_case() -> None:
    assert fold("  The\tOil \n\n Crisis ") == "the oil crisis"


def test_answer_match_is_case_insensitive() -> None:
    assert contains_answer("It began in OCTOBER 1973.", ["october 1973"])


def test_answer_match_folds_whitespace_on_both_sides() -> None:
    assert contains_answer("prices rose to nearly\n$12 globally", ["nearly  $12"])
    assert contains_answer("nearly $12", ["nearly\t$12 "])


def test_answer_must_occur_verbatim() -> None:
    assert not contains_answer("It began in October.", ["October 1973"])


def test_empty_gold_strings_never_match() -> None:
    assert not contains_answer("anything at all", ["", "   "])


def test_first_hit_rank_is_one_based_and_limited_to_k() -> None:
    quotes = ["no", "nope", "the answer is Denver", "Denver again"]
    assert first_hit_rank(quotes, ["Denver"]) == 3
    assert first_hit_rank(quotes, ["Denver"], k=2) is None
    assert first_hit_rank(quotes, ["Paris"]) is None


def test_hit_at_k() -> None:
    assert hit_at(1, 1)
    assert hit_at(3, 3)
    assert not hit_at(3, 1)
    assert not hit_at(None, 10)


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(1) == 1.0
    assert reciprocal_rank(3) == pytest.approx(1 / 3)
    assert reciprocal_rank(11, k=10) == 0.0
    assert reciprocal_rank(None) == 0.0


def test_score_hit_at_k_and_mrr_over_questions() -> None:
    outcomes = [
        Outcome(("Denver Broncos won", "x")),  # rank 1
        Outcome(("a", "b", "Carolina Panthers lost")),  # rank 3
        Outcome(("nothing", "here")),  # miss
        Outcome((), answered=False),  # not found
    ]
    golds = [["Denver Broncos"], ["Carolina Panthers"], ["Santa Clara"], ["Levi's Stadium"]]
    q = score(outcomes, golds)
    assert q.n == 4
    assert q.hit1 == pytest.approx(1 / 4)
    assert q.hit3 == pytest.approx(2 / 4)
    assert q.mrr10 == pytest.approx((1 + 1 / 3) / 4)
    assert q.not_found == pytest.approx(1 / 4)
    # Mean length of the top quote, over answered questions only.
    assert q.top_quote_chars == pytest.approx((18 + 1 + 7) / 3)


def test_unanswered_counts_as_miss_even_with_passages() -> None:
    q = score([Outcome(("the answer is 42",), answered=False)], [["42"]])
    assert q.hit1 == 0.0
    assert q.mrr10 == 0.0
    assert q.not_found == 1.0


def test_score_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        score([Outcome(("a",))], [["a"], ["b"]])


def test_percentile_interpolates() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == pytest.approx(2.5)
    assert percentile(list(map(float, range(1, 102))), 99) == pytest.approx(100.0)
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_latency_summary() -> None:
    s = latency_summary([1.0, 2.0, 3.0])
    assert s["n"] == 3
    assert s["mean"] == pytest.approx(2.0)
    assert s["p50"] == pytest.approx(2.0)
