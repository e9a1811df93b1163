"""Discord adapter: the slash commands /ask, /brief and /sources over discord.py.

It only translates interactions into :class:`bot.chat.Chat` calls and renders the replies as
embeds; the wording and highlight rules come from :mod:`handlers.render`. Run it with
:func:`serve`; tests build the client with :func:`build_bot` against the local emulator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import discord
import yarl
from discord import app_commands

from bot.api import Core
from bot.chat import Chat
from bot.errors import BriefbotError, ConfigError
from bot.models import Answer, AnswerReply, Briefing, BriefingReply, Reply, TextReply
from bot.settings import Settings
from bot.wording import plural
from handlers import render

log = logging.getLogger(__name__)

# Discord's documented limits for one embed (https://discord.com/developers/docs/resources/message).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
EMBED_TOTAL_LIMIT = 6000
# Autocomplete: at most 25 choices, each name and value 1..100 characters.
CHOICES_LIMIT = 25
CHOICE_LIMIT = 100

#: Discord fails an interaction that gets no response within 3 s; defer well before that.
DEFER_AFTER = 1.5

#: Nothing the bot sends may ping: @everyone, @here, roles and users are shown, never triggered.
NO_PINGS = discord.AllowedMentions.none()

COLOUR = discord.Colour(0x3B82F6)
ERROR_TEXT = "Sorry, something went wrong while answering that. It has been logged."


def escape(text: str) -> str:
    """Text shown as written: Markdown escaped, mentions broken by a zero-width space."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def _link(label: str, url: str) -> str:
    # A masked link only works for http(s), and a bare ")" or space in the URL ends it early.
    if not url.startswith(("http://", "https://")):
        return label
    safe = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({safe})"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.split("\n"))


DIALECT = render.Dialect(escape=escape, bold=lambda s: f"**{s}**", link=_link, quote=_quote)


# -- rendering ----------------------------------------------------------------------------------


def answer_embed(answer: Answer) -> discord.Embed:
    """Each quote in a block quote, answering words in bold, its linked citation under it."""
    embed = discord.Embed(title=render.fit(answer.question, escape, TITLE_LIMIT), colour=COLOUR)
    if not answer.answered:
        embed.description = render.fit(render.not_found_text(answer), escape, DESCRIPTION_LIMIT)
    else:
        embed.description = _passages_markup(answer)
    if answer.notice:
        embed.add_field(name="Note", value=render.fit(answer.notice, escape, FIELD_VALUE_LIMIT))
    embed.set_footer(text=f"Searched {plural(answer.articles_searched, 'article')}")
    return embed


def _passages_markup(answer: Answer) -> str:
    """The passages, as many whole ones as fit the description, long quotes clipped."""
    budget = DESCRIPTION_LIMIT
    while True:
        blocks = []
        for passage in answer.passages:
            clipped = passage.model_copy(update={"quote": render.clip(passage.quote, budget)})
            quote = DIALECT.quote(render.quote_markup(clipped, DIALECT))
            blocks.append(f"{quote}\n— {render.citation_markup(passage.article, DIALECT)}")
        text = "\n\n".join(blocks)
        if len(text) <= DESCRIPTION_LIMIT or budget <= 20:
            return text[:DESCRIPTION_LIMIT]
        budget -= max((len(text) - DESCRIPTION_LIMIT) // max(len(blocks), 1), 1)


def briefing_embed(briefing: Briefing) -> discord.Embed:
    """One field per article: date and title as the name, the lead and linked source as value."""
    title = f"Briefing: {briefing.topic}" if briefing.topic else "Latest articles"
    embed = discord.Embed(title=render.fit(title, escape, TITLE_LIMIT), colour=COLOUR)
    if not briefing.items:
        embed.description = render.fit(
            render.empty_briefing_text(briefing), escape, DESCRIPTION_LIMIT
        )
    for item in briefing.items[:FIELDS_LIMIT]:
        name = f"{render.human_date(item.article)} — {item.article.title}"
        citation = render.citation_markup(item.article, DIALECT)
        room = max(FIELD_VALUE_LIMIT - len(citation) - 1, 200)  # a pathological title is cut
        value = render.fit(item.lead, escape, room)
        embed.add_field(
            name=render.fit(name, escape, FIELD_NAME_LIMIT),
            value=f"{value}\n{citation}"[:FIELD_VALUE_LIMIT],
            inline=False,
        )
    # The 6,000-character total is what Discord rejects first with 25 long leads: drop the oldest.
    while len(embed) > EMBED_TOTAL_LIMIT - 100 and len(embed.fields) > 1:
        embed.remove_field(-1)
    embed.set_footer(text=f"{plural(briefing.total_articles, 'article')} in the corpus")
    return embed


def text_embed(text: str, *, title: str | None = None) -> discord.Embed:
    """Help, notices and errors: plain text, escaped."""
    embed = discord.Embed(description=render.fit(text, escape, DESCRIPTION_LIMIT), colour=COLOUR)
    if title:
        embed.title = render.fit(title, escape, TITLE_LIMIT)
    return embed


def reply_embed(reply: Reply) -> discord.Embed:
    """The embed for any core reply."""
    match reply:
        case AnswerReply(answer=answer):
            return answer_embed(answer)
        case BriefingReply(briefing=briefing):
            return briefing_embed(briefing)
        case TextReply(text=text):
            return text_embed(text)


def topic_choices(engine: Core, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for ``/brief topic``: unique, non-empty, within Discord's limits."""
    choices: list[app_commands.Choice[str]] = []
    seen: set[str] = set()
    for topic in engine.topics(current, limit=CHOICES_LIMIT):
        value = topic.strip()[:CHOICE_LIMIT]
        if not value or value in seen:
            continue
        seen.add(value)
        name = render.clip(topic.strip(), CHOICE_LIMIT)
        choices.append(app_commands.Choice(name=name, value=value))
        if len(choices) == CHOICES_LIMIT:
            break
    return choices


# -- the client ---------------------------------------------------------------------------------


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py at ``DISCORD_API_BASE``/``DISCORD_GATEWAY_URL`` (a proxy or an emulator).

    Both are class attributes, so this is process-wide; a plain Client connects straight to
    ``DEFAULT_GATEWAY`` without asking ``GET /gateway`` first.
    """
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


class BriefBot(discord.Client):
    """A client with the briefbot command tree, synced once logged in."""

    def __init__(
        self, settings: Settings, engine: Core, *, defer_after: float = DEFER_AFTER, **kwargs: Any
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        if settings.discord_answer_mentions:
            # message_content is privileged: enable it in the Developer Portal too.
            intents.guild_messages = intents.dm_messages = intents.message_content = True
        kwargs.setdefault("intents", intents)
        kwargs.setdefault("allowed_mentions", NO_PINGS)
        super().__init__(**kwargs)
        self.settings = settings
        self.engine = engine
        self.chat = Chat(engine)
        self.defer_after = defer_after
        self.tree = app_commands.CommandTree(self)
        self.tree.error(self.on_app_command_error)
        _add_commands(self)

    async def setup_hook(self) -> None:
        """Sync the commands to DISCORD_GUILD_ID (instant) when set, else globally (slow)."""
        if self.settings.discord_guild_id:
            guild = discord.Object(id=self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to guild %s", len(synced), guild.id)
        else:
            synced = await self.tree.sync()
            log.info("Synced %d global commands (they can take a while to appear)", len(synced))

    async def on_ready(self) -> None:
        log.info("Discord: logged in as %s (id %s)", self.user, self.user and self.user.id)

    def defer_delay(self) -> float:
        """How long to wait for an answer before deferring: no wait when the core offloads."""
        return 0.0 if self.engine.offloads else self.defer_after

    async def respond(
        self, interaction: discord.Interaction, work: Awaitable[Reply], *, ephemeral: bool
    ) -> None:
        """Answer at once when ready within the delay, else defer ("thinking…") and edit it later.

        The answer task starts first, so a fast answer never pays for a defer round trip, and a
        slow one never hits Discord's 3-second "application did not respond".
        """
        task = asyncio.ensure_future(work)
        try:
            delay = self.defer_delay()
            if delay > 0:
                await asyncio.wait({task}, timeout=delay)
            if not task.done():
                await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            embed = reply_embed(await task)
        finally:
            task.cancel()
        if interaction.response.is_done():
            await interaction.edit_original_response(embed=embed, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(
                embed=embed, ephemeral=ephemeral, allowed_mentions=NO_PINGS
            )

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Log it, and tell the user briefly (only them) instead of leaving the command hanging."""
        original = getattr(error, "original", error)
        command = interaction.command.name if interaction.command else "?"
        log.error(
            "Discord /%s failed (guild %s, user %s)",
            command,
            interaction.guild_id,
            interaction.user.id,
            exc_info=original,
        )
        text = str(original) if isinstance(original, BriefbotError) else ERROR_TEXT
        try:
            deferred = discord.InteractionResponseType.deferred_channel_message
            if interaction.response.type is deferred:
                # The first follow-up would replace the (maybe public) "thinking…" message and
                # inherit its visibility; removing it first keeps the error to the user alone.
                await interaction.delete_original_response()
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
            elif interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=NO_PINGS
                )
        except discord.HTTPException:
            log.warning("Could not report the error to the user", exc_info=True)

    async def on_message(self, message: discord.Message) -> None:
        """With DISCORD_ANSWER_MENTIONS, answer a channel message that mentions the bot."""
        if not self.settings.discord_answer_mentions or self.user is None:
            return
        if message.author.bot or self.user not in message.mentions:
            return
        text = message.content
        for form in (f"<@{self.user.id}>", f"<@!{self.user.id}>"):
            text = text.replace(form, " ")
        try:
            async with message.channel.typing():
                reply = await self.chat.handle(text)
            embed = reply_embed(reply)
        except Exception:
            log.exception("Discord mention answer failed")
            embed = text_embed(ERROR_TEXT)
        await message.reply(embed=embed, mention_author=False, allowed_mentions=NO_PINGS)


def _add_commands(bot: BriefBot) -> None:
    """Register /ask, /brief and /sources, usable in guilds, DMs and group DMs."""
    contexts = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    installs = app_commands.allowed_installs(guilds=True, users=True)

    @bot.tree.command(name="ask", description="Ask a question; the answer quotes the articles")
    @app_commands.describe(question="What do you want to know?", private="Only you see the answer")
    @contexts
    @installs
    async def ask(interaction: discord.Interaction, question: str, private: bool = False) -> None:
        await bot.respond(interaction, bot.chat.ask(question), ephemeral=private)

    @bot.tree.command(name="brief", description="The latest articles, or those on a topic")
    @app_commands.describe(topic="A topic, name or tag (optional)")
    @contexts
    @installs
    async def brief(interaction: discord.Interaction, topic: str | None = None) -> None:
        await bot.respond(interaction, bot.chat.brief(topic), ephemeral=False)

    @brief.autocomplete("topic")
    async def brief_topic(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            return topic_choices(bot.engine, current)
        except Exception:  # an empty list beats Discord's "loading options failed"
            log.exception("Topic autocomplete failed for %r", current)
            return []

    @bot.tree.command(name="sources", description="What the bot knows: articles, dates, sources")
    @contexts
    @installs
    async def sources(interaction: discord.Interaction) -> None:
        embed = text_embed(bot.chat.sources_text(), title="What I know")
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )


def build_bot(settings: Settings, engine: Core, **kwargs: Any) -> BriefBot:
    """The configured client, not yet connected; ``kwargs`` go to discord.Client (tests pass
    ``guild_ready_timeout``) or ``defer_after``."""
    apply_endpoints(settings)
    return BriefBot(settings, engine, **kwargs)


async def serve(settings: Settings, engine: Core) -> None:
    """Run the Discord bot until cancelled; DISCORD_TOKEN is checked before any network use."""
    (token,) = settings.require("discord_token")
    bot = build_bot(settings, engine)
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure as exc:
        raise ConfigError(
            "Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal "
            "(Bot → Reset Token) into .env."
        ) from exc
    except discord.PrivilegedIntentsRequired as exc:
        raise ConfigError(
            "DISCORD_ANSWER_MENTIONS needs the Message Content intent: enable it in the Developer "
            "Portal (Bot → Privileged Gateway Intents), or unset DISCORD_ANSWER_MENTIONS."
        ) from exc
