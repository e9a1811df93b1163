"""Sentence vectors: computed once, saved beside the index, searched by cosine.

Why a store keyed by text: a restart, or a corpus where a few articles changed, must not embed
again what it already embedded (5,000 sentences cost about a minute of CPU). Each vector is saved
under a hash of the model and the exact text it embeds, so only new or edited sentences are
computed; the file is replaced atomically, and one that fails to load is rebuilt, never served.

Why a second file in index order: hashing a million texts and looking each up costs seconds at
every start, and gathering a million rows into a new matrix 0.2-2 s more (768 MB of fresh
pages). Once every sentence of a saved index has its vector, that index's matrix is also saved
in index order (``vectors.<generation>.npy``, named in ``vectors.aligned.json``); a restart on
the same index maps it from the page cache (no copy, nothing hashed) and the first search reads
it in. It costs the disk a second copy of the vectors (768 MB at a million sentences).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import simsimd

from bot.atomic import replaced
from bot.progress import Progress, no_bars
from bot.semantic.encoder import DIM, Encoder, Vectors

log = logging.getLogger(__name__)

FORMAT = 1
CHUNK = 512  # the most sentences embedded between progress reports and cancellation checks
# Seconds one chunk should take: long sentences (a pasted 10 MB line) take 50x longer than short
# ones, so the chunk shrinks to keep progress lines and a stop request within seconds.
CHUNK_SECONDS = 1.0
SAVE_EVERY = 20_000  # new vectors between saves while back-filling a large corpus
# Up to this many sentences the vectors are also held as float32 (1.5 KB a sentence), so a search
# is one BLAS matrix-vector product; beyond it only as float16 (saved that way), searched by
# simsimd's float16 kernels: 35 ms at a million sentences on two cores, where converting chunks
# to float32 for BLAS took 870 ms (cosines within 3e-4 of it). Kept low: at 100,000 sentences
# the float32 copy cost a restart 0.4 s (150 MB of fresh pages) and bought no speed.
FLOAT32_ROWS = 20_000
PROGRESS_SECONDS = 10.0

Keys = npt.NDArray[np.void]


def text_key(model_id: str, text: str) -> bytes:
    return hashlib.blake2b(f"{model_id}\x00{text}".encode(), digest_size=16).digest()


class VectorStore:
    """One file of (key, float16 vector) rows; unreadable or foreign files count as empty."""

    def __init__(self, directory: Path | None, model_id: str, name: str = "vectors") -> None:
        self.path = directory / f"{name}.npz" if directory else None
        self.model_id = model_id

    def load(self) -> dict[bytes, npt.NDArray[np.float16]]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            with np.load(self.path, allow_pickle=False) as z:
                meta = str(z["meta"])
                keys, vecs = z["keys"], z["vecs"]
            if (
                meta != f"{FORMAT}:{self.model_id}"
                or vecs.shape[1:] != (DIM,)
                or len(keys) != len(vecs)
            ):
                log.warning("%s is from another model or format: embedding again", self.path)
                return {}
            return {bytes(k): v for k, v in zip(keys, vecs, strict=True)}
        except Exception as exc:  # a torn or corrupt file is rebuilt, never served
            log.warning("%s could not be read (%s): embedding again", self.path, exc)
            return {}

    @staticmethod
    def _aligned_files(path: Path, generation: str) -> tuple[Path, Path]:
        """Beside the store's file: the note naming a saved index's matrix, and that matrix."""
        return (
            path.with_name(f"{path.stem}.aligned.json"),
            path.with_name(f"{path.stem}.{generation}.npy"),
        )

    def _note(self, generation: str, count: int) -> dict[str, object]:
        """What ``vectors.aligned.json`` says of the matrix it names: written by
        :meth:`save_aligned`, and a load serves the matrix only when it says exactly this."""
        return {"format": FORMAT, "model": self.model_id, "generation": generation, "count": count}

    def load_aligned(self, generation: str, count: int) -> npt.NDArray[np.float16] | None:
        """The matrix of the saved index ``generation`` (``count`` sentences) in index order,
        memory-mapped read-only, or None (none saved for it: the caller looks vectors up by
        text)."""
        if self.path is None:
            return None
        meta_path, matrix_path = self._aligned_files(self.path, generation)
        if not meta_path.is_file():
            return None
        try:
            if json.loads(meta_path.read_text(encoding="utf-8")) != self._note(generation, count):
                return None
            matrix = np.load(matrix_path, mmap_mode="r", allow_pickle=False)
        except Exception as exc:  # a torn or missing file: looked up by text, or rebuilt
            log.warning(
                "%s could not be read (%s): looking the vectors up by text", matrix_path, exc
            )
            return None
        if matrix.shape != (count, DIM) or matrix.dtype != np.float16:
            return None
        mapped: npt.NDArray[np.float16] = matrix
        return mapped

    def save(
        self,
        rows: dict[bytes, npt.NDArray[np.float16]],
        aligned: tuple[str, npt.NDArray[np.float16]] | None = None,
    ) -> None:
        """Write every row; ``aligned`` = (generation, that saved index's matrix in index order):
        also that matrix, for :meth:`load_aligned`."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = np.frombuffer(b"".join(rows), dtype="V16") if rows else np.zeros(0, "V16")
            vecs = np.stack(list(rows.values())) if rows else np.zeros((0, DIM), np.float16)
            with replaced(self.path) as f:
                np.savez(f, meta=np.array(f"{FORMAT}:{self.model_id}"), keys=keys, vecs=vecs)
        except OSError as exc:
            self._unsaved(exc)
            return
        if aligned is not None:
            self.save_aligned(*aligned)

    def save_aligned(self, generation: str, matrix: npt.NDArray[np.float16]) -> None:
        """The saved index's matrix in index order, for :meth:`load_aligned`. The matrix first,
        then the note naming it (a crash between leaves the old note, which names another
        generation: looked up by text); then other generations' matrices go (a process still
        mapping one keeps reading it: the file lives until it is unmapped)."""
        if self.path is None:
            return
        meta_path, matrix_path = self._aligned_files(self.path, generation)
        try:
            with replaced(matrix_path) as f:
                np.save(f, np.ascontiguousarray(matrix, dtype=np.float16))
            with replaced(meta_path) as f:
                f.write(json.dumps(self._note(generation, len(matrix))).encode())
        except OSError as exc:
            self._unsaved(exc)
            return
        for old in self.path.parent.glob(f"{self.path.stem}.*.npy"):
            if old != matrix_path:
                with contextlib.suppress(OSError):  # tidying only: the next save tries again
                    old.unlink()

    def _unsaved(self, exc: OSError) -> None:
        log.warning(
            "could not save sentence vectors to %s (%s): they will be computed again "
            "next start; set BRIEFBOT_INDEX_DIR to a writable folder",
            self.path,
            exc,
        )


@dataclass
class Known:
    """Rows already known for the first sentences (carried over by a merge)."""

    matrix: npt.NDArray[np.float16]
    keys: list[bytes]
    rows: dict[bytes, npt.NDArray[np.float16]]  # the store's rows, new ones added as made


class SentenceVectors:
    """A float16 matrix, one row an indexed sentence, filled from the store and the encoder.

    ``ready`` is False while a large corpus is being back-filled in a thread: answers then use
    the lexical index alone, and switch to the hybrid ranking once every row is known.
    """

    def __init__(
        self,
        texts: Sequence[str],
        encoder: Callable[[], Encoder],
        store: VectorStore,
        *,
        sync_limit: int,
        known: Known | None = None,
        generation: str | None = None,
    ) -> None:
        """``known``: the first rows, their keys and the store's rows, from the vectors of the
        index this one was merged from (see :meth:`carried_over`). ``generation``: the saved
        index the sentences are of, whose rows the store may hold (nothing is hashed then)."""
        self._encoder = encoder
        self._store = store
        self._float32: Vectors | None = None
        self.ready = False
        self.embedded_now = 0
        self._generation = generation
        self._texts = texts
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        self._saver: threading.Thread | None = None
        self._key_list: list[bytes] | None = None
        self._row_map: dict[bytes, npt.NDArray[np.float16]] | None = None
        if known is None and generation is not None:
            aligned = store.load_aligned(generation, len(texts))
            if aligned is not None:
                self.matrix = aligned
                self.ready = True
                return
        self.matrix = np.zeros((len(texts), DIM), np.float16)
        if known is None:
            saved, start = store.load(), 0
            keys = [text_key(store.model_id, t) for t in texts]
        else:
            saved, start = known.rows, len(known.keys)
            self.matrix[:start] = known.matrix
            keys = known.keys + [text_key(store.model_id, t) for t in texts[start:]]
        missing: list[int] = []
        for i, k in enumerate(keys[start:], start):
            v = saved.get(k)
            if v is None:
                missing.append(i)
            else:
                self.matrix[i] = v
        self._row_map = saved
        self._key_list = keys
        if not missing:
            self.ready = True
            if known is None and generation is not None:
                # Found by text: save the rows of this index, so the next start hashes nothing.
                self._saver = threading.Thread(
                    target=self._save_rows, daemon=True, name="briefbot-vector-rows"
                )
                self._saver.start()
        elif len(missing) <= sync_limit:
            self._fill(missing)
        else:
            log.info(
                "embedding %d sentences in the background; answers use words alone until then",
                len(missing),
            )
            self.thread = threading.Thread(
                target=_without_bars, args=(self._fill, missing), daemon=True, name="briefbot-embed"
            )
            self.thread.start()

    @property
    def _keys(self) -> list[bytes]:
        """Each sentence's key (hashed on first need only: a start from saved rows needs none)."""
        if self._key_list is None:
            self._key_list = [text_key(self._store.model_id, t) for t in self._texts]
        return self._key_list

    @property
    def _rows(self) -> dict[bytes, npt.NDArray[np.float16]]:
        """The store's rows by key (read on first need only)."""
        if self._row_map is None:
            self._row_map = self._store.load()
        return self._row_map

    def _aligned(self) -> tuple[str, npt.NDArray[np.float16]] | None:
        return (self._generation, self.matrix) if self._generation is not None else None

    def _save_rows(self) -> None:
        # Found by text: the store's rows are as they were, only this index's matrix is new.
        if self._generation is not None:
            self._store.save_aligned(self._generation, self.matrix)

    def carried_over(
        self, keep: npt.NDArray[np.bool_], texts: Sequence[str], *, sync_limit: int
    ) -> SentenceVectors:
        """The vectors of a merged index (:mod:`bot.index.merge`): these rows where ``keep``
        is True, in order, then rows for ``texts`` (the new sentences), from the store or the
        encoder. Nothing is hashed or read again for the kept sentences: a reload at a million
        sentences waits for the new ones only."""
        kept = np.flatnonzero(keep).tolist()
        known = Known(self.matrix[keep], [self._keys[i] for i in kept], self._rows)
        every = [self._texts[i] for i in kept] + list(texts)
        return SentenceVectors(
            every, self._encoder, self._store, sync_limit=sync_limit, known=known
        )

    def close(self) -> None:
        """Stop a back-fill at its next chunk (what is done so far is saved), and let a save of
        this index's rows finish: a one-shot ``briefbot ask`` would otherwise exit before it, and
        every later start would hash each sentence again (about 3 s at a million)."""
        self._stop.set()
        for thread in (self.thread, self._saver):
            if thread is not None:
                thread.join()

    def _fill(self, missing: list[int]) -> None:
        # A bar on a terminal (the log lines below are the progress elsewhere).
        with Progress("embedding sentences", len(missing), unit="sentences", logs=False) as bar:
            self._fill_rows(missing, bar)

    def _fill_rows(self, missing: list[int], bar: Progress) -> None:
        enc = self._encoder()
        started = last = time.monotonic()
        unsaved = 0
        done, size = 0, 16
        while done < len(missing):
            if self._stop.is_set():
                break
            idx = missing[done : done + size]
            began = time.monotonic()
            vecs = enc.encode([self._texts[i] for i in idx]).astype(np.float16)
            took = max(time.monotonic() - began, 1e-3)
            size = max(1, min(CHUNK, int(len(idx) * CHUNK_SECONDS / took), 2 * len(idx)))
            bar.advance(len(idx))
            for i, v in zip(idx, vecs, strict=True):
                self.matrix[i] = v
                self._rows[self._keys[i]] = v
            self.embedded_now += len(idx)
            done += len(idx)
            unsaved += len(idx)
            if unsaved >= SAVE_EVERY:
                self._store.save(self._rows)
                unsaved = 0
            now = time.monotonic()
            if now - last >= PROGRESS_SECONDS:
                rate = done / (now - started)
                log.info(
                    "embedded %d of %d sentences (%.0f a second, about %.0f s left)",
                    done,
                    len(missing),
                    rate,
                    (len(missing) - done) / max(rate, 1e-9),
                )
                last = now
        if unsaved:
            complete = not self._stop.is_set()
            self._store.save(self._rows, self._aligned() if complete else None)
        if not self._stop.is_set():
            self.ready = True
            log.info("embedded %d sentences in %.1f s", len(missing), time.monotonic() - started)

    def _dense(self) -> Vectors | None:
        """The float32 copy of a small, complete matrix (made once, when first searched)."""
        if self._float32 is None and self.ready and len(self.matrix) <= FLOAT32_ROWS:
            self._float32 = self.matrix.astype(np.float32)
        return self._float32

    def cosines(self, query: Vectors, ids: npt.NDArray[np.int64] | None = None) -> Vectors:
        """Cosine of ``query`` with every sentence (or with ``ids``)."""
        q = query.astype(np.float32)
        dense = self._dense()
        if dense is not None:
            out: Vectors = dense @ q if ids is None else dense[ids] @ q
            return out
        if ids is not None:
            return (self.matrix[ids].astype(np.float32) @ q).astype(np.float32)
        if not len(self.matrix):
            return np.zeros(0, np.float32)
        # Every core (threads=0); the GIL is released, so the bot's other tasks go on meanwhile.
        dots = simsimd.cdist(q.astype(np.float16)[None], self.matrix, metric="dot", threads=0)
        out = np.asarray(dots, dtype=np.float32)[0]
        return out


def _without_bars(work: Callable[[list[int]], None], missing: list[int]) -> None:
    """A back-fill beside a running bot: its progress is logged, never drawn over the console."""
    with no_bars():
        work(missing)
