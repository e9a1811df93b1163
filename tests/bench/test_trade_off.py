"""The answerability trade-off: shares at a threshold, the curve, operating points, AUC."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from bench.answerability import ANY_RESULT, baseline_top, measure_baseline
from bench.data import Question, QuestionSets, Sentence
from bench.metrics import (
    Top,
    at_most_not_found,
    at_most_off_topic,
    auc,
    trade_off,
    trade_off_curve,
)

# Four answerable questions: right and sure, wrong and fairly sure, right but unsure, no result.
PARA = [Top(0.9, True), Top(0.7, False), Top(0.4, True), Top(-math.inf)]
OFF = [0.8, 0.3, 0.1, 0.05]
UNANS = [0.75, 0.5]


def test_point_counts_a_refusal_as_a_miss_and_a_tie_as_quoted() -> None:
    p = trade_off(0.5, PARA, OFF, UNANS)
    assert p.hit1 == pytest.approx(1 / 4)  # 0.9 right; 0.7 quoted but wrong; 0.4 refused
    assert p.not_found == pytest.approx(2 / 4)  # 0.4 and the empty one
    assert p.off_topic == pytest.approx(1 / 4)  # 0.8
    assert p.unanswerable == pytest.approx(2 / 2)  # 0.75, and 0.5 reaches the threshold


def test_curve_has_a_point_per_distinct_score_and_ends_refusing_everything() -> None:
    curve = trade_off_curve(PARA, OFF, UNANS)
    assert [p.threshold for p in curve] == [0.05, 0.1, 0.3, 0.4, 0.5, 0.7, 0.75, 0.8, 0.9, math.inf]
    first, last = curve[0], curve[-1]
    # Lowest threshold: everything with a result is quoted; the empty result never is.
    assert (first.hit1, first.not_found, first.off_topic, first.unanswerable) == (
        0.5,
        0.25,
        1.0,
        1.0,
    )
    assert (last.hit1, last.not_found, last.off_topic, last.unanswerable) == (0.0, 1.0, 0.0, 0.0)


def test_curve_agrees_with_the_single_point() -> None:
    for p in trade_off_curve(PARA, OFF, UNANS):
        assert p == trade_off(p.threshold, PARA, OFF, UNANS)


def test_off_topic_goal_takes_the_lowest_threshold_that_meets_it() -> None:
    p = at_most_off_topic(trade_off_curve(PARA, OFF, UNANS), 0.25)
    # At 0.3 half the off-topic questions are quoted; at 0.4 only the 0.8 one.
    assert p.threshold == 0.4
    assert (p.hit1, p.not_found, p.off_topic) == (0.5, 0.25, 0.25)


def test_not_found_goal_takes_the_highest_threshold_that_meets_it() -> None:
    curve = trade_off_curve(PARA, OFF, UNANS)
    assert at_most_not_found(curve, 0.25).threshold == 0.4
    # The empty result is always refused: 10 % cannot be met, the lowest threshold is given.
    assert at_most_not_found(curve, 0.10) == curve[0]


def test_auc_counts_pairs_ranked_right_and_ties_as_half() -> None:
    # 0.9 beats all four off-topic scores, 0.7 and 0.4 beat three each, -inf none: 10 of 16.
    assert auc([t.score for t in PARA], OFF) == pytest.approx(10 / 16)
    assert auc([2.0, 1.0], [1.0]) == pytest.approx(0.75)
    assert auc([3.0], [1.0, 2.0]) == 1.0
    assert auc([1.0], [3.0]) == 0.0
    assert math.isnan(auc([], [1.0]))


@dataclass
class Canned:
    """A baseline that returns fixed (sentence id, score) hits per question."""

    hits: dict[str, list[tuple[int, float]]]
    name: str = "canned"
    build_s: float = 0.0

    def search(self, question: str, k: int = 10) -> list[int]:
        return [i for i, _ in self.scored(question, k)]

    def scored(self, question: str, k: int = 10) -> list[tuple[int, float]]:
        return self.hits.get(question, [])[:k]


SENTENCES = [Sentence("Denver won the game.", "Super Bowl"), Sentence("It rained.", "Weather")]


def test_baseline_top_is_its_first_sentence_and_score() -> None:
    canned = Canned({"who won": [(0, 7.5), (1, 2.0)], "what fell": [(1, 3.0)]})
    assert baseline_top(canned, SENTENCES, "who won", ["denver"]) == Top(7.5, True)
    assert baseline_top(canned, SENTENCES, "what fell", ["snow"]) == Top(3.0, False)
    assert baseline_top(canned, SENTENCES, "nothing matches", ["x"]) == Top(-math.inf)


def test_a_baseline_as_shipped_quotes_whenever_it_finds_a_sentence() -> None:
    canned = Canned({"who won": [(0, 7.5)], "capital of Peru": [(1, 1.0)]})
    para = Question("1", "Super Bowl", "who won", "who won", ("Denver",))
    empty = Question("2", "Super Bowl", "zzz", "zzz", ("Denver",))
    sets = QuestionSets((para, empty), ("capital of Peru", "qqq"), ())
    figures = measure_baseline(canned, SENTENCES, sets)
    assert figures["shipped"] == {
        "hit@1": 0.5,
        "not_found": 0.5,
        "off_topic_quoted": 0.5,
        "unanswerable_quoted": 0.0,
    }
    assert trade_off(ANY_RESULT, [Top(-math.inf)], [], []).not_found == 1.0
    # 7.5 beats both off-topic scores (1.0 and no result); the paraphrase without a result ties
    # the off-topic one without a result (half) and loses to 1.0: 2.5 of 4 pairs.
    assert figures["auc_off_topic"] == pytest.approx(2.5 / 4)
    # A threshold above 1.0 keeps the right answer and silences the off-topic quote.
    assert figures["at_off_topic_goal"]["threshold"] == 7.5
    assert figures["at_off_topic_goal"]["hit@1"] == 0.5
