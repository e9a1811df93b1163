"""Reply chains on Discord: a reply to one of the bot's answers needs no mention and is read
as a follow-up of the question that answer was for, through the real discord.py client."""

from __future__ import annotations

import asyncio

from bot.engine import Engine
from tests.emulators.discord import CHANNEL_ID, DiscordEmulator
from tests.handlers.discord_setup import bot_for

MESSAGES = rf"/channels/{CHANNEL_ID}/messages"


async def test_a_reply_to_an_answer_is_a_follow_up_without_a_mention(
    discord_emulator: DiscordEmulator, engine: Engine
) -> None:
    bot = bot_for(discord_emulator, engine, discord_answer_mentions=True)
    async with discord_emulator.running(bot):
        await discord_emulator.dispatch(
            "MESSAGE_CREATE", discord_emulator.mention_message("who asked for the phone call?")
        )
        await discord_emulator.wait_for_request("POST", MESSAGES)
        answer = discord_emulator.created[-1]
        reply = discord_emulator.reply_message("and when is she visiting?", answer)
        await discord_emulator.dispatch("MESSAGE_CREATE", reply)
        await discord_emulator.until(lambda: len(discord_emulator.created) == 2)
        # A message that neither mentions the bot nor replies to it is not for the bot.
        other = discord_emulator.reply_message("lunch?", {**answer, "id": "1"})
        await discord_emulator.dispatch("MESSAGE_CREATE", other)
        await asyncio.sleep(0.3)  # time to answer it, were it answered
    posts = discord_emulator.channel_messages[CHANNEL_ID]
    assert len(posts) == 2
    follow = posts[1]["embeds"][0]
    assert "Reading this as: when is Takaichi visiting?" in str(follow)
    assert "March" in follow["description"] or "spring" in follow["description"]
