"""briefbot core: a platform-neutral engine that answers questions with quoted, cited passages.

Nothing in this package imports Slack or Discord code; adapters live in ``handlers/``. The names
below are its public API: :class:`Core` (what adapters may call) and :class:`Engine` (the
implementation), :class:`Chat` (one message in, one :data:`Reply` out), the models they return,
the settings and the errors. Everything else is internal to the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.api import Core
from bot.chat import Chat
from bot.errors import BriefbotError, ConfigError, CorpusError
from bot.models import (
    Answer,
    AnswerReply,
    Article,
    ArticleRef,
    Briefing,
    BriefingReply,
    BriefItem,
    CorpusStats,
    Passage,
    Reply,
    TextReply,
)
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.engine import Engine

__version__ = "0.1.0"

__all__ = [
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
    "Engine",
    "Passage",
    "Reply",
    "Settings",
    "TextReply",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # The engine pulls in numpy and the index: loaded when first named, not by every `import bot`
    # (the CLI answers --version and usage errors without it).
    if name == "Engine":
        from bot.engine import Engine

        return Engine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
