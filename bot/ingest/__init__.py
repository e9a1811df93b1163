"""News in: RSS/Atom feeds and article pages fetched into the corpus folder as Markdown files.

``ingest(urls, folder)`` runs once (``briefbot ingest``); ``FeedPoller`` runs it every few
minutes beside a running bot. Fetching is ours (``fetch``), feeds are read by feedparser
(``feeds``), articles by trafilatura (``extract``), files written by ``store``.

The models import at once; ``ingest`` (which loads trafilatura and lxml) on first use, so a
command that never ingests does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.ingest.models import IngestError, IngestOptions, IngestReport, Outcome, SourceResult
from bot.ingest.poller import FeedPoller

if TYPE_CHECKING:
    from bot.ingest.pipeline import ingest

__all__ = [
    "FeedPoller",
    "IngestError",
    "IngestOptions",
    "IngestReport",
    "Outcome",
    "SourceResult",
    "ingest",
]


def __getattr__(name: str) -> Any:
    if name == "ingest":
        from bot.ingest.pipeline import ingest

        return ingest
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
