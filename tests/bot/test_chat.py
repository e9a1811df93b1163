"""The conversation path shared by every adapter: one message in, one platform-neutral Reply out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.chat import Chat
from bot.engine import Engine
from bot.models import AnswerReply, BriefingReply, TextReply
from tests.conftest import make_settings


@pytest.fixture
def chat(engine: Engine) -> Chat:
    return Chat(engine)


async def test_question_gets_an_answer_reply(chat: Chat) -> None:
    reply = await chat.handle("when is Takaichi visiting the US?")
    assert isinstance(reply, AnswerReply)
    assert reply.answer.answered
    assert "this spring" in reply.answer.passages[0].quote


async def test_ask_command_is_the_same_as_a_plain_question(chat: Chat) -> None:
    plain = await chat.handle("when is Takaichi visiting the US?")
    command = await chat.handle("/ask when is Takaichi visiting the US?")
    assert isinstance(command, AnswerReply) and isinstance(plain, AnswerReply)
    assert command.answer.passages == plain.answer.passages


@pytest.mark.parametrize("text", ["/help", "help", "/HELP", "", "   ", "/", "/ask", "/ask   "])
async def test_help_and_empty_messages_get_the_help_text(chat: Chat, text: str) -> None:
    reply = await chat.handle(text)
    assert reply == TextReply(kind="help", text=await chat.help_text())
    assert "/brief" in reply.text and "/sources" in reply.text


@pytest.mark.parametrize("text", ["hi", "Hello!", "hey", "thanks", "Thank you.", "good morning"])
async def test_greetings_get_the_help_text_not_a_search(chat: Chat, text: str) -> None:
    reply = await chat.handle(text)
    assert reply == TextReply(kind="help", text=await chat.help_text())


async def test_brief_command_lists_the_latest_articles(chat: Chat) -> None:
    reply = await chat.handle("/brief")
    assert isinstance(reply, BriefingReply)
    assert reply.briefing.topic is None
    assert [i.article.title for i in reply.briefing.items] == [
        "Takaichi, Trump Agree to Arrange Her U.S. Visit This Spring"
    ]


async def test_brief_command_with_a_topic(chat: Chat) -> None:
    on = await chat.handle("/brief Takaichi")
    off = await chat.handle("/brief football")
    assert isinstance(on, BriefingReply) and isinstance(off, BriefingReply)
    assert on.briefing.topic == "Takaichi"
    assert len(on.briefing.items) == 1
    assert off.briefing.items == []
    assert off.briefing.hint


async def test_sources_command_describes_the_corpus(chat: Chat, engine: Engine) -> None:
    reply = await chat.handle("/sources")
    assert isinstance(reply, TextReply) and reply.kind == "notice"
    assert "1 article " in reply.text
    assert "The Yomiuri Shimbun (1)" in reply.text
    assert "2026-01-03" in reply.text
    assert f"{len(engine.sentence_table)} passages" in reply.text


async def test_unknown_command_names_it_and_shows_help(chat: Chat) -> None:
    reply = await chat.handle("/weather tokyo")
    assert isinstance(reply, TextReply) and reply.kind == "help"
    assert reply.text.startswith("Unknown command /weather.")
    assert await chat.help_text() in reply.text


async def test_slash_that_is_not_a_command_is_asked_as_a_question(chat: Chat) -> None:
    reply = await chat.handle("/2026 when is Takaichi visiting the US?")
    assert isinstance(reply, AnswerReply)


async def test_off_topic_question_is_a_not_found_answer(chat: Chat) -> None:
    reply = await chat.handle("What is the capital of France?")
    assert isinstance(reply, AnswerReply)
    assert not reply.answer.answered
    assert reply.answer.hint


async def test_help_gives_examples_from_the_loaded_corpus(
    write_article: Callable[..., Path],
) -> None:
    folder = write_article(
        "ferry.md",
        "Island ferry returns",
        "2026-02-01",
        "The island ferry returned to service on Monday, the operator Nordlink said.",
        tags="[ferries, islands]",
    )
    chat = Chat(Engine.load(make_settings(briefbot_corpus=folder)))
    text = (await chat.handle("/help")).text  # type: ignore[union-attr]
    assert "Takaichi" not in text
    assert "“what is the latest on ferries?”" in text and "/brief ferries" in text


async def test_sources_says_how_many_more_sources_there_are(
    write_article: Callable[..., Path],
) -> None:
    for i in range(11):
        folder = write_article(
            f"a{i}.md", f"Story {i}", "2026-02-01", f"Story {i} happened.", source=f"Paper {i}"
        )
    text = Chat(Engine.load(make_settings(briefbot_corpus=folder))).sources_text()
    assert text.count("Paper ") == 8
    assert "and 3 more sources" in text


@pytest.mark.parametrize(
    ("text", "topic", "period"),
    [
        ("what's new today?", None, "today"),
        ("What’s new this week about Takaichi?", "Takaichi", "this week"),
        ("news since 2026-01-01", None, "since"),
        ("brief me on japan", "japan", None),
        ("any news?", None, None),
    ],
)
async def test_asking_for_news_gets_a_briefing_not_a_quote(
    chat: Chat, text: str, topic: str | None, period: str | None
) -> None:
    reply = await chat.handle(text)
    assert isinstance(reply, BriefingReply)
    assert reply.briefing.topic == topic
    assert (reply.briefing.period or "").startswith(period or "") and (
        (reply.briefing.period is None) == (period is None)
    )


async def test_a_question_about_news_content_is_still_a_question(chat: Chat) -> None:
    reply = await chat.handle("what did the leaders discuss?")
    assert isinstance(reply, AnswerReply)


async def test_a_follow_up_is_read_with_the_previous_question(chat: Chat) -> None:
    first = await chat.handle("who asked for the phone call?", "thread-1")
    assert isinstance(first, AnswerReply) and first.answer.answered
    follow = await chat.handle("and when is she visiting?", "thread-1")
    assert isinstance(follow, AnswerReply) and follow.answer.answered
    assert follow.answer.notice == "Reading this as: when is Takaichi visiting?"
    quote = follow.answer.passages[0].quote
    assert "Takaichi" in quote and ("spring" in quote or "March" in quote)
    assert follow.answer.question == "and when is she visiting?"


async def test_a_follow_up_in_another_conversation_or_standing_alone_is_read_alone(
    chat: Chat,
) -> None:
    await chat.handle("who asked for the phone call?", "thread-1")
    other = await chat.handle("and when is she visiting?", "thread-2")
    assert isinstance(other, AnswerReply) and other.answer.notice is None
    alone = await chat.handle("when is Takaichi visiting the US?", "thread-1")
    assert isinstance(alone, AnswerReply) and alone.answer.notice is None


async def test_a_follow_up_that_strays_read_alone_is_asked_of_the_threads_subject(
    write_article: Callable[..., Path],
) -> None:
    write_article(
        "cup.md",
        "Harbour City win the National Cup",
        "2026-12-06",
        "Harbour City beat Rovers 2-1 in the National Cup final on Saturday.\n\n"
        "The winning goal was scored by Leon Brandt in the 88th minute.",
    )
    folder = write_article(
        "league.md",
        "Millbrook edge Dunmore in the league",
        "2026-12-06",
        "Millbrook beat Dunmore 1-0 in the league on Sunday.\n\n"
        "The winning goal was scored by Tom Okafor.",
    )
    chat = Chat(Engine.load(make_settings(briefbot_corpus=folder)))
    first = await chat.handle("who won the National Cup final?", "t")
    assert isinstance(first, AnswerReply) and "Harbour City" in first.answer.passages[0].quote
    follow = await chat.handle("who scored the winning goal?", "t")
    assert isinstance(follow, AnswerReply) and follow.answer.answered
    assert "Leon Brandt" in follow.answer.passages[0].quote
    lunch = await chat.handle("are you coming to lunch?", "t")
    assert isinstance(lunch, AnswerReply) and not lunch.answer.answered


CONVERSATIONS = Path(__file__).parents[1] / "data" / "conversations" / "corpus"


@pytest.fixture(scope="module")
def newsroom() -> Engine:
    """The conversation set's articles, with the sentence model and the reader."""
    return Engine.load(make_settings(briefbot_corpus=CONVERSATIONS, briefbot_semantic=True))


async def test_a_follow_up_is_judged_with_the_threads_prior_on_its_article_only(
    newsroom: Engine,
) -> None:
    # Asked cold, the reader is not sure enough that "competition with Samsung" answers it (P 0.03).
    cold = await Chat(newsroom).handle("who are Lumen's rivals?", "cold")
    assert isinstance(cold, AnswerReply) and not cold.answer.answered
    chat = Chat(newsroom)
    first = await chat.handle("what happened to the price of the X1?", "t")
    assert isinstance(first, AnswerReply) and "999 euros" in first.answer.passages[0].quote
    follow = await chat.handle("who are Lumen's rivals?", "t")
    assert isinstance(follow, AnswerReply) and follow.answer.answered
    assert "Samsung" in follow.answer.passages[0].quote
    assert {p.article.title for p in follow.answer.passages} == {
        first.answer.passages[0].article.title
    }
    # The prior is the thread's article's only: small talk in the thread still gets no quote.
    lunch = await chat.handle("are you coming to lunch?", "t")
    assert isinstance(lunch, AnswerReply) and not lunch.answer.answered


def test_the_prior_raises_the_readers_verdict_and_is_cached_apart(newsroom: Engine) -> None:
    question = "who are Lumen's rivals?"
    warm = newsroom.ask_sync(question, odds=3.0)
    cold = newsroom.ask_sync(question)
    assert warm.answered and not cold.answered
    assert warm.confidence is not None and cold.confidence is not None
    assert warm.confidence > cold.confidence
