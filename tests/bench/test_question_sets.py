"""Loading the question sets, and what the bench says when the evaluation data is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import main
from bench.data import MissingData, load_sets, subset


def write_sets(folder: Path) -> None:
    rows: dict[str, list[dict[str, object]]] = {
        "paraphrase-a.jsonl": [
            {"id": "p1", "title": "Oil", "question": "oil shock when", "answers": ["1973"]}
        ],
        "offtopic-a.jsonl": [{"q": "How tall is K2?", "expect_none": True}],
        "unanswerable-a.jsonl": [{"q": "When did OPEC begin?", "title": "Oil"}],
    }
    for name, items in rows.items():
        text = "\n".join(json.dumps(r) for r in items) + "\n\n"
        (folder / name).write_text(text, encoding="utf-8")


def test_sets_are_read_with_their_questions_and_answers(tmp_path: Path) -> None:
    write_sets(tmp_path)
    sets = load_sets(tmp_path)
    [para] = sets.paraphrase
    assert (para.question, para.answers, para.title) == ("oil shock when", ("1973",), "Oil")
    assert sets.off_topic == ("How tall is K2?",)
    assert sets.unanswerable == ("When did OPEC begin?",)


def test_a_missing_set_names_the_file_and_where_the_data_comes_from(tmp_path: Path) -> None:
    write_sets(tmp_path)
    (tmp_path / "offtopic-a.jsonl").unlink()
    with pytest.raises(MissingData) as caught:
        load_sets(tmp_path)
    message = str(caught.value)
    assert str(tmp_path / "offtopic-a.jsonl") in message
    assert "not found" in message
    assert "../shared/eval/" in message and "--eval-dir" in message


def test_a_broken_line_is_reported_with_its_number(tmp_path: Path) -> None:
    write_sets(tmp_path)
    (tmp_path / "unanswerable-a.jsonl").write_text('{"q": "fine"}\n{"q": \n', encoding="utf-8")
    with pytest.raises(MissingData, match="line 2 is not JSON"):
        load_sets(tmp_path)


def test_subset_takes_an_even_stride() -> None:
    assert subset(list(range(10)), 5) == [0, 2, 4, 6, 8]
    assert subset(["a", "b"], 5) == ["a", "b"]


def test_bench_without_data_says_where_it_comes_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--eval-dir", str(tmp_path), "--scale"]) == 2
    err = capsys.readouterr().err
    assert "squad-a.json: not found" in err
    assert "SQuAD v1.1 dev, split A" in err
    assert "paraphrase-a.jsonl" in err
