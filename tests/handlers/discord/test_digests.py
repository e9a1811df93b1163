"""``/digest`` and its posts as Discord sees them: the commands through the real discord.py paths
against the emulator, the scheduler (driven tick by tick with an injected clock) posting through
:class:`DiscordPoster` into the emulator's channels, over a real SQLite database."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import Database, Digest, DigestGroup, Digests, Place, Scheduler, TextReply, Timing
from bot.models import ArticleRef, BriefItem
from handlers.discord import client as adapter
from handlers.discord.embeds import DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, EMBEDS_LIMIT
from handlers.discord.poster import DiscordPoster
from tests.conftest import make_settings
from tests.emulators.discord import (
    CHANNEL_ID,
    DM_CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    DiscordEmulator,
    Focused,
    message_problems,
)
from tests.fakes import FakeEngine
from tests.handlers.discord_setup import QUICK, only_embed

MONDAY = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)
TODAY = MONDAY.date()
MESSAGES = rf"/channels/{CHANNEL_ID}/messages"


def item(n: int, lead: str = "", *, title: str = "", tags: list[str] | None = None) -> BriefItem:
    article = ArticleRef(
        id=f"d{n}",
        title=title or f"Story {n}",
        date=TODAY,
        source="Kyodo",
        url=f"https://example.com/news/{n}",
    )
    return BriefItem(article=article, lead=lead or f"Lead of story {n}.", tags=tags or [])


def words(n: int, length: int) -> str:
    """A lead of about ``length`` characters, whole words, unique to article ``n``."""
    text = f"Story{n}"
    i = 0
    while len(text) < length - 8:
        text += f" word{n}x{i}"
        i += 1
    return text + "."


@dataclass
class Rig:
    """The bot with /digest, the scheduler it posts for, and the clock both read."""

    emulator: DiscordEmulator
    core: FakeEngine
    scheduler: Scheduler
    digests: Digests
    poster: DiscordPoster
    bot: adapter.BriefBot
    now: list[dt.datetime]

    async def tick(self, when: dt.datetime) -> None:
        self.now[0] = when
        await self.scheduler.tick()

    async def reply(self, subcommand: str, *, dm: bool = False, **options: Any) -> str:
        """Run ``/digest <subcommand>``; the text of its (ephemeral) reply."""
        call = await self.emulator.interact(
            self.emulator.command("digest", subcommand=subcommand, dm=dm, **options)
        )
        message = await call.message()
        assert message["flags"] & EPHEMERAL, message
        description: str = only_embed(message)["description"]
        return description

    def posts(self, channel: str = CHANNEL_ID) -> list[dict[str, Any]]:
        return self.emulator.channel_messages.get(channel, [])


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    try:
        yield database
    finally:
        await database.close()


def build(emulator: DiscordEmulator, db: Database, **env: Any) -> Rig:
    core = FakeEngine(items=[item(1), item(2)], topic_names=["Japan", "Japan trade", "Taiwan"])
    now = [MONDAY]
    poster = DiscordPoster(ready_timeout=2.0)
    scheduler = Scheduler(
        db, core, {"discord": poster}, timing=Timing(gather=2.0), clock=lambda: now[0]
    )
    digests = Digests(scheduler)
    settings = make_settings(**emulator.settings_env(**env))
    bot = adapter.build_bot(settings, core, digests=digests, **QUICK)
    return Rig(emulator, core, scheduler, digests, poster, bot, now)


@pytest.fixture
async def rig(discord_emulator: DiscordEmulator, db: Database) -> AsyncIterator[Rig]:
    r = build(discord_emulator, db)
    async with discord_emulator.running(r.bot):
        yield r


async def test_a_scheduled_digest_arrives_at_its_time_once(rig: Rig) -> None:
    text = await rig.reply("schedule", time="08:00")
    assert text.startswith("Subscribed: #1 digest every day at 08:00 (UTC)")
    await rig.tick(MONDAY.replace(hour=7, minute=59, second=59))
    assert rig.posts() == []
    await rig.tick(MONDAY.replace(hour=8, second=1))
    await rig.tick(MONDAY.replace(hour=8, second=30))
    (post,) = rig.posts()
    assert post["allowed_mentions"] == {"parse": []}
    embed = only_embed(post)
    assert embed["title"] == "Your briefing: Monday 7 December"
    assert (
        "[Story 1](https://example.com/news/1) · Kyodo · 7 Dec 2026\nLead of story 1."
        in (embed["description"])
    )
    assert "Story 2" in embed["description"]


async def test_a_zone_and_days_are_kept_and_used(rig: Rig) -> None:
    # Monday 07:00 UTC is 16:00 in Tokyo: the next weekday 08:00 there is Monday 23:00 UTC.
    text = await rig.reply(
        "schedule", time="8:00", days="weekdays", zone="asia/tokyo", topic="Japan", quiet=True
    )
    assert "every weekday at 08:00 (Asia/Tokyo) on Japan, quietly" in text
    assert text.endswith("The first comes Tuesday 8 December, 08:00.")
    await rig.tick(MONDAY.replace(hour=22, minute=59, second=59))
    assert rig.posts() == []
    await rig.tick(MONDAY.replace(hour=23, second=1))
    assert [only_embed(p)["title"] for p in rig.posts()] == [
        "Your briefing on Japan: Tuesday 8 December"
    ]
    # Quiet: nothing is new on Wednesday morning, so nothing is posted.
    await rig.tick(MONDAY + dt.timedelta(days=1, hours=16, seconds=1))
    assert len(rig.posts()) == 1
    rig.core.items = [*rig.core.items, item(3)]
    await rig.tick(MONDAY + dt.timedelta(days=2, hours=16, seconds=1))
    assert len(rig.posts()) == 2
    last = only_embed(rig.posts()[-1])
    assert last["title"] == "Your briefing on Japan: Thursday 10 December"
    assert "Story 3" in last["description"] and "Story 1" not in last["description"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"time": "25:00"}, "Sorry, '25:00' is not a time of day: use HH:MM"),
        ({"time": "quietly"}, "Sorry, 'quietly' is not a time of day: use HH:MM"),
        (
            {"time": "08:00", "zone": "Mars/Olympus"},
            "Sorry, 'Mars/Olympus' is not a time zone I know",
        ),
    ],
)
async def test_a_bad_time_or_zone_gets_a_friendly_private_reply(
    rig: Rig, options: dict[str, Any], expected: str
) -> None:
    assert (await rig.reply("schedule", **options)).startswith(expected)
    assert (await rig.reply("list")).startswith("No digests or alerts here yet.")


async def test_list_shows_a_digest_and_stop_removes_it(rig: Rig) -> None:
    await rig.reply("schedule", time="08:00", topic="Japan")
    listed = await rig.reply("list")
    # "#" opens a heading at the start of a line in Discord: escaped, it shows as written.
    assert listed == "Here:\n\\#1 digest every day at 08:00 (UTC) on Japan"
    stopped = await rig.reply("stop", number=1)
    assert stopped == "Stopped #1 digest every day at 08:00 (UTC) on Japan."
    assert (await rig.reply("stop", number=7)).startswith("Sorry, there is no subscription #7")
    await rig.tick(MONDAY.replace(hour=8, second=1))
    assert rig.posts() == []


async def test_an_alert_in_a_dm_posts_a_new_article_once(rig: Rig) -> None:
    text = await rig.reply("alert", dm=True, topic="Japan")
    assert text.startswith("Subscribed: #1 alert: new articles on Japan.")
    await rig.tick(MONDAY)  # the first look is the baseline: nothing to alert
    rig.core.items = [*rig.core.items, item(3, "Tokyo and Washington agree.")]
    await rig.tick(MONDAY + dt.timedelta(seconds=1))
    assert rig.posts(DM_CHANNEL_ID) == []  # gathering what arrives with it
    await rig.tick(MONDAY + dt.timedelta(seconds=4))
    await rig.tick(MONDAY + dt.timedelta(minutes=20))
    (post,) = rig.posts(DM_CHANNEL_ID)
    embed = only_embed(post)
    assert embed["title"] == "New on Japan"
    assert "[Story 3](https://example.com/news/3)" in embed["description"]
    assert "Tokyo and Washington agree." in embed["description"]
    assert "Story 1" not in embed["description"]


@pytest.mark.parametrize("refused", ["missing", "forbidden"])
async def test_a_channel_that_is_gone_turns_its_subscriptions_off(rig: Rig, refused: str) -> None:
    rig.emulator.expect_errors = True
    await rig.reply("schedule", time="08:00")
    await rig.reply("alert", topic="Japan")
    getattr(rig.emulator, f"{refused}_channels").add(CHANNEL_ID)
    await rig.tick(MONDAY.replace(hour=8, second=1))
    tried = [r for r in rig.emulator.requests if r.method == "POST" and r.path == MESSAGES]
    assert [r.status for r in tried] == [404 if refused == "missing" else 403]
    # Off: no more posts tried, nor alerts queued for it.
    rig.core.items = [*rig.core.items, item(3)]
    await rig.tick(MONDAY.replace(hour=8, minute=5))
    await rig.tick(MONDAY + dt.timedelta(days=1, hours=1, seconds=1))
    tried = [r for r in rig.emulator.requests if r.method == "POST" and r.path == MESSAGES]
    assert len(tried) == 1
    assert len(rig.emulator.errors) == 1


async def test_a_rate_limited_post_is_waited_out_and_lands(rig: Rig) -> None:
    await rig.reply("schedule", time="08:00")
    rig.emulator.rate_limit("POST", MESSAGES, retry_after=0.3)
    started = time.monotonic()
    await rig.tick(MONDAY.replace(hour=8, second=1))
    assert time.monotonic() - started >= 0.3
    statuses = [r.status for r in rig.emulator.requests if r.path == MESSAGES]
    assert statuses == [429, 200]
    assert len(rig.posts()) == 1


async def test_a_long_digest_is_split_into_messages_within_the_limits(rig: Rig) -> None:
    rig.core.items = [item(n, words(n, 290)) for n in range(25)]
    await rig.reply("schedule", time="08:00")
    await rig.tick(MONDAY.replace(hour=8, second=1))
    posts = rig.posts()
    assert len(posts) >= 2
    assert all(message_problems(p) == [] for p in posts)
    embeds = [e for p in posts for e in p["embeds"]]
    assert embeds[0]["title"] == "Your briefing: Monday 7 December"
    assert all("title" not in e for e in embeds[1:])
    text = "\n\n".join(e["description"] for e in embeds)
    # The core lists 20 and counts the rest; each lead is whole, in order.
    shown = [n for n in range(25) if words(n, 290) in text]
    assert len(shown) == 20
    assert [text.index(words(n, 290)) for n in shown] == sorted(
        text.index(words(n, 290)) for n in shown
    )
    assert embeds[-1]["footer"]["text"] == "…and 5 more: /brief"


async def test_a_huge_alert_fills_messages_to_the_limits_never_cutting_a_lead(rig: Rig) -> None:
    groups = [
        DigestGroup(
            topic=f"Topic {g} *bold*",
            items=[item(g * 100 + n, words(g * 100 + n, 690)) for n in range(40)],
        )
        for g in range(3)
    ]
    digest = Digest(kind="alert", title="T" * 400, groups=groups, footer="the end")
    place = Place(platform="discord", workspace=GUILD_ID, channel=CHANNEL_ID)
    assert await rig.poster.post(place, digest) == "sent"
    posts = rig.posts()
    for p in posts:
        assert message_problems(p) == []
        assert len(p["embeds"]) <= EMBEDS_LIMIT
        assert all(len(e["description"]) <= DESCRIPTION_LIMIT for e in p["embeds"])
        total = sum(len(e.get("title", "")) + len(e["description"]) for e in p["embeds"])
        assert total + len(p["embeds"][-1].get("footer", {}).get("text", "")) <= EMBED_TOTAL_LIMIT
    text = "\n\n".join(e["description"] for p in posts for e in p["embeds"])
    assert all(i.lead in text for i in digest.items)  # plain words: escaped as written
    assert text.count("**Topic 1 \\*bold\\***\n[Story 100]") == 1
    assert len(posts[0]["embeds"][0]["title"]) <= 256
    assert posts[-1]["embeds"][-1]["footer"]["text"] == "the end"


async def test_digest_is_for_channel_managers_in_servers_and_dms(
    discord_emulator: DiscordEmulator, db: Database
) -> None:
    r = build(discord_emulator, db)
    async with discord_emulator.running(r.bot):
        sync = await discord_emulator.wait_for_request("PUT", r"/applications/\d+/commands")
        call = await discord_emulator.interact(discord_emulator.command("help"))
        help_text = only_embed(await call.message())["description"]
    (digest,) = [c for c in sync.json if c["name"] == "digest"]
    assert str(digest["default_member_permissions"]) == "16"  # Manage Channels
    assert digest["contexts"] == [0, 1] and digest["integration_types"] == [0]
    assert [o["name"] for o in digest["options"]] == ["schedule", "alert", "list", "stop"]
    schedule = digest["options"][0]["options"]
    assert [(o["name"], o.get("required", False)) for o in schedule] == [
        ("time", True),
        ("days", False),
        ("zone", False),
        ("topic", False),
        ("quiet", False),
    ]
    assert [c["value"] for c in schedule[1]["choices"]][:3] == ["daily", "weekdays", "mon"]
    assert "/digest schedule" in help_text


async def test_with_a_guild_id_digest_is_offered_in_dms_only_globally(
    discord_emulator: DiscordEmulator, db: Database
) -> None:
    r = build(discord_emulator, db, discord_guild_id=int(GUILD_ID))
    async with discord_emulator.running(r.bot):
        await discord_emulator.wait_for_request("PUT", r"/applications/\d+/commands")
    (digest,) = [c for c in discord_emulator.commands[None] if c["name"] == "digest"]
    assert digest["contexts"] == [1]
    assert "digest" in [c["name"] for c in discord_emulator.commands[GUILD_ID]]


async def test_without_digests_there_is_no_digest_command(
    discord_emulator: DiscordEmulator,
) -> None:
    settings = make_settings(**discord_emulator.settings_env())
    bot = adapter.build_bot(settings, FakeEngine(), **QUICK)
    async with discord_emulator.running(bot):
        sync = await discord_emulator.wait_for_request("PUT", r"/applications/\d+/commands")
        call = await discord_emulator.interact(discord_emulator.command("help"))
        help_text = only_embed(await call.message())["description"]
    assert "digest" not in [c["name"] for c in sync.json]
    assert "/digest" not in help_text


async def test_zone_and_topic_autocomplete_stay_within_discords_limits(rig: Rig) -> None:
    async def choices(**options: Any) -> list[dict[str, Any]]:
        call = await rig.emulator.interact(
            rig.emulator.autocomplete("digest", subcommand="schedule", **options)
        )
        return await call.choices()

    everything = await choices(zone=Focused(""))
    paris = await choices(time="08:00", zone=Focused("europe/pa"))
    topics = await choices(topic=Focused("Jap"))
    assert len(everything) == 25
    assert all(1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100 for c in everything)
    assert paris[0] == {"name": "Europe/Paris", "value": "Europe/Paris"}
    assert [c["value"] for c in topics] == ["Japan", "Japan trade"]
    alert = await rig.emulator.interact(
        rig.emulator.autocomplete("digest", subcommand="alert", topic=Focused("Tai"))
    )
    assert [c["value"] for c in await alert.choices()] == ["Taiwan"]


async def test_a_failing_subscription_is_reported_and_logged(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> TextReply:
        raise RuntimeError("database is on fire")

    monkeypatch.setattr(rig.digests, "run", broken)
    call = await rig.emulator.interact(rig.emulator.command("digest", subcommand="list"))
    message = await call.message()
    assert message["content"] == adapter.ERROR_TEXT and message["flags"] & EPHEMERAL
    assert "Discord /digest list failed" in caplog.text
    assert "database is on fire" in caplog.text


async def test_once_connected_the_bot_adds_its_poster_to_the_scheduler(
    discord_emulator: DiscordEmulator, db: Database
) -> None:
    """As ``briefbot run`` wires it: a scheduler with no posters, which the client joins."""
    core = FakeEngine(items=[item(1)])
    now = [MONDAY]
    scheduler = Scheduler(db, core, {}, clock=lambda: now[0])
    digests = Digests(scheduler)
    settings = make_settings(**discord_emulator.settings_env())
    bot = adapter.build_bot(settings, core, digests=digests, **QUICK)
    assert scheduler.posters == {}
    async with discord_emulator.running(bot):
        for _ in range(100):  # on_ready runs as its own task, right after READY
            if "discord" in scheduler.posters:
                break
            await asyncio.sleep(0.01)
        poster = scheduler.posters["discord"]
        assert isinstance(poster, DiscordPoster) and poster.client is bot
        call = await discord_emulator.interact(
            discord_emulator.command("digest", subcommand="schedule", time="08:00")
        )
        await call.message()
        now[0] = MONDAY.replace(hour=8, second=1)
        await scheduler.tick()
    assert len(discord_emulator.channel_messages[CHANNEL_ID]) == 1


async def test_a_channel_the_bot_cannot_post_in_is_refused_with_what_to_do(rig: Rig) -> None:
    payload = rig.emulator.command("digest", subcommand="schedule", time="08:00")
    send_messages = 1 << 11
    payload["app_permissions"] = str(int(payload["app_permissions"]) & ~send_messages)
    call = await rig.emulator.interact(payload)
    message = await call.message()
    assert message["flags"] & EPHEMERAL
    text = only_embed(message)["description"]
    assert text.startswith("Sorry, I cannot post in this channel (I lack Send Messages here)")
    assert (await rig.reply("list")).startswith("No digests or alerts here")
