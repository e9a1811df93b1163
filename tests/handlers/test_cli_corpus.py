"""``briefbot corpus check`` and corpus loading as a user meets them, the real command in a child
process: every problem listed, symlinks followed, nothing skipped without a word."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.handlers.test_cli import child_env

ARTICLE = "---\ntitle: {title}\ndate: {date}\nsource: Test Wire\n---\n\n{title} body text.\n"
NOBODY = 65534


def article(path: Path, title: str, date: str = "2026-01-05") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(title=title, date=date), encoding="utf-8")


# root reads every folder: to meet an unreadable one, the command gives up root once it has
# loaded its code (Python itself lives where nobody may not read).
AS_NOBODY = f"""
import os, sys
import encodings.utf_8_sig, bot.corpus.load, bot.engine, handlers.cli
os.setgid({NOBODY}); os.setuid({NOBODY})
sys.exit(handlers.cli.main(sys.argv[1:]))
"""


def briefbot(*args: str, cwd: Path, as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    command = ["-c", AS_NOBODY] if as_nobody else ["-m", "handlers.cli"]
    return subprocess.run(
        [sys.executable, *command, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=child_env(),
    )


def flat(text: str) -> str:
    return " ".join(text.split())


def test_check_all_lists_every_reason_when_nothing_loads(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    for n in range(60):
        (folder / f"broken{n:02}.md").write_text(f"no front matter {n}\n", encoding="utf-8")
    run = briefbot("corpus", "check", "--all", str(folder), cwd=tmp_path)
    assert run.returncode == 2
    out = flat(run.stdout)
    assert "loaded 0 articles" in out and "skipped 60" in out
    for n in range(60):
        assert f"{folder / f'broken{n:02}.md'}:1: no front matter" in out
    assert "more (--all" not in out
    assert "corpus check" not in run.stdout + run.stderr  # no advice to run what just ran
    assert f"no articles could be loaded from {folder}" in run.stderr
    # Without --all: the first 50, then a count.
    short = briefbot("corpus", "check", str(folder), cwd=tmp_path)
    assert short.returncode == 2
    assert "… and 10 more (--all lists them)" in flat(short.stdout)


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder any user may read (pytest's tmp_path is private to its owner)."""
    path = Path(tempfile.mkdtemp(prefix="briefbot-corpus-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for sub in path.rglob("*"):
            if sub.is_dir() and not sub.is_symlink():
                sub.chmod(0o755)
        shutil.rmtree(path)


def test_check_reports_links_unreadable_folders_other_formats_and_future_dates(
    shared_tmp: Path,
) -> None:
    root, elsewhere = shared_tmp / "corpus", shared_tmp / "elsewhere"
    article(root / "local.md", "Local")
    article(root / "typo.md", "Typo", "2099-01-05")
    article(elsewhere / "linked.md", "Linked")
    (root / "more").symlink_to(elsewhere, target_is_directory=True)
    (root / "gone.md").symlink_to(root / "deleted.md")
    (root / "export.json").write_text("{}", encoding="utf-8")
    article(root / "locked" / "hidden.md", "Locked")
    (root / "locked").chmod(0)
    run = briefbot("corpus", "check", str(root), cwd=shared_tmp, as_nobody=os.geteuid() == 0)
    assert run.returncode == 0, run.stderr
    out = flat(run.stdout)
    assert "loaded 3 articles, 3 passages" in out  # local, typo and the symlinked folder's article
    assert f"{root / 'locked'}: cannot read folder: Permission denied" in out
    assert f"{root / 'gone.md'}: broken symlink: its target {root / 'deleted.md'}" in out
    assert "1 file in other formats ignored (1 .json)" in out
    assert f"{root / 'typo.md'}:1: dated 2099-01-05, in the future" in out
    assert "skipped 2" in out and "warnings 1" in out


def test_a_future_date_is_logged_naming_the_file_when_the_bot_loads(tmp_path: Path) -> None:
    ahead = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    article(tmp_path / "news" / "typo.md", "Typo", ahead)
    run = briefbot("brief", "--corpus", str(tmp_path / "news"), cwd=tmp_path)
    assert run.returncode == 0
    assert f"{tmp_path / 'news' / 'typo.md'}:1: dated {ahead}, in the future" in flat(run.stderr)


def test_a_megabyte_line_is_indexed_in_pieces_with_a_warning_naming_the_file(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    filler = " ".join(["the council discussed many unrelated matters at length"] * 20_000)
    line = f"{filler} and the harbour budget was 12 million dollars {filler}"  # 2 MB, no full stop
    (folder / "dump.md").write_text(
        f"---\ntitle: Council minutes\ndate: 2026-01-05\n---\n\n{line}\n", encoding="utf-8"
    )
    run = briefbot("corpus", "check", str(folder), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert f"{folder / 'dump.md'}:1: a run of {len(line):,} characters with no full stop" in flat(
        run.stdout
    )
    ask = briefbot(
        "ask", "--json", "--corpus", str(folder), "how much was the budget?", cwd=tmp_path
    )
    answer = json.loads(ask.stdout)
    assert answer["answered"]
    quote = answer["passages"][0]["quote"]
    assert "harbour budget was 12 million" in quote and len(quote) <= 400
    assert "dump.md" in ask.stderr and "pieces" in ask.stderr
