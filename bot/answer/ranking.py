"""Ranking candidate sentences for a question.

BM25 over sentences plus context from the paragraph and the article title, then a rerank of the
top candidates on what a reader checks: does the sentence hold the kind of answer asked for (a
date for "when"), do the question's words stand close together, does it cover the rare words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from bot.answer.query import Query, QueryTerm
from bot.index import ContextScores, Index
from bot.text.analyzer import Token, fold, words
from bot.text.answer_types import AnswerType
from bot.text.wordlists import STOPWORDS

# Weights of the context a sentence inherits from its paragraph and its article's title, of the
# share of the question's rare words it covers, and of its question words standing together.
# Measured on the bench; the ranking is flat around these values, so they are not fine-tuned.
W_PARA = 0.6
W_TITLE = 0.15
W_COVER = 3.0
W_PROX = 0.25
N_RERANK = 10  # more candidates measured no better on SQuAD, only slower
# A photo caption describes a picture more than the story: its sentences count this much.
CAPTION_WEIGHT = 0.8
# Characters between two question words at which their closeness counts half.
PROXIMITY_CHARS = 12.0
# Sentences of this many best paragraphs are candidates even without a question word ("It was
# later called ...").
CONTEXT_PARAGRAPHS = 3
# When none of this many best sentences holds the asked-for kind of answer, look again with
# feedback words ...
TYPED_CHECKED = 3
# ... the words shared by this many best sentences, each weighing this much (times the share of
# those sentences it occurs in): less than a question word.
FEEDBACK_FROM = 5
FEEDBACK_WEIGHT = 0.5
# A sentence found through feedback words is promoted when it scores this share of the best.
PROMOTE = 0.6
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


@dataclass
class Candidate:
    id: int
    base: float
    score: float = 0.0
    coverage: float = 0.0
    spans: list[tuple[int, int]] = field(default_factory=list)
    matched: list[tuple[int, int]] = field(default_factory=list)
    grounded: bool = True  # every name in the question appears around this sentence
    named: bool = True  # every name in the question appears in this sentence's article


def rank(query: Query, index: Index, limit: int) -> list[Candidate]:
    """Candidate sentences, best first, scored for this question."""
    ranked = _rank(query, index, limit, [(t.term, t.weight) for t in query.terms])
    if query.kind is AnswerType.OTHER or not ranked or any(c.spans for c in ranked[:TYPED_CHECKED]):
        return ranked
    # None of the best sentences holds the kind of answer asked for: the answer may use other
    # words ("call" vs "conversation"). Expand the question with the words the best sentences
    # share (pseudo-relevance feedback) and look again.
    expansion = _feedback_terms(query, index, ranked[:FEEDBACK_FROM])
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
    return [(t, FEEDBACK_WEIGHT * n / len(top)) for t, n in counts.items() if n >= need]


def base_scores(index: Index, scores: ContextScores, ids: np.ndarray) -> np.ndarray:
    """The one lexical base score of sentences ``ids``: the sentence's BM25, then its
    paragraph's and its article title's, weighted; a photo caption's scaled down."""
    total = (
        scores.sentences[ids]
        + W_PARA * scores.paragraphs[index.paragraph_of(ids)]
        + W_TITLE * scores.titles[index.article_of(ids)]
    )
    result: np.ndarray = np.where(index.in_caption(ids), total * CAPTION_WEIGHT, total)
    return result


def _rank(
    query: Query, index: Index, limit: int, weighted: list[tuple[str, float]]
) -> list[Candidate]:
    if not weighted or not len(index):
        return []
    scores = index.context_scores(weighted)
    s_sent, s_para = scores.sentences, scores.paragraphs
    mask = s_sent > 0
    # Sentences of the best paragraphs join even without a shared word ("It was later called").
    lit = np.flatnonzero(s_para)
    for p in lit[np.argsort(-s_para[lit])[:CONTEXT_PARAGRAPHS]]:
        span = index.paragraph_sentences(int(p))
        mask[span.start : span.stop] = True
    cand = np.flatnonzero(mask)
    if not len(cand):
        return []
    total = base_scores(index, scores, cand)
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
    # Every name around the sentence is a name in its article: only an ungrounded one is looked
    # for further.
    c.named = not _names_missing(query) and (c.grounded or _named(c.id, query, index))
    c.score = (c.base + c.coverage * W_COVER) * factor


def _grounded(pid: int, query: Query, index: Index, found: set[str]) -> bool:
    """True when each name of the question ("Mona Lisa", "Berlin Wall") occurs in the sentence,
    its paragraph or its article's title: a passage about something else that shares common
    words must not be quoted as the answer."""
    para, art = index.paragraph_index(pid), index.article_index(pid)
    wanted: dict[str, bool] = {}
    for t in query.terms:
        if not t.name or "_" in t.term:
            continue
        ok = wanted.get(t.surface, False)
        if not ok:
            ok = t.term in found or index.in_paragraph(t.term, para) or index.in_title(t.term, art)
        wanted[t.surface] = ok
    return all(wanted.values())


def _named(pid: int, query: Query, index: Index) -> bool:
    """True when each name of the question occurs somewhere in the sentence's article (its
    title or any paragraph): an article that never names what the question asks about ("How
    much did Swiss watch exports to Japan fall?" of an article that never says Japan) holds no
    answer to it. Numbers are left out: a year is a condition on the article's date (see
    bot.engine), not a word it must hold."""
    art = index.article_index(pid)
    paragraphs = index.article_paragraphs(art)
    return all(
        index.in_title(t.term, art) or index.in_paragraphs(t.term, paragraphs)
        for t in query.terms
        if _pins(t) and "_" not in t.term
    )


def _names_missing(query: Query) -> bool:
    """True when the question names something the corpus lacks: it is in no article. Aliases
    and identifiers are left out ("UN" where the corpus says "Unesco", chat's "b4")."""
    return any(_pins(t) and t.surface.isalpha() and "_" not in t.term for t in query.missing)


def _pins(t: QueryTerm) -> bool:
    return t.name and t.specific and not t.surface.isdigit()


def article_coverage(pid: int, query: Query, index: Index) -> float:
    """Share of the question's weight (idf; unknown words count in full) found anywhere in the
    sentence's article: an article about something else shares a few words, not most of them."""
    art = index.article_index(pid)
    paragraphs = index.article_paragraphs(art)
    got = total = 0.0
    for t in query.terms:
        w = index.sentences.idf(t.term) * t.weight
        total += w
        if index.in_paragraphs(t.term, paragraphs) or index.in_title(t.term, art):
            got += w
    total += _missing_weight(query, index)
    return got / total if total else 0.0


def _missing_weight(query: Query, index: Index) -> float:
    """What the question's words absent from the corpus weigh: each as much as its rarest known
    word (a word the corpus never uses is at least that specific); stray short tokens nothing."""
    known = [index.sentences.idf(t.term) for t in query.terms]
    each = max(known) if known else index.sentences.max_idf
    return each * sum(1 for t in query.missing if t.specific and len(t.surface) >= 4)


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
            best = max(best, 1.0 / (1.0 + gap / PROXIMITY_CHARS))
    return best


def score_sentences(ids: list[int], query: Query, index: Index) -> list[Candidate]:
    """Lexical scores of chosen sentences (found another way, e.g. by meaning), computed as
    :func:`rank` scores its own candidates, so the two kinds compare."""
    weighted = [(t.term, t.weight) for t in query.terms]
    if not ids:
        return []
    arr = np.asarray(ids, dtype=np.int64)
    if weighted:
        base = base_scores(index, index.context_scores(weighted), arr)
    else:
        base = np.zeros(len(arr))
    idf = {t.term: index.sentences.idf(t.term) * t.weight for t in query.terms}
    total_idf = sum(idf.values()) + _missing_weight(query, index)
    out = []
    for i, b in zip(ids, base, strict=True):
        c = Candidate(int(i), float(b))
        _rerank(c, query, index, idf, total_idf)
        out.append(c)
    return out
