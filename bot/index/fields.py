"""BM25 inverted indexes over one kind of unit (sentences, paragraphs, titles).

Postings are numpy arrays of integer unit ids with precomputed weights, so a question costs time
in proportion to the postings of its terms, never a scan of every unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

K1, B = 1.2, 0.75


@dataclass(frozen=True, slots=True)
class Posting:
    """Ids (ascending) and their BM25 weights (idf included) for one term."""

    ids: np.ndarray
    weights: np.ndarray
    idf: float


class Field:
    """An inverted index over one kind of unit (sentences, paragraphs, titles)."""

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

    def _build(
        self,
        vocab: dict[str, int],
        t_sorted: np.ndarray,
        d_sorted: np.ndarray,
        lengths: np.ndarray,
    ) -> None:
        """Postings from (term, doc) pairs sorted by term, then doc."""
        self.size = len(lengths)
        avg = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
        norm = (K1 * (1 - B + B * lengths / avg)).astype(np.float32)
        n = max(self.size, 1)
        self.postings: dict[str, Posting] = {}
        self.max_idf = math.log(1 + (n - 0.5) / 1.5) if n > 1 else 1.0
        if not len(t_sorted):
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
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        weights = idf[p_term] * tf * (K1 + 1) / (tf + norm[p_doc])
        bounds = np.r_[0, np.cumsum(df)].tolist()
        idf_list = idf.tolist()
        for term, tid in vocab.items():
            a, b = bounds[tid], bounds[tid + 1]
            self.postings[term] = Posting(p_doc[a:b], weights[a:b], idf_list[tid])

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
