"""Conversations' last turns in the database: a restart (or another process) still reads
"and when?" with the question before it. Kept as long as the in-memory memory keeps them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select

from bot.state.database import Database
from bot.state.schema import Turn

#: Rows kept at most; the oldest go first (checked every PRUNE_EVERY writes).
MAX_TURNS = 20_000
PRUNE_EVERY = 200


class Turns:
    def __init__(self, db: Database, *, ttl_s: float, limit: int = MAX_TURNS) -> None:
        self.db = db
        self.ttl = dt.timedelta(seconds=ttl_s)
        self.limit = limit
        self._writes = 0

    async def last(self, key: str) -> tuple[str, str, str] | None:
        """(question, answer words, article title) of ``key``'s last turn, unless expired."""
        async with self.db.session() as s:
            row = await s.get(Turn, key[:255])
        if row is None or row.at < dt.datetime.now(dt.UTC) - self.ttl:
            return None
        return row.question, row.answer, row.title

    async def remember(self, key: str, question: str, answer: str, title: str) -> None:
        now = dt.datetime.now(dt.UTC)
        row = {"question": question, "answer": answer, "title": title, "at": now}
        # One statement, not a read then a write: two processes (two consoles, two bots on one
        # database) remembering the same conversation at once must not collide on its key.
        stmt = self.db.insert(Turn).values(key=key[:255], **row)
        async with self.db.session() as s, s.begin():
            await s.execute(stmt.on_conflict_do_update(index_elements=[Turn.key], set_=row))
        self._writes += 1
        if self._writes % PRUNE_EVERY == 1:
            await self.prune(now)

    async def prune(self, now: dt.datetime) -> None:
        async with self.db.session() as s, s.begin():
            await s.execute(delete(Turn).where(Turn.at < now - self.ttl))
            count = await s.scalar(select(func.count()).select_from(Turn)) or 0
            if count > self.limit:
                oldest = select(Turn.key).order_by(Turn.at).limit(count - self.limit)
                await s.execute(delete(Turn).where(Turn.key.in_(oldest.scalar_subquery())))
