"""Time words in a briefing request: "today", "yesterday", "this week", "since monday".

``/brief this week japan`` is a topic and a period; the period is read off either end of the
text against today's date and the rest is the topic. What is recognised, on purpose a small
grammar (a date parser would also read "may" or "march" in a topic as dates):

* ``today``, ``yesterday``, ``this week`` / ``last week`` (weeks start on Monday),
  ``this month`` / ``last month``, ``last N days`` / ``past N days``;
* ``since`` + a weekday (the latest one, today included), ``yesterday``, ``last week``, or a
  date (``2026-01-03``, ``3 january``, ``jan 3``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["Period", "split_period"]

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*"
_SINCE = (
    rf"since\s+(?:(?P<wd>{_WEEKDAY})|(?P<yday>yesterday)|(?P<lastweek>last\s+week)"
    rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})|(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}))"
)
_PHRASE = (
    rf"(?P<today>today)|(?P<yesterday>yesterday)|(?P<which>this|last)\s+(?P<unit>week|month)"
    rf"|(?:last|past)\s+(?P<days>\d{{1,3}})\s+days|{_SINCE}"
)
_AT_START = re.compile(rf"^\s*(?:{_PHRASE})\b[\s,:;-]*", re.I)
_AT_END = re.compile(rf"[\s,:;-]*\b(?:{_PHRASE})\s*$", re.I)


@dataclass(frozen=True)
class Period:
    """Articles dated from ``start`` to ``end`` (both included), and how to say it."""

    start: dt.date
    end: dt.date
    label: str

    def holds(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def split_period(text: str, today: dt.date) -> tuple[Period | None, str]:
    """The period named at either end of ``text`` and the rest (the topic), or (None, text)."""
    for pattern in (_AT_START, _AT_END):
        m = pattern.search(text)
        if m is None:
            continue
        period = _period(m, today)
        if period is not None:
            rest = (text[: m.start()] + " " + text[m.end() :]).strip(" ,:;-")
            return period, " ".join(rest.split())
    return None, text


def _period(m: re.Match[str], today: dt.date) -> Period | None:
    g = m.groupdict()
    if g["today"]:
        return Period(today, today, f"today ({today.isoformat()})")
    if g["yesterday"]:
        day = today - dt.timedelta(days=1)
        return Period(day, day, f"yesterday ({day.isoformat()})")
    if g["unit"] == "week":
        monday = today - dt.timedelta(days=today.weekday())
        if g["which"].lower() == "this":
            return Period(monday, today, f"this week (since {monday.isoformat()})")
        start = monday - dt.timedelta(days=7)
        end = monday - dt.timedelta(days=1)
        return Period(start, end, f"last week ({start.isoformat()} to {end.isoformat()})")
    if g["unit"] == "month":
        first = today.replace(day=1)
        if g["which"].lower() == "this":
            return Period(first, today, f"this month (since {first.isoformat()})")
        end = first - dt.timedelta(days=1)
        start = end.replace(day=1)
        return Period(start, end, f"last month ({start:%B %Y})")
    if g["days"]:
        start = today - dt.timedelta(days=max(int(g["days"]) - 1, 0))
        return Period(start, today, f"the last {int(g['days'])} days (since {start.isoformat()})")
    since = _since(g, today)
    if since is None or since > today:
        return None
    return Period(since, today, f"since {since:%A} {since.isoformat()}")


def _since(g: dict[str, str | None], today: dt.date) -> dt.date | None:
    if g["wd"]:
        wd = next((i for i, d in enumerate(_WEEKDAYS) if d.startswith(g["wd"].lower()[:3])), None)
        if wd is None:
            return None
        return today - dt.timedelta(days=(today.weekday() - wd) % 7)
    if g["yday"]:
        return today - dt.timedelta(days=1)
    if g["lastweek"]:
        return today - dt.timedelta(days=today.weekday() + 7)
    if g["iso"]:
        try:
            return dt.date.fromisoformat(g["iso"])
        except ValueError:
            return None
    day, month = (g["d1"], g["m1"]) if g["d1"] else (g["d2"], g["m2"])
    assert day is not None and month is not None
    m = next((i + 1 for i, name in enumerate(_MONTHS) if name.startswith(month.lower()[:3])), None)
    if m is None:
        return None
    try:
        found = dt.date(today.year, m, int(day))
    except ValueError:
        return None
    if found <= today:
        return found
    try:
        return found.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return None
