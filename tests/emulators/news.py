"""A local news site for the ingestion tests: RSS and Atom feeds, article pages shaped like real
ones, and the faults a feed reader meets, on 127.0.0.1.

Loaded as a pytest plugin by ``tests/conftest.py``. The fixture ``news_site`` is a started
:class:`NewsSite` holding the default stories and feeds (:meth:`NewsSite.populate`). It serves
from its own thread and event loop, so the code under test may run ``asyncio.run`` itself (the
CLI does), run in a subprocess, or share nothing with the test's loop.

- Stories (:meth:`NewsSite.story`) are served at ``/articles/<slug>`` (or another ``path``) as
  HTML with what real pages carry around the article: a cookie banner, navigation, ads,
  scripts, "most read" links, a newsletter box, a footer (``page_padding_kb`` adds that much
  more script and navigation, for page weights like real sites'). ``date=None`` leaves the
  date out of the page. Replacing a story changes its page (and its ETag).
- Feeds (:meth:`NewsSite.feed`) are RSS 2.0 or Atom at ``/feeds/<name>``; an :class:`Item`
  without a date has no pubDate/updated.
- Every page and feed has an ETag and a Last-Modified and answers 304 to a matching
  ``If-None-Match`` / ``If-Modified-Since`` (``conditional = False`` turns that off).
- Faults, at fixed paths (:data:`FAULTS`): 404, 500, a slow page (``slow_seconds``), a 20 MB
  page streamed without a Content-Length, a redirect loop, a redirect to ftp://, a feed that is
  not XML, a PDF.
- ``hits`` counts requests per path, ``answered_304`` the 304s and ``requests`` keeps each
  path with its headers, for assertions on what the client fetched and sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import html
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Literal

import pytest
from aiohttp import web

from tests.emulators.server import serve_local

HUGE_BYTES = 20 * 1024 * 1024
FAULTS = {
    "not_found": "/faults/missing",
    "server_error": "/faults/error",
    "slow": "/faults/slow",
    "huge": "/faults/huge",
    "loop": "/faults/loop",
    "ftp": "/faults/ftp",
    "broken_feed": "/faults/broken.rss",
    "pdf": "/faults/report.pdf",
}


@dataclass
class Story:
    """An article page. ``date=None``: the page gives no date anywhere."""

    slug: str
    title: str
    paragraphs: list[str]
    date: str | None = "2026-02-10"
    tags: list[str] = field(default_factory=list)
    author: str = "Jane Doe"
    site: str = "Example News"
    path: str = ""

    def __post_init__(self) -> None:
        self.path = self.path or f"/articles/{self.slug}"


@dataclass
class Item:
    """A feed entry pointing at ``path`` (a path on the site, or an absolute URL)."""

    path: str
    title: str
    date: str | None = "2026-02-10T09:30:00+09:00"
    tags: list[str] = field(default_factory=list)
    guid: str | None = None
    summary: str = ""


@dataclass
class FeedSpec:
    kind: Literal["rss", "atom"]
    title: str
    items: list[Item]


@dataclass
class _Doc:
    body: bytes
    content_type: str
    etag: str
    modified: dt.datetime


class NewsSite:
    """The site: its stories and feeds, changeable while it runs, and what it was asked."""

    def __init__(self) -> None:
        self.stories: dict[str, Story] = {}
        self.feeds: dict[str, FeedSpec] = {}
        self.hits: Counter[str] = Counter()
        self.answered_304: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers) in order
        self.conditional = True
        self.slow_seconds = 3.0
        self.page_padding_kb = 0  # extra scripts and links per page: real pages weigh 100s of KB
        self.base_url = ""
        self._docs: dict[str, _Doc] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- content --------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return path if "://" in path else f"{self.base_url}{path}"

    def story(self, slug: str, title: str, paragraphs: list[str], **kw: object) -> Story:
        """Add or replace a story; returns it (``.path`` is where it is served)."""
        story = Story(slug, title, paragraphs, **kw)  # type: ignore[arg-type]
        with self._lock:
            self.stories[story.path] = story
            self._docs.pop(story.path, None)
        return story

    def feed(
        self, name: str, items: list[Item], kind: Literal["rss", "atom"] = "rss", title: str = ""
    ) -> str:
        """Add or replace the feed served at ``/feeds/<name>``; returns its URL."""
        path = f"/feeds/{name}"
        with self._lock:
            self.feeds[path] = FeedSpec(kind, title or "Example News — World", items)
            self._docs.pop(path, None)
        return self.url(path)

    def item(self, story: Story, **kw: object) -> Item:
        """A feed item for ``story`` (same title, its tags)."""
        kw.setdefault("tags", story.tags)
        return Item(story.path, story.title, **kw)  # type: ignore[arg-type]

    def populate(self) -> None:
        """The default content: three stories, a syndicated copy, an RSS feed of them all plus
        an undated item and every fault, and an Atom feed."""
        rail = self.story("rail-strike", *RAIL, tags=["Transport", "Labour"])
        storm = self.story("storm-warning", *STORM, tags=["Weather"])
        chips = self.story("chip-plant", *CHIPS, tags=["Technology", "Japan"])
        undated = self.story("museum-reopens", *MUSEUM, date=None)
        copy = self.story(
            "rail-strike-wire", RAIL[0], RAIL[1], site="Partner Wire", path="/wire/rail-strike"
        )
        items = [self.item(rail), self.item(storm), self.item(undated, date=None)]
        items += [self.item(copy, tags=["Wire"])]
        items += [Item(path, f"Fault: {name}") for name, path in FAULTS.items()]
        self.feed("world.rss", items, title="Example News — World")
        self.feed("tech.atom", [self.item(chips)], kind="atom", title="Example News — Tech")
        self.feed("clean.rss", [self.item(rail), self.item(storm)], title="Example News — Top")

    # -- serving --------------------------------------------------------------------------

    def start(self) -> None:
        """Serve on 127.0.0.1 from a background thread; returns once the port is known."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            app = web.Application()
            app.router.add_get("/{tail:.*}", self._handle)
            runner, port = loop.run_until_complete(serve_local(app, shutdown_timeout=0.05))
            self.base_url = f"http://127.0.0.1:{port}"
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            pending = asyncio.all_tasks(loop)  # a slow page still sleeping
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="news-site", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] += 1
        self.requests.append((path, dict(request.headers)))
        if path == FAULTS["not_found"]:
            raise web.HTTPNotFound(text="<html><body><h1>Page not found</h1></body></html>")
        if path == FAULTS["server_error"]:
            raise web.HTTPInternalServerError(text="upstream timed out")
        if path == FAULTS["slow"]:
            await asyncio.sleep(self.slow_seconds)
            return web.Response(text=_page(Story("slow", *STORM)), content_type="text/html")
        if path == FAULTS["huge"]:
            return await _huge(request)
        if path in (FAULTS["loop"], "/faults/loop-back"):
            other = "/faults/loop-back" if path == FAULTS["loop"] else FAULTS["loop"]
            raise web.HTTPFound(other)
        if path == FAULTS["ftp"]:
            raise web.HTTPFound("ftp://127.0.0.1/pub/article.txt")
        if path == FAULTS["broken_feed"]:
            body = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Broken\n<<item>>&&'
            return web.Response(text=body, content_type="application/rss+xml")
        if path == FAULTS["pdf"]:
            return web.Response(body=b"%PDF-1.7\n" + b"0" * 2000, content_type="application/pdf")
        doc = self._doc(path)
        if doc is None:
            raise web.HTTPNotFound()
        headers = {"ETag": doc.etag, "Last-Modified": format_datetime(doc.modified, usegmt=True)}
        if self.conditional and _fresh(request, doc):
            self.answered_304[path] += 1
            return web.Response(status=304, headers=headers)
        return web.Response(body=doc.body, content_type=doc.content_type, headers=headers)

    def _doc(self, path: str) -> _Doc | None:
        with self._lock:
            if path not in self._docs:
                if path in self.stories:
                    page = _page(self.stories[path], self.page_padding_kb)
                    body, ctype = page.encode(), "text/html"
                elif path in self.feeds:
                    spec = self.feeds[path]
                    xml = _rss(spec, self.url) if spec.kind == "rss" else _atom(spec, self.url)
                    ctype = f"application/{spec.kind}+xml"
                    body = xml.encode()
                else:
                    return None
                now = dt.datetime.now(dt.UTC).replace(microsecond=0)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                self._docs[path] = _Doc(body, ctype, etag, now)
            return self._docs[path]


def _fresh(request: web.Request, doc: _Doc) -> bool:
    if "If-None-Match" in request.headers:
        return request.headers["If-None-Match"] == doc.etag
    since = request.if_modified_since
    return since is not None and doc.modified <= since


async def _huge(request: web.Request) -> web.StreamResponse:
    """20 MB of HTML without a Content-Length: only a reader that counts can stop it."""
    resp = web.StreamResponse(headers={"Content-Type": "text/html"})
    await resp.prepare(request)
    chunk = b"<p>" + b"filler text " * 5000 + b"</p>\n"
    sent = 0
    with contextlib.suppress(ConnectionError):
        await resp.write(b"<html><body><article>")
        while sent < HUGE_BYTES:
            await resp.write(chunk)
            sent += len(chunk)
        await resp.write_eof()
    return resp


def _rss(spec: FeedSpec, url: object) -> str:
    items = []
    for it in spec.items:
        link = url(it.path)  # type: ignore[operator]
        parts = [f"<title>{html.escape(it.title)}</title>", f"<link>{html.escape(link)}</link>"]
        parts.append(f'<guid isPermaLink="false">{html.escape(it.guid or it.path)}</guid>')
        if it.date:
            stamp = dt.datetime.fromisoformat(it.date)
            parts.append(f"<pubDate>{format_datetime(stamp)}</pubDate>")
        parts += [f"<category>{html.escape(t)}</category>" for t in it.tags]
        if it.summary:
            parts.append(f"<description>{html.escape(it.summary)}</description>")
        items.append("<item>" + "".join(parts) + "</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(spec.title)}</title><link>{url('/')}</link>"  # type: ignore[operator]
        "<description>News from the local test site</description>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    )


def _atom(spec: FeedSpec, url: object) -> str:
    entries = []
    for it in spec.items:
        parts = [f"<title>{html.escape(it.title)}</title>"]
        parts.append(f'<link rel="alternate" href="{html.escape(url(it.path))}"/>')  # type: ignore[operator]
        parts.append(f"<id>tag:news.test,2026:{html.escape(it.guid or it.path)}</id>")
        if it.date:
            parts.append(f"<updated>{it.date}</updated>")
        parts += [f'<category term="{html.escape(t)}"/>' for t in it.tags]
        entries.append("<entry>" + "".join(parts) + "</entry>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{html.escape(spec.title)}</title><id>tag:news.test,2026:feed</id>"
        "<updated>2026-02-10T00:00:00Z</updated>\n" + "\n".join(entries) + "\n</feed>\n"
    )


def _page(story: Story, padding_kb: int = 0) -> str:
    """An article page as news sites serve them: the text is a fraction of the markup."""
    e = html.escape
    links = "".join(
        f'<li><a href="/section/{i}">Section {i} headlines and more stories</a></li>'
        for i in range(padding_kb * 1024 // 140)
    )
    script = "var t={};" * (padding_kb * 1024 // 20)
    padding = (
        f"<script>{script}</script><nav class='mega'><ul>{links}</ul></nav>" if padding_kb else ""
    )
    dated = (
        f'<meta property="article:published_time" content="{story.date}T08:00:00+09:00">'
        if story.date
        else ""
    )
    byline_date = f' · <time datetime="{story.date}">{story.date}</time>' if story.date else ""
    paras = "\n".join(f"<p>{e(p)}</p>" for p in story.paragraphs)
    middle = len(story.paragraphs) // 2
    first, rest = paras.split("\n")[:middle], paras.split("\n")[middle:]
    tags = "".join(f'<meta property="article:tag" content="{e(t)}">' for t in story.tags)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(story.title)} | {e(story.site)}</title>
<meta property="og:title" content="{e(story.title)}">
<meta property="og:site_name" content="{e(story.site)}">
<meta property="og:type" content="article">
<meta name="author" content="{e(story.author)}">
{dated}{tags}
<script>window.dataLayer=[];function gtag(){{dataLayer.push(arguments)}};
gtag('js',new Date());</script>
<script src="/static/ads.js" async></script>
<style>.cookie{{position:fixed}} .ad{{min-height:250px}}</style>
</head><body>{padding}
<div class="cookie-banner" id="consent">We and our 842 partners use cookies to personalise
content and ads. <button>Accept all</button> <button>Manage preferences</button></div>
<header class="site-header"><a class="logo" href="/">{e(story.site)}</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
<li><a href="/tech">Technology</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/opinion">Opinion</a></li><li><a href="/subscribe">Subscribe for €1</a></li></ul></nav>
</header>
<div class="ad ad-leaderboard">Advertisement <iframe src="/ads/slot1"></iframe></div>
<main><article class="story">
<h1>{e(story.title)}</h1>
<p class="byline">By {e(story.author)}{byline_date}</p>
{chr(10).join(first)}
<aside class="ad ad-inline">Advertisement — Sponsored: Find the best mortgage rates today.</aside>
{chr(10).join(rest)}
</article>
<section class="newsletter"><h2>Get the morning briefing</h2><p>Sign up for our newsletter and
never miss a story. <a href="/newsletter">Sign up</a></p></section>
<section class="related"><h2>Most read</h2><ol>
<li><a href="/a/1">Celebrity couple announce surprise wedding</a></li>
<li><a href="/a/2">Ten gadgets you need this winter</a></li>
<li><a href="/a/3">Quiz: how well do you know your capitals?</a></li></ol></section>
</main>
<footer><p>© 2026 {e(story.site)}. All rights reserved.</p><a href="/privacy">Privacy</a>
<a href="/terms">Terms</a> <a href="/cookies">Cookie settings</a></footer>
<script>document.getElementById('consent').onclick=function(){{this.remove()}};</script>
</body></html>
"""


RAIL = (
    "Rail strike ends after three-year pay deal",
    [
        "The national rail strike ended on Tuesday after unions and the operator agreed a "
        "three-year pay deal worth 4.5 percent a year.",
        "Trains will run a full timetable from Thursday morning, the operator said, and season "
        "tickets will be extended by two weeks to make up for the disruption.",
        '"This is a fair deal for our members," union leader Maria Lopez told reporters outside '
        "the transport ministry.",
        "The strike had lasted eleven days and cost the economy an estimated 300 million euros, "
        "according to the chamber of commerce.",
    ],
)
STORM = (
    "Storm Ingrid to bring gales to the north coast",
    [
        "Forecasters issued an amber warning on Monday as Storm Ingrid approached the north "
        "coast with gusts of up to 110 kilometres an hour expected overnight.",
        "Ferry operators cancelled the evening crossings to the islands and the coastguard "
        "urged walkers to stay away from cliff paths until Wednesday.",
        "The weather service said the strongest winds would arrive shortly after midnight and "
        "ease by Wednesday afternoon.",
    ],
)
CHIPS = (
    "Chipmaker picks Kumamoto for second plant",
    [
        "The chipmaker will build its second plant in Kumamoto, investing 2.2 trillion yen with "
        "production due to start at the end of 2027.",
        "The plant will make 6-nanometre chips for cars and industrial machines and employ "
        "about 1,700 people, the company said on Friday.",
        "Local officials expect the project to ease water and housing shortages only if the "
        "prefecture's new road links open on time.",
    ],
)
MUSEUM = (
    "City museum reopens after renovation",
    [
        "The city museum reopened its doors to visitors after a renovation that took four years "
        "and added a glass roof over the central courtyard.",
        "Entry to the permanent collection stays free, while the first temporary exhibition "
        "shows Dutch landscape paintings lent by a private collector.",
    ],
)


@pytest.fixture
def news_site() -> Iterator[NewsSite]:
    """A started :class:`NewsSite` with the default stories and feeds."""
    site = NewsSite()
    site.populate()
    site.start()
    try:
        yield site
    finally:
        site.stop()
