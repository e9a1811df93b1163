"""The process's configuration: the core's settings with Slack's and Discord's, read at once.

Each layer declares its own variables (``bot.Settings``, :class:`SlackSettings`,
:class:`DiscordSettings`); one ``.env`` holds them all, so the CLI reads them as one model and
hands each part the object it needs (an :class:`AppSettings` is each of the three).
"""

from __future__ import annotations

from bot import Settings
from handlers.discord.settings import DiscordSettings
from handlers.slack.settings import SlackSettings


class AppSettings(Settings, SlackSettings, DiscordSettings):
    """Every variable briefbot reads (see ``.env.example``)."""


__all__ = ["AppSettings", "DiscordSettings", "SlackSettings"]
