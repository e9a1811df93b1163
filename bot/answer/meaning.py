"""Meaning beside words: sentence vectors, and the candidates they add to the lexical ones.

Why: people in a chat don't reuse an article's words ("the states" for "the United States", "go to
Beijing" for "visit China"). The sentence model finds passages by meaning; its cosine, fused with
the lexical score, ranks them for the reader (``bot/answer/candidates.py``), which decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import OSA

from bot.answer.query import Query, stopword_meant
from bot.answer.ranking import TYPE_MISS, Candidate, score_sentences
from bot.index import Index
from bot.semantic.encoder import Encoder, Vectors, model_id, require, shared_encoder
from bot.semantic.vectors import SentenceVectors, VectorStore

log = logging.getLogger(__name__)

# Sentences found by meaning alone that join the lexical candidates.
DENSE_CANDIDATES = 20
# A cosine point is worth this many lexical-score units (score / 10) in the fused rank score
# (fitted by the former answerability calibration on SQuAD split A; the ranking is flat around it).
COS_WEIGHT = 12.0


@dataclass
class Scored:
    """A candidate with its meaning score and the fused score it is ranked by."""

    candidate: Candidate
    cos: float
    fused: float


def spelled(question: str, index: Index, english: Callable[[str], bool] | None = None) -> str:
    """The question with each misspelled word replaced by the corpus word one typo away: the
    lexical index forgives typos, the sentence model doesn't ("Whrn is Takaichii visitng").

    ``english`` (the models' vocabulary) tells a real word from a typo where only an indexed
    stem matches: "visitors" in a corpus that writes "visit" is kept, "visitng" is "visiting"."""
    parts: list[str] = []
    last = 0
    for tok in index.analyzer.tokenize(question):
        if index.knows(tok.term):
            continue
        surface = question[tok.start : tok.end]
        name = surface[:1].isupper() and tok.start > 0 and not surface.isupper()
        word = index.closest_word(tok.raw, name=name) or stopword_meant(tok.raw)
        if word is None:  # an inflected form misspelled ("visitng"): its indexed stem ("visit")
            known = english is not None and english(tok.raw)  # a word, only not the corpus's
            matches = [] if known else index.fuzzy(tok.raw, name=name)
            word = inflected(tok.raw, matches[0][0], english) if matches else None
        if word is not None:
            parts += [question[last : tok.start], word]
            last = tok.end
    return "".join(parts) + question[last:] if parts else question


# Endings an English word takes, tried on a stem to give back the form a typo hid.
ENDINGS = ("ing", "ed", "s", "es", "d", "er", "ers", "ings", "ly", "ment", "ments", "ion", "ions")


def inflected(typed: str, stem: str, english: Callable[[str], bool] | None = None) -> str:
    """The form of ``stem`` that ``typed`` was meant to be ("visitng", "visit": "visiting"), or
    the stem: the models read a question's tense and number ("is ... visiting" asks about a
    plan, "visit" matches any sentence with the noun), so a typo fixed into the bare stem can
    change which sentence they rate first. With ``english``, only a form it knows is taken."""
    if not typed.startswith(stem):
        return stem
    for ending in ENDINGS:
        form = stem + ending
        if form == typed or OSA.distance(typed, form, score_cutoff=1) > 1:
            continue
        if english is None or english(form):
            return form
    return stem


class SentenceTexts(Sequence[str]):
    """What the sentence model reads for each sentence of an index (from ``start`` on): its
    article's title, then the sentence. Made when asked, not all at once: a restart whose
    vectors are saved in the index's row order reads none of a million."""

    def __init__(self, index: Index, start: int = 0) -> None:
        self.of, self.start = index, start  # (not "index": Sequence.index is a method)

    def __len__(self) -> int:
        return len(self.of) - self.start

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        pid = self.start + i
        return f"{self.of.title_of(pid)}. {self.of.sentence_table.text(pid)}"


class Semantic:
    """Sentence vectors of one index, and the ranking and decision that use them."""

    def __init__(
        self,
        index: Index,
        vectors: SentenceVectors,
        encoder: Callable[[], Encoder] = shared_encoder,
    ) -> None:
        self.index = index
        self.vectors = vectors
        self._encoder = encoder

    @classmethod
    def build(
        cls, index: Index, directory: Path | None, *, sync_limit: int, name: str = "vectors"
    ) -> Semantic:
        """Vectors for every sentence of ``index``: saved ones reused, new ones embedded."""
        require()  # a missing package means words alone from the start, not a failed question
        texts = SentenceTexts(index)
        store = VectorStore(directory, model_id(), name)
        vectors = SentenceVectors(
            texts, shared_encoder, store, sync_limit=sync_limit, generation=index.saved_as
        )
        return cls(index, vectors)

    def carried_over(
        self, index: Index, keep: npt.NDArray[np.bool_], *, sync_limit: int
    ) -> Semantic | None:
        """This layer for ``index``, merged from this one's: its sentences where ``keep`` is
        True, then new ones (embedded now, or in the background past ``sync_limit``, as at a
        start). None while this one is still being filled."""
        if not self.ready:
            return None
        texts = SentenceTexts(index, int(keep.sum()))
        vectors = self.vectors.carried_over(keep, texts, sync_limit=sync_limit)
        return Semantic(index, vectors, self._encoder)

    @property
    def ready(self) -> bool:
        return self.vectors.ready

    def knows_word(self, word: str) -> bool:
        """Whether the sentence model's vocabulary holds ``word`` (see :func:`spelled`)."""
        return self._encoder().knows_word(word)

    def embed_question(self, text: str) -> Vectors:
        """The question's vector; ``text`` as :func:`spelled` reads it (``candidates`` spells a
        question once, for this and for the reader)."""
        vec: Vectors = self._encoder().encode([text])[0]
        return vec

    def cosines_of(self, qvec: Vectors, ids: list[int]) -> list[float]:
        """The cosine of ``qvec`` with these sentences: from their saved vectors, or embedded now
        while the corpus's vectors are still being computed (a handful of sentences), so the
        reader's verdict on a candidate never depends on how far that has got."""
        if not ids:
            return []
        if self.ready:
            return [float(c) for c in self.vectors.cosines(qvec, np.asarray(ids, np.int64))]
        index, table = self.index, self.index.sentence_table
        texts = [f"{index.citation(i).title}. {table.text(i)}" for i in ids]
        return [float(c) for c in self._encoder().encode(texts) @ qvec]

    def rank(self, query: Query, lexical: list[Candidate], qvec: Vectors) -> list[Scored]:
        """Lexical candidates and the closest sentences by meaning, by fused score."""
        cos = self.vectors.cosines(qvec)
        k = min(DENSE_CANDIDATES, len(cos))
        dense = np.argpartition(-cos, k - 1)[:k] if k else np.zeros(0, np.int64)
        have = {c.id for c in lexical}
        extra = score_sentences([int(i) for i in dense if int(i) not in have], query, self.index)
        w = COS_WEIGHT
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

    def close(self) -> None:
        self.vectors.close()
