"""Discord conversations as people have them, through discord.py and the local Discord: other
people mentioned in a question, the help and its commands, a topic with no match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.engine import Engine
from tests.conftest import make_settings
from tests.emulators.discord import CHANNEL_ID, DiscordEmulator
from tests.handlers.discord_setup import bot_for, only_embed, scripted

QUESTION = "when is Takaichi visiting the US?"
MENTIONS = "<@123456789012345678> <@!223456789012345678> <@&323456789012345678> <#42> @here"


async def test_mentions_in_ask_are_not_question_words(
    discord_emulator: DiscordEmulator, engine: Engine
) -> None:
    async with discord_emulator.running(bot_for(discord_emulator, engine)):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question=f"{MENTIONS} {QUESTION}")
        )
        embed = only_embed(await call.message())
    assert "**this spring**" in embed["description"]
    assert embed["title"] == QUESTION  # echoed without the mentions


async def test_mentions_beside_the_bots_own_are_not_question_words(
    discord_emulator: DiscordEmulator, engine: Engine
) -> None:
    bot = bot_for(discord_emulator, engine, discord_answer_mentions=True)
    async with discord_emulator.running(bot):
        await discord_emulator.dispatch(
            "MESSAGE_CREATE", discord_emulator.mention_message(f"{MENTIONS} {QUESTION}")
        )
        sent = await discord_emulator.wait_for_request("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert "**this spring**" in sent.json["embeds"][0]["description"]


async def test_help_names_only_commands_that_exist(discord_emulator: DiscordEmulator) -> None:
    async with discord_emulator.running(bot_for(discord_emulator, scripted())):
        sync = await discord_emulator.wait_for_request("PUT", r"/applications/\d+/commands")
        registered = {f"/{c['name']}" for c in sync.json}
        empty_ask = await discord_emulator.interact(discord_emulator.command("ask", question=" "))
        named = set(
            re.findall(r"(?<![\w/])/[a-z]+", only_embed(await empty_ask.message())["description"])
        )
        help_call = await discord_emulator.interact(discord_emulator.command("help"))
        help_embed = only_embed(await help_call.message())
    assert "/help" in named and named <= registered, named - registered
    assert "Ask me a question" in help_embed["description"]


async def test_brief_on_a_topic_nothing_matches_says_so_and_suggests_topics(
    discord_emulator: DiscordEmulator, engine: Engine
) -> None:
    async with discord_emulator.running(bot_for(discord_emulator, engine)):
        call = await discord_emulator.interact(discord_emulator.command("brief", topic="France"))
        embed = only_embed(await call.message())
    assert embed["description"].startswith("Nothing in the corpus matches “France”. Try “")
    assert "Japan" in embed["description"]


async def test_messages_that_do_not_mention_the_bot_get_no_reply(
    discord_emulator: DiscordEmulator,
) -> None:
    # Discord answers mentions only (DISCORD_ANSWER_MENTIONS), never a thread's other talk.
    engine = scripted()
    bot = bot_for(discord_emulator, engine, discord_answer_mentions=True)
    async with discord_emulator.running(bot):
        chatter = discord_emulator.mention_message("thanks!")
        chatter.update(content="thanks!", mentions=[])
        await discord_emulator.dispatch("MESSAGE_CREATE", chatter)
        await discord_emulator.dispatch(
            "MESSAGE_CREATE", discord_emulator.mention_message(QUESTION)
        )
        await discord_emulator.wait_for_request("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert engine.questions == [QUESTION]
    posts = [r for r in discord_emulator.requests if r.path.endswith("/messages")]
    assert len(posts) == 1


# Conversations over tests/data/conversations/corpus (bench/conversations.py runs the whole set):
# each follow-up read alone quotes the wrong passage or nothing; read with the earlier /ask of
# the same person in the same channel, the right one.
CONVERSATIONS = Path(__file__).resolve().parents[2] / "data" / "conversations" / "corpus"
ASKED = [
    (
        ["who brought the case against Zoomly?", "when?", "where is he from?"],
        "High Court Rules Ride-Hailing Drivers",
        "Dunmore",
    ),
    (
        [
            "what did Harbour City's manager say after the final?",
            "and what do they get for winning?",
        ],
        "Harbour City Win the National Cup",
        "4.5 million euros",
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


@pytest.mark.parametrize(("turns", "title", "words"), ASKED)
async def test_follow_ups_with_ask_are_answered_from_the_conversations_article(
    discord_emulator: DiscordEmulator,
    conversation_engine: Engine,
    turns: list[str],
    title: str,
    words: str,
) -> None:
    async with discord_emulator.running(bot_for(discord_emulator, conversation_engine)):
        for question in turns:
            call = await discord_emulator.interact(
                discord_emulator.command("ask", question=question)
            )
            embed = only_embed(await call.message())
    assert embed["title"] == turns[-1]
    [note] = [f["value"] for f in embed["fields"] if f["name"] == "Note"]
    assert note.startswith("Reading this as: ")
    quote, _, citation = embed["description"].partition("\n— ")
    assert words in quote.split("\n\n")[0].replace("**", "")
    assert title in citation.split("\n")[0]
