"""The Discord adapter end to end: real discord.py against the local emulator on 127.0.0.1.

Most tests use the fake core (:class:`tests.fakes.FakeEngine`) so the rendering is checked against
known passages; the ``bundled_corpus`` tests run the real engine.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.errors import ConfigError
from bot.models import ArticleRef, BriefItem, Passage
from handlers import discord as adapter
from tests import fakes
from tests.conftest import make_settings
from tests.emulators.discord import (
    APP_ID,
    CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    DiscordEmulator,
    Focused,
)
from tests.fakes import FakeEngine

PAYLOADS = Path(__file__).parent / "payloads" / "discord"
QUICK = {"guild_ready_timeout": 0.01}

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
    emulator: DiscordEmulator, engine: Any, *, defer_after: float = adapter.DEFER_AFTER, **env: Any
) -> adapter.BriefBot:
    settings = make_settings(**emulator.settings_env(**env))
    return adapter.build_bot(settings, engine, defer_after=defer_after, **QUICK)


def only_embed(message: dict[str, Any]) -> dict[str, Any]:
    assert len(message["embeds"]) == 1, message
    return message["embeds"][0]


# -- start-up -----------------------------------------------------------------------------------


async def test_commands_are_synced_globally_with_valid_definitions(discord_emulator):
    async with discord_emulator.running(bot_for(discord_emulator, scripted())):
        sync = await discord_emulator.wait_for_request("PUT", r"/applications/\d+/commands")
    expected = json.loads((PAYLOADS / "commands.json").read_text(encoding="utf-8"))
    assert sync.json == expected
    brief = next(c for c in sync.json if c["name"] == "brief")
    assert brief["options"][0]["autocomplete"] is True
    assert all(c["contexts"] == [0, 1, 2] and c["integration_types"] == [0, 1] for c in sync.json)
    assert discord_emulator.identify is not None


async def test_commands_sync_to_the_configured_guild(discord_emulator):
    bot = bot_for(discord_emulator, scripted(), discord_guild_id=int(GUILD_ID))
    async with discord_emulator.running(bot):
        pass
    puts = [r.path for r in discord_emulator.requests if r.method == "PUT"]
    assert puts == [f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"]
    assert {c["name"] for c in discord_emulator.commands[GUILD_ID]} == {"ask", "brief", "sources"}


# -- /ask ---------------------------------------------------------------------------------------


async def test_ask_in_a_guild_quotes_in_bold_with_a_linked_citation(discord_emulator):
    bot = bot_for(discord_emulator, scripted([SPRING]))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="when is Takaichi visiting the US?")
        )
        message = await call.message()
    assert call.response_type == 4
    assert not message.get("flags", 0) & EPHEMERAL
    embed = only_embed(message)
    assert embed["title"] == "when is Takaichi visiting the US?"
    assert embed["description"] == (
        "> Prime Minister Takaichi will visit the US **this spring**, officials said.\n"
        "— [Takaichi plans US visit](https://example.com/news/takaichi%20%28visit%29)"
        " · Kyodo · 5 Jan 2026"
    )
    assert embed["footer"]["text"] == "Searched 12 articles"


async def test_ask_in_a_dm_is_answered(discord_emulator):
    bot = bot_for(discord_emulator, scripted([SPRING]))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", dm=True, question="when is Takaichi visiting?")
        )
        embed = only_embed(await call.message())
    assert "**this spring**" in embed["description"]


async def test_private_ask_is_ephemeral(discord_emulator):
    bot = bot_for(discord_emulator, scripted([SPRING]))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="when?", private=True)
        )
        message = await call.message()
    assert message["flags"] & EPHEMERAL


async def test_unanswerable_question_says_so_with_the_hint(discord_emulator):
    bot = bot_for(discord_emulator, scripted([]))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="who won the cup?")
        )
        embed = only_embed(await call.message())
    assert embed["description"] == (
        "Nothing in the corpus answers that. I follow Japanese politics and trade."
    )


async def test_bundled_corpus_answer_quotes_this_spring(discord_emulator, engine):
    """The real engine over the bundled corpus (needs the real Engine, not the stub)."""
    bot = bot_for(discord_emulator, engine)
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="when is Takaichi visiting the US?")
        )
        embed = only_embed(await call.message())
    assert "this spring" in embed["description"]
    assert embed["description"].startswith("> ")
    assert embed["footer"]["text"].startswith("Searched ")


async def test_bundled_corpus_topics_and_briefing(discord_emulator, engine):
    bot = bot_for(discord_emulator, engine)
    async with discord_emulator.running(bot):
        typing = await discord_emulator.interact(
            discord_emulator.autocomplete("brief", topic=Focused("Taka"))
        )
        choices = await typing.choices()
        call = await discord_emulator.interact(discord_emulator.command("brief", topic="Takaichi"))
        embed = only_embed(await call.message())
    assert "Takaichi" in [c["value"] for c in choices]
    assert embed["title"] == "Briefing: Takaichi"
    assert any("this spring" in f["value"] for f in embed["fields"])


async def test_mentions_and_markdown_are_shown_never_triggered(discord_emulator):
    quote = "Aides told @everyone and <@123456789012345678> to *wait* for __spring__."
    bot = bot_for(discord_emulator, scripted([passage(quote, "spring")]))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="@everyone @here when? <@&123456789012345678>")
        )
        message = await call.message()
    assert message["allowed_mentions"] == {"parse": []}
    embed = only_embed(message)
    assert "@everyone" not in embed["title"] and "@here" not in embed["title"]
    assert "@\u200beveryone" in embed["title"] and "<@\u200b&123456789012345678>" in embed["title"]
    description = embed["description"]
    assert "@\u200beveryone" in description and "<@\u200b123456789012345678>" in description
    assert r"\*wait\*" in description and r"\_\_**spring**\_\_" in description


async def test_long_answers_fit_discord_limits(discord_emulator):
    long_quote = "The minister said " + "very " * 800 + "this spring."
    passages = [passage(long_quote, "this spring") for _ in range(5)]
    bot = bot_for(discord_emulator, scripted(passages))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="x" * 300))
        embed = only_embed(await call.message())
    # The emulator rejects an over-long embed, so getting here means the limits held.
    assert len(embed["description"]) <= 4096 and len(embed["title"]) <= 256
    assert embed["description"].count("> The minister said") == 5


# -- deferring ----------------------------------------------------------------------------------


async def test_slow_answer_is_deferred_then_edited_in(discord_emulator):
    bot = bot_for(discord_emulator, scripted([SPRING], delay=0.3), defer_after=0.05)
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
        message = await call.message()
    assert call.callbacks == [{"type": 5}]
    assert "**this spring**" in only_embed(message)["description"]
    assert message["allowed_mentions"] == {"parse": []}


async def test_slow_private_answer_is_deferred_ephemerally(discord_emulator):
    bot = bot_for(discord_emulator, scripted([SPRING], delay=0.3), defer_after=0.05)
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="when?", private=True)
        )
        message = await call.message()
    assert call.callbacks == [{"type": 5, "data": {"flags": EPHEMERAL}}]
    assert message["flags"] & EPHEMERAL


async def test_large_corpus_defers_at_once(discord_emulator):
    bot = bot_for(discord_emulator, scripted([SPRING], offloads=True))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
        await call.message()
    assert call.deferred


async def test_rate_limited_answer_is_retried_by_discord_py(discord_emulator):
    bot = bot_for(discord_emulator, scripted([SPRING], delay=0.2), defer_after=0.05)
    discord_emulator.rate_limit("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
        message = await call.message()
    edits = [r.status for r in discord_emulator.requests if r.method == "PATCH"]
    assert edits == [429, 200]
    assert "**this spring**" in only_embed(message)["description"]


# -- /brief, autocomplete, /sources -------------------------------------------------------------


async def test_brief_on_a_topic_lists_articles(discord_emulator):
    bot = bot_for(discord_emulator, scripted())
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("brief", topic="Takaichi"))
        embed = only_embed(await call.message())
    assert embed["title"] == "Briefing: Takaichi"
    assert [f["name"] for f in embed["fields"]] == [
        "5 Jan 2026 — Takaichi plans US visit",
        r"5 Jan 2026 — Tariffs \*again\*",
    ]
    assert embed["fields"][0]["value"].startswith("Takaichi will visit Washington this spring.\n")
    assert embed["footer"]["text"] == "12 articles in the corpus"


async def test_long_briefing_fits_the_embed_total(discord_emulator):
    items = [BriefItem(article=ARTICLE, lead="Long lead. " * 200) for _ in range(25)]
    bot = bot_for(discord_emulator, scripted(items=items))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("brief"))
        embed = only_embed(await call.message())
    # The emulator rejects an embed over 6,000 characters; the newest items are kept.
    assert embed["title"] == "Latest articles"
    assert 1 <= len(embed["fields"]) < 25
    assert all(len(f["value"]) <= 1024 for f in embed["fields"])


async def test_topic_autocomplete_offers_matching_choices(discord_emulator):
    topics = ["Takaichi", "Taiwan", "tariffs", "T" * 150] + [f"Tokyo {i}" for i in range(40)]
    bot = bot_for(discord_emulator, scripted(topic_names=topics))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.autocomplete("brief", topic=Focused("Ta"))
        )
        choices = await call.choices()
        many = await discord_emulator.interact(
            discord_emulator.autocomplete("brief", topic=Focused("T"))
        )
        many_choices = await many.choices()
    assert choices == [
        {"name": "Takaichi", "value": "Takaichi"},
        {"name": "Taiwan", "value": "Taiwan"},
        {"name": "tariffs", "value": "tariffs"},
    ]
    assert len(many_choices) == 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in many_choices)


async def test_sources_is_private_and_describes_the_corpus(discord_emulator):
    bot = bot_for(discord_emulator, scripted())
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("sources"))
        message = await call.message()
    assert message["flags"] & EPHEMERAL
    embed = only_embed(message)
    assert "12 articles" in embed["description"]
    assert "Kyodo (8)" in embed["description"] and "2026-01-05" in embed["description"]


# -- errors -------------------------------------------------------------------------------------


async def test_error_in_a_command_gets_a_private_message_and_a_log(discord_emulator, caplog):
    bot = bot_for(discord_emulator, scripted(error=RuntimeError("index exploded")))
    with caplog.at_level(logging.ERROR, logger="handlers.discord"):
        async with discord_emulator.running(bot):
            call = await discord_emulator.interact(
                discord_emulator.command("ask", question="when?")
            )
            message = await call.message()
    assert message == {
        "tts": False,
        "content": adapter.ERROR_TEXT,
        "flags": EPHEMERAL,
        "allowed_mentions": {"parse": []},
    }
    assert any(r.exc_info and "index exploded" in str(r.exc_info[1]) for r in caplog.records)


async def test_error_after_deferring_replaces_the_thinking_message_privately(discord_emulator):
    engine = scripted(delay=0.2, error=RuntimeError("boom"))
    bot = bot_for(discord_emulator, engine, defer_after=0.05)
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
        message = await call.message()
    assert call.deferred and call.original_deleted
    assert message["content"] == adapter.ERROR_TEXT
    assert message["flags"] & EPHEMERAL


async def test_missing_token_fails_before_any_network(discord_emulator):
    settings = make_settings(**discord_emulator.settings_env(discord_token=None))
    with pytest.raises(ConfigError, match=r"DISCORD_TOKEN.*\.env\.example"):
        await adapter.serve(settings, scripted())
    assert discord_emulator.requests == []


async def test_rejected_token_is_a_config_error(discord_emulator):
    discord_emulator.expect_errors = True
    settings = make_settings(**discord_emulator.settings_env(discord_token="wrong"))
    with pytest.raises(ConfigError, match="rejected DISCORD_TOKEN"):
        await adapter.serve(settings, scripted())
    assert [r.status for r in discord_emulator.requests] == [401]


# -- serve() and mentions -----------------------------------------------------------------------


async def test_serve_answers_until_cancelled(discord_emulator):
    settings = make_settings(**discord_emulator.settings_env())
    task = asyncio.create_task(adapter.serve(settings, scripted([SPRING])))
    await discord_emulator.until(lambda: discord_emulator.identify is not None)
    call = await discord_emulator.interact(discord_emulator.command("ask", question="when?"))
    assert "**this spring**" in only_embed(await call.message())["description"]
    assert discord_emulator.identify["token"] == "test-token"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_mention_is_answered_in_a_reply_without_pings(discord_emulator):
    engine = scripted([SPRING])
    bot = bot_for(discord_emulator, engine, discord_answer_mentions=True)
    async with discord_emulator.running(bot):
        await discord_emulator.dispatch(
            "MESSAGE_CREATE", discord_emulator.mention_message("when is Takaichi visiting?")
        )
        sent = await discord_emulator.wait_for_request("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert engine.questions == ["when is Takaichi visiting?"]
    assert sent.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert str(sent.json["message_reference"]["channel_id"]) == CHANNEL_ID
    assert "**this spring**" in sent.json["embeds"][0]["description"]
    assert discord_emulator.identify is not None
    assert discord_emulator.identify["intents"] & discord.Intents(message_content=True).value


async def test_mentions_are_ignored_unless_enabled(discord_emulator):
    engine = scripted([SPRING])
    async with discord_emulator.running(bot_for(discord_emulator, engine)):
        await discord_emulator.dispatch("MESSAGE_CREATE", discord_emulator.mention_message("hi"))
        call = await discord_emulator.interact(discord_emulator.command("sources"))
        await call.message()  # a later event was handled, so the mention was seen and skipped
    assert engine.questions == []
    assert not any(r.path.startswith("/channels/") for r in discord_emulator.requests)
