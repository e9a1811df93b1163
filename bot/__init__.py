"""briefbot core: a platform-neutral engine that answers questions with quoted, cited passages.

Nothing in this package imports Slack or Discord code; adapters live in ``handlers/`` and import
this façade only (``lint-imports`` checks it). The names below are its public API: :class:`Core`
(what adapters may call) and :class:`Engine` (the implementation), :class:`LiveEngine` (one that
follows its folder), :class:`Chat` (one message in, one :data:`Reply` out), the models they
return, the settings, the errors, ingestion and the few helpers adapters word things with.

The pipeline, one package a stage, each importing only those before it::

    text/      words, sentences, aliases, typos, answer types; a message's language, time words
    corpus/    files read into articles (Markdown, plain text, JSON Lines) and the load report
    index/     BM25 over sentences, paragraphs and titles; its codec and its merge
    semantic/  the sentence encoder, its saved vectors, the reader (a cross-encoder)
    answer/    query, ranking, candidates by meaning, the verdict, the quotes
    store/     the saved state beside the corpus: layout, manifest, files
    ingest/    feeds and pages fetched into the corpus folder

``engine`` (the core), ``live`` (the core following its folder), ``brief``, ``chat`` and
``followup`` sit on top; ``models``, ``errors``, ``settings``, ``progress``, ``atomic`` and
``wording`` are shared by every stage.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from bot.api import Core
from bot.chat import Chat
from bot.errors import BriefbotError, ConfigError, CorpusError, Unreachable
from bot.models import (
    Answer,
    AnswerReply,
    Article,
    ArticleRef,
    Briefing,
    BriefingReply,
    BriefItem,
    CorpusStats,
    Digest,
    DigestGroup,
    Listed,
    Passage,
    Place,
    Reply,
    TextReply,
)
from bot.settings import EnvSettings, Settings, env_files, explain
from bot.version import __version__
from bot.wording import plural

if TYPE_CHECKING:
    from bot.corpus.folder import list_folder
    from bot.corpus.load import NothingLoaded
    from bot.corpus.load import load as load_corpus
    from bot.digest.feeds import Feeds
    from bot.digest.requests import (
        AlertRequest,
        DigestRequest,
        ListRequest,
        StopRequest,
        check_topic,
        parse_request,
    )
    from bot.digest.schedule import ScheduleError, zone_choices, zone_name
    from bot.digest.scheduler import Posted, Poster, Scheduler, Timing
    from bot.digest.service import Digests
    from bot.engine import Engine
    from bot.ingest import FeedPoller, IngestOptions, IngestReport
    from bot.ingest import ingest as ingest_urls
    from bot.ingest.poller import log_report
    from bot.live import LiveEngine
    from bot.state import Database, Memory, Turns
    from bot.text.question import is_follow_up

__all__ = [
    "AlertRequest",
    "Answer",
    "AnswerReply",
    "Article",
    "ArticleRef",
    "BriefItem",
    "BriefbotError",
    "Briefing",
    "BriefingReply",
    "Chat",
    "ConfigError",
    "Core",
    "CorpusError",
    "CorpusStats",
    "Database",
    "Digest",
    "DigestGroup",
    "DigestRequest",
    "Digests",
    "Engine",
    "EnvSettings",
    "FeedPoller",
    "Feeds",
    "IngestOptions",
    "IngestReport",
    "ListRequest",
    "Listed",
    "LiveEngine",
    "Memory",
    "NothingLoaded",
    "Passage",
    "Place",
    "Posted",
    "Poster",
    "Reply",
    "ScheduleError",
    "Scheduler",
    "Settings",
    "StopRequest",
    "TextReply",
    "Timing",
    "Turns",
    "Unreachable",
    "__version__",
    "check_topic",
    "env_files",
    "explain",
    "ingest_urls",
    "is_follow_up",
    "list_folder",
    "load_corpus",
    "log_report",
    "parse_request",
    "plural",
    "zone_choices",
    "zone_name",
]

# Loaded when first named, not by every `import bot`: the engine pulls in numpy and the index,
# ingestion aiohttp and trafilatura (the CLI answers --version and usage errors without them).
_LAZY = {
    "Engine": ("bot.engine", "Engine"),
    "LiveEngine": ("bot.live", "LiveEngine"),
    "NothingLoaded": ("bot.corpus.load", "NothingLoaded"),
    "load_corpus": ("bot.corpus.load", "load"),
    "list_folder": ("bot.corpus.folder", "list_folder"),
    "FeedPoller": ("bot.ingest", "FeedPoller"),
    "IngestOptions": ("bot.ingest", "IngestOptions"),
    "IngestReport": ("bot.ingest", "IngestReport"),
    "ingest_urls": ("bot.ingest", "ingest"),
    "log_report": ("bot.ingest.poller", "log_report"),
    "is_follow_up": ("bot.text.question", "is_follow_up"),
    # digests and the database: SQLAlchemy loads only for the long-running commands
    "AlertRequest": ("bot.digest.requests", "AlertRequest"),
    "DigestRequest": ("bot.digest.requests", "DigestRequest"),
    "ListRequest": ("bot.digest.requests", "ListRequest"),
    "StopRequest": ("bot.digest.requests", "StopRequest"),
    "check_topic": ("bot.digest.requests", "check_topic"),
    "parse_request": ("bot.digest.requests", "parse_request"),
    "ScheduleError": ("bot.digest.schedule", "ScheduleError"),
    "zone_choices": ("bot.digest.schedule", "zone_choices"),
    "zone_name": ("bot.digest.schedule", "zone_name"),
    "Posted": ("bot.digest.scheduler", "Posted"),
    "Poster": ("bot.digest.scheduler", "Poster"),
    "Scheduler": ("bot.digest.scheduler", "Scheduler"),
    "Timing": ("bot.digest.scheduler", "Timing"),
    "Digests": ("bot.digest.service", "Digests"),
    "Feeds": ("bot.digest.feeds", "Feeds"),
    "Database": ("bot.state", "Database"),
    "Memory": ("bot.state", "Memory"),
    "Turns": ("bot.state", "Turns"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
