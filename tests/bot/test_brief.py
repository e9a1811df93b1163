"""Briefings: the latest articles newest first, or those on a topic; topic suggestions."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.brief import LEAD_CHARS, lead
from bot.engine import Engine
from tests.conftest import make_settings

WriteArticle = Callable[..., Path]


@pytest.fixture
def newsdesk(write_article: WriteArticle) -> Engine:
    write_article(
        "a.md",
        "Rail strike ends",
        "2026-01-05",
        "Rail workers ended their transport strike on Monday. Trains ran normally.\n\n"
        "The union called the pay deal fair.",
        source="Wire",
        tags="[transport, strike]",
    )
    write_article(
        "b.md",
        "Port expansion approved",
        "2026-01-20",
        "Photo: The mayor waves to reporters at the port on Tuesday.\n\n"
        "The city approved the port expansion after a long debate. Freight transport will double.",
        source="City Post",
        tags="[port, transport]",
    )
    write_article(
        "c.md",
        "Bakery wins prize",
        "2025-12-30",
        "A family bakery won the national bread prize.",
        source="Food Weekly",
    )
    folder = write_article(
        "d.md",
        "Bus fares frozen",
        "2026-01-12",
        "The transport authority froze bus fares for another year.",
        source="City Post",
        tags="[transport]",
        caption="A bus leaves the central station.",
    )
    return Engine.load(make_settings(briefbot_corpus=folder))


def test_latest_briefing_lists_articles_newest_first(newsdesk: Engine) -> None:
    briefing = asyncio.run(newsdesk.brief())
    dates = [item.article.date for item in briefing.items]
    assert dates == sorted(dates, reverse=True)
    assert briefing.items[0].article.title == "Port expansion approved"
    assert briefing.total_articles == 4
    assert briefing.topic is None


def test_briefing_respects_the_item_limit(newsdesk: Engine) -> None:
    assert len(asyncio.run(newsdesk.brief(limit=2)).items) == 2
    small = Engine(newsdesk.articles, make_settings(briefbot_brief_items=1))
    assert len(asyncio.run(small.brief()).items) == 1


def test_topic_briefing_keeps_only_articles_on_the_topic(newsdesk: Engine) -> None:
    briefing = asyncio.run(newsdesk.brief("transport"))
    titles = [item.article.title for item in briefing.items]
    assert set(titles) == {"Rail strike ends", "Port expansion approved", "Bus fares frozen"}
    dates = [item.article.date for item in briefing.items]
    assert dates == sorted(dates, reverse=True)
    assert briefing.topic == "transport"


def test_topic_briefing_includes_articles_tagged_with_the_topic(
    write_article: WriteArticle,
) -> None:
    write_article(
        "a.md",
        "Ferry timetable changes",
        "2026-01-02",
        "Ferries will sail hourly from March.",
        tags="[transport]",
    )
    folder = write_article(
        "b.md",
        "Bus fares frozen",
        "2026-01-12",
        "The transport authority froze bus fares. Transport unions welcomed it.",
        tags="[transport]",
    )
    eng = Engine.load(make_settings(briefbot_corpus=folder))
    titles = {i.article.title for i in asyncio.run(eng.brief("transport")).items}
    assert titles == {"Ferry timetable changes", "Bus fares frozen"}


def test_topic_briefing_finds_body_words_and_typos(newsdesk: Engine) -> None:
    assert [i.article.title for i in asyncio.run(newsdesk.brief("bakery")).items] == [
        "Bakery wins prize"
    ]
    assert [i.article.title for i in asyncio.run(newsdesk.brief("bakkery")).items] == [
        "Bakery wins prize"
    ]


def test_unknown_topic_gives_an_empty_briefing_with_a_hint(newsdesk: Engine) -> None:
    briefing = asyncio.run(newsdesk.brief("Antarctica"))
    assert briefing.items == []
    assert briefing.hint and "4 articles" in briefing.hint


def test_lead_is_never_the_photo_caption(newsdesk: Engine) -> None:
    leads = {i.article.title: i.lead for i in asyncio.run(newsdesk.brief()).items}
    assert leads["Port expansion approved"].startswith("The city approved the port expansion")
    assert "waves" not in leads["Port expansion approved"]
    assert leads["Bus fares frozen"].startswith("The transport authority")


def test_seed_briefing_lead_is_the_first_sentence_not_the_caption(engine: Engine) -> None:
    (item,) = asyncio.run(engine.brief()).items
    assert item.lead.startswith("Prime Minister Sanae Takaichi and U.S. President Donald Trump")
    assert "speaks to the press" not in item.lead


def test_lead_is_capped_at_a_word_with_an_ellipsis(write_article: WriteArticle) -> None:
    body = "The minister " + " ".join(["announced a plan"] * 60) + "."
    folder = write_article("a.md", "Long", "2026-01-01", body)
    art = Engine.load(make_settings(briefbot_corpus=folder)).articles[0]
    text = lead(art)
    assert len(text) <= LEAD_CHARS
    assert text.endswith("…")
    assert body.startswith(text[:-1])


def test_short_first_sentence_lead_takes_the_second_too(newsdesk: Engine) -> None:
    art = next(a for a in newsdesk.articles if a.title == "Rail strike ends")
    assert lead(art) == "Rail workers ended their transport strike on Monday. Trains ran normally."


def test_topics_for_autocomplete_are_bounded(newsdesk: Engine, engine: Engine) -> None:
    for eng in (newsdesk, engine):
        suggestions = asyncio.run(eng.topics("", 25))
        assert 0 < len(suggestions) <= 25
        assert all(0 < len(t) <= 100 for t in suggestions)
        assert len(suggestions) == len({t.lower() for t in suggestions})


def test_topics_match_a_prefix_first(newsdesk: Engine, engine: Engine) -> None:
    assert asyncio.run(newsdesk.topics("trans"))[0] == "transport"
    assert all("tak" in t.lower() for t in asyncio.run(engine.topics("tak")))
    assert "Sanae Takaichi" in asyncio.run(engine.topics("sanae"))


def test_topics_never_exceed_25_or_100_characters_on_a_big_corpus(
    write_article: WriteArticle,
) -> None:
    folder: Path | None = None
    for n in range(40):
        folder = write_article(
            f"{n}.md",
            f"Story {n} " + "with an extremely long headline " * 6,
            f"2026-01-{n % 28 + 1:02d}",
            f"Governor Alice Smith met Mayor Bob Jones about item {n}.",
            tags=f"[topic{n}, shared]",
        )
    eng = Engine.load(make_settings(briefbot_corpus=folder))
    for prefix in ("", "s", "story", "topic", "zzz"):
        found = asyncio.run(eng.topics(prefix))
        assert len(found) <= 25
        assert all(len(t) <= 100 for t in found)


async def test_a_topic_nothing_matches_gets_topics_that_do(engine: Engine) -> None:
    briefing = await engine.brief("France")
    assert briefing.items == []
    assert "Japan" in briefing.suggestions
    for topic in briefing.suggestions:
        assert (await engine.brief(topic)).items, topic


async def test_a_briefing_that_matched_suggests_nothing(engine: Engine) -> None:
    assert (await engine.brief("Takaichi")).suggestions == []


def test_among_articles_of_one_date_the_most_recently_added_file_comes_first(
    write_article: WriteArticle,
) -> None:
    folder = write_article(
        "old.md", "Zoo opens new wing", "2026-02-01", "The city zoo opened a wing."
    )
    write_article("new.md", "Airport adds routes", "2026-02-01", "The city airport added routes.")
    write_article("older.md", "Museum reopens", "2026-01-31", "The city museum reopened.")
    os.utime(folder / "older.md", ns=(3 * 10**18, 3 * 10**18))  # newest file, older date
    os.utime(folder / "old.md", ns=(1 * 10**18, 1 * 10**18))
    os.utime(folder / "new.md", ns=(2 * 10**18, 2 * 10**18))
    engine = Engine.load(make_settings(briefbot_corpus=folder))

    latest = [i.article.title for i in asyncio.run(engine.brief()).items]
    on_topic = [i.article.title for i in asyncio.run(engine.brief("city")).items]

    assert latest == ["Airport adds routes", "Zoo opens new wing", "Museum reopens"]
    assert on_topic == latest


def test_in_a_collection_later_lines_of_one_date_come_first(tmp_path: Path) -> None:
    lines = [
        {"id": f"a{n}", "title": title, "date": "2026-02-01", "body": f"{title} today."}
        for n, title in enumerate(["Alpha story", "Zulu story", "Mike story"])
    ]
    (tmp_path / "bulk.jsonl").write_text("\n".join(map(json.dumps, lines)) + "\n")
    engine = Engine.load(make_settings(briefbot_corpus=tmp_path))

    titles = [i.article.title for i in asyncio.run(engine.brief()).items]

    assert titles == ["Mike story", "Zulu story", "Alpha story"]


def test_topics_offer_names_and_subjects_never_weekdays_or_months(
    write_article: WriteArticle,
) -> None:
    for i, (day, month) in enumerate([("Monday", "March"), ("Friday", "July"), ("Monday", "May")]):
        folder = write_article(
            f"t{i}.md",
            f"Harbour works, part {i}",
            "2026-01-05",
            f"Work on the harbour resumed on {day}, said Mayor Ana Kovač. "
            f"The next stage starts in {month}, Mayor Ana Kovač added.\n\n"
            f"The board met again on {day}. The board votes in {month}.",
        )
    engine = Engine.load(make_settings(briefbot_corpus=folder))
    offered = asyncio.run(engine.topics("", 25))
    assert any("Ana Kovač" in t for t in offered), offered
    dates = {"Monday", "Friday", "March", "July", "May"}
    assert not dates & set(offered), offered
    assert not dates & set(asyncio.run(engine.topics("m", 25)))
    assert not dates & set(engine.hint.replace(",", " ").replace(".", " ").split())


def test_a_period_keeps_only_articles_dated_in_it(newsdesk: Engine) -> None:
    today = dt.date(2026, 1, 21)
    week = newsdesk.brief_sync("this week", today=today)
    assert [i.article.title for i in week.items] == ["Port expansion approved"]
    assert week.period == "this week (since 2026-01-19)" and week.topic is None
    since = newsdesk.brief_sync("transport since 2026-01-06", today=today)
    assert [i.article.title for i in since.items] == ["Port expansion approved", "Bus fares frozen"]
    assert since.topic == "transport"


def test_an_empty_period_says_so_with_what_the_corpus_covers(newsdesk: Engine) -> None:
    briefing = newsdesk.brief_sync("today", today=dt.date(2026, 3, 1))
    assert briefing.items == [] and briefing.period == "today (2026-03-01)"
    assert briefing.hint and "2025-12-30 to 2026-01-20" in briefing.hint
