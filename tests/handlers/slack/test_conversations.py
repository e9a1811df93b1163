"""Slack conversations as people have them, through slack-bolt and the local Slack: other people
mentioned in a question, a thread's side talk, the help and its commands, a topic with no match."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine import Engine
from tests.conftest import make_settings
from tests.emulators.slack import direct_message, mention, slash_command, thread_reply
from tests.handlers.slack_setup import QUESTION, HttpBot, context_texts, section_texts, settle

StartBot = Callable[..., Awaitable[HttpBot]]
CONVERSATIONS = Path(__file__).resolve().parents[2] / "data" / "conversations" / "corpus"


def manifest_commands() -> set[str]:
    manifest = yaml.safe_load(
        resources.files("handlers.slack").joinpath("manifest.yml").read_text()
    )
    return {c["command"] for c in manifest["features"]["slash_commands"]}


def commands_named(body: dict[str, Any]) -> set[str]:
    """Every /command a message names, in its text, sections and context lines."""
    texts = [body.get("text") or "", *section_texts(body), *context_texts(body)]
    return set(re.findall(r"(?<![\w/])/[a-z]+", " ".join(texts)))


async def test_other_people_mentioned_in_a_question_are_not_question_words(
    start_bot: StartBot, engine: Engine
) -> None:
    bot = await start_bot(engine)
    people = "<@U0ALICE> <@U0BOB|bob> <!subteam^S0OPS|@ops>"
    await bot.client.event(mention(f"{people} {QUESTION}"))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    assert "*this spring*" in section_texts(call.body)[0]
    body = json.dumps(call.body)
    assert "U0ALICE" not in body and "U0BOB" not in body and "S0OPS" not in body


async def test_thread_side_talk_gets_silence_and_follow_up_questions_answers(
    start_bot: StartBot, engine: Engine
) -> None:
    bot = await start_bot(engine)
    root = mention(QUESTION)
    await bot.client.event(root)
    await bot.emulator.wait_for("chat.postMessage")
    root_ts = root["event"]["ts"]

    for chatter in ["thanks!", "lol", "see you at 3", "are you coming to lunch?"]:
        await bot.client.event(thread_reply(chatter, root_ts))
    await bot.client.event(thread_reply("and who requested the call?", root_ts))

    [_, follow_up] = await bot.emulator.wait_for("chat.postMessage", 2)
    assert follow_up.body["thread_ts"] == root_ts
    assert "requested by the *Japanese* side" in section_texts(follow_up.body)[0]
    await settle()
    assert len(bot.emulator.posted()) == 2  # nothing for the thanks, the laugh or the lunch


async def test_help_names_only_commands_slack_knows_and_each_one_answers(bot: HttpBot) -> None:
    registered = manifest_commands()
    await bot.client.event(direct_message("help"))
    [call] = await bot.emulator.wait_for("chat.postMessage")
    named = commands_named(call.body)
    assert named and named <= registered, named - registered

    empty_ask = await bot.client.command(slash_command("/ask", "", bot.emulator.response_url()))
    assert empty_ask.status == 200
    [help_reply] = await bot.emulator.wait_for("response_url")
    assert commands_named(help_reply.body) <= registered

    # Every registered command has a listener: bolt answers 404 to a command nobody handles.
    for command in sorted(registered):
        response = await bot.client.command(slash_command(command, "", bot.emulator.response_url()))
        assert response.status == 200, command
    help_body = (await bot.client.command(slash_command("/help", "", "x"))).json()
    assert "Ask me a question" in section_texts(help_body)[0]
    sources_body = (await bot.client.command(slash_command("/sources", "", "x"))).json()
    assert section_texts(sources_body)[0].startswith("I know 1 article (12 passages)")


async def test_brief_on_a_topic_nothing_matches_says_so_and_suggests_topics(
    start_bot: StartBot, engine: Engine
) -> None:
    bot = await start_bot(engine)
    await bot.client.command(slash_command("/brief", "France", bot.emulator.response_url()))

    [call] = await bot.emulator.wait_for("response_url")
    text = " ".join(section_texts(call.body))
    assert "Nothing in the corpus matches “France”. Try “" in text
    assert "Japan" in text


async def test_a_follow_up_in_a_thread_is_read_with_its_first_question(
    start_bot: StartBot, engine: Engine
) -> None:
    bot = await start_bot(engine)
    root = mention("who asked for the phone call?")
    await bot.client.event(root)
    await bot.emulator.wait_for("chat.postMessage")
    await bot.client.event(thread_reply("and when is she visiting?", root["event"]["ts"]))

    [_, follow_up] = await bot.emulator.wait_for("chat.postMessage", 2)
    body = json.dumps(follow_up.body, ensure_ascii=False)
    assert "Reading this as: when is Takaichi visiting?" in body
    assert "Takaichi" in section_texts(follow_up.body)[0]


# Conversations over tests/data/conversations/corpus (bench/conversations.py runs the whole set):
# each follow-up read alone quotes the wrong passage or nothing; read with its thread, the right.
THREADS = [
    (
        ["who won the national cup final?", "where was it played?"],
        "Harbour City Win the National Cup",
        "Kingsway Stadium",
    ),
    (
        ["who brought the case against Zoomly?", "when?", "where is he from?"],
        "High Court Rules Ride-Hailing Drivers",
        "Dunmore",
    ),
    (
        ["did the Millbrook budget pass?", "how big is it?"],
        "Millbrook Council Approves",
        "1.2 billion",
    ),
]


@pytest.fixture(scope="module")
def conversation_engine() -> Engine:
    return Engine.load(make_settings(briefbot_corpus=CONVERSATIONS))


@pytest.mark.parametrize(("turns", "title", "words"), THREADS)
async def test_a_thread_of_follow_ups_is_answered_from_its_article(
    start_bot: StartBot, conversation_engine: Engine, turns: list[str], title: str, words: str
) -> None:
    bot = await start_bot(conversation_engine)
    root = mention(turns[0])
    await bot.client.event(root)
    await bot.emulator.wait_for("chat.postMessage")
    for n, follow_up in enumerate(turns[1:], 2):
        await bot.client.event(thread_reply(follow_up, root["event"]["ts"]))
        await bot.emulator.wait_for("chat.postMessage", n)

    last = bot.emulator.posted()[-1]
    assert last["thread_ts"] == root["event"]["ts"]
    assert context_texts(last)[0].startswith("Reading this as: ")
    assert words in section_texts(last)[0].replace("*", "")
    assert title in context_texts(last)[1]  # the first quote's citation
