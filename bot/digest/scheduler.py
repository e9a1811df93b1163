"""The delivery loop: notices new articles, posts digests when due and alerts in batches,
each exactly once across restarts and processes.

How "once" holds with two processes on one PostgreSQL: a digest is a ``deliveries`` row with a
unique ``(subscription, scheduled time)``, inserted (claimed) before posting and marked sent
after the platform confirms; the process whose insert fails does nothing. Alerts are queued
once per place and article (unique), and a place's batch is claimed with a compare-and-set on
its last post time. If a process dies after claiming and before marking, the delivery is not
posted again (at most once): the next digest lists what that one would have, since "new"
counts from the last digest that was *sent*, so a crash delays articles and never repeats a
post to a whole channel.

Between deliveries the loop sleeps until the next is due (or a minute, to see subscriptions
other processes added); it never blocks answers: database calls are async, corpus work runs
in threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from sqlalchemy import case, func, select, update

from bot.api import Core
from bot.digest.compose import compose_alert, compose_digest, fresh, sent_to
from bot.digest.subscriptions import Subscriptions, schedule_of
from bot.models import BriefItem, Digest, Listed, Place
from bot.state.database import Database
from bot.state.schema import (
    AlertChannel,
    Delivery,
    KnownArticle,
    PendingAlert,
    SentArticle,
    Subscription,
    at_place,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

Posted = Literal["sent", "gone", "failed"]
Clock = Callable[[], dt.datetime]


class Poster(Protocol):
    """An adapter's way to post a digest to a place of its platform."""

    platform: str

    async def post(self, place: Place, digest: Digest) -> Posted:
        """ "sent" once the platform confirmed every message; "gone" when the place no longer
        takes posts (channel deleted, bot removed); "failed" otherwise (logged)."""
        ...


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Timing:
    alert_interval: float = 600.0  # s between two alert posts to one place
    grace: float = 6 * 3600.0  # a missed digest older than this is skipped
    gather: float = 2.0  # s an alert waits for more articles arriving with it
    rescan: float = 60.0  # s between looks at subscriptions made by other processes
    concurrency: int = 4  # deliveries under way at once
    # Deliveries started per second in a burst (1,000 digests due at 08:00): paced so that the
    # answers asked meanwhile keep their speed; a lone digest starts at once.
    rate: float = 25.0


@dataclass
class Scheduler:
    db: Database
    core: Core
    posters: dict[str, Poster]
    timing: Timing = field(default_factory=Timing)
    clock: Clock = utc_now
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def __post_init__(self) -> None:
        self.subscriptions = Subscriptions(self.db)
        self._listing: Sequence[Listed] | None = None
        self._known: set[str] | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(self.timing.concurrency)
        self._next_start = 0.0  # loop time before which no further delivery starts
        self.posted = 0  # digests and alert batches posted by this process (bench, logs)

    # --- running ------------------------------------------------------------------------------
    async def __aenter__(self) -> Scheduler:
        self._task = asyncio.create_task(self._loop(), name="briefbot-deliveries")
        return self

    async def __aexit__(self, *exc: object) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        """Look again now: a subscription was added, the corpus changed, the clock moved."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            self._wake.clear()  # before the round: a wake() during it means "look again"
            try:
                delay = await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Deliveries failed this round; trying again in a minute")
                delay = self.timing.rescan
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.05, delay))

    async def tick(self) -> float:
        """One round: new articles noted, due digests and alert batches posted; the seconds
        until something is due next."""
        now = self.clock()
        await self.observe(now)
        # Side by side: an alert never waits behind a burst of digests.
        digests, alerts = await asyncio.gather(self._digests(now), self._alerts(now))
        return max(0.0, min([self.timing.rescan, *digests, *alerts]))

    # --- new articles -------------------------------------------------------------------------
    async def observe(self, now: dt.datetime) -> list[str]:
        """Note the articles no process has seen before; queue alerts for them. Returns their
        ids. The first look at an empty table is the baseline: nothing is alerted for it."""
        listing = await self.core.listing()
        if listing is self._listing:
            return []
        self._listing = listing
        async with self.db.session() as s:
            if self._known is None:
                self._known = set((await s.scalars(select(KnownArticle.article_id))).all())
            baseline = not self._known and not await s.scalar(
                select(func.count()).select_from(KnownArticle)
            )
        unknown = [a for a in listing if a.id not in self._known]
        if not unknown:
            return []
        fresh: list[str] = []
        async with self.db.session() as s, s.begin():
            known_texts: set[str] = set()
            for texts in _chunks([a.digest for a in unknown], 500):
                rows = await s.scalars(
                    select(KnownArticle.digest).where(KnownArticle.digest.in_(texts))
                )
                known_texts.update(rows.all())
            for chunk in _chunks(unknown, 500):
                values = [
                    {
                        "article_id": a.id,
                        "digest": a.digest,
                        "first_seen": _first_seen(a, now) if baseline else now,
                        "baseline": baseline,
                    }
                    for a in chunk
                ]
                stmt = self.db.insert(KnownArticle).values(values)
                stmt = stmt.on_conflict_do_nothing().returning(KnownArticle.article_id)
                fresh += (await s.scalars(stmt)).all()
        self._known.update(a.id for a in unknown)
        if baseline:
            log.debug("Noted %d articles as the baseline for digests and alerts", len(unknown))
            return []
        digest_of = {a.id: a.digest for a in unknown}
        # A syndicated copy of an article known before is not news.
        news = [i for i in fresh if digest_of[i] not in known_texts]
        if news:
            await self._queue_alerts(news, now)
            self.wake()
        return news

    async def _queue_alerts(self, ids: list[str], now: dt.datetime) -> None:
        async with self.db.session() as s:
            alerts = (
                await s.scalars(
                    select(Subscription).where(
                        Subscription.kind == "alert", Subscription.active.is_(True)
                    )
                )
            ).all()
        rows = []
        for sub in alerts:
            for item in await self.core.select(ids, sub.topic):
                rows.append(
                    {
                        "subscription_id": sub.id,
                        "platform": sub.platform,
                        "workspace": sub.workspace,
                        "channel": sub.channel,
                        "article_id": item.article.id,
                        "topic": sub.topic or "",
                        "queued_at": now,
                    }
                )
        if rows:
            async with self.db.session() as s, s.begin():
                for chunk in _chunks(rows, 500):
                    await s.execute(
                        self.db.insert(PendingAlert).values(chunk).on_conflict_do_nothing()
                    )

    # --- digests ------------------------------------------------------------------------------
    async def _digests(self, now: dt.datetime) -> list[float]:
        """Post the digests due now; the seconds until each next one."""
        async with self.db.session() as s:
            subs = (
                await s.scalars(
                    select(Subscription).where(
                        Subscription.kind == "digest",
                        Subscription.active.is_(True),
                        Subscription.platform.in_(list(self.posters)),
                    )
                )
            ).all()
            sent_when = case((Delivery.status == "sent", Delivery.scheduled_for))
            rows = await s.execute(
                select(
                    Delivery.subscription_id,
                    func.max(Delivery.scheduled_for),
                    func.max(sent_when),
                ).group_by(Delivery.subscription_id)
            )
            last: dict[int, tuple[dt.datetime, dt.datetime | None]] = {
                sub: (when, sent) for sub, when, sent in rows
            }
        waits: list[float] = []
        due: list[tuple[Subscription, dt.datetime]] = []
        for sub in subs:
            schedule = schedule_of(sub)
            after = max(sub.created_at, last.get(sub.id, (sub.created_at, None))[0])
            when = schedule.last_between(after, now)
            if when is None:
                waits.append((schedule.next_after(max(now, after)) - now).total_seconds())
                continue
            waits.append((schedule.next_after(now) - now).total_seconds())
            due.append((sub, when))
        if due:
            batch = _Batch(self)
            await asyncio.gather(
                *(
                    self._in_turn(
                        self._deliver(sub, when, now, last.get(sub.id, (now, None))[1], batch)
                    )
                    for sub, when in due
                )
            )
        return waits

    async def _paced(self) -> None:
        """Wait for this delivery's turn: at most ``timing.rate`` starts a second."""
        loop = asyncio.get_running_loop()
        start = max(loop.time(), self._next_start)
        self._next_start = start + 1.0 / self.timing.rate
        await asyncio.sleep(start - loop.time())

    async def _in_turn(self, work: Awaitable[None]) -> None:
        """Run ``work`` in its turn: at most ``timing.concurrency`` at once, paced."""
        async with self._slots:
            await self._paced()
            await work

    async def _deliver(
        self,
        sub: Subscription,
        due: dt.datetime,
        now: dt.datetime,
        last_sent: dt.datetime | None,
        batch: _Batch,
    ) -> None:
        late = (now - due).total_seconds()
        status = "claimed" if late <= self.timing.grace else "skipped"
        async with self.db.session() as s, s.begin():
            stmt = self.db.insert(Delivery).values(
                subscription_id=sub.id,
                scheduled_for=due,
                status=status,
                claimed_by=self.owner,
                claimed_at=now,
                articles=0,
            )
            claimed = await s.scalar(stmt.on_conflict_do_nothing().returning(Delivery.id))
        if claimed is None:
            return  # another process has it
        if status == "skipped":
            log.warning(
                "Digest #%d due %s was missed by %.1f h (more than BRIEFBOT_DIGEST_GRACE): "
                "skipped; the next one lists what it would have",
                sub.id,
                due.isoformat(timespec="minutes"),
                late / 3600,
            )
            return
        place = Place(platform=sub.platform, workspace=sub.workspace, channel=sub.channel)
        since = last_sent or sub.created_at - dt.timedelta(days=1)
        new = await batch.new_since(since)
        items = fresh(await batch.select(new, sub.topic), new, await sent_to(self.db, place))
        digest = compose_digest(
            items, topic=sub.topic, since=since, zone=sub.zone or "UTC", now=due
        )
        if not items and sub.quiet:
            await self._finish(claimed, place, "sent", [], now, "nothing new: quiet")
            return
        posted = await self.posters[sub.platform].post(place, digest)
        shown = digest.items
        await self._finish(claimed, place, posted, shown, self.clock(), posted)
        if posted == "sent":
            self.posted += 1
            log.info("Digest #%d posted to %s: %d articles", sub.id, place, len(shown))

    async def _finish(
        self,
        delivery: int | None,
        place: Place,
        posted: Posted,
        items: list[BriefItem],
        now: dt.datetime,
        note: str,
    ) -> None:
        """After a post, in one transaction: the delivery marked, what the place was sent
        remembered; a place that is gone turned off."""
        digest_of = {a.id: a.digest for a in (self._listing or ())}
        async with self.db.session() as s, s.begin():
            if delivery is not None:
                status = "sent" if posted == "sent" else "failed"
                await s.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery)
                    .values(status=status, sent_at=now, articles=len(items), note=note)
                )
            if posted == "sent" and items:
                rows = [
                    {
                        "platform": place.platform,
                        "workspace": place.workspace,
                        "channel": place.channel,
                        "article_id": i.article.id,
                        "digest": digest_of.get(i.article.id, i.article.id),
                        "sent_at": now,
                    }
                    for i in items
                ]
                await s.execute(self.db.insert(SentArticle).values(rows).on_conflict_do_nothing())
        if posted == "gone":
            n = await self.subscriptions.disable_place(place, "the bot can no longer post there")
            log.warning(
                "%s no longer takes the bot's posts (channel removed, or the bot was): "
                "its %d subscription(s) are disabled",
                place,
                n,
            )

    # --- alerts -------------------------------------------------------------------------------
    async def _alerts(self, now: dt.datetime) -> list[float]:
        """Post each place's waiting alerts, at most one post per alert interval."""
        async with self.db.session() as s:
            places = (
                await s.execute(
                    select(
                        PendingAlert.platform,
                        PendingAlert.workspace,
                        PendingAlert.channel,
                        func.min(PendingAlert.queued_at),
                    )
                    .where(
                        PendingAlert.posted_at.is_(None),
                        PendingAlert.platform.in_(list(self.posters)),
                    )
                    .group_by(PendingAlert.platform, PendingAlert.workspace, PendingAlert.channel)
                )
            ).all()
        waits: list[float] = []
        work = []
        for platform, workspace, channel, oldest in places:
            place = Place(platform=platform, workspace=workspace, channel=channel)
            ready = oldest + dt.timedelta(seconds=self.timing.gather)
            if ready > now:
                waits.append((ready - now).total_seconds())
                continue
            work.append(self._alert(place, now, waits))
        await asyncio.gather(*work)
        return waits

    async def _alert(self, place: Place, now: dt.datetime, waits: list[float]) -> None:
        interval = dt.timedelta(seconds=self.timing.alert_interval)
        key = {"platform": place.platform, "workspace": place.workspace, "channel": place.channel}
        async with self.db.session() as s, s.begin():
            first = await s.scalar(
                self.db.insert(AlertChannel)
                .values(**key, last_post_at=now)
                .on_conflict_do_nothing()
                .returning(AlertChannel.channel)
            )
            if first is None:
                result = await s.execute(
                    update(AlertChannel)
                    .where(
                        *at_place(AlertChannel, place),
                        AlertChannel.last_post_at <= now - interval,
                    )
                    .values(last_post_at=now)
                )
                if not getattr(result, "rowcount", 0):
                    last = await s.scalar(
                        select(AlertChannel.last_post_at).where(
                            *at_place(AlertChannel, place),
                        )
                    )
                    if last is not None:
                        waits.append((last + interval - now).total_seconds())
                    return  # posted lately, here or by another process
            pending = (
                await s.execute(
                    select(PendingAlert.id, PendingAlert.article_id, PendingAlert.topic).where(
                        *at_place(PendingAlert, place),
                        PendingAlert.posted_at.is_(None),
                    )
                )
            ).all()
            await s.execute(
                update(PendingAlert)
                .where(PendingAlert.id.in_([p.id for p in pending]))
                .values(posted_at=now)
            )
        digests = {a.id: a.digest for a in (self._listing or ())}
        ids = list(dict.fromkeys(p.article_id for p in pending))
        items = fresh(await self.core.select(ids), digests, await sent_to(self.db, place))
        if not items:
            return
        topics = [p.topic for p in pending if p.article_id in {i.article.id for i in items}]
        # Not behind the digests' slots: an alert is news now, at most one per place per interval.
        posted = await self.posters[place.platform].post(place, compose_alert(items, topics))
        await self._finish(None, place, posted, items, self.clock(), posted)
        if posted == "sent":
            self.posted += 1
            log.info("Alert posted to %s: %d new articles", place, len(items))


class _Batch:
    """What the digests due in one round share: the articles first seen after each time, and
    the corpus's answer for each (articles, topic) asked (a thousand digests on five topics ask
    the core five times, not a thousand)."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self._known: asyncio.Task[list[tuple[str, str, dt.datetime]]] | None = None
        self._selects: dict[tuple[frozenset[str], str], asyncio.Task[list[BriefItem]]] = {}

    async def _load(self) -> list[tuple[str, str, dt.datetime]]:
        async with self.scheduler.db.session() as s:
            rows = await s.execute(
                select(KnownArticle.article_id, KnownArticle.digest, KnownArticle.first_seen)
            )
            return [(a, d, t) for a, d, t in rows]

    async def new_since(self, since: dt.datetime) -> dict[str, str]:
        """Articles first seen after ``since``: id → text digest."""
        if self._known is None:
            self._known = asyncio.ensure_future(self._load())
        return {a: d for a, d, t in await self._known if t > since}

    async def select(self, new: dict[str, str], topic: str | None) -> list[BriefItem]:
        key = (frozenset(new), (topic or "").lower())
        if key not in self._selects:
            self._selects[key] = asyncio.ensure_future(
                self.scheduler.core.select(sorted(new), topic)
            )
        return list(await self._selects[key])


def _first_seen(article: Listed, now: dt.datetime) -> dt.datetime:
    """A baseline article counts as seen by the end of its date (not at the bot's first start),
    so a first digest lists the last day's news, not the whole corpus."""
    dated = dt.datetime.combine(article.date, dt.time(23, 59, 59), dt.UTC)
    return min(now, dated)


def _chunks(items: Sequence[T], n: int) -> list[Sequence[T]]:
    return [items[i : i + n] for i in range(0, len(items), n)]
