"""Keys handled once, across restarts and processes: Slack event ids (a retried or doubly
delivered event is answered once), messages answered, threads the bot answered in (follow-ups
there need no new mention). A primary key in the database is the lock."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from bot.state.database import Database
from bot.state.schema import Seen

#: How long each kind is remembered: retries come within minutes, threads live for days.
KEEP = {
    "event": dt.timedelta(days=1),
    "message": dt.timedelta(days=1),
    "thread": dt.timedelta(days=14),
}
PRUNE_EVERY = 500  # claims between two prunes


class Memory:
    """``claim(kind, key)`` is True once per key, whichever process asks first."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._claims = 0

    async def claim(self, kind: str, key: str, *, now: dt.datetime | None = None) -> bool:
        """Record ``key``; True when nobody had (this process or another)."""
        now = now or dt.datetime.now(dt.UTC)
        self._claims += 1
        if self._claims % PRUNE_EVERY == 1:
            await self.prune(now)
        try:
            async with self.db.session() as s, s.begin():
                s.add(Seen(key=f"{kind}:{key}"[:255], kind=kind, at=now))
        except IntegrityError:
            return False
        return True

    async def has(self, kind: str, key: str) -> bool:
        async with self.db.session() as s:
            row = await s.get(Seen, f"{kind}:{key}"[:255])
            return row is not None

    async def prune(self, now: dt.datetime) -> None:
        """Forget keys older than their kind's keep."""
        async with self.db.session() as s, s.begin():
            for kind, keep in KEEP.items():
                await s.execute(delete(Seen).where(Seen.kind == kind, Seen.at < now - keep))

    async def count(self, kind: str) -> int:
        async with self.db.session() as s:
            found = await s.scalar(select(func.count()).where(Seen.kind == kind))
            return int(found or 0)
