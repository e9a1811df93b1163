"""The passage index: sentences of every article in an inverted index with BM25 weights.

Postings are numpy arrays of integer sentence ids with precomputed weights, so a question costs
time in proportion to the postings of its terms, never a scan of every passage. Paragraphs and
titles get postings of their own: a sentence inherits context from its paragraph and article.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import OSA

from bot.answer_types import AnswerType, answer_spans
from bot.models import Article
from bot.sentences import split_sentences
from bot.text import Analyzer, Token
from bot.text import stems as text_stems

log = logging.getLogger(__name__)

K1, B = 1.2, 0.75


@dataclass(frozen=True, slots=True)
class Posting:
    """Ids (ascending) and their BM25 weights (idf included) for one term."""

    ids: np.ndarray
    weights: np.ndarray
    idf: float


@dataclass(frozen=True, slots=True)
class Passage:
    """One indexed sentence, located in its article and paragraph."""

    id: int
    text: str
    article: Article
    paragraph: int  # global paragraph id
    caption: bool


class Field:
    """An inverted index over one kind of unit (sentences, paragraphs, titles)."""

    def __init__(
        self,
        docs: list[list[str]],
        *,
        group: np.ndarray | None = None,
        groups: int = 0,
    ) -> None:
        """Index ``docs``; with ``group`` (doc -> unit id) also build ``.paragraphs``, the index
        of the ``groups`` units those docs form, without tokenising anything twice."""
        vocab: dict[str, int] = {}
        term_ids = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for d in docs for t in d), dtype=np.int32
        )
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int32, count=len(docs))
        doc_ids = np.repeat(np.arange(len(docs), dtype=np.int32), lengths)
        self._build(vocab, term_ids, doc_ids, lengths)
        if group is not None:
            self.paragraphs = Field.__new__(Field)
            g_ids = group[doc_ids]
            self.paragraphs._build(
                vocab, term_ids, g_ids, np.bincount(g_ids, minlength=groups).astype(np.int32)
            )

    def _build(
        self,
        vocab: dict[str, int],
        term_ids: np.ndarray,
        doc_ids: np.ndarray,
        lengths: np.ndarray,
    ) -> None:
        self.size = len(lengths)
        avg = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
        norm = (K1 * (1 - B + B * lengths / avg)).astype(np.float32)
        n = max(self.size, 1)
        self.postings: dict[str, Posting] = {}
        self.max_idf = math.log(1 + (n - 0.5) / 1.5) if n > 1 else 1.0
        if not len(term_ids):
            return
        # Sort (term, doc) pairs once, collapse repeats into term frequencies: no per-term loop
        # over documents, which keeps a million-sentence build in seconds.
        order = np.lexsort((doc_ids, term_ids))
        t_sorted, d_sorted = term_ids[order], doc_ids[order]
        pair_start = np.flatnonzero(
            np.r_[True, (t_sorted[1:] != t_sorted[:-1]) | (d_sorted[1:] != d_sorted[:-1])]
        )
        tf = np.diff(np.r_[pair_start, len(t_sorted)]).astype(np.float32)
        p_term, p_doc = t_sorted[pair_start], d_sorted[pair_start]
        df = np.bincount(p_term, minlength=len(vocab))
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        weights = idf[p_term] * tf * (K1 + 1) / (tf + norm[p_doc])
        bounds = np.r_[0, np.cumsum(df)]
        for term, tid in vocab.items():
            a, b = bounds[tid], bounds[tid + 1]
            self.postings[term] = Posting(p_doc[a:b], weights[a:b], float(idf[tid]))

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


class Index:
    """Sentences, paragraphs and titles of a corpus, indexed for question answering."""

    def __init__(self, articles: list[Article], analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.articles = articles
        self.passages: list[Passage] = []
        sent_terms: list[list[str]] = []
        para_terms: list[None] = []  # one entry a paragraph: its terms come from its sentences
        title_terms: list[list[str]] = []
        sent_para: list[int] = []
        para_article: list[int] = []
        para_first: list[int] = []
        for a_idx, art in enumerate(articles):
            title_terms.append(analyzer.terms(art.title + " " + " ".join(art.tags)))
            blocks = [(p, False) for p in art.paragraphs]
            if art.caption:
                blocks.append((art.caption, True))
            for para, is_caption in blocks:
                p_id = len(para_terms)
                para_article.append(a_idx)
                para_first.append(len(self.passages))
                for s, e in split_sentences(para):
                    text = para[s:e]
                    terms = analyzer.terms(text)
                    sent_terms.append(terms)
                    sent_para.append(p_id)
                    self.passages.append(Passage(len(self.passages), text, art, p_id, is_caption))
                para_terms.append(None)
        para_first.append(len(self.passages))
        sent_para_arr = np.asarray(sent_para, dtype=np.int32)
        self.sentences = Field(sent_terms, group=sent_para_arr, groups=len(para_first) - 1)
        self.paragraphs = self.sentences.paragraphs
        self.titles = Field(title_terms)
        self.sent_para = np.asarray(sent_para, dtype=np.int32)
        self.para_article = np.asarray(para_article, dtype=np.int32)
        self.sent_article = (
            self.para_article[self.sent_para] if sent_para else np.zeros(0, np.int32)
        )
        self.para_first = np.asarray(para_first, dtype=np.int32)
        self.caption = np.fromiter((p.caption for p in self.passages), dtype=bool)
        # Surface words -> index term, for fuzzy matching of misspelled question words: the
        # stemmer memo holds every word seen, so no second pass over the text is needed.
        self.surface = {w: t for w, t in text_stems().items() if self.knows(t)}
        self._tokens: dict[int, list[Token]] = {}
        self._spans: dict[tuple[int, AnswerType], list[tuple[int, int]]] = {}
        self._deletes = _deletion_index(w for w in self.surface if w.isalpha() and len(w) >= 4)

    def tokens(self, pid: int) -> list[Token]:
        """Tokens (with offsets) of one sentence; memoised: hot sentences rank again and again."""
        found = self._tokens.get(pid)
        if found is None:
            if len(self._tokens) > 100_000:
                self._tokens.clear()
            found = self._tokens[pid] = self.analyzer.tokenize(self.passages[pid].text)
        return found

    def spans(self, pid: int, kind: AnswerType) -> list[tuple[int, int]]:
        """Answer-type spans of one sentence, memoised like :meth:`tokens`."""
        key = (pid, kind)
        found = self._spans.get(key)
        if found is None:
            if len(self._spans) > 100_000:
                self._spans.clear()
            found = self._spans[key] = answer_spans(self.passages[pid].text, kind)
        return found

    def __len__(self) -> int:
        return len(self.passages)

    def knows(self, term: str) -> bool:
        return term in self.sentences.postings or term in self.titles.postings

    def fuzzy(self, word: str) -> list[tuple[str, float]]:
        """Index terms one typo away from a word absent from the vocabulary, with a weight."""
        if len(word) < 4 or not word.isalpha():
            return []
        out: dict[str, float] = {}
        for key in {word, *_deletes(word)}:
            for cand in self._deletes.get(key, ()):
                if cand == word or OSA.distance(word, cand, score_cutoff=1) > 1:
                    continue
                if cand[0] != word[0] and len(word) < 6:
                    continue  # short words: a wrong first letter is usually another word
                term = self.surface[cand]
                sim = 1.0 - 1 / max(len(word), len(cand))
                out[term] = max(out.get(term, 0.0), sim)
        # An inflected form misspelled ("visitng") may be far from every surface word but still
        # start with an indexed stem ("visit").
        for cut in range(len(word) - 1, max(3, len(word) - 4), -1):
            stem_term = word[:cut]
            if stem_term in self.sentences.postings and stem_term not in out:
                out[stem_term] = cut / len(word)
                break
        best = sorted(out.items(), key=lambda kv: -kv[1])[:2]
        return best

    def paragraph_sentences(self, para: int) -> range:
        return range(int(self.para_first[para]), int(self.para_first[para + 1]))


def _deletes(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _deletion_index(vocab: Iterable[str]) -> dict[str, list[str]]:
    """Symmetric-delete index (SymSpell): every single-letter deletion of every word, so one
    typo (insert, drop, swap, replace) is found by dictionary lookups instead of a vocabulary scan.
    """
    index: dict[str, list[str]] = defaultdict(list)
    for w in vocab:
        index[w].append(w)
        for d in _deletes(w):
            index[d].append(w)
    return dict(index)
