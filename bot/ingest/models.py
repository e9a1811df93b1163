"""What ingestion takes and returns: its options, one outcome a URL, the run's report."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field

from bot.errors import BriefbotError
from bot.version import __version__

Action = Literal["added", "updated", "skipped", "failed"]


class IngestError(BriefbotError):
    """Ingestion cannot start: a URL that is not http(s), a corpus path that is not a folder."""


class IngestOptions(BaseModel):
    """How pages are fetched. The defaults suit news sites; tests shorten the timeout."""

    timeout: float = Field(default=20.0, gt=0, description="seconds for one request, body included")
    max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, description="per page, decompressed")
    max_redirects: int = Field(default=5, ge=0)
    concurrency: int = Field(default=8, ge=1, description="pages fetched at once")
    lock_wait: float = Field(default=30.0, ge=0, description="seconds to wait for another ingest")
    user_agent: str = f"briefbot/{__version__} (news briefing bot; feed reader)"


class Outcome(BaseModel):
    """What happened to one article URL, and why."""

    action: Action
    url: str
    reason: str = ""
    file: str | None = None
    title: str | None = None


class SourceResult(BaseModel):
    """One URL given to ``ingest``: a feed with its items, or a single article page."""

    url: str
    kind: Literal["feed", "article", "unknown"] = "unknown"
    title: str | None = None
    items: int = 0
    not_modified: bool = False
    error: str | None = None
    warning: str | None = None
    outcomes: list[Outcome] = Field(default_factory=list)


class IngestReport(BaseModel):
    """A whole run: every source, every article outcome, and the counts a user reads first."""

    folder: str
    sources: list[SourceResult] = Field(default_factory=list)
    took_s: float = 0.0

    def counts(self) -> dict[Action, int]:
        """Added, updated, skipped and failed articles; a feed that failed or was not modified
        counts once as failed or skipped."""
        c: Counter[str] = Counter(o.action for s in self.sources for o in s.outcomes)
        c["failed"] += sum(1 for s in self.sources if s.error)
        c["skipped"] += sum(1 for s in self.sources if s.not_modified)
        return {a: c[a] for a in ("added", "updated", "skipped", "failed")}

    def summary(self) -> str:
        """``2 added, 0 updated, 5 skipped, 1 failed``."""
        return ", ".join(f"{n} {a}" for a, n in self.counts().items())

    @property
    def changed(self) -> list[Outcome]:
        """The articles written in this run (added or updated)."""
        return [o for s in self.sources for o in s.outcomes if o.action in ("added", "updated")]
