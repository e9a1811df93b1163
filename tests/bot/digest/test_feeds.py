"""/feeds: anyone lists, admins change; the poller reads the chat's feeds each round and polls
a new one at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.digest.feeds import Feeds
from bot.ingest import FeedPoller, IngestOptions
from bot.state import Database
from tests.emulators.news import NewsSite

WHO = "workspace admins and owners"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    yield database
    await database.close()


async def say(feeds: Feeds, text: str, *, admin: bool = True) -> str:
    return (await feeds.command(text, by="U1", admin=admin, who=WHO)).text


async def test_admins_add_and_remove_feeds_and_everyone_lists_them(db: Database) -> None:
    feeds = Feeds(db, ["https://wire.example/rss"])
    assert "https://wire.example/rss (BRIEFBOT_FEEDS)" in await say(feeds, "list", admin=False)
    refused = await say(feeds, "add https://news.example/feed.xml", admin=False)
    assert refused == (
        "Sorry, only workspace admins and owners can change the feeds I follow; anyone can "
        "see them with /feeds list."
    )
    assert (await say(feeds, "add https://news.example/feed.xml")).startswith("Added https://")
    assert "already" in await say(feeds, "add https://news.example/feed.xml")
    assert "already" in await say(feeds, "add https://wire.example/rss")
    assert await feeds.urls() == ["https://wire.example/rss", "https://news.example/feed.xml"]
    assert "1. https://news.example/feed.xml" in await say(feeds, "list", admin=False)
    assert "operator removes it there" in await say(feeds, "remove https://wire.example/rss")
    assert await say(feeds, "remove 1") == "Removed https://news.example/feed.xml."
    assert await feeds.urls() == ["https://wire.example/rss"]


@pytest.mark.parametrize("url", ["ftp://x.example/feed", "news", "https://" + "x" * 3000])
async def test_what_is_not_a_web_address_is_refused(db: Database, url: str) -> None:
    assert "is not a web address" in await say(Feeds(db, []), f"add {url}")


async def test_a_single_file_corpus_takes_no_feeds(db: Database) -> None:
    assert "single file" in await say(Feeds(db, [], can_poll=False), "add https://x.example/rss")


async def test_a_feed_added_from_the_chat_is_polled_at_once(
    db: Database, news_site: NewsSite, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    feeds = Feeds(db, [])
    poller = FeedPoller([], folder, 3600, IngestOptions(timeout=2), source=feeds.urls)
    feeds.on_change = poller.wake
    async with poller:
        await asyncio.sleep(0.1)  # the first round: nothing to poll yet
        assert list(folder.glob("*.md")) == []
        await say(feeds, f"add {news_site.url('/feeds/clean.rss')}")
        async with asyncio.timeout(10):
            while len(list(folder.glob("*.md"))) < 2:
                await asyncio.sleep(0.05)
