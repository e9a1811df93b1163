"""Deliveries through a real engine and a real database, with a clock the test moves: each
digest once, at its time, with what is new; late ones posted or skipped; alerts batched; a
place that is gone turned off; two processes on one PostgreSQL posting each thing once."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.digest.requests import AlertRequest
from bot.digest.scheduler import Posted, Scheduler, Timing
from bot.digest.service import Digests
from bot.engine import Engine
from bot.models import Article, BriefItem, Digest, Listed, Place
from bot.settings import Settings
from bot.state import Database

UTC = dt.UTC
PLACE = Place(platform="console", channel="newsroom")
T0 = dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def article(n: int, day: int, topic: str, *, text: str | None = None) -> Article:
    body = text or f"Story {n} about {topic}: the {topic} council met on day {day} and voted {n}."
    return Article(
        id=f"a{n}",
        title=f"{topic.title()} story {n}",
        date=dt.date(2026, 12, day),
        source="Wire",
        url=f"https://news.example/{n}",
        tags=(topic,),
        paragraphs=(body, "A second paragraph with more detail."),
    )


class Corpus:
    """A core whose articles the test replaces, as a folder change would."""

    def __init__(self, articles: list[Article]) -> None:
        self.set(articles)

    def set(self, articles: list[Article]) -> None:
        self.engine = Engine(articles, Settings(briefbot_semantic=False))

    async def listing(self) -> Sequence[Listed]:
        return await self.engine.listing()

    async def select(self, ids: Sequence[str], topic: str | None = None) -> list[BriefItem]:
        return await self.engine.select(ids, topic)


class Poster:
    platform = "console"

    def __init__(self, answer: Posted = "sent") -> None:
        self.posts: list[tuple[Place, Digest]] = []
        self.answer = answer

    async def post(self, place: Place, digest: Digest) -> Posted:
        self.posts.append((place, digest))
        return self.answer


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def setup(
    url: str, corpus: Corpus, clock: Clock, poster: Poster, **timing: float
) -> tuple[Database, Scheduler, Digests]:
    db = await Database.open(url)
    scheduler = Scheduler(db, corpus, {"console": poster}, timing=Timing(**timing), clock=clock)  # type: ignore[arg-type]
    return db, scheduler, Digests(scheduler)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'briefbot.db'}"


def titles(digest: Digest) -> list[str]:
    return [i.article.title for i in digest.items]


async def test_a_digest_comes_at_its_time_once_with_what_is_new(url: str) -> None:
    corpus = Corpus([article(1, 6, "japan"), article(2, 1, "japan")])
    clock, poster = Clock(T0), Poster()
    db, scheduler, digests = await setup(url, corpus, clock, poster)
    reply = await digests.command("daily 08:00 on japan", PLACE, by="ann")
    assert "Subscribed: #1 digest every day at 08:00 (UTC) on japan" in reply.text
    assert "Monday 7 December, 08:00" in reply.text
    await scheduler.tick()
    assert poster.posts == []  # 07:00: not yet
    clock.now = T0.replace(hour=8, second=1)
    await scheduler.tick()
    await scheduler.tick()  # the same minute again: not twice
    assert len(poster.posts) == 1
    # The first digest covers the day before it was made: article 2 (1 December) is old news.
    assert titles(poster.posts[0][1]) == ["Japan story 1"]
    corpus.set([article(1, 6, "japan"), article(2, 1, "japan"), article(3, 7, "japan")])
    clock.now = T0.replace(hour=12)
    await scheduler.tick()
    clock.now = T0 + dt.timedelta(days=1, hours=1)
    await scheduler.tick()
    assert [titles(d) for _, d in poster.posts] == [["Japan story 1"], ["Japan story 3"]]
    clock.now = T0 + dt.timedelta(days=2, hours=1)
    await scheduler.tick()
    assert (
        poster.posts[-1][1].empty == "Nothing new on japan since Tuesday 8 December, 08:00 (UTC)."
    )
    await db.close()


async def test_a_quiet_digest_says_nothing_when_nothing_is_new(url: str) -> None:
    clock, poster = Clock(T0), Poster()
    db, scheduler, digests = await setup(url, Corpus([article(1, 1, "trade")]), clock, poster)
    await digests.command("daily 08:00 quietly", PLACE, by="ann")
    clock.now = T0.replace(hour=8, minute=1)
    await scheduler.tick()
    assert poster.posts == []
    await db.close()


async def test_a_digest_groups_by_topic_and_never_repeats_an_article_or_its_copy(
    url: str,
) -> None:
    first = [article(1, 7, "japan"), article(2, 7, "trade")]
    corpus, clock, poster = Corpus(first), Clock(T0), Poster()
    db, scheduler, digests = await setup(url, corpus, clock, poster)
    await digests.command("daily 08:00", PLACE, by="ann")
    clock.now = T0.replace(hour=8, minute=1)
    await scheduler.tick()
    groups = poster.posts[0][1].groups
    assert sorted(g.topic or "" for g in groups) == ["japan", "trade"]
    copy = article(9, 7, "japan", text=first[0].paragraphs[0])  # a syndicated copy, new id
    corpus.set([*first, copy, article(3, 8, "japan")])
    clock.now += dt.timedelta(hours=2)
    await scheduler.tick()
    clock.now = T0 + dt.timedelta(days=1, hours=1, minutes=1)
    await scheduler.tick()
    assert titles(poster.posts[1][1]) == ["Japan story 3"]
    await db.close()


async def test_a_digest_missed_while_down_is_posted_once_if_recent_else_skipped(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock, poster = Clock(T0), Poster()
    db, scheduler, digests = await setup(
        url, Corpus([article(1, 7, "japan")]), clock, poster, grace=3600
    )
    await digests.command("daily 08:00", PLACE, by="ann")
    await db.close()
    clock.now = T0.replace(hour=8, minute=50)  # back 50 minutes late
    db, scheduler, _ = await setup(url, Corpus([article(1, 7, "japan")]), clock, poster, grace=3600)
    await scheduler.tick()
    assert len(poster.posts) == 1
    clock.now = T0 + dt.timedelta(days=1, hours=3)  # 2 hours late: past the grace
    with caplog.at_level(logging.WARNING):
        await scheduler.tick()
        await scheduler.tick()
    assert len(poster.posts) == 1
    assert "missed by 2.0 h" in caplog.text and "skipped" in caplog.text
    await db.close()


async def test_alerts_are_batched_one_post_per_interval(url: str) -> None:
    corpus, clock, poster = Corpus([article(1, 6, "chega")]), Clock(T0), Poster()
    db, scheduler, digests = await setup(url, corpus, clock, poster, alert_interval=600, gather=2)
    await digests.run(AlertRequest(topic="Chega"), PLACE, by="ann")
    await scheduler.tick()  # the baseline: article 1 was there before
    corpus.set([article(1, 6, "chega"), article(2, 7, "chega"), article(3, 7, "weather")])
    await scheduler.tick()
    assert poster.posts == []  # gathering what arrives with it
    clock.now += dt.timedelta(seconds=3)
    await scheduler.tick()
    assert [titles(d) for _, d in poster.posts] == [["Chega story 2"]]
    assert poster.posts[0][1].title == "New on Chega"
    corpus.set([*[article(n, 7, "chega") for n in (1, 2, 4, 5)]])
    clock.now += dt.timedelta(minutes=1)
    await scheduler.tick()
    clock.now += dt.timedelta(seconds=5)
    await scheduler.tick()
    assert len(poster.posts) == 1  # within the interval: waiting
    clock.now += dt.timedelta(minutes=10)
    await scheduler.tick()
    assert sorted(titles(poster.posts[1][1])) == ["Chega story 4", "Chega story 5"]
    await db.close()


async def test_a_place_that_is_gone_has_its_subscriptions_turned_off(url: str) -> None:
    clock, poster = Clock(T0), Poster(answer="gone")
    db, scheduler, digests = await setup(url, Corpus([article(1, 7, "x")]), clock, poster)
    await digests.command("daily 08:00", PLACE, by="ann")
    await digests.command("alert japan", PLACE, by="ann")
    clock.now = T0.replace(hour=8, minute=1)
    await scheduler.tick()
    assert (await digests.command("list", PLACE, by="ann")).text.startswith("No digests")
    await db.close()


async def test_subscriptions_are_capped_per_channel_and_never_doubled(url: str) -> None:
    clock, poster = Clock(T0), Poster()
    db, scheduler, _ = await setup(url, Corpus([article(1, 7, "x")]), clock, poster)
    digests = Digests(scheduler, max_per_place=3)
    replies = [await digests.command(f"alert topic {n}", PLACE, by="bot") for n in range(5)]
    assert [r.text.startswith("Subscribed") for r in replies] == [True] * 3 + [False] * 2
    assert "BRIEFBOT_MAX_SUBSCRIPTIONS" in replies[3].text
    again = await digests.command("alert TOPIC 1", PLACE, by="ann")
    assert again.text.startswith("This channel already has #2")
    other = await digests.command(
        "alert topic 9", PLACE.model_copy(update={"channel": "x"}), by="b"
    )
    assert other.text.startswith("Subscribed")
    stopped = await digests.command("stop 1", PLACE, by="ann")
    assert stopped.text.startswith("Stopped #1")
    assert (
        "no subscription #4 in this channel"
        in (await digests.command("stop 4", PLACE, by="a")).text
    )
    await db.close()


async def test_two_processes_on_one_postgresql_post_each_digest_and_alert_once(
    postgres_url: str,
) -> None:
    corpus, clock = Corpus([article(1, 7, "japan")]), Clock(T0)
    posters = [Poster(), Poster()]
    a, sa, digests = await setup(postgres_url, corpus, clock, posters[0])
    b, sb, _ = await setup(postgres_url, corpus, clock, posters[1])
    for n in range(10):
        # Apart: an article a channel got in its digest is not alerted there again.
        await digests.command("daily 08:00", PLACE.model_copy(update={"channel": f"d{n}"}), by="a")
        await digests.command("alert japan", PLACE.model_copy(update={"channel": f"a{n}"}), by="a")
    await asyncio.gather(sa.tick(), sb.tick())  # the baseline
    corpus.set([article(1, 7, "japan"), article(2, 7, "japan")])
    clock.now = T0.replace(hour=8, second=1)
    await asyncio.gather(sa.tick(), sb.tick())
    clock.now += dt.timedelta(seconds=5)
    await asyncio.gather(sa.tick(), sb.tick(), sa.tick(), sb.tick())
    posts = posters[0].posts + posters[1].posts
    kinds = sorted((p.channel, d.kind) for p, d in posts)
    assert kinds == sorted(
        [(f"d{n}", "digest") for n in range(10)] + [(f"a{n}", "alert") for n in range(10)]
    )
    await a.close()
    await b.close()
