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


def test_every_seed_question_is_answered_as_expected(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_CORPUS", str(Path(__file__).parents[2] / "corpus"))
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(q["q"] for q in QUESTIONS) + "\n"))
    assert main(["ask", "--json", "-"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip()]
    assert len(lines) == len(QUESTIONS)
    misses = []
    for item, answer in zip(QUESTIONS, lines, strict=True):
        if item.get("expect_none"):
            ok = not answer["answered"] and not answer["passages"]
        else:
            top = answer["passages"][0]["quote"].lower() if answer["passages"] else ""
            ok = answer["answered"] and any(e.lower() in top for e in item["expect"])
        if not ok:
            misses.append(item["q"])
    assert misses == []
