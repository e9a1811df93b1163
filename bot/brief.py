"""Briefings (the latest articles, or those on a topic) and topic suggestions for autocomplete."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from functools import cached_property

import numpy as np
from rapidfuzz import fuzz, process

from bot.answer.query import analyse
from bot.corpus.duplicates import text_digest
from bot.index import Index
from bot.models import Article, ArticleRef, Briefing, BriefItem, Listed
from bot.text.answer_types import NAME_RE, TIME_RE
from bot.text.period import Period
from bot.text.sentences import MAX_SENTENCE_CHARS, split_sentences
from bot.text.wordlists import STOPWORDS

LEAD_CHARS = 300
# Share of a topic's words (idf-weighted) an article must mention to be on that topic.
TOPIC_COVERAGE = 0.6
_TOPIC_SOURCES = 5000  # articles scanned for names when building topic suggestions
# Characters of a paragraph read for names, and for a lead (its first two sentences at most): a
# megabyte paragraph costs what an ordinary one does.
_TOPIC_SCAN = 4000
_LEAD_SCAN = 2 * MAX_SENTENCE_CHARS + 2
SUGGESTIONS = 5  # topics offered when a briefing's topic matched nothing


def article_ref(article: Article) -> ArticleRef:
    return ArticleRef(
        id=article.id,
        title=article.title,
        date=article.date,
        source=article.source,
        url=article.url,
    )


def lead(article: Article) -> str:
    """One or two opening sentences of the body (never the photo caption), about 300 chars."""
    para = article.paragraphs[0][:_LEAD_SCAN]
    spans = split_sentences(para)
    text = para[spans[0][0] : spans[0][1]] if spans else para
    if len(text) < 120 and len(spans) > 1:
        text = para[spans[0][0] : spans[1][1]]
    if len(text) > LEAD_CHARS:
        text = text[: LEAD_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return text


def added(articles: Sequence[Article]) -> list[tuple[int, int]]:
    """When each article arrived, as far as the folder tells: its file's modification time (ns),
    then its line (a JSON Lines collection grows at the end). A file that cannot be read now
    counts as the oldest."""
    mtimes: dict[str, int] = {}
    out = []
    for art in articles:
        path, line = (art.origin.file, art.origin.line) if art.origin else ("", 0)
        if path not in mtimes:
            try:
                mtimes[path] = os.stat(path).st_mtime_ns if path else 0
            except OSError:
                mtimes[path] = 0
        out.append((mtimes[path], line))
    return out


class Briefer:
    """Builds briefings from an index: newest date first and, among articles of one date, the
    most recently added file first (what a feed just brought in heads the briefing)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        # Listed entries of the engine this one replaced, by article object (see inherit).
        self._known: dict[int, tuple[Article, Listed]] = {}
        arts = index.articles
        self.added = added(arts)
        self.order = sorted(
            range(len(arts)),
            key=lambda i: (arts[i].date, self.added[i], arts[i].title),
            reverse=True,
        )

    def brief(self, topic: str | None, limit: int, period: Period | None = None) -> Briefing:
        """The newest ``limit`` articles on ``topic`` (all when None), dated within ``period``
        when one is given."""
        arts = self.index.articles
        if period is None:
            picked = self._on_topic(topic, limit) if topic else self.order[:limit]
        else:
            pool = self._on_topic(topic, len(arts)) if topic else self.order
            picked = [i for i in pool if period.holds(arts[i].date)][:limit]
        items = [
            BriefItem(article=article_ref(arts[i]), lead=lead(arts[i]), tags=list(arts[i].tags))
            for i in picked
        ]
        briefing = Briefing(
            topic=topic,
            items=items,
            total_articles=len(arts),
            period=period.label if period else None,
        )
        if topic and not items and period is None:
            briefing.suggestions = self.suggestions(topic)
        return briefing

    @cached_property
    def listing(self) -> tuple[Listed, ...]:
        """Every article's id, text digest and date (made on first use: it reads all text;
        an article kept from the engine this one replaced is not read again)."""
        known, self._known = self._known, {}
        out = []
        for a in self.index.articles:
            hit = known.get(id(a))
            if hit is not None and hit[0] is a:
                out.append(hit[1])
            else:
                out.append(Listed(id=a.id, digest=text_digest(a), date=a.date))
        return tuple(out)

    def inherit(self, old: Briefer) -> None:
        """Take over ``old``'s listing for the articles this index kept from it (the same
        objects, after a merge), if it was made: a reload then hashes only new articles."""
        if "listing" in old.__dict__:
            self._known = {
                id(a): (a, entry) for a, entry in zip(old.index.articles, old.listing, strict=True)
            }

    @cached_property
    def _position(self) -> dict[str, int]:
        return {a.id: i for i, a in enumerate(self.index.articles)}

    def select(self, ids: Sequence[str], topic: str | None = None) -> list[BriefItem]:
        """The articles among ``ids`` in the corpus, on ``topic`` when given, newest first."""
        arts = self.index.articles
        picked = {self._position[i] for i in ids if i in self._position}
        if topic:
            picked &= set(self._on_topic(topic, len(arts)))
        rank = {i: r for r, i in enumerate(self.order)}
        return [
            BriefItem(article=article_ref(arts[i]), lead=lead(arts[i]), tags=list(arts[i].tags))
            for i in sorted(picked, key=rank.__getitem__)
        ]

    def suggestions(self, topic: str, limit: int = SUGGESTIONS) -> list[str]:
        """Topics to offer when ``topic`` matched nothing: those that look like it, then the most
        common ones; each one a briefing would find."""
        out: list[str] = []
        for t in [*self.topics(topic, limit), *self.topics("", limit * 2)]:
            if t not in out and len(t) <= 60 and self._on_topic(t, 1):
                out.append(t)
            if len(out) == limit:
                break
        return out

    def _on_topic(self, topic: str, limit: int) -> list[int]:
        """Articles that mention most of the topic (in title, tags or text), newest first."""
        query = analyse(topic, self.index)
        if not query.terms or any(t.name and t.specific for t in query.missing):
            return []
        idx = self.index
        n = len(idx.articles)
        covered = np.zeros(n, dtype=np.float32)
        total = 0.0
        for t in query.terms:
            weight = idx.paragraphs.idf(t.term) * t.weight
            total += weight
            covered += weight * idx.articles_with(t.term)
        relevant = np.flatnonzero(covered >= TOPIC_COVERAGE * total)
        if not len(relevant):
            return []
        # Rank by how much is said about the topic only to break ties of date and arrival: a
        # briefing is about what is new.
        strength = idx.titles.scores([(t.term, t.weight) for t in query.terms])
        chosen = sorted(
            relevant.tolist(),
            key=lambda i: (idx.articles[i].date, self.added[i], strength[i]),
            reverse=True,
        )
        return chosen[:limit]

    @cached_property
    def _topics(self) -> list[str]:
        """Titles, tags and frequent names, most common first (built on first use)."""
        counts: Counter[str] = Counter()
        arts = self.index.articles
        for i in self.order[:_TOPIC_SOURCES]:
            art = arts[i]
            for tag in art.tags:
                counts[tag] += 3
            for para in art.paragraphs[:3]:
                for m in NAME_RE.finditer(para, 0, _TOPIC_SCAN):
                    name = m.group().strip(" .'’")
                    if name.lower() in STOPWORDS or len(name) < 3 or m.start() == 0:
                        continue
                    if TIME_RE.fullmatch(name):
                        continue  # "Monday", "March": capitalised, but a date is no topic
                    counts[name] += 1
        names = [n for n, c in counts.most_common() if c >= 2]
        titles = [arts[i].title for i in self.order[:_TOPIC_SOURCES]]
        seen: set[str] = set()
        out = []
        for t in [*names, *titles]:
            key = t.lower()
            if key not in seen:
                seen.add(key)
                out.append(t[:100])
        return out

    def topics(self, prefix: str, limit: int) -> list[str]:
        """Suggestions for ``prefix``: starts-with first, then contains, then fuzzy."""
        topics = self._topics
        p = " ".join(prefix.lower().split())
        if not p:
            return topics[:limit]
        starts = [t for t in topics if t.lower().startswith(p)]
        words = [
            t for t in topics if t not in starts and any(w.startswith(p) for w in t.lower().split())
        ]
        contains = [t for t in topics if p in t.lower() and t not in starts and t not in words]
        out = (starts + words + contains)[:limit]
        if len(out) < limit and len(p) >= 3:
            fuzzy = process.extract(
                p, topics, scorer=fuzz.partial_ratio, score_cutoff=75, limit=limit
            )
            out += [t for t, _, _ in fuzzy if t not in out][: limit - len(out)]
        return out
