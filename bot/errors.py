"""Error types raised inside the core and turned into friendly messages at the edge."""

from __future__ import annotations


class BriefbotError(Exception):
    """Base of every error the CLI and the adapters report to the user."""


class CorpusError(BriefbotError):
    """The corpus cannot be served: missing path, nothing loadable."""


class ConfigError(BriefbotError):
    """A setting is missing or wrong; the message names the variable to set."""


class Unreachable(BriefbotError):
    """A service the bot needs (Slack, Discord) cannot be reached; the message names it and the
    URL tried."""
