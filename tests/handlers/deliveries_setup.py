"""Deliveries for adapter tests: a real SQLite (or PostgreSQL) database, the delivery loop with
a clock the test moves, and the /digest service, as ``handlers.deliveries`` opens them for a
running bot. Tests call ``scheduler.tick()`` after moving the clock: no test sleeps until 08:00."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import Core, Database, Digests, Feeds, Memory, Scheduler, Timing
from handlers.deliveries import Deliveries


class Clock:
    """The time the scheduler sees; tests set ``now``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def open_test_deliveries(
    url: str, core: Core, clock: Clock, *, feeds: list[str] | None = None, **timing: Any
) -> Deliveries:
    """``feeds``: BRIEFBOT_FEEDS as the operator set it."""
    db = await Database.open(url)
    scheduler = Scheduler(db, core, {}, timing=Timing(**timing), clock=clock)
    chat_feeds = Feeds(db, feeds or [], clock=clock)
    return Deliveries(db, Memory(db), scheduler, Digests(scheduler), chat_feeds)
