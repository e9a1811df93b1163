"""A core that follows its corpus folder: a file added, changed or deleted while the bot runs is
in its answers a moment later, without a restart.

Why a wrapper and not a mutable engine: an :class:`~bot.engine.Engine` is built once and read by
many questions at once (some in worker threads). Rebuilding one in place would need locks on
every read; instead a new engine is built in a worker thread from the folder as it now is, and
swapped in with one assignment. Questions asked meanwhile are answered by the old engine, so
nobody waits for the rebuild, sees an error or gets an empty answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.corpus.report import LoadReport
from bot.engine import Engine
from bot.errors import CorpusError
from bot.models import Answer, Briefing, BriefItem, CorpusStats, Listed
from bot.progress import no_bars
from bot.settings import Settings
from bot.store import Corpus, CorpusStore
from bot.watch import Snapshot, changed_paths, snapshot, watch

log = logging.getLogger(__name__)

#: Builds the engine that replaces ``old`` once ``changed`` (paths) changed on disk.
Rebuild = Callable[[Engine, frozenset[Path]], Engine]
# Quiet seconds after a change before the index is saved (and the "not found" hint made again).
IDLE_S = 10.0


class Reloader:
    """The default rebuild: the changed files merged into the index (all of it built again
    when many changed, see :class:`~bot.store.CorpusStore`), then saved once the new engine
    serves. A corpus with no article left is served empty ("nothing in the corpus answers
    that") until articles are added."""

    def __init__(self, store: CorpusStore, corpus: Corpus | None = None) -> None:
        self.store = store
        self.corpus = corpus
        self.saved = corpus  # what the saved index holds, as far as this process knows
        self.how = ""  # what the last call did: "merged" or "built"

    def __call__(self, old: Engine, changed: frozenset[Path]) -> Engine:
        before = self.corpus
        after = self.store.update(before) if before is not None else None
        self.how = "merged" if after is not None else "built"
        if after is None:
            try:
                after = self.store.build()
            except CorpusError as exc:
                log.warning("%s: serving an empty corpus until articles are added", exc)
                self.corpus = None
                return Engine([], old.settings, LoadReport())
        if before is not None and after.index is before.index:
            self.corpus = after
            return old  # files touched, not changed
        semantic = None
        if (
            after.kept is not None
            and before is not None
            and old.index is before.index  # the vectors are aligned with what was merged
            and old.semantic is not None
            and len(after.index)
        ):
            semantic = old.semantic.carried_over(
                after.index, after.kept, sync_limit=old.settings.briefbot_embed_sync_limit
            )
        new = Engine(
            after.report.articles, old.settings, after.report, index=after.index, semantic=semantic
        )
        self.corpus = after
        return new

    def save(self) -> None:
        """Save what the calls so far made (after the swap: answers do not wait for the disk):
        the whole index when it changed since the last save, else only the files' times."""
        current = self.corpus
        if current is not None and current is not self.saved:
            self.store.save_changes(self.saved, current)
            self.saved = current


def reload(old: Engine, changed: frozenset[Path]) -> Engine:
    """The corpus built again from its files, as at start-up."""
    return Reloader(CorpusStore(old.settings))(old, changed)


class LiveEngine:
    """The :class:`~bot.api.Core` the running bot uses: the current engine, replaced when the
    corpus changes. Use ``async with`` to watch the folder while the bot runs."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings | None = None,
        *,
        rebuild: Rebuild | None = None,
        seen: Snapshot | None = None,
        corpus: Corpus | None = None,
        idle_s: float = IDLE_S,
    ) -> None:
        """``seen``: the files as they were when ``engine`` loaded them (default: as they are
        now); changes made since are caught up with as soon as the watch starts. ``corpus``:
        what ``engine`` was made of, which changed files are merged into (default: the first
        change builds it all again); ``rebuild`` replaces that way of making the next engine.
        ``idle_s``: quiet seconds after a change before the index is saved."""
        self.engine = engine
        self.settings = settings or engine.settings
        self._seen = seen if seen is not None else snapshot(self.root)
        self.generation = 0  # engines swapped in so far
        self._reloader = Reloader(CorpusStore(self.settings), corpus) if rebuild is None else None
        self._rebuild: Rebuild = rebuild or self._reloader or reload
        self.idle_s = idle_s
        self._warming: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._tidy: asyncio.Task[None] | None = None  # waiting for quiet (cancelled by a change)
        self._tidying: set[asyncio.Task[None]] = set()  # every tidy not done yet
        self._saving = asyncio.Lock()
        #: Called (in the event loop) after each new engine is swapped in: digests and alerts
        #: look for new articles then, not on a timer.
        self.on_change: list[Callable[[], None]] = []

    @classmethod
    def load(cls, settings: Settings, *, idle_s: float = IDLE_S) -> LiveEngine:
        """Load the corpus as :meth:`Engine.load` does, noting which files it saw."""
        seen = snapshot(Path(settings.briefbot_corpus).expanduser())
        corpus = CorpusStore(settings).open()
        engine = Engine(corpus.report.articles, settings, corpus.report, index=corpus.index)
        return cls(engine, settings, seen=seen, corpus=corpus, idle_s=idle_s)

    @property
    def root(self) -> Path:
        return Path(self.settings.briefbot_corpus).expanduser()

    # --- the Core API, answered by whichever engine is current --------------------------------
    @property
    def offloads(self) -> bool:
        return self.engine.offloads

    async def ask(
        self,
        question: str,
        *,
        limit: int | None = None,
        today: dt.date | None = None,
        odds: float = 1.0,
    ) -> Answer:
        return await self.engine.ask(question, limit=limit, today=today, odds=odds)

    async def brief(
        self, topic: str | None = None, *, limit: int | None = None, today: dt.date | None = None
    ) -> Briefing:
        return await self.engine.brief(topic, limit=limit, today=today)

    async def topics(self, prefix: str = "", limit: int = 25) -> list[str]:
        return await self.engine.topics(prefix, limit)

    async def listing(self) -> tuple[Listed, ...]:
        return await self.engine.listing()

    async def select(self, ids: Sequence[str], topic: str | None = None) -> list[BriefItem]:
        return await self.engine.select(ids, topic)

    def stats(self) -> CorpusStats:
        return self.engine.stats()

    # --- watching -----------------------------------------------------------------------------
    async def __aenter__(self) -> LiveEngine:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start(self) -> None:
        """Start watching the corpus (in the running event loop)."""
        if self._task is None:
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(self._watch(), name="briefbot-corpus-watch")
            self._warm_up(self.engine)

    async def stop(self) -> None:
        """Stop watching, save what is not saved yet, release the current engine."""
        task, self._task = self._task, None
        if task is not None and self._stop is not None:
            self._stop.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for warming in list(self._warming):
            warming.cancel()  # the thread finishes on its own; nobody waits for it
        tidy, self._tidy = self._tidy, None
        if tidy is not None:
            tidy.cancel()  # still waiting for quiet: saved just below instead
        await self.settled()
        await self._save()  # the next start then reads it back instead of merging again
        await _close(self.engine)

    async def settled(self) -> None:
        """Wait until the work after the last change (warm-up, save) is done (tests, bench)."""
        while self._tidying:
            await asyncio.gather(*self._tidying, return_exceptions=True)

    async def update(self, changed: frozenset[Path]) -> None:
        """Build the engine for the corpus as it is now and swap it in; on failure keep serving
        the current one (the next change tries again)."""
        started = time.perf_counter()
        old = self.engine
        try:
            seen, new = await asyncio.to_thread(self._build, old, changed)
        except Exception:
            log.exception("could not reload the corpus; still answering from the previous one")
            return
        self._seen = seen
        if new is old:
            log.debug("corpus files touched, not changed: nothing to reload")
            self._tidy_later(new)
            return
        made = old.hint_if_made()
        if made is not None:  # until the new one is made: the old hint, not a wait
            new.use_hint(made)
        new.inherit_listing(old)  # digests and alerts: only new articles are hashed
        self.engine = new  # one assignment: a question sees the old engine or the new one
        self.generation += 1
        for listener in self.on_change:
            listener()
        s = new.stats()
        log.info(
            "corpus reloaded (%d changed path(s)%s) in %.2f s: %d articles, %d passages",
            len(changed),
            f", {self._reloader.how}" if self._reloader is not None else "",
            time.perf_counter() - started,
            s.articles,
            s.passages,
        )
        await _close(old)
        self._tidy_later(new)

    def _tidy_later(self, engine: Engine) -> None:
        """Once the folder has been quiet for ``idle_s``: make the new engine's "not found"
        hint and save the index. Not at once: an ingest writes files one after another, and
        this work would compete with the answers of a bot in use."""
        if self._tidy is not None:
            self._tidy.cancel()  # still waiting: the next change starts the wait again
        task = asyncio.create_task(self._tidy_after_quiet(engine), name="briefbot-tidy")
        self._tidy = task
        self._tidying.add(task)
        task.add_done_callback(self._tidying.discard)

    async def _tidy_after_quiet(self, engine: Engine) -> None:
        await asyncio.sleep(self.idle_s)
        if self._tidy is asyncio.current_task():
            self._tidy = None  # from here on, no longer cancelled by a change
        await asyncio.to_thread(_quietly, lambda: _warm(engine))
        await self._save()

    async def _save(self) -> None:
        """Save what the last reloads made (one save at a time)."""
        if self._reloader is None:
            return
        async with self._saving:
            try:
                await asyncio.to_thread(_quietly, self._reloader.save)
            except Exception:
                log.exception("could not save the index; it is built again at the next start")

    async def warmed(self) -> None:
        """Wait for the background warm-up of the current engine (benchmarks, tests)."""
        await asyncio.gather(*self._warming, return_exceptions=True)

    def _warm_up(self, engine: Engine) -> None:
        """Make in the background what the first question would otherwise wait for."""
        task = asyncio.create_task(asyncio.to_thread(_warm, engine), name="briefbot-warm-up")
        self._warming.add(task)
        task.add_done_callback(self._warming.discard)

    def _build(self, old: Engine, changed: frozenset[Path]) -> tuple[Snapshot, Engine]:
        with no_bars():  # in the background of a console: progress goes to the log
            seen = snapshot(self.root)  # before the load: a change during it is caught next time
            return seen, self._rebuild(old, changed)

    async def _missed(self) -> frozenset[Path]:
        """Files changed between the last load and the watch starting."""
        return changed_paths(self._seen, await asyncio.to_thread(snapshot, self.root))

    async def _watch(self) -> None:
        assert self._stop is not None
        await watch(self.root, self.update, self._missed, self._stop)


def _quietly(work: Callable[[], None]) -> None:
    with no_bars():
        work()


def _warm(engine: Engine) -> None:
    try:
        engine.warm_up()
    except Exception:  # only a head start: the first question makes them otherwise
        log.debug("warming up the engine failed", exc_info=True)


async def _close(engine: Engine) -> None:
    """Stop an engine's background work (the semantic layer's embedding), when it has any."""
    close = getattr(engine, "close", None)
    if callable(close):
        try:
            await asyncio.to_thread(close)
        except Exception:
            log.exception("closing the previous engine failed")
