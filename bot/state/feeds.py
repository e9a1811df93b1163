"""The feeds added from the chat, kept beside ``BRIEFBOT_FEEDS`` (which stays the operator's,
untouched): the poller reads both each round."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.state.database import Database
from bot.state.schema import Feed


class FeedList:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def urls(self) -> list[str]:
        """Every feed added from the chat, oldest first."""
        async with self.db.session() as s:
            return list((await s.scalars(select(Feed.url).order_by(Feed.added_at))).all())

    async def add(self, url: str, *, by: str, now: dt.datetime) -> bool:
        """Add ``url``; False when it was there already."""
        try:
            async with self.db.session() as s, s.begin():
                s.add(Feed(url=url, added_by=by, added_at=now))
        except IntegrityError:
            return False
        return True

    async def remove(self, url: str) -> bool:
        async with self.db.session() as s, s.begin():
            result = await s.execute(delete(Feed).where(Feed.url == url))
            return bool(getattr(result, "rowcount", 0))
