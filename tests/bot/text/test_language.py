"""Telling a question in another language from an English one, with the real identifier."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.text.language import foreign_language
from handlers.render import not_found_text

FOREIGN = [
    ("¿Cuándo visitará Takaichi Estados Unidos?", "Spanish"),
    ("cuantos muertos hubo en el terremoto de Izmir", "Spanish"),
    ("quando a Takaichi vai visitar os EUA?", "Portuguese"),
    ("Wann besucht Takaichi die USA?", "German"),
    ("Quand Takaichi se rend-elle aux États-Unis ?", "French"),
    ("高市首相はいつアメリカを訪問しますか", "Japanese"),
    ("Когда Такаити посетит США?", "Russian"),
]

ENGLISH = [
    "who asked for the phone call?",
    "when is Takaichi visiting the US?",
    "how many minutes did the call with trump last",
    "What did André Ventura's Chega win?",
    "Bayraklı earthquake deaths",
    "what's new today?",
    "and when?",
    "Napoli Scudetto",
    "Sanae Takaichi",
    "2026",
    "?!",
]


@pytest.mark.parametrize(("question", "language"), FOREIGN)
def test_a_question_in_another_language_is_named(question: str, language: str) -> None:
    assert foreign_language(question, set()) == language


@pytest.mark.parametrize("question", ENGLISH)
def test_english_questions_with_foreign_names_are_read_as_english(question: str) -> None:
    assert foreign_language(question, set()) is None


def test_words_of_the_corpus_make_a_mixed_question_english() -> None:
    """English about Portugal: the identifier leans Portuguese, the corpus knows the words."""
    question = "Ventura Chega Assembleia da República seats"
    vocabulary = {"ventura", "chega", "assembleia", "república", "seats"}
    assert foreign_language(question, vocabulary) is None


def test_the_reply_says_the_bot_reads_english_not_that_nothing_answers(engine: Engine) -> None:
    answer = engine.ask_sync("¿Cuándo visitará Takaichi Estados Unidos?")
    assert not answer.answered and answer.language == "Spanish"
    text = not_found_text(answer)
    assert "Spanish" in text and "English only" in text
    assert "Nothing in the corpus" not in text
    english = engine.ask_sync("what is the capital of peru?")
    assert english.language is None and not_found_text(english).startswith("Nothing in the corpus")
