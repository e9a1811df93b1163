"""Digests and alerts posted to a Discord channel (or a person's DM) through the client.

The scheduler (``bot.Scheduler``) is built before the client, so the poster starts unbound and
the client binds itself (:meth:`DiscordPoster.bind`) when it is given the digests.
"""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import discord

from bot import Digest, Place, Posted
from handlers.discord.embeds import NO_PINGS, digest_messages

log = logging.getLogger(__name__)

#: How long a post waits for the client to be connected (at start, or while it reconnects).
READY_TIMEOUT = 60.0


class DiscordPoster:
    """The scheduler's way to post to Discord (``bot.Poster``); 429s are waited out by
    discord.py itself."""

    platform = "discord"

    def __init__(
        self, client: discord.Client | None = None, *, ready_timeout: float = READY_TIMEOUT
    ) -> None:
        self.client = client
        self.ready_timeout = ready_timeout

    def bind(self, client: discord.Client) -> None:
        """Post through ``client`` from now on."""
        self.client = client

    async def post(self, place: Place, digest: Digest) -> Posted:
        """Send ``digest`` as one message or several (Discord's limits); "gone" when the channel
        is deleted or the bot may no longer post there, "failed" (logged) on any other error."""
        client = await self._ready()
        if client is None:
            log.warning("Discord: not connected; the %s for %s was not posted", digest.kind, place)
            return "failed"
        channel = client.get_partial_messageable(int(place.channel))
        try:
            for embeds in digest_messages(digest):
                await channel.send(embeds=embeds, allowed_mentions=NO_PINGS)
        except (discord.NotFound, discord.Forbidden) as exc:
            log.warning(
                "Discord: channel %s refused the %s (%s %s)",
                place.channel,
                digest.kind,
                exc.status,
                exc.text or type(exc).__name__,
            )
            return "gone"
        except discord.HTTPException as exc:
            log.error(
                "Discord: could not post the %s to %s (%s %s)",
                digest.kind,
                place,
                exc.status,
                exc.text or type(exc).__name__,
            )
            return "failed"
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            # The exception's text names the URL at most, never the token (a header).
            log.error(
                "Discord: could not reach Discord to post the %s to %s (%s: %s)",
                digest.kind,
                place,
                type(exc).__name__,
                exc,
            )
            return "failed"
        return "sent"

    async def _ready(self) -> discord.Client | None:
        """The client once it is logged in and connected; None if it is not within the timeout
        (the scheduler may run before the client has logged in: no wait_until_ready then)."""
        deadline = time.monotonic() + self.ready_timeout
        while True:
            client = self.client
            if client is not None and client.is_ready() and not client.is_closed():
                return client
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(0.25)
