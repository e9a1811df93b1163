"""An interaction answered in time: at once when the answer is quick, else deferred and edited.

Apart from the client so that the commands (``commands.py``) and the client both use it and
neither imports the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import discord

from bot import Core, Reply
from handlers.discord.embeds import NO_PINGS, reply_embed

#: Discord fails an interaction that gets no response within 3 s; defer well before that.
DEFER_AFTER = 1.5


class Responder:
    """Sends a reply to an interaction, deferring ("thinking…") when it is not ready in time."""

    def __init__(self, core: Core, defer_after: float = DEFER_AFTER) -> None:
        self.core = core
        self.defer_after = defer_after

    def defer_delay(self) -> float:
        """How long to wait for an answer before deferring: no wait when the core offloads."""
        return 0.0 if self.core.offloads else self.defer_after

    async def respond(
        self, interaction: discord.Interaction, work: Awaitable[Reply], *, ephemeral: bool
    ) -> None:
        """Answer at once when ready within the delay, else defer and edit the reply later.

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
