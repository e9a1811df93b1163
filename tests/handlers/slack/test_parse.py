"""Slack's encoded text read as the question asked (mentions dropped), never echoed as a ping."""

from __future__ import annotations

import json

import pytest

from handlers.slack import parse
from tests.emulators.slack import BOT_USER_ID, mention, slash_command
from tests.handlers.slack_setup import PINGS, HttpBot


@pytest.mark.parametrize(
    ("encoded", "plain"),
    [
        (f"<@{BOT_USER_ID}> when is it?", "when is it?"),
        (f"<@{BOT_USER_ID}|briefbot>   when is it?", "when is it?"),
        ("ask <@U999|ann> and <@U998>", "ask and"),
        ("<!here> <!channel> <!everyone> <!subteam^S1|@ops> <!subteam^S2> hi", "hi"),
        ("news in <#C123|japan> and <#C124>", "news in and"),
        ("due <!date^1392734382^{date}|Feb 18, 2014>", "due Feb 18, 2014"),
        (
            "see <https://example.com/a?b=1&amp;c=2|the article> or <https://x.org>",
            "see the article or https://x.org",
        ),
        ("tom &amp; jerry &lt;3 &gt;", "tom & jerry <3 >"),
    ],
)
def test_question_text_reads_slack_markup_as_typed(encoded: str, plain: str) -> None:
    assert parse.question_text(encoded) == plain


async def test_broadcasts_in_the_question_never_reach_slack(bot: HttpBot) -> None:
    bot.engine.passages = []  # the not-found wording, so nothing but the question could ping
    await bot.client.event(mention(f"{' '.join(PINGS)} when is the visit?"))
    await bot.client.command(
        slash_command("/ask", "<!channel> when is the visit?", bot.emulator.response_url())
    )

    [post] = await bot.emulator.wait_for("chat.postMessage")
    [respond] = await bot.emulator.wait_for("response_url")
    for body in (post.body, respond.body):
        assert not any(p in json.dumps(body) for p in PINGS)
    # Mentions say whom the message is for: the core gets what it asks.
    assert bot.engine.questions == ["when is the visit?", "when is the visit?"]
