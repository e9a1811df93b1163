"""The local console: the same Chat path as Slack and Discord, rendered for a terminal.

``briefbot chat`` talks to the bot with no workspace at all; piped input is answered line by
line and the console exits at the end of input.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from bot.api import Core
from bot.chat import Chat
from bot.models import Answer, AnswerReply, Briefing, BriefingReply, Reply, TextReply
from handlers.render import (
    Dialect,
    citation_markup,
    empty_briefing_text,
    human_date,
    not_found_text,
    quote_markup,
)

RICH = Dialect(
    escape=escape,
    bold=lambda s: f"[bold yellow]{s}[/]",
    link=lambda label, url: f"[link={escape(url)}]{label}[/link]",
    quote=lambda s: "\n".join(f"[dim]│[/] {line}" for line in s.splitlines()),
)
HISTORY_FILE = Path.home() / ".briefbot_history"
CONSOLE_HELP = "Console commands: /history (your questions so far), /quit (or Ctrl-D)."


def answer_markup(answer: Answer) -> str:
    """An answer as rich markup: each quote with the answer in bold, then its citation."""
    lines: list[str] = []
    if answer.notice:
        lines.append(f"[italic]{escape(answer.notice)}[/]")
    if not answer.answered:
        lines.append(escape(not_found_text(answer)))
        return "\n".join(lines)
    for n, p in enumerate(answer.passages):
        if n:
            lines.append("")
        lines.append(RICH.quote(quote_markup(p, RICH)))
        lines.append(f"  [dim]— {citation_markup(p.article, RICH)}[/]")
    return "\n".join(lines)


def briefing_markup(briefing: Briefing) -> str:
    """A briefing as rich markup: date, title, source, then the lead."""
    if not briefing.items:
        return escape(empty_briefing_text(briefing))
    head = f"on “{escape(briefing.topic)}”" if briefing.topic else "latest"
    lines = [f"[bold]Briefing ({head}): {len(briefing.items)} of {briefing.total_articles}[/]"]
    for item in briefing.items:
        a = item.article
        title = RICH.link(escape(a.title), a.url) if a.url else escape(a.title)
        src = f" · {escape(a.source)}" if a.source else ""
        lines.append(f"\n[bold]{title}[/] [dim]{human_date(a)}{src}[/]\n  {escape(item.lead)}")
    return "\n".join(lines)


def reply_markup(reply: Reply) -> str:
    """Any core reply as rich markup; help also lists the console's own commands."""
    match reply:
        case AnswerReply(answer=answer):
            return answer_markup(answer)
        case BriefingReply(briefing=briefing):
            return briefing_markup(briefing)
        case TextReply(kind="help", text=text):
            return escape(text) + "\n" + escape(CONSOLE_HELP)
        case TextReply(text=text):
            return escape(text)


class ConsoleSession:
    """One console conversation: reads lines, answers through :class:`Chat`, keeps history."""

    def __init__(self, engine: Core, console: Console | None = None) -> None:
        self.chat = Chat(engine)
        self.console = console or Console(highlight=False)
        self.history: list[str] = []

    async def handle(self, line: str) -> str | None:
        """Rich markup for one input line; None means the user asked to quit."""
        text = line.strip()
        if text.lower() in {"/quit", "/exit", "quit", "exit"}:
            return None
        if text.lower() == "/history":
            if not self.history:
                return "No questions yet."
            return "\n".join(f"{n}. {escape(q)}" for n, q in enumerate(self.history, 1))
        if text:
            self.history.append(text)
        return reply_markup(await self.chat.handle(text))

    async def run(self, stream: TextIO | None = None) -> None:
        """Interactive when on a terminal (with line editing and history), else line by line."""
        stream = stream or sys.stdin
        interactive = stream.isatty()
        if interactive:
            _enable_readline()
            stats = self.chat.engine.stats()
            self.console.print(
                f"[bold]briefbot[/] — {stats.articles} articles loaded. "
                "Ask a question, or /help. Ctrl-D quits."
            )
        while True:
            try:
                line = await read_line(
                    (lambda: input("you> ")) if interactive else stream.readline
                )
            except EOFError:
                break
            except (KeyboardInterrupt, asyncio.CancelledError):
                # Ctrl-C while waiting for a line arrives as the cancellation of this task
                # (asyncio.run's SIGINT handler): it ends the console, as Ctrl-D does.
                self.console.print()
                break
            if not interactive and line == "":
                break
            if not interactive and not line.strip():
                continue
            if not interactive:
                self.console.print(f"[bold]you>[/] {escape(line.strip())}")
            markup = await self.handle(line)
            if markup is None:
                break
            self.console.print(markup)
            self.console.print()
        if interactive:
            _save_readline()


async def read_line(read: Callable[[], str]) -> str:
    """``read()`` (input() or readline()) in a daemon thread: while the console waits for a line,
    the event loop keeps running background work (the feed poller), and a reader still blocked
    after Ctrl-C never holds up the exit."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()

    def settle(line: str | None, exc: BaseException | None) -> None:
        if done.done():
            return
        if exc is not None:
            done.set_exception(exc)
        else:
            done.set_result(line or "")

    def work() -> None:
        try:
            line, exc = read(), None
        except BaseException as caught:  # EOFError (Ctrl-D) goes back to the loop as it is
            line, exc = None, caught
        with contextlib.suppress(RuntimeError):  # the loop is closed: the console has gone
            loop.call_soon_threadsafe(settle, line, exc)

    threading.Thread(target=work, name="console-input", daemon=True).start()
    return await done


def _enable_readline() -> None:
    try:
        import readline

        if HISTORY_FILE.exists():
            readline.read_history_file(HISTORY_FILE)
        readline.set_history_length(500)
    except (ImportError, OSError):
        pass


def _save_readline() -> None:
    try:
        import readline

        readline.write_history_file(HISTORY_FILE)
    except (ImportError, OSError):
        pass
