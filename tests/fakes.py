"""One typed stand-in for the core (:class:`bot.api.Core`), so adapter tests check the adapter,
not the search. It answers with fixed passages and records what it was asked."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.models import Answer, ArticleRef, Briefing, BriefItem, CorpusStats, Listed, Passage

if TYPE_CHECKING:
    from bot.api import Core


def passage(quote: str, hot: str, article: ArticleRef) -> Passage:
    """A passage of ``quote`` with the words ``hot`` highlighted."""
    start = quote.index(hot)
    return Passage(quote=quote, highlight=[(start, start + len(hot))], article=article, score=1.0)


@dataclass
class FakeEngine:
    """Fixed answers (``passages``; none means "not found" with ``hint``), a fixed briefing and
    corpus; ``delay`` makes it slow, ``error`` makes ask and brief fail, ``offloads`` makes it
    look like a large corpus."""

    passages: list[Passage] = field(default_factory=list)
    hint: str = "I follow Japanese politics and trade."
    items: list[BriefItem] = field(default_factory=list)
    corpus: CorpusStats = field(
        default_factory=lambda: CorpusStats(
            articles=12, passages=10, sources={"Kyodo": 8, "NHK": 4}, newest=[dt.date(2026, 1, 5)]
        )
    )
    topic_names: list[str] = field(default_factory=list)
    delay: float = 0.0
    error: Exception | None = None
    offloads: bool = False
    questions: list[str] = field(default_factory=list)
    topics_briefed: list[str | None] = field(default_factory=list)

    async def ask(
        self,
        question: str,
        *,
        limit: int | None = None,
        today: dt.date | None = None,
        odds: float = 1.0,
    ) -> Answer:
        self.questions.append(question)
        await self._work()
        return Answer(
            question=question,
            answered=bool(self.passages),
            passages=self.passages,
            hint=None if self.passages else self.hint,
            articles_searched=self.corpus.articles,
        )

    async def brief(
        self, topic: str | None = None, *, limit: int | None = None, today: dt.date | None = None
    ) -> Briefing:
        self.topics_briefed.append(topic)
        await self._work()
        return Briefing(topic=topic, items=self.items, total_articles=self.corpus.articles)

    async def topics(self, prefix: str = "", limit: int = 25) -> list[str]:
        return [t for t in self.topic_names if t.lower().startswith(prefix.lower())][:limit]

    def stats(self) -> CorpusStats:
        return self.corpus.model_copy(deep=True)

    async def listing(self) -> tuple[Listed, ...]:
        return tuple(
            Listed(id=i.article.id, digest=i.article.id, date=i.article.date) for i in self.items
        )

    async def select(self, ids: Sequence[str], topic: str | None = None) -> list[BriefItem]:
        wanted = set(ids)
        return [i for i in self.items if i.article.id in wanted]

    async def _work(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error


if TYPE_CHECKING:
    # The type checker holds the fake to the same interface as the real engine.
    _FAKE_IS_A_CORE: Core = FakeEngine()
