"""Subscriptions as adapters see them: add a digest or an alert for a place, list a place's,
stop one; capped per place (``BRIEFBOT_MAX_SUBSCRIPTIONS``), never two alike."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select, update

from bot.digest.requests import AlertRequest, DigestRequest
from bot.digest.schedule import Schedule, ScheduleError
from bot.models import Place
from bot.state.database import Database
from bot.state.schema import Subscription, at_place


class SubscriptionView(BaseModel):
    """One subscription as a list shows it."""

    id: int
    kind: Literal["digest", "alert"]
    topic: str | None = None
    schedule: Schedule | None = None
    quiet: bool = False

    def describe(self) -> str:
        """ "#3 digest every weekday at 08:00 (Europe/Paris) on japan"."""
        on = f" on {self.topic}" if self.topic else ""
        if self.kind == "alert" or self.schedule is None:
            return f"#{self.id} alert: new articles on {self.topic}"
        quiet = ", quietly" if self.quiet else ""
        return f"#{self.id} digest {self.schedule.describe()}{on}{quiet}"


def schedule_of(sub: Subscription) -> Schedule:
    return Schedule(
        days=sub.days or "daily",
        at=dt.time.fromisoformat(sub.at or "08:00"),
        zone=sub.zone or "UTC",
    )


def view(sub: Subscription) -> SubscriptionView:
    is_digest = sub.kind == "digest"
    return SubscriptionView(
        id=sub.id,
        kind="digest" if is_digest else "alert",
        topic=sub.topic,
        schedule=schedule_of(sub) if is_digest else None,
        quiet=sub.quiet,
    )


def _at(place: Place) -> list[ColumnElement[bool]]:
    return [*at_place(Subscription, place), Subscription.active.is_(True)]


class Subscriptions:
    """Add, list and stop the subscriptions of a place."""

    def __init__(self, db: Database, *, max_per_place: int = 20) -> None:
        self.db = db
        self.max_per_place = max_per_place

    async def add_digest(
        self, place: Place, request: DigestRequest, *, zone: str, by: str, now: dt.datetime
    ) -> tuple[SubscriptionView, bool]:
        """The digest subscription (new, or the same one already there: False)."""
        schedule = Schedule(days=request.days, at=request.at, zone=request.zone or zone)
        row = Subscription(
            platform=place.platform,
            workspace=place.workspace,
            channel=place.channel,
            kind="digest",
            topic=request.topic,
            days=schedule.days,
            at=schedule.at.strftime("%H:%M"),
            zone=schedule.zone,
            quiet=request.quiet,
            created_by=by,
            created_at=now,
        )
        return await self._add(place, row)

    async def add_alert(
        self, place: Place, request: AlertRequest, *, by: str, now: dt.datetime
    ) -> tuple[SubscriptionView, bool]:
        row = Subscription(
            platform=place.platform,
            workspace=place.workspace,
            channel=place.channel,
            kind="alert",
            topic=request.topic,
            created_by=by,
            created_at=now,
        )
        return await self._add(place, row)

    async def _add(self, place: Place, row: Subscription) -> tuple[SubscriptionView, bool]:
        async with self.db.session() as s, s.begin():
            same = await s.scalar(
                select(Subscription).where(
                    *_at(place),
                    Subscription.kind == row.kind,
                    func.lower(func.coalesce(Subscription.topic, "")) == (row.topic or "").lower(),
                    func.coalesce(Subscription.days, "") == (row.days or ""),
                    func.coalesce(Subscription.at, "") == (row.at or ""),
                    func.coalesce(Subscription.zone, "") == (row.zone or ""),
                )
            )
            if same is not None:
                return view(same), False
            count = await s.scalar(
                select(func.count()).select_from(Subscription).where(*_at(place))
            )
            if (count or 0) >= self.max_per_place:
                raise ScheduleError(
                    f"this channel has {count} subscriptions, the most it may have "
                    "(BRIEFBOT_MAX_SUBSCRIPTIONS): stop one first (/digest list, /digest stop N)"
                )
            s.add(row)
            await s.flush()
            return view(row), True

    async def list(self, place: Place) -> list[SubscriptionView]:
        async with self.db.session() as s:
            rows = await s.scalars(
                select(Subscription).where(*_at(place)).order_by(Subscription.id)
            )
            return [view(r) for r in rows]

    async def stop(self, place: Place, number: int) -> SubscriptionView:
        """Stop subscription ``number`` of this place; ScheduleError when it has none such."""
        async with self.db.session() as s, s.begin():
            row = await s.scalar(select(Subscription).where(*_at(place), Subscription.id == number))
            if row is None:
                raise ScheduleError(
                    f"there is no subscription #{number} in this channel: /digest list shows "
                    "this channel's"
                )
            row.active = False
            row.note = "stopped"
            return view(row)

    async def disable_place(self, place: Place, why: str) -> int:
        """Turn off every subscription of a place the bot can no longer post to."""
        async with self.db.session() as s, s.begin():
            result = await s.execute(
                update(Subscription).where(*_at(place)).values(active=False, note=why)
            )
            return int(getattr(result, "rowcount", 0) or 0)
