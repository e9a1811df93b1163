"""What a saved index is: its manifest (format, analyser, corpus files, saved files) and the
fingerprint of everything that shapes an index besides the articles themselves.

A saved index is reused only when its format, its analyser fingerprint and its corpus path are
today's; its corpus files decide whether it is current, stale in a few files (merged) or stale
in many (rebuilt).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import Stemmer
from pydantic import BaseModel, Field

from bot.store.files import Stored, crc_of

#: Bumped when the layout of the saved files changes.
FORMAT = 2
#: Bumped when what turns files into articles and articles into index terms changes (the loaders,
#: the analyser, the sentence splitter, the index build): an index saved by another version is
#: built again. An explicit number, not a hash of source files, so an edit that changes no
#: article and no term (a docstring, a move) keeps every saved index.
ANALYSER = 1
_WORDLISTS = Path(__file__).resolve().parent.parent / "text" / "wordlists"


class SourceFile(BaseModel):
    """A corpus file as it was when it was indexed."""

    size: int
    mtime_ns: int
    crc: int


class Manifest(BaseModel):
    """The saved index's table of contents, written last (the commit of a save)."""

    format: int
    analyser: str
    # The aliases file's own digest ("" without one), so a rebuild can say it was the aliases
    # that changed, not briefbot.
    aliases: str = ""
    corpus: str
    generation: str
    sentences: int = 0
    articles: int = 0
    files: dict[str, SourceFile] = Field(default_factory=dict)
    parts: dict[str, Stored] = Field(default_factory=dict)


def analyser_fingerprint(aliases_file: Path | None) -> str:
    """A digest of what shapes an index besides the articles."""
    h = hashlib.sha1(f"format {FORMAT}; analyser {ANALYSER}; {Stemmer.version()}".encode())
    for path in sorted(_WORDLISTS.glob("*.txt")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    if aliases_file is not None:
        try:
            h.update(b"aliases\0" + Path(aliases_file).read_bytes())
        except OSError:
            h.update(b"aliases unreadable")  # the analyser itself reports that
    return h.hexdigest()


def aliases_digest(aliases_file: Path | None) -> str:
    """A digest of the aliases file (its path and bytes), "" when none is set."""
    if aliases_file is None:
        return ""
    try:
        data = Path(aliases_file).read_bytes()
    except OSError:
        data = b"unreadable"
    return hashlib.sha1(str(aliases_file).encode() + b"\0" + data).hexdigest()


def source_state(path: Path, known: SourceFile | None = None) -> SourceFile | None:
    """A corpus file's size, modification time and checksum, or None when it is gone. When its
    size and time match ``known``, its checksum is taken on trust (no read of the file)."""
    try:
        st = os.stat(path)
        if known is not None and (st.st_size, st.st_mtime_ns) == (known.size, known.mtime_ns):
            return known
        size, crc = crc_of(path)
    except OSError:
        return None
    return SourceFile(size=size, mtime_ns=st.st_mtime_ns, crc=crc)


def same_content(a: SourceFile | None, b: SourceFile | None) -> bool:
    """True when two states are of the same bytes (a file touched but not changed)."""
    return a is not None and b is not None and (a.size, a.crc) == (b.size, b.crc)
