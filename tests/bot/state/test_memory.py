"""Keys handled once, whichever process asks first, kept across restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.state import Database, Memory


async def test_a_key_is_claimed_once_across_restarts(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
    db = await Database.open(url)
    memory = Memory(db)
    assert await memory.claim("event", "Ev1")
    assert not await memory.claim("event", "Ev1")
    assert await memory.claim("thread", "Ev1")  # kinds are apart
    await db.close()
    restarted = await Database.open(url)
    assert not await Memory(restarted).claim("event", "Ev1")
    assert await Memory(restarted).has("thread", "Ev1")
    await restarted.close()


async def test_two_processes_racing_for_one_key_get_it_once(postgres_url: str) -> None:
    a, b = await Database.open(postgres_url), await Database.open(postgres_url)
    results = await asyncio.gather(
        *(Memory(db).claim("event", f"Ev{i}") for i in range(20) for db in (a, b))
    )
    await a.close()
    await b.close()
    assert sum(results) == 20


async def test_old_keys_are_forgotten(tmp_path: Path) -> None:
    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    memory = Memory(db)
    then = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    await memory.claim("event", "old", now=then)
    await memory.claim("thread", "kept", now=then)
    await memory.prune(then + dt.timedelta(days=2))
    assert await memory.count("event") == 0 and await memory.count("thread") == 1
    await db.close()
