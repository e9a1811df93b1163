"""Loading a corpus: Markdown, the seed's plain-text form and JSON Lines; bad input is skipped."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.corpus import load as corpus
from bot.engine import Engine
from bot.errors import CorpusError
from tests.conftest import make_settings

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
SEED = SEEDS / "000_c535e65c8442eddb.txt"

WriteArticle = Callable[..., Path]


def jsonl(path: Path, rows: list[object | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_markdown_front_matter_gives_every_field(write_article: WriteArticle) -> None:
    folder = write_article(
        "a.md",
        "Harbour bridge opens",
        "2026-03-01",
        """
        The harbour bridge opened to traffic on Sunday.

        Thousands walked across it.
        """,
        source="City Post",
        url="https://example.com/bridge",
        tags="[infrastructure, Harbour]",
        id="bridge-1",
    )
    (art,) = corpus.load(folder).articles
    assert art.id == "bridge-1"
    assert art.title == "Harbour bridge opens"
    assert art.date == dt.date(2026, 3, 1)
    assert art.source == "City Post"
    assert art.url == "https://example.com/bridge"
    assert art.tags == ("infrastructure", "Harbour")
    assert art.paragraphs == (
        "The harbour bridge opened to traffic on Sunday.",
        "Thousands walked across it.",
    )
    assert art.caption is None


def test_markdown_optional_fields_default_to_empty(write_article: WriteArticle) -> None:
    folder = write_article("a.md", "Minimal", "2026-03-01", "Just a body.")
    (art,) = corpus.load(folder).articles
    assert (art.source, art.url, art.tags) == ("", None, ())
    assert art.id


@pytest.mark.parametrize(
    ("front", "field"),
    [("date: 2026-03-01\n", "title"), ("title: No date here\n", "date")],
)
def test_markdown_without_title_or_date_is_skipped_naming_the_field(
    tmp_path: Path, front: str, field: str
) -> None:
    (tmp_path / "bad.md").write_text(f"---\n{front}---\n\nBody text.\n", encoding="utf-8")
    (tmp_path / "good.md").write_text(
        "---\ntitle: Fine\ndate: 2026-03-01\n---\n\nBody text.\n", encoding="utf-8"
    )
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Fine"]
    (skipped,) = report.skipped
    assert skipped.path.endswith("bad.md")
    assert field in skipped.reason


def test_markdown_unparseable_date_is_skipped_with_the_line_of_the_date(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text(
        "---\ntitle: Bad date\nsource: X\ndate: the fifth of March\n---\n\nBody.\n",
        encoding="utf-8",
    )
    (tmp_path / "ok.md").write_text("---\ntitle: Ok\ndate: 2026-01-01\n---\n\nBody.\n")
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Ok"]
    (skipped,) = report.skipped
    assert skipped.line == 4
    assert "date" in skipped.reason
    assert str(skipped).startswith(f"{tmp_path / 'bad.md'}:4:")


def test_markdown_impossible_calendar_date_is_skipped_not_fatal(tmp_path: Path) -> None:
    # YAML itself parses 2026-13-45 as a timestamp and raises ValueError, not YAMLError.
    (tmp_path / "bad.md").write_text(
        "---\ntitle: Bad date\ndate: 2026-13-45\n---\n\nBody.\n", encoding="utf-8"
    )
    (tmp_path / "ok.md").write_text("---\ntitle: Ok\ndate: 2026-01-01\n---\n\nBody.\n")
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Ok"]
    (skipped,) = report.skipped
    assert skipped.path == str(tmp_path / "bad.md")
    assert "date" in skipped.reason


def test_markdown_without_front_matter_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "plain.md").write_text("# Just a heading\n\nText.\n", encoding="utf-8")
    (tmp_path / "ok.md").write_text("---\ntitle: Ok\ndate: 2026-01-01\n---\n\nBody.\n")
    report = corpus.load(tmp_path)
    assert [s.path for s in report.skipped] == [str(tmp_path / "plain.md")]
    assert "front matter" in report.skipped[0].reason


def test_caption_front_matter_is_kept_apart_from_the_body(write_article: WriteArticle) -> None:
    folder = write_article(
        "a.md",
        "Leaders meet",
        "2026-03-01",
        "The two leaders met in Tokyo.",
        caption="The president waves to reporters on Monday.",
    )
    (art,) = corpus.load(folder).articles
    assert art.caption == "The president waves to reporters on Monday."
    assert art.paragraphs == ("The two leaders met in Tokyo.",)


def test_photo_paragraph_is_treated_as_the_caption(write_article: WriteArticle) -> None:
    folder = write_article(
        "a.md",
        "Leaders meet",
        "2026-03-01",
        """
        Photo: The president waves to reporters on Monday.

        The two leaders met in Tokyo.
        """,
    )
    (art,) = corpus.load(folder).articles
    assert art.caption == "The president waves to reporters on Monday."
    assert art.paragraphs == ("The two leaders met in Tokyo.",)


def test_seed_text_file_loads_with_date_source_and_caption() -> None:
    (art,) = corpus.load(SEED).articles
    assert art.date == dt.date(2026, 1, 3)
    assert art.source == "The Yomiuri Shimbun"
    assert art.caption is not None
    assert art.caption.startswith("Prime Minister Sanae Takaichi speaks to the press")
    assert not any("speaks to the press" in p for p in art.paragraphs)
    assert art.paragraphs[0].startswith("Prime Minister Sanae Takaichi and U.S. President")
    # The title is the opening sentence, shortened at a word when it is long.
    assert art.paragraphs[0].startswith(art.title.rstrip(".…"))
    assert 0 < len(art.title) <= 120


def test_text_file_whose_first_paragraph_is_not_a_caption_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "date 2026-02-02 Kyodo\n\nThe cabinet approved the budget on Monday.\n\n"
        "It now goes to the Diet.\n",
        encoding="utf-8",
    )
    (art,) = corpus.load(path).articles
    assert art.caption is None
    assert art.paragraphs[0] == "The cabinet approved the budget on Monday."
    assert art.source == "Kyodo"


def test_text_file_without_a_date_line_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text without a header.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("date 2026-02-02 Kyodo\n\nFine text.\n", encoding="utf-8")
    report = corpus.load(tmp_path)
    assert len(report.articles) == 1
    assert report.skipped[0].path == str(tmp_path / "a.txt")
    assert report.skipped[0].line == 1


def test_json_lines_bad_lines_are_skipped_with_file_and_line(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "feed.jsonl",
        [
            {"title": "First", "date": "2026-01-01", "body": "One body.", "source": "Wire"},
            "{not json",
            {"date": "2026-01-02", "body": "No title here."},
            {"title": "Bad date", "date": "yesterday", "body": "Body."},
            "",
            ["not", "an", "object"],
            {"title": "Last", "date": "2026-01-05T10:00:00Z", "body": ["Para one.", "Para two."]},
        ],
    )
    report = corpus.load(path)
    assert [a.title for a in report.articles] == ["First", "Last"]
    assert report.articles[1].date == dt.date(2026, 1, 5)
    assert report.articles[1].paragraphs == ("Para one.", "Para two.")
    assert [(s.path, s.line) for s in report.skipped] == [
        (str(path), 2),
        (str(path), 3),
        (str(path), 4),
        (str(path), 6),
    ]
    assert "JSON" in report.skipped[0].reason
    assert "title" in report.skipped[1].reason
    assert "date" in report.skipped[2].reason


def test_file_that_is_not_utf8_is_skipped_and_the_rest_loads(
    write_article: WriteArticle, tmp_path: Path
) -> None:
    write_article("good.md", "Good", "2026-01-01", "Fine text.")
    (tmp_path / "latin1.md").write_bytes(
        "---\ntitle: Caf\u00e9\ndate: 2026-01-01\n---\n\nCr\u00e8me.\n".encode("latin-1")
    )
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Good"]
    (skipped,) = report.skipped
    assert skipped.path == str(tmp_path / "latin1.md")
    assert skipped.line == 2
    assert "UTF-8" in skipped.reason


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "bom.md").write_bytes(
        "\ufeff---\ntitle: With BOM\ndate: 2026-01-01\n---\n\nBody.\n".encode()
    )
    assert [a.title for a in corpus.load(tmp_path).articles] == ["With BOM"]


def test_missing_path_is_a_corpus_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(CorpusError, match="does not exist"):
        corpus.load(missing)
    with pytest.raises(CorpusError, match="nowhere"):
        Engine.load(make_settings(briefbot_corpus=missing))


def test_empty_folder_is_a_corpus_error(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n")
    with pytest.raises(CorpusError, match="no articles"):
        corpus.load(tmp_path)


def test_folder_of_only_broken_files_is_a_corpus_error_pointing_at_corpus_check(
    tmp_path: Path,
) -> None:
    (tmp_path / "bad.md").write_text("no front matter\n")
    with pytest.raises(CorpusError, match="corpus check"):
        corpus.load(tmp_path)


def test_hidden_files_and_other_extensions_are_ignored(
    write_article: WriteArticle, tmp_path: Path
) -> None:
    write_article("a.md", "Visible", "2026-01-01", "Body.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text("---\ntitle: Hidden\ndate: 2026-01-01\n---\n\nB.\n")
    (tmp_path / "readme.rst").write_text("Not an article.")
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Visible"]
    assert report.skipped == []


def test_ids_without_front_matter_id_are_stable_across_reloads(
    write_article: WriteArticle, tmp_path: Path
) -> None:
    write_article("a.md", "Alpha", "2026-01-01", "Alpha body.")
    write_article("b.md", "Beta", "2026-01-02", "Beta body.")
    first = {a.title: a.id for a in corpus.load(tmp_path).articles}
    (tmp_path / "a.md").rename(tmp_path / "renamed.md")
    second = {a.title: a.id for a in corpus.load(tmp_path).articles}
    assert first == second
    assert first["Alpha"] != first["Beta"]


def test_derived_id_changes_with_the_content(write_article: WriteArticle) -> None:
    folder = write_article("a.md", "Alpha", "2026-01-01", "Alpha body.")
    before = corpus.load(folder).articles[0].id
    write_article("a.md", "Alpha", "2026-01-01", "A corrected body.")
    assert corpus.load(folder).articles[0].id != before


def test_duplicate_ids_are_reported_and_the_second_is_skipped(
    write_article: WriteArticle, tmp_path: Path
) -> None:
    write_article("a.md", "First", "2026-01-01", "First body.", id="same")
    write_article("b.md", "Second", "2026-01-02", "Second body.", id="same")
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["First"]
    (dup,) = report.duplicates
    assert dup.kind == "id" and dup.origin.file.endswith("b.md")
    assert dup.first is not None and dup.first.file.endswith("a.md")
    assert "'same'" in str(dup) and "skipped" in str(dup)


def test_same_text_in_two_files_is_reported_as_a_syndicated_copy(
    write_article: WriteArticle, tmp_path: Path
) -> None:
    body = "The central bank raised its policy rate to 0.75 percent on Friday."
    write_article("wire.md", "Bank raises rate", "2026-01-01", body, source="Wire")
    write_article("paper.md", "Rate rise", "2026-01-01", body, source="Paper")
    report = corpus.load(tmp_path)
    assert len(report.articles) == 2
    (dup,) = report.duplicates
    assert dup.kind == "text" and "syndicated" in str(dup)
    assert "paper.md" in str(dup) and "wire.md" in str(dup)


def test_single_file_path_loads_that_file(write_article: WriteArticle, tmp_path: Path) -> None:
    write_article("a.md", "Alpha", "2026-01-01", "Alpha body.")
    write_article("b.md", "Beta", "2026-01-01", "Beta body.")
    report = corpus.load(tmp_path / "b.md")
    assert [a.title for a in report.articles] == ["Beta"]
    assert report.files == 1


def test_bundled_corpus_and_seed_text_describe_the_same_article() -> None:
    bundled = Engine.load(make_settings()).articles[0]
    (seed,) = corpus.load(SEED).articles
    assert bundled.date == seed.date
    assert bundled.source == seed.source
    assert bundled.paragraphs == seed.paragraphs
    assert bundled.caption == seed.caption


# --- plain YAML as a person writes it ----------------------------------------------------------


@pytest.mark.parametrize(("written", "loaded"), [("12345", "12345"), ("0123", "0123")])
def test_numeric_front_matter_id_is_kept_as_written(
    write_article: WriteArticle, written: str, loaded: str
) -> None:
    folder = write_article("a.md", "Numbered", "2026-01-01", "Body.", id=written)
    (art,) = corpus.load(folder).articles
    assert art.id == loaded  # YAML reads 0123 as the octal number 83


def test_numeric_json_lines_id_is_a_string(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", [{"id": 7, "title": "T", "date": "2026-01-01", "body": "B"}])
    (art,) = corpus.load(path).articles
    assert art.id == "7"


@pytest.mark.parametrize("date", ["20250101", "'20250101'"])
def test_date_written_as_a_number_is_explained_in_words(tmp_path: Path, date: str) -> None:
    (tmp_path / "a.md").write_text(f"---\ntitle: T\ndate: {date}\n---\n\nBody.\n")
    (tmp_path / "ok.md").write_text("---\ntitle: Ok\ndate: 2026-01-01\n---\n\nBody.\n")
    (skipped,) = corpus.load(tmp_path).skipped
    assert skipped.line == 3
    assert skipped.reason == (
        "date 20250101 is a number, not a date: write dates as YYYY-MM-DD (2025-01-01)"
    )
    assert "zero time" not in skipped.reason


def test_article_dated_far_ahead_loads_with_a_warning_naming_the_file(
    write_article: WriteArticle, caplog: pytest.LogCaptureFixture
) -> None:
    write_article("now.md", "Today", dt.date.today().isoformat(), "Body.")
    folder = write_article("typo.md", "Typo", "2099-01-05", "Other body.")
    report = corpus.load(folder)
    assert sorted(a.title for a in report.articles) == ["Today", "Typo"]
    (warning,) = report.warnings
    assert warning.path == str(folder / "typo.md")
    assert "2099-01-05" in warning.reason and "future" in warning.reason
    assert str(folder / "typo.md") in caplog.text and "2099-01-05" in caplog.text


def test_article_dated_tomorrow_is_no_typo(write_article: WriteArticle) -> None:
    # A publisher a time zone ahead dates today's article tomorrow.
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    folder = write_article("a.md", "East", tomorrow.isoformat(), "Body.")
    assert corpus.load(folder).warnings == []


def test_front_matter_nested_hundreds_deep_skips_the_file_not_the_corpus(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("---\ntitle: Fine\ndate: 2026-01-01\n---\n\nA story.\n")
    deep = "[" * 400 + "]" * 400
    (tmp_path / "deep.md").write_text(
        f"---\ntitle: Deep\ndate: 2026-01-01\ntags: {deep}\n---\n\nX.\n"
    )
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Fine"]
    (problem,) = report.skipped
    assert problem.path.endswith("deep.md") and "nested" in problem.reason


def test_a_jsonl_line_nested_a_thousand_deep_is_skipped_and_the_rest_served(tmp_path: Path) -> None:
    good = {"id": "a", "title": "Fine", "date": "2026-01-01", "source": "W", "url": None}
    lines = [
        json.dumps({**good, "body": "A story."}),
        '{"id": "b", "title": "Deep", "date": "2026-01-01", "body": '
        + "[" * 1000
        + "]" * 1000
        + "}",
        json.dumps({**good, "id": "c", "title": "Also fine", "body": "Another story."}),
    ]
    (tmp_path / "all.jsonl").write_text("\n".join(lines) + "\n")
    report = corpus.load(tmp_path)
    assert [a.title for a in report.articles] == ["Fine", "Also fine"]
    (problem,) = report.skipped
    assert problem.line == 2 and "nested" in problem.reason
    assert Engine.load(make_settings(briefbot_corpus=tmp_path)).ask_sync("story").passages
