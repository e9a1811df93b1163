"""The /ask and /brief slash commands: acknowledged at once, answered through response_url."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import pytest

from bot.engine import Engine
from tests.emulators.slack import slash_command
from tests.handlers.slack_setup import CITATION, QUESTION, HttpBot, context_texts, section_texts


async def test_ask_command_acks_then_answers_in_channel(bot: HttpBot) -> None:
    form = slash_command("/ask", QUESTION, bot.emulator.response_url())
    response = await bot.client.command(form)
    assert response.status == 200
    assert response.json() == {"response_type": "in_channel"}

    [call] = await bot.emulator.wait_for("response_url")
    assert call.body["response_type"] == "in_channel"
    assert call.body["unfurl_links"] is False
    assert "*this spring*" in section_texts(call.body)[0]
    assert context_texts(call.body) == [CITATION]
    assert "authorization" not in call.headers
    assert bot.emulator.posted() == []


@pytest.mark.parametrize("flag", ["-p", "--private"])
async def test_ask_private_flag_answers_ephemerally(bot: HttpBot, flag: str) -> None:
    response = await bot.client.command(
        slash_command("/ask", f"{flag} {QUESTION}", bot.emulator.response_url())
    )
    assert (response.status, response.text) == (200, "")

    [call] = await bot.emulator.wait_for("response_url")
    assert call.body["response_type"] == "ephemeral"
    assert bot.engine.questions == [QUESTION]


async def test_empty_ask_gets_private_help(bot: HttpBot) -> None:
    await bot.client.command(slash_command("/ask", "  ", bot.emulator.response_url()))

    [call] = await bot.emulator.wait_for("response_url")
    assert call.body["response_type"] == "ephemeral"
    assert "Ask me a question" in section_texts(call.body)[0]


async def test_brief_command_lists_articles_via_response_url(bot: HttpBot) -> None:
    response = await bot.client.command(
        slash_command("/brief", "japan", bot.emulator.response_url())
    )
    assert response.status == 200

    [call] = await bot.emulator.wait_for("response_url")
    assert call.body["response_type"] == "in_channel"
    heading, item = section_texts(call.body)
    assert heading == "*Latest on “japan”*"
    assert item.startswith(CITATION + "\n")
    assert bot.engine.topics_briefed == ["japan"]


async def test_brief_command_from_the_bundled_corpus(
    start_bot: Callable[..., Awaitable[HttpBot]], engine: Engine
) -> None:
    bot = await start_bot(engine)
    await bot.client.command(slash_command("/brief", "", bot.emulator.response_url()))

    [call] = await bot.emulator.wait_for("response_url")
    assert "Takaichi" in json.dumps(call.body)


async def test_a_question_in_spanish_is_told_the_bot_reads_english(
    start_bot: Callable[..., Awaitable[HttpBot]], engine: Engine
) -> None:
    bot = await start_bot(engine)
    question = "¿Cuándo visitará Takaichi Estados Unidos?"
    await bot.client.command(slash_command("/ask", question, bot.emulator.response_url()))

    [call] = await bot.emulator.wait_for("response_url")
    body = json.dumps(call.body, ensure_ascii=False)
    assert "looks like Spanish" in body and "English only" in body
    assert "Nothing in the corpus" not in body


async def test_brief_by_time_in_slack(
    start_bot: Callable[..., Awaitable[HttpBot]], engine: Engine
) -> None:
    bot = await start_bot(engine)
    await bot.client.command(
        slash_command("/brief", "since 2026-01-01", bot.emulator.response_url())
    )
    [call] = await bot.emulator.wait_for("response_url")
    body = json.dumps(call.body, ensure_ascii=False)
    assert "Latest articles, since" in body and "Takaichi" in body

    await bot.client.command(slash_command("/brief", "yesterday", bot.emulator.response_url()))
    calls = await bot.emulator.wait_for("response_url", count=2)
    body = json.dumps(calls[-1].body, ensure_ascii=False)
    assert "Nothing in the corpus is dated yesterday" in body
