"""The one duplicate check, at load and when changed files are merged: an id loaded before
(the repeat is skipped) or a text loaded before (a syndicated copy: kept, since it may carry
another source, and reported; answers never quote the same text twice)."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.models import Article, Origin


class Duplicate(BaseModel):
    """An article that repeats one loaded before it; ``first``: where that one came from."""

    model_config = ConfigDict(frozen=True)

    origin: Origin
    kind: Literal["id", "text"]
    article_id: str
    first: Origin | None = None

    def __str__(self) -> str:
        if self.kind == "id":
            return (
                f"{self.origin}: id {self.article_id!r} already loaded from {self.first}; skipped"
            )
        first = self.first or "an article already loaded"
        return f"{self.origin}: same text as {first} (syndicated copy)"


def text_digest(article: Article) -> str:
    """SHA-1 of the lower-cased text, paragraphs joined by a space (they are clean: single
    spaces, none at the ends, so no whitespace to fold). Fed a paragraph at a time: lower() of
    one long string is slow once a single paragraph holds a wide character, and a space between
    paragraphs stops lower()'s only context rule (final sigma), so the digest is the same."""
    h = hashlib.sha1()
    for i, p in enumerate(article.paragraphs):
        if i:
            h.update(b" ")
        h.update(p.lower().encode())
    return h.hexdigest()


class DuplicateCheck:
    """Ids and texts seen so far, with where each came from."""

    def __init__(self) -> None:
        self._ids: dict[str, Origin | None] = {}
        self._texts: dict[str, Origin | None] = {}

    def keep(self, article: Article, digest: str) -> None:
        """Count ``article`` (text ``digest``) as loaded: a merge's articles kept from before."""
        self._ids.setdefault(article.id, article.origin)
        self._texts.setdefault(digest, article.origin)

    def check(self, article: Article, digest: str) -> Duplicate | None:
        """None for a new article, which is counted from then on; else what it repeats (an id:
        skip it; a text: keep it, and report it)."""
        origin = article.origin or Origin(file="")
        if article.id in self._ids:
            return Duplicate(
                origin=origin, kind="id", article_id=article.id, first=self._ids[article.id]
            )
        self._ids[article.id] = article.origin
        if digest in self._texts:
            return Duplicate(
                origin=origin, kind="text", article_id=article.id, first=self._texts[digest]
            )
        self._texts[digest] = article.origin
        return None
