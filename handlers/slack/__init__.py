"""Slack adapter: mentions, DMs, thread follow-ups and slash commands in; Block Kit answers out.

- :mod:`~handlers.slack.blocks`: replies rendered as Slack mrkdwn and Block Kit, within limits;
- :mod:`~handlers.slack.parse`: Slack's encoded text read back as what the person typed;
- :mod:`~handlers.slack.listeners`: which events get an answer, once, and where;
- :mod:`~handlers.slack.delivery`: chat.postMessage and response_url, with retries;
- :mod:`~handlers.slack.app`: configuration, the bolt app, Socket Mode or HTTP, :func:`serve`.

``manifest.yml`` beside them creates the Slack app with the scopes and events handled here.
"""

from __future__ import annotations

from handlers.slack.app import build_app, build_web_app, serve

__all__ = ["build_app", "build_web_app", "serve"]
