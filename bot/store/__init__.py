"""The saved index: the corpus as loaded and indexed, kept beside it (``.briefbot/``, or
``BRIEFBOT_INDEX_DIR``) so that a start or a CLI call on an unchanged corpus reads it back
instead of parsing and indexing every article again, and a few changed files are merged into it
instead of rebuilding it all. See :mod:`bot.store.corpus_store`."""

from __future__ import annotations

from bot.store.corpus_store import Corpus, CorpusStore

__all__ = ["Corpus", "CorpusStore"]
