"""Slack adapter: mentions, DMs, thread follow-ups and slash commands in; Block Kit answers out.

- :mod:`~handlers.slack.blocks`: replies rendered as Slack mrkdwn and Block Kit, within limits;
- :mod:`~handlers.slack.parse`: Slack's encoded text read back as what the person typed;
- :mod:`~handlers.slack.listeners`: which events get an answer, once, and where;
- :mod:`~handlers.slack.delivery`: chat.postMessage and response_url, with retries;
- :mod:`~handlers.slack.app`: configuration, the bolt app, Socket Mode or HTTP, :func:`serve`.

``manifest.yml`` beside them creates the Slack app with the scopes and events handled here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.slack.app import build_app, build_web_app, serve

__all__ = ["build_app", "build_web_app", "serve"]


def __getattr__(name: str) -> Any:
    # Loaded when first named: the CLI reads the settings module of this package without
    # importing the slack library.
    if name in __all__:
        return getattr(importlib.import_module("handlers.slack.app"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
