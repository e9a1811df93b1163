"""The passage index: every sentence of the corpus, searchable by BM25 with paragraph and title
context. ``build`` makes it (in forked workers for a large corpus), ``search`` holds what a
question reads: :class:`Index`, its BM25 :class:`Field` s and its :class:`SentenceTable`."""

from __future__ import annotations

from bot.index.fields import Field, Posting
from bot.index.search import ContextScores, Index, IndexArrays
from bot.index.sentence_table import Sentence, SentenceTable

__all__ = ["ContextScores", "Field", "Index", "IndexArrays", "Posting", "Sentence", "SentenceTable"]
