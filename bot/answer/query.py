"""A question as weighted index terms: its words matched to the vocabulary (misspelled ones to
their nearest indexed words), marked as names or topic words, and the kind of answer it wants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.index import Index
from bot.text.analyzer import fold, words
from bot.text.answer_types import AnswerType, is_wh, question_type
from bot.text.wordlists import GENERIC, STOPWORDS

# A word matched to the vocabulary through a typo counts this much (times its similarity) of a
# word found as written: the match may be wrong.
FUZZY_WEIGHT = 0.85
_WH_WORDS = frozenset({"when", "where", "who", "why", "how", "what", "which"})


@dataclass
class QueryTerm:
    term: str
    weight: float
    surface: str
    specific: bool
    name: bool
    fuzzy: bool = False


@dataclass
class Query:
    text: str
    kind: AnswerType
    terms: list[QueryTerm] = field(default_factory=list)
    missing: list[QueryTerm] = field(default_factory=list)


def analyse(question: str, index: Index, knows_word: Callable[[str], bool] | None = None) -> Query:
    """Question words -> weighted index terms; misspelled words matched to the vocabulary.
    ``knows_word``: the models' English vocabulary, when they are loaded (see below)."""
    folded_words = [w for w, _, _ in words(fold(question))]
    kind = question_type(folded_words)
    tokens = index.analyzer.tokenize(question)
    query = Query(question, kind)
    seen: set[str] = set()
    # "how long", "how many": the word after "how" names the answer type, not the topic.
    wh_skip = _WH_WORDS | {b for a, b in pairwise(folded_words) if a == "how"}
    for i, tok in enumerate(tokens):
        if tok.raw in wh_skip or (i == 0 and (tok.raw in STOPWORDS or is_wh(tok.raw))):
            continue
        surface = question[tok.start : tok.end]
        # Names and numbers ("Berlin Wall", "2026") pin a question to its subject.
        capitalised = surface[:1].isupper() and tok.start > 0 and not surface.isupper()
        name = (
            capitalised
            or "_" in tok.term
            or (surface.isdigit() and len(surface) >= 3)
            or _identifier(surface)
        )
        specific = tok.raw not in GENERIC
        if question[tok.start - 1 : tok.start] == "@" and not index.knows(tok.term):
            continue  # "@alice": whom the message is for, not what it asks
        if index.knows(tok.term):
            if not name and knows_word is not None and surface.islower():
                # Chat is typed in lower case: "lumora" names the question's subject when it is
                # no English word and the corpus only ever writes it as a name. (An English
                # word may stand for a name only in this corpus: "museum" of "Natural History
                # Museum" must not pin a question to that museum's paragraphs.)
                name = not knows_word(tok.raw) and index.only_as_name(tok.raw)
            if tok.term not in seen:
                seen.add(tok.term)
                query.terms.append(QueryTerm(tok.term, 1.0, surface, specific, name))
            continue
        if _misspelled_stopword(tok.raw):
            continue  # "thsoe", "abotu": a typo of a word that carries no topic
        matches = index.fuzzy(tok.raw, name=capitalised) if i > 0 or len(tokens) == 1 else []
        if i == 0 and not matches:
            matches = index.fuzzy(tok.raw, name=capitalised)
        if matches:
            for term, sim in matches:
                if term not in seen:
                    seen.add(term)
                    weight = FUZZY_WEIGHT * sim
                    query.terms.append(QueryTerm(term, weight, surface, specific, name, True))
        else:
            query.missing.append(QueryTerm(tok.term, 1.0, surface, specific, name))
    return query


def _identifier(word: str) -> bool:
    """Letters and digits in one word ("harbour42", "A320", "G7"): a name, never another's typo
    (fuzzy matching leaves it alone; absent from the corpus, it means no answer)."""
    return word[:1].isalpha() and not word.isalpha() and word.isalnum()  # not "50th", "1990s"


_LONG_STOPWORDS = sorted(w for w in STOPWORDS if len(w) >= 4 and w.isalpha())


def _misspelled_stopword(word: str) -> bool:
    return stopword_meant(word) is not None


def stopword_meant(word: str) -> str | None:
    """The stopword one typo away from ``word`` ("whrn": "when"), or None."""
    if len(word) < 4 or not word.isalpha():
        return None
    found = process.extractOne(word, _LONG_STOPWORDS, scorer=OSA.distance, score_cutoff=1)
    return None if found is None else str(found[0])
