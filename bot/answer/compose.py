"""Answering a question: the best candidate sentences quoted, highlighted and cited, or none.

An :class:`Answerer` turns the verdict of :mod:`bot.answer.candidates` (the reader's, when the
model is installed) into quotes: the first one the reader judges an answer, highlighted where
the reader points, then any other that it also judges an answer and that adds an answer the
first lacks. Without the model, the lexical checks decide (how much of the question the quotes
and their articles cover). It also keeps a cache of recent answers.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import replace

from rapidfuzz import fuzz

from bot.answer.candidates import Judged, candidates
from bot.answer.meaning import Semantic
from bot.answer.query import Query, analyse
from bot.answer.ranking import Candidate, article_coverage, rank
from bot.index import Index
from bot.models import Answer, Passage
from bot.semantic.reader import Reader
from bot.text.answer_types import AnswerType

MAX_QUOTE = 400
# Passages after the first must score at least this share of the best one, and cover at least
# this share of the coverage the answer as a whole needs.
SECONDARY = 0.25
SECONDARY_COVERAGE = 0.6
# The topic checks (coverage, names, the article) look at this many best candidates: the top one
# may have been found through feedback words only ("conversation" for "call").
TOPIC_CHECKED = 5
# Quotes this similar (rapidfuzz ratio, 0-100) to one already chosen are the same sentence again:
# a syndicated copy, or the sentence in another article.
DUPLICATE_RATIO = 90
# A sentence shorter than this (characters) is quoted with the one before it, as one that leans
# on it ("It was ...") is.
SHORT_SENTENCE = 60
_ANAPHOR = re.compile(r"^(?:It|This|That|These|Those|They|He|She|The move|The trip|Such)\b")
# A further quote must be likely right on its own: P(answers) of at least this (calibrated: 7 in
# 10 such sentences hold an answer). Most questions have one answer, and a reader that quotes a
# second date "when" only one was asked is worse than one that quotes the right one alone.
FURTHER_P = 0.7
# Answers cached (as JSON) for repeated questions; the oldest used goes first.
CACHE_SIZE = 1024


class Answerer:
    """Answers questions from one index, with the thresholds an answer must pass and a cache of
    recent answers (questions repeat: another channel asks what one just asked)."""

    def __init__(
        self,
        index: Index,
        *,
        min_coverage: float,
        min_article_coverage: float,
        cache_size: int = CACHE_SIZE,
        semantic: Semantic | None = None,
        reader: Reader | None = None,
        min_confidence: float | None = None,
    ) -> None:
        self.index = index
        self.semantic = semantic
        self.reader = reader
        # P(answers) a quote needs, when the reader decides; None = the calibrated threshold.
        self.min_confidence = min_confidence
        # Share of the question's rare words the best passages must cover.
        self.min_coverage = min_coverage
        # Share of the question a best passage's whole article must hold.
        self.min_article_coverage = min_article_coverage
        self._cache: OrderedDict[tuple[str, int, bool, bool, float], str] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()  # asks may run in worker threads at once

    def answer(self, question: str, limit: int, odds: float = 1.0) -> Answer:
        """At most ``limit`` passages answering ``question`` (already prepared), or an Answer that
        says none does; a new object each call, which the caller may edit. ``odds``: the prior
        the reader's verdict is read with (see :func:`with_odds`)."""
        semantic = self.semantic if self.semantic is not None and self.semantic.ready else None
        # Answers read without vectors (while they are still being computed) are not kept once
        # meaning can be used.
        key = (question.lower(), limit, semantic is not None, self.reader is not None, odds)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
        if cached is not None:
            # Cached as JSON: every caller gets its own answer to edit, cheaply (no deep copy).
            return Answer.model_validate_json(cached)
        if not question:
            answer = Answer(question=question, answered=False)
        else:
            english = self.reader if self.reader is not None else self.semantic
            query = analyse(question, self.index, english.knows_word if english else None)
            if self.reader is not None:
                judged = candidates(
                    query, self.index, limit=limit, semantic=self.semantic, reader=self.reader
                )
                answer = self.compose_read(query, judged, limit, odds)
            else:
                answer = self.compose(query, rank(query, self.index, limit), limit)
        frozen = answer.model_dump_json()
        with self._cache_lock:
            self._cache[key] = frozen
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return answer

    def compose(self, query: Query, ranked: list[Candidate], limit: int) -> Answer:
        """Pick the passages to quote (no near-duplicates) and turn them into the Answer model."""
        if not self.words_answer(query, ranked):
            return Answer(question=query.text, answered=False)
        index = self.index
        best = ranked[0].score
        chosen: list[Passage] = []
        quotes: list[str] = []
        for c in ranked:
            if len(chosen) >= limit:
                break
            if chosen and (
                c.score < SECONDARY * best or c.coverage < self.min_coverage * SECONDARY_COVERAGE
            ):
                continue
            passage = passage_of(c, query, index)
            key = " ".join(passage.quote.lower().split())
            if any(key == q or fuzz.ratio(key, q) >= DUPLICATE_RATIO for q in quotes):
                continue
            quotes.append(key)
            chosen.append(passage)
        return Answer(question=query.text, answered=bool(chosen), passages=chosen)

    def words_answer(self, query: Query, ranked: list[Candidate]) -> bool:
        """The lexical verdict: the best candidates cover the question's topic, its names occur
        around them and their article holds most of the question."""
        top = ranked[:TOPIC_CHECKED]
        return bool(
            ranked
            and not _off_topic(query)
            and max(c.coverage for c in top) >= self.min_coverage
            and any(c.grounded for c in top)
            and any(
                article_coverage(c.id, query, self.index) >= self.min_article_coverage for c in top
            )
        )

    @property
    def threshold(self) -> float:
        """The P(answers) a quote needs: the configured minimum, else the reader's calibrated."""
        if self.min_confidence is not None:
            return self.min_confidence
        return self.reader.calibration.threshold if self.reader is not None else 1.0

    def compose_read(
        self, query: Query, judged: list[Judged], limit: int, odds: float = 1.0
    ) -> Answer:
        """Quote what the reader judges an answer: the best read candidate, highlighted where
        the reader points; then others it also judges an answer that add an answer (another
        date, another name) the quotes before them lack, never a sentence that only shares
        words. Quotes of one article come together under one citation."""
        read = [replace(j, p=with_odds(j.p, odds)) for j in judged if j.p is not None]
        if not read:
            return Answer(question=query.text, answered=False)
        best = read[0]
        confidence = round(float(best.p or 0.0), 4)
        if (best.p or 0.0) < self.threshold:
            return Answer(question=query.text, answered=False, confidence=confidence)
        quotes = [self._read_passage(best, query)]
        answers = [self._span_text(best)]
        further = max(self.threshold, FURTHER_P)
        for j in read[1:]:
            if len(quotes) >= limit:
                break
            found = self._span_text(j)
            if (j.p or 0.0) < further or not found:
                continue
            if any(found in a or a in found for a in answers if a):
                continue  # the same answer again (or part of it): nothing added
            passage = self._read_passage(j, query)
            key = " ".join(passage.quote.lower().split())
            if any(
                fuzz.ratio(key, " ".join(q.quote.lower().split())) >= DUPLICATE_RATIO
                for q in quotes
            ):
                continue
            answers.append(found)
            quotes.append(passage)
        return Answer(
            question=query.text, answered=True, passages=_grouped(quotes), confidence=confidence
        )

    def _span_text(self, j: Judged) -> str:
        if j.span is None:
            return ""
        text = self.index.sentence_table.text(j.id)
        return " ".join(text[j.span[0] : j.span[1]].lower().split())

    def _read_passage(self, j: Judged, query: Query) -> Passage:
        """The quote of a read candidate: the reader's answer span is the highlight, the
        answer-type words only where it points at nothing."""
        span = [j.span] if j.span is not None else None
        return passage_of(j.candidate, query, self.index, round(float(j.p or 0.0), 4), span)


def with_odds(p: float | None, odds: float) -> float | None:
    """P(answers) with ``odds`` times the prior the calibration assumed (half its questions
    answerable): a follow-up in a thread is asked of the article the thread is about, so a
    passage of that article answers it more often than a question asked cold."""
    if p is None or odds == 1.0:
        return p
    if p >= 1.0:
        return 1.0
    ratio = odds * p / (1.0 - p)
    return ratio / (1.0 + ratio)


def _grouped(passages: list[Passage]) -> list[Passage]:
    """Best first; then the quotes of one article together, so each article is cited once."""
    order: dict[str, int] = {}
    for p in passages:
        order.setdefault(p.article.id, len(order))
    return sorted(passages, key=lambda p: order[p.article.id])


def _off_topic(query: Query) -> bool:
    """A question whose specific words the corpus does not hold gets no quote."""
    specific = [t for t in query.terms if t.specific]
    missing = [t for t in query.missing if t.specific]
    if not specific:
        return True
    if any(t.name for t in missing):
        return True  # "capital of France" in a corpus without France
    return len(missing) > len({t.surface for t in specific})


def passage_of(
    c: Candidate,
    query: Query,
    index: Index,
    score: float | None = None,
    answer: list[tuple[int, int]] | None = None,
) -> Passage:
    """The quote of ``c`` with its citation; ``answer``: the characters to highlight (the
    reader's span), else the answer-type words the ranking found."""
    text, offset = index.sentence_table.text(c.id), 0
    highlight = answer if answer else c.spans[:2] if c.spans else []
    if not highlight and query.kind is AnswerType.OTHER:
        highlight = _merge(c.matched)
    # A sentence that leans on the one before ("It was ...") is quoted with it when short.
    if (len(text) < SHORT_SENTENCE or _ANAPHOR.match(text)) and c.id > 0:
        prev = index.sentence_table.text(c.id - 1)
        same_paragraph = index.same_paragraph(c.id - 1, c.id)
        if same_paragraph and len(prev) + len(text) + 1 <= MAX_QUOTE:
            offset = len(prev) + 1
            text = prev + " " + text
    highlight = [(s + offset, e + offset) for s, e in highlight]
    text, highlight = _clip(text, highlight, [(s + offset, e + offset) for s, e in c.matched])
    return Passage(
        quote=text,
        highlight=highlight,
        article=index.citation(c.id),
        score=round(c.score if score is None else score, 3),
    )


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s - out[-1][1] <= 1:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def _clip(
    text: str, highlight: list[tuple[int, int]], matched: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """Cut a long sentence to about MAX_QUOTE characters around what answers, marked with '…'."""
    if len(text) <= MAX_QUOTE:
        return text, highlight
    focus = highlight or matched or [(0, 0)]
    centre = (focus[0][0] + focus[-1][1]) // 2
    start = max(0, min(centre - MAX_QUOTE // 2, len(text) - MAX_QUOTE + 2))
    end = min(len(text), start + MAX_QUOTE - 2)
    if start > 0:
        sp = text.find(" ", start)
        start = sp + 1 if 0 <= sp < start + 30 else start
    if end < len(text):
        sp = text.rfind(" ", start, end)
        end = sp if sp > end - 30 else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    kept = [
        (max(s, start) + shift, min(e, end) + shift) for s, e in highlight if e > start and s < end
    ]
    return prefix + text[start:end] + suffix, kept
