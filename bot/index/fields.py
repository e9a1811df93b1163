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
    """Term -> :class:`Posting`, made on first use from a field's flat arrays, its weights
    computed then from the field's statistics (a million Posting objects would be built at
    every start otherwise, and every weight again at every merge). A term without postings (its
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
        ids, tf, idf = f.ids[a:b], f.tf[a:b], f.idfs[tid]
        # BM25 from the field's statistics now: a merge changes them without touching a weight.
        weights = idf * tf * (K1 + 1) / (tf + f.norm[ids])
        return Posting(ids, weights, float(idf))

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
    tf: np.ndarray  # term frequency of each posting (uint16)
    lengths: np.ndarray  # terms per unit (int32)
    idfs: np.ndarray  # idf per term id (float32)
    norm: np.ndarray  # BM25 length normalisation per unit (float32)

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
    ) -> Field:
        """A field from its flat arrays (saved ones, or merged); the statistics are computed
        from them, as a build computes them."""
        f = cls.__new__(cls)
        f.vocab, f.offsets, f.ids, f.tf = vocab, offsets, ids, tf
        f._statistics(lengths, np.diff(offsets))
        return f

    def _statistics(self, lengths: np.ndarray, df: np.ndarray) -> None:
        """Sizes, idf per term and length normalisation per unit: all a weight needs."""
        self.lengths, self.size = lengths, len(lengths)
        n = max(self.size, 1)
        self.max_idf = math.log(1 + (n - 0.5) / 1.5) if n > 1 else 1.0
        self.idfs = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
        self.norm = (K1 * (1 - B + B * lengths / avg)).astype(np.float32)
        self.postings = Postings(self)

    def _build(
        self,
        vocab: dict[str, int],
        t_sorted: np.ndarray,
        d_sorted: np.ndarray,
        lengths: np.ndarray,
    ) -> None:
        """Postings from (term, doc) pairs sorted by term, then doc."""
        self.vocab = vocab
        if not len(t_sorted):
            self.offsets = np.zeros(len(vocab) + 1, np.int64)
            self.ids, self.tf = np.zeros(0, np.int32), np.zeros(0, np.uint16)
            self._statistics(lengths, np.zeros(len(vocab), np.int64))
            return
        # Collapse repeated pairs into term frequencies: no per-term loop over documents, which
        # keeps a million-sentence build in seconds.
        new = np.empty(len(t_sorted), dtype=bool)
        new[0] = True
        np.not_equal(t_sorted[1:], t_sorted[:-1], out=new[1:])
        new[1:] |= d_sorted[1:] != d_sorted[:-1]
        pair_start = np.flatnonzero(new)
        del new
        tf = np.diff(pair_start, append=len(t_sorted))
        p_term, p_doc = t_sorted[pair_start], d_sorted[pair_start]
        del pair_start
        df = np.bincount(p_term, minlength=len(vocab))
        self.offsets = np.r_[0, np.cumsum(df)].astype(np.int64)
        self.ids = p_doc.astype(np.int32, copy=False)
        self.tf = np.minimum(tf, np.iinfo(np.uint16).max).astype(np.uint16)
        self._statistics(lengths, df)

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
