"""What a running bot keeps in its database, opened once for every adapter: the delivery loop
(digests and alerts), the /digest and /feeds commands, and the memory of Slack events and
threads.

Adapters add their poster (``scheduler.posters["slack"] = …``) once connected; until one
has, that platform's subscriptions wait.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot import Core, Database, Digests, Feeds, Memory, Scheduler, Settings, Timing, Turns

log = logging.getLogger(__name__)
CONVERSATION_TTL_S = 6 * 3600.0  # as the in-memory conversations keep them


@dataclass
class Deliveries:
    db: Database
    memory: Memory
    scheduler: Scheduler
    digests: Digests
    feeds: Feeds
    turns: Turns | None = None  # each conversation's last turn, for follow-ups after a restart


@contextlib.asynccontextmanager
async def open_deliveries(settings: Settings, core: Core) -> AsyncIterator[Deliveries]:
    """Open the database (a :class:`~bot.ConfigError` with one line if it cannot be used), run
    the delivery loop while the bot runs, close both after."""
    started = time.perf_counter()
    db = await Database.open(settings.database_url())
    log.debug("Database open in %.3f s", time.perf_counter() - started)
    timing = Timing(
        alert_interval=settings.briefbot_alert_interval, grace=settings.briefbot_digest_grace
    )
    scheduler = Scheduler(db, core, {}, timing=timing)
    digests = Digests(
        scheduler,
        max_per_place=settings.briefbot_max_subscriptions,
        alert_interval=settings.briefbot_alert_interval,
    )
    on_change = getattr(core, "on_change", None)
    if isinstance(on_change, list):
        on_change.append(scheduler.wake)  # a LiveEngine: new articles wake the alerts
    corpus = settings.briefbot_corpus.expanduser()
    feeds = Feeds(db, settings.feed_urls, can_poll=corpus.is_dir())
    try:
        async with scheduler:
            turns = Turns(db, ttl_s=CONVERSATION_TTL_S)
            yield Deliveries(db, Memory(db), scheduler, digests, feeds, turns)
    finally:
        await db.close()
