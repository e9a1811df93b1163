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

__all__ = ["Named", "Period", "named_days", "question_period", "split_period"]

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
# In a question the period may stand anywhere ("how many died yesterday in the quake?"). Left
# out there: "since" ("what has changed since March?" asks about the text, not the dates), and
# "today", which a question means as "now" ("who leads the party today?", "still used today").
_RELATIVE = (
    r"(?P<yesterday>yesterday)"
    r"|(?P<which>this|last|past)\s+(?P<unit>week|month)(?!\s+of\b)"
    r"|(?:last|past)\s+(?P<days>\d{1,3})\s+days"
)
_IN_QUESTION = re.compile(rf"(?:\b(?:in|during|over)\s+the\s+)?\b(?:{_RELATIVE})\b", re.I)
_FULL_MONTH = "|".join(_MONTHS)
_FULL_WEEKDAY = "|".join(_WEEKDAYS)
# "in March", "on Tuesday", "last Friday": the preposition makes a month a time ("may" alone
# is a verb); the name is what a passage must say, or its article's date must be.
_NAMED = re.compile(
    rf"\b(?:in|on|during|last|this|by)\s+(?:early\s+|late\s+|mid-?)?"
    rf"(?P<month>{_FULL_MONTH})\b(?!\s+(?:of\s+)?\d)"
    rf"|\b(?:on|last|this)\s+(?P<weekday>{_FULL_WEEKDAY})\b",
    re.I,
)
_AT_END = re.compile(rf"[\s,:;-]*\b(?:{_PHRASE})\s*$", re.I)


@dataclass(frozen=True)
class Period:
    """Articles dated from ``start`` to ``end`` (both included), and how to say it."""

    start: dt.date
    end: dt.date
    label: str

    def holds(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Named:
    """A month or a weekday a question names: a passage answers if it says the name or its
    article is dated then (a weekday: that day or the day after, as news is written)."""

    name: str  # "March", "Tuesday"
    month: int | None = None
    weekday: int | None = None
    phrase: str = ""  # as written in the question ("in March")

    def holds(self, day: dt.date, quote: str) -> bool:
        if re.search(rf"\b{self.name}\b", quote, re.I):
            return True
        if self.month is not None:
            return day.month == self.month
        assert self.weekday is not None
        return day.weekday() in (self.weekday, (self.weekday + 1) % 7)


def question_period(text: str, today: dt.date) -> tuple[Period | None, str]:
    """A relative time anywhere in a question ("yesterday", "last week", "this month", "past 3
    days") and the question without it, or (None, text)."""
    m = _IN_QUESTION.search(text)
    if m is None:
        return None, text
    period = _period(m, today)
    if period is None:
        return None, text
    rest = (text[: m.start()] + " " + text[m.end() :]).strip(" ,:;-")
    return period, " ".join(rest.split())


def named_days(text: str) -> list[Named]:
    """The months and weekdays a question names as times ("in March", "on Tuesday")."""
    out = []
    for m in _NAMED.finditer(text):
        if m["month"]:
            name = m["month"].capitalize()
            out.append(Named(name, month=_MONTHS.index(name.lower()) + 1, phrase=m[0]))
        else:
            name = m["weekday"].capitalize()
            out.append(Named(name, weekday=_WEEKDAYS.index(name.lower()), phrase=m[0]))
    return out


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
    g: dict[str, str | None] = {k: m.groupdict().get(k) for k in _GROUPS}
    if g["which"] and g["which"].lower() == "past":
        g["which"] = "last"
    if g["today"]:
        return Period(today, today, f"today ({today.isoformat()})")
    if g["yesterday"]:
        day = today - dt.timedelta(days=1)
        return Period(day, day, f"yesterday ({day.isoformat()})")
    if g["unit"] == "week":
        monday = today - dt.timedelta(days=today.weekday())
        if (g["which"] or "").lower() == "this":
            return Period(monday, today, f"this week (since {monday.isoformat()})")
        start = monday - dt.timedelta(days=7)
        end = monday - dt.timedelta(days=1)
        return Period(start, end, f"last week ({start.isoformat()} to {end.isoformat()})")
    if g["unit"] == "month":
        first = today.replace(day=1)
        if (g["which"] or "").lower() == "this":
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


# Every named group of the patterns (a question's pattern has fewer: the rest read as None).
_GROUPS = (
    *("today", "yesterday", "which", "unit", "days"),
    *("wd", "yday", "lastweek", "iso", "d1", "m1", "d2", "m2"),
)


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
