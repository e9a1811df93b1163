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


def test_a_name_absent_from_the_corpus_is_not_corrected_into_a_common_word(
    tmp_path: Path,
) -> None:
    mars, marko, takaichii, trupm = ask_json(
        tmp_path,
        "Is Mars visiting the US?",
        "Is Marko visiting the US?",
        "When is Takaichii visiting the US?",
        "When is Trupm going to visit China?",
    )
    assert not mars["answered"] and not marko["answered"]  # not via "mark"
    assert takaichii["answered"] and highlighted(takaichii)[0] == "this spring"
    assert trupm["answered"] and "April" in highlighted(trupm)


def test_brief_on_a_word_absent_from_the_corpus_lists_nothing(tmp_path: Path) -> None:
    run = briefbot("brief", "--json", "mars", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["items"] == []
    typo = briefbot("brief", "--json", "chnia", cwd=tmp_path)
    assert [i["article"]["title"] for i in json.loads(typo.stdout)["items"]] == [
        "Takaichi, Trump Agree to Arrange Her U.S. Visit This Spring"
    ]


def test_an_identifier_absent_from_the_corpus_matches_no_other(tmp_path: Path) -> None:
    corpus = tmp_path / "ports"
    corpus.mkdir()
    for n, figure in (("9990", "1,200"), ("991", "3,400"), ("992", "5,600")):
        (corpus / f"port{n}.md").write_text(
            f"---\ntitle: Port {n}\ndate: 2026-01-01\n---\n\n"
            f"Last year harbour{n} handled {figure} container ships, the port authority said.\n",
            encoding="utf-8",
        )
    wrong, right = ask_json(
        tmp_path,
        "How many container ships did harbour42 handle last year?",
        "How many container ships did harbour9990 handle last year?",
        corpus=corpus,
    )
    assert not wrong["answered"], wrong
    assert highlighted(right) == ["1,200"]


def test_console_drops_typed_mentions_and_says_when_a_topic_matches_nothing(
    tmp_path: Path,
) -> None:
    run = briefbot(
        "chat", cwd=tmp_path, stdin="@briefbot @alice @bob when is Takaichi visiting the US?\n"
    )
    assert run.returncode == 0, run.stderr
    assert "**this spring**" in run.stdout  # piped output marks the highlight
    brief = briefbot("brief", "France", cwd=tmp_path)
    assert brief.returncode == 0, brief.stderr
    said = " ".join(brief.stdout.split())
    assert "Nothing in the corpus matches “France”. Try “" in said
    assert "“Japan”" in said
