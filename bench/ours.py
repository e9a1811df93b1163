"""Our engine under test: loading, asking through the async API, the batch CLI, the seed set."""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import pstats
import re
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.data import REPO, SEED_EVAL
from bench.metrics import Outcome
from bench.process import run_command, tail


def settings_for(corpus: Path, *, semantic: bool = True) -> Any:
    """Settings that read only ``corpus`` (no .env, no environment overrides of the corpus)."""
    from bot.settings import Settings

    return Settings(_env_file=None, briefbot_corpus=corpus, briefbot_semantic=semantic)


def load_engine(
    corpus: Path, *, save: bool = True, semantic: bool = True
) -> tuple[Any | None, float, str | None]:
    """Load and index ``corpus``: (engine or None, seconds, note when it could not load).
    ``save=False``: a fresh build, whatever is saved, and nothing written (see save_index).
    ``semantic=False``: words alone (the scale runs: embedding 100k+ sentences takes hours and
    would run in the background while the lexical index is timed)."""
    from bot.engine import Engine

    # Any: a fresh build carries its ``built`` for save_index, an attribute Engine does not declare.
    engine: Any
    t = time.perf_counter()
    try:
        if save:
            engine = Engine.load(settings_for(corpus, semantic=semantic))
        else:
            from bot.store import CorpusStore

            settings = settings_for(corpus, semantic=semantic)
            built = CorpusStore(settings).build()
            engine = Engine(built.report.articles, settings, built.report, index=built.index)
            engine.built = built
    except NotImplementedError:
        return None, 0.0, "Engine.load is not implemented yet (stub)"
    except Exception as exc:  # report any load failure rather than abort the whole bench
        return None, 0.0, f"Engine.load failed: {type(exc).__name__}: {exc}"
    return engine, time.perf_counter() - t, None


def save_index(engine: Any) -> float | None:
    """Save the index of an engine made by ``load_engine(save=False)``: the seconds it took."""
    from bot.store import CorpusStore

    built = getattr(engine, "built", None)
    if built is None:
        return None
    t = time.perf_counter()
    CorpusStore(engine.settings).save(built)
    return time.perf_counter() - t


def traced_build_peak(corpus: Path) -> float | None:
    """Peak Python heap (MB, tracemalloc) of one more build of ``corpus`` (not from the saved
    index)."""
    tracemalloc.start()
    try:
        load_engine(corpus, save=False)
        return tracemalloc.get_traced_memory()[1] / 2**20
    except Exception:
        return None
    finally:
        tracemalloc.stop()


def to_outcome(answer: Any) -> Outcome:
    """The quotes (best first) and answered flag of an ``Answer``."""
    first = answer.passages[0] if answer.passages else None
    marked = " ".join(first.quote[a:b] for a, b in first.highlight) if first else ""
    return Outcome(tuple(p.quote for p in answer.passages), bool(answer.answered), marked)


async def _ask_all(
    engine: Any, questions: Sequence[str], limit: int | None
) -> tuple[list[Outcome], list[float]]:
    for q in questions[:5]:  # warm-up, not timed
        await engine.ask(q, limit=limit)
    outcomes: list[Outcome] = []
    ms: list[float] = []
    for q in questions:
        t = time.perf_counter()
        answer = await engine.ask(q, limit=limit)
        ms.append((time.perf_counter() - t) * 1000)
        outcomes.append(to_outcome(answer))
    return outcomes, ms


def ask_all(
    engine: Any, questions: Sequence[str], limit: int | None = 10
) -> tuple[list[Outcome], list[float]]:
    """Each question through ``await engine.ask`` in one event loop: outcomes and latencies
    (``limit`` None: as many quotes as the bot gives by default)."""
    return asyncio.run(_ask_all(engine, questions, limit))


def briefbot_command() -> Path | None:
    """The ``briefbot`` console script of this interpreter's environment, if installed."""
    for candidate in (
        Path(sys.executable).parent / "briefbot",
        REPO / ".venv" / "bin" / "briefbot",
    ):
        if candidate.exists():
            return candidate
    return None


def cli_batch(corpus: Path, questions: Sequence[str], timeout: float = 1200) -> dict[str, Any]:
    """All questions through ``briefbot ask --json --corpus CORPUS -`` in one process."""
    cmd = briefbot_command()
    if cmd is None:
        return {"skipped": "no briefbot command in the environment"}
    stdin = "\n".join(questions) + "\n"
    t = time.perf_counter()
    run = run_command(
        [str(cmd), "ask", "--json", "--corpus", str(corpus), "-"], timeout, stdin=stdin
    )
    if run is None:
        return {"skipped": f"briefbot ask timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    if run.returncode != 0 or len(lines) != len(questions):
        return {
            "skipped": f"briefbot ask exited {run.returncode}, printed {len(lines)} lines for "
            f"{len(questions)} questions: {tail(run.stderr)}"
        }
    outcomes = []
    for line in lines:
        data = json.loads(line)
        passages = data.get("passages") or []
        quotes = tuple(p.get("quote", "") for p in passages)
        marked = (
            " ".join(passages[0]["quote"][a:b] for a, b in passages[0].get("highlight") or [])
            if passages
            else ""
        )
        outcomes.append(Outcome(quotes, bool(data.get("answered")), marked))
    return {
        "n": len(questions),
        "wall_s": wall,
        "per_question_ms": wall * 1000 / len(questions),
        "outcomes": outcomes,
    }


def seed_eval(timeout: float = 300) -> dict[str, Any]:
    """The shared seed question set through the batch CLI (``../shared/eval/seed_eval.py``)."""
    if not SEED_EVAL.exists():
        return {"skipped": f"{SEED_EVAL} not found"}
    cmd = briefbot_command()
    if cmd is None:
        return {"skipped": "no briefbot command in the environment"}
    run = run_command(
        [sys.executable, str(SEED_EVAL), "--", str(cmd), "ask", "--json", "-"], timeout
    )
    if run is None:
        return {"skipped": f"seed_eval timed out after {timeout:.0f} s"}
    m = re.search(r"(\d+)/(\d+) questions answered as expected", run.stdout)
    if not m:
        return {"skipped": f"seed_eval exited {run.returncode}: {tail(run.stdout + run.stderr)}"}
    misses = [line for line in run.stdout.splitlines() if line.startswith("miss:")]
    return {"passed": int(m.group(1)), "total": int(m.group(2)), "misses": misses}


def off_topic(engine: Any, questions: Sequence[str]) -> list[dict[str, Any]]:
    """Each off-topic question and whether the engine said "not found"."""
    outcomes, _ = ask_all(engine, questions, limit=3)
    return [
        {"question": q, "not_found": not o.answered, "top": o.quotes[0] if o.quotes else ""}
        for q, o in zip(questions, outcomes, strict=True)
    ]


def profile(engine: Any, questions: Sequence[str], top: int = 25) -> str:
    """cProfile of ``engine.ask`` over ``questions``: the top functions by own and total time."""
    prof = cProfile.Profile()

    async def run() -> None:
        for q in questions:
            prof.enable()
            await engine.ask(q, limit=10)
            prof.disable()

    t = time.perf_counter()
    asyncio.run(run())
    wall = time.perf_counter() - t
    out = io.StringIO()
    out.write(f"{len(questions)} questions in {wall:.2f} s (profiled)\n")
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    for key in ("tottime", "cumulative"):
        out.write(f"\n=== top {top} by {key} ===\n")
        stats.sort_stats(key).print_stats(top)
    return out.getvalue()
