"""The Slack app as deployed: signatures, health, delivery retries, Socket Mode, serve(), config,
and the manifest that creates it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import aiohttp
import pytest
import yaml

from bot.errors import ConfigError
from handlers.slack.app import serve
from handlers.slack.settings import SlackSettings
from tests.emulators.slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    SignedClient,
    SlackEmulator,
    mention,
    slash_command,
    socket_envelope,
    wait_until,
)
from tests.handlers.slack_setup import (
    QUESTION,
    HttpBot,
    canned,
    section_texts,
    settle,
    slack_settings,
)


async def test_bad_signature_is_rejected(bot: HttpBot) -> None:
    response = await bot.client.event(mention(QUESTION), secret="not-the-secret")
    assert response.status == 401
    await settle()
    assert bot.emulator.calls == []


async def test_stale_timestamp_is_rejected(bot: HttpBot) -> None:
    response = await bot.client.event(mention(QUESTION), timestamp=int(time.time()) - 6 * 60)
    assert response.status == 401
    await settle()
    assert bot.emulator.calls == []


async def test_url_verification_echoes_the_challenge(bot: HttpBot) -> None:
    response = await bot.client.event({"type": "url_verification", "challenge": "abc123"})
    assert (response.status, response.json()) == (200, {"challenge": "abc123"})


async def test_healthz_answers_json(bot: HttpBot) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as r:
        assert r.status == 200
        assert await r.json() == {"ok": True, "service": "briefbot", "mode": "http", "articles": 1}


async def test_rate_limited_post_is_retried_and_answer_arrives(bot: HttpBot) -> None:
    bot.emulator.fail_next("chat.postMessage", status=429, retry_after=0)
    await bot.client.event(mention(QUESTION))

    [ok] = await bot.emulator.wait_for("chat.postMessage", timeout=5)
    attempts = bot.emulator.calls_to("chat.postMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].body == ok.body


async def test_failures_are_logged_without_tokens(
    bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bot.emulator.fail_next("chat.postMessage", error="channel_not_found")
    await bot.client.event(mention(QUESTION))

    await wait_until(lambda: "channel_not_found" in caplog.text, what="the failure in the log")
    assert BOT_TOKEN not in caplog.text
    assert SIGNING_SECRET not in caplog.text


@contextlib.asynccontextmanager
async def serving(
    settings: SlackSettings, engine: Any, **kwargs: Any
) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(serve(settings, engine, **kwargs))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_socket_mode_envelopes_are_acked_and_answered(slack_emulator: SlackEmulator) -> None:
    event = mention(QUESTION)
    slack_emulator.envelopes.append(socket_envelope(event, envelope_id="env-1"))
    slack_emulator.envelopes.append(socket_envelope(event, envelope_id="env-2", retry_attempt=1))
    settings = slack_settings(slack_emulator, slack_app_token=APP_TOKEN, slack_signing_secret=None)
    engine = canned()

    async with serving(settings, engine):
        assert await slack_emulator.wait_for_ack("env-1") == {"envelope_id": "env-1"}
        assert await slack_emulator.wait_for_ack("env-2") == {"envelope_id": "env-2"}
        [call] = await slack_emulator.wait_for("chat.postMessage")
        assert call.body["thread_ts"] == event["event"]["ts"]
        assert "*this spring*" in section_texts(call.body)[0]

        command = slash_command("/ask", QUESTION, slack_emulator.response_url())
        await slack_emulator.push(socket_envelope(command, envelope_id="env-3"))
        ack = await slack_emulator.wait_for_ack("env-3")
        assert ack == {"envelope_id": "env-3", "payload": {"response_type": "in_channel"}}
        [respond] = await slack_emulator.wait_for("response_url")
        assert respond.body["response_type"] == "in_channel"

        await settle()
        assert len(slack_emulator.posted()) == 1  # the retried envelope was not answered again
        [opened] = slack_emulator.calls_to("apps.connections.open")
        assert opened.token == APP_TOKEN
        assert slack_emulator.connections == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_serve_in_http_mode_answers_a_signed_mention(slack_emulator: SlackEmulator) -> None:
    port = free_port()
    async with serving(slack_settings(slack_emulator), canned(), port=port, host="127.0.0.1"):

        async def healthy() -> bool:
            try:
                async with (
                    aiohttp.ClientSession() as s,
                    s.get(f"http://127.0.0.1:{port}/healthz") as r,
                ):
                    return r.status == 200
            except aiohttp.ClientConnectionError:
                return False

        deadline = time.monotonic() + 3
        while not await healthy():
            assert time.monotonic() < deadline, "serve() never started listening"
            await asyncio.sleep(0.01)
        await SignedClient(f"http://127.0.0.1:{port}/slack/events").event(mention(QUESTION))
        await slack_emulator.wait_for("chat.postMessage")
    assert slack_emulator.calls[0].method == "auth.test"


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"slack_bot_token": None}, "SLACK_BOT_TOKEN"),
        ({"slack_signing_secret": None}, "SLACK_SIGNING_SECRET"),
        ({"slack_app_token": "xoxb-mixed-up", "slack_signing_secret": None}, "SLACK_APP_TOKEN"),
        ({"slack_bot_token": "xapp-mixed-up"}, "SLACK_BOT_TOKEN"),
    ],
)
async def test_missing_settings_fail_fast_naming_the_variable(
    slack_emulator: SlackEmulator, overrides: dict[str, Any], variable: str
) -> None:
    settings = slack_settings(slack_emulator, **overrides)
    with pytest.raises(ConfigError, match=variable) as error:
        await serve(settings, canned())
    assert ".env.example" in str(error.value)
    assert "mixed-up" not in str(error.value)
    assert slack_emulator.calls == []  # before any network


async def test_rejected_token_fails_at_start_naming_the_variable(
    slack_emulator: SlackEmulator,
) -> None:
    settings = slack_settings(slack_emulator, slack_bot_token="xoxb-revoked")
    with pytest.raises(ConfigError, match=r"SLACK_BOT_TOKEN.*invalid_auth") as error:
        await serve(settings, canned())
    assert "xoxb-revoked" not in str(error.value)


def test_manifest_subscribes_to_what_the_adapter_handles() -> None:
    # Found the way an installed briefbot finds it: as package data of handlers.slack.
    manifest = yaml.safe_load(
        resources.files("handlers.slack").joinpath("manifest.yml").read_text()
    )
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == {"/ask", "/brief", "/sources", "/help", "/digest", "/feeds"}
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_mention", "message.channels", "message.groups", "message.im"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "im:history"} <= scopes
    # /digest reads the subscriber's time zone and checks the bot is in the channel.
    assert {"users:read", "channels:read", "groups:read"} <= scopes
    assert manifest["settings"]["socket_mode_enabled"] is True
