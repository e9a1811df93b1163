"""The article in a web page, with trafilatura: its text without the navigation, ads, cookie
banners and scripts around it, and its metadata (title, date, site name, author, tags).

trafilatura (Apache-2.0) is chosen because it is maintained, scores at the top of the public
extraction benchmarks, and gives text and metadata in one pass over the page. It is CPU work:
callers run it in a worker thread so that a bot answering questions is never held up.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

# trafilatura logs every page it finds too short at WARNING; our report says it once.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

import trafilatura  # noqa: E402
from trafilatura.settings import Document  # noqa: E402


@dataclass(frozen=True)
class Extracted:
    """What a page says about its article; any field may be missing."""

    title: str | None
    date: dt.date | None
    paragraphs: tuple[str, ...]
    site: str | None
    author: str | None
    tags: tuple[str, ...]


def extract_article(page: bytes, url: str, charset: str | None = None) -> Extracted:
    """The article of an HTML page fetched from ``url``."""
    html: bytes | str = page
    if charset:
        try:
            html = page.decode(charset)
        except (LookupError, UnicodeDecodeError):
            html = page  # a wrong charset header: let trafilatura detect the encoding
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,  # drops "Advertisement" lines and teasers left inside the article
        # Dates from the page's markup only: the extensive search takes "© 2026" in a footer
        # for the publication date. Published, not last modified.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if not isinstance(doc, Document):  # None: nothing that reads as an article
        return Extracted(None, None, (), None, None, ())
    title = _text(doc.title)
    lines = [" ".join(line.split()) for line in (doc.text or "").splitlines()]
    paragraphs = [line for line in lines if line]
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs.pop(0)  # the headline, repeated as the first line of the text
    tags: list[str] = []
    for tag in [*(doc.categories or []), *(doc.tags or [])]:
        tag = " ".join(str(tag).split())
        if tag and tag not in tags:
            tags.append(tag)
    return Extracted(
        title=title,
        date=_date(doc.date),
        paragraphs=tuple(paragraphs),
        site=_text(doc.sitename),
        author=_text(doc.author),
        tags=tuple(tags),
    )


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _text(value: str | None) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text or None
