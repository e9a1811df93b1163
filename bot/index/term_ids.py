"""Index terms as integer ids at a few C-level calls a sentence: the build's tokeniser."""

from __future__ import annotations

from array import array
from typing import cast

from bot.text.analyzer import ASCII_WORD, STEMS_CAP, WORD, Analyzer, fold, words
from bot.text.wordlists import STOPWORDS


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

    def add(self, text: str, out: array[int]) -> int:
        """Append the term ids + 1 of ``text`` to ``out``; return how many."""
        folded = fold(text)
        # On ASCII text (folded: lower case) the pattern is [a-z0-9]: the same matches, faster.
        found = (ASCII_WORD if folded.isascii() else WORD).findall(folded)
        ids: list[int | None] | list[int] = list(map(self._ids.get, found))
        alias = not self._alias.isdisjoint(found)
        if alias or None in ids:
            merged = self._merge(text, folded, found) if alias else None
            if merged is None:
                vocab, start = self.vocab, len(out)
                out.extend([vocab.setdefault(t, len(vocab)) + 1 for t in self.analyzer.terms(text)])
                self._learn(found)
                return len(out) - start
            ids = merged
        start = len(out)
        out.extend(filter(None, ids))
        return len(out) - start

    def _merge(self, text: str, folded: str, found: list[str]) -> list[int] | None:
        """The term ids + 1 of a sentence with alias phrases merged as :meth:`Aliases.merge` does,
        or None when only the full path can tell: a new or unstemmed word, non-ASCII text (the
        acronym test reads the original text), a canonical term not stemmed yet."""
        known = list(map(self._words.get, found))
        if None in known or not text.isascii():
            return None
        ws = cast(list[str], known)  # no None: checked just above
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
                        starts = [m.start() for m in ASCII_WORD.finditer(folded)]
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
        vocab, stems, stem = self.vocab, self.analyzer.stems, self.analyzer.stem
        term_ids: list[int] = []
        for t in merged:
            if t is None:
                return None
            if not isinstance(t, str):
                term_ids.append(t)
                continue
            if t in STOPWORDS:
                term_ids.append(0)
                continue
            # As terms() does; a canonical word not stemmed yet needs the full path.
            term = t if "_" in t else stems.get(t) if len(stems) < STEMS_CAP else stem(t)
            if term is None:
                return None
            term_ids.append(vocab.setdefault(term, len(vocab)) + 1)
        return term_ids

    def _learn(self, found: list[str]) -> None:
        """Memoise the new matches of a sentence just analysed in full."""
        memo, vocab = self._ids, self.vocab
        stems, stem = self.analyzer.stems, self.analyzer.stem
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
