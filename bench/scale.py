"""Scale runs: one (system, size) per subprocess, so each peak RSS is that system's own.

Worker usage (run by the bench, one JSON line on stdout)::

    python -m bench.scale ours --corpus C.jsonl --questions Q.json
    python -m bench.scale tantivy+fuzzy --sentences S.jsonl --copies N --questions Q.json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.data import Sentence
from bench.metrics import latency_summary
from bench.process import run_command, tail


def rss_mb() -> float:
    """Peak resident set size of this process image so far, in MiB.

    Linux's ``ru_maxrss`` carries the parent's peak across fork + exec, so a worker would report
    at least the bench's own peak; ``VmHWM`` in /proc/self/status is this image's own high-water
    mark. ``ru_maxrss`` is the fallback where /proc is missing.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stream(path: Path, copies: int) -> Iterator[Sentence]:
    base = [Sentence(**json.loads(line)) for line in path.read_text("utf-8").splitlines() if line]
    for _ in range(copies):
        yield from base


def _time(search: Any, questions: Sequence[str]) -> list[float]:
    for q in questions[:5]:
        search(q)
    ms = []
    for q in questions:
        t = time.perf_counter()
        search(q)
        ms.append((time.perf_counter() - t) * 1000)
    return ms


async def asks_ms(engine: Any, questions: Sequence[str]) -> list[float]:
    """Milliseconds of each ``engine.ask`` (the bot's path), after five to warm up."""
    for q in questions[:5]:
        await engine.ask(q, limit=10)
    ms = []
    for q in questions:
        t = time.perf_counter()
        await engine.ask(q, limit=10)
        ms.append((time.perf_counter() - t) * 1000)
    return ms


def _run_ours(corpus: Path, questions: Sequence[str]) -> dict[str, Any]:
    import asyncio

    from bench.ours import load_engine, save_index

    before = rss_mb()
    engine, build_s, note = load_engine(corpus, save=False, semantic=False)
    if engine is None:
        return {"skipped": note}
    built = rss_mb()
    save_s = save_index(engine)  # for the restart and live figures (bench.persist)

    ms = asyncio.run(asks_ms(engine, questions))
    # The reader on the lexical candidates (what a large corpus answers with while, or instead
    # of, embedding every sentence): the same engine, its reader attached.
    from bot.semantic.reader import available, shared_reader

    read_ms: list[float] = []
    if available():
        engine.answerer.reader = shared_reader()
        engine.answerer._cache.clear()
        read_ms = asyncio.run(asks_ms(engine, questions))
    stats = engine.stats()
    return {
        "sentences": stats.passages,
        "articles": stats.articles,
        "build_s": build_s,
        "save_s": save_s,
        "rss_before_mb": before,
        "rss_built_mb": built,
        "latency_ms": latency_summary(ms),
        **({"latency_reader_ms": latency_summary(read_ms)} if read_ms else {}),
    }


def _run_baseline(
    name: str, sentences: Path, copies: int, questions: Sequence[str]
) -> dict[str, Any]:
    from bench.baselines import Tantivy

    before = rss_mb()
    t = time.perf_counter()
    counted = 0

    def counting() -> Iterator[Sentence]:
        nonlocal counted
        for s in stream(sentences, copies):
            counted += 1
            yield s

    retriever = Tantivy.build(counting(), fuzzy=name == "tantivy+fuzzy")
    build_s = time.perf_counter() - t  # reading the sentence file included
    built = rss_mb()
    ms = _time(retriever.search, questions)
    return {
        "sentences": counted,
        "build_s": build_s,
        "rss_before_mb": before,
        "rss_built_mb": built,
        "latency_ms": latency_summary(ms),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Worker entry point: measure one system at one size, print one JSON line."""
    ap = argparse.ArgumentParser(prog="python -m bench.scale")
    ap.add_argument("system", choices=["ours", "tantivy", "tantivy+fuzzy"])
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--sentences", type=Path)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--questions", type=Path, required=True)
    args = ap.parse_args(argv)
    questions = json.loads(args.questions.read_text("utf-8"))
    if args.system == "ours":
        result = _run_ours(args.corpus, questions)
    else:
        result = _run_baseline(args.system, args.sentences, args.copies, questions)
    result["system"] = args.system
    result["peak_rss_mb"] = rss_mb()
    result["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_worker(args: Sequence[str], timeout: float) -> dict[str, Any]:
    """Run one worker in a fresh interpreter and return its JSON result (or a skip note)."""
    t = time.perf_counter()
    run = run_command([sys.executable, "-m", "bench.scale", *args], timeout)
    if run is None:
        return {"skipped": f"timed out after {timeout:.0f} s"}
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0 or not lines:
        return {"skipped": f"worker exited {run.returncode}: {tail(run.stderr)}"}
    result: dict[str, Any] = json.loads(lines[-1])
    result["wall_s"] = time.perf_counter() - t
    return result


if __name__ == "__main__":
    main()
