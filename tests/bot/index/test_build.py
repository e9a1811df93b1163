"""The index build: the parallel build makes exactly the index the serial one does, and the
lazy sentence table behaves like a list."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import bot.index.build as build_mod
from bot.index import Index
from bot.models import Article
from bot.text.analyzer import Analyzer

SENTENCES = [
    "The U.S. President met the PM in Washington on Jan. 5, and Mr. Smith's aides said so.",
    "Britain and the EU agreed. The United Nations welcomed it; the us team did not.",
    "Prices rose 1.5% in the U.K. economy.The report (published Tuesday) was “late.”",
    "東京で会議が開かれた。 Officials from Acme Inc. It said nothing.",
    "She called by phone; the telephone rang. “Why?” she asked. He didn't answer.",
]


def _articles(n: int) -> list[Article]:
    return [
        Article(
            id=f"a{i}",
            title=f"Story {i} about {'trade' if i % 2 else 'America'}",
            date=dt.date(2024, 1, 1 + i % 28),
            tags=("news", f"tag{i % 3}"),
            paragraphs=tuple(
                " ".join(SENTENCES[(i + k + j) % len(SENTENCES)] for j in range(2))
                + f" Word{i}x{k}."
                for k in range(3)
            ),
            caption=f"Minister {i} speaks to the press." if i % 4 == 0 else None,
        )
        for i in range(n)
    ]


def _snapshot(index: Index) -> dict[str, object]:
    """Everything a build makes, the analyzer's stem memo (in order) included."""
    fields = {}
    for name in ("sentences", "paragraphs", "titles"):
        field = getattr(index, name)
        fields[name] = (
            field.size,
            field.max_idf,
            {t: (p.ids.tolist(), p.weights.tolist(), p.idf) for t, p in field.postings.items()},
        )
    return {
        "sentences": [
            (s.id, s.text, s.article.id, s.paragraph, s.caption) for s in index.sentence_table
        ],
        "fields": fields,
        "arrays": {
            k: getattr(index, k).tolist()
            for k in ("sent_para", "sent_article", "para_article", "para_first", "caption")
        },
        "surface": index.surface,
        "stems": list(index.analyzer.stems.items()),
    }


@pytest.mark.parametrize("processes", [2, 3])
def test_parallel_build_equals_serial_build(
    monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    articles = _articles(13)
    serial = _snapshot(Index(articles, Analyzer()))
    monkeypatch.setattr(build_mod, "process_count", lambda _articles: processes)
    # A fresh analyzer: its stem memo starts empty, so the words only the workers' runs hold
    # ("word12x0") reach it only through the workers' stems, merged in run order.
    parallel = _snapshot(Index(articles, Analyzer()))
    assert "word12x0" in dict(parallel["stems"])  # type: ignore[call-overload]
    assert parallel == serial


def test_sentence_table_behaves_like_a_list() -> None:
    index = Index(_articles(3), Analyzer())
    table = index.sentence_table
    as_list = [table[i] for i in range(len(table))]
    assert list(table) == as_list
    assert table[-1] == as_list[-1]
    assert table[1:4] == as_list[1:4]
    assert all(isinstance(p.id, int) and isinstance(p.paragraph, int) for p in as_list)
    with pytest.raises(IndexError):
        table[len(table)]
    assert np.array_equal(index.caption, [p.caption for p in as_list])


_BUILDER = """
import datetime as dt, sys
import bot.index.build as b
from bot.models import Article
from bot.text.analyzer import Analyzer
b.PARALLEL_CHARS = 0
b.MAX_PROCESSES = 2
b.process_count = lambda articles: 2
words = " ".join(f"word{i} stands in sentence number {i} of a long run." for i in range(2000))
arts = [Article(id=str(i), title=f"T{i}", date=dt.date(2026, 1, 1), paragraphs=(words,) * 8)
        for i in range(400)]
print("start", flush=True)
b.analyse_all(arts, Analyzer())
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_index_workers_exit_when_the_building_process_is_killed() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _BUILDER], stdout=subprocess.PIPE, text=True, cwd=Path.cwd()
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "start"
        children: list[int] = []
        deadline = time.monotonic() + 60
        while not children and time.monotonic() < deadline:
            listed = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            children = [int(c) for c in listed]
            time.sleep(0.05)
        assert children, "no index worker was forked"
    finally:
        proc.kill()  # SIGKILL: no handler, no cleanup in the parent
        proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(c) for c in children):
        time.sleep(0.05)
    assert not any(_alive(c) for c in children)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; only its parent's reaping is left
