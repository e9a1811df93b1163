"""BM25 inverted indexes over one kind of unit (sentences, paragraphs, titles).

Postings are numpy arrays of integer unit ids with precomputed weights, so a question costs time
in proportion to the postings of its terms, never a scan of every unit. A field keeps them as
flat arrays (the postings of term ``t`` are ``ids[offsets[t]:offsets[t + 1]]``), which is what
is saved, memory-mapped back and merged with the postings of new articles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np

K1, B = 1.2, 0.75


@dataclass(frozen=True, slots=True)
class Posting:
    """Ids (ascending) and their BM25 weights (idf included) for one term."""

    ids: np.ndarray
    weights: np.ndarray
    idf: float


class Postings(Mapping[str, Posting]):
    """Term -> :class:`Posting`, made on first use from a field's flat arrays (a million
    Posting objects would be built at every start otherwise). A term without postings (its
    articles were removed) is absent, as in a fresh build."""

    def __init__(self, field: Field) -> None:
        self._field = field
        self._made: dict[str, Posting | None] = {}

    def get(self, term: str, default: Posting | None = None) -> Posting | None:  # type: ignore[override]
        try:
            found = self._made[term]
        except KeyError:
            found = self._made[term] = self._make(term)
        return default if found is None else found

    def _make(self, term: str) -> Posting | None:
        f = self._field
        tid = f.vocab.get(term)
        if tid is None or tid >= len(f.idfs):
            return None
        a, b = int(f.offsets[tid]), int(f.offsets[tid + 1])
        if a == b:
            return None
        return Posting(f.ids[a:b], f.weights[a:b], float(f.idfs[tid]))

    def __getitem__(self, term: str) -> Posting:
        found = self.get(term)
        if found is None:
            raise KeyError(term)
        return found

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __iter__(self) -> Iterator[str]:
        f = self._field
        counts = np.diff(f.offsets)
        return (t for t, i in f.vocab.items() if i < len(counts) and counts[i])

    def __len__(self) -> int:
        return int(np.count_nonzero(np.diff(self._field.offsets)))


class Field:
    """An inverted index over one kind of unit (sentences, paragraphs, titles)."""

    vocab: dict[str, int]  # term -> id (shared by the sentence and paragraph fields)
    offsets: np.ndarray  # per term id: where its postings start (int64, one more at the end)
    ids: np.ndarray  # unit ids, ascending within each term (int32)
    tf: np.ndarray  # term frequency of each posting (uint16): what a merge reweighs from
    weights: np.ndarray  # BM25 weight of each posting, idf included (float32)
    idfs: np.ndarray  # idf per term id (float32)
    lengths: np.ndarray  # terms per unit (int32)

    def __init__(
        self,
        vocab: dict[str, int],
        term_ids: np.ndarray,
        lengths: np.ndarray,
        *,
        group: np.ndarray | None = None,
        groups: int = 0,
    ) -> None:
        """Index docs given as their term ids (``vocab``: term -> id) in doc order and their
        ``lengths``; with ``group`` (doc -> unit id, ascending) also build ``.paragraphs``, the
        index of the ``groups`` units those docs form, without tokenising anything twice."""
        doc_ids = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
        # Sort (term, doc) pairs once. Doc ids ascend in input order, so a stable sort by term
        # alone orders the pairs by (term, doc) -- and by (term, unit), units ascending with docs:
        # the paragraphs need no sort of their own.
        # numpy radix-sorts 16-bit keys (linear), timsorts wider ones: 2x faster for a vocabulary
        # under 65,536 terms; a stable sort's order is the same either way.
        keys = term_ids.astype(np.uint16) if len(vocab) <= 1 << 16 else term_ids
        order = np.argsort(keys, kind="stable")
        del keys
        t_sorted, d_sorted = term_ids[order], doc_ids[order]
        del order, doc_ids
        self._build(vocab, t_sorted, d_sorted, lengths)
        if group is not None:
            self.paragraphs = Field.__new__(Field)
            g_sorted = group[d_sorted]
            del d_sorted
            self.paragraphs._build(
                vocab, t_sorted, g_sorted, np.bincount(g_sorted, minlength=groups).astype(np.int32)
            )

    @classmethod
    def from_terms(cls, docs: list[list[str]]) -> Field:
        """Index docs given as lists of terms (the titles: few, so no need for the lean path)."""
        vocab: dict[str, int] = {}
        ids = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for d in docs for t in d), dtype=np.int32
        )
        return cls(vocab, ids, np.fromiter(map(len, docs), dtype=np.int32, count=len(docs)))

    @classmethod
    def from_arrays(
        cls,
        vocab: dict[str, int],
        offsets: np.ndarray,
        ids: np.ndarray,
        tf: np.ndarray,
        lengths: np.ndarray,
        weights: np.ndarray | None = None,
    ) -> Field:
        """A field from its flat arrays (saved ones, or merged): the weights are computed again
        unless given, as a build computes them."""
        f = cls.__new__(cls)
        f.vocab, f.offsets, f.ids, f.tf, f.lengths = vocab, offsets, ids, tf, lengths
        f.size = len(lengths)
        n = max(f.size, 1)
        f.max_idf = math.log(1 + (n - 0.5) / 1.5) if n > 1 else 1.0
        df = np.diff(offsets)
        f.idfs = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        if weights is None:
            term = np.repeat(np.arange(len(df), dtype=np.int32), df)
            weights = _weights(f.idfs, term, tf.astype(np.float32), _norm(lengths), ids)
        f.weights = weights
        f.postings = Postings(f)
        return f

    def _build(
        self,
        vocab: dict[str, int],
        t_sorted: np.ndarray,
        d_sorted: np.ndarray,
        lengths: np.ndarray,
    ) -> None:
        """Postings from (term, doc) pairs sorted by term, then doc."""
        self.size = len(lengths)
        self.vocab, self.lengths = vocab, lengths
        n = max(self.size, 1)
        self.max_idf = math.log(1 + (n - 0.5) / 1.5) if n > 1 else 1.0
        self.postings = Postings(self)
        if not len(t_sorted):
            self.offsets = np.zeros(len(vocab) + 1, np.int64)
            self.ids, self.weights = np.zeros(0, np.int32), np.zeros(0, np.float32)
            self.tf, self.idfs = np.zeros(0, np.uint16), np.zeros(len(vocab), np.float32)
            return
        # Collapse repeated pairs into term frequencies: no per-term loop over documents, which
        # keeps a million-sentence build in seconds.
        new = np.empty(len(t_sorted), dtype=bool)
        new[0] = True
        np.not_equal(t_sorted[1:], t_sorted[:-1], out=new[1:])
        new[1:] |= d_sorted[1:] != d_sorted[:-1]
        pair_start = np.flatnonzero(new)
        del new
        tf = np.diff(pair_start, append=len(t_sorted)).astype(np.float32)
        p_term, p_doc = t_sorted[pair_start], d_sorted[pair_start]
        del pair_start
        df = np.bincount(p_term, minlength=len(vocab))
        self.idfs = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.weights = _weights(self.idfs, p_term, tf, _norm(lengths), p_doc)
        self.offsets = np.r_[0, np.cumsum(df)].astype(np.int64)
        self.ids = p_doc.astype(np.int32, copy=False)
        self.tf = np.minimum(tf, np.iinfo(np.uint16).max).astype(np.uint16)

    def known_terms(self) -> AbstractSet[str]:
        """The terms with postings (all of the vocabulary, unless articles were removed)."""
        counts = np.diff(self.offsets)
        if len(counts) == len(self.vocab) and counts.all():
            return self.vocab.keys()
        return {t for t, i in self.vocab.items() if i < len(counts) and counts[i]}

    def idf(self, term: str) -> float:
        p = self.postings.get(term)
        return p.idf if p else self.max_idf

    def scores(self, terms: Iterable[tuple[str, float]]) -> np.ndarray:
        """Dense BM25 scores of every unit for weighted terms."""
        acc = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms:
            p = self.postings.get(term)
            if p is not None:
                acc[p.ids] += weight * p.weights
        return acc


def _norm(lengths: np.ndarray) -> np.ndarray:
    """BM25's length normalisation of each unit."""
    avg = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
    return (K1 * (1 - B + B * lengths / avg)).astype(np.float32)


def _weights(
    idf: np.ndarray, p_term: np.ndarray, tf: np.ndarray, norm: np.ndarray, p_doc: np.ndarray
) -> np.ndarray:
    """BM25 weight of each (term, doc) posting: one formula for builds and merges alike."""
    out: np.ndarray = idf[p_term] * tf * (K1 + 1) / (tf + norm[p_doc])
    return out
