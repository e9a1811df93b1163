"""/feeds on Discord: listed for everyone, changed by members who can manage the server (the
command's default permission, and checked again when it runs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import Database, Feeds
from handlers.discord import client as adapter
from tests.conftest import make_settings
from tests.emulators.discord import EPHEMERAL, DiscordEmulator
from tests.fakes import FakeEngine
from tests.handlers.discord_setup import QUICK, only_embed

MANAGE_GUILD = 1 << 5


@pytest.fixture
async def feeds(tmp_path: Path) -> AsyncIterator[Feeds]:
    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    yield Feeds(db, [])
    await db.close()


async def test_only_server_managers_change_the_feeds(
    discord_emulator: DiscordEmulator, feeds: Feeds
) -> None:
    settings = make_settings(**discord_emulator.settings_env())
    bot = adapter.build_bot(settings, FakeEngine(), feeds=feeds, **QUICK)

    async def say(subcommand: str, *, manager: bool = False, **options: Any) -> str:
        payload = discord_emulator.command("feeds", subcommand=subcommand, **options)
        if manager:
            payload["member"]["permissions"] = str(
                int(payload["member"]["permissions"]) | MANAGE_GUILD
            )
        call = await discord_emulator.interact(payload)
        message = await call.message()
        assert message.get("flags", 0) & EPHEMERAL, message
        text: str = only_embed(message)["description"]
        return text

    async with discord_emulator.running(bot):
        synced = {c["name"]: c for cs in discord_emulator.commands.values() for c in cs}
        assert str(synced["feeds"]["default_member_permissions"]) == str(MANAGE_GUILD)
        refused = await say("add", url="https://news.example/feed.xml")
        assert "only members who can manage the server can change the feeds" in refused
        added = await say("add", manager=True, url="https://news.example/feed.xml")
        assert added.startswith("Added https://news.example/feed.xml")
        assert "1. https://news.example/feed.xml" in await say("list")
        assert (
            await say("remove", manager=True, feed="1") == "Removed https://news.example/feed.xml."
        )
    assert await feeds.urls() == []
