"""Two ``briefbot slack`` processes sharing one PostgreSQL and one (emulated) Slack, as a
deployment with two replicas runs: an event delivered to both is answered once, and a digest
due while both were down is posted once, by whichever claims it first."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot import Database, DigestRequest, Place
from bot.digest.subscriptions import Subscriptions
from tests.emulators.slack import CHANNEL_ID, TEAM_ID, SignedClient, SlackEmulator, mention
from tests.handlers.cli_process import finish, spawn
from tests.handlers.slack.test_app import free_port
from tests.handlers.slack.test_hardening import slack_env

QUESTION = "when is Takaichi visiting the US?"


async def _healthy(port: int) -> bool:
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            return response.status == 200
    except aiohttp.ClientConnectionError:
        return False


@pytest.fixture
async def two_bots(
    slack_emulator: SlackEmulator, postgres_url: str, tmp_path: Path
) -> AsyncIterator[list[SignedClient]]:
    # A digest due a minute ago (in the grace period), made before either process started.
    db = await Database.open(postgres_url)
    now = dt.datetime.now(dt.UTC)
    due = now - dt.timedelta(minutes=1)
    request = DigestRequest(days="daily", at=dt.time(due.hour, due.minute), zone="UTC")
    place = Place(platform="slack", workspace=TEAM_ID, channel=CHANNEL_ID)
    await Subscriptions(db).add_digest(
        place, request, zone="UTC", by="U222", now=now - dt.timedelta(days=1)
    )
    await db.close()
    ports = [free_port(), free_port()]
    env = slack_env(slack_emulator, SLACK_HOST="127.0.0.1", BRIEFBOT_DATABASE_URL=postgres_url)
    processes = []
    for n, port in enumerate(ports):
        folder = tmp_path / f"bot{n}"
        folder.mkdir()
        processes.append(await spawn("slack", "--port", str(port), cwd=folder, **env))
    try:
        for process, port in zip(processes, ports, strict=True):
            for _ in range(1200):
                if process.returncode is not None or await _healthy(port):
                    break
                await asyncio.sleep(0.05)
            assert process.returncode is None, (await finish(process))[1]
        yield [SignedClient(f"http://127.0.0.1:{p}/slack/events") for p in ports]
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            _, err = await finish(process)
            assert "Traceback" not in err, err


async def test_two_processes_answer_each_event_once_and_post_the_missed_digest_once(
    slack_emulator: SlackEmulator, two_bots: list[SignedClient]
) -> None:
    events = [mention(QUESTION) for _ in range(4)]
    # Slack delivers each event to both (a reconnect, two Socket Mode connections).
    await asyncio.gather(*(bot.event(e) for e in events for bot in two_bots))
    await slack_emulator.wait_for("chat.postMessage", 5, timeout=30)
    await asyncio.sleep(1.0)  # time for a second answer or a second digest, were there one
    posted = slack_emulator.posted()
    answers = [p for p in posted if p.get("thread_ts")]
    digests = [p for p in posted if not p.get("thread_ts")]
    assert len(answers) == 4
    assert len(digests) == 1 and "Your briefing" in digests[0]["blocks"][0]["text"]["text"]
