"""Sentence vectors with the real model: meaning-closeness, and computed once then reused."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pytest

from bot.semantic import vectors
from bot.semantic.encoder import shared_encoder
from bot.semantic.vectors import SentenceVectors, VectorStore

TEXTS = [
    "Prime Minister Sanae Takaichi will visit the United States this spring.",
    "The central bank raised interest rates by a quarter point.",
    "Heavy snow closed schools across the northern prefectures.",
]


def test_a_paraphrase_is_closer_than_an_unrelated_sentence() -> None:
    q, *s = shared_encoder().encode(["when does the japanese PM go to america?", *TEXTS])
    cos = np.array(s) @ q
    assert int(np.argmax(cos)) == 0
    assert np.allclose(np.linalg.norm(s, axis=1), 1.0, atol=1e-3)


def _vectors(directory: Path, texts: list[str], **kw: int) -> SentenceVectors:
    return SentenceVectors(
        texts,
        shared_encoder,
        VectorStore(directory, "test-model"),
        sync_limit=kw.pop("sync_limit", 100),
    )


def test_vectors_are_saved_and_reused_and_only_edited_text_is_embedded(tmp_path: Path) -> None:
    first = _vectors(tmp_path, TEXTS)
    assert first.ready and first.embedded_now == 3
    again = _vectors(tmp_path, TEXTS)
    assert again.embedded_now == 0
    assert np.array_equal(again.matrix, first.matrix)
    edited = _vectors(tmp_path, [TEXTS[0], TEXTS[1], "Heavy rain flooded the river banks."])
    assert edited.embedded_now == 1
    assert np.array_equal(edited.matrix[:2], first.matrix[:2])


def test_a_corrupt_store_is_rebuilt_not_served(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _vectors(tmp_path, TEXTS)
    (tmp_path / "vectors.npz").write_bytes(b"PK\x03\x04 torn write")
    with caplog.at_level(logging.WARNING):
        again = _vectors(tmp_path, TEXTS)
    assert again.embedded_now == 3 and again.ready
    assert "could not be read" in caplog.text


def test_vectors_of_another_model_are_not_mixed_in(tmp_path: Path) -> None:
    _vectors(tmp_path, TEXTS)
    other = SentenceVectors(TEXTS, shared_encoder, VectorStore(tmp_path, "other"), sync_limit=100)
    assert other.embedded_now == 3


def test_a_large_backlog_is_embedded_in_the_background(tmp_path: Path) -> None:
    v = _vectors(tmp_path, TEXTS, sync_limit=0)
    assert v.thread is not None
    v.thread.join(timeout=60)
    assert v.ready
    assert float(v.cosines(v.matrix[1].astype(np.float32))[1]) > 0.99
    assert _vectors(tmp_path, TEXTS).embedded_now == 0


class _SlowEncoder:
    """Stands in for the model on very long sentences: 20 ms a sentence."""

    def encode(self, texts: list[str]) -> np.ndarray:
        time.sleep(0.02 * len(texts))
        out = np.zeros((len(texts), 384), np.float32)
        out[:, 0] = 1.0
        return out


def test_slow_sentences_still_report_progress_on_time_and_stop_promptly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A chunk is sized by time, not by count: 300 sentences at 20 ms each are 6 s of work, and
    progress comes every PROGRESS_SECONDS whatever one sentence costs."""
    monkeypatch.setattr(vectors, "PROGRESS_SECONDS", 0.5)
    monkeypatch.setattr(vectors, "CHUNK_SECONDS", 0.2, raising=False)
    caplog.set_level(logging.INFO, logger="bot.semantic.vectors")
    texts = [f"sentence number {i} of a very long pasted line" for i in range(300)]
    v = SentenceVectors(texts, _SlowEncoder, VectorStore(tmp_path, "slow"), sync_limit=0)  # type: ignore[arg-type]
    assert v.thread is not None
    time.sleep(2.5)
    lines = [r.getMessage() for r in caplog.records if "embedded" in r.getMessage()]
    assert len(lines) >= 3, lines  # before the work is half done
    began = time.monotonic()
    v.close()
    assert time.monotonic() - began < 1.0 and not v.ready


def test_a_restart_on_the_same_saved_index_hashes_no_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = VectorStore(tmp_path, "test-model")
    first = SentenceVectors(TEXTS, shared_encoder, store, sync_limit=100, generation="g1")
    assert first.ready and first.embedded_now == 3

    def no_hashing(model_id: str, text: str) -> bytes:
        raise AssertionError("a restart on saved rows hashed a text")

    monkeypatch.setattr(vectors, "text_key", no_hashing)
    again = SentenceVectors(TEXTS, shared_encoder, store, sync_limit=100, generation="g1")
    assert again.ready and again.embedded_now == 0
    assert np.array_equal(again.matrix, first.matrix)
    # Another index (other sentences, or the same ones in another order) is looked up by text.
    monkeypatch.undo()
    other = SentenceVectors(TEXTS[::-1], shared_encoder, store, sync_limit=100, generation="g2")
    assert other.embedded_now == 0
    assert np.array_equal(other.matrix, first.matrix[::-1])


def test_closing_waits_for_the_rows_of_a_start_that_looked_vectors_up_by_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A one-shot `briefbot ask` closes the engine as it exits: the rows the start found by text
    # must be on disk by then, or every later start hashes each sentence again.
    store = VectorStore(tmp_path, "test-model")
    SentenceVectors(TEXTS, shared_encoder, store, sync_limit=100)  # saved by text, no rows
    assert store.load_aligned("g1", len(TEXTS)) is None
    save = VectorStore.save_aligned

    def slow_save(self: VectorStore, *args: object, **kw: object) -> None:
        time.sleep(0.3)
        save(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(VectorStore, "save_aligned", slow_save)
    started = SentenceVectors(TEXTS, shared_encoder, store, sync_limit=100, generation="g1")
    assert started.ready and started.embedded_now == 0
    started.close()
    assert store.load_aligned("g1", len(TEXTS)) is not None


def test_a_corpus_too_large_for_float32_is_searched_in_float16_with_the_same_ranking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v = _vectors(tmp_path, TEXTS)
    q = shared_encoder().encode(["when does the japanese PM go to america?"])[0]
    exact = v.cosines(q)  # held as float32: one BLAS product
    v._float32 = None
    monkeypatch.setattr(vectors, "FLOAT32_ROWS", 0)  # a million sentences' path: float16 only
    big = v.cosines(q)
    assert big.dtype == np.float32 and big.shape == exact.shape
    assert np.allclose(big, exact, atol=1e-3)
    assert int(np.argmax(big)) == int(np.argmax(exact)) == 0
    assert np.allclose(v.cosines(q, np.array([2, 0])), exact[[2, 0]], atol=1e-3)


def test_a_restart_maps_its_index_matrix_and_a_torn_one_is_looked_up_by_text(
    tmp_path: Path,
) -> None:
    store = VectorStore(tmp_path, "test-model")
    first = SentenceVectors(TEXTS, shared_encoder, store, sync_limit=100, generation="g1")
    again = SentenceVectors(TEXTS, shared_encoder, store, sync_limit=100, generation="g1")
    assert isinstance(again.matrix, np.memmap)  # from the page cache: no copy at start
    assert np.array_equal(again.matrix, first.matrix) and again.embedded_now == 0
    # A matrix cut short (a full disk, a crash) is never served: the rows are found by text.
    matrix = tmp_path / "vectors.g1.npy"
    matrix.write_bytes(matrix.read_bytes()[:-100])
    torn = SentenceVectors(TEXTS, shared_encoder, store, sync_limit=100, generation="g1")
    assert torn.ready and torn.embedded_now == 0
    assert np.array_equal(torn.matrix, first.matrix)
    torn.close()  # its start saved the matrix again, whole
    assert store.load_aligned("g1", len(TEXTS)) is not None
    # A new generation's matrix replaces the old one on disk.
    SentenceVectors(TEXTS[::-1], shared_encoder, store, sync_limit=100, generation="g2").close()
    assert sorted(p.name for p in tmp_path.glob("vectors.*.npy")) == ["vectors.g2.npy"]
    assert store.load_aligned("g1", len(TEXTS)) is None
