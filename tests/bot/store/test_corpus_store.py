"""The saved index: reused when the corpus is unchanged, merged when a few files change, built
again when many change, when briefbot's analysis changed, or when it is damaged (never served)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from bot.engine import Engine
from bot.index import Index
from bot.index.merge import merge
from bot.models import Article
from bot.store import CorpusStore, files, manifest
from bot.store.corpus_store import MANIFEST, index_folder
from bot.text.analyzer import Analyzer
from tests.bot.index.test_build import _articles, _snapshot
from tests.conftest import make_settings

TOPICS = [
    ("harbour", "The Lowmoor harbour ferry resumed on Tuesday after storm repairs."),
    ("library", "The city council approved the library budget on Monday."),
    ("bakery", "A family bakery won the national bread prize in March."),
    ("museum", "The railway museum reopened its steam hall on Friday."),
    ("orchard", "Apple growers in the valley expect a record harvest this autumn."),
    ("bridge", "Engineers closed the old river bridge for inspection last week."),
]


def write(folder: Path, name: str, title: str, body: str, date: str = "2026-02-01") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    for name, body in TOPICS:
        write(folder, f"{name}.md", f"News about the {name}", body)
    for n in range(6):  # a corpus where a change or two is a small part of the whole
        write(folder, f"notes-{n}.md", f"Notes {n}", f"Council notes number {n} were filed.")
    return folder


def open_store(corpus: Path, **settings: object) -> CorpusStore:
    return CorpusStore(make_settings(briefbot_corpus=corpus, **settings))


def answer(engine: Engine, question: str) -> str:
    reply = asyncio.run(engine.ask(question))
    return reply.passages[0].quote if reply.answered else ""


def messages(caplog: pytest.LogCaptureFixture) -> str:
    return " | ".join(r.getMessage() for r in caplog.records)


def test_an_unchanged_corpus_is_served_from_the_saved_index(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fresh = open_store(corpus).open()
    assert "index: built" in messages(caplog)
    assert (corpus / ".briefbot" / "lexical" / MANIFEST).is_file()
    caplog.clear()

    saved = open_store(corpus).open()

    assert "index: reused" in messages(caplog)
    assert _snapshot(saved.index) == _snapshot(fresh.index)
    assert saved.report.articles == fresh.report.articles
    assert isinstance(saved.index.sentences.ids.base, np.memmap)  # mapped, not read in


def test_answers_from_the_saved_index_are_those_of_a_fresh_build(corpus: Path) -> None:
    settings = make_settings(briefbot_corpus=corpus)
    built, saved = Engine.load(settings), Engine.load(settings)
    for question in (
        "When did the ferry resume?",
        "What did the bakery win?",
        "Whn did the musem reopen?",
    ):
        assert (
            asyncio.run(saved.ask(question)).passages == asyncio.run(built.ask(question)).passages
        )
    assert asyncio.run(saved.brief()).items == asyncio.run(built.brief()).items
    assert saved.stats() == built.stats()


def test_a_new_file_is_merged_into_the_saved_index(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    open_store(corpus).open()
    write(corpus, "zoo.md", "Zoo news", "The zoo welcomed twin panda cubs on Sunday.")
    caplog.set_level(logging.DEBUG)

    merged = open_store(corpus).open()

    assert "index: updated" in messages(caplog)
    fresh = Index(merged.report.articles, Analyzer())
    assert _snapshot(merged.index) == _snapshot(fresh)
    assert "panda cubs on Sunday" in answer(
        Engine.load(make_settings(briefbot_corpus=corpus)),
        "When did the zoo welcome the panda cubs?",
    )


def test_an_edited_and_a_deleted_file_are_merged(corpus: Path) -> None:
    settings = make_settings(briefbot_corpus=corpus)
    Engine.load(settings)
    write(
        corpus,
        "harbour.md",
        "News about the harbour",
        "The Lowmoor harbour ferry resumed on Thursday.",
    )
    (corpus / "bakery.md").unlink()

    engine = Engine.load(settings)

    assert "resumed on Thursday" in answer(engine, "When did the ferry resume?")
    assert answer(engine, "What prize did the family bakery win?") == ""
    assert engine.stats().articles == len(TOPICS) + 6 - 1
    assert [a.title for a in engine.articles][-1] == "News about the harbour"  # merged in last


def test_merging_matches_a_fresh_build_of_the_same_articles() -> None:
    articles = _articles(12)
    keep = np.array([i % 3 != 1 for i in range(9)])
    base = Index(articles[:9], Analyzer())
    merged = merge(base, keep, articles[9:])
    survivors = [a for a, k in zip(articles[:9], keep, strict=True) if k] + articles[9:]
    fresh = _snapshot(Index(survivors, Analyzer()))
    got = _snapshot(merged)
    # The merged analyzer also remembers the words of the removed articles: everything else
    # (postings, weights, sentences, the surface words of the fuzzy matcher) is the same.
    assert {k: v for k, v in got.items() if k != "stems"} == {
        k: v for k, v in fresh.items() if k != "stems"
    }
    assert len(base) == sum(1 for _ in base.sentence_table)  # the old index is left as it was


def test_a_touched_but_unchanged_file_is_not_read_again(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    open_store(corpus).open()
    os.utime(corpus / "library.md", ns=(10**18, 10**18))
    caplog.set_level(logging.DEBUG)
    first = open_store(corpus).open()
    second = open_store(corpus).open()
    assert "index: reused" in messages(caplog)
    assert "updated" not in messages(caplog)
    assert first.files == second.files  # the new time was noted


def test_many_changed_files_are_built_again(corpus: Path, caplog: pytest.LogCaptureFixture) -> None:
    open_store(corpus).open()
    for name, body in TOPICS:
        write(corpus, f"{name}.md", f"Update on the {name}", body + " It was updated today.")
    caplog.set_level(logging.DEBUG)
    open_store(corpus).open()
    assert "index: built" in messages(caplog)


@pytest.mark.parametrize("damage", ["flip", "truncate", "remove"])
def test_a_damaged_saved_index_is_built_again_never_served(
    corpus: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    open_store(corpus).open()
    folder = corpus / ".briefbot" / "lexical"
    victim = next(folder.glob("*.s_tf.npy"))
    data = bytearray(victim.read_bytes())
    if damage == "flip":
        data[-3] ^= 0xFF  # one term frequency changed: a wrong score, if it were served
        victim.write_bytes(bytes(data))
    elif damage == "truncate":
        victim.write_bytes(bytes(data[: len(data) // 2]))
    else:
        victim.unlink()
    caplog.set_level(logging.DEBUG)

    engine = Engine.load(make_settings(briefbot_corpus=corpus))

    assert "is damaged" in messages(caplog)
    assert "index: built" in messages(caplog)
    assert "resumed on Tuesday" in answer(engine, "When did the ferry resume?")
    caplog.clear()
    Engine.load(make_settings(briefbot_corpus=corpus))
    assert "index: reused" in messages(caplog)  # saved again, whole


def test_an_unreadable_manifest_is_built_again(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    open_store(corpus).open()
    (corpus / ".briefbot" / "lexical" / MANIFEST).write_text("{not json")
    caplog.set_level(logging.DEBUG)
    open_store(corpus).open()
    assert "is unreadable" in messages(caplog)
    assert "index: built" in messages(caplog)


def test_another_analyser_means_a_rebuild(
    corpus: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(corpus).open()
    monkeypatch.setattr(manifest, "ANALYSER", manifest.ANALYSER + 1)
    caplog.set_level(logging.DEBUG)
    open_store(corpus).open()
    assert "saved by another version of briefbot" in messages(caplog)
    assert "index: built" in messages(caplog)


def test_an_aliases_file_is_part_of_the_analyser(
    corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    aliases = tmp_path / "aliases.yml"
    aliases.write_text("ferry: [boat service]\n")
    open_store(corpus, briefbot_aliases_file=aliases).open()
    aliases.write_text("ferry: [boat service, water bus]\n")
    caplog.set_level(logging.DEBUG)
    open_store(corpus, briefbot_aliases_file=aliases).open()
    assert "index: built" in messages(caplog)
    # The log says why: the aliases changed, not briefbot.
    assert "aliases (BRIEFBOT_ALIASES_FILE) changed" in messages(caplog)
    assert "another version" not in messages(caplog)


def test_a_save_cut_short_leaves_the_previous_index_in_service(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """As if the process were killed while saving: the manifest, written last, still names the
    previous index, which is served (the changed file is merged into it again)."""
    open_store(corpus).open()
    write(corpus, "zoo.md", "Zoo news", "The zoo welcomed twin panda cubs on Sunday.")
    real = files.write_array
    written: list[str] = []

    def dies_midway(folder: Path, name: str, array: np.ndarray) -> files.Stored:
        if len(written) == 5:
            raise KeyboardInterrupt  # the process is stopped here
        written.append(name)
        return real(folder, name, array)

    monkeypatch.setattr("bot.store.corpus_store.write_array", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        open_store(corpus).open()
    monkeypatch.undo()
    caplog.set_level(logging.DEBUG)

    engine = Engine.load(make_settings(briefbot_corpus=corpus))

    assert "index: updated" in messages(caplog)
    assert "panda cubs on Sunday" in answer(engine, "When did the zoo welcome the panda cubs?")


def test_the_index_dir_setting_keeps_the_corpus_folder_clean(corpus: Path, tmp_path: Path) -> None:
    store = open_store(corpus, briefbot_index_dir=tmp_path / "indexes")
    store.open()
    assert not (corpus / ".briefbot").exists()
    assert (store.folder / MANIFEST).is_file()
    assert store.folder.parent == tmp_path / "indexes"
    other = open_store(tmp_path / "elsewhere", briefbot_index_dir=tmp_path / "indexes")
    assert other.folder != store.folder  # one folder per corpus


def test_a_single_file_corpus_keeps_its_index_beside_it(tmp_path: Path) -> None:
    path = write(tmp_path, "one.md", "One story", "The harbour ferry resumed on Tuesday.")
    settings = make_settings(briefbot_corpus=path)
    assert index_folder(settings) == tmp_path / ".briefbot" / "lexical-one.md"


def test_an_unwritable_index_folder_is_logged_once_and_answers_still_come(
    corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index folder should be")
    engine = Engine.load(make_settings(briefbot_corpus=corpus, briefbot_index_dir=blocker))
    assert "could not save the index" in messages(caplog)
    assert "resumed on Tuesday" in answer(engine, "When did the ferry resume?")


def test_skipped_files_are_still_reported_from_a_saved_index(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (corpus / "broken.md").write_text("no front matter\n")
    settings = make_settings(briefbot_corpus=corpus)
    built = Engine.load(settings)
    caplog.clear()
    saved = Engine.load(settings)
    assert saved.stats().skipped == built.stats().skipped == 1
    assert "broken.md" in messages(caplog)  # warned at every start, as without a saved index


def test_a_merged_index_corrects_typos_as_a_fresh_build_does() -> None:
    def article(n: int, text: str) -> Article:
        return Article(id=f"t{n}", title=f"Story {n}", date=dt.date(2026, 1, n), paragraphs=(text,))

    old = [
        article(1, "The harbour lantern was lit by the keeper."),
        article(2, "The orchard blossomed early this spring."),
        article(3, "A lighthouse keeper kept the lantern burning."),
    ]
    new = [article(4, "The meadow flooded after the storm.")]
    base = Index(old, Analyzer())
    base.warm_up()  # its typo table is made, and carried over by the merge
    merged = merge(base, np.array([True, True, False]), new)
    fresh = Index([old[0], old[1], *new], Analyzer())
    for typo in ("meadw", "harbor", "orcahrd", "lighthuse", "kepeer"):
        assert merged.fuzzy(typo) == fresh.fuzzy(typo), typo
    assert merged.fuzzy("meadw") and not merged.fuzzy("lighthuse")  # new word in, removed out
