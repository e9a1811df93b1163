"""``python -m bench.ingest``: ``briefbot ingest`` of a feed of 50 items served on 127.0.0.1.

The issue's goal: ≤ 10 s. The feed and its pages come from the tests' local news site
(``tests/emulators/news.py``), each page padded to a real news page's weight (scripts and
navigation around the text), every item a different story so that none is deduplicated. The
figure is the wall time of the whole command in its own process, start-up included.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.process import run_command, tail

GOAL_S = 10.0
ITEMS = 50
PAGE_KB = 150

_PLACES = ("Osaka", "Lyon", "Porto", "Bergen", "Tartu", "Cork", "Graz", "Turin", "Ghent", "Split")
_TOPICS = ("bridge", "tram line", "library", "hospital wing", "harbour", "stadium", "school")


def _story(n: int) -> tuple[str, list[str]]:
    """A distinct small story: its own place, topic, numbers and people."""
    place, topic = _PLACES[n % len(_PLACES)], _TOPICS[n % len(_TOPICS)]
    cost, year = 40 + 7 * n, 2026 + n % 4
    title = f"{place} approves new {topic} (plan {n})"
    paragraphs = [
        f"The council of {place} approved plan {n} for a new {topic} on Monday, at a cost of "
        f"{cost} million euros, with work due to finish in {year}.",
        f"Mayor Ana Costa-{n} said the {topic} would serve about {1200 + 37 * n} people a day and "
        f"that the first contracts would be signed within {3 + n % 5} weeks.",
        f"Opposition members asked for an independent review of the budget, pointing to the "
        f"{cost - 12} million euros spent on the previous project number {n + 100}.",
        f"Residents will be able to comment on the designs at {n % 9 + 2} public meetings, the "
        "first of them in the town hall next Thursday evening.",
    ]
    return title, paragraphs


def measure(items: int = ITEMS, page_kb: int = PAGE_KB, timeout: float = 300) -> dict[str, Any]:
    """Serve a feed of ``items`` pages, time ``briefbot ingest`` over it, check what landed."""
    from tests.emulators.news import NewsSite

    site = NewsSite()
    site.page_padding_kb = page_kb
    feed_items = []
    for n in range(items):
        title, paragraphs = _story(n)
        story = site.story(f"plan-{n}", title, paragraphs, tags=["Cities"])
        feed_items.append(site.item(story))
    site.start()
    try:
        url = site.feed("bench.rss", feed_items, title="Bench News")
        with tempfile.TemporaryDirectory(prefix="briefbot-ingest-") as folder:
            cmd = [sys.executable, "-m", "handlers.cli", "ingest", "--json", "--corpus", folder]
            t = time.perf_counter()
            run = run_command([*cmd, url], timeout)
            wall = time.perf_counter() - t
            files = len(list(Path(folder).glob("*.md")))
    finally:
        site.stop()
    if run is None:
        return {"skipped": f"briefbot ingest timed out after {timeout:.0f} s"}
    if run.returncode != 0:
        return {"skipped": f"briefbot ingest exited {run.returncode}: {tail(run.stderr)}"}
    report = json.loads(run.stdout)
    counts: dict[str, int] = {}
    for source in report["sources"]:
        for outcome in source["outcomes"]:
            counts[outcome["action"]] = counts.get(outcome["action"], 0) + 1
    return {
        "items": items,
        "page_kb": page_kb,
        "seconds": wall,
        "run_s": report["took_s"],
        "added": counts.get("added", 0),
        "files": files,
        "outcomes": counts,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figure."""
    ap = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    ap.add_argument("--items", type=int, default=ITEMS)
    ap.add_argument("--page-kb", type=int, default=PAGE_KB, help="extra markup per page")
    args = ap.parse_args(argv)
    fig = measure(args.items, args.page_kb)
    if "skipped" in fig:
        print(f"ingest not measured: {fig['skipped']}")
        return 1
    status = "met" if fig["seconds"] <= GOAL_S and fig["added"] == fig["items"] else "NOT met"
    print(
        f"briefbot ingest, feed of {fig['items']} items (~{fig['page_kb']} KB of markup per page) "
        f"on 127.0.0.1: {fig['seconds']:.2f} s wall ({fig['run_s']:.2f} s inside the run), "
        f"{fig['added']} added, {fig['files']} files; goal ≤ {GOAL_S:g} s: {status}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
