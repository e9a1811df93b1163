"""A question read as index terms: chat's lower-case names still name the question's subject."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answer.query import analyse
from bot.engine import Engine
from bot.semantic.reader import shared_reader
from tests.conftest import make_settings


@pytest.fixture
def two_companies(write_article: Callable[..., Path]) -> Path:
    write_article(
        "glasses.md",
        "Lumora unveils its first smart glasses",
        "2026-03-03",
        """
        SAN JOSE — Lumora, the fitness tracker maker, unveiled its first smart glasses on Tuesday.

        Speaking at the launch, chief executive Dana Okafor said sales would begin in late April.
        """,
    )
    return write_article(
        "merger.md",
        "Brightwell and Ostara agree to merge",
        "2026-03-04",
        """
        LONDON — The grocers Brightwell and Ostara agreed on Monday to merge, the Bank of England
        said.

        Brightwell's chief executive, Sunita Barot, will step down once the merger is completed.

        The merged company will move its account to another bank.
        """,
    )


def test_a_name_typed_in_lower_case_keeps_the_answer_to_its_subject(two_companies: Path) -> None:
    """ "lumora" is no English word and the corpus always writes it "Lumora": another company's
    chief executive is no answer."""
    engine = Engine.load(make_settings(briefbot_corpus=two_companies, briefbot_semantic=True))
    for question in (
        "who is the chief executive of lumora",
        "who is the chief executive of Lumora",
    ):
        answer = engine.ask_sync(question)
        assert answer.answered, question
        assert "Dana Okafor" in answer.passages[0].quote, question


def test_an_english_word_or_one_written_in_lower_case_is_no_name(two_companies: Path) -> None:
    engine = Engine.load(make_settings(briefbot_corpus=two_companies))
    english = shared_reader().knows_word
    asked = "which bank in england did lumora pick"
    terms = {t.surface: t.name for t in analyse(asked, engine.index, english).terms}
    assert terms["lumora"] is True
    assert terms["bank"] is False  # "Bank of England", but also "another bank"
    assert terms["england"] is False  # written only as a name, but an English word
    plain = {t.surface: t.name for t in analyse(asked, engine.index).terms}
    assert plain["lumora"] is False  # no vocabulary (no models): lower case is no name
