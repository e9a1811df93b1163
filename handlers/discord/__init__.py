"""Discord adapter: the slash commands /ask, /brief, /sources and /help (and, optionally, mentions).

- :mod:`~handlers.discord.embeds`: replies rendered as embeds, within Discord's limits;
- :mod:`~handlers.discord.replies`: an interaction answered at once, or deferred and edited;
- :mod:`~handlers.discord.commands`: the command tree and topic autocomplete;
- :mod:`~handlers.discord.parse`: message text read as the question asked (mentions dropped);
- :mod:`~handlers.discord.client`: the client, deferring slow answers, errors, :func:`serve`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.discord.client import BriefBot, build_bot, serve

__all__ = ["BriefBot", "build_bot", "serve"]


def __getattr__(name: str) -> Any:
    # Loaded when first named: the CLI reads the settings module of this package without
    # importing the discord library.
    if name in __all__:
        return getattr(importlib.import_module("handlers.discord.client"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
