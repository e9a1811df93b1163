"""What the Slack adapter tests share: the fake core's fixtures, settings for the emulator, and
``start_bot``, an HTTP-mode app on 127.0.0.1 (registered as a pytest plugin in tests/conftest.py).

Most tests use the fake core (:class:`tests.fakes.FakeEngine`) so they check the adapter, not the
search; tests that take the ``engine`` fixture run the real engine over the bundled corpus.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from aiohttp import web

from bot.models import ArticleRef, BriefItem, CorpusStats, Passage
from handlers.settings import AppSettings
from handlers.slack.app import build_app, build_web_app
from handlers.slack.http_mode import listen
from tests import fakes
from tests.conftest import make_settings
from tests.emulators.slack import BOT_TOKEN, SIGNING_SECRET, SignedClient, SlackEmulator
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


def slack_settings(emulator: SlackEmulator, **overrides: Any) -> AppSettings:
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

    async def start(engine: Any = None, deliveries: Any = None, **overrides: Any) -> HttpBot:
        engine = canned() if engine is None else engine
        settings = slack_settings(slack_emulator, **overrides)
        app = build_app(settings, engine, deliveries=deliveries)
        secret = settings.slack_signing_secret.get_secret_value()  # type: ignore[union-attr]
        web_app = build_web_app(app, engine, signing_secret=secret)
        runner = await listen(web_app, "127.0.0.1", 0)
        runners.append(runner)
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
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


PINGS = ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S0123|@ops>", "<@U999>"]
