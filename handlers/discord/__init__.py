"""Discord adapter: the slash commands /ask, /brief, /sources and /help (and, optionally, mentions
and, with a database, /digest with its scheduled posts).

- :mod:`~handlers.discord.embeds`: replies rendered as embeds, within Discord's limits;
- :mod:`~handlers.discord.replies`: an interaction answered at once, or deferred and edited;
- :mod:`~handlers.discord.commands`: the commands /ask, /brief, /sources and /help;
- :mod:`~handlers.discord.parse`: message text read as the question asked (mentions dropped);
- :mod:`~handlers.discord.choices`: autocomplete choices (topics, time zones);
- :mod:`~handlers.discord.digests`: the /digest group (schedules, alerts, list, stop);
- :mod:`~handlers.discord.poster`: digests and alerts posted to a channel (:class:`DiscordPoster`);
- :mod:`~handlers.discord.client`: the client, deferring slow answers, errors, :func:`serve`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.discord.client import BriefBot, build_bot, serve
    from handlers.discord.poster import DiscordPoster

__all__ = ["BriefBot", "DiscordPoster", "build_bot", "serve"]
_MODULES = {"DiscordPoster": "handlers.discord.poster"}


def __getattr__(name: str) -> Any:
    # Loaded when first named: the CLI reads the settings module of this package without
    # importing the discord library.
    if name in __all__:
        module = _MODULES.get(name, "handlers.discord.client")
        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
