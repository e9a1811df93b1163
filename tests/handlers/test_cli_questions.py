"""Questions as people type them, through the real command in a child process: invisible
characters pasted inside words, words the corpus does not hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.handlers.test_cli import briefbot

SOFT_HYPHEN, ZWSP, WORD_JOINER = "\u00ad", "\u200b", "\u2060"


def ask_json(tmp_path: Path, *questions: str, corpus: Path | None = None) -> list[dict[str, Any]]:
    where = ["--corpus", str(corpus)] if corpus else []
    run = briefbot("ask", "--json", *where, "-", cwd=tmp_path, stdin="\n".join(questions) + "\n")
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def highlighted(answer: dict[str, Any]) -> list[str]:
    return [p["quote"][s:e] for p in answer["passages"] for s, e in p["highlight"]]


def test_invisible_characters_inside_a_question_word_are_ignored(tmp_path: Path) -> None:
    questions = [f"when is Taka{mark}ichi visiting the US?" for mark in (ZWSP, SOFT_HYPHEN)]
    for answer in ask_json(tmp_path, *questions):
        assert answer["answered"], answer
        assert highlighted(answer)[0] == "this spring"


def test_invisible_characters_inside_article_words_keep_highlights_exact(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "bridge.md").write_text(
        "---\ntitle: Harbour news\ndate: 2026-01-01\n---\n\n"
        f"The new har{SOFT_HYPHEN}bour bridge carries four lanes of traffic over the bay.\n\n"
        f"The mayor, Ana Ruiz{WORD_JOINER}ez, opened it.\n",
        encoding="utf-8",
    )
    bridge, mayor = ask_json(
        tmp_path, "what does the harbour bridge carry?", "Ruizez", corpus=corpus
    )
    assert bridge["passages"][0]["quote"].startswith(f"The new har{SOFT_HYPHEN}bour bridge")
    assert highlighted(bridge)[0] == f"har{SOFT_HYPHEN}bour bridge carries"
    assert highlighted(mayor) == [f"Ruiz{WORD_JOINER}ez"]
