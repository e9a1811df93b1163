"""Training questions for the sentence model, from SQuAD v1.0 train (never the dev articles).

``train_encoder.py`` runs in a torch environment without briefbot's dependencies, so the product's
own sentence splitting is applied here and written to JSON: every sentence of every train article
(``[title, text, article, split]``) and every question with the index of the sentence holding its
gold answer and its answer strings (to mask in-batch false negatives).

The held-out slice is the reader's (``md5(title) % 12 == 0``, ``reader_data.is_dev``): the encoder
and the reader's calibration are both chosen on articles neither was trained on.

    .venv/bin/python -m training.encoder_data --out training/out/encoder-data.json
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from bot.text.sentences import split_sentences
from training.reader_data import EVAL, V1, is_dev, locate, read_squad


def build(squad: dict[str, Any]) -> dict[str, Any]:
    sentences: list[list[object]] = []
    questions: list[dict[str, Any]] = []
    for ai, art in enumerate(squad["data"]):
        title = art["title"].replace("_", " ")
        split = "dev" if is_dev(art["title"]) else "train"
        for para in art["paragraphs"]:
            ctx = para["context"]
            spans = split_sentences(ctx)
            first = len(sentences)
            sentences += [[title, ctx[s:e], ai, split] for s, e in spans]
            for qa in para["qas"]:
                a = qa["answers"][0]
                text = a["text"].strip()
                st = locate(ctx, text, a["answer_start"])
                pos = next((k for k, (s, e) in enumerate(spans) if s <= st < e), None)
                if st < 0 or pos is None:
                    continue
                questions.append(
                    {
                        "q": qa["question"].strip(),
                        "pos": first + pos,
                        "art": ai,
                        "split": split,
                        "answers": sorted({x["text"].strip() for x in qa["answers"]}),
                    }
                )
    return {"sentences": sentences, "questions": questions}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL)
    ap.add_argument("--out", type=Path, default=Path("training/out/encoder-data.json"))
    args = ap.parse_args()
    data = build(read_squad(args.eval_dir / V1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    n = Counter(q["split"] for q in data["questions"])
    print(f"{len(data['sentences'])} sentences, questions {dict(n)} -> {args.out}")


if __name__ == "__main__":
    main()
