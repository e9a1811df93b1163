"""What ``briefbot`` prints, run as a child process: user and article text is never markup or a
terminal control, piped output is plain and unwrapped, and a reader that stops is no error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.handlers.cli_process import briefbot, child_env

QUESTION = "when is Takaichi visiting the US?"
NOT_FOUND = "Nothing in the corpus answers that."

# YAML's double-quoted escapes put raw control characters into the front matter: \e is ESC.
HOSTILE = r"""---
title: "[red]Harbour[/red] bridge opens \e]0;pwned\a"
date: 2026-03-01
source: "Wire \u202eevil"
url: "https://example.com/a\e]0;pwned\a"
tags: ["\e[2Jclear", "harbour"]
---

The harbour bridge opened to traffic on Sunday [link=https://evil.example]here[/link].
"""


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    """An empty working folder: no .env."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A corpus whose one article carries markup, ESC sequences and a bidi override."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "a.md").write_text(HOSTILE, encoding="utf-8")
    return folder


def test_markup_in_piped_questions_is_text_and_every_line_is_answered(cwd: Path) -> None:
    lines = ["q1", "[/]", "[red]when[/red] is [link=https://evil.example]Takaichi[/link]", "q2"]
    done = briefbot("ask", "-", cwd=cwd, stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for line in lines:
        assert f"{line}\n" in done.stdout
    assert done.stdout.count(NOT_FOUND) == len(lines)


def test_terminal_controls_in_questions_are_shown_not_obeyed(cwd: Path) -> None:
    question = "\x1b]0;pwned\x07\x1b[2J\u202ewhen is Takaichi visiting the US?"
    done = briefbot("ask", "-", cwd=cwd, stdin=question + "\n", FORCE_COLOR="1")
    assert done.returncode == 0, done.stderr
    assert "\x1b]0;" not in done.stdout and "\x1b[2J" not in done.stdout
    assert "\u202e" not in done.stdout and "\x07" not in done.stdout
    assert "␛]0;pwned␇␛[2J" in done.stdout


@pytest.mark.parametrize("force_color", ["1", ""])
def test_article_markup_and_controls_never_reach_the_terminal(
    cwd: Path, hostile: Path, force_color: str
) -> None:
    """On a terminal (FORCE_COLOR: rich's own styles and links) and piped alike."""
    env = {"FORCE_COLOR": force_color} if force_color else {}
    asked = briefbot("ask", "--corpus", str(hostile), "When did the bridge open?", cwd=cwd, **env)
    missed = briefbot("ask", "--corpus", str(hostile), "capital of France?", cwd=cwd, **env)
    briefed = briefbot("brief", "--corpus", str(hostile), cwd=cwd, **env)
    for done in (asked, missed, briefed):
        assert done.returncode == 0, done.stderr
        out = done.stdout
        assert "\x1b]0;" not in out and "\x1b[2J" not in out and "\u202e" not in out
        assert "[red]Harbour[/red] bridge opens" in out
    assert "[link=https://evil.example]here[/link]" in asked.stdout
    assert "[link=https://evil.example]here[/link]" in briefed.stdout
    assert "␛[2Jclear" in missed.stdout  # the tag, in the hint of what the corpus covers
    if force_color:
        assert "https://example.com/a␛]0;pwned␇" in asked.stdout  # the link's target


def test_piped_answers_mark_the_highlight_and_are_not_wrapped(cwd: Path) -> None:
    done = briefbot("ask", QUESTION, cwd=cwd, COLUMNS="80")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    quote = next(line for line in lines if "this spring" in line)
    assert quote.startswith("│ Prime Minister Sanae Takaichi")
    assert quote.endswith("visit the United States **this spring**.")
    assert all(line == line.rstrip() for line in lines)


def test_piped_briefing_separates_title_date_and_source(cwd: Path) -> None:
    done = briefbot("brief", cwd=cwd, COLUMNS="80")
    assert done.returncode == 0, done.stderr
    title = "Takaichi, Trump Agree to Arrange Her U.S. Visit This Spring"
    assert f"\n{title} · 3 Jan 2026 · The Yomiuri Shimbun\n" in done.stdout
    assert all(line == line.rstrip() for line in done.stdout.splitlines())


def test_crlf_lines_are_read_without_their_carriage_return(cwd: Path) -> None:
    done = briefbot("ask", "--json", "-", cwd=cwd, stdin=f"{QUESTION}\r\n{QUESTION}\r\n".encode())
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["question"] for a in answers] == [QUESTION, QUESTION]
    assert all(a["answered"] for a in answers)


def test_a_reader_that_stops_early_ends_the_run_quietly(cwd: Path, tmp_path: Path) -> None:
    """``briefbot ask --json - | head -1``: far more output than a pipe holds, so briefbot is
    still writing when head exits."""
    questions = tmp_path / "questions.txt"
    questions.write_text(f"{QUESTION}\n" * 3000, encoding="utf-8")
    errors = tmp_path / "stderr.txt"
    command = (
        f"{sys.executable} -m handlers.cli ask --json - < '{questions}' 2> '{errors}' | head -1; "
        'echo "status=${PIPESTATUS[0]}"'
    )
    done = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=child_env(),
    )
    first, status = done.stdout.splitlines()
    assert json.loads(first)["answered"] is True
    assert errors.read_text(encoding="utf-8") == ""
    assert status == "status=0"


def test_counts_are_worded_in_the_singular(cwd: Path, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.md").write_text(
        "---\ntitle: Ferry resumes\ndate: 2026-03-02\n---\n\nThe ferry resumed on Monday.\n",
        encoding="utf-8",
    )
    checked = briefbot("corpus", "check", str(folder), cwd=cwd)
    assert "1 file\n" in checked.stdout
    assert "loaded   1 article, 1 passage\n" in checked.stdout
    chat = briefbot("chat", "--corpus", str(folder), cwd=cwd, stdin="/sources\n")
    assert "I know 1 article (1 passage)." in chat.stdout


def test_dotenv_beside_the_project_is_read_from_any_folder(tmp_path: Path) -> None:
    """``.venv/bin/briefbot`` run from another folder still finds the project's .env (here
    named by BRIEFBOT_ENV_FILE, which stands in for <project>/.env); a .env in the current
    folder overrides it, and the environment overrides both."""
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    for folder, title in (
        (project / "news", "Ferry resumes"),
        (elsewhere / "news", "Bridge opens"),
    ):
        folder.mkdir(parents=True)
        (folder / "a.md").write_text(
            f"---\ntitle: {title}\ndate: 2026-03-02\n---\n\nIt happened on Monday.\n",
            encoding="utf-8",
        )
    (project / ".env").write_text(f"BRIEFBOT_CORPUS={project / 'news'}\n", encoding="utf-8")
    dotenv = {"BRIEFBOT_ENV_FILE": str(project / ".env")}

    def titles(**env: str) -> list[str]:
        done = briefbot("brief", "--json", cwd=elsewhere, **dotenv, **env)
        assert done.returncode == 0, done.stderr
        return [i["article"]["title"] for i in json.loads(done.stdout)["items"]]

    assert titles() == ["Ferry resumes"]
    (elsewhere / ".env").write_text(f"BRIEFBOT_CORPUS={elsewhere / 'news'}\n", encoding="utf-8")
    assert titles() == ["Bridge opens"]
    assert titles(BRIEFBOT_CORPUS=str(project / "news")) == ["Ferry resumes"]


def test_the_projects_own_dotenv_is_the_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No BRIEFBOT_ENV_FILE: the .env in the project folder (where corpus/ is)."""
    from bot import settings
    from handlers.cli import main

    project, cwd = tmp_path / "project", tmp_path / "cwd"
    (project / "news").mkdir(parents=True)
    cwd.mkdir()
    (project / "news" / "a.md").write_text(
        "---\ntitle: Ferry resumes\ndate: 2026-03-02\n---\n\nIt resumed on Monday.\n",
        encoding="utf-8",
    )
    (project / ".env").write_text(f"BRIEFBOT_CORPUS={project / 'news'}\n", encoding="utf-8")
    monkeypatch.setattr(settings, "PROJECT_DIR", project)
    monkeypatch.delenv("BRIEFBOT_ENV_FILE")
    monkeypatch.delenv("BRIEFBOT_CORPUS", raising=False)
    monkeypatch.chdir(cwd)
    assert main(["brief", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)["items"]
    assert [i["article"]["title"] for i in items] == ["Ferry resumes"]
