"""The verdict on candidates, with the real models: what a quote's article must name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine import Engine
from tests.conftest import make_settings


@pytest.fixture
def watches(write_article: Callable[..., Path]) -> Engine:
    write_article(
        "watches.md",
        "Swiss watch exports fall for a fifth month",
        "2026-07-21",
        """
        BIEL, Switzerland — Swiss watch exports fell for a fifth consecutive month in June,
        dropping 8.7 percent from a year earlier to 1.71 billion Swiss francs.

        Shipments to China fell 12 percent, while exports to the United States rose 4.5 percent.

        The European Union announced new rules on watch labels on Tuesday.
        """,
    )
    folder = write_article(
        "snow.md",
        "Heavy snow strands lorries in Japan",
        "2026-02-11",
        "SAPPORO — Heavy snow closed a motorway in northern Japan on Tuesday.",
    )
    return Engine.load(make_settings(briefbot_corpus=folder, briefbot_semantic=True))


@pytest.mark.parametrize(
    "question",
    [
        # Japan is in the corpus, but not in the article on watch exports.
        "How much did Swiss watch exports to Japan fall in June?",
        # The African Union is nowhere in the corpus ("Union" alone is not a word of it).
        "What rules on watch labels did the African Union announce?",
    ],
)
def test_a_question_naming_what_an_article_never_names_gets_no_quote_from_it(
    watches: Engine, question: str
) -> None:
    answer = watches.ask_sync(question)
    assert not answer.answered and not answer.passages, question


@pytest.mark.parametrize(
    ("question", "quote"),
    [
        ("How much did Swiss watch exports fall in June?", "8.7 percent"),
        ("What did the European Union announce on Tuesday?", "new rules on watch labels"),
    ],
)
def test_the_same_questions_about_what_the_article_names_are_answered(
    watches: Engine, question: str, quote: str
) -> None:
    answer = watches.ask_sync(question)
    assert answer.answered, question
    assert quote in answer.passages[0].quote
