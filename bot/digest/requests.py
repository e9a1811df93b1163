"""What a person typed after ``/digest``, read into a typed request: the same words in Slack,
Discord (whose options are joined into these words) and the console.

    /digest [every] daily|weekdays|monday… [at] 08:00 [Europe/Paris] [on TOPIC] [quietly]
    /digest alert TOPIC
    /digest list
    /digest stop N
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from bot.digest.schedule import Days, ScheduleError, day_rule, parse_time, zone_name

#: The longest topic a subscription keeps (a topic is a few words; a pasted article is not).
MAX_TOPIC_CHARS = 200

USAGE = (
    "Digests and alerts: /digest daily 08:00 [Europe/Paris] [on TOPIC] (or weekdays, or a "
    "day: /digest monday 9:00), /digest alert TOPIC (new articles on it, as they arrive), "
    '/digest list, /digest stop N. Add "quietly" to a digest to skip the day\'s post when '
    "nothing is new."
)

_FILLER = {"every", "at", "each", "on", "about", "in", "tz", "zone"}


class DigestRequest(BaseModel):
    action: Literal["digest"] = "digest"
    days: Days = "daily"
    at: dt.time = dt.time(8, 0)
    zone: str | None = None  # None: the platform's default for the person (Slack: theirs)
    topic: str | None = None
    quiet: bool = False


class AlertRequest(BaseModel):
    action: Literal["alert"] = "alert"
    topic: str


class ListRequest(BaseModel):
    action: Literal["list"] = "list"


class StopRequest(BaseModel):
    action: Literal["stop"] = "stop"
    number: int


class HelpRequest(BaseModel):
    action: Literal["help"] = "help"


Request = DigestRequest | AlertRequest | ListRequest | StopRequest | HelpRequest


def check_topic(topic: str) -> str:
    """A topic as kept: spaces folded, at most MAX_TOPIC_CHARS, never empty."""
    topic = " ".join(topic.split()).strip(" .,;:!?\"'")
    if not topic:
        raise ScheduleError("an alert needs a topic: /digest alert japan")
    if len(topic) > MAX_TOPIC_CHARS:
        raise ScheduleError(
            f"that topic is {len(topic):,} characters long: a topic is a few words "
            f"(at most {MAX_TOPIC_CHARS} characters), e.g. /digest alert japan trade"
        )
    return topic


def parse_request(text: str) -> Request:
    """The request in ``text`` (what follows ``/digest``); ScheduleError, worded for the
    person, when it is not one."""
    words = text.split()
    if not words or words[0].lower() in ("help", "?"):
        return HelpRequest()
    head = words[0].lower()
    if head in ("list", "ls", "show"):
        return ListRequest()
    if head in ("stop", "cancel", "remove", "delete", "unsubscribe"):
        number = words[1].lstrip("#") if len(words) > 1 else ""
        if not number.isdigit() or len(number) > 9:
            raise ScheduleError("say which one to stop by its number: /digest list shows them")
        return StopRequest(number=int(number))
    if head in ("alert", "alerts", "watch"):
        rest = words[1:]
        if rest and rest[0].lower() in ("on", "about", "for"):
            rest = rest[1:]
        return AlertRequest(topic=check_topic(" ".join(rest)))
    return _digest(words)


def _digest(words: list[str]) -> DigestRequest:
    days: Days | None = None
    at: dt.time | None = None
    zone: str | None = None
    quiet = False
    topic: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        low = word.lower()
        if low in ("on", "about") and (days or at):
            topic = words[i + 1 :]
            break
        if low in ("quiet", "quietly", "silent"):
            quiet = True
        elif low in _FILLER:
            pass
        elif days is None and (rule := day_rule(low)) is not None:
            days = rule
        elif at is None and low[:1].isdigit():
            # "7:30 pm": the am/pm may be its own word
            if i + 1 < len(words) and words[i + 1].lower() in ("am", "pm", "a.m.", "p.m."):
                word += words[i + 1]
                i += 1
            at = parse_time(word)
        elif zone is None and ("/" in word or low in ("utc", "gmt", "z")):
            zone = zone_name(word)
        else:
            raise ScheduleError(
                f"I did not understand {word[:30]!r}. " + USAGE.split(". ", 1)[0].split(": ", 1)[1]
            )
        i += 1
    if days is None and at is None:
        raise ScheduleError(USAGE)
    return DigestRequest(
        days=days or "daily",
        at=at or dt.time(8, 0),
        zone=zone,
        topic=check_topic(" ".join(topic)) if topic else None,
        quiet=quiet,
    )
