"""The slash commands /ask, /brief (with topic autocomplete), /sources and /help, as typed
functions over the core, the chat and a :class:`~handlers.discord.replies.Responder` (never the
client: the client builds the tree from this module, not the other way round)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot import Chat, Core
from handlers.discord.choices import topic_choices
from handlers.discord.embeds import NO_PINGS, text_embed
from handlers.discord.parse import question_text
from handlers.discord.replies import Responder

log = logging.getLogger(__name__)


def add_commands(
    tree: app_commands.CommandTree[Any],
    core: Core,
    chat: Chat,
    responder: Responder,
    *,
    more_help: str = "",
) -> None:
    """Register /ask, /brief, /sources and /help, usable in guilds, DMs and group DMs;
    ``more_help`` is added to /help's text (the commands the client adds beside these)."""
    contexts = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    installs = app_commands.allowed_installs(guilds=True, users=True)

    @tree.command(name="ask", description="Ask a question; the answer quotes the articles")
    @app_commands.describe(question="What do you want to know?", private="Only you see the answer")
    @contexts
    @installs
    async def ask(interaction: discord.Interaction, question: str, private: bool = False) -> None:
        # One conversation per person and channel: /ask "and when?" reads their last question.
        conversation = f"discord:{interaction.channel_id}:{interaction.user.id}"
        await responder.respond(
            interaction, chat.ask(question_text(question), conversation), ephemeral=private
        )

    @tree.command(name="brief", description="The latest articles, or those on a topic")
    @app_commands.describe(topic="A topic, name or tag (optional)")
    @contexts
    @installs
    async def brief(interaction: discord.Interaction, topic: str | None = None) -> None:
        await responder.respond(interaction, chat.brief(question_text(topic)), ephemeral=False)

    @brief.autocomplete("topic")
    async def brief_topic(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await topic_choices(core, current)

    @tree.command(name="sources", description="What the bot knows: articles, dates, sources")
    @contexts
    @installs
    async def sources(interaction: discord.Interaction) -> None:
        embed = text_embed(chat.sources_text(), title="What I know")
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @tree.command(name="help", description="How to use the bot, and its commands")
    @contexts
    @installs
    async def help_(interaction: discord.Interaction) -> None:
        text = await chat.help_text()
        if more_help:
            text = f"{text}\n{more_help}"
        await interaction.response.send_message(
            embed=text_embed(text), ephemeral=True, allowed_mentions=NO_PINGS
        )
