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
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.text import Text

from bot import (
    AnswerReply,
    BriefingReply,
    Chat,
    Core,
    Digest,
    Place,
    Posted,
    Reply,
    TextReply,
    plural,
)
from handlers.terminal import answer_text, briefing_text, digest_text, piece, show

if TYPE_CHECKING:
    from handlers.deliveries import Deliveries

HISTORY_FILE = Path.home() / ".briefbot_history"
CONSOLE_HELP = "Console commands: /history (your questions so far), /quit (or Ctrl-D)."


def reply_text(reply: Reply) -> Text:
    """Any core reply as text for the terminal; help also lists the console's own commands."""
    match reply:
        case AnswerReply(answer=answer):
            return answer_text(answer)
        case BriefingReply(briefing=briefing):
            return briefing_text(briefing)
        case TextReply(kind="help", text=text):
            return piece(text + "\n" + CONSOLE_HELP)
        case TextReply(text=text):
            return piece(text)


#: The console's one place: digests and alerts subscribed here are printed here.
CONSOLE = Place(platform="console", channel="console")


def local_zone() -> str | None:
    """This machine's IANA time zone (the console's default for digests), if it has one."""
    try:
        import tzlocal

        return tzlocal.get_localzone_name()
    except Exception:  # no zone configured: UTC
        return None


class ConsolePoster:
    """Digests and alerts for the console, printed between questions while it runs."""

    platform = "console"

    def __init__(self, console: Console) -> None:
        self.console = console

    async def post(self, place: Place, digest: Digest) -> Posted:
        show(self.console, digest_text(digest))
        self.console.print()
        return "sent"


class ConsoleSession:
    """One console conversation: reads lines, answers through :class:`Chat`, keeps history;
    with ``deliveries`` (a database), /digest subscribes and digests print here."""

    def __init__(
        self,
        engine: Core,
        console: Console | None = None,
        *,
        deliveries: Deliveries | None = None,
    ) -> None:
        turns = deliveries.turns if deliveries is not None else None
        self.chat = Chat(engine, digests=deliveries is not None, turns=turns)
        self.console = console or Console(highlight=False)
        self.history: list[str] = []
        self.deliveries = deliveries
        if deliveries is not None:
            deliveries.scheduler.posters["console"] = ConsolePoster(self.console)
            deliveries.scheduler.wake()

    async def handle(self, line: str) -> Text | None:
        """The reply to one input line; None means the user asked to quit."""
        text = line.strip()
        if text.lower() in {"/quit", "/exit", "quit", "exit"}:
            return None
        if text.lower() == "/history":
            if not self.history:
                return Text("No questions yet.")
            return piece("\n".join(f"{n}. {q}" for n, q in enumerate(self.history, 1)))
        command, _, rest = text.partition(" ")
        if command.lower() == "/digest":
            if self.deliveries is None:
                return piece("Digests need the running bot (briefbot chat or briefbot run).")
            done = await self.deliveries.digests.command(
                rest, CONSOLE, by="console", zone=local_zone()
            )
            return piece(done.text)
        if command.lower() == "/feeds":
            if self.deliveries is None:
                return piece("Feeds from the chat need the running bot (briefbot chat or run).")
            # The console's user runs the bot: they may change what it follows.
            done = await self.deliveries.feeds.command(
                rest, by="console", admin=True, who="the operator"
            )
            return piece(done.text)
        # One conversation (follow-ups), in this machine's time zone.
        reply = await self.chat.handle(text, "console", zone=local_zone())
        if isinstance(reply, AnswerReply):  # commands and greetings are not questions
            self.history.append(text)
        return reply_text(reply)

    async def run(self, stream: TextIO | None = None) -> None:
        """Interactive when on a terminal (with line editing and history), else line by line."""
        stream = stream or sys.stdin
        interactive = stream.isatty()
        if interactive:
            _enable_readline()
            stats = self.chat.engine.stats()
            intro = Text("briefbot", "bold")
            intro.append(
                f" — {plural(stats.articles, 'article')} loaded. "
                "Ask a question, or /help. Ctrl-D or Ctrl-C quits."
            )
            show(self.console, intro)
        while True:
            try:
                line = await read_line((lambda: input("you> ")) if interactive else stream.readline)
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
                echo = Text("you> ", "bold")
                echo.append_text(piece(line.strip()))
                show(self.console, echo)
            reply = await self.handle(line)
            if reply is None:
                break
            show(self.console, reply)
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
