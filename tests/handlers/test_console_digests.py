"""Digests and alerts in the console, the same /digest as in the chats: subscribed, printed at
their time, kept across a restart; a new article file alerted; a database that cannot be used
stops ``briefbot chat`` with one line."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from bot.live import LiveEngine
from handlers.console import ConsoleSession
from handlers.deliveries import open_deliveries
from tests.conftest import make_settings
from tests.handlers.cli_process import briefbot
from tests.handlers.deliveries_setup import Clock, open_test_deliveries

WriteArticle = Callable[..., Path]
BODY = "The Chega party said on Monday it would back the budget in the vote next week."


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


async def test_a_console_digest_is_printed_at_its_time(
    tmp_path: Path, write_article: WriteArticle
) -> None:
    folder = write_article("a.md", "Chega backs the budget", "2026-12-07", BODY, tags="Chega")
    live = LiveEngine.load(make_settings(briefbot_corpus=folder))
    clock = Clock(dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC))
    deliveries = await open_test_deliveries(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", live, clock)
    out = io.StringIO()
    session = ConsoleSession(
        live, Console(file=out, width=200, highlight=False), deliveries=deliveries
    )
    reply = await session.handle("/digest daily 07:30 Europe/Lisbon on chega")
    assert (
        reply is not None
        and "Subscribed: #1 digest every day at 07:30 (Europe/Lisbon) on chega" in reply.plain
    )
    help_text = await session.handle("/help")
    assert help_text is not None and "/digest alert TOPIC" in help_text.plain
    await deliveries.scheduler.tick()
    assert out.getvalue() == ""
    clock.now = clock.now.replace(hour=7, minute=30, second=5)  # Lisbon is on UTC in December
    await deliveries.scheduler.tick()
    printed = flat(out.getvalue())
    assert "Your briefing on chega: Monday 7 December" in printed
    assert "Chega backs the budget" in printed and "back the budget" in printed
    await deliveries.db.close()


def test_subscriptions_survive_a_restart_of_briefbot_chat(write_article: WriteArticle) -> None:
    folder = write_article("a.md", "Chega backs the budget", "2026-12-07", BODY)
    env = {"BRIEFBOT_CORPUS": str(folder), "BRIEFBOT_DATABASE_URL": ""}  # the default place
    first = briefbot("chat", cwd=folder, stdin="/digest alert chega\n", **env)
    assert first.returncode == 0, first.stderr
    assert "Subscribed: #1 alert: new articles on chega" in flat(first.stdout)
    again = briefbot("chat", cwd=folder, stdin="/digest list\n", **env)
    assert "#1 alert: new articles on chega" in flat(again.stdout)
    assert (folder / ".briefbot" / "briefbot.db").is_file()  # beside the saved index


def test_a_database_that_cannot_be_reached_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    done = briefbot(
        "chat",
        cwd=tmp_path,
        stdin="hello\n",
        BRIEFBOT_DATABASE_URL="postgresql://briefbot:hunter2@127.0.0.1:9/briefbot",
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the database at postgresql+asyncpg" in lines[0]
    assert "BRIEFBOT_DATABASE_URL" in lines[0] and "hunter2" not in done.stderr


async def test_an_article_file_added_while_the_bot_runs_is_alerted(
    tmp_path: Path, write_article: WriteArticle
) -> None:
    folder = write_article("a.md", "Old news", "2026-12-01", "Nothing about parties here at all.")
    settings = make_settings(briefbot_corpus=folder, briefbot_alert_interval=60)
    live = LiveEngine.load(settings)
    out = io.StringIO()
    async with open_deliveries(settings, live) as deliveries, live:
        session = ConsoleSession(
            live, Console(file=out, width=200, highlight=False), deliveries=deliveries
        )
        await session.handle("/digest alert chega")
        await deliveries.scheduler.tick()  # the baseline: what was there before
        write_article("b.md", "Chega backs the budget", "2026-12-07", BODY)
        for _ in range(200):
            if "Chega backs the budget" in out.getvalue():
                break
            await asyncio.sleep(0.05)
    printed = flat(out.getvalue())
    assert "New on chega" in printed and "Chega backs the budget" in printed
    assert "Old news" not in printed
