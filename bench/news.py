"""``python -m bench.news``: answer quality on news articles, through any ``ask --json -`` command.

The set is ``training/news/``: original news-style articles written for briefbot's development
(``articles/*.md``) and chat questions about them (``questions/*.jsonl``: answerable ones with
their short answers, unanswerable ones on the article's topic, off-topic ones). SQuAD is
Wikipedia; this set is what the bot serves, long news sentences, quotes, datelines, paraphrased
and casually typed questions. Its articles are split in two by ``md5(id) % 2``: ``train`` may be
trained on (``training/reader_data.py --news``), ``dev`` is kept for measuring.

A hit: an expected answer occurs in the top quote (case and whitespace folded). Highlight F1 is
SQuAD's answer metric over the first quote's highlighted words. Every quote of an unanswerable
or off-topic question is wrong.

    .venv/bin/python -m bench.news                     # dev half, the installed briefbot
    .venv/bin/python -m bench.news --split all --misses -- .venv/bin/briefbot ask --json -
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.metrics import answer_f1, contains_answer

NEWS = Path(__file__).resolve().parent.parent / "training" / "news"


def split_of(article_id: str) -> str:
    """``dev`` or ``train``: fixed by the id alone, so adding articles never moves old ones."""
    return "dev" if int(hashlib.md5(article_id.encode()).hexdigest(), 16) % 2 == 0 else "train"


def load(split: str) -> tuple[list[Path], list[dict[str, Any]]]:
    """The split's article files and its questions (``all`` for both halves)."""
    files = sorted(
        p for p in (NEWS / "articles").glob("*.md") if split in ("all", split_of(p.stem))
    )
    ids = {p.stem for p in files}
    questions = [
        json.loads(line)
        for f in sorted((NEWS / "questions").glob("*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return files, [q for q in questions if q["article"] in ids]


def write_corpus(files: list[Path], folder: Path) -> Path:
    """``files`` copied into an empty ``folder``: the split as a corpus of its own."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    cmd = [".venv/bin/briefbot", "ask", "--json", "-"]
    if "--" in argv:
        i = argv.index("--")
        argv, cmd = argv[:i], argv[i + 1 :]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("dev", "train", "all"), default="dev")
    ap.add_argument("--misses", action="store_true", help="print each wrong answer")
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = ap.parse_args(argv)
    files, questions = load(args.split)
    if not questions:
        sys.exit(f"no questions in {NEWS} for split {args.split}")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(files, Path(tmp) / "news")
        stdin = "\n".join(" ".join(q["q"].split()) for q in questions) + "\n"
        t0 = time.perf_counter()
        run = subprocess.run(
            [*cmd, "--corpus", str(corpus)],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        wall = time.perf_counter() - t0
    answers = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    if run.returncode or len(answers) != len(questions):
        sys.exit(
            f"{' '.join(cmd)}: exit {run.returncode}, {len(answers)} answers for "
            f"{len(questions)} questions\n{run.stderr[-1500:]}"
        )
    tally: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for q, a in zip(questions, answers, strict=True):
        passages = a.get("passages") or []
        first = passages[0] if a.get("answered") and passages else None
        quote = first["quote"] if first else ""
        t = tally[q.get("kind", "words")]
        t["n"] += 1
        if q.get("expect_none"):
            t["quoted"] += first is not None
            ok = first is None
        else:
            marked = " ".join(quote[s:e] for s, e in (first or {}).get("highlight", []))
            hit = first is not None and contains_answer(quote, q["expect"])
            t["hit"] += hit
            t["not_found"] += first is None
            t["f1"] += answer_f1(marked, q["expect"]) if first else 0.0
            ok = hit
        if args.misses and not ok:
            print(f"miss [{q.get('kind')}] {q['q']!r} (want {q.get('expect')}) -> {quote[:150]!r}")
    figures: dict[str, dict[str, float]] = {}
    answerable = {k: v for k, v in tally.items() if k not in ("unanswerable", "offtopic")}
    total: dict[str, float] = defaultdict(float)
    for v in answerable.values():
        for key, x in v.items():
            total[key] += x
    for name, t in [*sorted(answerable.items()), ("answerable", total)]:
        n = t["n"]
        figures[name] = {
            "n": n,
            "hit@1": t["hit"] / n,
            "not_found": t["not_found"] / n,
            "highlight_f1": t["f1"] / n,
        }
        print(
            f"{name:11s} hit@1 {t['hit'] / n:.3f}  not found {t['not_found'] / n:.3f}  "
            f"highlight F1 {t['f1'] / n:.3f}  ({int(n)} questions)"
        )
    for name in ("unanswerable", "offtopic"):
        if name in tally:
            t = tally[name]
            figures[name] = {"n": t["n"], "quoted": t["quoted"] / t["n"]}
            print(
                f"{name:11s} quoted {t['quoted'] / t['n']:.3f}  ({int(t['n'])} questions; "
                "every quote here is wrong)"
            )
    print(
        f"{len(files)} articles, {len(questions)} questions, "
        f"{wall * 1000 / len(questions):.1f} ms/question wall incl. start-up"
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
