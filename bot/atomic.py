"""Files replaced whole or not at all: what readers (the loader, a restart) meet is never torn."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def replaced(path: Path) -> Iterator[BinaryIO]:
    """A file to write that takes ``path``'s place only once fully written: a hidden temporary
    file in the same folder, flushed to disk, then renamed. On an error the temporary file is
    removed and ``path`` is left as it was. The file keeps ``path``'s permissions (0644 when
    new: mkstemp's 0600 would hide an article from the folder's other readers)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            mode = 0o644
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
