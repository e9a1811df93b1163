"""Updates without a restart, seen through the console path (Chat): the running bot's corpus
folder changes and its answers follow, while questions asked meanwhile keep being answered."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text

from bot.engine import Engine
from bot.live import LiveEngine, reload
from handlers.console import ConsoleSession
from tests.conftest import make_settings
from tests.handlers.test_cli import child_env

QUESTION = "When did the Lowmoor harbour ferry resume?"
BASE = """---
title: City council approves the library budget
date: 2026-02-01
source: Town Gazette
---

The city council approved the library budget on Monday after a long debate.
"""
FERRY = """---
title: Lowmoor harbour ferry resumes
date: 2026-02-03
source: Coast News
---

The Lowmoor harbour ferry resumed on {day} after the storm repairs were finished.
"""
# Generous: the goal is 5 s, but a loaded test machine must not make the suite flaky.
WAIT_S = 30.0


def flat(reply: Text | None) -> str:
    """What the console shows for a reply, on one line."""
    return " ".join((reply.plain if reply else "").replace("│", " ").split())


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"not seen within {WAIT_S:.0f} s: {what}")
        await asyncio.sleep(0.05)


def live_engine(corpus: Path, **kwargs: object) -> LiveEngine:
    settings = make_settings(briefbot_corpus=corpus)
    return LiveEngine(Engine.load(settings), settings, **kwargs)  # type: ignore[arg-type]


def session(live: LiveEngine) -> ConsoleSession:
    return ConsoleSession(live, Console(file=io.StringIO(), width=200, highlight=False))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "library.md").write_text(BASE, encoding="utf-8")
    return folder


async def test_an_article_written_edited_and_deleted_while_running_is_followed(
    corpus: Path,
) -> None:
    chat = session(live := live_engine(corpus))
    assert "Nothing in the corpus answers that." in flat(await chat.handle(QUESTION))

    async def says(text: str) -> bool:
        return text in flat(await chat.handle(QUESTION))

    async with live:
        path = corpus / "ferry.md"
        path.write_text(FERRY.format(day="Tuesday"), encoding="utf-8")
        await eventually(lambda: says("resumed on Tuesday"), "the new article")
        assert "Coast News" in flat(await chat.handle(QUESTION))

        path.write_text(FERRY.format(day="Thursday"), encoding="utf-8")
        await eventually(lambda: says("resumed on Thursday"), "the edited article")
        assert "Tuesday" not in flat(await chat.handle(QUESTION))

        path.unlink()
        await eventually(lambda: says("Nothing in the corpus answers that."), "the deletion")
        assert "library budget" in flat(await chat.handle("What did the city council approve?"))
        assert "1 article" in flat(await chat.handle("/sources"))


async def test_questions_asked_during_a_rebuild_are_all_answered(corpus: Path) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_reload(old: Engine, changed: frozenset[Path]) -> Engine:
        started.set()
        assert release.wait(WAIT_S)  # the rebuild stays in progress while the questions run
        return reload(old, changed)

    chat = session(live := live_engine(corpus, rebuild=slow_reload))
    async with live:
        (corpus / "ferry.md").write_text(FERRY.format(day="Tuesday"), encoding="utf-8")
        await eventually(lambda: asyncio.to_thread(started.wait, 0), "the rebuild starting")
        during = await asyncio.gather(
            *(chat.handle("What did the city council approve?") for _ in range(20)),
            chat.handle("/brief"),
        )
        assert live.generation == 0  # all of them were asked while the rebuild ran
        release.set()
        await eventually(lambda: asyncio.sleep(0, live.generation == 1), "the swap")
        after = flat(await chat.handle(QUESTION))

    for reply in during[:-1]:
        assert "approved the library budget on Monday" in flat(reply)
    assert "City council approves the library budget" in flat(during[-1])
    assert "resumed on Tuesday" in after


async def test_a_broken_new_file_is_skipped_with_a_warning(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chat = session(live := live_engine(corpus))
    async with live:
        (corpus / "broken.md").write_text("no front matter here\n", encoding="utf-8")
        (corpus / "ferry.md").write_text(FERRY.format(day="Tuesday"), encoding="utf-8")
        await eventually(
            lambda: asyncio.sleep(0, live.stats().articles == 2), "the good article loaded"
        )
        assert "resumed on Tuesday" in flat(await chat.handle(QUESTION))
    assert any(
        "broken.md" in r.getMessage() and "no front matter" in r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING
    )


async def test_a_failed_rebuild_keeps_the_previous_answers(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def failing(old: Engine, changed: frozenset[Path]) -> Engine:
        raise MemoryError("out of memory")

    chat = session(live := live_engine(corpus, rebuild=failing))
    async with live:
        await live.update(frozenset({corpus / "ferry.md"}))
        reply = flat(await chat.handle("What did the city council approve?"))
    assert "approved the library budget" in reply
    assert "still answering from the previous one" in caplog.text


async def test_the_replaced_engine_is_closed_after_the_swap(corpus: Path) -> None:
    closed: list[Engine] = []

    class Closing(Engine):
        def close(self) -> None:
            closed.append(self)

    settings = make_settings(briefbot_corpus=corpus)
    first = Closing.load(settings)
    live = LiveEngine(first, settings)
    await live.update(frozenset({corpus / "library.md"}))
    assert closed == [first]
    assert live.engine is not first


async def test_deleting_every_article_serves_an_empty_corpus(corpus: Path) -> None:
    chat = session(live := live_engine(corpus))
    (corpus / "library.md").unlink()
    await live.update(frozenset({corpus / "library.md"}))
    reply = flat(await chat.handle("What did the city council approve?"))
    assert "Nothing in the corpus answers that." in reply
    assert live.stats().articles == 0


def test_briefbot_chat_follows_its_folder_without_a_restart(corpus: Path) -> None:
    """The real command: `briefbot chat` on a folder, an article written and then edited while it
    runs, the same question asked until the answer follows."""
    child = subprocess.Popen(
        [sys.executable, "-m", "handlers.cli", "chat", "--corpus", str(corpus)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert child.stdin is not None and child.stdout is not None
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(child.stdout or ()), daemon=True)
    reader.start()

    def ask_until(text: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while text not in " ".join("".join(out).replace("**", "").split()):  # piped: **hits**
            assert time.monotonic() < deadline, f"not seen within {WAIT_S:.0f} s: {text}"
            assert child.stdin is not None
            child.stdin.write(QUESTION + "\n")
            child.stdin.flush()
            time.sleep(0.3)

    try:
        ask_until("Nothing in the corpus answers that.")
        (corpus / "ferry.md").write_text(FERRY.format(day="Tuesday"), encoding="utf-8")
        ask_until("resumed on Tuesday")
        (corpus / "ferry.md").write_text(FERRY.format(day="Thursday"), encoding="utf-8")
        ask_until("resumed on Thursday")
        _, err = child.communicate("", timeout=WAIT_S)
    finally:
        child.kill()
    assert child.returncode == 0, err
    assert "corpus reloaded" in err


async def test_an_article_added_while_running_heads_the_briefing(corpus: Path) -> None:
    os.utime(corpus / "library.md", (1_700_000_000, 1_700_000_000))  # written well before
    chat = session(live := live_engine(corpus))
    async with live:
        # Same date as the library article: the file added last comes first.
        (corpus / "ferry.md").write_text(
            FERRY.format(day="Tuesday").replace("2026-02-03", "2026-02-01"), encoding="utf-8"
        )

        async def first_is_ferry() -> bool:
            titles = flat(await chat.handle("/brief")).split("Lowmoor harbour ferry resumes")
            return len(titles) == 2 and "City council" not in titles[0]

        await eventually(first_is_ferry, "the new article first in /brief")


async def test_a_change_is_merged_then_saved_for_the_next_start(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(10):  # a corpus where one new file is a small change: merged, not rebuilt
        (corpus / f"notes-{n}.md").write_text(
            BASE.replace("library budget", f"budget for park number {n}"), encoding="utf-8"
        )
    settings = make_settings(briefbot_corpus=corpus)
    live = LiveEngine.load(settings, idle_s=0.05)
    chat = session(live)
    caplog.set_level(logging.DEBUG)
    async with live:
        (corpus / "ferry.md").write_text(FERRY.format(day="Tuesday"), encoding="utf-8")
        await eventually(lambda: asyncio.sleep(0, live.generation == 1), "the swap")
        assert "resumed on Tuesday" in flat(await chat.handle(QUESTION))
        await live.settled()
    assert "1 changed path(s), merged" in caplog.text
    caplog.clear()
    restarted = LiveEngine.load(settings)
    assert "index: reused" in caplog.text  # the merged index was saved: nothing to redo
    assert "resumed on Tuesday" in flat(await session(restarted).handle(QUESTION))


async def test_stopping_saves_what_a_change_made(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(briefbot_corpus=corpus)
    live = LiveEngine.load(settings, idle_s=3600)  # never quiet long enough: saved at the stop
    async with live:
        await live.update(frozenset())  # nothing changed: nothing to save
        (corpus / "ferry.md").write_text(FERRY.format(day="Tuesday"), encoding="utf-8")
        await live.update(frozenset({corpus / "ferry.md"}))
    caplog.set_level(logging.DEBUG)
    LiveEngine.load(settings)
    assert "index: reused" in caplog.text
