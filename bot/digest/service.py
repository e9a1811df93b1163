"""The ``/digest`` command, platform-neutral: the same words and replies in Slack, Discord and
the console. Adapters pass the place, the person and their time zone (Slack's ``tz``; Discord
has none: UTC unless they name one)."""

from __future__ import annotations

import datetime as dt

from bot.digest.compose import local
from bot.digest.requests import (
    USAGE,
    AlertRequest,
    DigestRequest,
    HelpRequest,
    ListRequest,
    Request,
    StopRequest,
    parse_request,
)
from bot.digest.schedule import ScheduleError, zone_name
from bot.digest.scheduler import Scheduler
from bot.digest.subscriptions import Subscriptions
from bot.models import Place, TextReply


class Digests:
    """Subscriptions made and listed from the chat; the scheduler is woken by each change."""

    def __init__(
        self, scheduler: Scheduler, *, max_per_place: int = 20, alert_interval: float = 600.0
    ) -> None:
        self.scheduler = scheduler
        self.subscriptions = Subscriptions(scheduler.db, max_per_place=max_per_place)
        self.alert_interval = alert_interval

    async def command(
        self, text: str, place: Place, *, by: str, zone: str | None = None
    ) -> TextReply:
        """Answer ``/digest …`` (``text`` is what follows the command)."""
        try:
            request = parse_request(text)
        except ScheduleError as exc:
            return TextReply(kind="notice", text=f"Sorry, {exc}")
        return await self.run(request, place, by=by, zone=zone)

    async def run(
        self, request: Request, place: Place, *, by: str, zone: str | None = None
    ) -> TextReply:
        """Carry out a typed request (Discord builds one from its options)."""
        now = self.scheduler.clock()
        try:
            return TextReply(kind="notice", text=await self._run(request, place, by, zone, now))
        except ScheduleError as exc:
            return TextReply(kind="notice", text=f"Sorry, {exc}")

    async def _run(
        self, request: Request, place: Place, by: str, zone: str | None, now: dt.datetime
    ) -> str:
        subs = self.subscriptions
        match request:
            case HelpRequest():
                return USAGE
            case ListRequest():
                views = await subs.list(place)
                if not views:
                    return "No digests or alerts here yet. " + USAGE
                return "Here:\n" + "\n".join(v.describe() for v in views)
            case StopRequest(number=number):
                stopped = await subs.stop(place, number)
                return f"Stopped {stopped.describe()}."
            case AlertRequest():
                made, new = await subs.add_alert(place, request, by=by, now=now)
                if not new:
                    return f"This channel already has {made.describe()}."
                minutes = round(self.alert_interval / 60)
                return (
                    f"Subscribed: {made.describe()}. I post each new article on it here as it "
                    f"arrives, at most one post every {minutes} minute{'s' * (minutes != 1)}."
                )
            case DigestRequest():
                home = zone_name(zone) if zone else "UTC"
                made, new = await subs.add_digest(place, request, zone=home, by=by, now=now)
                self.scheduler.wake()
                assert made.schedule is not None
                if not new:
                    return f"This channel already has {made.describe()}."
                first = made.schedule.next_after(now)
                return (
                    f"Subscribed: {made.describe()}. The first comes "
                    f"{local(first, made.schedule.zone)}."
                )
        raise AssertionError(request)  # pragma: no cover
