"""The async engine: ask, cache, concurrency, the worker-thread path, stats and bad input."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.models import Answer
from tests.conftest import make_settings

QUESTION = "when is Takaichi visiting the US?"


@pytest.fixture
def fresh() -> Engine:
    """An engine of its own, for tests that count calls or fill the cache."""
    return Engine.load(make_settings())


async def test_ask_answers_with_quoted_cited_passages(engine: Engine) -> None:
    answer = await engine.ask(QUESTION)
    assert isinstance(answer, Answer)
    assert answer.answered
    assert answer.question == QUESTION
    assert "this spring" in answer.passages[0].quote
    assert answer.passages[0].article.source == "The Yomiuri Shimbun"
    assert answer.articles_searched == 1
    assert answer.took_ms >= 0
    assert answer.hint is None and answer.notice is None


async def test_repeated_question_gets_an_equal_answer(fresh: Engine) -> None:
    first = await fresh.ask(QUESTION)
    second = await fresh.ask(QUESTION)
    assert second.passages == first.passages
    assert second.answered == first.answered


async def test_cache_ignores_case_but_echoes_the_question_as_asked(fresh: Engine) -> None:
    first = await fresh.ask(QUESTION)
    shouted = QUESTION.upper()
    second = await fresh.ask(shouted)
    assert second.question == shouted
    assert second.passages == first.passages


async def test_editing_a_returned_answer_does_not_change_later_answers(fresh: Engine) -> None:
    first = await fresh.ask(QUESTION)
    expected = [p.model_copy(deep=True) for p in first.passages]
    first.passages[0].quote = "tampered"
    first.passages.clear()
    again = await fresh.ask(QUESTION)
    assert again.passages == expected
    again.passages.pop()
    assert (await fresh.ask(QUESTION)).passages == expected


async def test_many_concurrent_questions_are_all_answered(engine: Engine) -> None:
    questions = [
        QUESTION,
        "Who did Takaichi speak with on the phone?",
        "How long was the phone call?",
        "What is the capital of France?",
        "When is Trump going to visit China?",
    ] * 20
    answers = await asyncio.gather(*(engine.ask(q) for q in questions))
    assert [a.question for a in answers] == questions
    for q, a in zip(questions, answers, strict=True):
        assert a.answered is (q != "What is the capital of France?")


async def test_every_core_call_runs_off_the_event_loop_whatever_the_corpus_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One huge paragraph in a small corpus costs more than a big corpus: size is no guide.
    small = Engine.load(make_settings())
    large = Engine.load(make_settings(briefbot_offload_passages=0))
    assert (large.offloads, small.offloads) == (True, False)  # what adapters are told
    loop_thread = threading.current_thread()
    ran_in: list[tuple[str, threading.Thread]] = []
    for owner, name in ((small, "ask_sync"), (small, "brief_sync"), (small.briefer, "topics")):
        original = getattr(owner, name)

        def spy(
            *args: object,
            _orig: Callable[..., object] = original,
            _name: str = name,
            **kwargs: object,
        ) -> object:
            ran_in.append((_name, threading.current_thread()))
            return _orig(*args, **kwargs)

        monkeypatch.setattr(owner, name, spy)
    answers = await asyncio.gather(*(small.ask(QUESTION) for _ in range(3)))
    briefing = await small.brief("Takaichi")
    topics = await small.topics("tak")
    assert [name for name, _ in ran_in] == ["ask_sync"] * 3 + ["brief_sync", "topics"]
    assert all(thread is not loop_thread for _, thread in ran_in)
    assert all(a.answered for a in answers) and briefing.items and topics


def test_stats_describe_the_loaded_corpus(engine: Engine) -> None:
    stats = engine.stats()
    assert stats.articles == 1
    assert stats.passages == len(engine.sentence_table) > 10
    assert stats.sources == {"The Yomiuri Shimbun": 1}
    assert [d.isoformat() for d in stats.newest] == ["2026-01-03"]
    assert stats.oldest is not None and stats.oldest.isoformat() == "2026-01-03"
    assert (stats.skipped, stats.duplicates) == (0, 0)


def test_stats_count_skipped_files_and_duplicates(
    write_article: Callable[..., Path], tmp_path: Path
) -> None:
    write_article("a.md", "Alpha", "2026-01-01", "Same text.", source="Wire")
    write_article("b.md", "Beta", "2026-01-02", "Same text.")
    (tmp_path / "broken.md").write_text("no front matter")
    stats = Engine.load(make_settings(briefbot_corpus=tmp_path)).stats()
    assert (stats.articles, stats.skipped, stats.duplicates) == (2, 1, 1)
    assert stats.sources == {"Wire": 1, "unknown source": 1}
    assert [d.isoformat() for d in stats.newest] == ["2026-01-02", "2026-01-01"]


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\x00\x01"])
async def test_empty_question_is_not_answered_and_does_not_crash(
    engine: Engine, question: str
) -> None:
    answer = await engine.ask(question)
    assert not answer.answered
    assert answer.passages == []
    assert answer.hint


async def test_huge_question_is_cut_with_a_notice(engine: Engine) -> None:
    question = QUESTION + " " + "x" * 5000
    answer = await engine.ask(question)
    assert answer.notice is not None
    assert f"{len(question):,}" in answer.notice
    assert "1,000" in answer.notice
    assert answer.question == question


def test_question_cut_follows_the_setting() -> None:
    eng = Engine.load(make_settings(briefbot_max_question_chars=40))
    answer = eng.ask_sync(QUESTION + " and what about everything else in the world?")
    assert answer.notice is not None
    assert answer.answered  # the kept beginning still asks the question
    assert eng.ask_sync(QUESTION).notice is None


@pytest.mark.parametrize(
    "question",
    [
        "🤖🤖🤖",
        "when is Takaichi visiting the US? 🇺🇸🤔",
        "高市首相はいつ訪米しますか",
        "\u202ewhen is Takaichi visiting the US?\u202c",
        "when\x00 is Takaichi\x07 visiting the US?\x1b",
        "\u200bwhen\u200d is\ufeff Takaichi visiting the US?",
        "\ud800 lone surrogate",
        "ﬁ" * 3000,
        "?" * 2000,
        "ال" * 100,
    ],
)
async def test_odd_unicode_never_crashes_and_serialises(engine: Engine, question: str) -> None:
    answer = await engine.ask(question)
    data = json.loads(answer.model_dump_json())
    assert isinstance(data["answered"], bool)
    if "Takaichi" in question:
        assert answer.answered
        assert "this spring" in answer.passages[0].quote


async def test_brief_odd_topics_never_crash(engine: Engine) -> None:
    for topic in ["🤖", "\u202eTakaichi", "\ud800", "x" * 10000, "高市"]:
        briefing = await engine.brief(topic)
        json.loads(briefing.model_dump_json())


def test_a_question_naming_a_year_is_answered_only_from_that_year(engine: Engine) -> None:
    """The seed article is of 2026: it answers for 2026, and for 2023 says what it has."""
    assert engine.ask_sync("when is Takaichi visiting the US in 2026?").answered
    answer = engine.ask_sync("when was Takaichi visiting the US in 2023?")
    assert not answer.answered and answer.passages == []
    assert answer.hint is not None and "from 2023" in answer.hint
    assert "2026" in answer.hint and "Takaichi" in answer.hint


def test_a_passage_that_names_the_year_asked_still_answers(
    write_article: Callable[..., Path],
) -> None:
    folder = write_article(
        "quake.md",
        "Remembering the great quake",
        "2026-02-06",
        "The earthquake of February 2023 killed more than 50,000 people in Turkey and Syria.",
    )
    engine = Engine.load(make_settings(briefbot_corpus=folder))
    answer = engine.ask_sync("how many people died in the turkey earthquake in 2023?")
    assert answer.answered and "2023" in answer.passages[0].quote


def _two_quakes(write_article: Callable[..., Path]) -> Engine:
    write_article(
        "izmir.md",
        "Earthquake shakes Izmir",
        "2026-12-05",
        "A magnitude 6.1 earthquake struck Izmir on Saturday, killing 12 people.",
    )
    folder = write_article(
        "crete.md",
        "Earthquake off Crete",
        "2026-11-24",
        "A magnitude 5.2 earthquake struck off Crete on Tuesday; nobody was hurt.",
    )
    return Engine.load(make_settings(briefbot_corpus=folder))


def test_yesterday_and_last_week_are_read_against_the_askers_date(
    write_article: Callable[..., Path],
) -> None:
    engine = _two_quakes(write_article)
    sunday = dt.date(2026, 12, 6)
    answer = engine.ask_sync("how many people died in the earthquake yesterday?", today=sunday)
    assert answer.answered and "Izmir" in answer.passages[0].quote
    last_week = engine.ask_sync("which earthquake struck last week?", today=sunday)
    assert last_week.answered
    assert {p.article.title for p in last_week.passages} == {"Earthquake off Crete"}
    # A week later nothing is from yesterday: said so, naming what there is.
    later = engine.ask_sync(
        "how many people died in the earthquake yesterday?", today=sunday + dt.timedelta(days=7)
    )
    assert not later.answered and later.passages == []
    assert later.hint is not None and "dated yesterday (2026-12-12)" in later.hint
    assert "Earthquake" in later.hint


def test_a_weekday_or_month_asked_must_be_the_passages(
    write_article: Callable[..., Path],
) -> None:
    engine = _two_quakes(write_article)
    tuesday = engine.ask_sync("where did the earthquake strike on Tuesday?")
    assert tuesday.answered and "Crete" in tuesday.passages[0].quote
    saturday = engine.ask_sync("where did the earthquake strike on Saturday?")
    assert saturday.answered and "Izmir" in saturday.passages[0].quote
    assert engine.ask_sync("how many people did the Izmir earthquake kill?").answered
    march = engine.ask_sync("how many people did the Izmir earthquake kill in March?")
    assert not march.answered and march.hint is not None and "about March" in march.hint
