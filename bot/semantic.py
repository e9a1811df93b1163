"""Meaning beside words: hybrid ranking and a calibrated "does this answer?" decision.

Why: people in a chat don't reuse an article's words ("the states" for "the United States", "go to
Beijing" for "visit China"), and an unrelated question shares a few words with some sentence. The
sentence model finds passages by meaning; its cosine, fused with the lexical score, ranks them;
and a logistic model over a few signals (fitted on data by ``bench/calibrate.py``, on one half of
the articles, reported on the other) decides whether the best passage answers at all.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.embed import Encoder, Vectors, model_id, require, shared_encoder
from bot.index import Index
from bot.query import Query, stopword_meant
from bot.ranking import TYPE_MISS, Candidate, article_coverage, score_sentences
from bot.vectors import SentenceVectors, VectorStore

log = logging.getLogger(__name__)

CALIBRATION = Path(__file__).with_name("data") / "answerability.json"
# Sentences found by meaning alone that join the lexical candidates.
DENSE_CANDIDATES = 20
# Words and meaning agree: the best passage is also the best by words alone, holds at least this
# share of the question's rare words, and its article this share of the whole question. Such a
# passage is quoted even when the sentence model is unsure (short factual questions often share
# little phrasing with their answer: "How long was the call?" - "the 25-minute talks"). Checked on
# SQuAD split A half 1: +1.7 points hit@1 on SQuAD, +2.8 with typos, +1.5 off-topic quoted.
AGREE_COVERAGE = 0.5
AGREE_ARTICLE_COVERAGE = 0.8


@dataclass(frozen=True)
class Calibration:
    """Fusion weight and the answerability model, as fitted by ``bench/calibrate.py``."""

    cos_weight: float  # a cosine point is worth this many lexical-score units (score / 10)
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # quote when P(answerable) reaches this

    @classmethod
    def load(cls, path: Path = CALIBRATION) -> Calibration:
        d = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            cos_weight=float(d["cos_weight"]),
            features=tuple(d["features"]),
            weights=tuple(float(w) for w in d["weights"]),
            bias=float(d["bias"]),
            threshold=float(d["threshold"]),
        )


@dataclass
class Scored:
    """A candidate with its meaning score and the fused score it is ranked by."""

    candidate: Candidate
    cos: float
    fused: float


def signals(
    query: Query, top: Scored, index: Index, max_cos: float, words: bool
) -> dict[str, float]:
    """What the answerability model looks at, for one ranked passage."""
    c = top.candidate
    specific = [t for t in query.terms if t.specific]
    missing_names = any(t.name and t.specific for t in query.missing)
    known = len(query.terms) + len(query.missing)
    return {
        "cos": top.cos,
        "words_answer": float(words),
        "max_cos": max_cos,
        "lexical": c.score / 10.0,
        "coverage": c.coverage,
        "article_coverage": article_coverage(c.id, query, index),
        "grounded": float(c.grounded),
        "no_topic_words": float(not specific),
        "missing_name": float(missing_names),
        "missing_share": len(query.missing) / known if known else 1.0,
    }


def spelled(question: str, index: Index) -> str:
    """The question with each misspelled word replaced by the corpus word one typo away: the
    lexical index forgives typos, the sentence model doesn't ("Whrn is Takaichii visitng")."""
    parts: list[str] = []
    last = 0
    for tok in index.analyzer.tokenize(question):
        if index.knows(tok.term):
            continue
        surface = question[tok.start : tok.end]
        name = surface[:1].isupper() and tok.start > 0 and not surface.isupper()
        word = index.closest_word(tok.raw, name=name) or stopword_meant(tok.raw)
        if word is None:  # an inflected form misspelled ("visitng"): its indexed stem ("visit")
            matches = index.fuzzy(tok.raw, name=name)
            word = matches[0][0] if matches else None
        if word is not None:
            parts += [question[last : tok.start], word]
            last = tok.end
    return "".join(parts) + question[last:] if parts else question


class Semantic:
    """Sentence vectors of one index, and the ranking and decision that use them."""

    def __init__(
        self,
        index: Index,
        vectors: SentenceVectors,
        calibration: Calibration,
        encoder: Callable[[], Encoder] = shared_encoder,
    ) -> None:
        self.index = index
        self.vectors = vectors
        self.calibration = calibration
        self._encoder = encoder

    @classmethod
    def build(
        cls, index: Index, directory: Path | None, *, sync_limit: int, name: str = "vectors"
    ) -> Semantic:
        """Vectors for every sentence of ``index``: saved ones reused, new ones embedded."""
        require()  # a missing package means words alone from the start, not a failed question
        table = index.sentence_table
        texts = [
            f"{index.articles[int(index.sent_article[i])].title}. {table.text(i)}"
            for i in range(len(index))
        ]
        store = VectorStore(directory, model_id(), name)
        vectors = SentenceVectors(texts, shared_encoder, store, sync_limit=sync_limit)
        return cls(index, vectors, Calibration.load())

    def carried_over(
        self, index: Index, keep: npt.NDArray[np.bool_], *, sync_limit: int
    ) -> Semantic | None:
        """This layer for ``index``, merged from this one's: its sentences where ``keep`` is
        True, then new ones (embedded now, or in the background past ``sync_limit``, as at a
        start). None while this one is still being filled."""
        if not self.ready:
            return None
        table, start = index.sentence_table, int(keep.sum())
        texts = [
            f"{index.articles[int(index.sent_article[i])].title}. {table.text(i)}"
            for i in range(start, len(index))
        ]
        vectors = self.vectors.carried_over(keep, texts, sync_limit=sync_limit)
        return Semantic(index, vectors, self.calibration, self._encoder)

    @property
    def ready(self) -> bool:
        return self.vectors.ready

    def embed_question(self, text: str) -> Vectors:
        vec: Vectors = self._encoder().encode([spelled(text, self.index)])[0]
        return vec

    def rank(self, query: Query, lexical: list[Candidate], qvec: Vectors) -> list[Scored]:
        """Lexical candidates and the closest sentences by meaning, by fused score."""
        cos = self.vectors.cosines(qvec)
        k = min(DENSE_CANDIDATES, len(cos))
        dense = np.argpartition(-cos, k - 1)[:k] if k else np.zeros(0, np.int64)
        have = {c.id for c in lexical}
        extra = score_sentences([int(i) for i in dense if int(i) not in have], query, self.index)
        w = self.calibration.cos_weight
        # A sentence without the kind of answer asked for ("when": a date) is an unlikely answer
        # however close in meaning: the lexical score already counts that, the cosine must too.
        miss = TYPE_MISS[query.kind]
        scored = [
            Scored(
                c,
                float(cos[c.id]),
                c.score / 10.0 + w * float(cos[c.id]) * (1.0 if c.spans else miss),
            )
            for c in (*lexical, *extra)
        ]
        scored.sort(key=lambda s: -s.fused)
        return scored

    def answerable(self, query: Query, passage: Scored, max_cos: float, words: bool) -> float:
        """P(``passage`` answers the question), from the calibrated logistic model; ``max_cos``
        is the best cosine of any sentence (how close the corpus comes at all), ``words`` the
        lexical verdict (coverage, names, article)."""
        sig = signals(query, passage, self.index, max_cos, words)
        cal = self.calibration
        z = cal.bias + sum(w * sig[f] for f, w in zip(cal.features, cal.weights, strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def agree(self, query: Query, best: Scored, lexical: list[Candidate], words: bool) -> bool:
        """True when words and meaning pick the same passage and it holds the question's words
        (see AGREE_COVERAGE)."""
        c = best.candidate
        return bool(
            words
            and lexical
            and lexical[0].id == c.id
            and c.coverage >= AGREE_COVERAGE
            and article_coverage(c.id, query, self.index) >= AGREE_ARTICLE_COVERAGE
            and not any(t.name and t.specific for t in query.missing)
        )

    def close(self) -> None:
        self.vectors.close()
