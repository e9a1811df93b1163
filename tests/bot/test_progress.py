"""Long work shows progress: a bar on a terminal, a log line now and then otherwise."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest

from bot import progress as progress_mod
from bot.index import Index
from bot.index import build as build_mod
from bot.ingest import ingest
from bot.progress import Progress, no_bars
from bot.text.analyzer import Analyzer
from tests.bot.index.test_build import _articles
from tests.emulators.news import NewsSite


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def every_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """No waiting: every step is logged (or drawn) at once, as a long run's would be."""
    monkeypatch.setattr(progress_mod, "LOG_EVERY", 0.0)
    monkeypatch.setattr(progress_mod, "BAR_AFTER", 0.0)


def terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Standard error as a terminal (set in the test itself: pytest resets it after set-up)."""
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    return screen


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.progress"]


def test_off_a_terminal_progress_is_logged(
    every_step: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with Progress("indexing", 200, unit="articles") as p:
        p.advance(50)
        p.update(150)
    assert lines(caplog) == [
        "indexing: 50 of 200 articles (25%), 0 s so far",
        "indexing: 150 of 200 articles (75%), 0 s so far",
        "indexing: done in 0 s",  # long work (here: longer than LOG_EVERY) says when it ended
    ]


def test_work_of_unknown_size_says_how_long_so_far(
    every_step: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with Progress("reading the corpus") as p:
        p.advance(0)
    assert lines(caplog)[0] == "reading the corpus: working, 0 s so far"


def test_on_a_terminal_a_bar_is_drawn_and_nothing_logged(
    every_step: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    screen = terminal(monkeypatch)
    with Progress("indexing", 10, unit="articles") as p:
        p.advance(4)
    drawn = screen.getvalue()
    monkeypatch.undo()
    assert "indexing" in drawn and "4/10" in drawn
    assert lines(caplog) == []


def test_background_work_never_draws_over_the_console(
    every_step: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    screen = terminal(monkeypatch)
    with no_bars(), Progress("indexing", 10, unit="articles") as p:
        p.advance(4)
    drawn = screen.getvalue()
    monkeypatch.undo()
    assert drawn == ""
    assert lines(caplog) == [
        "indexing: 4 of 10 articles (40%), 0 s so far",
        "indexing: done in 0 s",
    ]


def test_an_index_build_reports_its_articles(
    every_step: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(build_mod, "STEP", 2)
    caplog.set_level(logging.INFO)
    Index(_articles(7), Analyzer())
    logged = lines(caplog)
    assert "indexing: 2 of 7 articles (29%), 0 s so far" in logged
    assert logged[-1] == "building the postings: done in 0 s"


async def test_ingestion_reports_the_pages_it_fetched(
    every_step: None, news_site: NewsSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await ingest([news_site.url("/feeds/clean.rss")], tmp_path)
    assert "ingesting: 3 of 3 pages (100%), 0 s so far" in lines(caplog)  # the feed, 2 items


def test_embedding_sentences_draws_a_bar_on_a_terminal(
    every_step: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.semantic.encoder import shared_encoder
    from bot.semantic.vectors import SentenceVectors, VectorStore

    screen = terminal(monkeypatch)
    texts = ["The harbour ferry resumed on Tuesday.", "The library budget was approved."]
    SentenceVectors(texts, shared_encoder, VectorStore(tmp_path, "test-model"), sync_limit=10)
    drawn = screen.getvalue()
    monkeypatch.undo()
    assert "embedding sentences" in drawn and "2/2" in drawn
