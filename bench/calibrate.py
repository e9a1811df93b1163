"""Fit the fusion weight and the answerability model on half of the articles; report the other.

    python -m bench.calibrate [--eval-dir ../shared/eval] [--write]

Data: the SQuAD split A articles and four question sets of ``--eval-dir``: SQuAD's own questions
and their chat-style paraphrases (answerable), general-knowledge questions the articles don't
answer, and SQuAD 2.0 questions written to look answerable but not (every quote is wrong).
The 24 articles are split in two by a hash of their title; questions follow their article
(off-topic ones: a hash of their text). The sentence model was tuned on half 0; the weights here
are fitted on half 1 (articles it never saw), and every figure printed for them comes from a fit
that did not see the question (2-fold cross-fitting inside half 1).
``--write`` saves the fitted values to ``bot/data/answerability.json``, which the engine reads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.data import EVAL_DIR, OUT_DIR, load_squad, records, write_jsonl
from bot.answer import _passage
from bot.engine import Engine
from bot.query import analyse
from bot.ranking import TYPE_MISS, rank, score_sentences
from bot.semantic import CALIBRATION, DENSE_CANDIDATES, Scored, signals
from bot.settings import Settings

FEATURES = (
    "cos",
    "max_cos",
    "words_answer",
    "lexical",
    "coverage",
    "article_coverage",
    "no_topic_words",
    "missing_name",
)
COS_WEIGHTS = (4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 60.0)
SET_WEIGHT = {
    "squad": 1.0,
    "typo": 0.5,
    "paraphrase": 1.0,
    "off-topic": 1.0,
    "unanswerable": 0.5,
}
ANSWERABLE = ("squad", "typo", "paraphrase")


@dataclass
class Cand:
    lex: float
    cos: float
    gold: bool
    sig: dict[str, float]


@dataclass
class Record:
    set: str
    half: int
    fold: int  # a second split, inside a half
    cands: list[Cand]


def half(key: str) -> int:
    """0 or 1 from a hash of ``key`` (an article title, or an off-topic question's text)."""
    return int(hashlib.md5(key.encode()).hexdigest(), 16) % 2


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def question_sets(eval_dir: Path) -> dict[str, list[tuple[str, list[str], str]]]:
    """(question, gold answers, split key) per set."""

    def jsonl(name: str) -> list[dict[str, object]]:
        lines = (eval_dir / name).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    squad = load_squad(eval_dir / "squad-a.json")
    return {
        "squad": [(q.question, list(q.answers), q.title) for q in squad.questions[::4]],
        "typo": [(q.typo, list(q.answers), q.title) for q in squad.questions[2::8]],
        "paraphrase": [
            (str(d["question"]), list(d["answers"]), str(d["title"]))  # type: ignore[call-overload]
            for d in jsonl("paraphrase-a.jsonl")
        ],
        "off-topic": [(str(d["q"]), [], str(d["q"])) for d in jsonl("offtopic-a.jsonl")],
        "unanswerable": [
            (str(d["q"]), [], str(d["title"])) for d in jsonl("unanswerable-a.jsonl")[::2]
        ],
    }


def collect(engine: Engine, qs: list[tuple[str, list[str], str]], name: str) -> list[Record]:
    """Every candidate the hybrid ranking considers, with its signals and whether it answers."""
    sem, index = engine.semantic, engine.index
    assert sem is not None and sem.ready
    out = []
    for text, golds, key in qs:
        query = analyse(text, index)
        lexical = rank(query, index, engine.settings.briefbot_answers)
        cos = sem.vectors.cosines(sem.embed_question(text))
        dense = np.argpartition(-cos, DENSE_CANDIDATES - 1)[:DENSE_CANDIDATES]
        have = {c.id for c in lexical}
        extra = score_sentences([int(i) for i in dense if int(i) not in have], query, index)
        max_cos = float(cos.max())
        words = engine.answerer.words_answer(query, lexical)
        cands = []
        for c in (*lexical, *extra):
            quote = _norm(_passage(c, query, index).quote)
            gold = any(_norm(g) in quote for g in golds if g.strip())
            sc = Scored(c, float(cos[c.id]), 0.0)
            typed = 1.0 if c.spans else TYPE_MISS[query.kind]
            cands.append(
                Cand(
                    c.score / 10.0,
                    float(cos[c.id]) * typed,
                    gold,
                    signals(query, sc, index, max_cos, words),
                )
            )
        out.append(Record(name, half(key), half(key + "#fold"), cands))
    return out


def top(r: Record, w: float) -> Cand | None:
    return max(r.cands, key=lambda c: c.lex + w * c.cos) if r.cands else None


def hit_rate(recs: list[Record], w: float) -> float:
    return float(np.mean([bool((t := top(r, w)) and t.gold) for r in recs])) if recs else 0.0


def fit_logistic(x: np.ndarray, y: np.ndarray, sw: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Weighted logistic regression by Newton's method (a few features: numpy is enough)."""
    x1 = np.c_[x, np.ones(len(x))]
    w = np.zeros(x1.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x1 @ w))
        g = x1.T @ ((p - y) * sw) / sw.sum() + l2 * w
        h = (x1 * (p * (1 - p) * sw)[:, None]).T @ x1 / sw.sum() + l2 * np.eye(len(w))
        w -= np.linalg.solve(h, g)
    return w


def features(r: Record, w: float) -> list[float]:
    t = top(r, w)
    return [t.sig[f] for f in FEATURES] if t else [0.0] * len(FEATURES)


def prob(r: Record, w: float, coef: np.ndarray) -> float:
    if not r.cands:
        return 0.0
    return float(1 / (1 + np.exp(-(np.r_[features(r, w), 1.0] @ coef))))


def report(recs: list[Record], w: float, coef: np.ndarray, thr: float) -> dict[str, float]:
    """Per set: hit@1 counting "not found" as a miss, share not found / quoted."""
    out: dict[str, float] = {}
    for name in SET_WEIGHT:
        rs = [r for r in recs if r.set == name]
        if not rs:
            continue
        quoted = [prob(r, w, coef) >= thr for r in rs]
        if name in ANSWERABLE:
            hits = [
                q and bool((t := top(r, w)) and t.gold) for q, r in zip(quoted, rs, strict=True)
            ]
            out[f"{name} hit@1"] = round(float(np.mean(hits)), 3)
            out[f"{name} not found"] = round(1 - float(np.mean(quoted)), 3)
        else:
            out[f"{name} quoted"] = round(float(np.mean(quoted)), 3)
    return out


def fit(train: list[Record]) -> tuple[float, np.ndarray, float]:
    """Fusion weight (best mean hit@1 of the answerable sets), logistic model, threshold."""

    def mean_hits(w: float) -> float:
        return float(np.mean([hit_rate([r for r in train if r.set == s], w) for s in ANSWERABLE]))

    w = max(COS_WEIGHTS, key=mean_hits)
    x = np.array([features(r, w) for r in train])
    y = np.array([r.set in ANSWERABLE for r in train], dtype=float)
    sw = np.array([SET_WEIGHT[r.set] for r in train])
    for name in SET_WEIGHT:  # each set weighs as much in total, however many questions it has
        mask = np.array([r.set == name for r in train])
        if mask.any():
            sw[mask] /= mask.sum()
    coef = fit_logistic(x, y, sw)

    # Threshold: the balanced point (answerable questions answered vs off-topic ones refused),
    # the bot's promise being "cited or silent".
    def balance(t: float) -> float:
        r = report(train, w, coef, t)
        answered = np.mean([1 - r[f"{s} not found"] for s in ANSWERABLE])
        return float(answered + (1 - r["off-topic quoted"]))

    thr = float(max(np.linspace(0.05, 0.95, 91), key=balance))
    return w, coef, thr


def pooled(
    folds: list[list[Record]], fits: list[tuple[float, np.ndarray, float]]
) -> dict[str, float]:
    """Figures over both folds, each fold judged by its own fit (question-weighted)."""
    out: dict[str, float] = {}
    parts = [report(f, *p) for f, p in zip(folds, fits, strict=True)]
    for key in parts[0]:
        name = key.split(" ")[0]
        sizes = [sum(r.set == name for r in f) for f in folds]
        out[key] = round(sum(p[key] * n for p, n in zip(parts, sizes, strict=True)) / sum(sizes), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    ap.add_argument("--write", action="store_true", help=f"save the fit to {CALIBRATION}")
    ap.add_argument("--reuse", action="store_true", help="refit on the candidates of the last run")
    args = ap.parse_args(argv)
    if not (args.eval_dir / "squad-a.json").is_file():
        print(
            f"no evaluation data in {args.eval_dir} (needs squad-a.json and the question sets)",
            file=sys.stderr,
        )
        return 2
    corpus = write_jsonl(
        OUT_DIR / "squad-a.jsonl", records(load_squad(args.eval_dir / "squad-a.json"))
    )
    started = time.perf_counter()
    engine = Engine.load(Settings(_env_file=None, briefbot_corpus=corpus))  # type: ignore[call-arg]
    print(
        f"engine with vectors: {time.perf_counter() - started:.1f} s "
        f"({engine.semantic.vectors.embedded_now if engine.semantic else 0} sentences embedded)"
    )
    recs: list[Record] = []
    cache = OUT_DIR / "calibration-records.pkl"
    if args.reuse and cache.is_file():
        recs = pickle.loads(cache.read_bytes())
    for name, qs in question_sets(args.eval_dir).items() if not recs else ():
        t0 = time.perf_counter()
        recs += collect(engine, qs, name)
        print(
            f"{name}: {len(qs)} questions, {(time.perf_counter() - t0) * 1000 / len(qs):.1f} ms "
            "each (candidates and signals)"
        )
    cache.write_bytes(pickle.dumps(recs))
    # The sentence model was tuned on half 0 (bench/train_encoder.py): its cosines are too good
    # there. So the fusion weight and the answerability model are fitted on half 1, articles the
    # model never saw, as a new corpus is; figures come from 2-fold cross-fitting inside half 1
    # (each quarter reported by the fit on the other), and the shipped fit uses all of half 1.
    unseen = [r for r in recs if r.half == 1]
    folds = [[r for r in unseen if r.fold == f] for f in (0, 1)]
    fits = [fit(folds[1 - f]) for f in (0, 1)]
    print("fitted on one quarter, reported on the other (articles the model never saw):")
    for f, (w, coef, thr) in enumerate(fits):
        print(
            f"  quarter {f}: cos weight {w}, threshold {thr:.2f}:", report(folds[f], w, coef, thr)
        )
    print("  both quarters:", pooled(folds, fits))
    w, coef, thr = fit(unseen)
    print(f"\nshipped fit (all of half 1): cos weight {w}, threshold {thr:.2f}")
    print(
        "  on half 0 (where the model was tuned; in-sample, for reference):",
        report([r for r in recs if r.half == 0], w, coef, thr),
    )
    print(
        "\ntrade-off, cross-fitted (threshold: para hit@1 / para not found / off-topic "
        "quoted / unanswerable quoted / squad hit@1):"
    )
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        r = pooled(folds, [(fw, fc, t) for fw, fc, _ in fits])
        print(
            f"  {t:.2f}: {r['paraphrase hit@1']:.3f} / {r['paraphrase not found']:.3f} / "
            f"{r['off-topic quoted']:.3f} / {r['unanswerable quoted']:.3f} / {r['squad hit@1']:.3f}"
        )
    fitted = {
        "cos_weight": w,
        "features": list(FEATURES),
        "weights": [round(float(v), 4) for v in coef[:-1]],
        "bias": round(float(coef[-1]), 4),
        "threshold": round(thr, 3),
        "fitted_on": "bench/calibrate.py: SQuAD split A, the articles the sentence model was not "
        "tuned on (md5(title) % 2 == 1)",
    }
    print(json.dumps(fitted))
    if args.write:
        CALIBRATION.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
        print(f"written to {CALIBRATION}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
