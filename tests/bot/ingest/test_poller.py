"""The background poller: rounds, what it logs, and that nothing it meets stops it."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.ingest import FeedPoller, IngestError, IngestOptions, IngestReport, pipeline
from bot.settings import explain
from tests.conftest import make_settings
from tests.emulators.news import FAULTS, NewsSite

OPTIONS = IngestOptions(timeout=2)


class Rounds:
    """Collects each round's report and lets a test wait for the n-th one."""

    def __init__(self) -> None:
        self.reports: list[IngestReport] = []
        self.changed = asyncio.Event()

    def __call__(self, report: IngestReport) -> None:
        self.reports.append(report)
        self.changed.set()

    async def wait_for(self, n: int) -> None:
        async with asyncio.timeout(10):
            while len(self.reports) < n:
                self.changed.clear()
                await self.changed.wait()


async def test_the_first_round_runs_at_start_and_logs_what_it_added(
    news_site: NewsSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.ingest")
    rounds = Rounds()
    poller = FeedPoller([news_site.url("/feeds/clean.rss")], tmp_path, 3600, OPTIONS, rounds)

    async with poller:
        await rounds.wait_for(1)

    assert not poller.running
    assert len(list(tmp_path.glob("*.md"))) == 2
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        m.startswith("feeds: added 2026-02-10-rail-strike-ends-after-three-year-pay-deal.md")
        for m in messages
    )
    assert any(m.startswith("feeds: 2 added, 0 updated, 0 skipped, 0 failed in") for m in messages)


async def test_it_polls_again_after_the_interval(news_site: NewsSite, tmp_path: Path) -> None:
    rounds = Rounds()
    poller = FeedPoller([news_site.url("/feeds/clean.rss")], tmp_path, 0.01, OPTIONS, rounds)

    async with poller:
        await rounds.wait_for(2)

    first, second = rounds.reports[:2]
    assert first.counts()["added"] == 2
    assert second.sources[0].not_modified and second.counts()["added"] == 0


async def test_failures_are_logged_as_warnings(
    news_site: NewsSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rounds = Rounds()
    urls = [news_site.url(FAULTS["broken_feed"]), news_site.url(FAULTS["not_found"])]

    async with FeedPoller(urls, tmp_path, 3600, OPTIONS, rounds):
        await rounds.wait_for(1)

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"feeds: {urls[1]}: HTTP 404 Not Found" in warnings
    assert any(w.startswith(f"feeds: {urls[0]}: not a valid feed") for w in warnings)


async def test_a_round_that_raises_is_logged_and_the_next_one_runs(
    news_site: NewsSite,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = pipeline.ingest
    calls = 0

    async def flaky(*args: object, **kw: object) -> IngestReport:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("disk on fire")
        return await real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "ingest", flaky)
    rounds = Rounds()

    async with FeedPoller([news_site.url("/feeds/clean.rss")], tmp_path, 0.01, OPTIONS, rounds):
        await rounds.wait_for(1)

    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failed[0].getMessage() == "feeds: round 1 failed; next in 0.01 s"
    assert failed[0].exc_info is not None and "disk on fire" in str(failed[0].exc_info[1])
    assert rounds.reports[0].counts()["added"] == 2


async def test_a_locked_folder_is_reported_each_round(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.ingest.store import CorpusFolder

    poller = FeedPoller(["http://127.0.0.1:9/feed"], tmp_path, 3600, IngestOptions(lock_wait=0))
    async with CorpusFolder.open(tmp_path):
        assert await poller.poll_once() is None

    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage().startswith("feeds: round 1 not run: another briefbot ingest")


async def test_stop_cancels_a_round_in_progress(news_site: NewsSite, tmp_path: Path) -> None:
    poller = FeedPoller([news_site.url(FAULTS["slow"])], tmp_path, 3600, IngestOptions(timeout=30))
    await poller.start()
    async with asyncio.timeout(5):
        while news_site.hits[FAULTS["slow"]] == 0:
            await asyncio.sleep(0.01)

    await poller.stop()

    assert not poller.running and poller.rounds == 1
    assert [p.name for p in tmp_path.glob("*") if not p.name.startswith(".")] == []


def test_settings_without_feeds_make_no_poller() -> None:
    assert FeedPoller.from_settings(make_settings(briefbot_feeds="")) is None


def test_settings_make_a_poller_of_every_feed(tmp_path: Path) -> None:
    settings = make_settings(
        briefbot_corpus=tmp_path,
        briefbot_feeds="http://a.test/rss,\nhttps://b.test/atom.xml",
        briefbot_feed_interval=60,
    )
    poller = FeedPoller.from_settings(settings)
    assert poller is not None
    assert poller.urls == ["http://a.test/rss", "https://b.test/atom.xml"]
    assert (poller.folder, poller.interval) == (tmp_path, 60)


def test_feeds_into_a_single_file_corpus_fail_at_start(tmp_path: Path) -> None:
    single = tmp_path / "one.md"
    single.write_text("---\ntitle: t\ndate: 2026-01-01\n---\n\nx\n")
    settings = make_settings(briefbot_corpus=single, briefbot_feeds="http://a.test/rss")
    with pytest.raises(IngestError, match="is a single file"):
        FeedPoller.from_settings(settings)


def test_feed_urls_must_be_http() -> None:
    with pytest.raises(ValidationError) as caught:
        make_settings(briefbot_feeds="http://a.test/ok, ftp://a.test/rss")
    line = explain(caught.value)
    assert line.startswith("BRIEFBOT_FEEDS=") and "'ftp://a.test/rss' is not an http(s) URL" in line
