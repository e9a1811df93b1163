"""The saved index and live updates at scale: restart time, add latency, memory; and tantivy's
on-disk index measured the same way, as the alternative store it was chosen against.

Worker usage (run by the bench in fresh processes, one JSON line on stdout)::

    python -m bench.persist reopen --corpus DIR --question Q
    python -m bench.persist ask --corpus DIR --questions Q.json
    python -m bench.persist live --corpus DIR --questions Q.json
    python -m bench.persist tantivy-build --sentences S.jsonl --copies N --dir D
    python -m bench.persist tantivy-reopen --dir D --questions Q.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()  # before the heavy imports: a start-up includes them

from bench.metrics import latency_summary  # noqa: E402
from bench.process import run_command, tail  # noqa: E402
from bench.scale import asks_ms, rss_mb, stream  # noqa: E402

#: The article written while the bot runs, and the question that finds it.
NEW_ARTICLE = """---
title: Zorblat harbour tunnel opens
date: 2016-01-02
source: Bench Gazette
---

The Zorblat harbour tunnel opened to traffic on Saturday after six years of digging.
"""
NEW_QUESTION = "When did the Zorblat harbour tunnel open?"
NEW_ANSWER = "opened to traffic on Saturday"
IDLE_S = 1.0  # the live engine saves after this much quiet (a bot: 10 s); measured too
BEFORE = 100  # questions timed before the update (a second each at 1M with the sentence model)


def _reopen(corpus: Path, question: str) -> dict[str, Any]:
    """In-process start from the saved index: imports, load, first answer, memory."""
    from bot.engine import Engine
    from bot.settings import Settings

    # Words alone: these runs time the saved lexical index (vectors are saved apart).
    settings = Settings(_env_file=None, briefbot_corpus=corpus, briefbot_semantic=False)
    loaded = time.perf_counter()
    engine = Engine.load(settings)
    answered = time.perf_counter()
    engine.ask_sync(question)
    end = time.perf_counter()
    return {
        "import_s": loaded - STARTED,
        "load_s": answered - loaded,
        "first_answer_s": end - answered,
        "total_s": end - STARTED,
        "sentences": len(engine.index),
    }


def _ask(corpus: Path, questions: Sequence[str]) -> dict[str, Any]:
    """Answer latency from the saved index with the default settings: the sentence model's
    vectors (mapped in index order) searched for every question, the reader on the candidates."""
    import asyncio

    from bot.engine import Engine
    from bot.settings import Settings

    engine = Engine.load(Settings(_env_file=None, briefbot_corpus=corpus))
    semantic = engine.semantic is not None and engine.semantic.ready
    ms = asyncio.run(asks_ms(engine, questions))
    engine.close()
    return {"semantic": semantic, "reader": engine.reader is not None, **latency_summary(ms)}


def _live(corpus: Path, questions: Sequence[str]) -> dict[str, Any]:
    """A running bot's engine over ``corpus``: an article file written, the time until answers
    quote it, and the answer latency before and during the update."""
    import asyncio

    from bench.data import load_squad
    from bot.live import LiveEngine
    from bot.settings import Settings
    from handlers.cli import SWITCH_S

    asked = set(questions)
    squad = load_squad().questions
    fresh = [q for pair in ((x.question, x.typo) for x in squad) for q in pair if q not in asked]
    # Words alone: these runs time the saved lexical index (vectors are saved apart).
    settings = Settings(_env_file=None, briefbot_corpus=corpus, briefbot_semantic=False)
    sys.setswitchinterval(SWITCH_S)  # as the runner of a bot sets it
    live = LiveEngine.load(settings, idle_s=IDLE_S)
    path = corpus / "zorblat-tunnel.md"

    async def run() -> dict[str, Any]:
        async with live:
            await live.warmed()  # the first questions must not race the warm-up
            before = []
            for q in questions[:BEFORE]:
                t = time.perf_counter()
                await live.ask(q, limit=10)
                before.append((time.perf_counter() - t) * 1000)
            timed: list[tuple[float, float]] = []  # (when it ended, ms)
            stop = asyncio.Event()

            async def asking() -> None:
                # One question after another, none asked before (a repeat is a cache hit).
                for q in fresh:
                    if stop.is_set():
                        break
                    t = time.perf_counter()
                    await live.ask(q, limit=10)
                    end = time.perf_counter()
                    timed.append((end, (end - t) * 1000))

            asker = asyncio.create_task(asking())
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(NEW_ARTICLE, encoding="utf-8")
            written = time.perf_counter()
            os.replace(tmp, path)  # as the ingest writes: a temporary file, then a rename
            seen = None
            while time.perf_counter() - written < 120:
                answer = await live.ask(NEW_QUESTION)
                if answer.answered and NEW_ANSWER in answer.passages[0].quote:
                    seen = time.perf_counter() - written
                    break
                await asyncio.sleep(0.02)
            while live.generation < 1 and time.perf_counter() - written < 120:
                await asyncio.sleep(0.02)
            swapped = time.perf_counter()
            await live.settled()  # after IDLE_S of quiet: the hint made again, the index saved
            tidied = time.perf_counter()
            stop.set()
            await asker
        update = [ms for end, ms in timed if end <= swapped]
        after = [ms for end, ms in timed if swapped < end <= tidied]
        return {
            "add_s": seen,
            "save_after_s": tidied - swapped,
            "latency_before_ms": latency_summary(before),
            "latency_during_ms": latency_summary(update) if update else None,
            "latency_saving_ms": latency_summary(after) if after else None,
        }

    try:
        return asyncio.run(run())
    finally:
        path.unlink(missing_ok=True)


def _tantivy_build(sentences: Path, copies: int, folder: Path) -> dict[str, Any]:
    import shutil

    import tantivy

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t = time.perf_counter()
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("title", tokenizer_name="en_stem")
    sb.add_integer_field("sid", stored=True, fast=True)
    index = tantivy.Index(sb.build(), path=str(folder))
    writer = index.writer(heap_size=300_000_000, num_threads=1)
    n = 0
    for n, s in enumerate(stream(sentences, copies), 1):
        writer.add_document(tantivy.Document(text=s.text, title=s.title, sid=n))
    writer.commit()
    writer.wait_merging_threads()
    return {
        "sentences": n,
        "build_s": time.perf_counter() - t,
        "disk_mb": sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20,
    }


def _tantivy_reopen(folder: Path, questions: Sequence[str]) -> dict[str, Any]:
    import tantivy

    opened = time.perf_counter()
    index = tantivy.Index.open(str(folder))
    searcher = index.searcher()
    query = index.parse_query(questions[0].replace("?", ""), ["text"])
    [searcher.doc(a)["text"] for _, a in searcher.search(query, 10).hits]
    first = time.perf_counter()
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    t = time.perf_counter()
    writer.add_document(tantivy.Document(text=NEW_ARTICLE, title="Zorblat", sid=-1))
    writer.commit()
    index.reload()
    found = index.searcher().search(index.parse_query("zorblat", ["text"]), 1).count
    added = time.perf_counter() - t
    writer.delete_documents_by_term("title", "zorblat")
    writer.commit()
    return {
        "total_s": first - STARTED,
        "open_and_first_s": first - opened,
        "add_s": added if found else None,
    }


def main(argv: Sequence[str] | None = None) -> None:
    import logging

    logging.basicConfig(
        level=logging.INFO, format="%(relativeCreated)6.0f ms %(name)s: %(message)s"
    )
    ap = argparse.ArgumentParser(prog="python -m bench.persist")
    ap.add_argument("mode", choices=["reopen", "ask", "live", "tantivy-build", "tantivy-reopen"])
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--question", default="")
    ap.add_argument("--questions", type=Path)
    ap.add_argument("--sentences", type=Path)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--dir", type=Path)
    args = ap.parse_args(argv)
    questions = json.loads(args.questions.read_text("utf-8")) if args.questions else []
    if args.mode == "reopen":
        result = _reopen(args.corpus, args.question)
    elif args.mode == "ask":
        result = _ask(args.corpus, questions[:BEFORE])
    elif args.mode == "live":
        result = _live(args.corpus, questions)
    elif args.mode == "tantivy-build":
        result = _tantivy_build(args.sentences, args.copies, args.dir)
    else:
        result = _tantivy_reopen(args.dir, questions)
    result["peak_rss_mb"] = rss_mb()
    print(json.dumps(result))


def _worker(args: Sequence[str], timeout: float = 1800) -> dict[str, Any]:
    run = run_command([sys.executable, "-m", "bench.persist", *args], timeout)
    if run is None:
        return {"skipped": f"timed out after {timeout:.0f} s"}
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0 or not lines:
        return {"skipped": f"worker exited {run.returncode}: {tail(run.stderr)}"}
    out: dict[str, Any] = json.loads(lines[-1])
    return out


def cli_restart(corpus: Path, question: str, runs: int = 3, **env: str) -> dict[str, Any]:
    """Wall time of ``briefbot ask`` from the saved index (start-up and first answer)."""
    command = [sys.executable, "-m", "handlers.cli", "ask", "--json", "--corpus", str(corpus)]
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        run = run_command([*command, question], 600, env=env)
        walls.append(time.perf_counter() - t)
        if run is None or run.returncode != 0:
            return {"skipped": tail(run.stderr) if run else "timed out"}
    return {"min_s": min(walls), "median_s": statistics.median(walls), "runs": runs}


def measure(
    corpus: Path, sentences: Path, copies: int, questions: Path, tantivy_dir: Path | None
) -> dict[str, Any]:
    """Every figure of the saved index (its build already done by the scale run) at one size."""
    sample = json.loads(questions.read_text("utf-8"))
    first = sample[0]
    saved = corpus / ".briefbot" / "lexical"
    # On disk before the live run: its update leaves a second generation until it is tidied.
    disk_mb = sum(f.stat().st_size for f in saved.glob("*") if f.is_file()) / 2**20
    out: dict[str, Any] = {
        "cli": cli_restart(corpus, first),
        "cli_words": cli_restart(corpus, first, BRIEFBOT_SEMANTIC="false"),
        "reopen": _worker(["reopen", "--corpus", str(corpus), "--question", first]),
        # After the restarts above: the vectors are mapped in index order, as a bot's are.
        "ask_semantic_ms": _worker(["ask", "--corpus", str(corpus), "--questions", str(questions)]),
        "live": _worker(["live", "--corpus", str(corpus), "--questions", str(questions)]),
        "disk_mb": disk_mb,
    }
    if tantivy_dir is not None:
        where = ["--dir", str(tantivy_dir)]
        build = _worker(
            ["tantivy-build", "--sentences", str(sentences), "--copies", str(copies), *where]
        )
        reopen = build
        if "skipped" not in build:
            reopen = _worker(["tantivy-reopen", *where, "--questions", str(questions)])
        out["tantivy"] = {"build": build, "reopen": reopen}
    return out


if __name__ == "__main__":
    main()
