"""One ingestion run: each URL fetched and read as a feed or an article page, each new article
written to the corpus folder, and an outcome (added, updated, skipped, failed: and why) for each.

A failure is an outcome, never an exception: a 404, a slow page or a broken feed is one line of
the report and the others go on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from yarl import URL

from bot.ingest.extract import Extracted, extract_article
from bot.ingest.feeds import Feed, FeedError, FeedItem, looks_like_feed, parse_feed
from bot.ingest.fetch import Fetcher, FetchError, Page, check_url, is_public
from bot.ingest.models import (
    Action,
    IngestError,
    IngestOptions,
    IngestReport,
    Outcome,
    SourceResult,
)
from bot.ingest.store import CorpusFolder, Stored, text_digest
from bot.progress import Progress

HTML_TYPES = ("text/html", "application/xhtml+xml")
_ACCEPT_ANY = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
_ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_TITLE_CHARS = 300

T = TypeVar("T")


async def ingest(
    urls: Sequence[str],
    folder: Path,
    options: IngestOptions | None = None,
    *,
    today: dt.date | None = None,
) -> IngestReport:
    """Fetch every URL (a feed: all its items; else an article page) into ``folder``.

    Raises IngestError before fetching anything when a URL is not http(s) or the folder is a
    file; everything that goes wrong afterwards is an outcome in the report.
    """
    options = options or IngestOptions()
    urls = list(dict.fromkeys(u.strip() for u in urls if u.strip()))
    if not urls:
        raise IngestError("no URL to ingest: give feed or article URLs (or set BRIEFBOT_FEEDS)")
    bad = [f"{u}: {why}" for u in urls if (why := check_url(u))]
    if bad:
        raise IngestError("; ".join(bad))
    started = time.perf_counter()
    report = IngestReport(folder=str(folder))
    async with (
        CorpusFolder.open(folder, options.lock_wait) as store,
        Fetcher(options) as fetcher,
    ):
        with Progress("ingesting", len(urls), unit="pages") as progress:
            run = _Run(store, fetcher, options, today or dt.date.today(), progress)
            fetched = await asyncio.gather(*(run.counted(run.source(u)) for u in urls))
        # Pages are fetched at once but stored in the order given (feed order, then URL order):
        # of two copies of a story, the one listed first is kept, whichever page came first.
        for source in fetched:
            result = source.result
            result.outcomes = [p if isinstance(p, Outcome) else run.save(p) for p in source.pending]
            # A feed's validators are kept only when every item went through: a 304 next time
            # would otherwise hide the items that failed (a 500, a timeout) from the retry.
            if source.page and all(o.action != "failed" for o in result.outcomes):
                store.remember(result.url, source.page.etag, source.page.last_modified)
            report.sources.append(result)
    report.took_s = round(time.perf_counter() - started, 3)
    return report


@dataclass
class _Fetched:
    """An article page fetched and extracted, waiting to be stored."""

    key: str
    page: Page
    extracted: Extracted
    item: FeedItem | None
    feed: Feed | None


@dataclass
class _Source:
    """A source's result so far, its articles still to store, and its page (for validators)."""

    result: SourceResult
    pending: list[Outcome | _Fetched] = field(default_factory=list)
    page: Page | None = None


class _Run:
    """What the URLs of one run share: the folder's state, the HTTP session, a page limit."""

    def __init__(
        self,
        store: CorpusFolder,
        fetcher: Fetcher,
        options: IngestOptions,
        today: dt.date,
        progress: Progress,
    ) -> None:
        self.store, self.fetcher, self.today = store, fetcher, today
        self.pages = asyncio.Semaphore(options.concurrency)
        self.seen: set[str] = set()
        self.progress = progress  # pages: each URL given, then each item of a feed

    async def counted(self, work: Awaitable[T]) -> T:
        """``work``, counted as one page done once it is over, however it ends."""
        try:
            return await work
        finally:
            self.progress.advance()

    async def source(self, url: str) -> _Source:
        """A URL given by the user or BRIEFBOT_FEEDS: a feed, an article page, or a failure."""
        source = _Source(SourceResult(url=url))
        result = source.result
        known = self.store.validators(url)
        try:
            page = await self.fetcher.get(
                url, accept=_ACCEPT_ANY, etag=known.etag, last_modified=known.last_modified
            )
        except FetchError as exc:
            result.error = str(exc)
            return source
        if page.not_modified:
            result.not_modified = True
            return source
        if looks_like_feed(page.content_type, page.body):
            result.kind = "feed"
            try:
                feed = await asyncio.to_thread(parse_feed, page.body, page.url, _with_charset(page))
            except FeedError as exc:
                result.error = str(exc)
                return source
            result.title, result.items, result.warning = feed.title, len(feed.items), feed.warning
            # Items of a feed on the public internet must stay there (see Fetcher.get).
            private_ok = not await is_public(URL(page.url))
            self.progress.add_total(len(feed.items))
            items = [self.counted(self.item(i, feed, private_ok)) for i in feed.items]
            source.pending = list(await asyncio.gather(*items))
        elif page.content_type in HTML_TYPES:
            result.kind = "article"
            self.seen.add(url)
            done = await self.article(url, page)
            result.title = done.title if isinstance(done, Outcome) else done.extracted.title
            source.pending = [done]
        else:
            result.error = (
                f"neither a feed nor an HTML page ({page.content_type or 'no content type'})"
            )
            return source
        source.page = page
        return source

    async def item(self, item: FeedItem, feed: Feed, private_ok: bool) -> Outcome | _Fetched:
        """One feed item: skipped when stored and unchanged in the feed, else its page fetched."""
        link = item.link
        if not link:
            return Outcome(action="failed", url=item.guid or "?", reason="the item has no link")
        if why := check_url(link):
            return Outcome(action="failed", url=link, reason=why, title=item.title)
        if link in self.seen:
            why = "listed twice in this run"
            return Outcome(action="skipped", url=link, reason=why, title=item.title)
        self.seen.add(link)
        found = self.store.find(link, item.guid)
        if found:
            stored = found[1]
            if not stored.copy_of and not self.store.exists(stored):
                why = f"its file {stored.file} was deleted; not fetched again"
                return Outcome(action="skipped", url=link, reason=why, title=item.title)
            if stored.fingerprint == item.fingerprint:
                where = f"as a copy of {stored.copy_of}" if stored.copy_of else f"in {stored.file}"
                why = f"already stored {where}; unchanged in the feed"
                return Outcome(action="skipped", url=link, reason=why, file=stored.file)
        return await self.article(link, None, item=item, feed=feed, private_ok=private_ok)

    async def article(
        self,
        url: str,
        page: Page | None,
        *,
        item: FeedItem | None = None,
        feed: Feed | None = None,
        private_ok: bool = True,
    ) -> Outcome | _Fetched:
        """Fetch (unless given) and extract an article page."""
        title = item.title if item else None
        async with self.pages:
            if page is None:
                known = self.store.validators(url)
                try:
                    page = await self.fetcher.get(
                        url,
                        accept=_ACCEPT_HTML,
                        etag=known.etag,
                        last_modified=known.last_modified,
                        private_ok=private_ok,
                    )
                except FetchError as exc:
                    return Outcome(action="failed", url=url, reason=str(exc), title=title)
                if page.not_modified:
                    found = self.store.find(url, item.guid if item else None)
                    if found and item:
                        found[1].fingerprint = item.fingerprint
                    why = "page not modified since the last run (HTTP 304)"
                    return Outcome(action="skipped", url=url, reason=why, title=title)
                if page.content_type not in HTML_TYPES:
                    why = f"not an HTML page ({page.content_type or 'no content type'})"
                    return Outcome(action="failed", url=url, reason=why, title=title)
                self.store.remember(url, page.etag, page.last_modified)
            extracted = await asyncio.to_thread(extract_article, page.body, page.url, page.charset)
        return _Fetched(url, page, extracted, item, feed)

    def save(self, fetched: _Fetched) -> Outcome:
        """Write the article unless it is stored already (same URL and text, or the same text
        from another URL)."""
        composed = self.compose(fetched)
        if isinstance(composed, Outcome):
            return composed
        meta, paragraphs, note = composed
        key, guid = fetched.key, fetched.item.guid if fetched.item else None
        fingerprint = fetched.item.fingerprint if fetched.item else None
        digest = text_digest(paragraphs)

        def outcome(action: Action, reason: str, file: str) -> Outcome:
            return Outcome(action=action, url=key, reason=reason, file=file, title=meta["title"])

        found = self.store.find(key, guid)
        if found and not found[1].copy_of and self.store.exists(found[1]):
            stored = found[1]
            stored.fingerprint = fingerprint
            if stored.digest == digest:
                return outcome("skipped", "unchanged since it was stored", stored.file)
            self.store.write(stored.file, meta, paragraphs)
            stored.digest = digest
            self.store.record(found[0], stored)
            return outcome("updated", note or "the text changed", stored.file)
        copy = self.store.copy_of(digest)
        if copy and copy[0] != key:
            first, stored = copy
            self.store.record(
                key,
                Stored(
                    file=stored.file,
                    digest=digest,
                    fingerprint=fingerprint,
                    guid=guid,
                    copy_of=first,
                ),
            )
            why = f"same story as {stored.file} (from {first}): a syndicated copy"
            return outcome("skipped", why, stored.file)
        name = self.store.file_name(key, meta["url"], meta["date"], meta["title"])
        action: Action = "added"
        on_disk = self.store.on_disk(name, meta["url"])  # written by a run whose state was lost
        if on_disk == digest:
            action, note = "skipped", "unchanged since it was stored"
        else:
            self.store.write(name, meta, paragraphs)
            if on_disk is not None:
                action, note = "updated", note or "the text changed"
        self.store.record(key, Stored(file=name, digest=digest, fingerprint=fingerprint, guid=guid))
        return outcome(action, note, name)

    def compose(self, fetched: _Fetched) -> tuple[dict[str, Any], tuple[str, ...], str] | Outcome:
        """Front matter, paragraphs and a note on where they came from; the feed's word first
        (title, date, tags), then the page's, then a fallback that the note names."""
        ext, item, feed, page = fetched.extracted, fetched.item, fetched.feed, fetched.page
        notes: list[str] = []
        paragraphs = ext.paragraphs
        if item and len(" ".join(item.text)) > len(" ".join(paragraphs)):
            paragraphs = item.text
            notes.append("text from the feed (the page gave less)")
        title = (item.title if item else None) or ext.title
        if not paragraphs:
            why = "no article text found"
            return Outcome(action="failed", url=fetched.key, reason=why, title=title)
        if not title:
            title = paragraphs[0]
            notes.append("no title: the first paragraph stands for it")
        date = item.date if item else None
        if date is None and ext.date is not None:
            date = ext.date
            notes.append("date from the page" + (" (none in the feed)" if item else ""))
        elif date is None:
            date = self.today
            notes.append("no date in the feed or the page: dated today")
        meta: dict[str, Any] = {
            "id": "web-" + hashlib.sha1(fetched.key.encode()).hexdigest()[:12],
            "title": title[:_TITLE_CHARS],
            "date": date,
            "source": (item.source if item else None)
            or (feed.title if feed else None)
            or ext.site
            or (URL(page.url).host or ""),
            "url": page.url,
        }
        tags = (item.tags if item else ()) or ext.tags
        if tags:
            meta["tags"] = list(tags)
        if ext.author:
            meta["author"] = ext.author
        return meta, paragraphs, "; ".join(notes)


def _with_charset(page: Page) -> str:
    """The Content-Type header as the server sent it, for feedparser's encoding detection."""
    ctype = page.content_type or "application/xml"
    return f"{ctype}; charset={page.charset}" if page.charset else ctype
