"""The baselines, over the same sentences as the engine: bm25s + PyStemmer, and tantivy."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bench.data import Sentence

#: Figures measured elsewhere with the same metric (split A, 5,173 sentences).
REFERENCE: dict[str, dict[str, float]] = {
    "bm25s": {"hit@1": 0.643, "hit@3": 0.785, "typo hit@1": 0.540, "p50": 0.62},
    "tantivy": {"hit@1": 0.662, "hit@3": 0.798, "typo hit@1": 0.564, "p50": 0.10},
    "tantivy+fuzzy": {"hit@1": 0.692, "hit@3": 0.830, "typo hit@1": 0.603, "p50": 1.05},
}

#: The baseline run at scale beside ours.
BEST_AT_SCALE = "tantivy+fuzzy"

_WORD = re.compile(r"\w+")
# Characters the tantivy query language gives a meaning to; escaped with a backslash.
_SPECIAL = re.compile(r"([+\-&|!(){}\[\]^\"~*?:\\/<>=`'])")
# Upper-case operators of the query language, lower-cased so they stay plain words.
_OPERATORS = re.compile(r"\b(AND|OR|NOT|IN|TO)\b")


class Retriever(Protocol):
    """A built baseline index: sentence ids for a question, best first."""

    name: str
    build_s: float

    def search(self, question: str, k: int = 10) -> list[int]:
        """The ids (positions in the indexed sequence) of the top ``k`` sentences."""
        ...

    def scored(self, question: str, k: int = 10) -> list[tuple[int, float]]:
        """The top ``k`` (id, score) pairs, best first: the score is what a threshold on the
        baseline's confidence would look at."""
        ...


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@dataclass
class Bm25s:
    """bm25s (default BM25 parameters) with the PyStemmer English stemmer and "en" stopwords."""

    name: str = "bm25s"
    build_s: float = 0.0
    n_docs: int = 0
    _retriever: Any = None
    _stem: Any = None

    @classmethod
    def build(cls, sentences: Sequence[Sentence]) -> Bm25s:
        """Tokenize and index every sentence's text."""
        import bm25s

        t = time.perf_counter()
        stem = _stemmer()
        tokens = bm25s.tokenize(
            [s.text for s in sentences], stopwords="en", stemmer=stem, show_progress=False
        )
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(
            build_s=time.perf_counter() - t, n_docs=len(sentences), _retriever=retriever, _stem=stem
        )

    def search(self, question: str, k: int = 10) -> list[int]:
        """The top ``k`` sentence ids for the question."""
        return [i for i, _ in self.scored(question, k)]

    def scored(self, question: str, k: int = 10) -> list[tuple[int, float]]:
        """Tokenize the question the same way and retrieve; only positive scores count."""
        import bm25s

        tokens = bm25s.tokenize([question], stopwords="en", stemmer=self._stem, show_progress=False)
        if not tokens.vocab:
            return []
        k = min(k, self.n_docs)
        try:
            docs, scores = self._retriever.retrieve(tokens, k=k, show_progress=False)
        except (ValueError, KeyError):  # no query token is in the index vocabulary
            return []
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


@dataclass
class Tantivy:
    """A tantivy RAM index: sentence text and article title, both with the en_stem tokenizer.

    Plain: the escaped question through the query parser over the text field (BM25).
    Fuzzy: that query OR'd (boolean should) with fuzzy term queries (distance 1, transposition
    costs 1) for every non-stopword of at least 4 letters, on the text and the title field.
    """

    name: str = "tantivy"
    fuzzy: bool = False
    build_s: float = 0.0
    fuzzy_boost: float = 2.0
    title_boost: float = 2.0
    _index: Any = None
    _searcher: Any = None
    _schema: Any = None
    _stem: Any = None
    _stop: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def build(cls, sentences: Iterable[Sentence], *, fuzzy: bool = False) -> Tantivy:
        """Index ``sentences`` (any iterable, so a replicated corpus can be streamed)."""
        import tantivy
        from bm25s.stopwords import STOPWORDS_EN

        t = time.perf_counter()
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("text", tokenizer_name="en_stem")
        sb.add_text_field("title", tokenizer_name="en_stem")
        sb.add_integer_field("sid", stored=True)
        schema = sb.build()
        index = tantivy.Index(schema)  # no path: in RAM
        writer = index.writer(heap_size=512_000_000)
        for i, s in enumerate(sentences):
            writer.add_document(tantivy.Document(text=s.text, title=s.title, sid=i))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        return cls(
            name="tantivy+fuzzy" if fuzzy else "tantivy",
            fuzzy=fuzzy,
            build_s=time.perf_counter() - t,
            _index=index,
            _searcher=index.searcher(),
            _schema=schema,
            _stem=_stemmer(),
            _stop=frozenset(STOPWORDS_EN),
        )

    def _plain(self, question: str) -> Any | None:
        text = _OPERATORS.sub(lambda m: m.group(1).lower(), question)
        try:
            return self._index.parse_query(_SPECIAL.sub(r"\\\1", text), ["text"])
        except ValueError:
            return None

    def _fuzzy(self, question: str) -> Any | None:
        from tantivy import Occur, Query

        should = []
        plain = self._plain(question)
        if plain is not None:
            should.append((Occur.Should, plain))
        for word in _WORD.findall(question.lower()):
            if len(word) < 4 or word in self._stop:
                continue
            term = self._stem.stemWord(word)
            for name, boost in (("text", self.fuzzy_boost), ("title", self.title_boost)):
                q = Query.fuzzy_term_query(self._schema, name, term, 1, True, False)
                should.append((Occur.Should, Query.boost_query(q, boost)))
        return Query.boolean_query(should) if should else None

    def search(self, question: str, k: int = 10) -> list[int]:
        """The top ``k`` sentence ids for the question."""
        return [i for i, _ in self.scored(question, k)]

    def scored(self, question: str, k: int = 10) -> list[tuple[int, float]]:
        """The top ``k`` (sentence id, BM25 score) pairs for the question."""
        query = self._fuzzy(question) if self.fuzzy else self._plain(question)
        if query is None:
            return []
        searcher = self._searcher
        return [
            (searcher.doc(addr)["sid"][0], float(score))
            for score, addr in searcher.search(query, k).hits
        ]


BUILDERS: dict[str, Callable[[Sequence[Sentence]], Retriever]] = {
    "bm25s": Bm25s.build,
    "tantivy": lambda s: Tantivy.build(s, fuzzy=False),
    "tantivy+fuzzy": lambda s: Tantivy.build(s, fuzzy=True),
}
