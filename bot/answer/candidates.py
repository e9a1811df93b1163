"""Candidates and the verdict on them: the one place where an answer is decided.

Why one home: the product and the scripts that train and calibrate the reader must see the same
candidates, read the same way. Candidates come from the lexical ranking (BM25 with typos and
aliases, re-ranked on answer type, proximity and coverage) joined, when sentence vectors are
ready, by the sentences closest in meaning; the best ``READ_TOP`` by fused score are read by the
reader, whose calibrated P(answers) alone orders them and decides whether anything is quoted.
Nothing here depends on the corpus's size: the same question over the same passage gets the
same verdict in a one-article corpus and in a large one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.answer.meaning import Semantic, spelled
from bot.answer.query import Query
from bot.answer.ranking import Candidate, rank
from bot.index import Index
from bot.semantic.reader import Reader, Reading
from bot.text.answer_types import AnswerType

# The reader reads this many best candidates by fused score: the right sentence is among the top
# 8 for 96 % of paraphrased SQuAD questions (training/calibrate_reader.py on the held-out train
# slice measures it), and 8 short pairs cost a few milliseconds in onnxruntime int8.
READ_TOP = 8


@dataclass
class Judged:
    """A candidate sentence with everything the decision used: its lexical scores
    (``candidate``), its cosine to the question (0 without vectors), the fused rank score, and
    the reader's P(answers), answer span and the features P was computed from (None and
    empty when it was not read)."""

    candidate: Candidate
    cos: float
    fused: float
    p: float | None = None
    span: tuple[int, int] | None = None
    features: dict[str, float] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.candidate.id


def candidates(
    query: Query,
    index: Index,
    *,
    limit: int,
    semantic: Semantic | None = None,
    reader: Reader | None = None,
) -> list[Judged]:
    """Candidate sentences for ``query``, best first: by the reader's P(answers) for the
    ``READ_TOP`` it reads, then the rest by fused score. Without a reader, by fused score."""
    lexical = rank(query, index, limit)
    # Spelled once, for both models (their vocabularies are one).
    english = semantic if semantic is not None else reader
    text = spelled(query.text, index, english.knows_word) if english is not None else query.text
    qvec = semantic.embed_question(text) if semantic is not None else None
    if semantic is not None and qvec is not None and semantic.ready:
        ranked = [Judged(s.candidate, s.cos, s.fused) for s in semantic.rank(query, lexical, qvec)]
    else:
        ranked = [Judged(c, 0.0, c.score / 10.0) for c in lexical]
    if reader is None or not ranked:
        return ranked
    head, tail = ranked[:READ_TOP], ranked[READ_TOP:]
    if semantic is not None and qvec is not None and not semantic.ready:
        for j, cos in zip(head, semantic.cosines_of(qvec, [j.id for j in head]), strict=True):
            j.cos = cos  # vectors still being computed: the read candidates' own, now
    read(reader, text, head, index, query)
    head.sort(key=lambda j: (-(j.p or 0.0), -j.fused))
    return head + tail


def read(
    reader: Reader, question: str, judged: Sequence[Judged], index: Index, query: Query
) -> None:
    """Fill in the reader's verdict on each of ``judged`` (the sentence with its title)."""
    table = index.sentence_table
    passages = [(index.citation(j.id).title, table.text(j.id)) for j in judged]
    for j, reading in zip(judged, reader.read(question, passages), strict=True):
        j.features = features(reading, j, query)
        j.p, j.span = reader.calibration.p(j.features), reading.span
        if not j.candidate.named:
            j.p = 0.0  # its article never names what the question asks about


def features(reading: Reading, j: Judged, query: Query) -> dict[str, float]:
    """What the verdict weighs for one candidate: the reader's answer logit and span score, the
    cosine of its sentence to the question, and two checks of the candidate alone: every name
    of the question occurs around it (``grounded``), and it holds the kind of answer asked for
    (``typed``; a date for "when")."""
    c = j.candidate
    return {
        "answer": reading.logit,
        "span": reading.span_score,
        "cos": j.cos,
        "grounded": float(c.grounded),
        "typed": float(query.kind is AnswerType.OTHER or bool(c.spans)),
    }
