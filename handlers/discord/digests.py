"""``/digest``: briefings posted in a channel on a schedule, and alerts on a topic, as one
command group over the core's :class:`bot.Digests` (the same replies as Slack's ``/digest``).

Discord shows the group to members who can manage the channel (``default_permissions``; a
server's admins can change who in Server Settings → Integrations), in servers and in DMs with
the bot, where a person subscribes their own DM. Discord tells the bot no one's time zone: a
schedule is in UTC unless ``zone`` names one.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot import (
    AlertRequest,
    Core,
    Digests,
    ListRequest,
    Place,
    ScheduleError,
    StopRequest,
    check_topic,
)
from handlers.discord.choices import time_zone_choices, topic_choices
from handlers.discord.embeds import NO_PINGS, text_embed
from handlers.discord.replies import Responder

log = logging.getLogger(__name__)

#: Added to /help when digests are on.
HELP = (
    "Digests: /digest schedule time:08:00 (a briefing posted here every day, or on the days "
    "you choose), /digest alert topic:japan (new articles on it as they arrive), /digest list, "
    "/digest stop number:N; for members who can manage the channel."
)

DAYS = [
    app_commands.Choice(name="every day", value="daily"),
    app_commands.Choice(name="weekdays", value="weekdays"),
    app_commands.Choice(name="Monday", value="mon"),
    app_commands.Choice(name="Tuesday", value="tue"),
    app_commands.Choice(name="Wednesday", value="wed"),
    app_commands.Choice(name="Thursday", value="thu"),
    app_commands.Choice(name="Friday", value="fri"),
    app_commands.Choice(name="Saturday", value="sat"),
    app_commands.Choice(name="Sunday", value="sun"),
]
TIME_HINT = "use HH:MM from 00:00 to 23:59 (e.g. 08:00, 17:30 or 7:30pm)"
#: Manage Channels: who may make a channel's posts by default.
WHO_MAY = discord.Permissions(manage_channels=True)


def place_of(interaction: discord.Interaction) -> Place:
    """The channel the command was used in (a DM's channel in a DM)."""
    return Place(
        platform="discord",
        workspace=str(interaction.guild_id or ""),
        channel=str(interaction.channel_id),
    )


#: What posting a digest takes in a channel (a thread needs Send Messages in Threads instead).
POSTING = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
}


def cannot_post(interaction: discord.Interaction) -> str | None:
    """Why the bot could not post digests where the command was used (the permissions Discord
    says it has there), or None. A DM always takes the bot's posts."""
    if interaction.guild_id is None:
        return None
    have = interaction.app_permissions
    needed = dict(POSTING)
    if isinstance(interaction.channel, discord.Thread):
        del needed["send_messages"]
        needed["send_messages_in_threads"] = "Send Messages in Threads"
    missing = [label for name, label in needed.items() if not getattr(have, name)]
    if not missing:
        return None
    return (
        f"I cannot post in this channel (I lack {', '.join(missing)} here): give my role "
        "those permissions in this channel, then subscribe again."
    )


def schedule_text(days: str, time: str, topic: str | None, quiet: bool) -> str:
    """The options as the words ``/digest`` reads, so Discord's schedules follow the same rules
    (and errors) as Slack's: ``weekdays 7:30pm quietly on japan``."""
    # One word: "7:30 pm" is meant as 7:30pm, and "08:00 Europe/Paris" is not a time.
    words = [days, "".join(time.split())]
    if quiet:
        words.append("quietly")
    if topic and topic.strip():
        words += ["on", topic]
    return " ".join(words)


def digest_group(digests: Digests, core: Core, responder: Responder) -> app_commands.Group:
    """The ``/digest`` group: schedule, alert, list, stop."""
    group = app_commands.Group(
        name="digest",
        description="Briefings posted here on a schedule, and alerts on a topic",
        default_permissions=WHO_MAY,
        # A guild install only: a user-installed bot is not in the server, so cannot post there.
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
    )

    async def refuse(interaction: discord.Interaction, why: str) -> None:
        """A friendly "Sorry, …" (only the person sees it), as the core words its own."""
        await interaction.response.send_message(
            embed=text_embed(f"Sorry, {why}"), ephemeral=True, allowed_mentions=NO_PINGS
        )

    async def run(interaction: discord.Interaction, text: str, zone: str | None = None) -> None:
        work = digests.command(text, place_of(interaction), by=str(interaction.user.id), zone=zone)
        await responder.respond(interaction, work, ephemeral=True)

    @group.command(name="schedule", description="Post a briefing here every day, or on some days")
    @app_commands.describe(
        time="HH:MM, e.g. 08:00",
        days="Which days (every day unless you choose)",
        zone="Time zone, e.g. Europe/Paris (UTC unless you choose)",
        topic="Only articles on this topic (optional)",
        quiet="Skip the post when nothing is new",
    )
    @app_commands.choices(days=DAYS)
    async def schedule(
        interaction: discord.Interaction,
        time: str,
        days: str = "daily",
        zone: str | None = None,
        topic: str | None = None,
        quiet: bool = False,
    ) -> None:
        zone = zone.strip() if zone and zone.strip() else None
        if (why := cannot_post(interaction)) is not None:
            await refuse(interaction, why)
            return
        if not time.strip()[:1].isdigit():
            # The words parser would read "quiet" or "UTC" typed as the time as something else
            # (and fall back to 08:00): a time option holds a time, or is refused.
            await refuse(interaction, f"{time.strip()[:20]!r} is not a time of day: {TIME_HINT}.")
            return
        await run(interaction, schedule_text(days, time, topic, quiet), zone)

    @group.command(name="alert", description="Post each new article on a topic here")
    @app_commands.describe(topic="A topic, name or tag")
    async def alert(interaction: discord.Interaction, topic: str) -> None:
        if (why := cannot_post(interaction)) is not None:
            await refuse(interaction, why)
            return
        try:
            request = AlertRequest(topic=check_topic(topic))
        except ScheduleError as exc:
            await refuse(interaction, str(exc))
            return
        work = digests.run(request, place_of(interaction), by=str(interaction.user.id))
        await responder.respond(interaction, work, ephemeral=True)

    @group.command(name="list", description="The digests and alerts of this channel")
    async def list_(interaction: discord.Interaction) -> None:
        work = digests.run(ListRequest(), place_of(interaction), by=str(interaction.user.id))
        await responder.respond(interaction, work, ephemeral=True)

    @group.command(name="stop", description="Stop a digest or an alert (its number in the list)")
    @app_commands.describe(number="Its number in /digest list")
    async def stop(
        interaction: discord.Interaction, number: app_commands.Range[int, 1, 999_999_999]
    ) -> None:
        work = digests.run(
            StopRequest(number=number), place_of(interaction), by=str(interaction.user.id)
        )
        await responder.respond(interaction, work, ephemeral=True)

    async def topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await topic_choices(core, current)

    async def zones(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return time_zone_choices(current)

    schedule.autocomplete("topic")(topics)
    schedule.autocomplete("zone")(zones)
    alert.autocomplete("topic")(topics)
    return group
