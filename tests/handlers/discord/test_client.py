"""The Discord client: answering within Discord's 3 seconds, errors reported to the user and the
log, tokens, serve(), and mentions."""

from __future__ import annotations

import asyncio
import logging

import discord
import pytest

from bot.errors import ConfigError
from handlers.discord import client as adapter
from tests.conftest import make_settings
from tests.emulators.discord import CHANNEL_ID, EPHEMERAL, DiscordEmulator
from tests.handlers.discord_setup import SPRING, bot_for, only_embed, scripted


async def test_slow_answer_is_deferred_then_edited_in(discord_emulator: DiscordEmulator) -> None:
    bot = bot_for(discord_emulator, scripted([SPRING], delay=0.3), defer_after=0.05)
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
        message = await call.message()
    assert call.callbacks == [{"type": 5}]
    assert "**this spring**" in only_embed(message)["description"]
    assert message["allowed_mentions"] == {"parse": []}


async def test_slow_private_answer_is_deferred_ephemerally(
    discord_emulator: DiscordEmulator,
) -> None:
    bot = bot_for(discord_emulator, scripted([SPRING], delay=0.3), defer_after=0.05)
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="when?", private=True)
        )
        message = await call.message()
    assert call.callbacks == [{"type": 5, "data": {"flags": EPHEMERAL}}]
    assert message["flags"] & EPHEMERAL


async def test_large_corpus_defers_at_once(discord_emulator: DiscordEmulator) -> None:
    bot = bot_for(discord_emulator, scripted([SPRING], offloads=True))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
        await call.message()
    assert call.deferred


async def test_rate_limited_answer_is_retried_by_discord_py(
    discord_emulator: DiscordEmulator,
) -> None:
    bot = bot_for(discord_emulator, scripted([SPRING], delay=0.2), defer_after=0.05)
    discord_emulator.rate_limit("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
        message = await call.message()
    edits = [r.status for r in discord_emulator.requests if r.method == "PATCH"]
    assert edits == [429, 200]
    assert "**this spring**" in only_embed(message)["description"]


async def test_error_in_a_command_gets_a_private_message_and_a_log(
    discord_emulator: DiscordEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    bot = bot_for(discord_emulator, scripted(error=RuntimeError("index exploded")))
    with caplog.at_level(logging.ERROR, logger="handlers.discord"):
        async with discord_emulator.running(bot):
            call = await discord_emulator.interact(
                discord_emulator.command("ask", question="when?")
            )
            message = await call.message()
    assert message == {
        "tts": False,
        "content": adapter.ERROR_TEXT,
        "flags": EPHEMERAL,
        "allowed_mentions": {"parse": []},
    }
    assert any(r.exc_info and "index exploded" in str(r.exc_info[1]) for r in caplog.records)


async def test_error_after_deferring_replaces_the_thinking_message_privately(
    discord_emulator: DiscordEmulator,
) -> None:
    engine = scripted(delay=0.2, error=RuntimeError("boom"))
    bot = bot_for(discord_emulator, engine, defer_after=0.05)
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
        message = await call.message()
    assert call.deferred and call.original_deleted
    assert message["content"] == adapter.ERROR_TEXT
    assert message["flags"] & EPHEMERAL


async def test_missing_token_fails_before_any_network(discord_emulator: DiscordEmulator) -> None:
    settings = make_settings(**discord_emulator.settings_env(discord_token=None))
    with pytest.raises(ConfigError, match=r"DISCORD_TOKEN.*\.env\.example"):
        await adapter.serve(settings, scripted())
    assert discord_emulator.requests == []


async def test_rejected_token_is_a_config_error(discord_emulator: DiscordEmulator) -> None:
    discord_emulator.expect_errors = True
    settings = make_settings(**discord_emulator.settings_env(discord_token="wrong"))
    with pytest.raises(ConfigError, match="rejected DISCORD_TOKEN"):
        await adapter.serve(settings, scripted())
    assert [r.status for r in discord_emulator.requests if r.path == "/users/@me"] == [401]


async def test_serve_answers_until_cancelled(discord_emulator: DiscordEmulator) -> None:
    settings = make_settings(**discord_emulator.settings_env())
    task = asyncio.create_task(adapter.serve(settings, scripted([SPRING])))
    await discord_emulator.until(lambda: discord_emulator.identify is not None)
    call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
    assert "**this spring**" in only_embed(await call.message())["description"]
    assert discord_emulator.identify is not None  # for mypy: the wait above saw it
    assert discord_emulator.identify["token"] == "test-token"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_mention_is_answered_in_a_reply_without_pings(
    discord_emulator: DiscordEmulator,
) -> None:
    engine = scripted([SPRING])
    bot = bot_for(discord_emulator, engine, discord_answer_mentions=True)
    async with discord_emulator.running(bot):
        await discord_emulator.dispatch(
            "MESSAGE_CREATE", discord_emulator.mention_message("when is Takaichi visiting?")
        )
        sent = await discord_emulator.wait_for_request("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert engine.questions == ["when is Takaichi visiting?"]
    assert sent.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert str(sent.json["message_reference"]["channel_id"]) == CHANNEL_ID
    assert "**this spring**" in sent.json["embeds"][0]["description"]
    assert discord_emulator.identify is not None
    assert discord_emulator.identify["intents"] & discord.Intents(message_content=True).value


async def test_mentions_are_ignored_unless_enabled(discord_emulator: DiscordEmulator) -> None:
    engine = scripted([SPRING])
    async with discord_emulator.running(bot_for(discord_emulator, engine)):
        await discord_emulator.dispatch("MESSAGE_CREATE", discord_emulator.mention_message("hi"))
        call = await discord_emulator.interact(discord_emulator.command("sources"))
        await call.message()  # a later event was handled, so the mention was seen and skipped
    assert engine.questions == []
    assert not any(r.path.startswith("/channels/") for r in discord_emulator.requests)


async def test_starting_logs_no_warning_about_voice_libraries(
    discord_emulator: DiscordEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = True  # as on a fresh import
    settings = make_settings(**discord_emulator.settings_env())
    with caplog.at_level(logging.WARNING):
        task = asyncio.create_task(adapter.serve(settings, scripted([SPRING])))
        await discord_emulator.until(lambda: discord_emulator.identify is not None)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    voice = [r.getMessage() for r in caplog.records if "voice" in r.getMessage().lower()]
    assert voice == []
