"""The news set (``training/news``): loadable by the product, answers where they are claimed.

A wrong "expect" would score a right answer as a miss (or the reverse) in ``bench.news`` and
teach the reader a wrong span in ``training.reader_data --news``, so the set itself is checked.
"""

from __future__ import annotations

from collections import Counter

from bench.news import NEWS, load, split_of
from bot.corpus.load import load as load_corpus
from bot.text.sentences import split_sentences


def test_every_article_loads_cleanly_in_the_product() -> None:
    report = load_corpus(NEWS / "articles", warn=False)
    assert report.files == len(list((NEWS / "articles").glob("*.md")))
    assert len(report.articles) == report.files >= 40
    assert not report.skipped and not report.duplicates and not report.warnings


def test_each_expected_answer_is_in_one_sentence_of_its_article() -> None:
    sentences = {
        a.id: [para[s:e] for para in a.paragraphs for s, e in split_sentences(para)]
        for a in load_corpus(NEWS / "articles", warn=False).articles
    }
    _, questions = load("all")
    answerable = [q for q in questions if not q.get("expect_none")]
    assert len(answerable) >= 300
    for q in answerable:
        assert q["expect"], q
        missing = [a for a in q["expect"] if not any(a in t for t in sentences[q["article"]])]
        assert not missing, (q["article"], q["q"], missing)


def test_the_halves_are_fixed_by_id_and_both_hold_every_kind() -> None:
    dev_files, dev = load("dev")
    train_files, train = load("train")
    assert {p.stem for p in dev_files}.isdisjoint(p.stem for p in train_files)
    assert all(split_of(p.stem) == "dev" for p in dev_files)
    for half in (dev, train):
        kinds = Counter(q["kind"] for q in half)
        assert {"words", "paraphrase", "casual", "unanswerable", "offtopic"} <= set(kinds)
    assert len(dev) + len(train) == len(load("all")[1])


def test_no_question_is_asked_twice() -> None:
    # Repeats would weigh one question several times in a figure (the off-topic share most).
    _, questions = load("all")
    texts = [" ".join(q["q"].lower().split()) for q in questions]
    assert len(set(texts)) == len(texts)
