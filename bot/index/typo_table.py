"""The corpus's words by their one-letter deletions (SymSpell): one typo in a question word
(an insert, a drop, a swap, a replace) is found by dictionary lookups, not a vocabulary scan.

Its own class because its life differs from the index's: made on first use (a question with a
word the corpus lacks), in the background of a running bot, and carried over to a merged index
with only the new words added.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

#: Words shorter than this, or with a non-letter, are never corrected.
MIN_LENGTH = 4


def deletes(word: str) -> list[str]:
    """Every single-letter deletion of ``word``."""
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def correctable(word: str) -> bool:
    return len(word) >= MIN_LENGTH and word.isalpha()


def _deletion_index(vocab: Iterable[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = defaultdict(list)
    for w in vocab:
        index[w].append(w)
        for d in deletes(w):
            index[d].append(w)
    return dict(index)


class TypoTable:
    """The surface words of an index (``surface``: word → index term) by their deletions."""

    def __init__(self, surface: Mapping[str, str]) -> None:
        self.surface = surface
        self._made: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    @property
    def _table(self) -> dict[str, list[str]]:
        made = self._made
        if made is None:
            with self._lock:
                made = self._made
                if made is None:
                    words = (w for w in self.surface if correctable(w))
                    made = self._made = _deletion_index(words)
        return made

    def warm_up(self) -> None:
        """Make the table now (for a bot, in the background)."""
        _ = self._table

    def near(self, word: str) -> Iterator[str]:
        """Words that may be one typo from ``word`` (to be checked), in a fixed order: by
        deletion key, sorted, so ties break the same way every run."""
        table = self._table
        for key in sorted({word, *deletes(word)}):
            yield from table.get(key, ())

    def inherit(self, old: TypoTable) -> None:
        """Take over ``old``'s table, if made, with this index's new words added: a merged
        index then answers a misspelled question at once instead of making the table again (a
        quarter of a second at a million sentences). Words of removed articles stay in it;
        callers skip words no longer in ``surface``."""
        table = old._made
        if table is None:
            return
        table = dict(table)
        for w in self.surface:
            if w in old.surface or not correctable(w):
                continue
            for key in (w, *deletes(w)):
                table[key] = [*table.get(key, ()), w]  # new lists: old's stay as they were
        self._made = table
