"""The Slack adapter end to end: signed HTTP and Socket Mode into the real slack-bolt, out to the
local Slack emulator (``tests/emulators/slack.py``). Assertions are on what Slack would receive.

Most tests use the fake core (:class:`tests.fakes.FakeEngine`) so they check the adapter, not the
search; the tests named ``..._bundled_corpus`` and ``..._corpus_text_...``, and the over-long
question, use the real engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import yaml
from aiohttp import web

from bot.engine import Engine
from bot.errors import ConfigError
from bot.models import ArticleRef, BriefItem, CorpusStats, Passage
from bot.settings import Settings
from handlers import slack
from handlers.slack import ZWSP, build_app, build_web_app, serve
from tests import fakes
from tests.conftest import make_settings
from tests.emulators.slack import (
    APP_TOKEN,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    SIGNING_SECRET,
    SignedClient,
    SlackEmulator,
    direct_message,
    mention,
    slash_command,
    socket_envelope,
    thread_reply,
    wait_until,
)
from tests.fakes import FakeEngine

QUESTION = "when is Takaichi visiting the US?"
ARTICLE = ArticleRef(
    id="yomiuri-2026-01-03",
    title="Japan, U.S. to arrange Takaichi visit",
    date=dt.date(2026, 1, 3),
    source="The Yomiuri Shimbun",
    url="https://example.com/takaichi?x=1&y=2",
)
SPRING = (
    "Prime Minister Sanae Takaichi and U.S. President Donald Trump have agreed to begin "
    "specific arrangements for her to visit the United States this spring."
)
CITATION = (
    "<https://example.com/takaichi?x=1&amp;y=2|Japan, U.S. to arrange Takaichi visit>"
    " · The Yomiuri Shimbun · 3 Jan 2026"
)


def passage(quote: str, hot: str) -> Passage:
    return fakes.passage(quote, hot, ARTICLE)


def canned(passages: list[Passage] | None = None) -> FakeEngine:
    """The fake core answering with the spring passage (or ``passages``)."""
    return FakeEngine(
        passages=[passage(SPRING, "this spring")] if passages is None else passages,
        hint="I know about Japan-U.S. relations.",
        items=[BriefItem(article=ARTICLE, lead=SPRING, tags=["japan"])],
        corpus=CorpusStats(articles=1, passages=12, sources={"The Yomiuri Shimbun": 1}),
    )


def slack_settings(emulator: SlackEmulator, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": emulator.base_url,
    }
    return make_settings(**{**values, **overrides})


async def settle() -> None:
    """Let bolt's background listeners finish before asserting that nothing more was sent."""
    await asyncio.sleep(0.1)


@dataclass
class HttpBot:
    """An HTTP-mode app on 127.0.0.1, its signed client and the emulator it talks to."""

    url: str
    client: SignedClient
    emulator: SlackEmulator
    engine: Any  # FakeEngine, or the real engine


@pytest_asyncio.fixture
async def start_bot(
    slack_emulator: SlackEmulator,
) -> AsyncIterator[Callable[..., Awaitable[HttpBot]]]:
    """Start ``build_web_app(build_app(...))`` on port 0 with a given engine and settings."""
    runners: list[web.AppRunner] = []

    async def start(engine: Any = None, **overrides: Any) -> HttpBot:
        engine = canned() if engine is None else engine
        app = build_app(slack_settings(slack_emulator, **overrides), engine)
        runner = web.AppRunner(build_web_app(app, engine), access_log=None)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return HttpBot(url, SignedClient(f"{url}/slack/events"), slack_emulator, engine)

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest_asyncio.fixture
async def bot(start_bot: Callable[..., Awaitable[HttpBot]]) -> HttpBot:
    return await start_bot()


def section_texts(body: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]


def context_texts(body: dict[str, Any]) -> list[str]:
    return [e["text"] for b in body["blocks"] if b["type"] == "context" for e in b["elements"]]


# -- mentions, DMs and threads ----------------------------------------------------------------


async def test_mention_is_answered_in_thread_from_the_bundled_corpus(
    start_bot: Callable[..., Awaitable[HttpBot]], engine: Engine
) -> None:
    bot = await start_bot(engine)
    event = mention(QUESTION)
    response = await bot.client.event(event)
    assert response.status == 200

    [call] = await bot.emulator.wait_for("chat.postMessage")
    body = call.body
    assert body["channel"] == CHANNEL_ID
    assert body["thread_ts"] == event["event"]["ts"]
    assert body["unfurl_links"] is False
    assert "link_names" not in body
    quotes = section_texts(body)
    assert 1 <= len(quotes) <= 3
    assert all(q.startswith("> ") for q in quotes)
    assert "this spring" in quotes[0]
    assert "*" in quotes[0]  # the answering words are bold
    citations = context_texts(body)
    assert len(citations) == len(quotes)
    assert "Yomiuri" in citations[0] or "2026" in citations[0]
    assert "this spring" in body["text"]


async def test_mention_renders_bold_quote_and_linked_citation(bot: HttpBot) -> None:
    event = mention(QUESTION)
    await bot.client.event(event)

    [call] = await bot.emulator.wait_for("chat.postMessage")
    assert call.token == BOT_TOKEN
    assert call.body["blocks"] == [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "> " + SPRING[:-12] + "*this spring*."},
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": CITATION}]},
    ]
    assert call.body["text"] == (
        f"“{SPRING}” — Japan, U.S. to arrange Takaichi visit, The Yomiuri Shimbun, 3 Jan 2026"
    )
    assert call.body["thread_ts"] == event["event"]["ts"]
    assert bot.engine.questions == [QUESTION]


async def test_at_most_three_passages_are_posted(
    start_bot: Callable[..., Awaitable[HttpBot]],
) -> None:
    bot = await start_bot(canned([passage(SPRING, "this spring")] * 5))
    await bot.client.event(mention(QUESTION))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    assert len(section_texts(call.body)) == 3
    assert len(context_texts(call.body)) == 3
    assert call.body["text"].count("this spring") == 3


async def test_unanswered_question_says_so_with_the_hint(
    start_bot: Callable[..., Awaitable[HttpBot]],
) -> None:
    bot = await start_bot(canned(passages=[]))
    await bot.client.event(mention("What is the capital of France?"))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    [text] = section_texts(call.body)
    assert text == "Nothing in the corpus answers that. I know about Japan-U.S. relations."


async def test_direct_message_is_answered_without_mention(bot: HttpBot) -> None:
    await bot.client.event(direct_message(QUESTION))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    assert call.body["channel"] == DM_CHANNEL_ID
    assert "thread_ts" not in call.body
    assert "*this spring*" in section_texts(call.body)[0]
    assert bot.engine.questions == [QUESTION]


async def test_follow_up_in_answered_thread_is_answered_without_mention(bot: HttpBot) -> None:
    root = mention(QUESTION)
    await bot.client.event(root)
    await bot.emulator.wait_for("chat.postMessage")

    root_ts = root["event"]["ts"]
    await bot.client.event(thread_reply("who requested the call?", root_ts))

    calls = await bot.emulator.wait_for("chat.postMessage", 2)
    assert calls[1].body["thread_ts"] == root_ts
    assert bot.engine.questions == [QUESTION, "who requested the call?"]


async def test_thread_reply_with_mention_is_answered_once(bot: HttpBot) -> None:
    root = mention(QUESTION)
    await bot.client.event(root)
    await bot.emulator.wait_for("chat.postMessage")
    root_ts = root["event"]["ts"]

    # Slack sends both a message.channels and an app_mention event for this one message.
    reply = thread_reply(f"<@{BOT_USER_ID}> and when in spring?", root_ts)
    also = mention("and when in spring?", ts=reply["event"]["ts"], thread_ts=root_ts)
    await bot.client.event(reply)
    await bot.client.event(also)

    calls = await bot.emulator.wait_for("chat.postMessage", 2)
    await settle()
    assert len(bot.emulator.posted()) == 2
    assert calls[1].body["thread_ts"] == root_ts
    assert bot.engine.questions == [QUESTION, "and when in spring?"]


async def test_threads_the_bot_never_answered_in_are_ignored(bot: HttpBot) -> None:
    await bot.client.event(thread_reply("unrelated chatter", "1767000000.000001"))
    await settle()
    assert bot.emulator.posted() == []
    assert bot.engine.questions == []


async def test_bot_messages_edits_and_own_messages_are_ignored(bot: HttpBot) -> None:
    root = mention(QUESTION)
    await bot.client.event(root)
    await bot.emulator.wait_for("chat.postMessage")
    root_ts = root["event"]["ts"]

    ignored = [
        thread_reply("Here is what I found", root_ts, user=BOT_USER_ID, bot_id=BOT_ID),
        thread_reply("beep", root_ts, user=None, bot_id="B999", subtype="bot_message"),
        direct_message("beep", bot_id="B999", user="U999"),
        direct_message("my own echo", user=BOT_USER_ID),
        direct_message(QUESTION, subtype="message_changed"),
        direct_message(QUESTION, subtype="message_deleted"),
        mention(QUESTION, edited={"user": "U222", "ts": "1767225600.000999"}),
    ]
    for event in ignored:
        assert (await bot.client.event(event)).status == 200
    await settle()
    assert len(bot.emulator.posted()) == 1
    assert bot.engine.questions == [QUESTION]


async def test_empty_mention_gets_help(bot: HttpBot) -> None:
    await bot.client.event(mention(""))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    assert "Ask me a question" in section_texts(call.body)[0]
    assert "/ask" in context_texts(call.body)[0]
    assert bot.engine.questions == []


async def test_over_long_question_is_cut_and_answered_with_a_notice(
    start_bot: Callable[..., Awaitable[HttpBot]], engine: Engine
) -> None:
    bot = await start_bot(engine, briefbot_max_question_chars=1000)
    await bot.client.event(mention(" ".join([QUESTION] * 40)))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    notice = context_texts(call.body)[0]
    assert notice.startswith("Your question was 1,359 characters long; I only read the first")
    assert "this spring" in section_texts(call.body)[0]
    assert call.body["text"].startswith(notice)


# -- slash commands -----------------------------------------------------------------------------


async def test_ask_command_acks_then_answers_in_channel(bot: HttpBot) -> None:
    form = slash_command("/ask", QUESTION, bot.emulator.response_url())
    response = await bot.client.command(form)
    assert response.status == 200
    assert response.json() == {"response_type": "in_channel"}

    [call] = await bot.emulator.wait_for("response_url")
    assert call.body["response_type"] == "in_channel"
    assert call.body["unfurl_links"] is False
    assert "*this spring*" in section_texts(call.body)[0]
    assert context_texts(call.body) == [CITATION]
    assert "authorization" not in call.headers
    assert bot.emulator.posted() == []


@pytest.mark.parametrize("flag", ["-p", "--private"])
async def test_ask_private_flag_answers_ephemerally(bot: HttpBot, flag: str) -> None:
    response = await bot.client.command(
        slash_command("/ask", f"{flag} {QUESTION}", bot.emulator.response_url())
    )
    assert (response.status, response.text) == (200, "")

    [call] = await bot.emulator.wait_for("response_url")
    assert call.body["response_type"] == "ephemeral"
    assert bot.engine.questions == [QUESTION]


async def test_empty_ask_gets_private_help(bot: HttpBot) -> None:
    await bot.client.command(slash_command("/ask", "  ", bot.emulator.response_url()))

    [call] = await bot.emulator.wait_for("response_url")
    assert call.body["response_type"] == "ephemeral"
    assert "Ask me a question" in section_texts(call.body)[0]


async def test_brief_command_lists_articles_via_response_url(bot: HttpBot) -> None:
    response = await bot.client.command(
        slash_command("/brief", "japan", bot.emulator.response_url())
    )
    assert response.status == 200

    [call] = await bot.emulator.wait_for("response_url")
    assert call.body["response_type"] == "in_channel"
    heading, item = section_texts(call.body)
    assert heading == "*Latest on “japan”*"
    assert item.startswith(CITATION + "\n")
    assert bot.engine.topics_briefed == ["japan"]


async def test_brief_command_from_the_bundled_corpus(
    start_bot: Callable[..., Awaitable[HttpBot]], engine: Engine
) -> None:
    bot = await start_bot(engine)
    await bot.client.command(slash_command("/brief", "", bot.emulator.response_url()))

    [call] = await bot.emulator.wait_for("response_url")
    assert "Takaichi" in json.dumps(call.body)


# -- HTTP mode: signatures, retries, health ------------------------------------------------------


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


async def test_retried_delivery_is_answered_once(bot: HttpBot) -> None:
    first = mention(QUESTION)
    second = mention("who requested the call?")
    # A retry racing the first delivery, and a late one after the answer went out.
    responses = await asyncio.gather(bot.client.event(first), bot.client.event(first, retry_num=1))
    assert [r.status for r in responses] == [200, 200]
    await bot.emulator.wait_for("chat.postMessage")
    assert (await bot.client.event(first, retry_num=2)).status == 200
    await bot.client.event(second)
    await bot.emulator.wait_for("chat.postMessage", 2)
    await settle()
    assert len(bot.emulator.posted()) == 2
    assert bot.engine.questions == [QUESTION, "who requested the call?"]


async def test_retry_of_a_delivery_that_never_arrived_is_answered(bot: HttpBot) -> None:
    # The first delivery was lost (restart, outage): the retry is the only chance to answer.
    await bot.client.event(mention(QUESTION), retry_num=1)
    await bot.emulator.wait_for("chat.postMessage")
    assert bot.engine.questions == [QUESTION]


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


# -- never ping, never format --------------------------------------------------------------------

PINGS = ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S0123|@ops>", "<@U999>"]


async def test_broadcasts_in_the_question_never_reach_slack(bot: HttpBot) -> None:
    bot.engine.passages = []  # the not-found wording, so nothing but the question could ping
    await bot.client.event(mention(f"{' '.join(PINGS)} when is the visit?"))
    await bot.client.command(
        slash_command("/ask", "<!channel> when is the visit?", bot.emulator.response_url())
    )

    [post] = await bot.emulator.wait_for("chat.postMessage")
    [respond] = await bot.emulator.wait_for("response_url")
    for body in (post.body, respond.body):
        assert not any(p in json.dumps(body) for p in PINGS)
    # Slack's encoded mentions reach the core as the plain words the person typed.
    assert bot.engine.questions[0] == "@channel @here @everyone @ops @U999 when is the visit?"


async def test_markup_in_corpus_text_renders_as_written(
    start_bot: Callable[..., Awaitable[HttpBot]],
) -> None:
    quote = "Ships <!channel> & <@U999> *storm* _week_ ~soon~ `now` @here closed."
    bot = await start_bot(canned([passage(quote, "closed")]))
    await bot.client.event(mention("when are ships closed?"))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    z = ZWSP
    assert section_texts(call.body)[0] == (
        f"> Ships &lt;!channel&gt; &amp; &lt;@U999&gt; {z}*{z}storm{z}*{z} {z}_{z}week{z}_{z} "
        f"{z}~{z}soon{z}~{z} {z}`{z}now{z}`{z} @\u2060here *closed*."
    )
    assert not any(p in json.dumps(call.body) for p in PINGS)


async def test_markup_in_corpus_text_is_neutralised_from_a_real_corpus(
    write_article: Callable[..., Any], start_bot: Callable[..., Awaitable[HttpBot]]
) -> None:
    folder = write_article(
        "harbour.md",
        "Harbour closure notice",
        "2026-01-05",
        """
        The harbour master told <!channel> and <!here> that the harbour will be closed on Tuesday
        for the storm, <!everyone> <!subteam^S0123|@ops> <@U999> & *crews* _must_ ~wait~ `now`.
        """,
        source="Port Gazette",
        url="https://example.com/harbour",
    )
    engine = Engine.load(make_settings(briefbot_corpus=folder))
    bot = await start_bot(engine)
    await bot.client.event(mention("when will the harbour be closed?"))

    [call] = await bot.emulator.wait_for("chat.postMessage")
    dumped = json.dumps(call.body, ensure_ascii=False)
    assert not any(p in dumped for p in PINGS)
    assert "&lt;!channel&gt;" in dumped


async def test_long_quote_is_clipped_to_slack_limits(
    start_bot: Callable[..., Awaitable[HttpBot]],
) -> None:
    quote = "Fish & chips 🐟 " * 400 + "the harbour reopens Monday."
    bot = await start_bot(canned([passage(quote, "reopens Monday")]))
    await bot.client.event(mention("when does the harbour reopen?"))

    [call] = await bot.emulator.wait_for("chat.postMessage")  # the emulator enforces limits
    text = section_texts(call.body)[0]
    assert slack.slack_len(text) <= 3000
    assert text.endswith("…")
    assert "&amp;" in text and "& " not in text


# -- Socket Mode and serve() -------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serving(
    settings: Settings, engine: Any, **kwargs: Any
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
        return sock.getsockname()[1]


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
    manifest = yaml.safe_load(Path(slack.__file__).with_name("slack_manifest.yml").read_text())
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == {"/ask", "/brief"}
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_mention", "message.channels", "message.groups", "message.im"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "im:history"} <= scopes
    assert manifest["settings"]["socket_mode_enabled"] is True


# -- text in, text out ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "plain"),
    [
        (f"<@{BOT_USER_ID}> when is it?", "when is it?"),
        (f"<@{BOT_USER_ID}|briefbot>   when is it?", "when is it?"),
        ("ask <@U999|ann> and <@U998>", "ask @ann and @U998"),
        ("<!here> <!channel> <!subteam^S1|@ops> <!subteam^S2>", "@here @channel @ops @subteam"),
        ("news in <#C123|japan> and <#C124>", "news in #japan and #channel"),
        (
            "see <https://example.com/a?b=1&amp;c=2|the article> or <https://x.org>",
            "see the article or https://x.org",
        ),
        ("tom &amp; jerry &lt;3 &gt;", "tom & jerry <3 >"),
    ],
)
def test_question_text_reads_slack_markup_as_typed(encoded: str, plain: str) -> None:
    assert slack.question_text(encoded, BOT_USER_ID) == plain


def test_links_cannot_break_out_of_their_markup() -> None:
    assert (
        slack.SLACK.link("T", "https://x.org/a|b>c d&e") == "<https://x.org/a%7Cb%3Ec%20d&amp;e|T>"
    )
    assert slack.SLACK.link("T", "javascript:alert(1)") == "T"


def test_fit_counts_like_slack_and_never_cuts_markup() -> None:
    text = slack.fit("🐟 & " * 1000, slack.escape, 100)
    assert slack.slack_len(text) <= 100
    assert text.endswith("…")
    assert not text.rstrip("…").endswith("&am")
