"""The async engine every adapter calls: load a corpus once, then ask, brief, describe.

Searching is CPU work: every ask, briefing and topic search runs in a worker thread, so the event
loop keeps serving other questions whatever one of them costs (the corpus size is no guide: one
huge paragraph in a small corpus costs more than a big corpus); answers to repeated questions
come from a small cache.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from functools import cached_property

from bot.answer.compose import Answerer
from bot.answer.meaning import Semantic
from bot.brief import Briefer
from bot.corpus.load import LoadReport
from bot.index import Index, SentenceTable
from bot.models import Answer, Article, Briefing, BriefItem, CorpusStats, Listed
from bot.semantic.encoder import ModelUnavailable
from bot.semantic.reader import Reader, shared_reader
from bot.semantic.reader import available as reader_available
from bot.settings import Settings
from bot.text.aliases import Aliases
from bot.text.analyzer import Analyzer
from bot.text.language import foreign_language
from bot.text.period import Named, Period, named_days, question_period, split_period
from bot.text.question import prepare
from bot.wording import plural

log = logging.getLogger(__name__)

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


_YEARS = r"1[89]\d\d|20\d\d"
_YEAR = re.compile(rf"\b({_YEARS})\b")
_YEAR_PHRASE = re.compile(rf"(?:\b(?:in|of|during|from)\s+)?\b(?:{_YEARS})\b", re.I)


def _of_the_year(answer: Answer, years: set[str]) -> Answer:
    """A question naming a year is answered only by passages of that year: dated in it, or
    saying it. "How many died in the 2023 earthquake?" is not answered by a 2026 one; the
    reply names what the corpus has instead."""
    if not answer.answered:
        return answer
    kept = [
        p
        for p in answer.passages
        if str(p.article.date.year) in years or years & set(_YEAR.findall(p.quote))
    ]
    if kept:
        answer.passages = kept
        return answer
    best = answer.passages[0].article
    asked = " or ".join(sorted(years))
    answer.hint = (
        f"Nothing in it is from {asked}; the closest is of {best.date.year}: “{best.title}” "
        f"({best.date.isoformat()})."
    )
    answer.answered, answer.passages = False, []
    return answer


#: Passages asked for when a time in the question may rule the first ones out.
WIDE = 10


def _limited(answer: Answer, limit: int) -> Answer:
    answer.passages = answer.passages[:limit]
    return answer


def _in_period(answer: Answer, period: Period) -> Answer:
    """Only passages of articles dated in ``period``; none: not answered, naming the closest."""
    if not answer.answered:
        return answer
    kept = [p for p in answer.passages if period.holds(p.article.date)]
    if kept:
        answer.passages = kept
        return answer
    best = answer.passages[0].article
    answer.hint = (
        f"Nothing in it is dated {period.label}; the closest is “{best.title}” "
        f"({best.date.isoformat()})."
    )
    answer.answered, answer.passages = False, []
    return answer


def _on_named(answer: Answer, named: list[Named]) -> Answer:
    """Only passages that say the month or weekday asked, or are dated then."""
    if not answer.answered:
        return answer
    kept = [p for p in answer.passages if all(n.holds(p.article.date, p.quote) for n in named)]
    if kept:
        answer.passages = kept
        return answer
    best = answer.passages[0].article
    asked = " and ".join(n.name for n in named)
    answer.hint = (
        f"Nothing in it is about {asked}; the closest is “{best.title}” ({best.date.isoformat()})."
    )
    answer.answered, answer.passages = False, []
    return answer


class Engine:
    """A loaded, indexed corpus with the question-answering and briefing API."""

    def __init__(
        self,
        articles: list[Article],
        settings: Settings | None = None,
        report: LoadReport | None = None,
        *,
        index: Index | None = None,
        semantic: Semantic | None = None,
    ) -> None:
        """Index ``articles``, or serve ``index`` (already made of them: a saved one);
        ``semantic``: its meaning layer, made already (carried over by a reload), else made
        here as the settings say."""
        self.settings = settings or Settings()
        self.report = report or LoadReport(articles=articles)
        self.articles = articles
        if index is None:
            analyzer = Analyzer(Aliases.from_file(self.settings.briefbot_aliases_file))
            index = Index(articles, analyzer)
        self.analyzer = index.analyzer
        self.index = index
        self.briefer = Briefer(self.index)
        self.semantic = semantic if semantic is not None else self._semantic()
        self.reader = self._reader() if self.semantic is not None else None
        self.answerer = Answerer(
            self.index,
            min_coverage=self.settings.briefbot_min_coverage,
            min_article_coverage=self.settings.briefbot_min_article_coverage,
            semantic=self.semantic,
            reader=self.reader,
            min_confidence=self.settings.briefbot_min_confidence,
        )

    def _semantic(self) -> Semantic | None:
        """The meaning layer, or None (turned off, or the model package is missing: answers
        then come from words alone, which the log says once)."""
        s = self.settings
        if not s.briefbot_semantic or not len(self.index):
            return None
        corpus = s.briefbot_corpus
        name = "vectors" if corpus.is_dir() else f"{corpus.stem}-vectors"
        try:
            return Semantic.build(
                self.index, s.index_directory(), sync_limit=s.briefbot_embed_sync_limit, name=name
            )
        except ModelUnavailable as exc:
            log.warning("answering from words alone: %s", exc)
            return None
        except Exception as exc:  # a model that fails to load must not take the words with it
            log.warning(
                "answering from words alone: the sentence model failed to load (%s: %s)",
                type(exc).__name__,
                exc,
            )
            return None

    def _reader(self) -> Reader | None:
        """The reader that decides, beside the sentence model; None (words alone decide, which
        the log says once) when its files or onnxruntime are missing or it fails to load."""
        if not reader_available():
            log.warning(
                "answering from words alone: the reader (bot/semantic/data/reader.*) is missing"
            )
            return None
        try:
            return shared_reader()
        except Exception as exc:  # a reader that fails to load must not take the words with it
            log.warning(
                "answering from words alone: the reader failed to load (%s: %s)",
                type(exc).__name__,
                exc,
            )
            return None

    def close(self) -> None:
        """Stop background work (embedding a large corpus); what is done so far is saved."""
        if self.semantic is not None:
            self.semantic.close()

    @classmethod
    def load(cls, settings: Settings | None = None) -> Engine:
        """Load and index the corpus named by ``settings``, through its saved index when it is
        current (raises CorpusError)."""
        from bot.store import CorpusStore

        settings = settings or Settings()
        loaded = CorpusStore(settings).open()
        return cls(loaded.report.articles, settings, loaded.report, index=loaded.index)

    @property
    def sentence_table(self) -> SentenceTable:
        """Every indexed sentence (``.text``, ``.article``), for benchmarks and tools."""
        return self.index.sentence_table

    @property
    def offloads(self) -> bool:
        """True when answers may take a while (a large corpus): an adapter that must acknowledge
        quickly does so at once. (Every call runs in a worker thread, whatever the size.)"""
        return len(self.index) > self.settings.briefbot_offload_passages

    async def ask(
        self,
        question: str,
        *,
        limit: int | None = None,
        today: dt.date | None = None,
        odds: float = 1.0,
    ) -> Answer:
        """Answer ``question`` with the best quoted passages, or say nothing answers it;
        "yesterday" or "last week" in it read against ``today`` (default: this machine's)."""
        return await asyncio.to_thread(self.ask_sync, question, limit=limit, today=today, odds=odds)

    def _answer(self, text: str, limit: int, today: dt.date, odds: float = 1.0) -> Answer:
        """The answer, checked against the times the question names: a relative period
        ("yesterday", "last week": the article's date must fall in it), a month or weekday
        ("in March", "on Tuesday": the passage says it or is dated then), a year."""
        period, bare = question_period(text, today)
        if period is not None:
            wide = self._answer_of_years(bare, max(limit, WIDE), odds)
            return _limited(_in_period(wide, period), limit)
        named = named_days(text)
        answer = self._answer_of_years(text, max(limit, WIDE) if named else limit, odds)
        if not named:
            return answer
        kept = _on_named(answer, named)
        if not kept.answered:
            plain = text
            for n in named:
                plain = plain.replace(n.phrase, " ")
            again = _on_named(self._answer_of_years(" ".join(plain.split()), WIDE, odds), named)
            if again.answered or again.hint:
                kept = again
        return _limited(kept, limit)

    def _answer_of_years(self, text: str, limit: int, odds: float = 1.0) -> Answer:
        """The answerer's answer; for a question naming a year, only passages of that year
        (:func:`_of_the_year`), searched again without the year when none is: an article
        rarely writes its own year, so "in 2026" is a condition, not a word to find."""
        answer = self.answerer.answer(text, limit, odds)
        years = set(_YEAR.findall(text))
        if not years:
            return answer
        kept = _of_the_year(answer, years)
        if kept.answered:
            return kept
        bare = " ".join(_YEAR_PHRASE.sub(" ", text).split())
        again = _of_the_year(self.answerer.answer(bare, limit, odds), years) if bare else kept
        if again.answered or again.hint:
            return again
        return kept

    def ask_sync(
        self,
        question: str,
        *,
        limit: int | None = None,
        today: dt.date | None = None,
        odds: float = 1.0,
    ) -> Answer:
        """The synchronous core of :meth:`ask` (for batch tools and benchmarks)."""
        started = time.perf_counter()
        # Lone surrogates (undecodable bytes read with surrogateescape) cannot be encoded as JSON.
        question = _LONE_SURROGATE.sub("\ufffd", question or "")
        limit = limit or self.settings.briefbot_answers
        text, notice = prepare(question, self.settings.briefbot_max_question_chars)
        answer = self._answer(text, limit, today or dt.date.today(), odds)
        answer.question, answer.notice = question, notice
        answer.articles_searched = len(self.articles)
        # Asked when nothing answers (the model loads in about a second, once), or when letters
        # beyond ASCII suggest another language beside a quote that matched on names.
        if not answer.answered or not text.isascii():
            answer.language = foreign_language(text, self.index.surface)
        if answer.language and answer.answered:
            read = (
                f"This looks like {answer.language}; I read English only, so this quote "
                "matched on names and numbers."
            )
            answer.notice = f"{notice} {read}" if notice else read
        if not answer.answered and answer.hint is None:
            answer.hint = self.hint
        answer.took_ms = round((time.perf_counter() - started) * 1000, 3)
        return answer

    async def brief(
        self, topic: str | None = None, *, limit: int | None = None, today: dt.date | None = None
    ) -> Briefing:
        """The latest articles, or those on ``topic``, newest first, each with a lead; time
        words in ``topic`` ("today", "this week japan", "since monday") narrow it by date."""
        return await asyncio.to_thread(self.brief_sync, topic, limit=limit, today=today)

    def brief_sync(
        self, topic: str | None = None, *, limit: int | None = None, today: dt.date | None = None
    ) -> Briefing:
        """The synchronous core of :meth:`brief`; ``today``: the date time words are read
        against (default: this machine's)."""
        started = time.perf_counter()
        topic_text = prepare(topic or "", 200)[0]
        period, topic_text = split_period(topic_text, today or dt.date.today())
        briefing = self.briefer.brief(
            topic_text or None, limit or self.settings.briefbot_brief_items, period
        )
        if not briefing.items:
            briefing.hint = self.hint
        briefing.took_ms = round((time.perf_counter() - started) * 1000, 3)
        return briefing

    def stats(self) -> CorpusStats:
        """Counts, sources and newest dates of what is loaded (a copy: callers may edit it)."""
        return self._stats.model_copy(deep=True)

    @cached_property
    def _stats(self) -> CorpusStats:
        # The corpus never changes after load: count once, not on every /ask or health check.
        sources = Counter(a.source or "unknown source" for a in self.articles)
        dates = sorted({a.date for a in self.articles}, reverse=True)
        return CorpusStats(
            articles=len(self.articles),
            passages=len(self.index),
            sources=dict(sources.most_common()),
            newest=dates[:5],
            oldest=dates[-1] if dates else None,
            skipped=len(self.report.skipped),
            duplicates=len(self.report.duplicates),
        )

    async def listing(self) -> tuple[Listed, ...]:
        """Every article's id, text digest and date; the same tuple for this engine's life."""
        if "listing" in self.briefer.__dict__:
            return self.briefer.listing
        return await asyncio.to_thread(lambda: self.briefer.listing)

    def inherit_listing(self, old: Engine) -> None:
        """Reuse ``old``'s listing for the articles this engine kept from it (a reload)."""
        self.briefer.inherit(old.briefer)

    async def select(self, ids: Sequence[str], topic: str | None = None) -> list[BriefItem]:
        """The articles among ``ids`` (on ``topic`` when given), newest first, with leads."""
        return await asyncio.to_thread(self.briefer.select, ids, (topic or "").strip() or None)

    async def topics(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Topic suggestions (titles, tags, frequent names) matching ``prefix``."""
        return await asyncio.to_thread(self.briefer.topics, prefix, limit)

    @cached_property
    def hint(self) -> str:
        """What the corpus covers, for "not found" replies; built on first use, not at load."""
        return self._make_hint()

    def hint_if_made(self) -> str | None:
        """The "not found" hint when it has been made, else None (never makes it)."""
        made = self.__dict__.get("hint")
        return made if isinstance(made, str) else None

    def use_hint(self, hint: str) -> None:
        """Serve ``hint`` (a previous engine's) until :meth:`warm_up` makes this one's."""
        self.__dict__["hint"] = hint

    def warm_up(self) -> None:
        """Make what the first question would otherwise wait for: the index's caches, then the
        "not found" hint, set once made (a question meanwhile gets the hint it has)."""
        self.index.warm_up()
        self.use_hint(self._make_hint())

    def _make_hint(self) -> str:
        s = self.stats()
        if not s.articles:
            return ""
        names = self.briefer.topics("", 5)
        span = (
            f"from {s.oldest.isoformat()} to {s.newest[0].isoformat()}"
            if s.oldest and s.newest and s.oldest != s.newest[0]
            else f"of {s.newest[0].isoformat()}"
            if s.newest
            else ""
        )
        covers = f"It covers {plural(s.articles, 'article')} {span}".rstrip()
        return covers + (f", on topics such as {', '.join(names)}." if names else ".")
