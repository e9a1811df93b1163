"""What the sentence model reads for each sentence, made when asked: the same texts as a list
would hold, at any position or slice."""

from __future__ import annotations

import pytest

from bot.answer.meaning import SentenceTexts
from bot.engine import Engine


def test_the_texts_are_each_sentence_after_its_articles_title(engine: Engine) -> None:
    index = engine.index
    texts = SentenceTexts(index)
    eager = [
        f"{index.articles[index.article_index(i)].title}. {index.sentence_table.text(i)}"
        for i in range(len(index))
    ]
    assert len(texts) == len(index) and list(texts) == eager
    assert texts[-1] == eager[-1] and texts[2:5] == eager[2:5]
    later = SentenceTexts(index, 3)
    assert len(later) == len(index) - 3 and later[0] == eager[3] and list(later) == eager[3:]
    with pytest.raises(IndexError):
        texts[len(index)]
