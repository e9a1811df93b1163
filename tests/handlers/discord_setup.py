"""What the Discord adapter tests share: the fake core with Discord's fixtures, and a client
built for the local emulator (``tests/emulators/discord.py``).

Most tests use the fake core (:class:`tests.fakes.FakeEngine`) so the rendering is checked against
known passages; the ``bundled_corpus`` tests run the real engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bot.api import Core
from bot.models import ArticleRef, BriefItem, Passage
from handlers.discord import client as adapter
from handlers.discord.replies import DEFER_AFTER
from tests import fakes
from tests.conftest import make_settings
from tests.emulators.discord import DiscordEmulator
from tests.fakes import FakeEngine

PAYLOADS = Path(__file__).parent / "payloads" / "discord"
QUICK: dict[str, Any] = {"guild_ready_timeout": 0.01}

ARTICLE = ArticleRef(
    id="a1",
    title="Takaichi plans US visit",
    date=dt.date(2026, 1, 5),
    source="Kyodo",
    url="https://example.com/news/takaichi (visit)",
)


def passage(quote: str, words: str) -> Passage:
    return fakes.passage(quote, words, ARTICLE)


ITEMS = [
    BriefItem(article=ARTICLE, lead="Takaichi will visit Washington this spring."),
    BriefItem(
        article=ARTICLE.model_copy(update={"id": "a2", "title": "Tariffs *again*"}),
        lead="Talks resume.",
    ),
]


def scripted(passages: list[Passage] | None = None, **kwargs: Any) -> FakeEngine:
    """The fake core with Discord's fixtures: two briefing items by default."""
    kwargs.setdefault("items", ITEMS)
    return FakeEngine(passages=passages or [], **kwargs)


SPRING = passage(
    "Prime Minister Takaichi will visit the US this spring, officials said.", "this spring"
)


def bot_for(
    emulator: DiscordEmulator, engine: Core, *, defer_after: float = DEFER_AFTER, **env: Any
) -> adapter.BriefBot:
    settings = make_settings(**emulator.settings_env(**env))
    return adapter.build_bot(settings, engine, defer_after=defer_after, **QUICK)


def only_embed(message: dict[str, Any]) -> dict[str, Any]:
    assert len(message["embeds"]) == 1, message
    embed: dict[str, Any] = message["embeds"][0]
    return embed
