"""Answering a question: analyse it, rank candidate sentences, quote and highlight the best.

Ranking = BM25 over sentences + context from the paragraph and the article title, then a rerank of
the top candidates on what a reader checks: does the sentence hold the kind of answer asked for
(a date for "when"), do the question's words stand close together, does it cover the rare words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.answer_types import AnswerType, is_wh, question_type
from bot.index import Index, Posting
from bot.models import Answer, Passage
from bot.text import Token, fold, words
from bot.wordlists import GENERIC, STOPWORDS

MAX_QUOTE = 400
# Weights of the context a sentence inherits from its paragraph and its article's title, of the
# share of the question's rare words it covers, and of its question words standing together.
# Measured on the bench; the ranking is flat around these values, so they are not fine-tuned.
W_PARA = 0.6
W_TITLE = 0.15
W_COVER = 3.0
W_PROX = 0.25
N_RERANK = 10  # more candidates measured no better on SQuAD, only slower
# A sentence found through feedback words is promoted when it scores this share of the best.
PROMOTE = 0.6
# Passages after the first must score at least this share of the best one.
SECONDARY = 0.25
# A sentence whose surroundings lack a name of the question ("Berlin Wall") counts this much.
UNGROUNDED = 0.5
# Sentences without the asked-for kind of answer are unlikely answers; how unlikely by kind.
TYPE_MISS = {
    AnswerType.TIME: 0.55,
    AnswerType.NUMBER: 0.6,
    AnswerType.DURATION: 0.25,
    AnswerType.PERSON: 0.8,
    AnswerType.PLACE: 0.85,
    AnswerType.REASON: 0.9,
    AnswerType.QUOTE: 0.85,
    AnswerType.OTHER: 1.0,
}
_ANAPHOR = re.compile(r"^(?:It|This|That|These|Those|They|He|She|The move|The trip|Such)\b")


@dataclass
class QueryTerm:
    term: str
    weight: float
    surface: str
    specific: bool
    name: bool
    fuzzy: bool = False


@dataclass
class Query:
    text: str
    kind: AnswerType
    terms: list[QueryTerm] = field(default_factory=list)
    missing: list[QueryTerm] = field(default_factory=list)


def analyse(question: str, index: Index) -> Query:
    """Question words -> weighted index terms; misspelled words matched to the vocabulary."""
    folded_words = [w for w, _, _ in words(fold(question))]
    kind = question_type(folded_words)
    tokens = index.analyzer.tokenize(question)
    query = Query(question, kind)
    seen: set[str] = set()
    wh_skip = {"when", "where", "who", "why", "how", "what", "which"}
    # "how long", "how many": the word after "how" names the answer type, not the topic.
    wh_skip |= {b for a, b in pairwise(folded_words) if a == "how"}
    for i, tok in enumerate(tokens):
        if tok.raw in wh_skip or (i == 0 and (tok.raw in STOPWORDS or is_wh(tok.raw))):
            continue
        surface = question[tok.start : tok.end]
        # Names and numbers ("Berlin Wall", "2026") pin a question to its subject.
        name = (
            (surface[:1].isupper() and tok.start > 0 and not surface.isupper())
            or "_" in tok.term
            or (surface.isdigit() and len(surface) >= 3)
        )
        specific = tok.raw not in GENERIC
        if index.knows(tok.term):
            if tok.term not in seen:
                seen.add(tok.term)
                query.terms.append(QueryTerm(tok.term, 1.0, surface, specific, name))
            continue
        if _misspelled_stopword(tok.raw):
            continue  # "thsoe", "abotu": a typo of a word that carries no topic
        matches = index.fuzzy(tok.raw) if i > 0 or len(tokens) == 1 else []
        if i == 0 and not matches:
            matches = index.fuzzy(tok.raw)
        if matches:
            for term, sim in matches:
                if term not in seen:
                    seen.add(term)
                    query.terms.append(QueryTerm(term, 0.85 * sim, surface, specific, name, True))
        else:
            query.missing.append(QueryTerm(tok.term, 1.0, surface, specific, name))
    return query


_LONG_STOPWORDS = sorted(w for w in STOPWORDS if len(w) >= 4 and w.isalpha())


def _misspelled_stopword(word: str) -> bool:
    if len(word) < 4 or not word.isalpha():
        return False
    found = process.extractOne(word, _LONG_STOPWORDS, scorer=OSA.distance, score_cutoff=1)
    return found is not None


@dataclass
class Candidate:
    id: int
    base: float
    score: float = 0.0
    coverage: float = 0.0
    spans: list[tuple[int, int]] = field(default_factory=list)
    matched: list[tuple[int, int]] = field(default_factory=list)
    grounded: bool = True  # every name in the question appears around this sentence


def rank(query: Query, index: Index, limit: int) -> list[Candidate]:
    """Candidate sentences, best first, scored for this question."""
    ranked = _rank(query, index, limit, [(t.term, t.weight) for t in query.terms])
    if query.kind is AnswerType.OTHER or not ranked or any(c.spans for c in ranked[:3]):
        return ranked
    # None of the best sentences holds the kind of answer asked for: the answer may use other
    # words ("call" vs "conversation"). Expand the question with the words the best sentences
    # share (pseudo-relevance feedback) and look again.
    expansion = _feedback_terms(query, index, ranked[:5])
    if not expansion:
        return ranked
    weighted = [(t.term, t.weight) for t in query.terms] + expansion
    again = _rank(query, index, limit, weighted)
    typed = [c for c in again if c.spans]
    if not typed or typed[0].score < PROMOTE * again[0].score:
        return ranked
    # Prefer the best sentence that holds the asked-for kind of answer when it is nearly as good.
    return [typed[0], *(c for c in again if c is not typed[0])]


def _feedback_terms(query: Query, index: Index, top: list[Candidate]) -> list[tuple[str, float]]:
    own = {t.term for t in query.terms}
    counts: dict[str, int] = {}
    for c in top:
        for term in dict.fromkeys(t.term for t in index.tokens(c.id)):
            if term not in own:
                counts[term] = counts.get(term, 0) + 1
    need = 2 if len(top) >= 3 else 1
    return [(t, 0.5 * n / len(top)) for t, n in counts.items() if n >= need]


def _rank(
    query: Query, index: Index, limit: int, weighted: list[tuple[str, float]]
) -> list[Candidate]:
    if not weighted or not len(index):
        return []
    s_sent = index.sentences.scores(weighted)
    s_para = index.paragraphs.scores(weighted)
    s_title = index.titles.scores(weighted)
    mask = s_sent > 0
    # Sentences of the best paragraphs join even without a shared word ("It was later called").
    lit = np.flatnonzero(s_para)
    for p in lit[np.argsort(-s_para[lit])[:3]]:
        span = index.paragraph_sentences(int(p))
        mask[span.start : span.stop] = True
    cand = np.flatnonzero(mask)
    if not len(cand):
        return []
    total = (
        s_sent[cand]
        + W_PARA * s_para[index.sent_para[cand]]
        + W_TITLE * s_title[index.sent_article[cand]]
    )
    total = np.where(index.caption[cand], total * 0.8, total)
    k = min(N_RERANK, len(cand))
    top = np.argpartition(-total, k - 1)[:k]
    idf = {t.term: index.sentences.idf(t.term) * t.weight for t in query.terms}
    total_idf = sum(idf.values()) + _missing_weight(query, index)
    out = []
    for j in top:
        c = Candidate(int(cand[j]), float(total[j]))
        _rerank(c, query, index, idf, total_idf)
        out.append(c)
    out.sort(key=lambda c: -c.score)
    return out[: max(limit * 4, limit)]


def _rerank(c: Candidate, query: Query, index: Index, idf: dict[str, float], total: float) -> None:
    text = index.sentence_table.text(c.id)
    tokens = index.tokens(c.id)
    hits = [t for t in tokens if t.term in idf]
    c.matched = [(t.start, t.end) for t in hits]
    found = {t.term for t in hits}
    c.coverage = sum(idf[t] for t in found) / total if total else 0.0
    factor = 1.0
    if query.kind is not AnswerType.OTHER:
        spans = [s for s in index.spans(c.id, query.kind) if not _inside(s, hits, text)]
        c.spans = spans
        factor *= 1.0 if spans else TYPE_MISS[query.kind]
    factor *= 1.0 + W_PROX * _proximity(hits)
    c.grounded = _grounded(c.id, query, index, found)
    if not c.grounded:
        factor *= UNGROUNDED
    c.score = (c.base + c.coverage * W_COVER) * factor


def _grounded(pid: int, query: Query, index: Index, found: set[str]) -> bool:
    """True when each name of the question ("Mona Lisa", "Berlin Wall") occurs in the sentence,
    its paragraph or its article's title: a passage about something else that shares common
    words must not be quoted as the answer."""
    para, art = int(index.sent_para[pid]), int(index.sent_article[pid])
    wanted: dict[str, bool] = {}
    for t in query.terms:
        if not t.name or "_" in t.term:
            continue
        ok = wanted.get(t.surface, False)
        if not ok:
            ok = (
                t.term in found
                or _has(index.paragraphs.postings.get(t.term), para)
                or _has(index.titles.postings.get(t.term), art)
            )
        wanted[t.surface] = ok
    return all(wanted.values())


def _article_coverage(pid: int, query: Query, index: Index) -> float:
    """Share of the question's weight (idf; unknown words count in full) found anywhere in the
    sentence's article: an article about something else shares a few words, not most of them."""
    art = int(index.sent_article[pid])
    first = int(index.para_article.searchsorted(art))
    end = int(index.para_article.searchsorted(art, side="right"))
    got = total = 0.0
    for t in query.terms:
        w = index.sentences.idf(t.term) * t.weight
        total += w
        p = index.paragraphs.postings.get(t.term)
        if p is not None:
            i = int(p.ids.searchsorted(first))
            if i < len(p.ids) and int(p.ids[i]) < end:
                got += w
                continue
        if _has(index.titles.postings.get(t.term), art):
            got += w
    total += _missing_weight(query, index)
    return got / total if total else 0.0


def _missing_weight(query: Query, index: Index) -> float:
    """What the question's words absent from the corpus weigh: each as much as its rarest known
    word (a word the corpus never uses is at least that specific); stray short tokens nothing."""
    known = [index.sentences.idf(t.term) for t in query.terms]
    each = max(known) if known else index.sentences.max_idf
    return each * sum(1 for t in query.missing if t.specific and len(t.surface) >= 4)


def _has(posting: Posting | None, unit: int) -> bool:
    if posting is None:
        return False
    i = int(posting.ids.searchsorted(unit))
    return i < len(posting.ids) and int(posting.ids[i]) == unit


def _inside(span: tuple[int, int], hits: list[Token], text: str) -> bool:
    """True when a candidate answer span holds nothing but the question's own words."""
    s, e = span
    if not any(t.start < e and t.end > s for t in hits):
        # No question word inside: the span is an answer unless it is only stopwords.
        return all(w in STOPWORDS for w, _, _ in words(fold(text[s:e])))
    rest = list(text[s:e])
    for t in hits:
        for i in range(max(t.start, s), min(t.end, e)):
            rest[i - s] = " "
    left = [w for w, _, _ in words(fold("".join(rest))) if w not in STOPWORDS]
    return not left


def _proximity(hits: list[Token]) -> float:
    """1 when two distinct question terms stand next to each other, falling with distance."""
    best = 0.0
    for a, b in pairwise(hits):
        if a.term != b.term:
            gap = max(0, b.start - a.end)
            best = max(best, 1.0 / (1.0 + gap / 12.0))
    return best


def build_answer(
    question: str,
    query: Query,
    ranked: list[Candidate],
    index: Index,
    limit: int,
    min_coverage: float,
    min_article_coverage: float = 0.55,
) -> Answer:
    """Pick the passages to quote (no near-duplicates) and turn them into the Answer model."""
    # The topic must be covered by the best candidates; the top one may have been found through
    # feedback words only ("conversation" for "call").
    if (
        not ranked
        or _off_topic(query)
        or max(c.coverage for c in ranked[:5]) < min_coverage
        or not any(c.grounded for c in ranked[:5])
        or not any(
            _article_coverage(c.id, query, index) >= min_article_coverage for c in ranked[:5]
        )
    ):
        return Answer(question=question, answered=False)
    best = ranked[0].score
    chosen: list[Passage] = []
    quotes: list[str] = []
    for c in ranked:
        if len(chosen) >= limit:
            break
        if chosen and (c.score < SECONDARY * best or c.coverage < min_coverage * 0.6):
            continue
        passage = _passage(c, query, index)
        key = " ".join(passage.quote.lower().split())
        if any(key == q or fuzz.ratio(key, q) >= 90 for q in quotes):
            continue  # a syndicated copy or the same sentence in another article
        quotes.append(key)
        chosen.append(passage)
    return Answer(question=question, answered=bool(chosen), passages=chosen)


def _off_topic(query: Query) -> bool:
    """A question whose specific words the corpus does not hold gets no quote."""
    specific = [t for t in query.terms if t.specific]
    missing = [t for t in query.missing if t.specific]
    if not specific:
        return True
    if any(t.name for t in missing):
        return True  # "capital of France" in a corpus without France
    return len(missing) > len({t.surface for t in specific})


def _passage(c: Candidate, query: Query, index: Index) -> Passage:
    text, offset = index.sentence_table.text(c.id), 0
    highlight = c.spans[:2] if c.spans else []
    if not highlight and query.kind is AnswerType.OTHER:
        highlight = _merge(c.matched)
    # A sentence that leans on the one before ("It was ...") is quoted with it when short.
    if (len(text) < 60 or _ANAPHOR.match(text)) and c.id > 0:
        prev = index.sentence_table.text(c.id - 1)
        same_paragraph = index.sent_para[c.id - 1] == index.sent_para[c.id]
        if same_paragraph and len(prev) + len(text) + 1 <= MAX_QUOTE:
            offset = len(prev) + 1
            text = prev + " " + text
    highlight = [(s + offset, e + offset) for s, e in highlight]
    text, highlight = _clip(text, highlight, [(s + offset, e + offset) for s, e in c.matched])
    return Passage(
        quote=text, highlight=highlight, article=index.citation(c.id), score=round(c.score, 3)
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
