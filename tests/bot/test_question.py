"""Telling a follow-up question in a thread from the people in it talking to each other."""

from __future__ import annotations

import pytest

from bot.question import is_follow_up


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
