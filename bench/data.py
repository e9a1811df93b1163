"""The SQuAD split: loading it, converting it to a briefbot JSONL corpus, replicating it."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO.parent / "shared" / "eval"
SQUAD_PATH = EVAL_DIR / "squad-a.json"
SEED_EVAL = EVAL_DIR / "seed_eval.py"
OUT_DIR = Path(__file__).resolve().parent / "out"

DATE = "2016-01-01"
SOURCE = "Wikipedia (SQuAD v1.1, CC BY-SA 4.0)"

#: Questions the 24 articles cannot answer; each with words whose absence we check.
OFF_TOPIC: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("How many calories are in a banana?", ("banana", "calorie")),
    ("How many legs does a spider have?", ("spider",)),
    ("What is the recipe for guacamole?", ("guacamole", "avocado")),
    ("Who wrote Pride and Prejudice?", ("pride and prejudice", "austen")),
    ("Which planet has the Great Red Spot?", ("great red spot", "jupiter")),
    ("What is the tallest mountain in Africa?", ("kilimanjaro",)),
    ("Who won the 2026 World Cup final?", ("world cup",)),
    ("How do I reset my iPhone password?", ("iphone",)),
)


@dataclass(frozen=True)
class Question:
    """One SQuAD question with its typo'd twin and gold answer strings."""

    id: str
    title: str
    question: str
    typo: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Squad:
    """The articles (title, paragraphs) and questions of one split."""

    meta: dict[str, Any]
    articles: tuple[tuple[str, tuple[str, ...]], ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Sentence:
    """One indexed sentence and the title of its article."""

    text: str
    title: str


def load_squad(path: Path = SQUAD_PATH) -> Squad:
    """Read the converted SQuAD split (keys meta, articles, questions)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    articles = tuple((a["title"], tuple(a["paragraphs"])) for a in raw["articles"])
    questions = tuple(
        Question(
            id=q["id"],
            title=q["title"],
            question=q["question"],
            typo=q.get("question_typo") or q["question"],
            answers=tuple(q["answers"]),
        )
        for q in raw["questions"]
    )
    return Squad(meta=raw.get("meta", {}), articles=articles, questions=questions)


def subset(questions: Sequence[Question], n: int | None) -> list[Question]:
    """About ``n`` questions taken at an even stride, so every article is represented."""
    if not n or n >= len(questions):
        return list(questions)
    step = len(questions) / n
    return [questions[int(i * step)] for i in range(n)]


def article_id(title: str) -> str:
    """A stable id from a Wikipedia title."""
    return "squad-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def records(squad: Squad) -> list[dict[str, str]]:
    """The articles as briefbot corpus records (id, title, date, source, url, body)."""
    return [
        {
            "id": article_id(title),
            "title": title.replace("_", " "),
            "date": DATE,
            "source": SOURCE,
            "url": f"https://en.wikipedia.org/wiki/{title}",
            "body": "\n\n".join(p.strip() for p in paragraphs),
        }
        for title, paragraphs in squad.articles
    ]


def replicated(base: Sequence[dict[str, str]], copies: int) -> Iterator[dict[str, str]]:
    """``copies`` copies of the records; every copy after the first has ids suffixed ``-rN``."""
    for r in range(copies):
        for rec in base:
            yield rec if r == 0 else {**rec, "id": f"{rec['id']}-r{r}"}


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Write ``rows`` as JSON Lines (atomically) and return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f"{path.suffix}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def copies_for(target_sentences: int, base_sentences: int) -> int:
    """How many copies of the corpus come closest to ``target_sentences``."""
    return max(1, round(target_sentences / max(1, base_sentences)))


_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "vs",
        "v",
        "jr",
        "sr",
        "no",
        "nos",
        "etc",
        "prof",
        "gen",
        "col",
        "lt",
        "mt",
        "ft",
        "inc",
        "co",
        "corp",
        "ltd",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "u.s",
        "u.k",
        "jan",
        "feb",
        "mar",
        "apr",
        "aug",
        "sept",
        "sep",
        "oct",
        "nov",
        "dec",
        "fig",
        "approx",
        "ca",
        "c",
    ]
)
_BOUNDARY = re.compile(r"([.!?][\"')\]]*)\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """A simple regex sentence splitter (fallback when the engine exposes no sentence table)."""
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(1) == ".":
            word = text[start : m.start()].rsplit(None, 1)[-1].lstrip("\"'(").lower()
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
                continue
        out.append(text[start : m.end(1)].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def regex_sentences(rows: Iterable[dict[str, str]]) -> list[Sentence]:
    """Every sentence of every paragraph of ``rows``, split by :func:`split_sentences`."""
    return [
        Sentence(s, row["title"])
        for row in rows
        for para in row["body"].split("\n\n")
        for s in split_sentences(para)
    ]


def engine_sentences(engine: object) -> list[Sentence] | None:
    """The sentences the engine indexes (``engine.sentence_table``: ``.text``, ``.article``)."""
    table = getattr(engine, "sentence_table", None)
    if table is None:
        return None
    out: list[Sentence] = []
    try:
        for p in table:
            text = getattr(p, "text", None)
            title = getattr(getattr(p, "article", None), "title", "") or ""
            if isinstance(text, str) and text.strip():
                out.append(Sentence(text, str(title)))
    except TypeError:
        return None
    return out or None


def absent_terms(rows: Iterable[dict[str, str]]) -> list[tuple[str, str]]:
    """Off-topic questions whose check words do occur in the corpus: (question, word)."""
    text = " ".join(f"{r['title']} {r['body']}" for r in rows).lower()
    return [(q, w) for q, words in OFF_TOPIC for w in words if re.search(rf"\b{w}\b", text)]
