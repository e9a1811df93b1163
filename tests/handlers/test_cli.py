"""The ``briefbot`` command, driven through ``handlers.cli.main`` as a user would run it."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import __version__
from bot.answer.compose import Answerer
from bot.models import Answer
from bot.settings import BUNDLED_CORPUS
from handlers.cli import main
from tests.emulators.news import FAULTS, NewsSite
from tests.handlers.cli_process import own_database

QUESTION = "when is Takaichi visiting the US?"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run from an empty folder (no .env) with no BRIEFBOT_* variables set."""
    home = tmp_path / "cwd"
    home.mkdir()
    monkeypatch.chdir(home)
    for name in ("BRIEFBOT_CORPUS", "BRIEFBOT_ANSWERS", "BRIEFBOT_ALIASES_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return home


def flat(text: str) -> str:
    """Output with the quote bars, highlight marks and line wrapping taken out."""
    return " ".join(text.replace("│", " ").replace("**", "").split())


def write_article(folder: Path, name: str, title: str, date: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        f"---\ntitle: {title}\ndate: {date}\nsource: Test Wire\n---\n\n{body}\n", encoding="utf-8"
    )


def test_ask_prints_the_quote_and_its_citation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", QUESTION]) == 0
    out = flat(capsys.readouterr().out)
    assert "visit the United States this spring." in out
    assert "Takaichi, Trump Agree to Arrange Her U.S. Visit This Spring" in out
    assert "The Yomiuri Shimbun · 3 Jan 2026" in out


def test_ask_words_without_quotes_are_one_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", *QUESTION.split()]) == 0
    assert "this spring" in flat(capsys.readouterr().out)


def test_ask_not_found_says_so_with_a_hint_and_exits_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", "What is the capital of France?"]) == 0
    out = flat(capsys.readouterr().out)
    assert "Nothing in the corpus answers that." in out
    assert "It covers 1 article" in out


def test_ask_json_follows_the_answer_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", QUESTION]) == 0
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1
    data = json.loads(out)
    assert data["question"] == QUESTION
    assert data["answered"] is True
    assert isinstance(data["took_ms"], int | float) and data["took_ms"] >= 0
    assert 1 <= len(data["passages"]) <= 3
    for p in data["passages"]:
        assert {"quote", "highlight", "article", "score"} <= p.keys()
        assert isinstance(p["quote"], str) and p["quote"]
        assert isinstance(p["score"], int | float)
        for span in p["highlight"]:
            start, end = span
            assert 0 <= start < end <= len(p["quote"])
        assert {"id", "title", "date", "source", "url"} <= p["article"].keys()
        assert p["article"]["date"] == "2026-01-03"
        assert p["article"]["id"] == "yomiuri-2026-01-03-takaichi-trump-call"
    top = data["passages"][0]
    assert [top["quote"][s:e] for s, e in top["highlight"]] == ["this spring"]


def test_ask_json_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "Who won the 2026 World Cup final?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is False
    assert data["passages"] == []
    assert data["hint"]


def test_ask_answers_option_limits_passages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "-n", "1", QUESTION]) == 0
    assert len(json.loads(capsys.readouterr().out)["passages"]) == 1
    assert main(["ask", "-n", "11", QUESTION]) == 2
    assert "between 1 and 10" in capsys.readouterr().err


def test_ask_stdin_batch_gives_one_json_line_per_question(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = [QUESTION, "What is the capital of France?", "", "How long was the phone call?"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(questions) + "\n"))
    assert main(["ask", "--json", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(questions)
    answers = [json.loads(line) for line in lines]
    assert [a["question"] for a in answers] == questions
    assert [a["answered"] for a in answers] == [True, False, False, True]
    assert answers[2]["notice"] == "empty question"


def test_ask_stdin_batch_survives_undecodable_bytes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = b"caf\xe9 " + QUESTION.encode() + b"\n" + QUESTION.encode() + b"\n"
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["ask", "--json", "-"]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["answered"] for a in answers] == [True, True]


def test_ask_stdin_batch_in_human_form(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(QUESTION + "\nWhat is the capital of France?\n"))
    assert main(["ask", "-"]) == 0
    out = flat(capsys.readouterr().out)
    assert QUESTION in out
    assert "this spring" in out
    assert "Nothing in the corpus answers that." in out


@pytest.mark.parametrize("argv", [["ask"], ["ask", ""], ["ask", "  ", " "]])
def test_empty_question_exits_2_with_usage_on_stderr(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert 'briefbot ask "when is Takaichi visiting the US?"' in captured.err


def test_missing_corpus_path_exits_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder"
    assert main(["ask", "--corpus", str(missing), QUESTION]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = flat(captured.err)
    assert "no-such-folder" in err and "does not exist" in err
    assert "Traceback" not in captured.err


def test_empty_corpus_folder_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["brief", "--corpus", str(empty)]) == 2
    assert "no articles could be loaded" in flat(capsys.readouterr().err)


def test_corpus_from_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "news"
    write_article(
        folder,
        "a.md",
        "Harbour bridge opens",
        "2026-03-01",
        "The harbour bridge opened to traffic on Sunday.",
    )
    monkeypatch.setenv("BRIEFBOT_CORPUS", str(folder))
    assert main(["ask", "--json", "When did the harbour bridge open?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["passages"][0]["article"]["title"] == "Harbour bridge opens"
    # --corpus wins over the environment.
    assert main(["ask", "--json", "--corpus", str(BUNDLED_CORPUS), QUESTION]) == 0
    assert json.loads(capsys.readouterr().out)["answered"] is True


def test_corpus_from_a_dotenv_file(
    capsys: pytest.CaptureFixture[str], isolated: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "news"
    write_article(folder, "a.md", "Ferry resumes", "2026-03-02", "The ferry resumed on Monday.")
    (isolated / ".env").write_text(f"BRIEFBOT_CORPUS={folder}\n", encoding="utf-8")
    assert main(["brief", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [i["article"]["title"] for i in data["items"]] == ["Ferry resumes"]


def test_brief_prints_the_latest_articles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["brief"]) == 0
    out = flat(capsys.readouterr().out)
    assert "Briefing (latest): 1 of 1" in out
    assert "Takaichi, Trump Agree to Arrange Her U.S. Visit This Spring" in out
    assert "Prime Minister Sanae Takaichi and U.S. President Donald Trump" in out
    assert "speaks to the press" not in out  # never the caption


def test_brief_topic_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "news"
    write_article(
        folder,
        "a.md",
        "Rail strike ends",
        "2026-01-05",
        "Rail workers ended their strike on Monday.",
    )
    write_article(
        folder, "b.md", "Bakery wins prize", "2026-01-06", "A family bakery won the bread prize."
    )
    write_article(folder, "c.md", "Rail fares rise", "2026-01-07", "Rail fares will rise in April.")
    assert main(["brief", "--corpus", str(folder), "rail", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topic"] == "rail"
    assert [i["article"]["title"] for i in data["items"]] == ["Rail fares rise", "Rail strike ends"]
    assert all(i["lead"] for i in data["items"])
    assert data["total_articles"] == 3


def test_brief_never_waits_for_sentence_vectors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A briefing needs dates, titles and leads: with meaning on, nothing is embedded first."""
    folder = tmp_path / "news"
    write_article(folder, "a.md", "Rail strike ends", "2026-01-05", "Rail workers ended it.")
    monkeypatch.setenv("BRIEFBOT_SEMANTIC", "true")
    monkeypatch.setenv("BRIEFBOT_INDEX_DIR", str(tmp_path / "saved"))
    assert main(["brief", "--corpus", str(folder)]) == 0
    assert "Rail strike ends" in capsys.readouterr().out
    assert not list((tmp_path / "saved").glob("*vectors*"))  # no sentence was embedded


def test_brief_unknown_topic_says_nothing_matched(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["brief", "football"]) == 0
    assert "Nothing in the corpus matches “football”. Try “" in flat(capsys.readouterr().out)


def test_corpus_check_names_broken_files_and_lines_and_loads_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "news"
    write_article(folder, "good.md", "Good article", "2026-01-05", "Body text here.")
    (folder / "nodate.md").write_text("---\ntitle: No date\nsource: X\n---\n\nBody.\n")
    (folder / "feed.jsonl").write_text(
        json.dumps({"title": "From feed", "date": "2026-01-06", "body": "Feed body."})
        + "\n{broken json\n",
        encoding="utf-8",
    )
    assert main(["corpus", "check", str(folder)]) == 0
    out = flat(capsys.readouterr().out)
    assert "loaded 2 articles, 2 passages" in out
    assert "skipped 2" in out
    assert f"{folder / 'feed.jsonl'}:2: not valid JSON" in out
    assert f"{folder / 'nodate.md'}:1: date is missing" in out


def test_corpus_check_reports_duplicates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "news"
    write_article(folder, "a.md", "Wire copy", "2026-01-05", "The same syndicated text.")
    write_article(folder, "b.md", "Paper copy", "2026-01-05", "The same syndicated text.")
    assert main(["corpus", "check", str(folder)]) == 0
    out = flat(capsys.readouterr().out)
    assert "duplicates 1" in out
    assert "syndicated copy" in out


def test_corpus_check_of_a_bulk_file_lists_the_first_problems_then_counts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = '{"id": "ok", "title": "Fine [ok]", "date": "2026-01-05", "body": "It loads."}'
    bad = [json.dumps({"id": f"x{n}", "title": "[/bold] no date", "body": "b"}) for n in range(60)]
    folder = tmp_path / "feeds [red]"  # printed as written, not taken for rich markup
    folder.mkdir()
    (folder / "bulk.jsonl").write_text("\n".join([good, *bad]) + "\n", encoding="utf-8")
    assert main(["corpus", "check", str(folder)]) == 0
    out = flat(capsys.readouterr().out)
    assert "loaded 1 article, 1 passage" in out and "skipped 60" in out
    assert "… and 10 more (--all lists them)" in out
    assert main(["corpus", "check", "--all", str(folder)]) == 0
    listed = flat(capsys.readouterr().out)
    assert f"{folder / 'bulk.jsonl'}:61: date is missing" in listed
    assert "more (--all" not in listed


def test_corpus_check_of_a_missing_path_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["corpus", "check", str(tmp_path / "gone")]) == 2
    assert "does not exist" in flat(capsys.readouterr().err)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"briefbot {__version__}"


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: briefbot" in capsys.readouterr().err


def test_bad_setting_exits_2_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_ANSWERS", "lots")
    assert main(["ask", QUESTION]) == 2
    assert "briefbot_answers" in capsys.readouterr().err.lower()


def test_a_value_error_inside_the_engine_is_not_called_bad_configuration(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A bug in the core surfaces as the bug it is, not as the user's configuration at fault.
    def broken(self: Answerer, question: str, limit: int, odds: float = 1.0) -> Answer:
        raise ValueError("a bug in the ranking")

    monkeypatch.setattr(Answerer, "answer", broken)
    with pytest.raises(ValueError, match="a bug in the ranking"):
        main(["ask", QUESTION])
    assert "bad configuration" not in capsys.readouterr().err


def test_bad_alias_file_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "aliases.yaml"
    bad.write_text("- not\n- a mapping\n")
    monkeypatch.setenv("BRIEFBOT_ALIASES_FILE", str(bad))
    assert main(["ask", QUESTION]) == 2
    assert "BRIEFBOT_ALIASES_FILE" in flat(capsys.readouterr().err)


# --- ingest --------------------------------------------------------------------------------


def child_env(**variables: str) -> dict[str, str]:
    """The environment of a child briefbot: no BRIEFBOT_* but ``variables``, this checkout first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    env["BRIEFBOT_ENV_FILE"] = os.devnull  # never the project's .env
    # Words alone unless a test asks for meaning (see make_settings in tests/conftest.py).
    base = {"BRIEFBOT_SEMANTIC": "false"}
    return {
        **env,
        **base,
        **variables,
        "COLUMNS": "200",
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }


def briefbot(
    *args: str, cwd: Path, stdin: str = "", **variables: str
) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, from a folder without .env, with its own database
    (two consoles on the bundled corpus must not share its briefbot.db)."""
    variables = own_database(cwd, variables)
    return subprocess.run(
        [sys.executable, "-m", "handlers.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=child_env(**variables),
    )


def test_ingest_a_feed_then_ask_quotes_the_new_article(news_site: NewsSite, tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    feed = news_site.url("/feeds/clean.rss")

    run = briefbot("ingest", "--corpus", str(corpus), feed, cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    out = flat(run.stdout)
    assert f"feed {feed} (Example News — Top): 2 item(s)" in out
    assert "+ added 2026-02-10-rail-strike-ends-after-three-year-pay-deal.md" in out
    assert "2 added, 0 updated, 0 skipped, 0 failed" in out
    asked = briefbot(
        "ask",
        "--json",
        "--corpus",
        str(corpus),
        "How much is the rail pay deal worth?",
        cwd=tmp_path,
    )
    answer = json.loads(asked.stdout)
    assert answer["answered"] is True
    top = answer["passages"][0]
    assert "three-year pay deal worth 4.5 percent a year" in top["quote"]
    assert top["article"]["title"] == "Rail strike ends after three-year pay deal"
    assert top["article"]["url"] == news_site.url("/articles/rail-strike")

    again = briefbot("ingest", "--corpus", str(corpus), feed, cwd=tmp_path)

    assert again.returncode == 0
    assert "not modified since the last run (HTTP 304)" in flat(again.stdout)
    assert "0 added, 0 updated, 1 skipped, 0 failed" in flat(again.stdout)
    assert news_site.hits["/articles/rail-strike"] == 1


def test_ingest_reports_each_failure_in_one_line_and_exits_zero(
    news_site: NewsSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [news_site.url(p) for p in ("/feeds/world.rss", FAULTS["broken_feed"])]

    code = main(["ingest", "--timeout", "1.5", "--corpus", str(tmp_path), *urls])

    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    failed = [line for line in lines if "✗ failed" in line]
    assert len(failed) == len(FAULTS) + 1  # each bad item in the feed, and the broken feed
    assert any(line.endswith("/faults/missing: HTTP 404 Not Found") for line in failed)
    assert any("/faults/slow: no complete answer within 1.5 s" in line for line in failed)
    assert any("/faults/broken.rss: not a valid feed" in line for line in failed)
    assert any("same story as" in line and "syndicated copy" in line for line in lines)
    assert any(
        "City museum reopens after renovation (no date in the feed or the page: dated today)"
        in line
        for line in lines
    )
    assert lines[-1].startswith("3 added, 0 updated, 1 skipped, 9 failed in ")


def test_ingest_json_report(
    news_site: NewsSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["ingest", "--json", "--corpus", str(tmp_path), news_site.url("/feeds/tech.atom")])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    [source] = report["sources"]
    assert source["kind"] == "feed" and source["items"] == 1
    assert source["outcomes"][0]["action"] == "added"
    assert (
        source["outcomes"][0]["file"] == "2026-02-10-chipmaker-picks-kumamoto-for-second-plant.md"
    )


def test_ingest_without_urls_uses_briefbot_feeds(
    news_site: NewsSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BRIEFBOT_FEEDS", f"{news_site.url('/feeds/tech.atom')},\n")

    assert main(["ingest", "--corpus", str(tmp_path)]) == 0
    assert "1 added" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "no URL to ingest: give feed or article URLs (or set BRIEFBOT_FEEDS)"),
        (["ftp://example.com/feed"], "ftp://example.com/feed: only http:// and https:// URLs"),
        (["--timeout", "0", "http://127.0.0.1:9/"], "--timeout must be more than 0 seconds"),
    ],
)
def test_ingest_usage_errors_exit_2(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("BRIEFBOT_FEEDS", raising=False)
    assert main(["ingest", "--corpus", str(tmp_path), *args]) == 2
    assert message in flat(capsys.readouterr().err)


def test_ingest_into_a_single_file_corpus_says_it_must_be_a_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    single = BUNDLED_CORPUS / "2026-01-03-takaichi-trump-call.md"
    assert main(["ingest", "--corpus", str(single), "http://127.0.0.1:9/feed"]) == 2
    err = flat(capsys.readouterr().err)
    assert f"the corpus {single} is a single file" in err
    assert "give a folder with --corpus" in err


def test_chat_on_an_empty_folder_fetches_its_feeds_first_then_answers(
    news_site: NewsSite, tmp_path: Path
) -> None:
    corpus = tmp_path / "news"
    feed = news_site.url("/feeds/clean.rss")

    chat = briefbot(
        "chat",
        "--corpus",
        str(corpus),
        cwd=tmp_path,
        stdin="How much is the rail pay deal worth?\n",
        BRIEFBOT_FEEDS=feed,
    )

    assert chat.returncode == 0, chat.stderr
    assert "three-year pay deal worth 4.5 percent a year" in flat(chat.stdout)
    assert "holds no article yet; fetching BRIEFBOT_FEEDS first" in chat.stderr
    assert "feeds: polling 1 URL(s) every 900 s into" in chat.stderr


def test_chat_polls_its_feeds_in_the_background(news_site: NewsSite, tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    write_article(corpus, "mine.md", "Notes", "2026-01-05", "My own notes on the harbour.")
    child = subprocess.Popen(
        [sys.executable, "-m", "handlers.cli", "chat", "--corpus", str(corpus)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        # A console that hangs at exit is killed with SIGABRT: faulthandler prints every thread.
        env=child_env(BRIEFBOT_FEEDS=news_site.url("/feeds/clean.rss"), PYTHONFAULTHANDLER="1"),
    )
    try:
        deadline = time.monotonic() + 60
        while len(list(corpus.glob("2026-02-10-*.md"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            _, err = child.communicate("", timeout=60)  # end of input: the console exits
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGABRT)
            _, err = child.communicate(timeout=10)
            pytest.fail(f"the console did not exit at the end of its input:\n{err[-6000:]}")
    finally:
        child.kill()

    assert child.returncode == 0, err
    assert len(list(corpus.glob("2026-02-10-*.md"))) == 2
    assert "feeds: added 2026-02-10-rail-strike-ends-after-three-year-pay-deal.md" in err
    assert "feeds: 2 added, 0 updated, 0 skipped, 0 failed" in err


def test_feeds_with_a_single_file_corpus_stop_a_bot_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_FEEDS", "http://127.0.0.1:9/feed")
    single = BUNDLED_CORPUS / "2026-01-03-takaichi-trump-call.md"

    assert main(["chat", "--corpus", str(single)]) == 2
    assert "is a single file" in flat(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    [
        ("BRIEFBOT_FEED_INTERVAL", "2", "a number of at least 10"),
        ("BRIEFBOT_BRIEF_ITEMS", "60", "a whole number from 1 to 25"),
        ("BRIEFBOT_ANSWERS", "abc", "a whole number from 1 to 10"),
        ("SLACK_PORT", "notaport", "a whole number from 0 to 65535"),
        ("BRIEFBOT_MIN_CONFIDENCE", "high", "a number from 0 to 1"),
        ("BRIEFBOT_SEMANTIC", "maybe", "true or false"),
    ],
)
def test_a_bad_setting_gets_one_line_naming_it_and_what_it_must_be(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    rule: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["ask", QUESTION]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err  # one line, no pydantic dump
    assert f"{variable}='{value}'" in err and rule in err and ".env.example" in err
    assert "pydantic" not in err and "validation error" not in err


def test_a_bad_token_value_is_never_echoed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_ANSWERS", "0")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value")
    assert main(["ask", QUESTION]) == 2
    assert "xoxb-secret-value" not in capsys.readouterr().err
