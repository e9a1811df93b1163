"""Answers and briefings as Slack receives them: Block Kit, mrkdwn escaped, within limits."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from bot.engine import Engine
from handlers.slack import blocks
from handlers.slack.blocks import ZWSP
from tests.conftest import make_settings
from tests.emulators.slack import BOT_TOKEN, mention
from tests.handlers.slack_setup import (
    CITATION,
    PINGS,
    QUESTION,
    SPRING,
    HttpBot,
    canned,
    context_texts,
    passage,
    section_texts,
)


async def test_mention_renders_bold_quote_and_linked_citation(bot: HttpBot) -> None:
    event = mention(QUESTION)
    await bot.client.event(event)

    [call] = await bot.emulator.wait_for("chat.postMessage")
    assert call.token == BOT_TOKEN
    assert call.body["blocks"] == [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "> " + SPRING[:-12] + "*this spring*."},
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": CITATION}]},
    ]
    assert call.body["text"] == (
        f"“{SPRING}” — Japan, U.S. to arrange Takaichi visit, The Yomiuri Shimbun, 3 Jan 2026"
    )
    assert call.body["thread_ts"] == event["event"]["ts"]
    assert bot.engine.questions == [QUESTION]


async def test_at_most_three_passages_are_posted(
    start_bot: Callable[..., Awaitable[HttpBot]],
) -> None:
    bot = await start_bot(canned([passage(SPRING, "this spring")] * 5))
    await bot.client.event(mention(QUESTION))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    assert len(section_texts(call.body)) == 3
    assert len(context_texts(call.body)) == 1  # three quotes of one article, cited once
    assert call.body["text"].count("this spring") == 3


async def test_unanswered_question_says_so_with_the_hint(
    start_bot: Callable[..., Awaitable[HttpBot]],
) -> None:
    bot = await start_bot(canned(passages=[]))
    await bot.client.event(mention("What is the capital of France?"))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    [text] = section_texts(call.body)
    assert text == "Nothing in the corpus answers that. I know about Japan-U.S. relations."


async def test_markup_in_corpus_text_renders_as_written(
    start_bot: Callable[..., Awaitable[HttpBot]],
) -> None:
    quote = "Ships <!channel> & <@U999> *storm* _week_ ~soon~ `now` @here closed."
    bot = await start_bot(canned([passage(quote, "closed")]))
    await bot.client.event(mention("when are ships closed?"))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    z = ZWSP
    assert section_texts(call.body)[0] == (
        f"> Ships &lt;!channel&gt; &amp; &lt;@U999&gt; {z}*{z}storm{z}*{z} {z}_{z}week{z}_{z} "
        f"{z}~{z}soon{z}~{z} {z}`{z}now{z}`{z} @\u2060here *closed*."
    )
    assert not any(p in json.dumps(call.body) for p in PINGS)


async def test_markup_in_corpus_text_is_neutralised_from_a_real_corpus(
    write_article: Callable[..., Any], start_bot: Callable[..., Awaitable[HttpBot]]
) -> None:
    folder = write_article(
        "harbour.md",
        "Harbour closure notice",
        "2026-01-05",
        """
        The harbour master told <!channel> and <!here> that the harbour will be closed on Tuesday
        for the storm, <!everyone> <!subteam^S0123|@ops> <@U999> & *crews* _must_ ~wait~ `now`.
        """,
        source="Port Gazette",
        url="https://example.com/harbour",
    )
    engine = Engine.load(make_settings(briefbot_corpus=folder))
    bot = await start_bot(engine)
    await bot.client.event(mention("when will the harbour be closed?"))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    dumped = json.dumps(call.body, ensure_ascii=False)
    assert not any(p in dumped for p in PINGS)
    assert "&lt;!channel&gt;" in dumped


async def test_long_quote_is_clipped_to_slack_limits(
    start_bot: Callable[..., Awaitable[HttpBot]],
) -> None:
    quote = "Fish & chips 🐟 " * 400 + "the harbour reopens Monday."
    bot = await start_bot(canned([passage(quote, "reopens Monday")]))
    await bot.client.event(mention("when does the harbour reopen?"))

    [call] = await bot.emulator.wait_for("chat.postMessage")  # the emulator enforces limits
    text = section_texts(call.body)[0]
    assert blocks.slack_len(text) <= 3000
    assert text.endswith("…")
    assert "&amp;" in text and "& " not in text


def test_links_cannot_break_out_of_their_markup() -> None:
    assert (
        blocks.SLACK.link("T", "https://x.org/a|b>c d&e") == "<https://x.org/a%7Cb%3Ec%20d&amp;e|T>"
    )
    assert blocks.SLACK.link("T", "javascript:alert(1)") == "T"


def test_fit_counts_like_slack_and_never_cuts_markup() -> None:
    text = blocks.fit("🐟 & " * 1000, blocks.escape, 100)
    assert blocks.slack_len(text) <= 100
    assert text.endswith("…")
    assert not text.rstrip("…").endswith("&am")
