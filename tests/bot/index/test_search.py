"""The passage index: sentences with their article and paragraph, and fuzzy word matching."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.index import Index
from bot.text.analyzer import Analyzer


@pytest.mark.parametrize(
    "question",
    [
        "when is Takaichii visiting the US?",
        "when is Takaichi visitng the US?",
        "Whrn is Takaichi visiting the US?",
        "Whrn is Takaichii visitng the US?",
        "when is takaichi visiting the us",
        "WHEN IS TAKAICHI VISITING THE U.S.?",
        "When is the PM visiting America?",
    ],
)
def test_misspelled_or_reworded_question_still_finds_this_spring(
    engine: Engine, question: str
) -> None:
    answer = engine.ask_sync(question)
    assert answer.answered
    assert "this spring" in answer.passages[0].quote


def test_fuzzy_maps_a_typo_to_the_indexed_term(engine: Engine) -> None:
    index = engine.index
    assert not index.knows("takaichii")
    assert "takaichi" in dict(index.fuzzy("takaichii"))
    assert "visit" in dict(index.fuzzy("visitng"))


def test_fuzzy_ignores_short_words_and_far_words(engine: Engine) -> None:
    assert engine.index.fuzzy("tak") == []
    assert engine.index.fuzzy("zzzzzzzz") == []
    assert engine.index.fuzzy("12345") == []


def test_fuzzy_corrects_a_name_only_into_a_name(engine: Engine) -> None:
    index = engine.index
    assert (index.written_as_name("trump"), index.written_as_name("mark")) == (True, False)
    assert "trump" in dict(index.fuzzy("trupm", name=True))
    assert "takaichi" in dict(index.fuzzy("takaichii", name=True))
    assert dict(index.fuzzy("marko")) == {"mark": 0.8}  # a common word may lose its inflection
    assert index.fuzzy("marko", name=True) == []  # but Marko is not a form of "mark"


def test_fuzzy_only_takes_a_changed_letter_for_a_slip_of_the_hand(engine: Engine) -> None:
    assert engine.index.fuzzy("mars") == []  # not "mark": s and k are far apart


def test_fuzzy_similarity_is_below_an_exact_match(engine: Engine) -> None:
    for _term, weight in engine.index.fuzzy("takaichii"):
        assert 0 < weight < 1


def test_every_sentence_is_indexed_with_its_article(engine: Engine) -> None:
    index = engine.index
    article = engine.articles[0]
    texts = [p.text for p in index.sentence_table if not p.caption]
    assert " ".join(texts) == " ".join(article.paragraphs)
    assert all(p.article is article for p in index.sentence_table)
    assert len(index) == engine.stats().passages


def test_caption_is_indexed_but_marked_as_caption(engine: Engine) -> None:
    captions = [p for p in engine.index.sentence_table if p.caption]
    assert [p.text for p in captions] == [engine.articles[0].caption]


def test_sentences_of_a_paragraph_are_contiguous(engine: Engine) -> None:
    index = engine.index
    for para in range(len(index.para_first) - 1):
        ids = list(index.paragraph_sentences(para))
        assert ids
        assert {index.sentence_table[i].paragraph for i in ids} == {para}


def test_known_terms_include_title_and_tag_words(engine: Engine) -> None:
    def term(word: str) -> str:
        return engine.analyzer.tokenize(word)[0].term

    assert engine.index.knows(term("diplomacy"))  # only a tag of the article
    assert engine.index.knows(term("Takaichi"))
    assert not engine.index.knows(term("France"))


def test_empty_index_scores_nothing() -> None:
    index = Index([], Analyzer())
    assert len(index) == 0
    assert index.fuzzy("takaichi") == []
    assert index.sentences.scores([("takaichi", 1.0)]).size == 0
