"""The Discord client: connects, syncs the commands, answers interactions in time, reports errors.

:func:`serve` is what ``briefbot discord`` runs; tests build the client with :func:`build_bot`
against the local emulator.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands

from bot import BriefbotError, Chat, ConfigError, Core, Digests, Feeds, Turns
from handlers.discord import digests as digest_commands
from handlers.discord.commands import add_commands
from handlers.discord.embeds import NO_PINGS, reply_embed, text_embed
from handlers.discord.feeds import feeds_group
from handlers.discord.parse import question_text
from handlers.discord.poster import DiscordPoster
from handlers.discord.replies import DEFER_AFTER, Responder
from handlers.discord.settings import DiscordSettings
from handlers.startup import NETWORK_ERRORS, retrying, unreachable

log = logging.getLogger(__name__)

ERROR_TEXT = "Sorry, something went wrong while answering that. It has been logged."

#: Interaction contexts of the global commands beside a guild's: DMs with the bot, group DMs.
DM_CONTEXTS = [1, 2]
#: View Channels, Send Messages (+ in Threads), Embed Links, Read Message History (README).
PERMISSIONS = 274877991936
UNREACHABLE_HINT = "check the network and any proxy, or DISCORD_API_BASE."
CHAINS_KEPT = 10_000


def invite_url(application_id: int | None) -> str:
    """The invite link with both scopes the bot needs (bot, applications.commands)."""
    app = application_id or "YOUR_APPLICATION_ID"
    return (
        f"https://discord.com/oauth2/authorize?client_id={app}"
        f"&scope=bot+applications.commands&permissions={PERMISSIONS}"
    )


def guild_refused(guild_id: int, application_id: int | None, exc: discord.HTTPException) -> str:
    """Why syncing to DISCORD_GUILD_ID was refused (403 Missing Access), and what to do."""
    return (
        f"Discord refused the commands for DISCORD_GUILD_ID={guild_id} ({exc.status} "
        f"{exc.text or 'Missing Access'}): the bot is not in that server, or was invited without "
        "the applications.commands scope, or the id is not a server's (a channel or user id "
        "copied by mistake?). Invite it with "
        f"{invite_url(application_id)} , or unset DISCORD_GUILD_ID to register the commands "
        "globally."
    )


def apply_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at ``DISCORD_API_BASE``/``DISCORD_GATEWAY_URL`` (a proxy or an emulator).

    Both are class attributes, so this is process-wide; a plain Client connects straight to
    ``DEFAULT_GATEWAY`` without asking ``GET /gateway`` first.
    """
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


class BriefBot(discord.Client):
    """A client with the briefbot command tree, synced once logged in; with ``digests``, also
    ``/digest``, and once connected the scheduler posts to Discord through this client (its
    ``posters["discord"]``, added then unless the scheduler was built with one)."""

    def __init__(
        self,
        settings: DiscordSettings,
        engine: Core,
        *,
        defer_after: float = DEFER_AFTER,
        digests: Digests | None = None,
        feeds: Feeds | None = None,
        turns: Turns | None = None,
        **kwargs: Any,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        if settings.discord_answer_mentions:
            # message_content is privileged: enable it in the Developer Portal too.
            intents.guild_messages = intents.dm_messages = intents.message_content = True
        kwargs.setdefault("intents", intents)
        kwargs.setdefault("allowed_mentions", NO_PINGS)
        # The bot never joins a voice channel: discord.py's warnings that voice libraries
        # (PyNaCl, davey) are missing would greet every start with a false alarm.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(**kwargs)
        self.settings = settings
        self.engine = engine
        self.chat = Chat(engine, turns=turns)
        self.responder = Responder(engine, defer_after)
        self.tree = app_commands.CommandTree(self)
        self.tree.error(self.on_app_command_error)
        self.digests = digests
        #: The bot's answer messages and the conversation each answered: replies to them are
        #: follow-ups in that conversation (oldest forgotten first).
        self.chains: dict[int, str] = {}
        more_help = digest_commands.HELP if digests is not None else ""
        if feeds is not None:
            more_help += (
                "\nFeeds: /feeds list shows what I follow; members who can manage the server "
                "add and remove them (/feeds add url:, /feeds remove feed:)."
            )
        add_commands(self.tree, engine, self.chat, self.responder, more_help=more_help)
        if digests is not None:
            self.tree.add_command(digest_commands.digest_group(digests, engine, self.responder))
            poster = digests.scheduler.posters.get(DiscordPoster.platform)
            if isinstance(poster, DiscordPoster):
                poster.bind(self)  # a scheduler built with its poster (tests)
        if feeds is not None:
            self.tree.add_command(feeds_group(feeds, self.responder))

    async def setup_hook(self) -> None:
        """Sync the commands: globally (slow to appear), or with DISCORD_GUILD_ID to that server
        (at once) and globally for DMs only, so that they show once in that server and still
        work in direct messages."""
        if not self.settings.discord_guild_id:
            synced = await self.tree.sync()
            log.info("Synced %d global commands (they can take a while to appear)", len(synced))
            return
        guild = discord.Object(id=self.settings.discord_guild_id)
        self.tree.copy_global_to(guild=guild)
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.Forbidden as exc:
            raise ConfigError(guild_refused(guild.id, self.application_id, exc)) from None
        log.info("Synced %d commands to guild %s", len(synced), guild.id)
        # A global command would show a second time in that server: globally, DMs only.
        assert self.application_id is not None  # login has set it
        payload = [_dms_only(c.to_dict(self.tree)) for c in self.tree.get_commands()]
        await self.http.bulk_upsert_global_commands(self.application_id, payload)
        log.info("Synced %d global commands for direct messages", len(payload))

    async def on_ready(self) -> None:
        log.info("Discord: logged in as %s (id %s)", self.user, self.user and self.user.id)
        if self.digests is not None:
            # Discord's subscriptions wait until a Discord poster is there: from now on.
            posters = self.digests.scheduler.posters
            if DiscordPoster.platform not in posters:
                posters[DiscordPoster.platform] = DiscordPoster(self)
                self.digests.scheduler.wake()

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Log it, and tell the user briefly (only them) instead of leaving the command hanging."""
        original = getattr(error, "original", error)
        command = interaction.command.qualified_name if interaction.command else "?"
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
        """With DISCORD_ANSWER_MENTIONS, answer a channel message that mentions the bot, and a
        reply to one of its answers (a reply chain: no mention needed, read as a follow-up of
        the question that answer was for)."""
        if not self.settings.discord_answer_mentions or self.user is None:
            return
        if message.author.bot:
            return
        ref = message.reference
        chain = self.chains.get(ref.message_id) if ref and ref.message_id else None
        if chain is None and self.user not in message.mentions:
            return
        text = question_text(message.content)  # this bot's mention and everyone else's
        # The channel (a thread is one) is the conversation follow-ups are read with; a reply
        # to an answer continues that answer's conversation.
        conversation = chain or f"discord:{message.channel.id}"
        try:
            async with message.channel.typing():
                reply = await self.chat.handle(text, conversation)
            embed = reply_embed(reply)
        except Exception:
            log.exception("Discord mention answer failed")
            embed = text_embed(ERROR_TEXT)
        sent = await message.reply(embed=embed, mention_author=False, allowed_mentions=NO_PINGS)
        self.chains[sent.id] = conversation
        while len(self.chains) > CHAINS_KEPT:
            self.chains.pop(next(iter(self.chains)))


def _dms_only(command: dict[str, Any]) -> dict[str, Any]:
    """A global command's definition for DMs alone: the DM contexts it allows."""
    allowed = command.get("contexts") or [0, *DM_CONTEXTS]
    return {**command, "contexts": [c for c in DM_CONTEXTS if c in allowed]}


def build_bot(
    settings: DiscordSettings,
    engine: Core,
    *,
    digests: Digests | None = None,
    feeds: Feeds | None = None,
    turns: Turns | None = None,
    **kwargs: Any,
) -> BriefBot:
    """The configured client, not yet connected; with ``digests``, ``/digest`` too (and the
    scheduler's :class:`DiscordPoster` posts through it). ``kwargs`` go to discord.Client
    (tests pass ``guild_ready_timeout``) or ``defer_after``."""
    apply_endpoints(settings)
    return BriefBot(settings, engine, digests=digests, feeds=feeds, turns=turns, **kwargs)


async def serve(
    settings: DiscordSettings,
    engine: Core,
    digests: Digests | None = None,
    feeds: Feeds | None = None,
    turns: Turns | None = None,
) -> None:
    """Run the Discord bot until cancelled; DISCORD_TOKEN is checked before any network use,
    and a Discord that cannot be reached (after a few tries) stops it naming the URL. With
    ``digests`` (a database is configured), ``/digest`` is offered and the scheduler's
    :class:`DiscordPoster` posts through this client."""
    (token,) = settings.require("discord_token")
    bot = build_bot(settings, engine, digests=digests, feeds=feeds, turns=turns)
    api = discord.http.Route.BASE
    await retrying(lambda: _reach(api), "Discord", api, UNREACHABLE_HINT)
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
    except NETWORK_ERRORS as exc:
        raise unreachable("Discord", api, exc, UNREACHABLE_HINT) from None


async def _reach(api: str) -> None:
    """One unauthenticated GET /gateway: any HTTP answer means Discord can be reached."""
    timeout = aiohttp.ClientTimeout(total=15)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(f"{api}/gateway") as response,
    ):
        await response.read()
