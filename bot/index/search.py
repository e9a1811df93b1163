"""The query-time index: sentences, paragraphs and titles of a corpus in BM25 fields, the text
of every sentence, and the surface words a misspelled question word is matched against.

A sentence inherits context from its paragraph and article: each level has postings of its own.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz.distance import OSA

from bot.corpus.report import LoadReport
from bot.index.build import analyse_all, blocks
from bot.index.fields import Field, Posting
from bot.index.sentence_table import SentenceTable
from bot.index.typo_table import TypoTable
from bot.models import Article, ArticleRef
from bot.progress import Progress
from bot.text.analyzer import Analyzer, Token, fold
from bot.text.answer_types import AnswerType, answer_spans
from bot.text.typos import likely_typo

# Typos of 4-letter words must keep the first letter: "bat" is not a typo of "cat".
FIRST_LETTER_FREE = 5
# Sentences read to tell whether the corpus writes a word as a name (capitalised inside sentences):
# a substring test each, so a common word costs well under a millisecond, once.
NAME_SAMPLE = 1000
# Sentences whose tokens are memoised at most (their answer spans likewise); then the memo starts
# over, so a long-running bot's memory stays bounded.
MEMO_SENTENCES = 100_000


@dataclass(frozen=True)
class ContextScores:
    """BM25 scores of one weighted query in each field: every sentence, paragraph, title."""

    sentences: np.ndarray
    paragraphs: np.ndarray
    titles: np.ndarray


@dataclass(frozen=True)
class IndexArrays:
    """What defines an index beside its articles and paragraph texts: each paragraph's article
    and caption flag, each sentence's paragraph and offsets in it, and the three BM25 fields.
    A build, a saved index read back and a merge each make one."""

    para_article: np.ndarray
    para_caption: np.ndarray
    sent_para: np.ndarray
    sent_start: np.ndarray
    sent_end: np.ndarray
    sentences: Field
    paragraphs: Field
    titles: Field


class Index:
    """Sentences, paragraphs and titles of a corpus, indexed for question answering."""

    def __init__(self, articles: list[Article], analyzer: Analyzer) -> None:
        # Paragraph texts (an article's caption last) and their article.
        paras: list[str] = []
        para_article, para_caption = array("i"), array("b")
        for a_idx, art in enumerate(articles):
            for para, is_caption in blocks(art):
                paras.append(para)
                para_article.append(a_idx)
                para_caption.append(is_caption)
        with Progress("indexing", len(articles), unit="articles") as progress:
            parts = analyse_all(articles, analyzer, progress.advance)
            progress.update(len(articles))
        # One vocabulary, in order of first use as in a serial build; each part's own term ids
        # mapped onto it.
        vocab: dict[str, int] = {}
        term_ids = []
        for part in parts:
            part_ids, part_vocab = part.take_terms()  # freed as we go
            remap = np.fromiter(
                (vocab.setdefault(t, len(vocab)) for t in part_vocab),
                dtype=np.int32,
                count=len(part_vocab),
            )
            term_ids.append(remap[part_ids])
            del part_ids, part_vocab
        tids = np.concatenate(term_ids)
        del term_ids
        # For each sentence its paragraph and offsets in it: arrays, not a million objects.
        para_base = np.cumsum([0] + [len(p.para_first) for p in parts])
        sent_para = np.concatenate(
            [p.sent_para + b for p, b in zip(parts, para_base, strict=False)]
        ).astype(np.int32)
        with Progress("building the postings", tick=True):
            sentences = Field(
                vocab,
                tids,
                np.concatenate([p.lengths for p in parts]),
                group=sent_para,
                groups=len(paras),
            )
        del tids
        arrays = IndexArrays(
            para_article=np.asarray(para_article, dtype=np.int32),
            para_caption=np.asarray(para_caption, dtype=bool),
            sent_para=sent_para,
            sent_start=np.concatenate([p.starts for p in parts]),
            sent_end=np.concatenate([p.ends for p in parts]),
            sentences=sentences,
            paragraphs=sentences.paragraphs,
            titles=Field.from_terms([t for p in parts for t in p.title_terms]),
        )
        self._assemble(articles, analyzer, paras, arrays)

    @classmethod
    def assemble(
        cls, articles: list[Article], analyzer: Analyzer, paras: list[str], arrays: IndexArrays
    ) -> Index:
        """An index from the parts a build makes (saved ones, or merged): see :meth:`_assemble`."""
        index = cls.__new__(cls)
        index._assemble(articles, analyzer, paras, arrays)
        return index

    def context_scores(self, weighted: list[tuple[str, float]]) -> ContextScores:
        """The query's BM25 scores in the sentence, paragraph and title fields."""
        return ContextScores(
            self.sentences.scores(weighted),
            self.paragraphs.scores(weighted),
            self.titles.scores(weighted),
        )

    def paragraph_of(self, ids: np.ndarray) -> np.ndarray:
        """Each sentence's paragraph."""
        found: np.ndarray = self.sent_para[ids]
        return found

    def article_of(self, ids: np.ndarray) -> np.ndarray:
        """Each sentence's article."""
        found: np.ndarray = self.sent_article[ids]
        return found

    def article_index(self, pid: int) -> int:
        """The article a sentence is from (its position in ``articles``)."""
        return int(self.sent_article[pid])

    def paragraph_index(self, pid: int) -> int:
        """The paragraph a sentence is in."""
        return int(self.sent_para[pid])

    def title_of(self, pid: int) -> str:
        """The title of a sentence's article."""
        return self.articles[int(self.sent_article[pid])].title

    def article_paragraphs(self, art: int) -> range:
        """The paragraphs of article ``art`` (an article's paragraphs are contiguous)."""
        first = int(self.para_article.searchsorted(art))
        return range(first, int(self.para_article.searchsorted(art, side="right")))

    def paragraph_articles(self, paras: np.ndarray) -> np.ndarray:
        """The article of each paragraph in ``paras``."""
        found: np.ndarray = self.para_article[paras]
        return found

    @property
    def sentence_articles(self) -> np.ndarray:
        """Every sentence's article, in sentence order (read-only use)."""
        found: np.ndarray = self.sent_article
        return found

    def same_paragraph(self, a: int, b: int) -> bool:
        return bool(self.sent_para[a] == self.sent_para[b])

    def in_paragraph(self, term: str, para: int) -> bool:
        """Whether paragraph ``para`` holds ``term``."""
        return _holds(self.paragraphs.postings.get(term), para)

    def in_title(self, term: str, art: int) -> bool:
        """Whether article ``art``'s title holds ``term``."""
        return _holds(self.titles.postings.get(term), art)

    def in_paragraphs(self, term: str, paras: range) -> bool:
        """Whether any paragraph of ``paras`` (contiguous: an article's) holds ``term``."""
        posting = self.paragraphs.postings.get(term)
        if posting is None:
            return False
        i = int(posting.ids.searchsorted(paras.start))
        return i < len(posting.ids) and int(posting.ids[i]) < paras.stop

    def articles_with(self, term: str) -> np.ndarray:
        """Which articles hold ``term`` in a paragraph or their title (a mask over articles)."""
        has = np.zeros(len(self.articles), dtype=bool)
        para = self.paragraphs.postings.get(term)
        if para is not None:
            has[self.para_article[para.ids]] = True
        title = self.titles.postings.get(term)
        if title is not None:
            has[title.ids] = True
        return has

    def in_caption(self, ids: np.ndarray) -> np.ndarray:
        """Whether each sentence is in a photo caption."""
        found: np.ndarray = self.caption[ids]
        return found

    @property
    def arrays(self) -> IndexArrays:
        """What defines this index beside its articles and paragraph texts (what is saved)."""
        return IndexArrays(
            para_article=self.para_article,
            para_caption=self.para_caption,
            sent_para=self.sent_para,
            sent_start=self.sent_start,
            sent_end=self.sent_end,
            sentences=self.sentences,
            paragraphs=self.paragraphs,
            titles=self.titles,
        )

    def encode(self, report: LoadReport) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The index (and its load report) as named arrays and JSON metadata, to save."""
        from bot.index.codec import encode

        return encode(self, report)

    @classmethod
    def decode(
        cls, arrays: dict[str, np.ndarray], meta: dict[str, Any], analyzer: Analyzer
    ) -> tuple[Index, LoadReport]:
        """An index and its load report read back from :meth:`encode`'s output."""
        from bot.index.codec import decode

        return decode(arrays, meta, analyzer)

    def merged(self, keep: np.ndarray, added: list[Article]) -> Index:
        """A new index: this one without the articles where ``keep`` is False, then ``added``
        (this one is left as it is: questions may be reading it)."""
        from bot.index.merge import merge

        return merge(self, keep, added)

    def _assemble(
        self, articles: list[Article], analyzer: Analyzer, paras: list[str], arrays: IndexArrays
    ) -> None:
        """Everything a question reads, from what defines the index: the paragraph texts (a
        caption flagged), each paragraph's article, each sentence's paragraph and offsets in
        it, and the three fields."""
        para_article, para_caption = arrays.para_article, arrays.para_caption
        sent_para, sent_start, sent_end = arrays.sent_para, arrays.sent_start, arrays.sent_end
        sentences, paragraphs, titles = arrays.sentences, arrays.paragraphs, arrays.titles
        self.analyzer = analyzer
        self.articles = articles
        # The generation of the saved index this one is (set by bot.store when it reads or saves
        # it): what data saved in its row order, the sentence vectors, is checked against.
        self.saved_as: str | None = None
        self.paras = paras
        self.para_article, self.para_caption = para_article, para_caption
        self.sent_para, self.sent_start, self.sent_end = sent_para, sent_start, sent_end
        self.sentences, self.paragraphs, self.titles = sentences, paragraphs, titles
        # Each paragraph's first sentence, and one past the last sentence at the end.
        self.para_first = np.r_[0, np.cumsum(np.bincount(sent_para, minlength=len(paras)))].astype(
            np.int32
        )
        self.sent_article = self.para_article[self.sent_para]
        self.caption = para_caption[self.sent_para]
        self.sentence_table = SentenceTable(
            articles, paras, para_article, sent_para, sent_start, sent_end, self.caption
        )
        # Surface words -> index term, for fuzzy matching of misspelled question words: the
        # analyzer's stem memo holds every word it has seen, so no second pass over the text.
        sent_terms, title_terms = sentences.known_terms(), titles.known_terms()
        self.surface = {
            w: t for w, t in analyzer.stems.items() if t in sent_terms or t in title_terms
        }
        self._tokens: dict[int, list[Token]] = {}
        self._citations: dict[int, ArticleRef] = {}
        self._spans: dict[tuple[int, AnswerType], list[tuple[int, int]]] = {}
        self._name_kind: dict[str, bool | None] = {}
        self._only_name: dict[str, bool] = {}
        self.typos = TypoTable(self.surface)

    def inherit_typos(self, old: Index) -> None:
        """Take over ``old``'s typo table with this index's new words (see
        :meth:`TypoTable.inherit`)."""
        self.typos.inherit(old.typos)

    def warm_up(self) -> None:
        """Make now what is otherwise made on first use (for a bot, in the background)."""
        self.typos.warm_up()

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
            if len(self._tokens) > MEMO_SENTENCES:
                self._tokens.clear()
            found = self._tokens[pid] = self.analyzer.tokenize(self.sentence_table.text(pid))
        return found

    def spans(self, pid: int, kind: AnswerType) -> list[tuple[int, int]]:
        """Answer-type spans of one sentence, memoised like :meth:`tokens`."""
        key = (pid, kind)
        found = self._spans.get(key)
        if found is None:
            if len(self._spans) > MEMO_SENTENCES:
                self._spans.clear()
            found = self._spans[key] = answer_spans(self.sentence_table.text(pid), kind)
        return found

    def __len__(self) -> int:
        return len(self.sentence_table)

    def knows(self, term: str) -> bool:
        return term in self.sentences.postings or term in self.titles.postings

    def fuzzy(self, word: str, *, name: bool = False) -> list[tuple[str, float]]:
        """Index terms one typo away from a word absent from the vocabulary, with a weight.

        A ``name`` (capitalised in the question) is only corrected into a word the corpus writes
        as a name too: "Takaichii" is Takaichi, but "Marc" is not the verb "mark"."""
        if len(word) < 4 or not word.isalpha():
            return []
        out: dict[str, float] = {}
        for cand in self.typos.near(word):
            if cand not in self.surface:
                continue  # a word of articles removed since (a typo table carried over)
            if cand == word or OSA.distance(word, cand, score_cutoff=1) > 1:
                continue
            if cand[0] != word[0] and len(word) < FIRST_LETTER_FREE:
                continue  # short words: a wrong first letter is usually another word
            if not likely_typo(word, cand):
                continue  # "mars" is no slip for "mark": s and k are far apart
            if name and self.written_as_name(cand) is False:
                continue
            term = self.surface[cand]
            sim = 1.0 - 1 / max(len(word), len(cand))
            out[term] = max(out.get(term, 0.0), sim)
        # An inflected form misspelled ("visitng") may be far from every surface word but still
        # start with an indexed stem ("visit"). Not a name: "Marko" is no form of "mark".
        shortest = len(word) if name else max(3, len(word) - 4)
        for cut in range(len(word) - 1, shortest, -1):
            stem_term = word[:cut]
            if stem_term in self.sentences.postings and stem_term not in out:
                out[stem_term] = cut / len(word)
                break
        best = sorted(out.items(), key=lambda kv: -kv[1])[:2]
        return best

    def written_as_name(self, word: str) -> bool | None:
        """Whether the corpus ever writes the surface ``word`` capitalised inside a sentence, as
        a name ("Trump", "TVOntario", the "Great" of "Great Depression": True; "mark": False);
        None when nothing tells (titles only, or only first words of sentences). Read from the
        first sentences holding it, once a word."""
        if word in self._name_kind:
            return self._name_kind[word]
        kind: bool | None = None
        for pid in self._name_sample(word):
            found = _case_inside(self.sentence_table.text(int(pid)), word)
            if found:
                kind = True
                break
            if found is False:
                kind = False
        if len(self._name_kind) < MEMO_SENTENCES:
            self._name_kind[word] = kind
        return kind

    def _name_sample(self, word: str) -> np.ndarray:
        """The first sentences holding the surface ``word``, read to tell how it is written."""
        term = self.surface.get(word)
        posting = self.sentences.postings.get(term) if term else None
        return posting.ids[:NAME_SAMPLE] if posting is not None else np.empty(0, dtype=np.int64)

    def only_as_name(self, word: str) -> bool:
        """True when the corpus writes the surface ``word`` capitalised inside sentences and never
        in lower case ("Lumora", "Senegal"; not the "Bank" of "Bank of Japan" beside "the bank"):
        a chat question's "lumora" names a subject as "Lumora" would. Read from the first
        sentences holding it, once a word."""
        if word in self._only_name:
            return self._only_name[word]
        only = self.written_as_name(word) is True
        if only:
            only = not any(
                _lower_inside(self.sentence_table.text(int(pid)), word)
                for pid in self._name_sample(word)
            )
        if len(self._only_name) < MEMO_SENTENCES:
            self._only_name[word] = only
        return only

    def closest_word(self, word: str, *, name: bool = False) -> str | None:
        """The corpus word one typo away from ``word`` by the rules of :meth:`fuzzy` (the first
        in sorted order on a tie), or None: the sentence model reads corrected words, not typos."""
        if len(word) < 4 or not word.isalpha():
            return None
        for cand in self.typos.near(word):
            if cand == word or OSA.distance(word, cand, score_cutoff=1) > 1:
                continue
            if cand[0] != word[0] and len(word) < FIRST_LETTER_FREE:
                continue
            if not likely_typo(word, cand):
                continue
            if name and self.written_as_name(cand) is False:
                continue
            return cand
        return None

    def paragraph_sentences(self, para: int) -> range:
        return range(int(self.para_first[para]), int(self.para_first[para + 1]))


# What may stand before the first word of a sentence: quotes, brackets, dashes, spaces.
_OPENERS = " \"'“‘«(-–—*_"


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Where ``text`` holds the folded ``word`` as a whole word (offsets into ``text``: folding
    preserves length)."""
    folded = fold(text)
    at = folded.find(word)
    while at >= 0:
        end = at + len(word)
        if not folded[at - 1 : at].isalnum() and not folded[end : end + 1].isalnum():
            yield at
        at = folded.find(word, end)


def _lower_inside(text: str, word: str) -> bool:
    """True when ``text`` writes the folded ``word`` in lower case somewhere."""
    return any(text[at].islower() for at in _occurrences(text, word))


def _case_inside(text: str, word: str) -> bool | None:
    """How ``text`` writes the folded ``word`` after its first word: True when capitalised once,
    False when only in lower case, None when not there (or only as the first word)."""
    seen: bool | None = None
    for at in _occurrences(text, word):
        if text[:at].strip(_OPENERS):  # not the sentence's first word
            if text[at].isupper():
                return True
            seen = False
    return seen


def _holds(posting: Posting | None, unit: int) -> bool:
    """Whether ``posting`` lists ``unit`` (its ids are sorted)."""
    if posting is None:
        return False
    i = int(posting.ids.searchsorted(unit))
    return i < len(posting.ids) and int(posting.ids[i]) == unit
