"""``python -m bench.reload``: answer latency while a running bot takes in a large new file.

The case a user meets: a bot (the console here) serving the bundled corpus with the sentence
model and the reader, then a 5,000-sentence file (SQuAD split A) dropped into its folder. The
reload merges the file and embeds its sentences beside the answers; the goal is answers within
2x their usual latency meanwhile. Questions are distinct (no answer cache hits).

    .venv/bin/python -m bench.reload            # prints figures; --json for one JSON line
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.data import OUT_DIR, load_squad, records, write_jsonl

SEED = Path(__file__).resolve().parent.parent / "corpus"
QUESTIONS = [
    "when is Takaichi visiting the US?",
    "who asked for the phone call?",
    "how long did the call last?",
    "what did the leaders discuss?",
]
BEFORE = 40
LIMIT_S = 600.0


def _pct(values: list[float], q: float) -> float:
    return round(sorted(values)[min(len(values) - 1, int(len(values) * q))], 1)


def _summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p99_ms": _pct(values, 0.99),
        "max_ms": round(max(values), 1),
    }


def measure() -> dict[str, Any]:
    from bot.live import LiveEngine
    from bot.settings import Settings
    from handlers.cli import SWITCH_S

    extra = write_jsonl(OUT_DIR / "squad-a.jsonl", records(load_squad()))
    work = Path(tempfile.mkdtemp(prefix="briefbot-reload-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for f in SEED.glob("*.md"):
        shutil.copy(f, corpus)
    settings = Settings(_env_file=None, briefbot_corpus=corpus, briefbot_index_dir=work / "index")
    sys.setswitchinterval(SWITCH_S)  # as the runner of a bot sets it
    live = LiveEngine.load(settings, idle_s=1.0)
    asked = (f"{q} ({i})" for i in range(10**6) for q in QUESTIONS)

    async def run() -> dict[str, Any]:
        async with live:
            await live.warmed()
            before = []
            for _ in range(BEFORE):
                t = time.perf_counter()
                await live.ask(next(asked))
                before.append((time.perf_counter() - t) * 1000)
            shutil.copy(extra, corpus / "more.jsonl")
            started, during = time.perf_counter(), []
            while live.generation < 1 and time.perf_counter() - started < LIMIT_S:
                t = time.perf_counter()
                await live.ask(next(asked))
                during.append((time.perf_counter() - t) * 1000)
            reload_s = time.perf_counter() - started
            return {
                "before": _summary(before),
                "during": _summary(during),
                "reload_s": round(reload_s, 1),
                "passages_after": live.stats().passages,
                "p50_ratio": round(statistics.median(during) / statistics.median(before), 2),
            }

    try:
        return asyncio.run(run())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.reload", description=__doc__)
    ap.add_argument("--json", action="store_true", help="one JSON line instead of text")
    args = ap.parse_args()
    out = measure()
    if args.json:
        print(json.dumps(out))
        return
    b, d = out["before"], out["during"]
    print(f"answers before the file: p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms ({b['n']})")
    print(
        f"answers while it is merged and embedded ({out['reload_s']} s): p50 {d['p50_ms']} ms, "
        f"p99 {d['p99_ms']} ms, max {d['max_ms']} ms ({d['n']}); p50 x{out['p50_ratio']}"
    )


if __name__ == "__main__":
    main()
