"""/digest on Slack, through slack-bolt and slack-sdk against the emulator: subscribed in the
person's own time zone, posted at the scheduled time with chat.postMessage, once; refused
where the bot cannot post; rate limits waited out; a channel gone turns its subscriptions off;
events shared by two processes answered once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from bot.models import ArticleRef, BriefItem, Place
from handlers.deliveries import Deliveries
from handlers.slack.blocks import MAX_BLOCKS, digest_messages
from tests.emulators.slack import (
    BOT_TOKEN,
    CHANNEL_ID,
    USER_ID,
    SlackEmulator,
    mention,
    message_error,
    slash_command,
)
from tests.fakes import FakeEngine
from tests.handlers.deliveries_setup import Clock, open_test_deliveries
from tests.handlers.slack_setup import HttpBot, canned, section_texts

# 08:00 in Paris (the emulator's user's tz) on Monday 7 December 2026 is 07:00 UTC.
PARIS_EIGHT = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)
StartBot = Callable[..., Awaitable[HttpBot]]


def item(n: int, lead: str = "The council met and voted on the budget.") -> BriefItem:
    return BriefItem(
        article=ArticleRef(
            id=f"a{n}",
            title=f"Story {n}",
            date=dt.date(2026, 12, 7),
            source="Wire",
            url=f"https://news.example/{n}",
        ),
        lead=lead,
        tags=["japan"],
    )


@pytest_asyncio.fixture
async def deliveries(tmp_path: Path) -> AsyncIterator[tuple[Deliveries, Clock, FakeEngine]]:
    core = canned()
    core.items = [item(1)]
    clock = Clock(PARIS_EIGHT - dt.timedelta(hours=1))
    d = await open_test_deliveries(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", core, clock)
    yield d, clock, core
    await d.db.close()


async def digest(bot: HttpBot, text: str, **fields: str) -> dict[str, Any]:
    """Send ``/digest text`` and return the (ephemeral) reply posted to its response_url."""
    before = len(bot.emulator.calls_to("response_url"))
    form = slash_command("/digest", text, bot.emulator.response_url(), **fields)
    response = await bot.client.command(form)
    assert response.status == 200
    calls = await bot.emulator.wait_for("response_url", before + 1)
    return calls[-1].body


async def test_a_digest_subscribed_in_slack_arrives_at_eight_in_the_askers_zone(
    start_bot: StartBot, deliveries: tuple[Deliveries, Clock, FakeEngine]
) -> None:
    d, clock, _ = deliveries
    bot = await start_bot(deliveries=d)
    reply = await digest(bot, "weekdays 08:00")
    assert reply["response_type"] == "ephemeral"
    text = " ".join(section_texts(reply))
    assert "every weekday at 08:00 (Europe/Paris)" in text and "Monday 7 December, 08:00" in text
    await d.scheduler.tick()  # the baseline; 07:00 in Paris: not yet
    assert bot.emulator.posted() == []
    clock.now = PARIS_EIGHT + dt.timedelta(seconds=1)
    await d.scheduler.tick()
    await d.scheduler.tick()
    [posted] = bot.emulator.posted()
    assert posted["channel"] == CHANNEL_ID and posted["unfurl_links"] is False
    assert "Your briefing: Monday 7 December" in posted["blocks"][0]["text"]["text"]
    assert "Story 1" in posted["blocks"][1]["text"]["text"]


async def test_list_and_stop(
    start_bot: StartBot, deliveries: tuple[Deliveries, Clock, FakeEngine]
) -> None:
    d, clock, _ = deliveries
    bot = await start_bot(deliveries=d)
    await digest(bot, "daily 8:00 on japan")
    await digest(bot, "alert chega")
    listed = " ".join(section_texts(await digest(bot, "list")))
    assert "#1 digest every day at 08:00 (Europe/Paris) on japan" in listed
    assert "#2 alert: new articles on chega" in listed
    assert "Stopped #1" in section_texts(await digest(bot, "stop 1"))[0]
    clock.now = PARIS_EIGHT + dt.timedelta(seconds=1)
    await d.scheduler.tick()
    assert bot.emulator.posted() == []


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("daily 25:00", "'25:00' is not a time of day"),
        ("daily 08:00 Mars/Olympus", "'Mars/Olympus' is not a time zone I know"),
        ("alert " + "x" * 5000, "a topic is a few words"),
        ("stop 9", "there is no subscription #9 in this channel"),
    ],
)
async def test_bad_requests_get_a_friendly_line(
    start_bot: StartBot, deliveries: tuple[Deliveries, Clock, FakeEngine], typed: str, said: str
) -> None:
    bot = await start_bot(deliveries=deliveries[0])
    reply = await digest(bot, typed)
    assert reply["response_type"] == "ephemeral"
    assert said in " ".join(section_texts(reply))


async def test_a_channel_the_bot_is_not_in_is_refused_with_what_to_do(
    start_bot: StartBot, deliveries: tuple[Deliveries, Clock, FakeEngine]
) -> None:
    bot = await start_bot(deliveries=deliveries[0])
    bot.emulator.channels["C999"] = {"id": "C999", "is_member": False}
    reply = await digest(bot, "daily 08:00", channel_id="C999")
    assert "/invite @briefbot" in section_texts(reply)[0]
    reply = await digest(bot, "alert japan", channel_id="G123")  # private, never invited
    assert "/invite @briefbot" in section_texts(reply)[0]
    assert "No digests or alerts here" in section_texts(await digest(bot, "list"))[0]


async def test_a_rate_limit_is_waited_out_and_a_removed_channel_is_turned_off(
    start_bot: StartBot, deliveries: tuple[Deliveries, Clock, FakeEngine]
) -> None:
    d, clock, _ = deliveries
    bot = await start_bot(deliveries=d)
    await digest(bot, "daily 08:00")
    await d.scheduler.tick()
    bot.emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    clock.now = PARIS_EIGHT + dt.timedelta(seconds=1)
    await d.scheduler.tick()
    assert len(bot.emulator.posted()) == 1  # after the 429
    bot.emulator.fail_next("chat.postMessage", error="channel_not_found")
    clock.now += dt.timedelta(days=1)
    await d.scheduler.tick()
    assert "No digests or alerts here" in section_texts(await digest(bot, "list"))[0]


def test_a_long_digest_is_split_within_slacks_limits() -> None:
    from bot.models import Digest, DigestGroup

    groups = [
        DigestGroup(topic=f"topic {g}", items=[item(g * 10 + n, "word " * 700) for n in range(10)])
        for g in range(6)
    ]
    messages = digest_messages(Digest(title="Your briefing", groups=groups))
    assert len(messages) == 2
    for m in messages:
        assert len(m["blocks"]) <= MAX_BLOCKS
        assert message_error({"channel": "C1", **m}) is None  # the emulator's Block Kit checks
        for block in m["blocks"][1:]:
            text = block["text"]["text"] if block["type"] == "section" else ""
            assert not text.rstrip("…").endswith("wor")  # clipped at a word


async def test_an_event_delivered_to_two_processes_is_answered_once(
    start_bot: StartBot, postgres_url: str
) -> None:
    core = canned()
    first = await open_test_deliveries(postgres_url, core, Clock(PARIS_EIGHT))
    second = await open_test_deliveries(postgres_url, core, Clock(PARIS_EIGHT))
    a = await start_bot(core, deliveries=first)
    b = await start_bot(core, deliveries=second)
    events = [mention("when is Takaichi visiting the US?") for _ in range(5)]
    await asyncio.gather(*(bot.client.event(e) for e in events for bot in (a, b)))
    await a.emulator.wait_for("chat.postMessage", 5)
    await asyncio.sleep(0.3)
    assert len(a.emulator.posted()) == 5
    await first.db.close()
    await second.db.close()


async def test_feeds_are_changed_by_workspace_admins_only(
    start_bot: StartBot, deliveries: tuple[Deliveries, Clock, FakeEngine]
) -> None:
    d, _, _ = deliveries
    bot = await start_bot(deliveries=d)

    async def feeds(text: str) -> str:
        before = len(bot.emulator.calls_to("response_url"))
        form = slash_command("/feeds", text, bot.emulator.response_url())
        assert (await bot.client.command(form)).status == 200
        calls = await bot.emulator.wait_for("response_url", before + 1)
        assert calls[-1].body["response_type"] == "ephemeral"
        return " ".join(section_texts(calls[-1].body))

    refused = await feeds("add <https://news.example/feed.xml|news.example/feed.xml>")
    assert "only workspace admins and owners can change the feeds" in refused
    bot.emulator.users[USER_ID]["is_owner"] = True
    # As Slack sends a link it formatted: the address, not the label, is the feed.
    added = await feeds("add <https://news.example/feed.xml|news.example/feed.xml>")
    assert added.startswith("Added https://news.example/feed.xml")
    bot.emulator.users[USER_ID]["is_owner"] = False
    assert "1. https://news.example/feed.xml" in await feeds("list")
    assert await d.feeds.urls() == ["https://news.example/feed.xml"]


async def test_an_archived_channel_is_refused(
    start_bot: StartBot, deliveries: tuple[Deliveries, Clock, FakeEngine]
) -> None:
    bot = await start_bot(deliveries=deliveries[0])
    bot.emulator.channels["C777"] = {"id": "C777", "is_member": True, "is_archived": True}
    reply = await digest(bot, "alert japan", channel_id="C777")
    assert "it is archived" in section_texts(reply)[0]


async def test_an_article_file_added_is_alerted_in_slack(
    slack_emulator: SlackEmulator, tmp_path: Path, write_article: Callable[..., Path]
) -> None:
    from bot.live import LiveEngine
    from handlers.deliveries import open_deliveries
    from handlers.slack.digests import SlackPoster
    from tests.conftest import make_settings

    folder = write_article("a.md", "Old news", "2026-12-01", "Nothing about parties here.")
    settings = make_settings(briefbot_corpus=folder)
    live = LiveEngine.load(settings)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=slack_emulator.base_url)
    place = Place(platform="slack", workspace="T111", channel=CHANNEL_ID)
    async with open_deliveries(settings, live) as d, live:
        d.scheduler.posters["slack"] = SlackPoster(client)
        await d.digests.command("alert chega", place, by="U222")
        await d.scheduler.tick()  # the baseline
        write_article("b.md", "Chega backs the budget", "2026-12-07", "Chega will back it.")
        [call] = await slack_emulator.wait_for("chat.postMessage", timeout=15)
    blocks = call.body["blocks"]
    assert blocks[0]["text"]["text"] == "*New on chega*"
    assert "Chega backs the budget" in blocks[1]["text"]["text"]


async def test_mentions_in_a_topic_are_dropped_never_echoed_as_pings(
    start_bot: StartBot, deliveries: tuple[Deliveries, Clock, FakeEngine]
) -> None:
    bot = await start_bot(deliveries=deliveries[0])
    reply = await digest(bot, "alert <!channel> japan <@U999>")
    text = " ".join(section_texts(reply)) + reply["text"]
    assert "#1 alert: new articles on japan" in text
    assert "<!channel>" not in text and "<@U999>" not in text
