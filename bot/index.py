"""The passage index: sentences of every article in an inverted index with BM25 weights.

Postings are numpy arrays of integer sentence ids with precomputed weights, so a question costs
time in proportion to the postings of its terms, never a scan of every passage. Paragraphs and
titles get postings of their own: a sentence inherits context from its paragraph and article.
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import operator
import os
import threading
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice, pairwise
from multiprocessing.connection import Connection
from typing import overload

import numpy as np
from rapidfuzz.distance import OSA

from bot.answer_types import AnswerType, answer_spans
from bot.models import Article, ArticleRef
from bot.sentences import split_sentences
from bot.text import STEMS_CAP, Analyzer, TermIds, Token
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


class Passages(Sequence[Passage]):
    """Every sentence as offsets into its paragraph's text; a :class:`Passage` is made on access.

    A million sentences as Passage objects with their own strings would cost ~250 MB; a few int32
    arrays cost 12 MB, and the paragraph texts are the articles' own strings.
    """

    def __init__(
        self,
        articles: list[Article],
        paras: list[str],
        para_article: np.ndarray,
        sent_para: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        caption: np.ndarray,
    ) -> None:
        self._articles, self._paras, self._para_article = articles, paras, para_article
        self._sent_para, self._starts, self._ends, self._caption = sent_para, starts, ends, caption

    def __len__(self) -> int:
        return len(self._starts)

    def text(self, i: int) -> str:
        """Just the sentence text: what ranking reads, without building a Passage."""
        para = self._paras[int(self._sent_para[i])]
        return para[int(self._starts[i]) : int(self._ends[i])]

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...
    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = operator.index(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("passage index out of range")
        p = int(self._sent_para[i])
        art = self._articles[int(self._para_article[p])]
        return Passage(i, self.text(i), art, p, bool(self._caption[i]))


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


# Above this much paragraph text, other processes split and tokenise runs of the articles while
# this one does the first run; below it, starting a process costs more than it saves.
PARALLEL_CHARS = 4_000_000
# Typos of 4-letter words must keep the first letter: "bat" is not a typo of "cat".
FIRST_LETTER_FREE = 5
MAX_PROCESSES = 4


@dataclass
class _Part:
    """Sentences and terms of a run of articles, as analysed by one process."""

    title_terms: list[list[str]]
    para_first: np.ndarray  # per paragraph: its first sentence (within the part)
    sent_para: np.ndarray  # per sentence: its paragraph (within the part)
    starts: np.ndarray  # per sentence: offsets in its paragraph's text
    ends: np.ndarray
    lengths: np.ndarray  # per sentence: how many terms
    term_ids: np.ndarray  # every sentence term, as an index into ``vocab``
    vocab: list[str]
    stems: list[tuple[str, str]]  # surface words first stemmed here, in order (workers only)


def _blocks(art: Article) -> list[tuple[str, bool]]:
    """The paragraphs of an article as (text, is_caption), the caption last."""
    blocks = [(p, False) for p in art.paragraphs]
    if art.caption:
        blocks.append((art.caption, True))
    return blocks


def _analyse(articles: list[Article], analyzer: Analyzer, *, worker: bool = False) -> _Part:
    """Split the paragraphs of ``articles`` into sentences and their sentences into terms."""
    known_stems = len(text_stems())
    title_terms: list[list[str]] = []
    para_first, sent_para = array("i"), array("i")
    starts, ends, lengths = array("i"), array("i"), array("i")
    term_ids = array("i")  # term id + 1 of every sentence term
    ids = TermIds(analyzer)
    add = ids.add
    p_id = 0
    for art in articles:
        # Titles article by article, as the serial build did: the stemmer memo keeps that order.
        title_terms.append(analyzer.terms(art.title + " " + " ".join(art.tags)))
        for para, _ in _blocks(art):
            para_first.append(len(starts))
            for s, e in split_sentences(para):
                starts.append(s)
                ends.append(e)
                sent_para.append(p_id)
                lengths.append(add(para[s:e], term_ids))
            p_id += 1
    stems = list(islice(text_stems().items(), known_stems, None)) if worker else []
    tids = np.frombuffer(term_ids, dtype=np.int32) - 1 if term_ids else np.zeros(0, np.int32)
    del term_ids

    def arr(a: array) -> np.ndarray:
        return np.frombuffer(a, dtype=np.int32) if a else np.zeros(0, np.int32)

    return _Part(
        title_terms,
        arr(para_first),
        arr(sent_para),
        arr(starts),
        arr(ends),
        arr(lengths),
        tids,
        list(ids.vocab),
        stems,
    )


def _worker(conn: Connection, articles: list[Article], analyzer: Analyzer) -> None:
    try:
        conn.send(_analyse(articles, analyzer, worker=True))
    finally:
        conn.close()


def _processes(articles: list[Article]) -> int:
    """How many processes to analyse ``articles`` with: 1 unless the corpus is large, the machine
    has cores to spare and forking is safe (no other threads that could hold a lock)."""
    if "fork" not in mp.get_all_start_methods() or threading.active_count() > 1:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = min(cores or 1, MAX_PROCESSES)
    if n < 2:
        return 1
    chars = sum(len(p) for a in articles for p in a.paragraphs)
    return n if chars >= PARALLEL_CHARS else 1


def _analyse_all(articles: list[Article], analyzer: Analyzer, processes: int) -> list[_Part]:
    """Analyse ``articles`` in runs of about equal text, the first here and each other one in a
    forked worker (which shares the articles without copying them), all at once.

    The result is what one process would make of them: each run's new stems are added to the
    memo in run order, as the serial build would have added them.
    """
    if processes < 2 or len(articles) < processes:
        return [_analyse(articles, analyzer)]
    sizes = np.fromiter((sum(map(len, a.paragraphs)) for a in articles), dtype=np.int64)
    cuts = np.searchsorted(np.cumsum(sizes), sizes.sum() * np.arange(1, processes) / processes)
    bounds = [0, *(int(c) + 1 for c in cuts), len(articles)]
    runs = [articles[a:b] for a, b in pairwise(bounds) if b > a]
    ctx = mp.get_context("fork")
    workers = []
    for run in runs[1:]:
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(send, run, analyzer), daemon=True)
        proc.start()
        send.close()
        workers.append((recv, proc, run))
    parts = [_analyse(runs[0], analyzer)]
    memo = text_stems()
    for recv, proc, run in workers:
        try:
            part = recv.recv()
        except (EOFError, OSError):  # the worker died: do its run here
            log.warning("index worker %s failed; analysing its articles here", proc.pid)
            part = _analyse(run, analyzer)
        finally:
            recv.close()
            proc.join()
        for word, stem in part.stems:
            if word not in memo and len(memo) < STEMS_CAP:
                memo[word] = stem
        parts.append(part)
    return parts


class Index:
    """Sentences, paragraphs and titles of a corpus, indexed for question answering."""

    def __init__(self, articles: list[Article], analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.articles = articles
        # Paragraph texts (an article's caption last) and their article.
        paras: list[str] = []
        para_article, para_caption = array("i"), array("b")
        for a_idx, art in enumerate(articles):
            for para, is_caption in _blocks(art):
                paras.append(para)
                para_article.append(a_idx)
                para_caption.append(is_caption)
        parts = _analyse_all(articles, analyzer, _processes(articles))
        # One vocabulary, in order of first use as in a serial build; each part's own term ids
        # mapped onto it.
        vocab: dict[str, int] = {}
        term_ids = []
        for part in parts:
            remap = np.fromiter(
                (vocab.setdefault(t, len(vocab)) for t in part.vocab),
                dtype=np.int32,
                count=len(part.vocab),
            )
            term_ids.append(remap[part.term_ids])
            part.term_ids = part.vocab = None  # type: ignore[assignment]  # free as we go
        tids = np.concatenate(term_ids)
        del term_ids
        # For each sentence its paragraph and offsets in it: arrays, not a million objects.
        para_base = np.cumsum([0] + [len(p.para_first) for p in parts])
        sent_base = np.cumsum([0] + [len(p.starts) for p in parts])
        self.sent_para = np.concatenate(
            [p.sent_para + b for p, b in zip(parts, para_base, strict=False)]
        ).astype(np.int32)
        self.para_first = np.concatenate(
            [*(p.para_first + b for p, b in zip(parts, sent_base, strict=False)), sent_base[-1:]]
        ).astype(np.int32)
        self.para_article = np.asarray(para_article, dtype=np.int32)
        self.sentences = Field(
            vocab,
            tids,
            np.concatenate([p.lengths for p in parts]),
            group=self.sent_para,
            groups=len(paras),
        )
        del tids
        self.paragraphs = self.sentences.paragraphs
        self.titles = Field.from_terms([t for p in parts for t in p.title_terms])
        self.sent_article = self.para_article[self.sent_para]
        self.caption = np.asarray(para_caption, dtype=bool)[self.sent_para]
        self.passages = Passages(
            articles,
            paras,
            self.para_article,
            self.sent_para,
            np.concatenate([p.starts for p in parts]),
            np.concatenate([p.ends for p in parts]),
            self.caption,
        )
        del parts
        # Surface words -> index term, for fuzzy matching of misspelled question words: the
        # stemmer memo holds every word seen, so no second pass over the text is needed.
        self.surface = {w: t for w, t in text_stems().items() if self.knows(t)}
        self._tokens: dict[int, list[Token]] = {}
        self._citations: dict[int, ArticleRef] = {}
        self._spans: dict[tuple[int, AnswerType], list[tuple[int, int]]] = {}
        self._deletes = _deletion_index(w for w in self.surface if w.isalpha() and len(w) >= 4)

    def citation(self, pid: int) -> ArticleRef:
        """The citation of a sentence's article, made once per article."""
        a_idx = int(self.sent_article[pid])
        ref = self._citations.get(a_idx)
        if ref is None:
            art = self.articles[a_idx]
            ref = self._citations[a_idx] = ArticleRef(
                id=art.id, title=art.title, date=art.date, source=art.source, url=art.url
            )
        return ref

    def tokens(self, pid: int) -> list[Token]:
        """Tokens (with offsets) of one sentence; memoised: hot sentences rank again and again."""
        found = self._tokens.get(pid)
        if found is None:
            if len(self._tokens) > 100_000:
                self._tokens.clear()
            found = self._tokens[pid] = self.analyzer.tokenize(self.passages.text(pid))
        return found

    def spans(self, pid: int, kind: AnswerType) -> list[tuple[int, int]]:
        """Answer-type spans of one sentence, memoised like :meth:`tokens`."""
        key = (pid, kind)
        found = self._spans.get(key)
        if found is None:
            if len(self._spans) > 100_000:
                self._spans.clear()
            found = self._spans[key] = answer_spans(self.passages.text(pid), kind)
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
        for key in sorted({word, *_deletes(word)}):  # sorted: same ties every run
            for cand in self._deletes.get(key, ()):
                if cand == word or OSA.distance(word, cand, score_cutoff=1) > 1:
                    continue
                if cand[0] != word[0] and len(word) < FIRST_LETTER_FREE:
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
