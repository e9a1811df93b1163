"""Rewriting a follow-up into the question it means, and the capped, expiring memory."""

from __future__ import annotations

import pytest

from bot.followup import Conversations, Turn, rewrite

FINAL = Turn("who won the champions league?", "Napoli", "Napoli win the Champions League")
CALL = Turn(
    "who asked for the phone call?",
    "the Japanese side",
    "Takaichi, Trump Agree to Arrange Her U.S. Visit This Spring",
)
SEATS = Turn("how many seats did Chega win?", "60", "Chega second in Portugal's election")


@pytest.mark.parametrize(
    ("turn", "follow_up", "meant"),
    [
        (FINAL, "and when?", "when Napoli won the champions league?"),
        (FINAL, "where was it played?", "where was the champions league played?"),
        (FINAL, "who scored?", "who scored (Napoli, the champions league)?"),
        (CALL, "and when is she visiting?", "when is Takaichi visiting?"),
        (CALL, "how long did it last?", "how long did the phone call last?"),
        (SEATS, "what about the Socialists?", "how many seats did the Socialists win?"),
    ],
)
def test_a_follow_up_that_leans_is_rewritten(turn: Turn, follow_up: str, meant: str) -> None:
    assert rewrite(follow_up, turn) == meant


@pytest.mark.parametrize(
    "text", ["Who is the president of France?", "thanks!", "when did the Galway bridge open?"]
)
def test_a_question_that_stands_alone_is_left_alone(text: str) -> None:
    assert rewrite(text, FINAL) is None


def test_the_memory_is_capped_and_expires() -> None:
    memory = Conversations(limit=2, ttl_s=3600)
    for key in ("a", "b", "c"):
        memory.remember(key, FINAL)
    assert memory.last("a") is None and memory.last("c") == FINAL
    quick = Conversations(ttl_s=0.0)
    quick.remember("a", FINAL)
    assert quick.last("a") is None
