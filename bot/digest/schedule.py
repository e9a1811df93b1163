"""When a digest is due: a day rule (every day, weekdays, one weekday) at a local time in an
IANA time zone, computed by APScheduler's cron trigger in that zone, so a daylight-saving
change moves the UTC instant and never the local time people asked for."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from typing import Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict
from rapidfuzz import process

Days = Literal["daily", "weekdays", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_CRON_DAYS = {"daily": "*", "weekdays": "mon-fri"}
_DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_ZONE_HINT = "use a name like Europe/Paris, America/New_York or Asia/Tokyo"


class ScheduleError(ValueError):
    """A time, day or zone a person typed that is not one; the message says what would be."""


@functools.cache
def _zones() -> dict[str, str]:
    """Every IANA zone name by its lower-cased form (people type "europe/paris")."""
    names = zoneinfo.available_timezones() | {"UTC"}
    return {n.lower(): n for n in names}


def zone_name(text: str) -> str:
    """The IANA name for ``text`` (any case; "GMT" and "Z" read as UTC), or ScheduleError with
    the closest names."""
    key = text.strip().lower()
    if key in ("z", "gmt", "utc", "etc/utc"):
        return "UTC"
    zones = _zones()
    if key in zones:
        return zones[key]
    shown = text.strip()[:40]
    found = process.extract(shown, list(zones.values()), limit=2, score_cutoff=85)
    close = [z for z, score, _ in found if score >= found[0][1] - 3]
    maybe = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise ScheduleError(f"{shown!r} is not a time zone I know{maybe}: {_ZONE_HINT}.")


def zone_choices(prefix: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: those starting with ``prefix``, then containing it."""
    p = prefix.strip().lower()
    names = sorted(_zones().values())
    starts = [n for n in names if n.lower().startswith(p)]
    inside = [n for n in names if p in n.lower() and n not in starts]
    return (starts + inside)[:limit]


_TIME = re.compile(r"^(\d{1,2})(?:[:h.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.I)


def parse_time(text: str) -> dt.time:
    """``08:00``, ``8``, ``7:30pm``, ``19h30``; ScheduleError for ``25:00`` or ``noonish``."""
    m = _TIME.match(text.strip())
    hour = minute = -1
    if m:
        hour, minute = int(m[1]), int(m[2] or 0)
        if m[3]:
            if not 1 <= hour <= 12:
                hour = -1
            else:
                hour = hour % 12 + (12 if m[3].lower().startswith("p") else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ScheduleError(
            f"{text.strip()[:20]!r} is not a time of day: use HH:MM from 00:00 to 23:59 "
            "(e.g. 08:00, 17:30 or 7:30pm)."
        )
    return dt.time(hour, minute)


class Schedule(BaseModel):
    """A digest's schedule: ``days`` at ``at`` (local time) in ``zone``."""

    model_config = ConfigDict(frozen=True)

    days: Days = "daily"
    at: dt.time = dt.time(8, 0)
    zone: str = "UTC"

    @functools.cached_property
    def _trigger(self) -> CronTrigger:
        day = _CRON_DAYS.get(self.days, self.days)
        return CronTrigger(
            day_of_week=day,
            hour=self.at.hour,
            minute=self.at.minute,
            timezone=zoneinfo.ZoneInfo(self.zone),
        )

    def next_after(self, after: dt.datetime) -> dt.datetime:
        """The first delivery strictly after ``after`` (aware), in UTC."""
        start = after + dt.timedelta(seconds=1)
        fire = self._trigger.get_next_fire_time(None, start.replace(microsecond=0))
        assert fire is not None  # a cron rule with a weekday always fires again
        when: dt.datetime = fire.astimezone(dt.UTC)
        return when

    def last_between(self, after: dt.datetime, now: dt.datetime) -> dt.datetime | None:
        """The latest delivery in ``(after, now]``, or None: the one to post (or skip) when
        the bot was down or busy."""
        # Step back a week at most: a weekly rule fires once in any seven days.
        start = max(after, now - dt.timedelta(days=8))
        found = None
        fire = self.next_after(start)
        while fire <= now:
            found = fire
            fire = self.next_after(fire)
        return found

    def describe(self) -> str:
        """ "every weekday at 08:00 (Europe/Paris)"."""
        if self.days == "daily":
            when = "every day"
        elif self.days == "weekdays":
            when = "every weekday"
        else:
            when = f"every {_DAY_NAMES[self.days]}"
        return f"{when} at {self.at.strftime('%H:%M')} ({self.zone})"


def day_rule(word: str) -> Days | None:
    """ "daily", "weekdays", "monday"/"mon"/"mondays" as a day rule, else None."""
    w = word.lower().strip(",.")
    if w in ("daily", "day", "everyday"):
        return "daily"
    if w in ("weekday", "weekdays", "workdays"):
        return "weekdays"
    for short, name in _DAY_NAMES.items():
        if w in (short, name.lower(), name.lower() + "s"):
            return short  # type: ignore[return-value]  # a key of _DAY_NAMES is a Days
    return None
