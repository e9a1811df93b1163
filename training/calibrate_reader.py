"""Calibrate the reader's verdict on the held-out slice of the SQuAD train articles.

Why here and not on the evaluation sets: those measure; fitting on them would report our own
fit. The slice (``md5(title) % 12 == 0``, 37 articles, never trained on) becomes an ordinary
briefbot corpus, and every question goes through the product's own path,
:func:`bot.answer.candidates.candidates`, with the reader reading raw logits. Two kinds of question:

* *answerable*: the slice's own questions; the best candidate after reading is right when it
  holds a gold answer;
* *foreign*: questions of other train articles, asked of this corpus: it cannot answer them
  (they stand in for off-topic questions; some share words with the slice's articles).

Fitted: P(answers) = sigmoid(bias + w . features), a logistic fit over every read candidate of
"this candidate holds a gold answer" (foreign questions: none does) on the features of
:func:`bot.answer.candidates.features` (the reader's answer logit and span score, and two checks
of the candidate alone); the threshold is the highest P at which at most ``--not-found`` of the
answerable questions get "not found" (the issue's goal for answerable questions; foreign
questions, SQuAD questions on other Wikipedia articles, are far harder negatives than the
general-knowledge questions people ask off topic, so their share quoted is reported, not
bounded). Written to ``bot/semantic/data/reader.json`` with ``--write``, with the
figures it was chosen on. The candidates' features are kept in ``training/out/`` so a refit
(``--refit``) reads nothing again.

    .venv/bin/python -m training.calibrate_reader --write
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Any, cast

import numpy as np

from bot.answer.candidates import candidates
from bot.answer.query import analyse
from bot.engine import Engine
from bot.semantic.reader import CALIBRATION
from bot.settings import Settings
from bot.text.question import prepare
from training.reader_data import EVAL, V1, is_dev, read_squad

OUT = Path(__file__).resolve().parent / "out"
FEATURES = ("answer", "span", "grounded", "typed", "cos")
# The training run that made the shipped weights (training/out/train.log's last line).
READER_RUN = {
    "script": "three sittings of training/train_reader.py: --pairs 240000 --layers 3 --batch 32 "
    "--lr 8e-05; then --init (that) --null --pairs 200000 --lr 5e-05 --seed 15; then --init "
    "(that) --null --pairs 60000 --lr 3e-05 --seed 16 --data reader-pairs-news.jsonl "
    "(reader_data.py --news 30)",
    "data": "SQuAD v1.0 train minus the held-out slice (80,628 questions) + SQuAD 2.0 "
    "unanswerable questions of 10 train articles; the third sitting also the train half of "
    "training/news (26 articles, 312 questions, 30 times over: 8 % of its pairs)",
    "pairs_seen": 500000,
    "seconds_on_2_cores": 2892 + 1933 + 734,
    "titles": "trained reading each sentence after its article's title; the product reads it "
    "without (meta titles: false): news headlines hold answers, and on the news set's dev half "
    "the reader then finds more of them (hit@1 0.777 against 0.744 with titles)",
}


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def dev_corpus(squad: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    """The held-out articles as a JSON Lines corpus, paragraphs joined as the bench does."""
    rows = [
        {
            "id": f"train-{i}",
            "title": a["title"].replace("_", " "),
            "date": "2016-01-01",
            "source": "Wikipedia (SQuAD v1.0 train, CC BY-SA 4.0)",
            "url": f"https://en.wikipedia.org/wiki/{a['title']}",
            "body": "\n\n".join(p["context"].strip() for p in a["paragraphs"]),
        }
        for i, a in enumerate(squad["data"])
        if is_dev(a["title"])
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL)
    ap.add_argument("--questions", type=int, default=1500)
    ap.add_argument("--foreign", type=int, default=1500)
    ap.add_argument("--not-found", type=float, default=0.05)
    ap.add_argument("--write", action="store_true", help=f"write {CALIBRATION}")
    ap.add_argument("--refit", action="store_true", help="reuse the candidates read last time")
    ap.add_argument(
        "--news",
        type=float,
        default=0.0,
        help="also fit on the news set's train half, each of its candidates weighing this much",
    )
    args = ap.parse_args()
    rng = random.Random(7)
    squad = read_squad(args.eval_dir / V1)
    corpus = OUT / "calibration-corpus.jsonl"
    dev_corpus(squad, corpus)
    answerable = [
        (qa["question"], [a["text"] for a in qa["answers"]])
        for a in squad["data"]
        if is_dev(a["title"])
        for p in a["paragraphs"]
        for qa in p["qas"]
    ]
    foreign = [
        qa["question"]
        for a in squad["data"]
        if not is_dev(a["title"])
        for p in a["paragraphs"]
        for qa in p["qas"]
    ]
    answerable = rng.sample(answerable, min(args.questions, len(answerable)))
    foreign = rng.sample(foreign, min(args.foreign, len(foreign)))
    cache = OUT / "calibration-candidates.json"
    if args.refit and cache.is_file():
        rows = json.loads(cache.read_text())
    else:
        rows = collect(
            corpus,
            [("answerable", q, g) for q, g in answerable] + [("foreign", q, []) for q in foreign],
        )
        cache.write_text(json.dumps(rows))
    if args.news:
        news_cache = OUT / "calibration-news.json"
        if args.refit and news_cache.is_file():
            news = json.loads(news_cache.read_text())
        else:
            news = collect_news()
            news_cache.write_text(json.dumps(news))
        rows += news
    fit_and_report(rows, args)


def collect_news() -> list[dict[str, Any]]:
    """The news set's train half (``training/news``, never its dev half) as a corpus of its own."""
    from bench.news import load, write_corpus

    files, questions = load("train")
    return collect(
        write_corpus(files, OUT / "calibration-news"),
        [
            ("news-none", q["q"], []) if q.get("expect_none") else ("news", q["q"], q["expect"])
            for q in questions
        ],
    )


def collect(corpus: Path, items: list[tuple[str, str, list[str]]]) -> list[dict[str, Any]]:
    """Every question through the product's path: the read candidates' features and labels."""
    settings = Settings(_env_file=None, briefbot_corpus=corpus)
    engine = Engine.load(settings)
    while engine.semantic is not None and not engine.semantic.ready:
        time.sleep(1.0)
    assert engine.semantic is not None and engine.reader is not None, "needs the model"
    rows, table = [], engine.index.sentence_table
    started = time.perf_counter()
    for kind, q, golds in items:
        text, _ = prepare(q, settings.briefbot_max_question_chars)
        query = analyse(text, engine.index, engine.reader.knows_word)
        judged = candidates(
            query, engine.index, limit=3, semantic=engine.semantic, reader=engine.reader
        )
        cands = [
            {
                "features": j.features,
                "hit": any(_norm(g) in _norm(table.text(j.id)) for g in golds),
            }
            for j in judged
            if j.p is not None and j.candidate.named  # P of an unnamed one is 0 regardless
        ]
        rows.append({"kind": kind, "q": q, "candidates": cands})
    ms = (time.perf_counter() - started) / max(len(rows), 1) * 1000
    print(f"{len(rows)} questions read, {ms:.1f} ms each", flush=True)
    engine.close()
    return rows


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 4000, sw: np.ndarray | None = None
) -> np.ndarray:
    """Weights (last: bias) of a logistic regression, by gradient descent on standardised x."""
    sw = np.ones(len(y)) if sw is None else sw
    mu, sd = x.mean(0), x.std(0) + 1e-9
    xs = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(xs.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-xs @ w))
        w -= 0.5 * (xs.T @ ((p - y) * sw) / sw.sum() + l2 * np.r_[w[:-1], 0.0])
    raw = w[:-1] / sd
    return cast(np.ndarray, np.r_[raw, w[-1] - float((w[:-1] * mu / sd).sum())])


# Each answerable kind of question, and the kind that stands for questions it cannot answer.
PAIRS = (("answerable", "foreign"), ("news", "news-none"))


def fit_and_report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    names = list(FEATURES)
    x = np.array([[c["features"][f] for f in names] for r in rows for c in r["candidates"]])
    y = np.array([float(c["hit"]) for r in rows for c in r["candidates"]])
    sw = np.array(
        [args.news if r["kind"].startswith("news") else 1.0 for r in rows for _ in r["candidates"]]
    )
    results = {}
    subsets = (
        ("answer logit alone", [0]),
        ("reader and checks", [0, 1, 2, 3]),
        ("all features", list(range(len(names)))),
    )
    for label, cols in subsets:
        w = fit_logistic(x[:, cols], y, sw=sw)

        def p(c: dict[str, Any], w: np.ndarray = w, cols: list[int] = cols) -> float:
            z = w[-1] + sum(w[k] * c["features"][names[i]] for k, i in enumerate(cols))
            return 1.0 / (1.0 + math.exp(-z))

        best = []  # per question: (kind, P of the best candidate, does it hold an answer)
        for r in rows:
            scored = sorted(((p(c), c["hit"]) for c in r["candidates"]), reverse=True)
            best.append((r["kind"], *(scored[0] if scored else (0.0, False))))
        # The threshold: the highest P at which every answerable kind keeps to --not-found.
        thr = 1.0
        for yes, _ in PAIRS:
            pa = np.array([b[1] for b in best if b[0] == yes])
            if len(pa):
                grid = sorted(set(np.round(pa, 4)))
                thr = min(
                    thr, max((t for t in grid if (pa < t).mean() <= args.not_found), default=0.0)
                )
        figures: dict[str, Any] = {}
        for yes, no in PAIRS:
            pa = np.array([b[1] for b in best if b[0] == yes])
            if not len(pa):
                continue
            ok = np.array([b[2] for b in best if b[0] == yes], dtype=bool)
            pf = np.array([b[1] for b in best if b[0] == no])
            recall = np.mean(
                [any(c["hit"] for c in r["candidates"]) for r in rows if r["kind"] == yes]
            )
            prefix = "" if yes == "answerable" else "news: "
            figures.update(
                {
                    f"{prefix}answer among the read candidates": round(float(recall), 4),
                    f"{prefix}hit@1 (any threshold)": round(float(ok.mean()), 4),
                    f"{prefix}hit@1 at threshold": round(float(((pa >= thr) & ok).mean()), 4),
                    f"{prefix}not_found at threshold": round(float((pa < thr).mean()), 4),
                    f"{prefix}{no} quoted at threshold": round(float((pf >= thr).mean()), 4),
                    f"{prefix}questions": len(pa),
                    f"{prefix}{no}": len(pf),
                }
            )
        results[label] = {
            "weights": [round(float(v), 4) for v in w[:-1]],
            "bias": round(float(w[-1]), 4),
            "threshold": float(thr),
            "features": [names[i] for i in cols],
            "figures": figures,
        }
    print(json.dumps(results, indent=1))
    chosen = results["all features"]
    out = {
        **{k: chosen[k] for k in ("features", "weights", "bias", "threshold")},
        "fitted_on": "training/calibrate_reader.py: the held-out slice of SQuAD v1.0 train "
        "(md5(title) % 12 == 0): its questions, and as many questions of other train articles"
        + (
            f"; and the train half of training/news (its articles as a corpus of their own, "
            f"its questions weighing {args.news} each)"
            if args.news
            else ""
        ),
        "figures": chosen["figures"],
        "answer logit alone": results["answer logit alone"]["figures"],
        "reader and checks": results["reader and checks"]["figures"],
        "reader": READER_RUN,
    }
    if args.write:
        CALIBRATION.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"written: {CALIBRATION}")


if __name__ == "__main__":
    main()
