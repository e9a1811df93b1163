"""Which files of a corpus folder are read, and what is said about the ones that are not.

``Path.rglob`` skips symlinked folders, unreadable folders and dangling links without a word;
a user whose articles sit behind one of those sees "no articles" and no reason. This walk
follows symlinked folders (each real folder once, so a link to an ancestor cannot loop) and
reports everything it cannot read or does not read.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: The article formats read (by file name suffix, any case).
FORMATS = (".md", ".markdown", ".txt", ".jsonl")


@dataclass
class FolderProblem:
    """A folder entry that could not be read: shown like a skipped file."""

    path: str
    reason: str


@dataclass
class Listing:
    """The article files of a folder, in a stable order, and what was left out and why."""

    files: list[Path] = field(default_factory=list)
    problems: list[FolderProblem] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # files in another format

    def ignored_summary(self) -> str:
        """``3 .json files ignored; articles are read from .md, .markdown, .txt and .jsonl``."""
        if not self.ignored:
            return ""
        kinds = Counter(p.suffix.lower() or "(no suffix)" for p in self.ignored)
        parts = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common(5))
        more = " and others" if len(kinds) > 5 else ""
        hint = " (JSON Lines: one article object a line, named .jsonl)" if ".json" in kinds else ""
        noun = "file" if len(self.ignored) == 1 else "files"
        return (
            f"{len(self.ignored)} {noun} in other formats ignored ({parts}{more}); articles are "
            f"read from {', '.join(FORMATS[:-1])} and {FORMATS[-1]} files{hint}"
        )


def list_folder(root: Path) -> Listing:
    """Every article file under ``root`` (hidden entries excluded), symlinked folders followed."""
    listing = Listing()
    seen: set[tuple[int, int]] = set()
    _walk(root, listing, seen)
    listing.files.sort()
    listing.ignored.sort()
    return listing


def _walk(folder: Path, listing: Listing, seen: set[tuple[int, int]]) -> None:
    try:
        info = folder.stat()
    except OSError as exc:
        listing.problems.append(FolderProblem(str(folder), f"cannot read folder: {_why(exc)}"))
        return
    key = (info.st_dev, info.st_ino)
    if key in seen:
        listing.problems.append(
            FolderProblem(str(folder), "symlink to a folder already read (not read twice)")
        )
        return
    seen.add(key)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        listing.problems.append(FolderProblem(str(folder), f"cannot read folder: {_why(exc)}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # .git, .briefbot (ingest state), editors' swap files
        path = Path(entry.path)
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()  # both follow symlinks
        except OSError as exc:
            listing.problems.append(FolderProblem(entry.path, f"cannot read: {_why(exc)}"))
            continue
        if is_dir:
            _walk(path, listing, seen)
        elif is_file:
            (listing.files if path.suffix.lower() in FORMATS else listing.ignored).append(path)
        elif entry.is_symlink() and not os.path.exists(entry.path):
            target = os.readlink(entry.path)
            listing.problems.append(
                FolderProblem(entry.path, f"broken symlink: its target {target} does not exist")
            )
        elif path.suffix.lower() in FORMATS or entry.is_symlink():
            # A device, a pipe or a socket (say /dev/zero linked in): never read, it may not end.
            listing.problems.append(
                FolderProblem(entry.path, "not a regular file (a device, pipe or socket): skipped")
            )


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)
