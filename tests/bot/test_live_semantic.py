"""A reload carries the sentence vectors over: the kept sentences' rows as they were, the new
ones embedded, all aligned with the merged index as a fresh build would align them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.answer.meaning import Semantic
from bot.live import LiveEngine
from tests.conftest import make_settings

STORIES = [
    ("harbour", "The Lowmoor harbour ferry resumed on Tuesday after storm repairs."),
    ("library", "The city council approved the library budget on Monday."),
    ("bakery", "A family bakery won the national bread prize in March."),
    ("museum", "The railway museum reopened its steam hall on Friday."),
    ("orchard", "Apple growers in the valley expect a record harvest this autumn."),
    ("bridge", "Engineers closed the old river bridge for inspection last week."),
]


def write(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.md").write_text(
        f"---\ntitle: News about the {name}\ndate: 2026-02-01\n---\n\n{body}\n", encoding="utf-8"
    )


async def test_a_reload_carries_the_vectors_over_aligned_with_the_merged_index(
    tmp_path: Path,
) -> None:
    for name, body in STORIES:
        write(tmp_path, name, body)
    settings = make_settings(briefbot_corpus=tmp_path, briefbot_semantic=True)
    live = LiveEngine.load(settings)
    first = live.engine
    assert first.semantic is not None and first.semantic.ready

    write(tmp_path, "zoo", "The zoo welcomed twin panda cubs on Sunday morning.")
    (tmp_path / "bakery.md").unlink()
    await live.update(frozenset({tmp_path / "zoo.md", tmp_path / "bakery.md"}))

    merged = live.engine
    assert merged is not first and merged.semantic is not None and merged.semantic.ready
    fresh = Semantic.build(merged.index, settings.index_directory(), sync_limit=100)
    assert np.array_equal(merged.semantic.vectors.matrix, fresh.vectors.matrix)
    kept = [i for i in range(len(first.index)) if "bakery" not in first.sentence_table[i].text]
    assert np.array_equal(
        merged.semantic.vectors.matrix[: len(kept)], first.semantic.vectors.matrix[kept]
    )
    answer = await live.ask("When did the panda cubs arrive at the zoo?")
    assert answer.answered and "twin panda cubs" in answer.passages[0].quote
    await live.stop()
