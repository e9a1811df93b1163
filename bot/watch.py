"""Watching a corpus folder: which changes count, what the folder held, and the watch itself.

Apart from :mod:`bot.live` (which builds and swaps engines) because the two change for different
reasons: this knows files and watchfiles, that knows engines.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from watchfiles import Change, awatch

from bot.corpus.folder import FORMATS, list_folder

log = logging.getLogger(__name__)

#: The article files of a corpus and their (size, mtime in ns): what a load has seen.
Snapshot = dict[Path, tuple[int, int]]
#: Called with each batch of changed paths.
OnChange = Callable[[frozenset[Path]], Awaitable[None]]

# How long the folder must be quiet before a batch of changes is taken (ms), and the longest a
# batch may gather (ms): an ingest round writing 50 files is one rebuild, not fifty.
QUIET_MS = 200
GATHER_MS = 1000
# The watch wakes up this often when nothing changes (ms); the first wake-up says it is ready.
WAKE_MS = 500
# After the watcher itself fails (the folder was removed, say), try again this much later (s).
RETRY_S = 5.0


def relevant(root: Path, path: Path) -> bool:
    """True when a change at ``path`` may change what the corpus at ``root`` loads: an article
    file, or a folder that may hold some. Hidden files and folders (the ingest's temporary files,
    ``.briefbot/`` with the saved index and feed state) are not loaded, so they never count."""
    if root.is_file() or root.suffix.lower() in FORMATS:
        return path == root
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    if not parts or any(p.startswith(".") for p in parts):
        return False
    suffix = path.suffix.lower()
    # A folder removed or renamed is no longer there to tell it is a folder: take a path
    # without a suffix as one.
    return suffix in FORMATS or not suffix or path.is_dir()


def corpus_files(root: Path) -> list[Path]:
    """The files the loader reads for the corpus at ``root``, as :func:`bot.corpus.load.load` lists
    them: the file itself, or the article files of the folder (symlinked folders followed,
    hidden ones not)."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return list_folder(root).files


def snapshot(root: Path) -> Snapshot:
    """Size and modification time of every article file: compared with a later snapshot, it
    tells whether anything changed while nobody was watching."""
    out: Snapshot = {}
    for path in corpus_files(root):
        try:
            st = path.stat()
        except OSError:  # removed between the listing and now
            continue
        out[path] = (st.st_size, st.st_mtime_ns)
    return out


def changed_paths(before: Snapshot, after: Snapshot) -> frozenset[Path]:
    """Files added, removed or modified between two snapshots."""
    return frozenset(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


async def watch(
    root: Path,
    on_change: OnChange,
    missed: Callable[[], Awaitable[frozenset[Path]]],
    stop: asyncio.Event,
) -> None:
    """Hand every batch of relevant changes under ``root`` to ``on_change`` until ``stop`` is
    set; once the watch is in place, first what ``missed`` says changed before it started."""
    # A single-file corpus is watched through its folder: editors save by replacing the file.
    target = root.parent if root.is_file() else root
    while not stop.is_set():
        try:
            watching = False
            # yield_on_timeout: the first (empty) batch says the watch is in place.
            async for changes in awatch(
                target,
                watch_filter=lambda _change, path: relevant(root, Path(path)),
                stop_event=stop,
                step=QUIET_MS,
                debounce=GATHER_MS,
                rust_timeout=WAKE_MS,
                yield_on_timeout=True,
            ):
                paths = _paths(changes)
                if not watching:
                    watching = True
                    paths |= await missed()
                if paths:
                    await on_change(paths)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the folder went away, the watch limit was hit, ...
            log.warning("watching %s failed (%s); trying again in %.0f s", target, exc, RETRY_S)
            await asyncio.sleep(RETRY_S)


def _paths(changes: set[tuple[Change, str]]) -> frozenset[Path]:
    return frozenset(Path(p) for _, p in changes)
