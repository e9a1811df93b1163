"""Reading RSS and Atom feeds with feedparser: the items, their links, dates and categories.

feedparser is used on bytes we fetched ourselves, never on a URL (it would fetch it with its own
rules). It reads RSS 0.9x/1.0/2.0 and Atom, and recovers what it can from XML that is not well
formed; a feed from which nothing can be recovered is a ``FeedError``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any

import feedparser

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+xml",
    "application/xml",
    "text/xml",
)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")


class FeedError(Exception):
    """Bytes that are not a feed; the message says why."""


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, as much as the feed says about it."""

    link: str | None
    guid: str | None  # "<feed URL> <id>": feeds promise ids unique in the feed, not beyond
    title: str | None
    date: dt.date | None
    tags: tuple[str, ...]
    source: str | None  # the item's own <source> (an aggregator naming the publisher)
    text: tuple[str, ...]  # the feed's own paragraphs (summary or full content), a fallback
    fingerprint: str  # changes when the feed changes what it says about the item


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title, its items in feed order, and a note when the XML was broken."""

    title: str | None
    items: tuple[FeedItem, ...]
    warning: str | None = None


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """Whether an answer is a feed: by its media type, or by its root element when a server
    labels its feed text/plain or application/octet-stream."""
    if content_type in FEED_TYPES or content_type.endswith(("+xml", "/xml")):
        return True
    return content_type not in ("text/html", "application/xhtml+xml") and bool(
        _FEED_ROOT.search(body[:2048])
    )


def parse_feed(body: bytes, url: str, content_type: str = "application/xml") -> Feed:
    """The feed in ``body`` (fetched from ``url``, against which relative links resolve)."""
    headers = {"content-location": url, "content-type": content_type}
    parsed = feedparser.parse(body, response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries:
        if problem is not None:
            raise FeedError(f"not a valid feed ({_why(problem)})")
        if not parsed.get("version"):
            raise FeedError("not an RSS or Atom feed")
    items = tuple(_item(e, url) for e in parsed.entries)
    title = _clean(parsed.feed.get("title"))
    warning = (
        f"the feed is not well-formed ({_why(problem)}); read what could be" if problem else None
    )
    return Feed(title=title, items=items, warning=warning)


def _item(parsed_entry: Any, feed_url: str) -> FeedItem:
    # A plain dict view: feedparser's own get() maps a missing "updated" to "published" with a
    # DeprecationWarning per item.
    entry: dict[str, Any] = dict(parsed_entry)
    link = entry.get("link") or None
    ident = (entry.get("id") or "").strip()
    source = entry.get("source") or {}
    tags = []
    for tag in entry.get("tags") or []:
        term = _clean(tag.get("label") or tag.get("term"))
        if term and term not in tags:
            tags.append(term)
    content = entry.get("content") or []
    text = content[0].get("value", "") if content else entry.get("summary", "")
    said = "\n".join(
        str(entry.get(k, "")) for k in ("title", "link", "published", "updated", "summary")
    )
    return FeedItem(
        link=link.strip() if link else None,
        guid=f"{feed_url} {ident}" if ident else None,
        title=_clean(entry.get("title")),
        date=_date(entry),
        tags=tuple(tags),
        source=_clean(source.get("title")) if isinstance(source, dict) else None,
        text=html_paragraphs(text),
        fingerprint=hashlib.sha1(said.encode()).hexdigest()[:16],
    )


def _date(entry: dict[str, Any]) -> dt.date | None:
    """The date as the feed wrote it, in the publisher's own time zone: feedparser's parsed
    form is in UTC, which moves a late-evening Tokyo story to the day before."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            return dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00")).date()
        except ValueError:
            pass
        try:
            return email.utils.parsedate_to_datetime(raw).date()
        except (TypeError, ValueError, IndexError):
            pass
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


_BLOCK = re.compile(r"</?(?:p|div|br|li|h[1-6]|blockquote|tr|section|article)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def html_paragraphs(fragment: str) -> tuple[str, ...]:
    """Plain paragraphs of a feed's (already sanitised) HTML summary or content."""
    blocks = _BLOCK.split(fragment or "")
    out = []
    for block in blocks:
        text = " ".join(html.unescape(_TAG.sub(" ", block)).split())
        if text:
            out.append(text)
    return tuple(out)


def _clean(value: Any) -> str | None:
    if not value:
        return None
    text = " ".join(html.unescape(_TAG.sub(" ", str(value))).split())
    return text or None


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.replace("<unknown>:", "line ").strip()
