"""The core as the adapters see it: a Protocol that :class:`bot.engine.Engine` satisfies.

Adapters (Slack, Discord, the console) and :class:`bot.chat.Chat` depend on this, not on the
concrete engine, so tests can hand them a small typed fake and type checkers hold both to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bot.models import Answer, Briefing, BriefItem, CorpusStats, Listed


class Core(Protocol):
    """Everything an adapter may ask of the core."""

    @property
    def offloads(self) -> bool:
        """True when an answer may take a while (a large corpus), so an adapter that must
        acknowledge quickly should do so at once rather than wait."""
        ...

    async def ask(
        self,
        question: str,
        *,
        limit: int | None = None,
        today: dt.date | None = None,
        odds: float = 1.0,
    ) -> Answer:
        """The best quoted passages for ``question``, or a "not found" answer with a hint.
        ``today``: the asker's date, which "yesterday" or "last week" are read against
        (default: this machine's). ``odds``: how much likelier than for a question asked cold
        it is that the corpus answers this one (a thread's follow-up asked of its article);
        the reader's verdict is read with that prior.

        An over-long question is cut (``BRIEFBOT_MAX_QUESTION_CHARS``) and answered, with a
        ``notice`` saying so; adapters show the notice and apply no length rule of their own.
        """
        ...

    async def brief(
        self, topic: str | None = None, *, limit: int | None = None, today: dt.date | None = None
    ) -> Briefing:
        """The latest articles, or those on ``topic``, newest first, each with a lead; time
        words ("today", "since monday") read against ``today`` (default: this machine's)."""
        ...

    async def topics(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Topic suggestions (titles, tags, frequent names) matching ``prefix``."""
        ...

    def stats(self) -> CorpusStats:
        """Counts, sources and newest dates of what is loaded."""
        ...

    async def listing(self) -> Sequence[Listed]:
        """Every article's id, text digest and date: what digests and alerts compare with what
        they saw before. The same object until the corpus changes (cheap to ask often)."""
        ...

    async def select(self, ids: Sequence[str], topic: str | None = None) -> list[BriefItem]:
        """The articles among ``ids`` that are in the corpus (on ``topic`` when given), newest
        first, each with its lead: the lines of a digest or an alert."""
        ...
