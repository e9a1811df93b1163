"""The local console: the Chat path rendered for a terminal, fed here through a pipe."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from bot.engine import Engine
from handlers import console as console_mod
from handlers.cli import main
from handlers.console import ConsoleSession
from handlers.terminal import HIT, answer_text
from tests.handlers.cli_process import child_env

QUESTION = "when is Takaichi visiting the US?"


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


@pytest.fixture(autouse=True)
def no_history_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Readline history goes to a temporary file, never the user's home."""
    path = tmp_path / "history"
    monkeypatch.setattr(console_mod, "HISTORY_FILE", path)
    return path


async def run(engine: Engine, text: str) -> tuple[ConsoleSession, str]:
    out = io.StringIO()
    session = ConsoleSession(engine, Console(file=out, width=200, highlight=False))
    await session.run(io.StringIO(text))
    return session, out.getvalue()


async def test_piped_questions_are_answered_then_the_console_exits_at_eof(
    engine: Engine, no_history_file: Path
) -> None:
    session, out = await run(engine, f"{QUESTION}\n\nWhat is the capital of France?\n")
    text = flat(out)
    assert f"you> {QUESTION}" in text
    assert "visit the United States **this spring**." in text
    assert "The Yomiuri Shimbun · 3 Jan 2026" in text
    assert "you> What is the capital of France?" in text
    assert "Nothing in the corpus answers that." in text
    assert session.history == [QUESTION, "What is the capital of France?"]
    assert not no_history_file.exists()


async def test_last_line_without_newline_is_still_answered(engine: Engine) -> None:
    _, out = await run(engine, QUESTION)
    assert "this spring" in flat(out)


async def test_history_lists_the_questions_so_far(engine: Engine) -> None:
    _, out = await run(engine, f"/history\n{QUESTION}\n/brief\n/history\n")
    text = flat(out)
    assert "No questions yet." in text
    # Commands are not questions: /brief is not listed.
    assert text.endswith(f"you> /history 1. {QUESTION}")


async def test_quit_stops_before_later_lines(engine: Engine) -> None:
    session, out = await run(engine, f"{QUESTION}\n/quit\nWho requested the telephone call?\n")
    assert "this spring" in flat(out)
    assert "requested by the Japanese side" not in out
    assert session.history == [QUESTION]


@pytest.mark.parametrize("word", ["/exit", "quit", "EXIT", "/QUIT"])
async def test_quit_words(engine: Engine, word: str) -> None:
    session = ConsoleSession(engine, Console(file=io.StringIO()))
    assert await session.handle(word) is None


async def test_help_adds_the_console_commands(engine: Engine) -> None:
    _, out = await run(engine, "/help\n")
    text = flat(out)
    assert "/brief" in text and "/sources" in text
    assert "/history" in text and "/quit" in text


async def test_brief_and_sources_commands(engine: Engine) -> None:
    _, out = await run(engine, "/brief\n/sources\n")
    text = flat(out)
    assert "Briefing (latest): 1 of 1" in text
    assert "I know 1 article" in text and "The Yomiuri Shimbun (1)" in text


async def test_markup_in_questions_and_quotes_is_escaped(engine: Engine) -> None:
    _, out = await run(engine, "[bold red]when[/] is Takaichi visiting the [link=x]US?\n")
    assert "[bold red]when[/] is Takaichi visiting the [link=x]US?" in out


def test_answer_text_styles_the_highlight(engine: Engine) -> None:
    text = answer_text(engine.ask_sync(QUESTION))
    hits = [text.plain[s.start : s.end] for s in text.spans if s.style == HIT]
    assert hits[0] == "this spring"


def test_notice_of_a_cut_question_is_shown(engine: Engine) -> None:
    answer = engine.ask_sync(QUESTION + " " + "x" * 3000)
    assert "I only read the first" in answer_text(answer).plain


def test_chat_command_reads_piped_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRIEFBOT_CORPUS", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{QUESTION}\n/history\n"))
    assert main(["chat"]) == 0
    out = flat(capsys.readouterr().out)
    assert "this spring" in out
    assert f"1. {QUESTION}" in out


def test_first_ctrl_c_on_a_terminal_ends_the_console(tmp_path: Path) -> None:
    """``briefbot chat`` on a real pseudo-terminal: the intro says how to quit, and the first
    Ctrl-C (the terminal's SIGINT) ends it."""
    controller, terminal = os.openpty()
    # A session of its own with the pseudo-terminal as controlling terminal, so that Ctrl-C
    # typed there is a SIGINT to briefbot, as in a terminal window.
    own_the_terminal = (
        "import fcntl, os, signal, sys, termios; os.setsid(); "
        "fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
        "signal.signal(signal.SIGINT, signal.SIG_DFL); "  # not ignored, even in a background run
        "os.execv(sys.executable, [sys.executable, '-m', 'handlers.cli', 'chat'])"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", own_the_terminal],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=tmp_path,
        # Readline history in a temporary home, and a database of its own (not the bundled
        # corpus's, which other tests' consoles may hold at the same time).
        env=child_env(HOME=str(tmp_path), BRIEFBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}"),
    )
    os.close(terminal)
    seen = b""

    def read_until(marker: bytes | None, timeout: float) -> None:
        """Collect what briefbot shows until ``marker`` appears (None: until it exits)."""
        nonlocal seen
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (marker in seen) if marker else child.poll() is not None:
                return
            if select.select([controller], [], [], 0.1)[0]:
                try:
                    seen += os.read(controller, 4096)
                except OSError:  # the terminal's last user has gone: briefbot exited
                    child.wait(5)
                    return

    try:
        read_until(b"you> ", 60)
        assert b"Ctrl-C quits" in seen
        os.write(controller, b"\x03")
        read_until(None, 10)
        assert child.poll() is not None, f"still running after Ctrl-C: {seen!r}"
        assert child.returncode in (0, 130)
        assert b"Traceback" not in seen
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(controller)


CONVERSATIONS = Path(__file__).resolve().parents[1] / "data" / "conversations" / "corpus"


@pytest.mark.parametrize(
    ("lines", "reading", "words", "title"),
    [
        (
            ["how much does the Lumen X2 cost?", "when does it go on sale?", "what about the US?"],
            "Reading this as: when does the US go on sale?",
            "following in November",
            "Lumen Unveils the X2 Folding Phone",
        ),
        (
            ["who brought the case against Zoomly?", "when?", "where is he from?"],
            "Reading this as: where is Samir Haddad from?",
            "from the northern city of Dunmore",
            "High Court Rules Ride-Hailing Drivers",
        ),
        (
            ["When does Trump visit China?", "and Takaichi?"],
            "Reading this as: When does Takaichi visit China?",
            "secure a March visit for Takaichi",
            "Takaichi, Trump Agree to Arrange Her U.S. Visit",
        ),
    ],
)
async def test_follow_ups_in_the_console_are_read_with_the_question_before(
    lines: list[str], reading: str, words: str, title: str
) -> None:
    # The console is one conversation: each line after the first may lean on the one before.
    from tests.conftest import make_settings

    engine = Engine.load(make_settings(briefbot_corpus=CONVERSATIONS))
    _, out = await run(engine, "\n".join(lines) + "\n")
    last = flat(out).split(f"you> {lines[-1]}")[1].strip()
    assert last.startswith(reading)
    quote, _, citation = last.partition(" — ")
    assert words in quote.replace("**", "")
    assert citation.startswith(title)
