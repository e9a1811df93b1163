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
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.models import Article
from bot.sentences import split_sentences
from bot.text import Analyzer

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

    def __init__(self, docs: list[list[str]]) -> None:
        self.size = len(docs)
        lengths = np.fromiter((len(d) for d in docs), dtype=np.float32, count=len(docs))
        avg = float(lengths.mean()) if len(docs) and lengths.mean() > 0 else 1.0
        raw: dict[str, list[int]] = defaultdict(list)
        for i, terms in enumerate(docs):
            for t in terms:
                raw[t].append(i)
        self.postings: dict[str, Posting] = {}
        norm = K1 * (1 - B + B * lengths / avg)
        n = max(self.size, 1)
        for term, id_list in raw.items():
            ids, tf = np.unique(np.asarray(id_list, dtype=np.int32), return_counts=True)
            df = len(ids)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = tf.astype(np.float32)
            w = idf * tf * (K1 + 1) / (tf + norm[ids])
            self.postings[term] = Posting(ids, w.astype(np.float32), idf)
        self.max_idf = math.log(1 + (n - 0.5) / 1.5) if n > 1 else 1.0

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
        para_terms: list[list[str]] = []
        title_terms: list[list[str]] = []
        sent_para: list[int] = []
        para_article: list[int] = []
        para_first: list[int] = []
        surface: dict[str, str] = {}
        for a_idx, art in enumerate(articles):
            title_tokens = analyzer.tokenize(art.title + " " + " ".join(art.tags))
            title_terms.append([t.term for t in title_tokens])
            for t in title_tokens:
                surface.setdefault(t.raw, t.term)
            blocks = [(p, False) for p in art.paragraphs]
            if art.caption:
                blocks.append((art.caption, True))
            for para, is_caption in blocks:
                p_id = len(para_terms)
                para_article.append(a_idx)
                para_first.append(len(self.passages))
                p_terms: list[str] = []
                for s, e in split_sentences(para):
                    text = para[s:e]
                    tokens = analyzer.tokenize(text)
                    terms = [t.term for t in tokens]
                    for t in tokens:
                        surface.setdefault(t.raw, t.term)
                    p_terms.extend(terms)
                    sent_terms.append(terms)
                    sent_para.append(p_id)
                    self.passages.append(Passage(len(self.passages), text, art, p_id, is_caption))
                para_terms.append(p_terms)
        para_first.append(len(self.passages))
        self.sentences = Field(sent_terms)
        self.paragraphs = Field(para_terms)
        self.titles = Field(title_terms)
        self.sent_para = np.asarray(sent_para, dtype=np.int32)
        self.para_article = np.asarray(para_article, dtype=np.int32)
        self.sent_article = (
            self.para_article[self.sent_para] if sent_para else np.zeros(0, np.int32)
        )
        self.para_first = np.asarray(para_first, dtype=np.int32)
        self.caption = np.fromiter((p.caption for p in self.passages), dtype=bool)
        # Surface words -> index term, for fuzzy matching of misspelled question words.
        self.surface = surface
        self._vocab = [w for w in surface if w.isalpha() and len(w) >= 3]

    def __len__(self) -> int:
        return len(self.passages)

    def knows(self, term: str) -> bool:
        return term in self.sentences.postings or term in self.titles.postings

    def fuzzy(self, word: str) -> list[tuple[str, float]]:
        """Index terms close to a word absent from the vocabulary, with a similarity weight."""
        if len(word) < 4 or not word.isalpha():
            return []
        cutoff = 1 if len(word) <= 7 else 2
        found = process.extract(
            word, self._vocab, scorer=OSA.distance, score_cutoff=cutoff, limit=5
        )
        out: dict[str, float] = {}
        for cand, dist, _ in found:
            if cand[0] != word[0] and dist > 0 and len(word) < 6:
                continue  # short words: a wrong first letter is usually another word
            term = self.surface[cand]
            sim = 1.0 - dist / max(len(word), len(cand))
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
