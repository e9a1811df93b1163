"""Progress of long work (an index build, ingestion, embedding): a bar on a terminal, a log line
every 10 s otherwise, so that half a minute of work never looks like a hang.

Nothing shows for work that ends within a second. Work done in the background of a running bot
(a reload, a feed poll) never draws a bar, which would tear through the console's prompt: it
runs inside :func:`no_bars` and only logs.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import (
    Progress as Bar,
)

log = logging.getLogger("bot.progress")

#: Seconds between two progress lines in a log; also how long work runs before the first.
LOG_EVERY = 10.0
#: Seconds of work before a bar appears (quicker work shows nothing).
BAR_AFTER = 1.0

_bars_allowed: ContextVar[bool] = ContextVar("bars_allowed", default=True)


@contextlib.contextmanager
def no_bars() -> Iterator[None]:
    """Within this block (this thread or task), progress is logged, never drawn."""
    token = _bars_allowed.set(False)
    try:
        yield
    finally:
        _bars_allowed.reset(token)


class Progress:
    """``with Progress("indexing", total=n, unit="articles") as p: ... p.advance(k)``.

    ``total`` may be None (unknown: a spinner, and the log says how long so far) and may grow
    (:meth:`add_total`). Safe to advance from several threads.
    """

    def __init__(
        self,
        what: str,
        total: float | None = None,
        *,
        unit: str = "",
        tick: bool = False,
        logs: bool = True,
    ) -> None:
        """``tick``: the work reports no steps (one long call): a thread keeps the bar moving
        and the log lines coming. Not around an index build, which forks only when this
        process runs no other thread. ``logs=False``: a bar on a terminal, and nothing
        otherwise (the work logs its progress itself)."""
        self.what, self.total, self.unit, self._logs = what, total, unit, logs
        self._tick = threading.Event() if tick else None
        self._ticker: threading.Thread | None = None
        self.done = 0.0
        self._lock = threading.Lock()
        self._started = self._logged = time.monotonic()
        self._bars = _bars_allowed.get() and sys.stderr.isatty()
        self._bar: Bar | None = None
        self._task = TaskID(0)

    def __enter__(self) -> Progress:
        if self._tick is not None:
            self._ticker = threading.Thread(target=self._ticking, name="progress", daemon=True)
            self._ticker.start()
        return self

    def _ticking(self) -> None:
        assert self._tick is not None
        while not self._tick.wait(0.25):
            self._show()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tick is not None and self._ticker is not None:
            self._tick.set()
            self._ticker.join()
        with self._lock:
            bar, self._bar = self._bar, None
        if bar is not None:
            bar.stop()
        elapsed = time.monotonic() - self._started
        if kind is None and elapsed >= LOG_EVERY and not self._bars and self._logs:
            log.info("%s: done in %.0f s", self.what, elapsed)

    def add_total(self, n: float) -> None:
        with self._lock:
            self.total = (self.total or 0) + n
        self._show()

    def advance(self, n: float = 1) -> None:
        with self._lock:
            self.done += n
        self._show()

    def update(self, done: float) -> None:
        with self._lock:
            self.done = done
        self._show()

    def _show(self) -> None:
        now = time.monotonic()
        if self._bars:
            if self._bar is None and now - self._started >= BAR_AFTER:
                self._start_bar()
            bar = self._bar
            if bar is not None:
                bar.update(self._task, completed=self.done, total=self.total)
            return
        if self._logs and now - self._logged >= LOG_EVERY:
            self._logged = now
            log.info("%s: %s", self.what, self._status(now))

    def _status(self, now: float) -> str:
        unit = f" {self.unit}" if self.unit else ""
        so_far = f"{now - self._started:.0f} s so far"
        if not self.total:
            return f"{self.done:,.0f}{unit}, {so_far}" if self.done else f"working, {so_far}"
        share = min(self.done / self.total, 1.0)
        return f"{self.done:,.0f} of {self.total:,.0f}{unit} ({share:.0%}), {so_far}"

    def _start_bar(self) -> None:
        with self._lock:
            if self._bar is not None:
                return
            bar = Bar(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(self.unit),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = bar.add_task(self.what, total=self.total, completed=int(self.done))
            bar.start()
            self._bar = bar
