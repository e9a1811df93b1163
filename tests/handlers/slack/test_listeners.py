"""Which Slack messages get an answer, once, and where: mentions, DMs, threads, retries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.engine import Engine
from tests.emulators.slack import (
    BOT_ID,
    BOT_USER_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    direct_message,
    mention,
    thread_reply,
)
from tests.handlers.slack_setup import QUESTION, HttpBot, context_texts, section_texts, settle


async def test_mention_is_answered_in_thread_from_the_bundled_corpus(
    start_bot: Callable[..., Awaitable[HttpBot]], engine: Engine
) -> None:
    bot = await start_bot(engine)
    event = mention(QUESTION)
    response = await bot.client.event(event)
    assert response.status == 200

    [call] = await bot.emulator.wait_for("chat.postMessage")
    body = call.body
    assert body["channel"] == CHANNEL_ID
    assert body["thread_ts"] == event["event"]["ts"]
    assert body["unfurl_links"] is False
    assert "link_names" not in body
    quotes = section_texts(body)
    assert 1 <= len(quotes) <= 3
    assert all(q.startswith("> ") for q in quotes)
    assert "this spring" in quotes[0]
    assert "*" in quotes[0]  # the answering words are bold
    citations = context_texts(body)
    assert len(citations) == 1  # the quotes all come from the one bundled article: cited once
    assert "Yomiuri" in citations[0] or "2026" in citations[0]
    assert "this spring" in body["text"]


async def test_direct_message_is_answered_without_mention(bot: HttpBot) -> None:
    await bot.client.event(direct_message(QUESTION))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    assert call.body["channel"] == DM_CHANNEL_ID
    assert "thread_ts" not in call.body
    assert "*this spring*" in section_texts(call.body)[0]
    assert bot.engine.questions == [QUESTION]


async def test_follow_up_in_answered_thread_is_answered_without_mention(bot: HttpBot) -> None:
    root = mention(QUESTION)
    await bot.client.event(root)
    await bot.emulator.wait_for("chat.postMessage")

    root_ts = root["event"]["ts"]
    await bot.client.event(thread_reply("who requested the call?", root_ts))

    calls = await bot.emulator.wait_for("chat.postMessage", 2)
    assert calls[1].body["thread_ts"] == root_ts
    # Asked as typed first (the fake's one answer does not say "requested": the thread's
    # article is then looked for among wider answers, which asks again).
    assert bot.engine.questions[:2] == [QUESTION, "who requested the call?"]


async def test_thread_reply_with_mention_is_answered_once(bot: HttpBot) -> None:
    root = mention(QUESTION)
    await bot.client.event(root)
    await bot.emulator.wait_for("chat.postMessage")
    root_ts = root["event"]["ts"]

    # Slack sends both a message.channels and an app_mention event for this one message.
    reply = thread_reply(f"<@{BOT_USER_ID}> and when in spring?", root_ts)
    also = mention("and when in spring?", ts=reply["event"]["ts"], thread_ts=root_ts)
    await bot.client.event(reply)
    await bot.client.event(also)

    calls = await bot.emulator.wait_for("chat.postMessage", 2)
    await settle()
    assert len(bot.emulator.posted()) == 2
    assert calls[1].body["thread_ts"] == root_ts
    # asked once, read with the thread's first question
    assert bot.engine.questions == [QUESTION, "when in spring (is Takaichi visiting the US)?"]


async def test_threads_the_bot_never_answered_in_are_ignored(bot: HttpBot) -> None:
    await bot.client.event(thread_reply("unrelated chatter", "1767000000.000001"))
    await settle()
    assert bot.emulator.posted() == []
    assert bot.engine.questions == []


async def test_bot_messages_edits_and_own_messages_are_ignored(bot: HttpBot) -> None:
    root = mention(QUESTION)
    await bot.client.event(root)
    await bot.emulator.wait_for("chat.postMessage")
    root_ts = root["event"]["ts"]

    ignored = [
        thread_reply("Here is what I found", root_ts, user=BOT_USER_ID, bot_id=BOT_ID),
        thread_reply("beep", root_ts, user=None, bot_id="B999", subtype="bot_message"),
        direct_message("beep", bot_id="B999", user="U999"),
        direct_message("my own echo", user=BOT_USER_ID),
        direct_message(QUESTION, subtype="message_changed"),
        direct_message(QUESTION, subtype="message_deleted"),
        mention(QUESTION, edited={"user": "U222", "ts": "1767225600.000999"}),
    ]
    for event in ignored:
        assert (await bot.client.event(event)).status == 200
    await settle()
    assert len(bot.emulator.posted()) == 1
    assert bot.engine.questions == [QUESTION]


async def test_empty_mention_gets_help(bot: HttpBot) -> None:
    await bot.client.event(mention(""))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    assert "Ask me a question" in section_texts(call.body)[0]
    assert "/ask" in context_texts(call.body)[0]
    assert bot.engine.questions == []


async def test_over_long_question_is_cut_and_answered_with_a_notice(
    start_bot: Callable[..., Awaitable[HttpBot]], engine: Engine
) -> None:
    bot = await start_bot(engine, briefbot_max_question_chars=1000)
    await bot.client.event(mention(" ".join([QUESTION] * 40)))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    notice = context_texts(call.body)[0]
    assert notice.startswith("Your question was 1,359 characters long; I only read the first")
    assert "this spring" in section_texts(call.body)[0]
    assert call.body["text"].startswith(notice)


async def test_retried_delivery_is_answered_once(bot: HttpBot) -> None:
    first = mention(QUESTION)
    second = mention("who requested the call?")
    # A retry racing the first delivery, and a late one after the answer went out.
    responses = await asyncio.gather(bot.client.event(first), bot.client.event(first, retry_num=1))
    assert [r.status for r in responses] == [200, 200]
    await bot.emulator.wait_for("chat.postMessage")
    assert (await bot.client.event(first, retry_num=2)).status == 200
    await bot.client.event(second)
    await bot.emulator.wait_for("chat.postMessage", 2)
    await settle()
    assert len(bot.emulator.posted()) == 2
    assert bot.engine.questions == [QUESTION, "who requested the call?"]


async def test_retry_of_a_delivery_that_never_arrived_is_answered(bot: HttpBot) -> None:
    # The first delivery was lost (restart, outage): the retry is the only chance to answer.
    await bot.client.event(mention(QUESTION), retry_num=1)
    await bot.emulator.wait_for("chat.postMessage")
    assert bot.engine.questions == [QUESTION]
