"""Front matter with YAML aliases (the "billion laughs") is refused, naming the file, and the
rest of the corpus still loads: through ``briefbot`` itself, in a child process."""

from __future__ import annotations

from pathlib import Path

from tests.handlers.cli_process import briefbot


def alias_bomb(levels: int) -> str:
    """Nested anchors, each level nine aliases of the one before, used in ``caption:``."""
    lines = ["---", "title: Harmless title", "date: 2026-01-01", "a0: &a0 [lol, lol, lol]"]
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]")
    lines += [f"caption: *a{levels}", "---", "", "Some text of the article."]
    return "\n".join(lines) + "\n"


def corpus_with_a_bomb(folder: Path, levels: int) -> Path:
    folder.mkdir()
    (folder / "bomb.md").write_text(alias_bomb(levels), encoding="utf-8")
    (folder / "ferry.md").write_text(
        "---\ntitle: Ferry resumes\ndate: 2026-03-02\n---\n\nThe ferry resumed on Monday.\n",
        encoding="utf-8",
    )
    return folder


def test_an_alias_in_front_matter_skips_that_file_and_names_it(tmp_path: Path) -> None:
    corpus = corpus_with_a_bomb(tmp_path / "news", levels=4)
    checked = briefbot("corpus", "check", str(corpus), cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "loaded   1 article, 1 passage" in checked.stdout
    assert "bomb.md:5: front matter uses the YAML alias *a0: write the value out" in checked.stdout


def test_the_nine_level_bomb_is_refused_at_once_and_the_rest_is_served(tmp_path: Path) -> None:
    """The file that once took minutes and gigabytes (then broke the index) costs nothing."""
    corpus = corpus_with_a_bomb(tmp_path / "news", levels=9)
    asked = briefbot("ask", "--corpus", str(corpus), "When did the ferry resume?", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "The ferry resumed **on Monday**." in asked.stdout
    warning = next(line for line in asked.stderr.splitlines() if "bomb.md" in line)
    assert "YAML alias" in warning
