"""Conversations' last turns in the database: a follow-up after a restart is read with the
question before it; old turns expire; a database from before this table gets it."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from bot.chat import Chat
from bot.engine import Engine
from bot.models import AnswerReply
from bot.state import Database, Turns
from bot.state.database import MIGRATIONS
from bot.state.schema import HEAD


async def test_a_follow_up_after_a_restart_is_read_with_the_question_before(
    tmp_path: Path, engine: Engine
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
    db = await Database.open(url)
    first = await Chat(engine, turns=Turns(db, ttl_s=3600)).ask(
        "who asked for the phone call?", "t1"
    )
    assert isinstance(first, AnswerReply) and first.answer.answered
    await db.close()
    restarted = await Database.open(url)  # a new process: nothing in memory
    chat = Chat(engine, turns=Turns(restarted, ttl_s=3600))
    follow = await chat.ask("and when is she visiting?", "t1")
    alone = await chat.ask("and when is she visiting?", "another thread")
    await restarted.close()
    assert isinstance(follow, AnswerReply) and isinstance(alone, AnswerReply)
    assert follow.answer.notice == "Reading this as: when is Takaichi visiting?"
    assert not (alone.answer.notice or "").startswith("Reading this as:")


async def test_turns_expire_and_are_capped(tmp_path: Path) -> None:
    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    turns = Turns(db, ttl_s=3600, limit=3)
    for n in range(5):
        await turns.remember(f"k{n}", f"question {n}", "answer", "title")
    assert await turns.last("k4") == ("question 4", "answer", "title")
    await turns.prune(dt.datetime.now(dt.UTC))
    assert await turns.last("k0") is None and await turns.last("k2") is not None
    await turns.prune(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    assert await turns.last("k4") is None
    await db.close()


async def test_a_database_from_the_first_schema_is_upgraded_keeping_its_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with create_engine(f"sqlite:///{path}").begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO feeds (url, added_by, added_at) VALUES ('https://x.example/rss', 'U1', "
            "'2026-12-01 08:00:00')"
        )
    db = await Database.open(f"sqlite+aiosqlite:///{path}")
    from bot.state.feeds import FeedList

    assert await FeedList(db).urls() == ["https://x.example/rss"]
    await Turns(db, ttl_s=60).remember("k", "q", "a", "t")
    await db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_processes_remembering_one_conversation_at_once_never_collide(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Two consoles (or two bots) on one database answer in the same conversation at once: each
    # turn is kept (the last one written wins), none fails on the conversation's key.
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    one, two = await Database.open(url), await Database.open(url)
    a, b = Turns(one, ttl_s=3600), Turns(two, ttl_s=3600)
    for n in range(15):
        await asyncio.gather(
            a.remember(f"console-{n}", "from one", "answer", "title"),
            b.remember(f"console-{n}", "from two", "answer", "title"),
        )
    kept = [await a.last(f"console-{n}") for n in range(15)]
    assert all(k is not None and k[0] in {"from one", "from two"} for k in kept)
    await b.remember("console-0", "again", "answer 2", "title 2")
    assert await a.last("console-0") == ("again", "answer 2", "title 2")
    await one.close()
    await two.close()
