"""Feeds polled in the background of a running bot: ``BRIEFBOT_FEEDS`` every
``BRIEFBOT_FEED_INTERVAL`` seconds into the corpus folder.

A round that fails (a feed down, the folder locked by a ``briefbot ingest``, a bug) is logged
with its reason and the next round runs as planned: the poller never takes the bot down, and
never fails silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import TracebackType

from bot.ingest.models import IngestError, IngestOptions, IngestReport
from bot.ingest.store import corpus_folder
from bot.ingest.urls import redacted
from bot.progress import no_bars
from bot.settings import Settings

log = logging.getLogger(__name__)

#: Called with each round's report, e.g. to reload the index when articles were written.
OnReport = Callable[[IngestReport], Awaitable[None] | None]
#: The URLs to poll this round, when they can change while the bot runs (feeds added from the
#: chat); the fixed ``urls`` are used when there is none.
UrlSource = Callable[[], Awaitable[Sequence[str]]]


class FeedPoller:
    """Runs ``ingest(urls, folder)`` now and then every ``interval`` seconds until stopped."""

    def __init__(
        self,
        urls: Sequence[str],
        folder: Path,
        interval: float,
        options: IngestOptions | None = None,
        on_report: OnReport | None = None,
        source: UrlSource | None = None,
    ) -> None:
        self.urls, self.folder, self.interval = list(urls), Path(folder), interval
        self.options = options or IngestOptions()
        self.on_report = on_report
        self.source = source
        self.rounds = 0
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        on_report: OnReport | None = None,
        source: UrlSource | None = None,
    ) -> FeedPoller | None:
        """The poller BRIEFBOT_FEEDS asks for, or None when it is empty and no ``source`` may
        add feeds. Raises IngestError at once (not every round) when BRIEFBOT_FEEDS is set and
        the corpus is a single file; with a ``source`` only, such a corpus gets no poller."""
        if not settings.feed_urls and (source is None or not settings.briefbot_corpus.is_dir()):
            return None
        folder = corpus_folder(settings.briefbot_corpus)
        return cls(
            settings.feed_urls, folder, settings.briefbot_feed_interval, None, on_report, source
        )

    def wake(self) -> None:
        """Poll now rather than at the end of the interval (a feed was added)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start polling in a background task (the first round at once)."""
        if not self.running:
            if self.urls:
                log.info(
                    "feeds: polling %d URL(s) every %g s into %s",
                    len(self.urls),
                    self.interval,
                    self.folder,
                )
            self._task = asyncio.create_task(self._loop(), name="briefbot-feed-poller")

    async def stop(self) -> None:
        """Stop polling; a round in progress is cancelled (files are written whole or not)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> FeedPoller:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _loop(self) -> None:
        while True:
            await self.poll_once()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)

    async def poll_once(self) -> IngestReport | None:
        """One round: ingest, log what changed and what failed; None when the round failed."""
        from bot.ingest.pipeline import ingest

        self.rounds += 1
        try:
            urls = list(await self.source()) if self.source is not None else self.urls
            if not urls:
                return None  # no feed yet: one may be added from the chat
            with no_bars():  # beside a running bot (the console's prompt): progress is logged
                report = await ingest(urls, self.folder, self.options)
        except IngestError as exc:
            log.error("feeds: round %d not run: %s", self.rounds, exc)
            return None
        except Exception:
            log.exception("feeds: round %d failed; next in %g s", self.rounds, self.interval)
            return None
        log_report(report)
        if self.on_report is not None:
            try:
                result = self.on_report(report)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("feeds: the on_report callback failed")
        return report


def log_report(report: IngestReport) -> None:
    """Log a run: what was written (INFO), what failed (WARNING), the counts."""
    for source in report.sources:
        if source.error:
            log.warning("feeds: %s: %s", redacted(source.url), source.error)
        for o in source.outcomes:
            if o.action in ("added", "updated"):
                log.info("feeds: %s %s (%s)", o.action, o.file, o.title)
            elif o.action == "failed":
                log.warning("feeds: %s: %s", redacted(o.url), o.reason)
    log.info("feeds: %s in %.1f s", report.summary(), report.took_s)
