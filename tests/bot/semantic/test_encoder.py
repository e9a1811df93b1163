"""The numpy encoder computes what BERT computes: its vectors against reference vectors that
torch made from the same weights (``training/golden_vectors.py``), one text at a time (the
onnxruntime path questions take) and in one padded batch (the numpy path sentences take)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.semantic.encoder import shared_encoder

GOLDEN = json.loads((Path(__file__).parents[2] / "data" / "encoder-golden.json").read_text())
TEXTS: list[str] = GOLDEN["texts"]
REFERENCE = np.asarray(GOLDEN["vectors"], dtype=np.float32)
# float32 arithmetic in another order (and 6 stored decimals): equal to about 1e-6.
TOLERANCE = 2e-5


def test_one_text_at_a_time_matches_the_reference() -> None:
    encoder = shared_encoder()
    got = np.vstack([encoder.encode([t]) for t in TEXTS])
    assert np.abs(got - REFERENCE).max() < TOLERANCE


def test_a_padded_batch_matches_the_reference() -> None:
    got = shared_encoder().encode(TEXTS)  # the short texts padded to the longest
    assert np.abs(got - REFERENCE).max() < TOLERANCE


@pytest.mark.parametrize("i", range(len(TEXTS)))
def test_vectors_are_unit_length_and_closest_to_their_own_reference(i: int) -> None:
    v = shared_encoder().encode([TEXTS[i]])[0]
    assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-5
    assert int(np.argmax(REFERENCE @ v)) == i
