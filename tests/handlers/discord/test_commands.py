"""The slash commands as Discord sees them: synced definitions, /ask, /brief with autocomplete,
/sources."""

from __future__ import annotations

import json

from bot.engine import Engine
from tests.emulators.discord import APP_ID, EPHEMERAL, GUILD_ID, DiscordEmulator, Focused
from tests.handlers.discord_setup import PAYLOADS, SPRING, bot_for, only_embed, scripted


async def test_commands_are_synced_globally_with_valid_definitions(
    discord_emulator: DiscordEmulator,
) -> None:
    async with discord_emulator.running(bot_for(discord_emulator, scripted())):
        sync = await discord_emulator.wait_for_request("PUT", r"/applications/\d+/commands")
    expected = json.loads((PAYLOADS / "commands.json").read_text(encoding="utf-8"))
    assert sync.json == expected
    brief = next(c for c in sync.json if c["name"] == "brief")
    assert brief["options"][0]["autocomplete"] is True
    assert all(c["contexts"] == [0, 1, 2] and c["integration_types"] == [0, 1] for c in sync.json)
    assert discord_emulator.identify is not None


async def test_with_a_guild_id_commands_show_once_in_that_server_and_work_in_dms(
    discord_emulator: DiscordEmulator,
) -> None:
    """DISCORD_GUILD_ID: the server's copies appear at once; the global ones are for DMs only,
    or the server would list every command twice."""
    bot = bot_for(discord_emulator, scripted([SPRING]), discord_guild_id=int(GUILD_ID))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", dm=True, question="when is Takaichi visiting?")
        )
        assert "**this spring**" in only_embed(await call.message())["description"]
    puts = [r.path for r in discord_emulator.requests if r.method == "PUT"]
    assert puts == [
        f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands",
        f"/applications/{APP_ID}/commands",
    ]
    everywhere = [0, 1, 2]  # Discord's default contexts: guilds, bot DMs, group DMs
    in_guild = [c["name"] for c in discord_emulator.commands[GUILD_ID]] + [
        c["name"] for c in discord_emulator.commands[None] if 0 in (c["contexts"] or everywhere)
    ]
    in_dms = [c["name"] for c in discord_emulator.commands[None] if 1 in c["contexts"]]
    assert sorted(in_guild) == sorted(in_dms) == ["ask", "brief", "help", "sources"]


async def test_ask_in_a_dm_is_answered(discord_emulator: DiscordEmulator) -> None:
    bot = bot_for(discord_emulator, scripted([SPRING]))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", dm=True, question="when is Takaichi visiting?")
        )
        embed = only_embed(await call.message())
    assert "**this spring**" in embed["description"]


async def test_private_ask_is_ephemeral(discord_emulator: DiscordEmulator) -> None:
    bot = bot_for(discord_emulator, scripted([SPRING]))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="when?", private=True)
        )
        message = await call.message()
    assert message["flags"] & EPHEMERAL


async def test_bundled_corpus_answer_quotes_this_spring(
    discord_emulator: DiscordEmulator, engine: Engine
) -> None:
    """The real engine over the bundled corpus (needs the real Engine, not the stub)."""
    bot = bot_for(discord_emulator, engine)
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="when is Takaichi visiting the US?")
        )
        embed = only_embed(await call.message())
    assert "this spring" in embed["description"]
    assert embed["description"].startswith("> ")
    assert embed["footer"]["text"].startswith("Searched ")


async def test_bundled_corpus_topics_and_briefing(
    discord_emulator: DiscordEmulator, engine: Engine
) -> None:
    bot = bot_for(discord_emulator, engine)
    async with discord_emulator.running(bot):
        typing = await discord_emulator.interact(
            discord_emulator.autocomplete("brief", topic=Focused("Taka"))
        )
        choices = await typing.choices()
        call = await discord_emulator.interact(discord_emulator.command("brief", topic="Takaichi"))
        embed = only_embed(await call.message())
    assert "Takaichi" in [c["value"] for c in choices]
    assert embed["title"] == "Briefing: Takaichi"
    assert any("this spring" in f["value"] for f in embed["fields"])


async def test_topic_autocomplete_offers_matching_choices(
    discord_emulator: DiscordEmulator,
) -> None:
    topics = ["Takaichi", "Taiwan", "tariffs", "T" * 150] + [f"Tokyo {i}" for i in range(40)]
    bot = bot_for(discord_emulator, scripted(topic_names=topics))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.autocomplete("brief", topic=Focused("Ta"))
        )
        choices = await call.choices()
        many = await discord_emulator.interact(
            discord_emulator.autocomplete("brief", topic=Focused("T"))
        )
        many_choices = await many.choices()
    assert choices == [
        {"name": "Takaichi", "value": "Takaichi"},
        {"name": "Taiwan", "value": "Taiwan"},
        {"name": "tariffs", "value": "tariffs"},
    ]
    assert len(many_choices) == 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in many_choices)


async def test_sources_is_private_and_describes_the_corpus(
    discord_emulator: DiscordEmulator,
) -> None:
    bot = bot_for(discord_emulator, scripted())
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("sources"))
        message = await call.message()
    assert message["flags"] & EPHEMERAL
    embed = only_embed(message)
    assert "12 articles" in embed["description"]
    assert "Kyodo (8)" in embed["description"] and "2026-01-05" in embed["description"]
