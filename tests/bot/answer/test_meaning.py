"""The semantic layer with the real model on a small newsroom: meaning found, silence kept."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import pytest

from bot.answer.meaning import spelled
from bot.engine import Engine
from bot.models import Answer
from tests.conftest import make_settings

ARTICLES = {
    "visit.md": (
        "Takaichi, Trump agree to arrange her U.S. visit this spring",
        "2026-01-03",
        "Prime Minister Sanae Takaichi and U.S. President Donald Trump have agreed during a "
        "telephone conversation to begin specific arrangements for her to visit the United "
        "States this spring.\n\n"
        "The two leaders exchanged views mainly on the Indo-Pacific region during the call.\n\n"
        "With Trump set to visit China in April, Japan aims to secure a March visit for Takaichi.",
    ),
    "rates.md": (
        "Central bank holds rates steady",
        "2026-01-05",
        "The central bank kept its benchmark interest rate at 0.75 percent on Tuesday.\n\n"
        "Policymakers said inflation had eased more slowly than they expected last autumn.",
    ),
    "snow.md": (
        "Heavy snow disrupts northern rail services",
        "2026-01-07",
        "Heavy snow forced the suspension of bullet train services in northern Japan on "
        "Wednesday.\n\n"
        "About 12,000 passengers were stranded at stations overnight, the operator said.",
    ),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("newsroom")
    for name, (title, date, body) in ARTICLES.items():
        (folder / name).write_text(
            f"---\ntitle: {title}\ndate: {date}\nsource: Test Wire\n---\n\n{body}\n",
            encoding="utf-8",
        )
    return folder


@pytest.fixture(scope="module")
def engine(corpus: Path) -> Engine:
    return Engine.load(make_settings(briefbot_corpus=corpus, briefbot_semantic=True))


def bodies() -> str:
    return " ".join(" ".join(body.split()) for _, _, body in ARTICLES.values())


def assert_verbatim(answer: Answer) -> None:
    for p in answer.passages:
        for piece in re.split(r"…", p.quote):
            assert " ".join(piece.split()) in bodies(), p.quote


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("is inflation slowing down?", "inflation had eased"),  # slowing vs eased
        ("why were bullet trains suspended", "Heavy snow"),
        ("did the central bank change interest rates?", "0.75 percent"),
    ],
)
def test_a_question_in_other_words_finds_the_passage_that_answers(
    engine: Engine, question: str, expected: str
) -> None:
    answer = engine.ask_sync(question)
    assert answer.answered, question
    assert expected in answer.passages[0].quote
    assert_verbatim(answer)


def test_meaning_answers_what_words_alone_cannot(corpus: Path, engine: Engine) -> None:
    question = "is inflation slowing down?"  # the article says inflation "had eased"
    words_only = Engine.load(make_settings(briefbot_corpus=corpus, briefbot_semantic=False))
    assert not words_only.ask_sync(question).answered
    assert "eased" in engine.ask_sync(question).passages[0].quote


@pytest.mark.parametrize(
    "question",
    [
        "What country is Chicago in?",
        "How many legs does a spider have?",
        "Who wrote Pride and Prejudice?",
        "What is the recipe for guacamole?",
    ],
)
def test_a_question_the_corpus_cannot_answer_gets_no_quote(engine: Engine, question: str) -> None:
    answer = engine.ask_sync(question)
    assert not answer.answered and not answer.passages
    assert answer.hint


def test_quotes_of_one_article_come_together_best_first(engine: Engine) -> None:
    answer = engine.ask_sync("when is Takaichi visiting the US?")
    assert "this spring" in answer.passages[0].quote or "March" in answer.passages[0].quote
    ids = [p.article.id for p in answer.passages]
    assert ids == sorted(ids, key=ids.index)  # each article's quotes adjacent
    assert_verbatim(answer)


def test_vectors_are_reused_after_a_restart(corpus: Path, engine: Engine) -> None:
    again = Engine.load(make_settings(briefbot_corpus=corpus, briefbot_semantic=True))
    assert again.semantic is not None and again.semantic.vectors.embedded_now == 0
    question = "is inflation slowing down?"
    assert again.ask_sync(question).passages == engine.ask_sync(question).passages


def test_answers_use_words_while_a_large_corpus_is_embedded(corpus: Path, tmp_path: Path) -> None:
    engine = Engine.load(
        make_settings(
            briefbot_corpus=corpus,
            briefbot_semantic=True,
            briefbot_index_dir=tmp_path,
            briefbot_embed_sync_limit=0,
        )
    )
    assert engine.semantic is not None
    # Words alone answer at once; once the vectors are in, meaning is used too.
    assert engine.ask_sync("when is Takaichi visiting the US?").answered
    assert engine.semantic.vectors.thread is not None
    engine.semantic.vectors.thread.join(timeout=120)
    assert engine.semantic.ready
    assert "eased" in engine.ask_sync("is inflation slowing down?").passages[0].quote
    engine.close()


def test_semantic_off_answers_from_words_alone(corpus: Path) -> None:
    engine = Engine.load(make_settings(briefbot_corpus=corpus, briefbot_semantic=False))
    assert engine.semantic is None
    assert "this spring" in engine.ask_sync("when is Takaichi visiting the US?").passages[0].quote


def test_a_missing_model_package_means_words_alone_with_a_warning(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # importing it now fails
    settings = make_settings(
        briefbot_corpus=corpus, briefbot_semantic=True, briefbot_index_dir=tmp_path
    )
    with caplog.at_level(logging.WARNING):
        engine = Engine.load(settings)
    assert engine.semantic is None
    assert "threadpoolctl" in caplog.text and "make" in caplog.text
    assert "this spring" in engine.ask_sync("when is Takaichi visiting the US?").passages[0].quote


def test_a_question_embedded_alone_matches_the_sentence_path() -> None:
    """A lone text (a question) runs in onnxruntime, batches in numpy: the same vectors, so a
    question's cosine to saved sentence vectors does not depend on which path embedded it."""
    from bot.semantic.encoder import shared_encoder

    encoder = shared_encoder()
    assert encoder._session is not None  # the faster path is in use where it ships
    question = "when is Takaichi visiting the US?"
    alone = encoder.encode([question])[0]
    batched = encoder.encode([question, "Heavy snow forced the suspension of trains."])[0]
    assert float(alone @ batched) > 0.99999
    assert abs(alone - batched).max() < 1e-5


@pytest.mark.parametrize(
    ("question", "read_as"),
    [
        # an inflected form misspelled: the form meant, not the corpus's bare stem ("visit")
        ("When is Takaichi visitng the US?", "When is Takaichi visiting the US?"),
        # a one-letter slip of a corpus word: that word
        ("What did the central bamk keep?", "What did the central bank keep?"),
        # an English word the corpus never writes is no typo of one it does
        ("Were visitors stranded?", "Were visitors stranded?"),
    ],
)
def test_the_models_read_a_misspelt_question_as_meant(
    engine: Engine, question: str, read_as: str
) -> None:
    assert engine.reader is not None
    assert spelled(question, engine.index, engine.reader.knows_word) == read_as
