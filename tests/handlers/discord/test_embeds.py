"""Answers and briefings as Discord receives them: embeds, escaped, never pinging, in limits."""

from __future__ import annotations

from bot.models import BriefItem
from tests.emulators.discord import EPHEMERAL, DiscordEmulator
from tests.handlers.discord_setup import ARTICLE, SPRING, bot_for, only_embed, passage, scripted


async def test_ask_in_a_guild_quotes_in_bold_with_a_linked_citation(
    discord_emulator: DiscordEmulator,
) -> None:
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


async def test_unanswerable_question_says_so_with_the_hint(
    discord_emulator: DiscordEmulator,
) -> None:
    bot = bot_for(discord_emulator, scripted([]))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="who won the cup?")
        )
        embed = only_embed(await call.message())
    assert embed["description"] == (
        "Nothing in the corpus answers that. I follow Japanese politics and trade."
    )


async def test_mentions_and_markdown_are_shown_never_triggered(
    discord_emulator: DiscordEmulator,
) -> None:
    quote = "Aides told @everyone and <@123456789012345678> to *wait* for __spring__."
    bot = bot_for(discord_emulator, scripted([passage(quote, "spring")]))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="@everyone @here when? <@&123456789012345678>")
        )
        message = await call.message()
    assert message["allowed_mentions"] == {"parse": []}
    embed = only_embed(message)
    assert embed["title"] == "when?"  # mentions address the message; they are not the question
    description = embed["description"]
    assert "@\u200beveryone" in description and "<@\u200b123456789012345678>" in description
    assert r"\*wait\*" in description and r"\_\_**spring**\_\_" in description


async def test_long_answers_fit_discord_limits(discord_emulator: DiscordEmulator) -> None:
    long_quote = "The minister said " + "very " * 800 + "this spring."
    passages = [passage(long_quote, "this spring") for _ in range(5)]
    bot = bot_for(discord_emulator, scripted(passages))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("ask", question="x" * 300))
        embed = only_embed(await call.message())
    # The emulator rejects an over-long embed, so getting here means the limits held.
    assert len(embed["description"]) <= 4096 and len(embed["title"]) <= 256
    assert embed["description"].count("> The minister said") == 5


async def test_brief_on_a_topic_lists_articles(discord_emulator: DiscordEmulator) -> None:
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


async def test_long_briefing_fits_the_embed_total(discord_emulator: DiscordEmulator) -> None:
    items = [BriefItem(article=ARTICLE, lead="Long lead. " * 200) for _ in range(25)]
    bot = bot_for(discord_emulator, scripted(items=items))
    async with discord_emulator.running(bot):
        call = await discord_emulator.interact(discord_emulator.command("brief"))
        embed = only_embed(await call.message())
    # The emulator rejects an embed over 6,000 characters; the newest items are kept.
    assert embed["title"] == "Latest articles"
    assert 1 <= len(embed["fields"]) < 25
    assert all(len(f["value"]) <= 1024 for f in embed["fields"])
