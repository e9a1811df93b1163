"""The SQuAD split and the question sets beside it: loading them (saying where they come from
when they are missing), converting the articles to a briefbot JSONL corpus, replicating it."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

REPO = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO.parent / "shared" / "eval"
SQUAD_NAME = "squad-a.json"
SQUAD_PATH = EVAL_DIR / SQUAD_NAME
PARAPHRASE_NAME = "paraphrase-a.jsonl"
OFF_TOPIC_NAME = "offtopic-a.jsonl"
UNANSWERABLE_NAME = "unanswerable-a.jsonl"
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


#: Where the evaluation data comes from, for the message when a file is missing.
DATA_SOURCES = f"""\
The bench reads its questions from a folder beside the repository checkout, ../shared/eval/
(not part of the repository; give another with --eval-dir DIR):
  {SQUAD_NAME}          SQuAD v1.1 dev, split A: 24 Wikipedia articles (the corpus) and their
                        questions, each with a typo'd twin (keys meta, articles, questions)
  {PARAPHRASE_NAME}    those questions reworded as chat users type them
                        (JSON Lines: question, answers, title)
  {OFF_TOPIC_NAME}      general-knowledge questions the articles don't answer (JSON Lines: q)
  {UNANSWERABLE_NAME}  SQuAD 2.0 questions written to look answerable from these articles
                        but not answered by them (JSON Lines: q, title)"""


class MissingData(Exception):
    """An evaluation file is absent or unreadable; the message says which and where it comes
    from."""


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


def _missing(path: Path, problem: str) -> MissingData:
    return MissingData(f"{path}: {problem}\n\n{DATA_SOURCES}")


def load_squad(path: Path = SQUAD_PATH) -> Squad:
    """Read the converted SQuAD split (keys meta, articles, questions)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _missing(path, "not found") from None
    except (OSError, ValueError) as exc:
        raise _missing(path, f"unreadable ({exc})") from None
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


@dataclass(frozen=True)
class QuestionSets:
    """The sets beside SQuAD: answerable paraphrases (``typo`` = the question itself), and two
    sets every quote for is wrong."""

    paraphrase: tuple[Question, ...]
    off_topic: tuple[str, ...]
    unanswerable: tuple[str, ...]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON Lines file (blank lines skipped)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise _missing(path, "not found") from None
    except OSError as exc:
        raise _missing(path, f"unreadable ({exc})") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise _missing(path, f"line {number} is not JSON ({exc})") from None
        if not isinstance(row, dict):
            raise _missing(path, f"line {number} is not a JSON object")
        rows.append(row)
    return rows


def load_sets(eval_dir: Path = EVAL_DIR) -> QuestionSets:
    """Read the paraphrase, off-topic and unanswerable sets of ``eval_dir``."""
    para = eval_dir / PARAPHRASE_NAME
    try:
        paraphrase = tuple(
            Question(
                id=str(d.get("id", i)),
                title=str(d.get("title", "")),
                question=str(d["question"]),
                typo=str(d["question"]),
                answers=tuple(str(a) for a in d["answers"]),
            )
            for i, d in enumerate(read_jsonl(para))
        )
        off_topic = tuple(str(d["q"]) for d in read_jsonl(eval_dir / OFF_TOPIC_NAME))
        unanswerable = tuple(str(d["q"]) for d in read_jsonl(eval_dir / UNANSWERABLE_NAME))
    except KeyError as exc:
        raise MissingData(
            f"{eval_dir}: a question set lacks the key {exc}\n\n{DATA_SOURCES}"
        ) from None
    return QuestionSets(paraphrase, off_topic, unanswerable)


def subset(questions: Sequence[T], n: int | None) -> list[T]:
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
