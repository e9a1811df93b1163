"""``/feeds`` on Discord: list for everyone, add and remove for members who can manage the
server (the command's default permission, checked again at run time: a server may open the
command to more people, but not the right to change what the bot reads)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot import Feeds
from handlers.discord.replies import Responder

WHO = "members who can manage the server"


def feeds_group(feeds: Feeds, responder: Responder) -> app_commands.Group:
    group = app_commands.Group(
        name="feeds",
        description="The news feeds the bot follows",
        default_permissions=discord.Permissions(manage_guild=True),
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
    )

    def admin(interaction: discord.Interaction) -> bool:
        return bool(interaction.guild_id and interaction.permissions.manage_guild)

    async def run(interaction: discord.Interaction, text: str) -> None:
        work = feeds.command(text, by=str(interaction.user.id), admin=admin(interaction), who=WHO)
        await responder.respond(interaction, work, ephemeral=True)

    @group.command(name="list", description="The feeds the bot follows")
    async def list_(interaction: discord.Interaction) -> None:
        await run(interaction, "list")

    @group.command(name="add", description="Follow an RSS or Atom feed")
    @app_commands.describe(url="The feed's address, https://…")
    async def add(interaction: discord.Interaction, url: str) -> None:
        await run(interaction, f"add {url.strip()}")

    @group.command(name="remove", description="Stop following a feed")
    @app_commands.describe(feed="The feed's address, or its number in /feeds list")
    async def remove(interaction: discord.Interaction, feed: str) -> None:
        await run(interaction, f"remove {feed.strip()}")

    return group
