"""Which file changes make the running bot reload its corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.watch import relevant


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("story.md", True),
        ("sub/story.markdown", True),
        ("bulk.jsonl", True),
        ("seed.TXT", True),
        ("sub", True),  # a folder (perhaps removed) may hold articles
        (".story.md.x1y2.tmp", False),  # the ingest's temporary file before its rename
        (".briefbot/feeds.json", False),
        (".briefbot/index/manifest.json", False),
        (".hidden/story.md", False),
        ("photo.jpg", False),
        ("notes.md~", False),
    ],
)
def test_only_changes_the_loader_would_see_count(tmp_path: Path, name: str, expected: bool) -> None:
    assert relevant(tmp_path, tmp_path / name) is expected


def test_a_path_outside_the_corpus_never_counts(tmp_path: Path) -> None:
    assert not relevant(tmp_path / "news", tmp_path / "other" / "story.md")


def test_a_single_file_corpus_counts_only_itself(tmp_path: Path) -> None:
    corpus = tmp_path / "one.md"
    corpus.write_text("x", encoding="utf-8")
    assert relevant(corpus, corpus)
    assert not relevant(corpus, tmp_path / "two.md")


async def test_a_reload_hashes_only_the_new_articles_for_digests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.brief
    from bot.corpus.duplicates import text_digest
    from bot.live import LiveEngine
    from bot.models import Article
    from tests.conftest import make_settings

    for name in ("harbour", "library", "museum"):
        (tmp_path / f"{name}.md").write_text(
            f"---\ntitle: News about the {name}\ndate: 2026-02-01\n---\n\nThe {name} reopened.\n"
        )
    live = LiveEngine.load(make_settings(briefbot_corpus=tmp_path))
    before = await live.listing()
    hashed: list[str] = []

    def counting(article: Article) -> str:
        hashed.append(article.title)
        return text_digest(article)

    monkeypatch.setattr(bot.brief, "text_digest", counting)
    (tmp_path / "zoo.md").write_text("---\ntitle: Zoo news\ndate: 2026-02-02\n---\n\nPandas.\n")
    await live.update(frozenset({tmp_path / "zoo.md"}))
    after = await live.listing()
    assert hashed == ["Zoo news"]
    assert {e.id: e.digest for e in before}.items() <= {e.id: e.digest for e in after}.items()
    assert len(after) == 4
    await live.stop()
