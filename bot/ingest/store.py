"""The corpus folder as ingestion writes it: one Markdown file an article, and a small state file.

Files are named ``<date>-<slug-of-the-title>.md`` and keep their name when the article is
updated. They are written to a hidden temporary file in the same folder and renamed into place,
so a reader (the loader, a folder watcher) sees the old file or the new one, never half of one.

``.briefbot/feeds.json`` remembers, per URL, the HTTP validators (ETag / Last-Modified), and per
article the file it went to and a digest of its text: the same story under a second URL is
stored once. The loader never reads hidden folders, so the state is invisible to it. A lock
file keeps two ingests (the CLI and a running bot's poller) from writing the state at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from bot.atomic import replaced
from bot.corpus import front_matter
from bot.ingest.models import IngestError

log = logging.getLogger(__name__)

STATE_DIR = ".briefbot"
STATE_FILE = "feeds.json"
_SLUG_WORDS = 8
_SLUG_CHARS = 60


class Validators(BaseModel):
    """What the server said last time, sent back to get a 304 when nothing changed."""

    etag: str | None = None
    last_modified: str | None = None


class Stored(BaseModel):
    """One article URL and the file that holds its story."""

    file: str
    digest: str
    fingerprint: str | None = None
    guid: str | None = None
    copy_of: str | None = None  # the URL first stored with the same text (a syndicated copy)


class State(BaseModel):
    """The content of ``.briefbot/feeds.json``."""

    version: Literal[1] = 1
    http: dict[str, Validators] = Field(default_factory=dict)
    articles: dict[str, Stored] = Field(default_factory=dict)


def text_digest(paragraphs: Sequence[str]) -> str:
    """A digest of the words of a text: the same story with other punctuation, quotes or
    spacing (as a syndicated copy often has) gives the same digest."""
    words = re.sub(r"\W+", " ", " ".join(paragraphs).casefold()).split()
    return hashlib.sha1(" ".join(words).encode()).hexdigest()


def slug(text: str) -> str:
    """``Rail strike ends after deal!`` → ``rail-strike-ends-after-deal``; ASCII only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split()[:_SLUG_WORDS]
    out = "-".join(words)
    return out[:_SLUG_CHARS].rstrip("-")


def render_markdown(meta: dict[str, Any], paragraphs: Sequence[str]) -> str:
    """An article in the corpus's Markdown form: YAML front matter, then paragraphs."""
    # One key at a time: block style for the mapping, lists inline ("tags: [Japan, Trade]").
    front = "".join(
        yaml.safe_dump(
            {key: value},
            allow_unicode=True,
            default_flow_style=None if isinstance(value, list) else False,
            width=10_000,
        )
        for key, value in meta.items()
    )
    # A paragraph that is only "---" or "..." would read as a front-matter fence to a person.
    body = "\n\n".join(p for p in paragraphs if p.strip() not in ("---", "..."))
    return f"---\n{front}---\n\n{body}\n"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a hidden temporary file and a rename."""
    with replaced(path) as f:
        f.write(text.encode("utf-8"))


def corpus_folder(path: Path) -> Path:
    """The folder ingestion writes to, created if missing; IngestError if it is a file."""
    folder = Path(path).expanduser()
    if folder.is_file():
        raise IngestError(
            f"the corpus {folder} is a single file; ingest writes one Markdown file per article, "
            "so give a folder with --corpus (or BRIEFBOT_CORPUS)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IngestError(f"cannot create the corpus folder {folder}: {exc.strerror}") from None
    return folder


class CorpusFolder:
    """The state of one corpus folder, opened under its lock with ``CorpusFolder.open``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.state = self._read_state()
        self._by_digest = {s.digest: url for url, s in self.state.articles.items() if not s.copy_of}
        self._by_guid = {s.guid: url for url, s in self.state.articles.items() if s.guid}

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, path: Path, lock_wait: float = 30.0) -> AsyncIterator[CorpusFolder]:
        """Lock the folder (waiting up to ``lock_wait`` s for another ingest), yield its state,
        save the state on the way out."""
        folder = corpus_folder(path)
        state_dir = folder / STATE_DIR
        state_dir.mkdir(exist_ok=True)
        with open(state_dir / "lock", "a+") as lock:
            deadline = time.monotonic() + lock_wait
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IngestError(
                            f"another briefbot ingest is writing to {folder}; try again when it "
                            "has finished"
                        ) from None
                    await asyncio.sleep(0.2)
            store = cls(folder)
            try:
                yield store
            finally:
                store.save()
                fcntl.flock(lock, fcntl.LOCK_UN)

    @property
    def _state_path(self) -> Path:
        return self.folder / STATE_DIR / STATE_FILE

    def _read_state(self) -> State:
        path = self._state_path
        if not path.exists():
            return State()
        try:
            return State.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError) as exc:
            # Losing the state costs refetches, not articles: file names are stable, so what is
            # fetched again lands on its own file and is found unchanged.
            log.warning("%s is unreadable (%s); starting a new one", path, exc.__class__.__name__)
            return State()

    def save(self) -> None:
        """Write the state (atomically, like the articles)."""
        write_atomic(self._state_path, self.state.model_dump_json(indent=1, exclude_none=True))

    def validators(self, url: str) -> Validators:
        """The ETag / Last-Modified remembered for ``url`` (empty when none)."""
        return self.state.http.get(url) or Validators()

    def remember(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Keep a URL's validators for the next conditional request."""
        if etag or last_modified:
            self.state.http[url] = Validators(etag=etag, last_modified=last_modified)

    def find(self, url: str, guid: str | None = None) -> tuple[str, Stored] | None:
        """The stored article for a URL or a feed GUID (feeds move links; GUIDs stay)."""
        key = url if url in self.state.articles else self._by_guid.get(guid) if guid else None
        if key is None or key not in self.state.articles:
            return None
        return key, self.state.articles[key]

    def copy_of(self, digest: str) -> tuple[str, Stored] | None:
        """The URL and record already holding a text with this digest."""
        url = self._by_digest.get(digest)
        return (url, self.state.articles[url]) if url in self.state.articles else None

    def exists(self, stored: Stored) -> bool:
        return (self.folder / stored.file).is_file()

    def record(self, url: str, stored: Stored) -> None:
        """Remember ``url`` → ``stored`` (replacing any earlier record of it)."""
        self.state.articles[url] = stored
        if not stored.copy_of:
            self._by_digest[stored.digest] = url
        if stored.guid:
            self._by_guid[stored.guid] = url

    def file_name(self, key: str, url: str, date: dt.date, title: str) -> str:
        """``<date>-<slug>.md``, stable for the same article (``key``, its feed link, fetched
        from ``url``). A name already used by another article gets a short hash of the URL; a
        title without Latin letters uses the URL's last segment."""
        base = slug(title) or slug(url.rstrip("/").rsplit("/", 1)[-1]) or "article"
        name = f"{date.isoformat()}-{base}.md"
        taken = {s.file for u, s in self.state.articles.items() if u != key}
        if name in taken or self._other_url_in(self.folder / name, url):
            name = f"{date.isoformat()}-{base}-{hashlib.sha1(url.encode()).hexdigest()[:6]}.md"
        return name

    def write(self, name: str, meta: dict[str, Any], paragraphs: Sequence[str]) -> None:
        """Write one article file, atomically."""
        write_atomic(self.folder / name, render_markdown(meta, paragraphs))

    def on_disk(self, name: str, url: str) -> str | None:
        """The text digest of file ``name`` when it holds the article from ``url`` (written by an
        earlier run whose state was lost), else None."""
        read = _read_article(self.folder / name)
        return text_digest(read[1]) if read and read[0].get("url") == url else None

    def _other_url_in(self, path: Path, url: str) -> bool:
        """Whether ``path`` exists and holds an article from another URL (or a hand-written one)."""
        if not path.exists():
            return False
        read = _read_article(path)
        return read is None or read[0].get("url") != url


def _read_article(path: Path) -> tuple[dict[str, Any], list[str]] | None:
    """Front matter and paragraphs of a Markdown article, or None when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
        _, head, body = text.split("---\n", 2)
        meta = front_matter.load(head)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return None
    if not isinstance(meta, dict):
        return None
    return meta, [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]
