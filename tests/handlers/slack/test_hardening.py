"""The Slack app against hostile or broken input and a broken environment: bodies that are not
Slack payloads, forged log lines, a message Slack keeps refusing, and a start-up that cannot
succeed (a wrong app token, Slack unreachable, a port taken). The start-up cases run the real
``briefbot slack`` in a child process against the emulator."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from handlers.slack import http_mode
from tests.emulators.slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    SignedClient,
    SlackEmulator,
    mention,
    socket_envelope,
    wait_until,
)
from tests.handlers.cli_process import finish, spawn
from tests.handlers.slack_setup import QUESTION, HttpBot, settle

BAD_BODIES = [
    ("this is not json {", "application/x-www-form-urlencoded"),
    ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
    ('{"type": "event_callback", "event": {"type": "app_m', "application/json"),
    ("x", "application/json"),
    ("[1, 2, 3]", "application/json"),
    ("\xff\xfe", "application/json"),
]


def bolt_and_ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("slack_bolt", "handlers.slack"))]


@pytest.mark.parametrize(("body", "content_type"), BAD_BODIES)
async def test_unsigned_garbage_is_401_in_one_line_without_the_body(
    bot: HttpBot, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await bot.client.post(body, content_type, secret="not-the-secret")
    assert response.status == 401
    [record] = bolt_and_ours(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "bad or missing signature" in record.getMessage()
    assert body not in caplog.text


@pytest.mark.parametrize(("body", "content_type"), BAD_BODIES)
async def test_signed_garbage_is_400_in_one_line_without_a_traceback(
    bot: HttpBot, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await bot.client.post(body, content_type)
    assert response.status == 400
    [record] = bolt_and_ours(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "not a Slack payload" in record.getMessage()
    await settle()
    assert bot.emulator.calls == []


async def test_a_body_without_signature_headers_or_with_a_bad_timestamp_is_401(
    bot: HttpBot,
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(bot.client.url, data=b"{}") as response:
            assert response.status == 401
        headers = {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}
        async with session.post(bot.client.url, data=b"{}", headers=headers) as response:
            assert response.status == 401


async def test_signed_events_still_reach_the_listeners(bot: HttpBot) -> None:
    response = await bot.client.event(mention(QUESTION))
    assert response.status == 200
    await bot.emulator.wait_for("chat.postMessage")


async def test_a_message_slack_keeps_refusing_gets_one_plain_fallback_then_a_report(
    bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.emulator.fail_next("chat.postMessage", times=8, error="msg_too_long")
    await bot.client.event(mention(QUESTION))
    await wait_until(lambda: "fallback failed too" in caplog.text, what="the report in the log")
    await settle()
    first, fallback = bot.emulator.calls_to("chat.postMessage")  # and no third
    assert "blocks" in first.body and "blocks" not in fallback.body
    assert "this spring" in fallback.body["text"]


async def test_a_plain_fallback_that_gets_through_is_the_answer(bot: HttpBot) -> None:
    bot.emulator.fail_next("chat.postMessage", error="invalid_blocks")
    await bot.client.event(mention(QUESTION))
    [delivered] = await bot.emulator.wait_for("chat.postMessage")
    assert "blocks" not in delivered.body and "this spring" in delivered.body["text"]


# --- start-up, through the real command -----------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def slack_env(emulator: SlackEmulator, **variables: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": emulator.base_url,
        **variables,
    }


def one_line_error(stderr: str) -> str:
    """The one line a failed start-up printed (log lines from before it aside)."""
    assert "Traceback" not in stderr, stderr
    [line] = [line for line in stderr.splitlines() if line.startswith("briefbot:")]
    return line


async def test_a_rejected_app_token_stops_the_bot_naming_slack_app_token(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    env = slack_env(slack_emulator, SLACK_APP_TOKEN="xapp-revoked")
    code, err = await finish(await spawn("slack", cwd=tmp_path, **env))
    assert code == 2
    line = one_line_error(err)
    assert "SLACK_APP_TOKEN" in line and "invalid_auth" in line and "xapp-revoked" not in err
    assert len(slack_emulator.calls_to("apps.connections.open")) == 1  # no retry loop
    assert "Unclosed" not in err  # every HTTP session closed before the exit


async def test_unreachable_slack_stops_the_bot_naming_the_url(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/api/"
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_BASE_URL": dead}
    code, err = await finish(await spawn("slack", cwd=tmp_path, **env))
    assert code == 2
    line = one_line_error(err)
    assert f"Cannot reach Slack at {dead}" in line and "Connection refused" in line


async def test_a_port_in_use_stops_the_bot_saying_how_to_choose_another(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        process = await spawn(
            "slack",
            "--host",
            "127.0.0.1",
            "--port",
            port,
            cwd=tmp_path,
            **slack_env(slack_emulator),
        )
        code, err = await finish(process)
    assert code == 2
    line = one_line_error(err)
    assert f"port {port}" in line and "--port N" in line and "SLACK_PORT" in line


@pytest.mark.parametrize("port", ["99999", "0", "http"])
async def test_a_port_that_is_no_port_is_a_usage_error(tmp_path: Path, port: str) -> None:
    code, err = await finish(await spawn("slack", "--port", port, cwd=tmp_path))
    assert code == 2
    assert "--port" in err and "Traceback" not in err


@dataclass
class ChildBot:
    """``briefbot slack`` in HTTP mode, running in a child process."""

    url: str  # its events URL
    process: asyncio.subprocess.Process

    async def stop(self) -> str:
        """Ctrl-C (SIGINT), as in a terminal; what it wrote on stderr."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        return (await finish(self.process))[1]


@pytest.fixture
async def child_bot(slack_emulator: SlackEmulator, tmp_path: Path) -> AsyncIterator[ChildBot]:
    """``briefbot slack`` listening on 127.0.0.1 (SLACK_HOST) on a free port, once healthy."""
    port = free_port()
    env = slack_env(slack_emulator, SLACK_HOST="127.0.0.1")
    process = await spawn("slack", "--port", str(port), cwd=tmp_path, **env)
    bot = ChildBot(f"http://127.0.0.1:{port}/slack/events", process)

    async def healthy() -> bool:
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{port}/healthz") as response,
            ):
                return response.status == 200
        except aiohttp.ClientConnectionError:
            return False

    for _ in range(1200):  # start-up loads the engine: up to a minute on a loaded machine
        if process.returncode is not None or await healthy():
            break
        await asyncio.sleep(0.05)
    assert process.returncode is None, await bot.stop()
    try:
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_forged_log_line_in_a_body_never_reaches_the_log(
    child_bot: ChildBot, slack_emulator: SlackEmulator
) -> None:
    forged = "2026-01-01 00:00:00,000 INFO handlers.slack.app: Signed in to Slack as admin"
    client = SignedClient(child_bot.url)
    unsigned = await client.post(f"x=1\n{forged}\n", "text/plain", secret="wrong")
    signed = await client.post(f"payload=%7Bnot\n{forged}", "application/x-www-form-urlencoded")
    assert (unsigned.status, signed.status) == (401, 400)
    err = await child_bot.stop()
    assert not any(line.startswith("2026-01-01") for line in err.splitlines()), err
    assert "Signed in to Slack as admin" not in err
    assert err.count("Refused a Slack request") == 1
    assert err.count("Refused a signed Slack request") == 1
    assert "Traceback" not in err


async def test_slack_tokens_never_reach_the_log_at_debug(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    """Socket Mode at DEBUG: slack-sdk and bolt log requests, envelopes and answers."""
    event = mention(QUESTION)
    slack_emulator.envelopes.append(socket_envelope(event, envelope_id="env-1"))
    env = slack_env(slack_emulator, SLACK_APP_TOKEN=APP_TOKEN, BRIEFBOT_LOG_LEVEL="DEBUG")
    process = await spawn("slack", cwd=tmp_path, **env)
    try:
        await slack_emulator.wait_for("chat.postMessage", timeout=60)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        _, err = await finish(process)
    assert "DEBUG slack_" in err  # the libraries did log at DEBUG
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in err


def _misshapen() -> list[dict[str, object]]:
    """Signed payloads no Slack sends: an event that is no object, text a number or a list."""
    good = mention(QUESTION)
    event = dict(good["event"])
    return [
        {**good, "event": "x"},
        {**good, "event": {**event, "text": 42}},
        {**good, "event": {**event, "text": ["when", "is", "it"]}},
        {**good, "event": {**event, "type": None}},
    ]


@pytest.mark.parametrize(
    "payload", _misshapen(), ids=["event-x", "text-int", "text-list", "no-type"]
)
async def test_a_signed_misshapen_event_is_400_in_one_line(
    bot: HttpBot, caplog: pytest.LogCaptureFixture, payload: dict[str, object]
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await bot.client.post(json.dumps(payload), "application/json")
    assert response.status == 400
    [record] = bolt_and_ours(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "not a Slack payload" in record.getMessage()
    await settle()
    assert bot.emulator.calls == []


async def test_socket_mode_acks_and_drops_a_misshapen_event_then_answers_the_next(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    for i, payload in enumerate(_misshapen()):
        slack_emulator.envelopes.append(socket_envelope(payload, envelope_id=f"bad-{i}"))
    slack_emulator.envelopes.append(socket_envelope(mention(QUESTION), envelope_id="good"))
    env = slack_env(slack_emulator, SLACK_APP_TOKEN=APP_TOKEN)
    process = await spawn("slack", cwd=tmp_path, **env)
    try:
        await slack_emulator.wait_for("chat.postMessage", timeout=60)
        for i in range(len(_misshapen())):
            await slack_emulator.wait_for_ack(f"bad-{i}", timeout=10)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        _, err = await finish(process)
    assert "Traceback" not in err
    assert err.count("Dropped a Slack events_api envelope") == len(_misshapen())
    assert len(slack_emulator.calls_to("chat.postMessage")) == 1


async def test_a_revoked_bot_token_is_named_once_with_what_to_do(
    bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.emulator.fail_next("chat.postMessage", times=2, error="token_revoked")
    await bot.client.event(mention(QUESTION))
    await bot.client.event(mention("who requested the telephone call?"))
    await wait_until(
        lambda: len(bot.emulator.calls_to("chat.postMessage")) == 2, what="both answers tried"
    )
    await settle()
    hints = [r for r in caplog.records if "SLACK_BOT_TOKEN no longer works" in r.getMessage()]
    assert len(hints) == 1 and "token_revoked" in hints[0].getMessage()
    assert "Reinstall the app" in hints[0].getMessage()
    # It keeps running: once the token works again, answers get through.
    await bot.client.event(mention("when is she visiting?"))
    await bot.emulator.wait_for("chat.postMessage", timeout=10)
    assert bot.emulator.calls_to("chat.postMessage", ok=True)


# ---- slow and greedy clients (HTTP mode), over raw sockets as an attacker would send them


async def raw(
    url: str, head: str, *, local: str = "127.0.0.1"
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to the bot's port that has sent ``head`` and nothing more."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    reader, writer = await asyncio.open_connection(host, int(port), local_addr=(local, 0))
    writer.write(head.encode())
    await writer.drain()
    return reader, writer


def post_head(headers: dict[str, str], length: int) -> str:
    lines = [
        "POST /slack/events HTTP/1.1",
        "Host: bot",
        "Content-Type: application/json",
        f"Content-Length: {length}",
    ]
    return "\r\n".join(lines + [f"{k}: {v}" for k, v in headers.items()]) + "\r\n\r\n"


async def status_of(reader: asyncio.StreamReader, within: float) -> int:
    line = await asyncio.wait_for(reader.readline(), within)
    return int(line.split()[1])


async def test_an_unsigned_request_is_refused_on_its_headers_without_waiting_for_its_body(
    bot: HttpBot,
) -> None:
    reader, writer = await raw(bot.client.url, post_head({}, 100_000))
    assert await status_of(reader, within=2) == 401
    writer.close()


async def test_a_stale_timestamp_is_refused_before_the_body(bot: HttpBot) -> None:
    old = bot.client.headers("{}", timestamp=int(time.time()) - 600)
    reader, writer = await raw(bot.client.url, post_head(old, 100_000))
    assert await status_of(reader, within=2) == 401
    writer.close()


async def test_a_body_larger_than_any_slack_payload_is_413_unread(bot: HttpBot) -> None:
    signed = bot.client.headers("{}")
    reader, writer = await raw(bot.client.url, post_head(signed, 50 * 1024 * 1024))
    assert await status_of(reader, within=2) == 413
    writer.close()


async def test_headers_that_never_finish_lose_their_connection(
    monkeypatch: pytest.MonkeyPatch, start_bot: Callable[..., Awaitable[HttpBot]]
) -> None:
    monkeypatch.setattr(http_mode, "HEADER_TIMEOUT", 0.5)
    bot = await start_bot()
    reader, writer = await raw(bot.client.url, "POST /slack/events HTTP/1.1\r\nHost: bot\r\n")
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
    writer.close()


async def test_a_signed_body_sent_too_slowly_is_408(
    monkeypatch: pytest.MonkeyPatch, start_bot: Callable[..., Awaitable[HttpBot]]
) -> None:
    monkeypatch.setattr(http_mode, "BODY_TIMEOUT", 0.5)
    bot = await start_bot()
    body = json.dumps(mention(QUESTION))
    reader, writer = await raw(bot.client.url, post_head(bot.client.headers(body), len(body)))
    writer.write(body[:10].encode())  # and the rest never comes
    assert await status_of(reader, within=5) == 408
    writer.close()
    await settle()
    assert bot.emulator.calls == []


async def test_one_client_cannot_hold_every_connection(
    monkeypatch: pytest.MonkeyPatch,
    start_bot: Callable[..., Awaitable[HttpBot]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(http_mode, "MAX_CONNECTIONS_PER_CLIENT", 4)
    bot = await start_bot()
    flood = [await raw(bot.client.url, "POST /slack", local="127.0.0.2") for _ in range(10)]
    closed = 0
    for reader, _ in flood:
        try:
            closed += await asyncio.wait_for(reader.read(), 0.3) == b""
        except (TimeoutError, ConnectionResetError):
            closed += not isinstance(reader.exception(), type(None))
    assert closed == 6  # all but the first four, at once
    assert caplog.text.count("Closing connections from 127.0.0.2") == 1
    response = await bot.client.event(mention(QUESTION))  # another address is served
    assert response.status == 200
    for _, writer in flood:
        writer.close()
