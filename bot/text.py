"""Text normalisation and tokenisation shared by the index and the question analysis.

Tokens keep character offsets into the *original* text, so quotes stay verbatim and highlights
land on the words the user sees: normalisation is therefore length-preserving.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from typing import NamedTuple

import Stemmer

from bot.aliases import Aliases
from bot.wordlists import STOPWORDS

_STEMMER = Stemmer.Stemmer("english")

# Curly quotes, dashes and odd spaces folded to ASCII, one character for one.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u3000": " ",
    }
)

_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\ufeff\ud800-\udfff]"
)

_WORD = re.compile(r"[^\W_]+(?:['.][^\W_]+)*", re.UNICODE)
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")  # _WORD on folded ASCII text
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


class Token(NamedTuple):
    """A normalised, stemmed term and where it stands in the original text (a tuple: queries
    make thousands of them)."""

    term: str
    start: int
    end: int
    raw: str  # the folded surface form (lower case), before stemming


def fold(text: str) -> str:
    """Length-preserving normalisation: NFKC where it maps one char to one, ASCII quotes, lower."""
    if text.isascii():  # the common case: nothing to fold but case (and str.translate is slow)
        return text.lower()
    text = text.translate(_FOLD)
    if not text.isascii():
        out = []
        for ch in text:
            if ord(ch) > 127:
                n = unicodedata.normalize("NFKC", ch)
                ch = n if len(n) == 1 else ch
            out.append(ch)
        text = "".join(out)
    low = text.lower()
    if len(low) != len(text):  # a few characters lower-case to two ("İ"): keep offsets exact
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


def clean(text: str) -> str:
    """Drop control and bidi-override characters, NFKC-normalise, collapse whitespace."""
    printable = text.isprintable()
    if not printable:  # every character _CONTROL matches is unprintable
        text = _CONTROL.sub(" ", text)
    normal = unicodedata.normalize("NFKC", text)
    if printable and normal is text and "  " not in text and text[:1] != " " != text[-1:]:
        return text  # already normalised (normalize returns its argument) and tidy
    return squash(normal)


def squash(text: str) -> str:
    """``" ".join(text.split())``, without splitting the (usual) text that is already tidy.

    Every whitespace character but the space is unprintable, so printable text with no double,
    leading or trailing space has nothing to collapse: C-level checks, no list of words.
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


_STEMS: dict[str, str] = {}
STEMS_CAP = 2_000_000  # words memoised at most


def stem(word: str) -> str:
    """Light English stemming ("visiting" ~ "visit"), memoised: vocabularies repeat."""
    found = _STEMS.get(word)
    if found is not None:
        return found
    out = (
        word
        if (not word.isascii() or word.isdigit() or len(word) <= 3)
        else (_STEMMER.stemWord(word))
    )
    if len(_STEMS) < STEMS_CAP:
        _STEMS[word] = out
    return out


def words(folded: str) -> list[tuple[str, int, int]]:
    """Surface words of already folded text with offsets: hyphens split, possessives dropped."""
    out: list[tuple[str, int, int]] = []
    for m in _WORD.finditer(folded):
        w, s = m.group(), m.start()
        if w.isascii() and w.isalnum():  # the common case: a plain word
            out.append((w, s, s + len(w)))
            continue
        if _CJK.search(w):
            # No spaces in CJK: index each ideograph/kana as a term.
            for i, ch in enumerate(w):
                out.append((ch, s + i, s + i + 1))
            continue
        if w.endswith("'s"):
            w = w[:-2]
        e = s + len(w)
        if "." in w and not _is_number(w) and not _is_acronym(w):
            # "end.The" glued by a missing space: split at the dots.
            pos = s
            for part in w.split("."):
                if part:
                    out.append((part, pos, pos + len(part)))
                pos += len(part) + 1
            continue
        if _is_acronym(w):
            w = w.replace(".", "")
        out.append((w, s, e))
    return out


def _is_number(w: str) -> bool:
    return w.replace(".", "").replace(",", "").isdigit()


def _is_acronym(w: str) -> bool:
    """``u.s`` / ``u.k`` / ``e.u``: single letters joined by dots."""
    parts = w.split(".")
    return len(parts) > 1 and all(len(p) == 1 and p.isalpha() for p in parts)


class Analyzer:
    """Turns text into index terms: fold, split, merge aliases, drop stopwords, stem."""

    def __init__(self, aliases: Aliases | None = None) -> None:
        self.aliases = aliases or Aliases()

    def tokenize(self, text: str, *, keep_stopwords: bool = False) -> list[Token]:
        """Terms of ``text`` with offsets into it (stemmed, stopwords dropped unless asked)."""
        folded = fold(text)
        if folded.isascii():
            # Plain ASCII words and no alias in sight (most sentences): no per-word checks.
            matches = list(_WORD.finditer(folded))
            found_words = [m.group() for m in matches]
            if all(map(str.isalnum, found_words)) and self.aliases.first_words.isdisjoint(
                found_words
            ):
                stems = _STEMS
                return [
                    Token(stems.get(w) or stem(w), m.start(), m.end(), w)
                    for m, w in zip(matches, found_words, strict=True)
                    if keep_stopwords or w not in STOPWORDS
                ]
        found = self.aliases.merge(text, words(folded))
        out: list[Token] = []
        for w, s, e in found:
            if not keep_stopwords and w in STOPWORDS:
                continue
            out.append(Token(w if "_" in w else stem(w), s, e, w))
        return out

    def terms(self, text: str) -> list[str]:
        """Just the index terms of ``text``: the lean path used to build the index."""
        stems = _STEMS
        folded = fold(text)
        found = _WORD.findall(folded)
        if "'" in folded:
            found = [w[:-2] if w.endswith("'s") else w for w in found]
        # Fast path for plain ASCII words with no alias in sight: C-level checks only.
        if not (
            folded.isascii()
            and all(map(str.isalnum, found))
            and self.aliases.first_words.isdisjoint(found)
        ):
            found = [w for w, _, _ in self.aliases.merge(text, words(folded))]
        return [stems.get(w) or (w if "_" in w else stem(w)) for w in found if w not in STOPWORDS]


class TermIds:
    """Index terms as integer ids, for building the index: the same terms as
    :meth:`Analyzer.terms`, at a few C-level calls a sentence instead of Python work per word.

    A memo maps each match of the word pattern to its term id (0 for a stopword, ids start at 1),
    so a sentence whose words were all seen before costs one ``findall`` and one ``map``. It is
    keyed by word, never by sentence, so it grows with the vocabulary, not with the corpus.
    Alias phrases are merged over the memoised words (:meth:`_merge`). Sentences with a new word
    go through :meth:`Analyzer.terms` itself, which keeps the stemmer memo (the fuzzy matcher's
    vocabulary) filled exactly as before: a word's term is memoised only once it is in there.
    """

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.vocab: dict[str, int] = {}  # term -> id - 1
        # Match -> term id + 1, 0 (stopword) or None (several words: always the full path).
        self._ids: dict[str, int | None] = {}
        self._words: dict[str, str] = {}  # match seen in full -> its word, if just one
        self._alias: set[str] = set()  # matches seen whose word may start an alias phrase
        # First word -> (phrase, canonical, is an all-caps acronym), longest phrase first: the
        # order in which Aliases.merge tries them.
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
        table = analyzer.aliases.phrases
        for key in sorted(table, key=len, reverse=True):
            self._phrases.setdefault(key[0], []).append((key, *table[key]))

    def add(self, text: str, out: array) -> int:
        """Append the term ids + 1 of ``text`` to ``out``; return how many."""
        folded = fold(text)
        # On ASCII text (folded: lower case) the pattern is [a-z0-9]: the same matches, faster.
        found = (_ASCII_WORD if folded.isascii() else _WORD).findall(folded)
        ids: list[int | None] | None = list(map(self._ids.get, found))
        alias = not self._alias.isdisjoint(found)
        if alias or None in ids:  # type: ignore[operator]
            ids = self._merge(text, folded, found) if alias else None
            if ids is None:
                vocab, start = self.vocab, len(out)
                out.extend([vocab.setdefault(t, len(vocab)) + 1 for t in self.analyzer.terms(text)])
                self._learn(found)
                return len(out) - start
        start = len(out)
        out.extend(filter(None, ids))
        return len(out) - start

    def _merge(self, text: str, folded: str, found: list[str]) -> list[int | None] | None:
        """The term ids + 1 of a sentence with alias phrases merged as :meth:`Aliases.merge` does,
        or None when only the full path can tell: a new or unstemmed word, non-ASCII text (the
        acronym test reads the original text), a canonical term not stemmed yet."""
        ws = list(map(self._words.get, found))
        if None in ws or not text.isascii():
            return None
        ids = list(map(self._ids.get, found))
        merged: list[int | str | None] = []  # term id + 1 (0: stopword) or a canonical term
        last = None  # the word before, as merge() sees it
        starts = None
        i, n = 0, len(ws)
        while i < n:
            w = ws[i]
            for key, canon, acronym in self._phrases.get(w, ()):
                if tuple(ws[i : i + len(key)]) != key:
                    continue
                if acronym and "." not in found[i] and last != "the":
                    # Only in capitals: read this word in the original text.
                    if starts is None:
                        starts = [m.start() for m in _ASCII_WORD.finditer(folded)]
                    s = starts[i]
                    if not text[s : s + len(w)].isupper():
                        continue
                merged.append(canon)
                last = canon
                i += len(key)
                break
            else:
                merged.append(ids[i])
                last = w
                i += 1
        vocab, stems = self.vocab, _STEMS
        for k, t in enumerate(merged):
            if t is None:
                return None
            if isinstance(t, str):
                if t in STOPWORDS:
                    merged[k] = 0
                    continue
                # As terms() does; a canonical word not stemmed yet needs the full path.
                term = t if "_" in t else stems.get(t) if len(stems) < STEMS_CAP else stem(t)
                if term is None:
                    return None
                merged[k] = vocab.setdefault(term, len(vocab)) + 1
        return merged  # type: ignore[return-value]

    def _learn(self, found: list[str]) -> None:
        """Memoise the new matches of a sentence just analysed in full."""
        memo, stems, vocab = self._ids, _STEMS, self.vocab
        first = self.analyzer.aliases.first_words
        for m in found:
            if memo.get(m) is not None:
                continue
            # A plain ASCII word is its own only word: no need to run words() on it.
            p = [m] if m.isascii() and m.isalnum() else [w for w, _, _ in words(m)]
            if len(p) != 1:
                memo[m] = None
                continue
            w = self._words[m] = p[0]
            if w in first:
                self._alias.add(m)
            if w in STOPWORDS:
                memo[m] = 0
                continue
            # A word merged into an alias phrase was not stemmed here: its term is memoised
            # once the full path has stemmed it and made the term (past the memo's cap, stem()).
            term = stems.get(w) if len(stems) < STEMS_CAP else stem(w)
            tid = vocab.get(term) if term is not None else None
            if tid is not None:
                memo[m] = tid + 1


def stems() -> dict[str, str]:
    """Every surface word stemmed so far, with its stem (the fuzzy matcher's vocabulary)."""
    return _STEMS
