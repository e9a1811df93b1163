"""The seed question set, through the batch CLI path (``briefbot ask --json -``)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from handlers.cli import main

QUESTIONS = [
    json.loads(line)
    for line in (Path(__file__).parent.parent / "data" / "seed-questions.jsonl")
    .read_text()
    .splitlines()
    if line.strip()
]


def misses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], semantic: bool
) -> list[str]:
    """The seed questions the batch CLI answers otherwise than expected."""
    monkeypatch.setenv("BRIEFBOT_CORPUS", str(Path(__file__).parents[2] / "corpus"))
    monkeypatch.setenv("BRIEFBOT_SEMANTIC", str(semantic).lower())
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(q["q"] for q in QUESTIONS) + "\n"))
    assert main(["ask", "--json", "-"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip()]
    assert len(lines) == len(QUESTIONS)
    missed = []
    for item, answer in zip(QUESTIONS, lines, strict=True):
        if item.get("expect_none"):
            ok = not answer["answered"] and not answer["passages"]
        else:
            top = answer["passages"][0]["quote"].lower() if answer["passages"] else ""
            ok = answer["answered"] and any(e.lower() in top for e in item["expect"])
        if not ok:
            missed.append(item["q"])
    return missed


def test_every_seed_question_is_answered_as_expected_from_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert misses(monkeypatch, capsys, semantic=False) == []


def test_seed_questions_with_meaning_miss_at_most_one_and_never_quote_off_topic(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The known miss (see the README): "How long was the phone call?" shares no phrasing with
    # "the 25-minute conversation" and the reader is not sure enough to quote it.
    missed = misses(monkeypatch, capsys, semantic=True)
    assert len(missed) <= 1, missed
    assert "when is Takaichi visiting the US?" not in missed
    assert "Whrn is Takaichii visitng the US?" not in missed  # read as "... visiting", as meant
    none_expected = {q["q"] for q in QUESTIONS if q.get("expect_none")}
    assert not none_expected & set(missed)
