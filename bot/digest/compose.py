"""A digest's or an alert's content: the articles new to a place since a time, on its topic,
never one the place was sent before (nor a syndicated copy of one), newest first, grouped by
topic when there are several."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from sqlalchemy import select

from bot.models import BriefItem, Digest, DigestGroup, Place
from bot.state.database import Database
from bot.state.schema import SentArticle, at_place

#: Articles in one digest; the rest are counted and left to /brief.
DIGEST_ITEMS = 20


def local(when: dt.datetime, zone: str) -> str:
    """ "Monday 7 December, 08:00" in ``zone``."""
    t = when.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{t.strftime('%A')} {t.day} {t.strftime('%B')}, {t.strftime('%H:%M')}"


async def sent_to(db: Database, place: Place) -> tuple[set[str], set[str]]:
    """The ids and text digests of every article already posted to ``place``."""
    async with db.session() as s:
        rows = await s.execute(
            select(SentArticle.article_id, SentArticle.digest).where(*at_place(SentArticle, place))
        )
        pairs = rows.all()
    return {a for a, _ in pairs}, {d for _, d in pairs}


def fresh(
    items: Sequence[BriefItem], digests: dict[str, str], sent: tuple[set[str], set[str]]
) -> list[BriefItem]:
    """``items`` minus those sent before and copies of one another (the newest kept)."""
    ids, texts = sent
    out, seen = [], set(texts)
    for item in items:
        key = digests.get(item.article.id, item.article.id)
        if item.article.id in ids or key in seen:
            continue
        seen.add(key)
        out.append(item)
    return out


def grouped(items: list[BriefItem], topic: str | None) -> list[DigestGroup]:
    """One group for a topic digest; else by each article's first tag, groups in the order of
    their newest article, untagged ones last; one group when there would be only one."""
    if topic:
        return [DigestGroup(topic=topic, items=items)]
    groups: dict[str | None, list[BriefItem]] = {}
    for item in items:
        groups.setdefault(item.tags[0] if item.tags else None, []).append(item)
    if len(groups) <= 1:
        return [DigestGroup(items=items)]
    named = [DigestGroup(topic=k, items=v) for k, v in groups.items() if k is not None]
    rest = groups.get(None)
    return named + ([DigestGroup(topic="Other news", items=rest)] if rest else [])


def compose_digest(
    items: list[BriefItem],
    *,
    topic: str | None,
    since: dt.datetime,
    zone: str,
    now: dt.datetime,
) -> Digest:
    """The digest of ``items`` (what is new since ``since``, newest first), at most
    DIGEST_ITEMS of them; the one line "nothing new since …" when there are none."""
    shown, more = items[:DIGEST_ITEMS], max(0, len(items) - DIGEST_ITEMS)
    on = f" on {topic}" if topic else ""
    title = f"Your briefing{on}: {local(now, zone).split(',')[0]}"
    digest = Digest(kind="digest", title=title, groups=grouped(shown, topic), more=more)
    if more:
        digest.footer = f"…and {more} more: /brief{' ' + topic if topic else ''}"
    if not shown:
        digest.groups = []
        digest.empty = f"Nothing new{on} since {local(since, zone)} ({zone})."
    return digest


def compose_alert(items: list[BriefItem], topics: list[str]) -> Digest:
    """An alert post: the new articles on the place's alert topics."""
    title = f"New on {', '.join(dict.fromkeys(topics))}"
    return Digest(kind="alert", title=title, groups=[DigestGroup(items=items)])
