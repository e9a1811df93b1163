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


RACE = Turn("who won the Oslo marathon?", "Kenyan runner Anna Berg", "Berg wins in Oslo")
STORM = Turn("was there a flood warning after the storm?", "a flood warning", "Storm hits coast")
BRIDGE = Turn("when did the old bridge close?", "in May", "Bridge closed for repairs")
PHONE = Turn("how heavy is Nokia's new phone?", "190 grams", "Nokia launches a phone")
CROWD = Turn("how many fans came to the final?", "68,000", "United win the cup")
BUDGET = Turn("how much did Oslo spend on buses?", "2 million", "Oslo approves its budget")
TALKS = Turn("what did Lula and Macron discuss?", "trade", "Lula meets Macron")
CLUB = Turn("what did Ajax's coach say after the match?", "proud", "Ajax beat PSV")
MEDALS = Turn("how many medals did Norway win?", "16", "Norway top the table")


@pytest.mark.parametrize(
    ("turn", "follow_up", "meant"),
    [
        # After "who ...?", he/she is the person it found: the full name in its answer.
        (RACE, "where is she from?", "where is Anna Berg from?"),
        # "it" is the first noun phrase, up to a preposition: the warning, not the storm.
        (STORM, "when was it lifted?", "when was a flood warning lifted?"),
        # A noun phrase ends before the verb closing a "did/does/will" question.
        (BRIDGE, "why was it closed?", "why was the old bridge closed?"),
        # "they": two names joined by "and", else the first name, less its possessive.
        (TALKS, "when did they meet?", "when did Lula and Macron meet?"),
        (CLUB, "and what do they get?", "what do Ajax get?"),
        # Who/what with one word of its own and no name: asked of the subject (its names,
        # else its noun phrase), not of the whole previous question; when/where/why of it.
        (CROWD, "who scored?", "who scored (the final)?"),
        (CROWD, "and where exactly?", "where exactly (fans came to the final)?"),
        (BUDGET, "who voted against?", "who voted against (Oslo)?"),
        # "and X?": what about X; a thing replaces the last noun phrase (a possessive too).
        (PHONE, "and the battery?", "how heavy is the battery?"),
        (SEATS, "and the Socialists?", "how many seats did the Socialists win?"),
        (MEDALS, "and Spain?", "how many medals did Spain win?"),
    ],
)
def test_what_a_follow_up_leans_on_is_kept_short(turn: Turn, follow_up: str, meant: str) -> None:
    assert rewrite(follow_up, turn) == meant


@pytest.mark.parametrize(
    "text",
    [
        "Who is the president of France?",
        "thanks!",
        "when did the Galway bridge open?",
        "and thanks!",  # "and X" is a follow-up only as a question
        "and you?",
        "who scored the winner?",  # two words of its own
        "where does he go after Lisbon?",  # its own names: read alone, pronoun or not
    ],
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


def test_a_follow_ups_own_words_are_what_its_answer_must_say() -> None:
    from bot.followup import has_own_words, says_own_words

    assert says_own_words("who proposed the date?", "with the US proposing it take place Friday")
    assert not says_own_words("are you coming to lunch?", "The call lasted 25 minutes.")
    assert not has_own_words("and when?") and says_own_words("and when?", "anything at all")
    assert has_own_words("so who scored first?")
