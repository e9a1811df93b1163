"""The one conversation path shared by the console, Slack and Discord: text in, Reply out."""

from __future__ import annotations

import logging

from bot.api import Core
from bot.models import AnswerReply, BriefingReply, Reply, TextReply
from bot.wording import plural

log = logging.getLogger(__name__)

HELP = (
    "Ask me a question about the articles I follow, e.g. “when is Takaichi visiting the US?”. "
    "I answer with the exact passage, quoted and cited.\n"
    "Commands: /brief [topic] for the latest articles (or those on a topic), "
    "/sources for what I know, /help for this message."
)


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


class Chat:
    """Routes one message to the engine: a question, ``/brief [topic]``, ``/sources``, ``/help``."""

    def __init__(self, engine: Core) -> None:
        self.engine = engine

    async def handle(self, text: str) -> Reply:
        """Turn one user message into a reply; never raises for bad input."""
        text = (text or "").strip()
        if not text or text.lower().strip("!.? ") in _GREETINGS:
            return TextReply(kind="help", text=HELP)
        command, _, rest = text.partition(" ")
        command = command.lower()
        if command == "/brief":
            return await self.brief(rest)
        if command == "/sources":
            return TextReply(kind="notice", text=self.sources_text())
        if command == "/ask":
            return await self.ask(rest)
        if command.startswith("/") and len(command) > 1 and command[1:].isalpha():
            return TextReply(kind="help", text=f"Unknown command {command}. " + HELP)
        return await self.ask(text)

    async def ask(self, question: str) -> Reply:
        """Answer a question; an empty one gets the help text."""
        if not question.strip():
            return TextReply(kind="help", text=HELP)
        return AnswerReply(answer=await self.engine.ask(question))

    async def brief(self, topic: str | None = None) -> Reply:
        """The briefing, on a topic when one is given."""
        topic = (topic or "").strip() or None
        return BriefingReply(briefing=await self.engine.brief(topic))

    def sources_text(self) -> str:
        """A short description of the corpus: counts, sources, newest dates."""
        s = self.engine.stats()
        sources = ", ".join(f"{name} ({n})" for name, n in list(s.sources.items())[:8]) or "none"
        newest = ", ".join(d.isoformat() for d in s.newest[:3]) or "none"
        return (
            f"I know {plural(s.articles, 'article')} "
            f"({plural(s.passages, 'passage')}). Newest: {newest}. Sources: {sources}."
        )
