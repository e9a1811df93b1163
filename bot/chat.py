"""The one conversation path shared by the console, Slack and Discord: text in, Reply out."""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo

from bot.api import Core
from bot.followup import (
    Conversations,
    Turn,
    TurnStore,
    has_own_words,
    leaning,
    rewrite,
    says_own_words,
)
from bot.models import Answer, AnswerReply, BriefingReply, Reply, TextReply
from bot.text.question import is_follow_up
from bot.wording import plural

log = logging.getLogger(__name__)

HELP = (
    "Ask me a question about the articles I follow{example}. "
    "I answer with the exact passage, quoted and cited.\n"
    "Commands: /brief [topic] for the latest articles (or those on a topic{topic}; add a time: "
    "/brief today, /brief yesterday, /brief this week, /brief since monday), "
    "/sources for what I know, /help for this message."
)
HELP_DIGESTS = (
    "\nBriefings that come to you: /digest daily 08:00 [zone] [on TOPIC] posts one here every "
    "day (or weekdays, or a day: /digest monday 9:00), /digest alert TOPIC posts new articles "
    "on a topic as they arrive; /digest list, /digest stop N. /feeds lists the feeds I follow "
    "(admins add and remove them)."
)
# A follow-up read with its thread looks this far down the answers for the thread's article.
WIDE = 10
# A follow-up asked of the thread's article (its passages saying the follow-up's own words) is
# read with three times the prior of a question asked cold: the calibration assumed half its
# questions answerable; a thread's follow-up is answerable from its article about three times in
# four. Only the thread's article gains by it, so a reading never strays to another story.
THREAD_ODDS = 3.0
ANSWERS = 3  # passages shown when the first reading found none
# Sources named by /sources; the rest are counted.
SOURCES_SHOWN = 8

# A message asking for a briefing rather than a quote: "what's new today?", "news since monday",
# "brief me on japan", "any news this week about the election?". What follows is the briefing's
# topic and period.
_BRIEF_ME = re.compile(
    r"^(?:what(?:'|’)?s|what is|anything|any)\s+new(?:s)?\b|^(?:latest\s+)?news\b|^headlines\b"
    r"|^brief(?:ing)?(?:\s+me)?\b",
    re.I,
)
_TOPIC_WORDS = re.compile(r"^(?:(?:on|about|in|for|with|from|the)\s+)+", re.I)


_GREETINGS = frozenset(
    {
        "",
        "/help",
        "help",
        "/",
        "hi",
        "hello",
        "hey",
        "hiya",
        "yo",
        "start",
        "/start",
        "thanks",
        "thank you",
        "good morning",
        "good afternoon",
        "good evening",
    }
)


def today_in(zone: str | None) -> dt.date | None:
    """The date now in ``zone`` (the asker's, where the platform gives it), or None (the
    machine's is used) for none or a zone this machine does not know."""
    if not zone:
        return None
    try:
        return dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _briefing_request(text: str) -> str | None:
    """The topic (and period) of a message that asks for a briefing, "" for none, or None when
    the message is a question to answer."""
    m = _BRIEF_ME.match(text)
    if m is None:
        return None
    rest = text[m.end() :].strip(" ?!.,:;")
    rest = re.sub(r"\b(?:on|about)\b", " ", _TOPIC_WORDS.sub("", rest), flags=re.I)
    return " ".join(rest.split())


class Chat:
    """Routes one message to the engine: a question, ``/brief [topic]``, ``/sources``, ``/help``."""

    def __init__(
        self,
        engine: Core,
        conversations: Conversations | None = None,
        *,
        digests: bool = False,
        turns: TurnStore | None = None,
    ) -> None:
        """``digests``: the adapter takes /digest (a database is open), so /help tells of it.
        ``turns``: where each conversation's last turn is also kept (the database), so a
        follow-up is read with it after a restart."""
        self.engine = engine
        self.conversations = conversations or Conversations()
        self.digests = digests
        self.turns = turns

    async def handle(
        self, text: str, conversation: str | None = None, *, zone: str | None = None
    ) -> Reply:
        """Turn one user message into a reply; never raises for bad input. ``conversation``:
        the thread, DM or channel it came from, whose last answered question a follow-up
        ("and when?") is read with; ``zone``: the asker's time zone, which "yesterday" and
        "today" are read in."""
        text = (text or "").strip()
        if not text or text.lower().strip("!.? ") in _GREETINGS:
            return TextReply(kind="help", text=await self.help_text())
        command, _, rest = text.partition(" ")
        command = command.lower()
        if command == "/brief":
            return await self.brief(rest, zone=zone)
        if command == "/sources":
            return TextReply(kind="notice", text=self.sources_text())
        if command == "/ask":
            return await self.ask(rest, conversation, zone=zone)
        if command.startswith("/") and len(command) > 1 and command[1:].isalpha():
            return TextReply(
                kind="help", text=f"Unknown command {command}. " + await self.help_text()
            )
        if (topic := _briefing_request(text)) is not None:
            return await self.brief(topic, zone=zone)
        return await self.ask(text, conversation, zone=zone)

    async def ask(
        self, question: str, conversation: str | None = None, *, zone: str | None = None
    ) -> Reply:
        """Answer a question; an empty one gets the help text. In a conversation, a follow-up
        that leans on the last answered question is asked as the question it means, and the
        answer says how it was read."""
        if not question.strip():
            return TextReply(kind="help", text=await self.help_text())
        previous = await self._last(conversation) if conversation else None
        meant = rewrite(question, previous) if previous else None
        today = today_in(zone)
        answer = await self.engine.ask(meant or question, today=today)
        if previous is not None and is_follow_up(question):
            answer, meant = await self._within_thread(question, previous, answer, meant, today)
        if meant:
            answer.question = question
            read = f"Reading this as: {meant}"
            answer.notice = f"{read} {answer.notice}" if answer.notice else read
        if conversation and answer.answered:
            first = answer.passages[0]
            words = " ".join(first.quote[a:b] for a, b in first.highlight[:1])
            turn = Turn(meant or question, words, first.article.title)
            self.conversations.remember(conversation, turn)
            if self.turns is not None:
                try:
                    await self.turns.remember(conversation, turn.question, turn.answer, turn.title)
                except Exception:
                    log.exception("could not keep the conversation's turn in the database")
        return AnswerReply(answer=answer)

    async def _within_thread(
        self,
        question: str,
        previous: Turn,
        answer: Answer,
        meant: str | None,
        today: dt.date | None,
    ) -> tuple[Answer, str | None]:
        """A follow-up whose answer found nothing, strayed to another story, or does not say
        the follow-up's own words ("who proposed the date?" answered by the lead): the thread's
        article is looked for among wider answers (as read, read alone, asked of the thread's
        subject), kept only from that article and saying those words, so a reading never
        strays from the thread; those readings are judged with the thread's prior
        (``THREAD_ODDS``). Otherwise the answer stands."""
        if answer.answered:
            first = answer.passages[0]
            if first.article.title == previous.title and says_own_words(question, first.quote):
                return answer, meant
        elif not has_own_words(question):
            return answer, meant
        shown = len(answer.passages) or ANSWERS
        readings = [meant or question, question, *leaning(question, previous)]
        for reading in dict.fromkeys(readings):
            wide = await self.engine.ask(reading, limit=WIDE, today=today, odds=THREAD_ODDS)
            own = [
                p
                for p in wide.passages
                if p.article.title == previous.title and says_own_words(question, p.quote)
            ]
            if wide.answered and own:
                wide.passages = own[:shown]
                if reading != question:
                    return wide, reading
                # Read alone, but the thread chose the article: said so.
                wide.notice = f"Reading this as about “{previous.title}”."
                return wide, None
        return answer, meant

    async def _last(self, conversation: str) -> Turn | None:
        """The conversation's last turn: this process's, else the database's (a restart)."""
        found = self.conversations.last(conversation)
        if found is not None or self.turns is None:
            return found
        try:
            kept = await self.turns.last(conversation)
        except Exception:
            log.exception("could not read the conversation's turn from the database")
            return None
        return Turn(*kept) if kept else None

    async def brief(self, topic: str | None = None, *, zone: str | None = None) -> Reply:
        """The briefing, on a topic when one is given; "today" read in ``zone``."""
        topic = (topic or "").strip() or None
        return BriefingReply(briefing=await self.engine.brief(topic, today=today_in(zone)))

    async def help_text(self) -> str:
        """What the bot does and its commands, with examples from the loaded corpus (its most
        frequent topic), not from an article it may not hold."""
        topics = await self.engine.topics("", 1)
        more = HELP_DIGESTS if self.digests else ""
        if not topics:
            return HELP.format(example="", topic="") + more
        topic = topics[0]
        return (
            HELP.format(
                example=f", e.g. “what is the latest on {topic}?”", topic=f": /brief {topic}"
            )
            + more
        )

    def sources_text(self) -> str:
        """A short description of the corpus: counts, sources (the most frequent named, the rest
        counted), newest dates."""
        s = self.engine.stats()
        named = list(s.sources.items())
        sources = ", ".join(f"{name} ({n})" for name, n in named[:SOURCES_SHOWN]) or "none"
        if len(named) > SOURCES_SHOWN:
            sources += f" and {plural(len(named) - SOURCES_SHOWN, 'more source')}"
        newest = ", ".join(d.isoformat() for d in s.newest[:3]) or "none"
        return (
            f"I know {plural(s.articles, 'article')} "
            f"({plural(s.passages, 'passage')}). Newest: {newest}. Sources: {sources}."
        )
