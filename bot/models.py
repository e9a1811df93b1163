"""The pydantic models that are the contract between the core and every adapter."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Format = Literal["markdown", "text", "jsonl"]


class Origin(BaseModel):
    """Where an article came from: its file, the line it starts on (its front matter's, or its
    line in a JSON Lines file) and the file's format. ``str()`` is ``file:line``, as warnings
    name it."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int = 0
    format: Format = "markdown"

    @classmethod
    def of(cls, path: str | object, line: int) -> Origin:
        """The origin of the article at ``line`` of the file at ``path`` (format by suffix)."""
        name = str(path)
        suffix = name.rpartition(".")[2].lower()
        kind: Format = "jsonl" if suffix == "jsonl" else "text" if suffix == "txt" else "markdown"
        return cls(file=name, line=line, format=kind)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Article(BaseModel):
    """One validated article of the corpus, as loaded from any format."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str = Field(min_length=1)
    date: dt.date
    source: str = ""
    url: str | None = None
    tags: tuple[str, ...] = ()
    # Paragraphs of the body; a photo caption is kept apart so it is never served as the lead.
    paragraphs: tuple[str, ...] = ()
    caption: str | None = None
    origin: Origin | None = None  # where the article came from (None: made in memory)


class ArticleRef(BaseModel):
    """The citation of a passage: enough to name and link the article (immutable, so one
    instance can serve every passage of the article)."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    date: dt.date
    source: str
    url: str | None = None


class Passage(BaseModel):
    """A verbatim quote with the character spans that answer the question."""

    quote: str
    highlight: list[tuple[int, int]] = Field(default_factory=list)
    article: ArticleRef
    score: float


class Answer(BaseModel):
    """What the core returns for a question; the JSON form of ``briefbot ask --json``."""

    question: str
    answered: bool
    passages: list[Passage] = Field(default_factory=list)
    took_ms: float = 0.0
    # When not answered: a short hint of what the corpus does cover.
    hint: str | None = None
    # A notice for the user, e.g. that an over-long question was cut.
    notice: str | None = None
    # The question's language when it is surely not English (the bot reads English only): the
    # reply says so instead of "nothing answers that".
    language: str | None = None
    articles_searched: int = 0
    # How sure the reader is (0-1) that the best passage answers, whether quoted or not; None
    # when words alone decided (no sentence model).
    confidence: float | None = None


class BriefItem(BaseModel):
    """One line of a briefing: an article and its lead."""

    article: ArticleRef
    lead: str
    tags: list[str] = Field(default_factory=list)


class Briefing(BaseModel):
    """The latest articles, or those on a topic, newest first."""

    topic: str | None = None
    # The dates asked for ("today (2026-12-07)", "this week (since 2026-12-07)"), if any.
    period: str | None = None
    items: list[BriefItem] = Field(default_factory=list)
    total_articles: int = 0
    took_ms: float = 0.0
    hint: str | None = None
    # When nothing matched the topic: topics that would (closest to it first).
    suggestions: list[str] = Field(default_factory=list)


class Listed(BaseModel):
    """An article as digests and alerts see the corpus: its id, a digest of its text (a
    syndicated copy under another id has the same) and its date."""

    model_config = ConfigDict(frozen=True)

    id: str
    digest: str
    date: dt.date


class Place(BaseModel):
    """Where posts go: a channel (or a person's DM) on one platform and workspace/server."""

    model_config = ConfigDict(frozen=True)

    platform: Literal["slack", "discord", "console"]
    workspace: str = ""
    channel: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.workspace}:{self.channel}"


class DigestGroup(BaseModel):
    """The articles of one topic in a digest (``topic`` None: a digest with one group)."""

    topic: str | None = None
    items: list[BriefItem] = Field(default_factory=list)


class Digest(BaseModel):
    """A scheduled digest or a batch of alerts, ready for an adapter to render and post."""

    kind: Literal["digest", "alert"] = "digest"
    title: str
    groups: list[DigestGroup] = Field(default_factory=list)
    # When nothing is new: the one line to post ("Nothing new since Monday 7 December, 08:00.").
    empty: str | None = None
    # Articles left out to keep the post short, and how to see them.
    more: int = 0
    footer: str | None = None

    @property
    def items(self) -> list[BriefItem]:
        return [item for group in self.groups for item in group.items]


class CorpusStats(BaseModel):
    """What the bot knows: used by /sources and ``briefbot corpus check``."""

    articles: int
    passages: int
    sources: dict[str, int] = Field(default_factory=dict)
    newest: list[dt.date] = Field(default_factory=list)
    oldest: dt.date | None = None
    skipped: int = 0
    duplicates: int = 0


class AnswerReply(BaseModel):
    """The reply to a question: the answer, found or not."""

    kind: Literal["answer"] = "answer"
    answer: Answer


class BriefingReply(BaseModel):
    """The reply to ``/brief [topic]``."""

    kind: Literal["briefing"] = "briefing"
    briefing: Briefing


class TextReply(BaseModel):
    """Help, a notice (``/sources``) or an apology: plain text the adapter shows as written."""

    kind: Literal["help", "notice", "error"]
    text: str


#: A platform-neutral reply to one chat message; each adapter renders it with one ``match``.
Reply = Annotated[AnswerReply | BriefingReply | TextReply, Field(discriminator="kind")]
