"""Every evaluation question's answer, written out, so a refactoring can prove it changed nothing.

Why: a change of layout (modules moved, an API narrowed) must not move a single answer. The
figures of ``make bench`` would hide a swap of two answers that leaves the hit rate alone; a dump
of every answer does not. The SQuAD split A corpus is built as ``squad_eval.py`` builds it, and
every question of the four split A sets is asked of it; the seed questions are asked of the
bundled corpus. Timings (``took_ms``) are dropped: they differ from run to run. The corpus is
written to one stable path, so the sentence vectors saved beside it the first time are read back
by every later run: embedding again would group sentences into batches by time, and a batch's
padding moves a cosine in its fourth decimal.

    .venv/bin/python -m bench.dump OUT.jsonl [-- ASK COMMAND]

Prints one SHA-256 a set and of the whole dump; compare two runs with ``cmp``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def _ask(cmd: list[str], corpus: Path, questions: list[str]) -> list[str]:
    stdin = "\n".join(" ".join(q.split()) for q in questions) + "\n"
    r = subprocess.run(
        [*cmd, "--corpus", str(corpus)], input=stdin, capture_output=True, text=True, check=False
    )
    out = []
    for ln in r.stdout.splitlines():
        if ln.strip():
            a = json.loads(ln)
            a.pop("took_ms", None)
            out.append(json.dumps(a, sort_keys=True, ensure_ascii=False))
    if r.returncode or len(out) != len(questions):
        tail = r.stderr[-1500:]
        sys.exit(f"exit {r.returncode}, {len(out)} answers for {len(questions)}\n{tail}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] == "--":
        sys.exit(__doc__)
    target = Path(args[0])
    cmd = args[args.index("--") + 1 :] if "--" in args else ["briefbot", "ask", "--json", "-"]
    data = json.loads((EVAL / "squad-a.json").read_text(encoding="utf-8"))
    corpus = Path(tempfile.gettempdir()) / "briefbot-dump" / "squad-a.jsonl"
    corpus.parent.mkdir(parents=True, exist_ok=True)
    corpus.write_text(
        "".join(
            json.dumps(
                {
                    "id": a["title"],
                    "title": a["title"].replace("_", " "),
                    "date": "2016-06-16",
                    "source": "Wikipedia",
                    "url": f"https://en.wikipedia.org/wiki/{a['title']}",
                    "body": "\n\n".join(a["paragraphs"]),
                }
            )
            + "\n"
            for a in data["articles"]
        ),
        encoding="utf-8",
    )
    sets = {
        "squad": (corpus, [q["question"] for q in data["questions"]]),
        "paraphrase": (corpus, [q["question"] for q in _lines(EVAL / "paraphrase-a.jsonl")]),
        "off-topic": (corpus, [q["q"] for q in _lines(EVAL / "offtopic-a.jsonl")]),
        "unanswerable": (corpus, [q["q"] for q in _lines(EVAL / "unanswerable-a.jsonl")]),
        "seed": (ROOT / "corpus", [q["q"] for q in _lines(EVAL / "seed-questions.jsonl")]),
    }
    whole = hashlib.sha256()
    with target.open("w", encoding="utf-8") as f:
        for name, (where, questions) in sets.items():
            answers = _ask(cmd, where, questions)
            text = "".join(f"{name}\t{a}\n" for a in answers)
            f.write(text)
            whole.update(text.encode())
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            print(f"{name:12s} {len(answers):5d} answers  sha256 {digest}", flush=True)
    print(f"{'all':12s} {'':5s}          sha256 {whole.hexdigest()[:16]}  -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
