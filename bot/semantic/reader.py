"""The reader: reads a question and a candidate sentence together, says whether the sentence
answers, and which of its words are the answer.

Why: a cosine between two separately embedded texts measures topic, not answer; a cross-encoder
lets the question's words attend to the sentence's. The model is the bottom three layers of
all-MiniLM-L6-v2 (Apache-2.0) fine-tuned on SQuAD v1.0 train (CC BY-SA 4.0) by
``training/train_reader.py``, with an answerability head on [CLS] and a start/end head over the
sentence's tokens. Its layers run in onnxruntime, int8 (``data/reader.onnx`` beside this module,
written by ``training/export_reader.py``): several times faster than numpy on two cores. The
word-piece table is the sentence encoder's, looked up in numpy, so it is not shipped twice; the
position and segment embeddings are in ``data/reader.npz``. The answer logit is calibrated on a
held-out slice of the train articles (``data/reader.json``, ``training/calibrate_reader.py``):
the verdict depends on the pair alone, never on the corpus around it.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.semantic.encoder import Encoder, Vectors, _layer_norm, shared_encoder

DATA = Path(__file__).with_name("data")
GRAPH = DATA / "reader.onnx"
EMBEDDINGS = DATA / "reader.npz"
CALIBRATION = DATA / "reader.json"
MAX_SPAN = 30  # word pieces in an answer; SQuAD's answers are a few words


@dataclass(frozen=True)
class Reading:
    """What the reader makes of one sentence: its answer logit, how sure its best answer span
    is (start + end logit), and that span's characters in the sentence (None: none)."""

    logit: float
    span_score: float
    span: tuple[int, int] | None


@dataclass(frozen=True)
class ReaderCalibration:
    """P(answers) = sigmoid(bias + sum of weight * feature), over the reader's two outputs and
    two checks of the candidate itself (never of the corpus around it); a quote needs
    ``threshold``. Fitted by ``training/calibrate_reader.py``."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = CALIBRATION) -> ReaderCalibration:
        d = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            tuple(d["features"]),
            tuple(float(w) for w in d["weights"]),
            float(d["bias"]),
            float(d["threshold"]),
        )

    def p(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(
            w * features[f] for f, w in zip(self.features, self.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


class Reader:
    """Reads (question, title, sentence) triples; one a process, beside the shared encoder."""

    def __init__(
        self,
        encoder: Encoder,
        graph: Path = GRAPH,
        embeddings: Path = EMBEDDINGS,
        calibration: Path = CALIBRATION,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        with np.load(embeddings) as npz:
            w = {k: npz[k] for k in npz.files}
        meta = json.loads(bytes(w.pop("__meta__")).decode())
        self.meta: dict[str, Any] = meta
        # Readers trained before the key existed read titles.
        self.titles = bool(meta.get("titles", True))
        tok = Tokenizer.from_str(encoder.tokenizer_json)
        tok.enable_truncation(int(meta["max_len"]), strategy="only_second")
        tok.no_padding()
        self._tok = tok
        # The same word pieces as the encoder's: one vocabulary, looked up in one place.
        self.knows_word: Callable[[str], bool] = encoder.knows_word
        self._word = encoder.word_embeddings
        self._pos = w["embeddings.position_embeddings.weight"].astype(np.float32)
        self._types = w["embeddings.token_type_embeddings.weight"].astype(np.float32)
        self._ln0 = (
            w["embeddings.LayerNorm.weight"].astype(np.float32),
            w["embeddings.LayerNorm.bias"].astype(np.float32),
        )
        opts = ort.SessionOptions()
        # One thread: a pair is a few dozen word pieces (a second thread saves nothing there)
        # and other questions may be read at the same time.
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
        self.calibration = ReaderCalibration.load(calibration)

    def read(self, question: str, passages: Sequence[tuple[str, str]]) -> list[Reading]:
        """What the reader makes of each ``(title, sentence)`` for ``question``, in order (the
        title read only by a reader trained with titles: ``meta["titles"]``)."""
        if not passages:
            return []
        seconds = [
            f"{title}. {sentence}" if self.titles and title else sentence
            for title, sentence in passages
        ]
        encs = self._tok.encode_batch([(question, s) for s in seconds])
        out: list[Reading] = []
        for e, second, (_, sentence) in zip(encs, seconds, passages, strict=True):
            # One pair a run: int8 quantization scales each run's activations as a whole, so a
            # batch would make a pair's verdict depend on what is read beside it (and padding
            # costs as much as the batching saves: 8 pairs in 20 ms either way, on one thread).
            ids = np.asarray(e.ids, dtype=np.int64)[None, :]
            types = np.asarray(e.type_ids, dtype=np.int64)[None, :]
            x = self._word[ids] + self._pos[: ids.shape[1]] + self._types[types]
            x = _layer_norm(x.astype(np.float32), *self._ln0)
            mask = np.ones(ids.shape, dtype=np.float32)
            answer, span = self._session.run(None, {"x": x, "mask": mask})
            shift = len(second) - len(sentence)
            tok = [
                i
                for i, (seq, (a, _)) in enumerate(zip(e.sequence_ids, e.offsets, strict=True))
                if seq == 1 and a >= shift
            ]
            score, best = _best_span(span[0], tok, e.offsets, shift, sentence)
            out.append(Reading(float(answer[0, 0]), score, best))
        return out


def _best_span(
    span: Vectors, tok: list[int], offsets: Sequence[tuple[int, int]], shift: int, sentence: str
) -> tuple[float, tuple[int, int] | None]:
    """The highest-scoring start <= end over the sentence's tokens (its score, and its
    characters widened to whole words)."""
    if not tok:
        return -100.0, None
    s, e = span[tok, 0], span[tok, 1]
    k = len(tok)
    ok = np.triu(np.ones((k, k), dtype=bool)) & ~np.triu(np.ones((k, k), dtype=bool), MAX_SPAN)
    score = np.where(ok, s[:, None] + e[None, :], -np.inf)
    best = int(score.argmax())
    i, j = divmod(best, k)
    start, end = offsets[tok[i]][0] - shift, offsets[tok[j]][1] - shift
    while start > 0 and sentence[start - 1].isalnum():
        start -= 1
    while end < len(sentence) and sentence[end].isalnum():
        end += 1
    return float(score.flat[best]), ((start, end) if end > start else None)


def available() -> bool:
    """True when the reader's files ship and onnxruntime imports (else answers fall back)."""
    if not (GRAPH.is_file() and EMBEDDINGS.is_file() and CALIBRATION.is_file()):
        return False
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


_SHARED: Reader | None = None
_LOCK = threading.Lock()


def shared_reader() -> Reader:
    """One reader a process (its session and tables are read once)."""
    global _SHARED
    with _LOCK:
        if _SHARED is None:
            _SHARED = Reader(shared_encoder())
        return _SHARED
