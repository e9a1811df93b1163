"""Training pairs for the reader, from the SQuAD train sets (never the dev articles that measure).

Each pair is (question, article title, one sentence as the product splits it, label, answer span).
Why these pairs: the reader must learn three things the sentence model cannot, so each has its
own kind of example:

* ``pos``: the sentence holding the gold answer, with the answer's characters (the span head);
* ``same``: sentences of the same article without the answer, most word-sharing first: same topic,
  no answer (the "bolds words that are not the answer" failure);
* ``other``: a sentence of another article sharing the question's rarest word: words, no topic
  (the off-topic failure);
* ``impossible``: SQuAD 2.0's human-written unanswerable questions, with the sentence that holds
  their plausible answer and the best word-sharing one of their paragraph.

One slice of the train articles (``md5(title) % 12 == 0``) is kept apart as ``dev``: settings and
the calibration are chosen on it, never on the evaluation sets.

    .venv/bin/python -m training.reader_data --out training/out/reader-pairs.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bot.text.sentences import split_sentences

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
_WORD = re.compile(r"[a-z0-9]+")
_STOP = set(
    [
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "with",
        "as",
        "from",
        "that",
        "this",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "did",
        "do",
        "does",
        "its",
        "it",
        "his",
        "her",
        "their",
        "they",
        "he",
        "she",
        "than",
        "into",
        "about",
        "after",
        "before",
        "during",
        "over",
        "under",
        "many",
        "much",
        "most",
        "more",
        "also",
        "not",
        "no",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "has",
        "have",
        "had",
        "there",
        "these",
        "those",
        "some",
        "any",
        "other",
        "such",
        "only",
    ]
)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


V1 = "squad-train-v1.0.json.gz"
V2 = "squad2-train-10-articles.json.gz"


def read_squad(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def is_dev(title: str) -> bool:
    return int(hashlib.md5(title.encode()).hexdigest(), 16) % 12 == 0


def locate(context: str, answer: str, start: int) -> int:
    """The answer's real start: v1.0's ``answer_start`` may be off by whitespace."""
    if context[start : start + len(answer)] == answer:
        return start
    hits = [m.start() for m in re.finditer(re.escape(answer), context)]
    return min(hits, key=lambda h: abs(h - start)) if hits else -1


def pairs(squad: dict[str, Any], rng: random.Random, impossible: bool) -> list[dict[str, Any]]:
    # Every sentence of every article, for cross-article negatives (rarest shared word).
    sents: list[tuple[int, str]] = []
    for ai, art in enumerate(squad["data"]):
        for para in art["paragraphs"]:
            sents += [(ai, para["context"][s:e]) for s, e in split_sentences(para["context"])]
    df: Counter[str] = Counter()
    by_word: dict[str, list[int]] = defaultdict(list)
    for si, (_, text) in enumerate(sents):
        for w in _words(text):
            df[w] += 1
            if len(by_word[w]) < 400:
                by_word[w].append(si)
    out: list[dict[str, Any]] = []
    for ai, art in enumerate(squad["data"]):
        title = art["title"].replace("_", " ")
        split = "dev" if is_dev(art["title"]) else "train"
        art_sents = [
            para["context"][s:e]
            for para in art["paragraphs"]
            for s, e in split_sentences(para["context"])
        ]
        for para in art["paragraphs"]:
            ctx = para["context"]
            spans = split_sentences(ctx)
            for qa in para["qas"]:
                q = qa["question"].strip()
                qw = _words(q)
                base = {"q": q, "title": title, "split": split, "id": qa["id"]}
                answers = qa.get("plausible_answers") if qa.get("is_impossible") else qa["answers"]
                gold = {a["text"].strip().lower() for a in qa["answers"]}
                if qa.get("is_impossible"):
                    if not impossible:
                        continue
                    for a in answers or []:
                        st = locate(ctx, a["text"], a["answer_start"])
                        for s, e in spans:
                            if s <= st < e:
                                out.append(
                                    {**base, "sent": ctx[s:e], "label": 0, "kind": "impossible"}
                                )
                                break
                        break
                    scored = sorted(spans, key=lambda se: -len(qw & _words(ctx[se[0] : se[1]])))
                    if scored:
                        s, e = scored[0]
                        out.append({**base, "sent": ctx[s:e], "label": 0, "kind": "impossible"})
                    continue
                if impossible:
                    continue  # the v2 subset's answerable questions are in the v1 set already
                a = qa["answers"][0]
                text = a["text"].strip()
                st = locate(ctx, text, a["answer_start"])
                if st < 0:
                    continue
                pos = next(((s, e) for s, e in spans if s <= st and st + len(text) <= e), None)
                if pos is None:
                    continue  # the answer crosses a sentence boundary
                s, e = pos
                out.append(
                    {
                        **base,
                        "sent": ctx[s:e],
                        "label": 1,
                        "kind": "pos",
                        "a_start": st - s,
                        "a_end": st - s + len(text),
                    }
                )
                # Same article, no answer string: by words shared, with one at random.
                neg = [t for t in art_sents if not any(g and g in t.lower() for g in gold)]
                neg.sort(key=lambda t: -len(qw & _words(t)))
                picks = neg[:2]
                if len(neg) > 2:
                    picks.append(rng.choice(neg[2:]))
                out += [{**base, "sent": t, "label": 0, "kind": "same"} for t in picks]
                # Another article sharing the question's rarest word.
                rare = sorted((w for w in qw if df[w] > 1), key=lambda w: df[w])
                for w in rare[:2]:
                    cands = [si for si in by_word[w] if sents[si][0] != ai]
                    if cands:
                        si = max(
                            rng.sample(cands, min(30, len(cands))),
                            key=lambda i: len(qw & _words(sents[i][1])),
                        )
                        out.append({**base, "sent": sents[si][1], "label": 0, "kind": "other"})
                        break
    return out


def news_pairs(rng: random.Random, repeat: int) -> list[dict[str, Any]]:
    """Pairs from the train half of ``training/news`` (news sentences, chat questions), ``repeat``
    times each under distinct ids, so that a few hundred questions weigh beside SQuAD's 80,000.
    Positives and same-article negatives as for SQuAD; an unanswerable question gets its two
    most word-sharing sentences as negatives. Off-topic questions are left to ``other`` pairs."""
    from bench.news import NEWS, load
    from bot.corpus.load import load as load_corpus

    files, questions = load("train")
    ids = {f.stem for f in files}
    sentences = {
        a.id: (a.title, [para[s:e] for para in a.paragraphs for s, e in split_sentences(para)])
        for a in load_corpus(NEWS / "articles", warn=False).articles
        if a.id in ids
    }
    out: list[dict[str, Any]] = []
    for qi, q in enumerate(questions):
        if q.get("kind") == "offtopic":
            continue
        title, sents = sentences[q["article"]]
        qw = _words(q["q"])
        expect = [] if q.get("expect_none") else q["expect"]
        for r in range(repeat):
            base = {"q": q["q"], "title": title, "split": "train", "id": f"news-{qi}-{r}"}
            if expect:
                pos = next(((t, t.index(a), a) for a in expect for t in sents if a in t), None)
                if pos is None:
                    break
                t, st, a = pos
                out.append(
                    {
                        **base,
                        "sent": t,
                        "label": 1,
                        "kind": "pos",
                        "a_start": st,
                        "a_end": st + len(a),
                    }
                )
            neg = [t for t in sents if not any(a.lower() in t.lower() for a in expect)]
            neg.sort(key=lambda t: -len(qw & _words(t)))
            picks = neg[:2]
            if len(neg) > 2:
                picks.append(rng.choice(neg[2:]))
            kind = "same" if expect else "impossible"
            out += [{**base, "sent": t, "label": 0, "kind": kind} for t in picks]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL)
    ap.add_argument("--out", type=Path, default=Path("training/out/reader-pairs.jsonl"))
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--news", type=int, default=0, help="add the news set's train half, this many times over"
    )
    args = ap.parse_args()
    rng = random.Random(args.seed)
    v1, v2 = (read_squad(args.eval_dir / n) for n in (V1, V2))
    rows = pairs(v1, rng, impossible=False) + pairs(v2, rng, impossible=True)
    if args.news:
        rows += news_pairs(rng, args.news)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    kinds = Counter((r["split"], r["kind"]) for r in rows)
    print(
        f"{len(rows)} pairs -> {args.out}: "
        + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
    )


if __name__ == "__main__":
    main()
