"""Ingestion end to end against the local news site: feeds and pages in, Markdown files out,
read back with the real corpus loader."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.corpus.load import load
from bot.ingest import IngestError, IngestOptions, IngestReport, Outcome, ingest
from bot.ingest.store import STATE_DIR, CorpusFolder
from tests.emulators.news import CHIPS, FAULTS, RAIL, STORM, NewsSite, Story

FAST = IngestOptions(timeout=1.5)  # the slow page takes 3 s; a normal one, milliseconds
TODAY = dt.date(2026, 3, 1)
BOILERPLATE = ("cookie", "Advertisement", "Most read", "newsletter", "All rights reserved", "€1")


async def run(site: NewsSite, folder: Path, *paths: str, **kw: object) -> IngestReport:
    return await ingest([site.url(p) for p in paths], folder, FAST, today=TODAY, **kw)


def by_url(report: IngestReport, site: NewsSite) -> dict[str, Outcome]:
    """Outcomes keyed by path on the site."""
    return {
        o.url.removeprefix(site.base_url): o for source in report.sources for o in source.outcomes
    }


def articles(folder: Path) -> dict[str, object]:
    """The folder as the corpus loader reads it, by title; fails on skipped or duplicate files."""
    report = load(folder)
    assert report.skipped == [] and report.duplicates == []
    return {a.title: a for a in report.articles}


async def test_feed_items_become_articles_the_loader_reads(
    news_site: NewsSite, tmp_path: Path
) -> None:
    report = await run(news_site, tmp_path, "/feeds/clean.rss")

    assert report.counts() == {"added": 2, "updated": 0, "skipped": 0, "failed": 0}
    loaded = articles(tmp_path)
    rail = loaded[RAIL[0]]
    assert rail.paragraphs == tuple(RAIL[1])  # type: ignore[attr-defined]
    assert rail.date == dt.date(2026, 2, 10)  # type: ignore[attr-defined]
    assert rail.source == "Example News — Top"  # type: ignore[attr-defined]
    assert rail.url == news_site.url("/articles/rail-strike")  # type: ignore[attr-defined]
    assert rail.tags == ("Transport", "Labour")  # type: ignore[attr-defined]
    assert loaded[STORM[0]].paragraphs == tuple(STORM[1])  # type: ignore[attr-defined]
    files = sorted(p.name for p in tmp_path.glob("*.md"))
    assert files == [
        "2026-02-10-rail-strike-ends-after-three-year-pay-deal.md",
        "2026-02-10-storm-ingrid-to-bring-gales-to-the-north.md",
    ]


async def test_page_chrome_around_the_article_is_left_out(
    news_site: NewsSite, tmp_path: Path
) -> None:
    await run(news_site, tmp_path, "/feeds/clean.rss")

    text = "\n".join(p.read_text() for p in tmp_path.glob("*.md"))
    for chrome in BOILERPLATE:
        assert chrome not in text


async def test_atom_feed_is_read_with_its_categories(news_site: NewsSite, tmp_path: Path) -> None:
    report = await run(news_site, tmp_path, "/feeds/tech.atom")

    assert report.sources[0].kind == "feed" and report.sources[0].title == "Example News — Tech"
    chips = articles(tmp_path)[CHIPS[0]]
    assert chips.tags == ("Technology", "Japan")  # type: ignore[attr-defined]
    assert chips.paragraphs == tuple(CHIPS[1])  # type: ignore[attr-defined]


async def test_each_fault_is_one_failed_line_and_the_good_items_still_land(
    news_site: NewsSite, tmp_path: Path
) -> None:
    report = await run(news_site, tmp_path, "/feeds/world.rss")

    out = by_url(report, news_site)
    reasons = {name: out[path].reason for name, path in FAULTS.items()}
    assert all(out[path].action == "failed" for path in FAULTS.values())
    assert reasons["not_found"] == "HTTP 404 Not Found"
    assert reasons["server_error"] == "HTTP 500 Internal Server Error"
    assert reasons["slow"] == "no complete answer within 1.5 s"
    assert reasons["huge"] == "page over the 5.0 MB limit; stopped reading"
    assert reasons["loop"].startswith("redirect loop (")
    assert reasons["ftp"] == "redirected to a non-http(s) URL (ftp://127.0.0.1/pub/article.txt)"
    assert reasons["pdf"] == "not an HTML page (application/pdf)"
    assert reasons["broken_feed"] == "not an HTML page (application/rss+xml)"
    assert out["/articles/rail-strike"].action == "added"
    assert out["/articles/storm-warning"].action == "added"
    assert out["/articles/museum-reopens"].action == "added"
    assert len(articles(tmp_path)) == 3


async def test_a_broken_feed_is_reported_and_the_next_url_still_ingests(
    news_site: NewsSite, tmp_path: Path
) -> None:
    report = await run(news_site, tmp_path, FAULTS["broken_feed"], "/feeds/clean.rss")

    broken, clean = report.sources
    assert broken.error is not None and broken.error.startswith("not a valid feed (line 3")
    assert clean.error is None and len(clean.outcomes) == 2
    assert report.counts() == {"added": 2, "updated": 0, "skipped": 0, "failed": 1}


async def test_a_url_that_is_neither_feed_nor_page_is_reported(
    news_site: NewsSite, tmp_path: Path
) -> None:
    report = await run(news_site, tmp_path, FAULTS["pdf"], FAULTS["not_found"])

    assert [s.error for s in report.sources] == [
        "neither a feed nor an HTML page (application/pdf)",
        "HTTP 404 Not Found",
    ]
    assert list(tmp_path.glob("*.md")) == []


async def test_an_undated_item_takes_the_page_date_else_today(
    news_site: NewsSite, tmp_path: Path
) -> None:
    rail = news_site.stories["/articles/rail-strike"]
    museum = news_site.stories["/articles/museum-reopens"]  # no date on the page either
    news_site.feed(
        "undated.rss", [news_site.item(rail, date=None), news_site.item(museum, date=None)]
    )

    report = await run(news_site, tmp_path, "/feeds/undated.rss")

    out = by_url(report, news_site)
    assert out[rail.path].reason == "date from the page (none in the feed)"
    assert out[museum.path].reason == "no date in the feed or the page: dated today"
    loaded = articles(tmp_path)
    assert loaded[RAIL[0]].date == dt.date(2026, 2, 10)  # type: ignore[attr-defined]
    assert loaded[museum.title].date == TODAY  # type: ignore[attr-defined]


async def test_the_feed_date_is_the_publishers_day_not_utc(
    news_site: NewsSite, tmp_path: Path
) -> None:
    rail = news_site.stories["/articles/rail-strike"]
    news_site.feed("late.rss", [news_site.item(rail, date="2026-02-11T07:30:00+09:00")])

    await run(news_site, tmp_path, "/feeds/late.rss")

    assert articles(tmp_path)[RAIL[0]].date == dt.date(2026, 2, 11)  # type: ignore[attr-defined]


async def test_a_syndicated_copy_is_stored_once(news_site: NewsSite, tmp_path: Path) -> None:
    copy: Story | Outcome  # the copy's story, then its outcome
    rail, copy = news_site.stories["/articles/rail-strike"], news_site.stories["/wire/rail-strike"]
    news_site.feed("wire.rss", [news_site.item(rail), news_site.item(copy)])

    report = await run(news_site, tmp_path, "/feeds/wire.rss")

    copy = by_url(report, news_site)["/wire/rail-strike"]
    assert copy.action == "skipped"
    assert copy.reason.startswith("same story as 2026-02-10-rail-strike-ends-after-three-year")
    assert copy.reason.endswith("a syndicated copy")
    assert sum(1 for a in load(tmp_path).articles if a.title == RAIL[0]) == 1

    again = await run(news_site, tmp_path, "/wire/rail-strike")  # given on its own, later
    assert again.counts()["added"] == 0
    assert len(list(tmp_path.glob("*.md"))) == 1


async def test_a_rerun_answered_304_fetches_no_page_and_adds_nothing(
    news_site: NewsSite, tmp_path: Path
) -> None:
    await run(news_site, tmp_path, "/feeds/clean.rss")
    before = sorted(p.read_text() for p in tmp_path.glob("*.md"))

    report = await run(news_site, tmp_path, "/feeds/clean.rss")

    assert report.sources[0].not_modified
    assert report.counts() == {"added": 0, "updated": 0, "skipped": 1, "failed": 0}
    assert news_site.answered_304["/feeds/clean.rss"] == 1
    assert news_site.hits["/articles/rail-strike"] == 1
    assert sorted(p.read_text() for p in tmp_path.glob("*.md")) == before
    sent = [h for path, h in news_site.requests if path == "/feeds/clean.rss"][-1]
    assert sent["If-None-Match"].startswith('"') and "If-Modified-Since" in sent
    assert sent["User-Agent"].startswith("briefbot/")


async def test_a_new_item_is_added_and_known_items_are_not_fetched_again(
    news_site: NewsSite, tmp_path: Path
) -> None:
    await run(news_site, tmp_path, "/feeds/clean.rss")
    chips = news_site.stories["/articles/chip-plant"]
    rail, storm = (
        news_site.stories["/articles/rail-strike"],
        news_site.stories["/articles/storm-warning"],
    )
    news_site.feed("clean.rss", [news_site.item(s) for s in (chips, rail, storm)])

    report = await run(news_site, tmp_path, "/feeds/clean.rss")

    out = by_url(report, news_site)
    assert out[chips.path].action == "added"
    assert out[rail.path].action == "skipped"
    assert out[rail.path].reason.endswith("; unchanged in the feed")
    assert news_site.hits[rail.path] == 1


async def test_a_changed_article_at_the_same_url_is_updated_in_place(
    news_site: NewsSite, tmp_path: Path
) -> None:
    first = await run(news_site, tmp_path, "/articles/storm-warning")
    name = first.sources[0].outcomes[0].file
    news_site.story("storm-warning", STORM[0], [*STORM[1], "The warning was lifted on Wednesday."])

    report = await run(news_site, tmp_path, "/articles/storm-warning")

    outcome = report.sources[0].outcomes[0]
    assert (outcome.action, outcome.file) == ("updated", name)
    assert [p.name for p in tmp_path.glob("*.md")] == [name]
    assert articles(tmp_path)[STORM[0]].paragraphs[-1] == "The warning was lifted on Wednesday."  # type: ignore[attr-defined]


async def test_a_changed_feed_item_is_fetched_again(news_site: NewsSite, tmp_path: Path) -> None:
    await run(news_site, tmp_path, "/feeds/clean.rss")
    rail = news_site.story("rail-strike", RAIL[0], [*RAIL[1], "Unions will ballot members."])
    storm = news_site.stories["/articles/storm-warning"]
    updated = news_site.item(rail, date="2026-02-10T18:00:00+09:00")
    news_site.feed("clean.rss", [updated, news_site.item(storm)], title="Example News — Top")

    report = await run(news_site, tmp_path, "/feeds/clean.rss")

    out = by_url(report, news_site)
    assert out[rail.path].action == "updated"
    assert out[storm.path].action == "skipped"


async def test_an_unchanged_page_without_validators_is_skipped(
    news_site: NewsSite, tmp_path: Path
) -> None:
    news_site.conditional = False
    await run(news_site, tmp_path, "/articles/rail-strike")

    report = await run(news_site, tmp_path, "/articles/rail-strike")

    outcome = report.sources[0].outcomes[0]
    assert (outcome.action, outcome.reason) == ("skipped", "unchanged since it was stored")


async def test_a_deleted_file_is_not_brought_back_by_its_feed(
    news_site: NewsSite, tmp_path: Path
) -> None:
    first = await run(news_site, tmp_path, "/feeds/clean.rss")
    news_site.conditional = False
    removed = first.sources[0].outcomes[0].file
    assert removed is not None
    (tmp_path / removed).unlink()

    report = await run(news_site, tmp_path, "/feeds/clean.rss")

    assert (
        report.sources[0].outcomes[0].reason == f"its file {removed} was deleted; not fetched again"
    )
    assert not (tmp_path / removed).exists()


async def test_without_its_state_a_rerun_finds_its_files_by_name(
    news_site: NewsSite, tmp_path: Path
) -> None:
    await run(news_site, tmp_path, "/feeds/clean.rss")
    names = sorted(p.name for p in tmp_path.glob("*.md"))
    (tmp_path / STATE_DIR / "feeds.json").write_text("{not json")

    report = await run(news_site, tmp_path, "/feeds/clean.rss")

    assert report.counts()["added"] == 0 and report.counts()["skipped"] == 2
    assert sorted(p.name for p in tmp_path.glob("*.md")) == names
    json.loads((tmp_path / STATE_DIR / "feeds.json").read_text())  # rewritten, valid again


async def test_two_stories_with_one_title_and_date_get_two_files(
    news_site: NewsSite, tmp_path: Path
) -> None:
    a = news_site.story("budget", "Budget passes", ["The budget passed by 201 votes to 180."])
    b = news_site.story("budget-2", "Budget passes", ["The city budget passed unanimously."])

    await run(news_site, tmp_path, a.path, b.path)

    names = {p.name for p in tmp_path.glob("*.md")}
    assert "2026-02-10-budget-passes.md" in names and len(names) == 2
    other = (names - {"2026-02-10-budget-passes.md"}).pop()
    assert other.startswith("2026-02-10-budget-passes-")


async def test_a_hand_written_file_is_never_overwritten(
    news_site: NewsSite, tmp_path: Path
) -> None:
    mine = tmp_path / "2026-02-10-rail-strike-ends-after-three-year-pay-deal.md"
    mine.write_text("---\ntitle: My notes\ndate: 2026-02-10\n---\n\nMy own text.\n")

    await run(news_site, tmp_path, "/articles/rail-strike")

    assert mine.read_text().endswith("My own text.\n")
    assert len(articles(tmp_path)) == 2


async def test_usage_errors_are_raised_before_anything_is_fetched(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no URL to ingest"):
        await ingest([], tmp_path)
    with pytest.raises(IngestError, match="only http:// and https://"):
        await ingest(["file:///etc/passwd"], tmp_path)
    single = tmp_path / "one.md"
    single.write_text("---\ntitle: t\ndate: 2026-01-01\n---\n\nx\n")
    with pytest.raises(IngestError, match="is a single file"):
        await ingest(["http://127.0.0.1:9/feed"], single)


async def test_a_second_ingest_on_the_same_folder_waits_then_says_so(tmp_path: Path) -> None:
    async with CorpusFolder.open(tmp_path):
        with pytest.raises(IngestError, match="another briefbot ingest is writing"):
            await ingest(["http://127.0.0.1:9/feed"], tmp_path, IngestOptions(lock_wait=0.3))
