"""The index build: articles split into sentences and their sentences into term ids, by this
process alone or, for a large corpus, with forked workers that each analyse a run of articles.

The result is the same either way (down to the order of the vocabulary and of the analyzer's stem
memo): :class:`~bot.index.search.Index` merges the parts as if one process had made them.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import os
import signal
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice, pairwise
from multiprocessing.connection import Connection

import numpy as np

from bot.index.term_ids import TermIds
from bot.models import Article
from bot.text.analyzer import Analyzer
from bot.text.sentences import split_sentences

log = logging.getLogger(__name__)

# Above this much paragraph text, other processes split and tokenise runs of the articles while
# this one does the first run; below it, starting a process costs more than it saves.
PARALLEL_CHARS = 4_000_000
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
MAX_PROCESSES = 4
STEP = 256  # articles between two progress reports


@dataclass
class Part:
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

    def take_terms(self) -> tuple[np.ndarray, list[str]]:
        """The term ids and vocabulary, dropped from the part: the index frees each as it merges."""
        taken = self.term_ids, self.vocab
        self.term_ids, self.vocab = np.zeros(0, np.int32), []
        return taken


def blocks(art: Article) -> list[tuple[str, bool]]:
    """The paragraphs of an article as (text, is_caption), the caption last."""
    out = [(p, False) for p in art.paragraphs]
    if art.caption:
        out.append((art.caption, True))
    return out


def _int32(a: array[int]) -> np.ndarray:
    return np.frombuffer(a, dtype=np.int32) if a else np.zeros(0, np.int32)


def _analyse(
    articles: list[Article],
    analyzer: Analyzer,
    *,
    worker: bool = False,
    step: Callable[[int], None] | None = None,
) -> Part:
    """Split the paragraphs of ``articles`` into sentences and their sentences into terms;
    ``step(n)`` is told every :data:`STEP` articles done."""
    known_stems = len(analyzer.stems)
    title_terms: list[list[str]] = []
    para_first, sent_para = array("i"), array("i")
    starts, ends, lengths = array("i"), array("i"), array("i")
    term_ids = array("i")  # term id + 1 of every sentence term
    ids = TermIds(analyzer)
    add = ids.add
    p_id = 0
    for n, art in enumerate(articles, 1):
        if step is not None and not n % STEP:
            step(STEP)
        # Titles article by article, as the serial build did: the stemmer memo keeps that order.
        title_terms.append(analyzer.terms(art.title + " " + " ".join(art.tags)))
        for para, _ in blocks(art):
            para_first.append(len(starts))
            for s, e in split_sentences(para):
                starts.append(s)
                ends.append(e)
                sent_para.append(p_id)
                lengths.append(add(para[s:e], term_ids))
            p_id += 1
    stems = list(islice(analyzer.stems.items(), known_stems, None)) if worker else []
    tids = _int32(term_ids) - 1
    del term_ids
    return Part(
        title_terms,
        _int32(para_first),
        _int32(sent_para),
        _int32(starts),
        _int32(ends),
        _int32(lengths),
        tids,
        list(ids.vocab),
        stems,
    )


def _worker(conn: Connection, articles: list[Article], analyzer: Analyzer, parent: int) -> None:
    _die_with(parent)
    try:
        conn.send(_analyse(articles, analyzer, worker=True))
    finally:
        conn.close()


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when the process that forked it dies, ``kill -9``
    included (Linux ``prctl(PR_SET_PDEATHSIG)``): a run takes minutes on a large corpus, and
    orphans of repeated kills would pile up, 70 MB each. Elsewhere: nothing to do."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call took effect
        os._exit(1)


def process_count(articles: list[Article]) -> int:
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


def analyse_all(
    articles: list[Article], analyzer: Analyzer, step: Callable[[float], None] | None = None
) -> list[Part]:
    """Analyse ``articles`` in runs of about equal text, the first here and each other one in a
    forked worker (which shares the articles without copying them), all at once.

    The result is what one process would make of them: each run's new stems are added to the
    analyzer's memo in run order, as the serial build would have added them. ``step(n)`` hears
    of the articles done (from the workers' runs as much as this one's, as they are of about
    equal text).
    """
    processes = process_count(articles)
    if processes < 2 or len(articles) < processes:
        return [_analyse(articles, analyzer, step=step)]
    sizes = np.fromiter((sum(map(len, a.paragraphs)) for a in articles), dtype=np.int64)
    cuts = np.searchsorted(np.cumsum(sizes), sizes.sum() * np.arange(1, processes) / processes)
    bounds = [0, *(int(c) + 1 for c in cuts), len(articles)]
    runs = [articles[a:b] for a, b in pairwise(bounds) if b > a]
    ctx = mp.get_context("fork")
    workers = []
    for run in runs[1:]:
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(send, run, analyzer, os.getpid()), daemon=True)
        proc.start()
        send.close()
        workers.append((recv, proc, run))
    scale = len(articles) / len(runs[0])
    here = None if step is None else lambda n: step(n * scale)
    parts = [_analyse(runs[0], analyzer, step=here)]
    for recv, proc, run in workers:
        try:
            part = recv.recv()
        except (EOFError, OSError):  # the worker died: do its run here
            log.warning("index worker %s failed; analysing its articles here", proc.pid)
            part = _analyse(run, analyzer)
        finally:
            recv.close()
            proc.join()
        analyzer.learn_stems(part.stems)
        parts.append(part)
    return parts
