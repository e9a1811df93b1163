"""Every indexed sentence, stored as offsets into its paragraph's text."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from bot.models import Article


@dataclass(frozen=True, slots=True)
class Sentence:
    """One indexed sentence, located in its article and paragraph."""

    id: int
    text: str
    article: Article
    paragraph: int  # global paragraph id
    caption: bool


class SentenceTable(Sequence[Sentence]):
    """Every sentence as offsets into its paragraph's text; a :class:`Sentence` is made on access.

    A million sentences as Sentence objects with their own strings would cost ~250 MB; a few int32
    arrays cost 12 MB, and the paragraph texts are the articles' own strings.
    """

    def __init__(
        self,
        articles: list[Article],
        paras: list[str],
        para_article: np.ndarray,
        sent_para: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        caption: np.ndarray,
    ) -> None:
        self._articles, self._paras, self._para_article = articles, paras, para_article
        self._sent_para, self._starts, self._ends, self._caption = sent_para, starts, ends, caption

    def __len__(self) -> int:
        return len(self._starts)

    def text(self, i: int) -> str:
        """Just the sentence text: what ranking reads, without building a Sentence."""
        para = self._paras[int(self._sent_para[i])]
        return para[int(self._starts[i]) : int(self._ends[i])]

    @overload
    def __getitem__(self, i: int) -> Sentence: ...
    @overload
    def __getitem__(self, i: slice) -> list[Sentence]: ...
    def __getitem__(self, i: int | slice) -> Sentence | list[Sentence]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = operator.index(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("sentence index out of range")
        p = int(self._sent_para[i])
        art = self._articles[int(self._para_article[p])]
        return Sentence(i, self.text(i), art, p, bool(self._caption[i]))
