"""Telling a follow-up question in a thread from the people in it talking to each other."""

from __future__ import annotations

import pytest

from bot.text.question import is_follow_up, prepare


@pytest.mark.parametrize(
    "text",
    [
        "and who requested the call?",
        "what about Japan",
        "When is the vote",
        "how many tariffs are there",
        "is it this spring?",
        "“really?”",
    ],
)
def test_questions_for_the_bot_are_follow_ups(text: str) -> None:
    assert is_follow_up(text)


@pytest.mark.parametrize("text", ["thanks!", "lol", "see you at 3", "ok cool", "", "   "])
def test_chatter_is_not_a_follow_up(text: str) -> None:
    assert not is_follow_up(text)


def test_a_long_question_is_cut_at_a_word_and_the_notice_names_the_limit() -> None:
    words = "when is the prime minister visiting the united states " * 100
    cut, notice = prepare(words, 1000)
    assert len(cut) <= 1000 and words.startswith(cut) and not cut.endswith(" ")
    assert notice == (
        f"Your question was {len(words.strip()):,} characters long; I only read the first 1,000 "
        "(to the last whole word)."
    )
    assert prepare("short question?", 1000) == ("short question?", None)
