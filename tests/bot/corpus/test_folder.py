"""What a corpus folder holds besides articles: symlinks, unreadable folders, other formats.

Each is followed or reported; nothing is skipped without a word.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.corpus import load as corpus
from bot.errors import CorpusError

ARTICLE = "---\ntitle: {title}\ndate: 2026-01-05\n---\n\n{title} body text.\n"


def article(path: Path, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(title=title), encoding="utf-8")
    return path


def test_symlinked_subfolder_is_followed(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "corpus", tmp_path / "elsewhere"
    article(root / "a.md", "Local")
    article(elsewhere / "b.md", "Linked")
    (root / "more").symlink_to(elsewhere, target_is_directory=True)
    report = corpus.load(root)
    assert sorted(a.title for a in report.articles) == ["Linked", "Local"]
    assert report.skipped == []


def test_symlink_loop_is_read_once_and_reported(tmp_path: Path) -> None:
    article(tmp_path / "sub" / "a.md", "Only")
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Only"]
    (problem,) = report.skipped
    assert problem.path == str(tmp_path / "sub" / "up")
    assert "already read" in problem.reason


def test_dangling_symlink_is_reported(tmp_path: Path) -> None:
    article(tmp_path / "a.md", "Here")
    (tmp_path / "gone.md").symlink_to(tmp_path / "deleted.md")
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Here"]
    (problem,) = report.skipped
    assert problem.path == str(tmp_path / "gone.md")
    assert "broken symlink" in problem.reason and "deleted.md" in problem.reason
    assert str(problem) == f"{tmp_path / 'gone.md'}: {problem.reason}"


@pytest.mark.parametrize("name", ["zero.md", "zero"])
def test_a_device_linked_into_the_corpus_is_reported_as_not_a_regular_file(
    tmp_path: Path, name: str
) -> None:
    article(tmp_path / "a.md", "Here")
    (tmp_path / name).symlink_to("/dev/zero")
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Here"]
    (problem,) = report.skipped
    assert problem.path == str(tmp_path / name)
    assert "not a regular file" in problem.reason and "broken" not in problem.reason


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "locked"
    article(folder / "b.md", "Locked")
    folder.chmod(0)
    try:
        if os.access(folder, os.R_OK):
            pytest.skip("running as a user who can read any folder (root)")
        yield folder
    finally:
        folder.chmod(0o755)


def test_unreadable_subfolder_is_reported(tmp_path: Path, locked: Path) -> None:
    article(tmp_path / "a.md", "Open")
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Open"]
    (problem,) = report.skipped
    assert problem.path == str(locked)
    assert "cannot read folder" in problem.reason and "ermission" in problem.reason


def test_folder_of_json_files_says_which_formats_are_read(tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"a{n}.json").write_text('{"title": "T", "date": "2026-01-01"}')
    with pytest.raises(CorpusError) as exc:
        corpus.load(tmp_path)
    message = str(exc.value)
    assert "3 .json" in message
    assert ".jsonl" in message and ".md" in message


def test_other_formats_beside_articles_are_counted_not_skipped(tmp_path: Path) -> None:
    article(tmp_path / "a.md", "Article")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    report = corpus.load(tmp_path)
    assert report.skipped == []
    assert report.ignored.startswith("1 file in other formats ignored (1 .jpg)")
