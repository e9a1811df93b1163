"""The kind of answer a question asks for, and where a sentence holds one."""

from __future__ import annotations

import pytest

from bot.text.analyzer import fold, words
from bot.text.answer_types import AnswerType, answer_spans, question_type


def kind_of(question: str) -> AnswerType:
    return question_type([w for w, _, _ in words(fold(question))])


def found(sentence: str, kind: AnswerType) -> list[str]:
    return [sentence[a:b] for a, b in answer_spans(sentence, kind)]


@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        ("The bridge will be 147 metres long and six metres wide.", "147 metres"),
        ("Snow closed a 28-kilometre stretch between Iwamizawa and Bibai.", "28-kilometre"),
        ("The turbines will stand about 30 kilometres offshore.", "30 kilometres"),
        ("The new tunnel is 1.2km long.", "1.2km"),
        ("Speaking after the 25-minute conversation, she smiled.", "25-minute"),
        ("Work will last eighteen months.", "eighteen months"),
        ("He signed a five-and-a-half-year contract.", "five-and-a-half-year"),
        ("The catch-up campaign will run until the end of June.", "the end of June"),
        ("The panel published a 46-page ruling.", "46-page"),
    ],
)
def test_how_long_is_answered_by_a_length_as_well_as_a_span_of_time(
    sentence: str, answer: str
) -> None:
    """A question "how long is the bridge?" wants metres, "how long was the call?" minutes: both
    are the kind asked for, so neither sentence is ranked down as lacking it."""
    assert kind_of("How long is the closed stretch of the motorway?") is AnswerType.DURATION
    assert any(answer in span for span in found(sentence, AnswerType.DURATION))


def test_money_and_dates_are_no_length_of_time() -> None:
    sentence = "The startup raised $2m in May and 5 million euros in June 2025."
    assert found(sentence, AnswerType.DURATION) == []
