"""Writing and reading the saved index's files: whole or not at all, and checked on the way in.

Every file is written under a name no reader uses yet and flushed to disk; the manifest that
names them is written last, to a temporary file renamed over the old one, so a reader sees the
old index or the new one, never half of one. Every file's size and CRC-32 are in the manifest
and are checked before anything is used: a torn or altered file means a rebuild, never a wrong
answer.
"""

from __future__ import annotations

import io
import json
import mmap
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from bot.atomic import replaced

CHUNK = 1 << 24  # bytes read at a time when a file is checksummed without mapping it


class Stored(BaseModel):
    """One saved file as the manifest records it."""

    name: str
    size: int
    crc: int


class Corrupt(Exception):
    """A saved file is missing, torn or altered."""


def crc_of(path: Path) -> tuple[int, int]:
    """(size, CRC-32) of a file's bytes, read in chunks (a corpus file may be large)."""
    crc, size = 0, 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return size, crc


def write_array(folder: Path, name: str, array: np.ndarray) -> Stored:
    """Save ``array`` as ``folder/name`` (.npy), flushed to disk."""
    path = folder / name
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return _write(path, buf.getbuffer())


def write_json(folder: Path, name: str, data: Any) -> Stored:
    return _write(folder / name, json.dumps(data, ensure_ascii=False).encode())


def _write(path: Path, data: memoryview | bytes) -> Stored:
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return Stored(name=path.name, size=len(data), crc=zlib.crc32(data))


def replace_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file in the same folder, renamed."""
    with replaced(path) as f:
        f.write(text.encode("utf-8"))


def verify(folder: Path, stored: Stored) -> None:
    """Raise :class:`Corrupt` unless the saved file has the size and checksum recorded (the
    checksum releases the GIL: files are checked in threads while the index is put together)."""
    path = folder / stored.name
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size != stored.size:
                raise Corrupt(f"{stored.name}: {size} bytes, the manifest says {stored.size}")
            crc = 0
            if size:
                with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                    crc = zlib.crc32(m)
    except OSError as exc:
        raise Corrupt(f"{stored.name}: {exc.strerror or exc}") from None
    if crc != stored.crc:
        raise Corrupt(f"{stored.name}: checksum mismatch")


def read_array(folder: Path, stored: Stored) -> np.ndarray:
    """A saved array, memory-mapped read-only (checked by :func:`verify`, not here), as a plain
    ndarray view: ``np.memmap`` indexes through Python code, three times slower per element,
    which a million ``sentence_table.text(i)`` calls feel."""
    try:
        mapped = np.load(folder / stored.name, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise Corrupt(f"{stored.name}: {exc}") from None
    array: np.ndarray = mapped.view(np.ndarray)
    return array


def read_json(folder: Path, stored: Stored) -> Any:
    try:
        return json.loads((folder / stored.name).read_bytes())
    except (OSError, ValueError) as exc:
        raise Corrupt(f"{stored.name}: {exc}") from None
