"""How ingested articles are written: the corpus's Markdown form, stable names, whole files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.corpus.load import load
from bot.ingest.store import render_markdown, slug, text_digest, write_atomic


def test_front_matter_survives_awkward_titles_and_loads(tmp_path: Path) -> None:
    meta = {
        "title": 'Rates: "on hold" — #1 story: 50% of @here say yes',
        "date": dt.date(2026, 2, 10),
        "source": "Example: News",
        "url": "https://news.example/a?x=1&y=2",
        "tags": ["Economy", "Bank of Japan", "yes"],
    }
    (tmp_path / "a.md").write_text(render_markdown(meta, ["First paragraph.", "---", "Second."]))

    article = load(tmp_path).articles[0]

    assert article.title == meta["title"] and article.source == "Example: News"
    assert article.date == dt.date(2026, 2, 10) and article.url == meta["url"]
    assert article.tags == ("Economy", "Bank of Japan", "yes")
    assert article.paragraphs == ("First paragraph.", "Second.")


def test_tags_read_like_the_readme_example() -> None:
    text = render_markdown(
        {"title": "T", "date": dt.date(2026, 1, 3), "tags": ["Japan", "US"]}, ["x"]
    )
    assert text.splitlines()[:5] == [
        "---",
        "title: T",
        "date: 2026-01-03",
        "tags: [Japan, US]",
        "---",
    ]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Rail strike ends after deal!", "rail-strike-ends-after-deal"),
        ("Café owners' “big” day in Zürich", "cafe-owners-big-day-in-zurich"),
        ("高市首相、訪米へ", ""),
        (
            "One two three four five six seven eight nine ten",
            "one-two-three-four-five-six-seven-eight",
        ),
    ],
)
def test_slugs_are_short_lower_case_ascii(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_the_digest_ignores_punctuation_case_and_spacing() -> None:
    a = text_digest(["“Fair deal,” she said.", "Trains run   Thursday."])
    assert a == text_digest(['"fair deal" she said', "trains run thursday"])
    assert a != text_digest(["Fair deal, she said.", "Trains run Friday."])


def test_a_file_is_replaced_whole_and_readers_never_see_half(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.md"
    target.write_text("old\n")
    seen: list[tuple[str, list[str]]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:  # the moment before the rename
        real_fsync(fd)
        seen.append((target.read_text(), sorted(p.name for p in tmp_path.iterdir())))

    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(target, "new\n")

    old_text, names = seen[0]
    assert old_text == "old\n"
    temp = next(n for n in names if n != "a.md")
    assert temp.startswith(".") and temp.endswith(".tmp")  # hidden, not a corpus format
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.md"
    target.write_text("old\n")

    def replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "new\n")

    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]
