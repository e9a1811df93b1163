"""Merging an index with the articles of a few changed files, without indexing the rest again.

Only the new articles are analysed (split, tokenised, stemmed: the costly part of a build, which
here takes milliseconds). Their postings are slotted into the flat postings arrays of the old
index and the removed articles' postings are dropped; BM25 weights are computed when a term is
first used, from the merged corpus's statistics, so the merged index scores as a fresh build of
the same articles, in the same order, would. A merge costs a few copies of the postings arrays
(a fraction of a second at a million sentences) and no tokenising.
"""

from __future__ import annotations

import copy

import numpy as np

from bot.index import Field, Index, IndexArrays
from bot.models import Article
from bot.text.analyzer import Analyzer


def merge(old: Index, keep: np.ndarray, added: list[Article]) -> Index:
    """``old`` without the articles where ``keep`` is False, followed by ``added``.

    The old index is left as it is (questions may be reading it): the merged one has its own
    arrays and its own copy of the analyzer's stem memo.
    """
    analyzer = analyzer_copy(old.analyzer)
    delta = Index(added, analyzer)
    keep_art = np.asarray(keep, dtype=bool)
    keep_para = keep_art[old.para_article]
    keep_sent = keep_para[old.sent_para]
    everything = bool(keep_art.all())
    n_art, n_para = int(keep_art.sum()), int(keep_para.sum())

    def kept(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return a if everything else a[mask]

    art_id, para_id = _renumber(keep_art), _renumber(keep_para)
    vocab = dict(old.sentences.vocab)
    term_map = _extend(vocab, delta.sentences.vocab)
    title_vocab = dict(old.titles.vocab)
    title_map = _extend(title_vocab, delta.titles.vocab)
    arrays = IndexArrays(
        para_article=np.concatenate(
            [art_id[kept(old.para_article, keep_para)], delta.para_article + n_art]
        ).astype(np.int32),
        para_caption=np.concatenate([kept(old.para_caption, keep_para), delta.para_caption]),
        sent_para=np.concatenate(
            [para_id[kept(old.sent_para, keep_sent)], delta.sent_para + n_para]
        ).astype(np.int32),
        sent_start=np.concatenate([kept(old.sent_start, keep_sent), delta.sent_start]),
        sent_end=np.concatenate([kept(old.sent_end, keep_sent), delta.sent_end]),
        sentences=merge_field(
            old.sentences, None if everything else keep_sent, delta.sentences, vocab, term_map
        ),
        paragraphs=merge_field(
            old.paragraphs, None if everything else keep_para, delta.paragraphs, vocab, term_map
        ),
        titles=merge_field(
            old.titles, None if everything else keep_art, delta.titles, title_vocab, title_map
        ),
    )
    merged = Index.assemble(
        [a for a, k in zip(old.articles, keep_art.tolist(), strict=True) if k] + added,
        analyzer,
        [p for p, k in zip(old.paras, keep_para.tolist(), strict=True) if k] + delta.paras,
        arrays,
    )
    merged.inherit_typos(old)
    return merged


def merge_field(
    old: Field, keep: np.ndarray | None, new: Field, vocab: dict[str, int], term_map: np.ndarray
) -> Field:
    """``old``'s postings of the units where ``keep`` is True (all when None), then ``new``'s,
    whose units follow the kept ones and whose term ids ``term_map`` maps into ``vocab``."""
    old_counts = np.diff(old.offsets)
    ids, tf = old.ids, old.tf
    if keep is not None:
        entry_term = np.repeat(np.arange(len(old_counts), dtype=np.int32), old_counts)
        mask = keep[ids]
        old_counts = np.bincount(entry_term[mask], minlength=len(old_counts))
        del entry_term
        ids, tf = _renumber(keep)[ids[mask]], tf[mask]
    counts = np.zeros(len(vocab), np.int64)
    counts[: len(old_counts)] = old_counts
    # The new postings in (term, unit) order of the merged vocabulary.
    new_counts = np.diff(new.offsets)
    new_term = term_map[np.repeat(np.arange(len(new_counts), dtype=np.int32), new_counts)]
    order = np.argsort(new_term, kind="stable")  # units ascend within each term already
    new_term = new_term[order]
    new_ids = (new.ids[order] + int(keep.sum() if keep is not None else old.size)).astype(np.int32)
    # Each goes after the old postings of its term: the units it adds come after the old ones.
    at = np.cumsum(counts)[new_term]
    ids = np.insert(ids, at, new_ids)
    tf = np.insert(tf, at, new.tf[order])
    counts += np.bincount(new_term, minlength=len(vocab))
    lengths = np.concatenate([old.lengths if keep is None else old.lengths[keep], new.lengths])
    return Field.from_arrays(
        vocab, np.r_[0, np.cumsum(counts)].astype(np.int64), ids, tf, lengths.astype(np.int32)
    )


def _renumber(keep: np.ndarray) -> np.ndarray:
    """Old id -> new id once the units where ``keep`` is False are gone (-1 for those)."""
    out: np.ndarray = np.cumsum(keep, dtype=np.int64).astype(np.int32) - 1
    return out


def _extend(vocab: dict[str, int], new: dict[str, int]) -> np.ndarray:
    """Add ``new``'s terms to ``vocab`` (in ``new``'s id order); ``new`` id -> ``vocab`` id."""
    return np.fromiter(
        (vocab.setdefault(t, len(vocab)) for t in new), dtype=np.int32, count=len(new)
    )


def analyzer_copy(analyzer: Analyzer) -> Analyzer:
    """An analyzer with its own stem memo, the same aliases."""
    out = copy.copy(analyzer)
    out.stems = dict(analyzer.stems)
    return out
