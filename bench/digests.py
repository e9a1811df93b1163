"""``python -m bench.digests [--quick] [--out FILE]``: scheduled digests and topic alerts, against
the issue's goals, with the real engine, real SQLite files and the Slack emulator in-process.

1. *Start-up with the database* (goal ≤ 0.3 s added): in fresh processes, the imports the bot
   adds for the database (``handlers.deliveries``, so SQLAlchemy and aiosqlite) after the core's,
   and ``await Database.open(url)``: on a new file (the schema made from the models, stamped)
   and on an existing current one (a restart). Median of 5 each.
2. *Digest latency* (goal: a digest of ≥ 10 new articles at the emulator within 2 s of its time):
   the real delivery loop (``async with scheduler``) with a clock shifted so that the subscribed
   minute falls ~3 s ahead in real time; real seconds from that instant to the emulator
   recording the chat.postMessage.
3. *Alert latency* (goal: within BRIEFBOT_ALERT_INTERVAL + 5 s of the article's arrival; a quiet
   channel: ~5 s): ``open_deliveries`` over a watching ``LiveEngine``; an article file written on
   the alert's topic; seconds until the emulator records the post.
4. *Burst* (goal: 1,000 subscriptions on 200 channels all due at once; p99 of ``ask`` during the
   burst within 1.5× its usual p99): the 1,000 digests computed and posted by one
   ``scheduler.tick()`` while another task asks questions one after another.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.data import REPO
from bench.metrics import latency_summary
from bench.process import run_command, tail

STARTUP_GOAL_S = 0.3
DIGEST_GOAL_S = 2.0
ALERT_QUIET_GOAL_S = 5.0
BURST_RATIO_GOAL = 1.5

STARTUP_RUNS = 5
NEW_ARTICLES = 12
LEAD_S = 3.0  # the digest's scheduled minute falls this far ahead in real time
CHANNELS, PER_CHANNEL = 200, 5
USUAL_ASKS = 200

PLACE_WORKSPACE = "T111"
ALERT_TOPIC = "Zorblat harbour"
_TOPICS = ("Japan", "energy", "football", "transport", "health", "elections")
_BURST_TOPICS = (None, "Japan", "energy", "transport", "health")  # 5 per channel
_PLACES = ("Osaka", "Lyon", "Porto", "Bergen", "Tartu", "Cork", "Graz", "Turin", "Ghent", "Split")

#: What a user might ask about the bundled corpus (and the bench's own articles).
QUESTIONS = (
    "when is Takaichi visiting the US?",
    "what did Takaichi and Trump agree?",
    "when will Trump visit China?",
    "how long was the phone call between Takaichi and Trump?",
    "who requested the telephone call?",
    "when did Takaichi take office?",
    "what did Takaichi say about Taiwan?",
    "what anniversary does the United States celebrate this year?",
    "which countries will promote cooperation with Japan?",
    "what did the leaders discuss about the Indo-Pacific?",
    "where did Takaichi speak to reporters?",
    "what military drills did China carry out?",
    "why does Japan want a March visit?",
    "what is a survival-threatening situation?",
    "did Trump invite Takaichi again?",
    "what did the council of Osaka approve?",
    "how much will the new tram line cost?",
    "who is the mayor of Lyon?",
    "when will the hospital wing in Porto open?",
    "what did the opposition ask for?",
)
#: Ways of asking the same thing: every measured ask a different text, so none comes from the
#: engine's answer cache (which a burst of identical questions would otherwise measure).
_PREFIXES = ("", "so, ", "tell me: ", "quick one, ", "please, ", "I wonder ", "hey, ", "ok, ")
_SUFFIXES = ("", " please", " thanks", " exactly", " again")
_OPENERS = ("", "hi! ", "morning. ", "one more: ", "question: ", "sorry, ", "right, ", "team: ")


def questions() -> list[str]:
    """Distinct texts: the 20 questions in 320 phrasings, interleaved (a burst paced to Slack's
    speed lasts long enough to ask a few thousand)."""
    return [
        f"{o}{p}{q}{s}" for o in _OPENERS for s in _SUFFIXES for p in _PREFIXES for q in QUESTIONS
    ]


# --- helpers ----------------------------------------------------------------------------------


def _settings(corpus: Path, index_dir: Path, **extra: Any) -> Any:
    """The core's settings reading only ``corpus`` (no .env), index saved in ``index_dir``."""
    from bot import Settings

    return Settings(_env_file=None, briefbot_corpus=corpus, briefbot_index_dir=index_dir, **extra)


def _write_article(
    folder: Path, name: str, title: str, date: dt.date, body: str, tags: Sequence[str]
) -> Path:
    """A Markdown article with front matter, as tests/conftest.py ``write_article`` writes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = (
        f"---\ntitle: {title}\ndate: {date.isoformat()}\nsource: Bench Wire\n"
        f"url: https://news.example/{path.stem}\ntags: [{', '.join(tags)}]\n---\n\n{body}\n"
    )
    path.write_text(text, encoding="utf-8")
    return path


def _story(n: int, day: dt.date, folder: Path) -> Path:
    place, topic = _PLACES[n % len(_PLACES)], _TOPICS[n % len(_TOPICS)]
    title = f"{place} council backs {topic} plan {n}"
    body = "\n\n".join(
        [
            f"The council of {place} approved plan {n} on {topic} on Monday, at a cost of "
            f"{40 + 7 * n} million euros, with work due to finish within {2 + n % 4} years.",
            f"Mayor Ana Costa-{n} said the plan would serve about {1200 + 37 * n} people a day "
            f"and that the first contracts would be signed within {3 + n % 5} weeks.",
            "Opposition members asked for an independent review of the budget before any "
            "contract is signed.",
        ]
    )
    return _write_article(folder, f"story-{n:03d}.md", title, day, body, [topic, place])


def _bundled(folder: Path) -> None:
    """The bundled corpus's articles copied into ``folder``."""
    from bot.settings import BUNDLED_CORPUS

    folder.mkdir(parents=True, exist_ok=True)
    for path in Path(BUNDLED_CORPUS).glob("*.md"):
        shutil.copyfile(path, folder / path.name)


async def _until(check: Callable[[], Awaitable[bool] | bool], timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.002)


async def _known(db: Any) -> int:
    """Articles the delivery loop has noted (the baseline, then the new ones)."""
    from sqlalchemy import func, select

    from bot.state.schema import KnownArticle

    async with db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(KnownArticle)) or 0)


def _emulator() -> Any:
    """A Slack emulator that also notes when (perf_counter) it received each call."""
    from aiohttp import web

    from tests.emulators.slack import ApiCall, SlackEmulator

    class Stamped(SlackEmulator):
        def __post_init__(self) -> None:
            super().__post_init__()
            self.stamps: list[float] = []  # one per call in ``calls``, same order

        async def _record(self, request: web.Request, method: str) -> ApiCall:
            call = await super()._record(request, method)
            self.stamps.append(time.perf_counter())
            return call

    return Stamped()


def _posts(emulator: Any) -> list[tuple[float, dict[str, Any]]]:
    """(when received, body) of every successful chat.postMessage."""
    return [
        (t, c.body)
        for t, c in zip(emulator.stamps, emulator.calls, strict=True)
        if c.method == "chat.postMessage" and c.ok
    ]


def _client(emulator: Any) -> Any:
    """The Web API client the Slack adapter makes (retries included), aimed at the emulator."""
    from slack_sdk.web.async_client import AsyncWebClient

    from handlers.slack.delivery import retry_handlers
    from tests.emulators.slack import BOT_TOKEN

    return AsyncWebClient(
        token=BOT_TOKEN, base_url=emulator.base_url, retry_handlers=retry_handlers()
    )


def _summary(values: Sequence[float]) -> dict[str, Any]:
    return {
        "runs": list(values),
        "median": statistics.median(values) if values else None,
        "max": max(values) if values else None,
    }


# --- 1. start-up with the database ------------------------------------------------------------

_CHILD = r"""
import asyncio, json, sys, time
import bot, bot.engine  # the core, imported by the bot before the database: not counted
started = time.perf_counter()
import handlers.deliveries  # what the bot adds for the database: SQLAlchemy, aiosqlite
from bot import Database
imported = time.perf_counter()
async def main():
    db = await Database.open(sys.argv[1])
    opened = time.perf_counter()
    await db.close()
    return opened
opened = asyncio.run(main())
print(json.dumps({"import_s": imported - started, "open_s": opened - imported,
                  "alembic": "alembic" in sys.modules}))
"""


def _child(url: str) -> dict[str, Any]:
    env = {"PYTHONPATH": str(REPO)}
    run = run_command([sys.executable, "-c", _CHILD, url], timeout=120, env=env)
    if run is None:
        raise RuntimeError("the start-up child timed out")
    if run.returncode != 0:
        raise RuntimeError(f"the start-up child exited {run.returncode}: {tail(run.stderr)}")
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def measure_startup(tmp: Path, runs: int = STARTUP_RUNS) -> dict[str, Any]:
    """Median import and open times in fresh processes: a new file, then an existing one."""
    _child(f"sqlite+aiosqlite:///{tmp / 'warm.db'}")  # compiled files and page cache warm
    out: dict[str, Any] = {"runs": runs}
    cases = {
        "new": [f"sqlite+aiosqlite:///{tmp / f'new-{i}.db'}" for i in range(runs)],
        "existing": [f"sqlite+aiosqlite:///{tmp / 'new-0.db'}"] * runs,
    }
    for case, urls in cases.items():
        got = [_child(url) for url in urls]
        imports = [g["import_s"] for g in got]
        opens = [g["open_s"] for g in got]
        totals = [a + b for a, b in zip(imports, opens, strict=True)]
        out[case] = {
            "import_s": statistics.median(imports),
            "open_s": statistics.median(opens),
            "total_s": statistics.median(totals),
            "max_total_s": max(totals),
            "alembic_imported": any(g["alembic"] for g in got),
        }
    return out


# --- 2. digest latency ------------------------------------------------------------------------


async def _digest_once(tmp: Path, emulator: Any, new: int) -> dict[str, Any]:
    """One digest of ``new`` articles through the real loop: seconds after its scheduled time."""
    from bot import Database, Digests, Engine, LiveEngine, Place, Scheduler
    from handlers.slack.digests import SlackPoster

    today = dt.datetime.now(dt.UTC).date()
    old, full = tmp / "corpus-before", tmp / "corpus-after"
    for n in range(2):  # the baseline: older than the digest's day, so not listed again
        for folder in (old, full):
            _story(100 + n, today - dt.timedelta(days=3), folder)
    for n in range(new):
        _story(n, today, full)
    before = Engine.load(_settings(old, tmp / "index-before"))
    after = Engine.load(_settings(full, tmp / "index-after"))
    core = LiveEngine(before)  # not watching: the bench swaps the engine as a reload would
    db = await Database.open(f"sqlite+aiosqlite:///{tmp / 'briefbot.db'}")
    try:
        real = dt.datetime.now(dt.UTC)
        at = real + dt.timedelta(seconds=LEAD_S)
        minute = at.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        offset = minute - at
        scheduled = time.perf_counter() + LEAD_S  # when the shifted clock reads ``minute``

        def clock() -> dt.datetime:
            return dt.datetime.now(dt.UTC) + offset

        scheduler = Scheduler(db, core, {"slack": SlackPoster(_client(emulator))}, clock=clock)
        place = Place(platform="slack", workspace=PLACE_WORKSPACE, channel="C333")
        reply = await Digests(scheduler).command(f"daily {minute:%H:%M} UTC", place, by="U1")
        if not reply.text.startswith("Subscribed"):
            raise RuntimeError(f"subscribing failed: {reply.text}")
        sent = len(_posts(emulator))
        async with scheduler:
            await _until(lambda: _is(db, 2), 10, "the baseline")
            # Let that first round end: a wake() during a round is lost (the loop clears the
            # event after the round), and this figure is the digest's, not that race's.
            await asyncio.sleep(0.5)
            core.engine = after
            scheduler.wake()
            await _until(lambda: _is(db, 2 + new), 10, "the new articles noted")
            noted = time.perf_counter()
            await _until(lambda: len(_posts(emulator)) > sent, LEAD_S + 15, "the digest")
        when, body = _posts(emulator)[sent]
        listed = sum(
            b["text"]["text"].count("council backs")
            for b in body.get("blocks", [])
            if b.get("type") == "section"
        )
        return {
            "latency_s": when - scheduled,
            "noted_before_s": scheduled - noted,  # >0: the articles were new before the time
            "articles_listed": listed,
        }
    finally:
        await db.close()


async def _is(db: Any, n: int) -> bool:
    return await _known(db) >= n


async def measure_digest(tmp: Path, repeats: int, new: int = NEW_ARTICLES) -> dict[str, Any]:
    emulator = await _emulator().start()
    try:
        runs = []
        for i in range(repeats):
            runs.append(await _digest_once(tmp / f"digest-{i}", emulator, new))
    finally:
        await emulator.close()
    latencies = [r["latency_s"] for r in runs]
    return {
        "new_articles": new,
        "lead_s": LEAD_S,
        "articles_listed": [r["articles_listed"] for r in runs],
        "noted_before_s": [r["noted_before_s"] for r in runs],
        "latency_s": _summary(latencies),
    }


# --- 3. alert latency -------------------------------------------------------------------------


async def _alert_once(tmp: Path, emulator: Any) -> dict[str, Any]:
    from bot import LiveEngine, Place
    from handlers.deliveries import open_deliveries
    from handlers.slack.digests import SlackPoster

    today = dt.datetime.now(dt.UTC).date()
    folder = tmp / "corpus"
    _bundled(folder)
    for n in range(3):
        _story(n, today, folder)
    settings = _settings(
        folder, tmp / "index", briefbot_database_url=f"sqlite+aiosqlite:///{tmp / 'b.db'}"
    )
    live = LiveEngine.load(settings)
    before = len(_posts(emulator))
    place = Place(platform="slack", workspace=PLACE_WORKSPACE, channel="C333")
    async with live, open_deliveries(settings, live) as d:
        d.scheduler.posters["slack"] = SlackPoster(_client(emulator))
        reply = await d.digests.command(f"alert {ALERT_TOPIC}", place, by="U1")
        if not reply.text.startswith("Subscribed"):
            raise RuntimeError(f"subscribing failed: {reply.text}")
        await _until(lambda: _is(d.db, 4), 10, "the baseline")
        await asyncio.sleep(1.0)  # the watch is up and the folder quiet
        body = (
            "The Zorblat harbour tunnel opened to traffic on Saturday after six years of "
            "digging, the port authority said."
        )
        _write_article(
            folder, "zorblat.md", "Zorblat harbour tunnel opens", today, body, [ALERT_TOPIC]
        )
        arrived = time.perf_counter()
        await _until(lambda: len(_posts(emulator)) > before, 30, "the alert")
        reloaded = live.generation
    when, _ = _posts(emulator)[before]
    return {
        "latency_s": when - arrived,
        "alert_interval_s": settings.briefbot_alert_interval,
        "reloads": reloaded,
    }


async def measure_alert(tmp: Path, repeats: int) -> dict[str, Any]:
    emulator = await _emulator().start()
    try:
        runs = []
        for i in range(repeats):
            runs.append(await _alert_once(tmp / f"alert-{i}", emulator))
    finally:
        await emulator.close()
    return {
        "alert_interval_s": runs[0]["alert_interval_s"],
        "latency_s": _summary([r["latency_s"] for r in runs]),
    }


# --- 4. the burst -----------------------------------------------------------------------------


async def _ask_all(core: Any, texts: Sequence[str]) -> list[float]:
    ms = []
    for q in texts:
        t = time.perf_counter()
        await core.ask(q)
        ms.append((time.perf_counter() - t) * 1000)
    return ms


async def measure_burst(tmp: Path, channels: int, usual: int = USUAL_ASKS) -> dict[str, Any]:
    from bot import Database, Digests, Engine, LiveEngine, Place, Scheduler
    from handlers.slack.digests import SlackPoster
    from tests.handlers.deliveries_setup import Clock

    today = dt.datetime.now(dt.UTC).date()
    old, full = tmp / "corpus-before", tmp / "corpus-after"
    _bundled(old)
    _bundled(full)
    for n in range(NEW_ARTICLES):
        _story(n, today, full)
    before = Engine.load(_settings(old, tmp / "index-before"))
    after = Engine.load(_settings(full, tmp / "index-after"))
    core = LiveEngine(before)
    emulator = await _emulator().start()
    db = await Database.open(f"sqlite+aiosqlite:///{tmp / 'briefbot.db'}")
    try:
        start = dt.datetime.combine(today, dt.time(7, 0), dt.UTC)
        due = start + dt.timedelta(hours=1)
        clock = Clock(start)
        scheduler = Scheduler(db, core, {"slack": SlackPoster(_client(emulator))}, clock=clock)
        digests = Digests(scheduler)
        t = time.perf_counter()
        for c in range(channels):
            channel = f"C{1000 + c}"
            emulator.channels[channel] = {"id": channel, "is_member": True}
            place = Place(platform="slack", workspace=PLACE_WORKSPACE, channel=channel)
            for topic in _BURST_TOPICS[:PER_CHANNEL]:
                on = f" on {topic}" if topic else ""
                reply = await digests.command(f"daily {due:%H:%M} UTC{on}", place, by="U1")
                if not reply.text.startswith("Subscribed"):
                    raise RuntimeError(f"subscribing failed: {reply.text}")
        subscribe_s = time.perf_counter() - t
        subscriptions = channels * PER_CHANNEL
        await scheduler.tick()  # the baseline (the bundled corpus); nothing due yet
        core.engine = after
        clock.now = start + dt.timedelta(minutes=1)
        await scheduler.tick()  # the new articles noted
        texts = questions()
        await _ask_all(core, texts[-20:])  # warm: the first answers build caches
        usual_ms = await _ask_all(core, [texts[i % len(texts)] for i in range(usual)])
        clock.now = due + dt.timedelta(seconds=1)
        sent = len(_posts(emulator))
        t = time.perf_counter()
        burst = asyncio.create_task(scheduler.tick())
        during_ms: list[float] = []
        i = usual
        while not burst.done():
            q = texts[i % len(texts)]
            i += 1
            a = time.perf_counter()
            await core.ask(q)
            during_ms.append((time.perf_counter() - a) * 1000)
        await burst
        burst_s = time.perf_counter() - t
        posts = _posts(emulator)[sent:]
        last_post_s = (posts[-1][0] - t) if posts else None
    finally:
        await db.close()
        await emulator.close()
    u, b = latency_summary(usual_ms), latency_summary(during_ms)
    return {
        "channels": channels,
        "subscriptions": subscriptions,
        "subscribe_s": subscribe_s,
        "posted": scheduler.posted,
        "posts_received": len(posts),
        "burst_s": burst_s,
        "last_post_s": last_post_s,
        "deliveries_per_s": scheduler.posted / burst_s if burst_s else None,
        "ask_usual_ms": u,
        "ask_burst_ms": b,
        "p99_ratio": b["p99"] / u["p99"] if u["p99"] else None,
        "p50_ratio": b["p50"] / u["p50"] if u["p50"] else None,
    }


# --- all of it --------------------------------------------------------------------------------


def measure(quick: bool = False, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Every figure (``quick``: 200 subscriptions, one repeat of each latency). A part that
    fails is ``{"skipped": why}``, the others are still measured."""
    say = log or (lambda _: None)
    repeats = 1 if quick else 3
    channels = 40 if quick else CHANNELS
    figures: dict[str, Any] = {"quick": quick}
    with tempfile.TemporaryDirectory(prefix="briefbot-digests-") as name:
        tmp = Path(name)
        parts: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
            (
                "startup",
                f"start-up with the database, {STARTUP_RUNS} fresh processes per case",
                lambda: measure_startup(tmp / "startup"),
            ),
            (
                "digest",
                f"a digest of {NEW_ARTICLES} new articles through the delivery loop ({repeats}×)",
                lambda: asyncio.run(measure_digest(tmp / "digest", repeats)),
            ),
            (
                "alert",
                f"an alert on a new article file, live engine watching ({repeats}×)",
                lambda: asyncio.run(measure_alert(tmp / "alert", repeats)),
            ),
            (
                "burst",
                f"a burst of {channels * PER_CHANNEL:,} digests on {channels} channels",
                lambda: asyncio.run(measure_burst(tmp / "burst", channels)),
            ),
        ]
        for key, what, run in parts:
            say(f"digests: {what}")
            try:
                figures[key] = run()
            except Exception as exc:  # report it, measure the rest
                figures[key] = {"skipped": f"{type(exc).__name__}: {exc}"}
    figures["goals"] = goals(figures)
    return figures


def goals(figures: dict[str, Any]) -> dict[str, bool | None]:
    """Each goal met (True), missed (False) or not measured (None)."""
    s, d, a, b = (figures[k] for k in ("startup", "digest", "alert", "burst"))
    ok = "skipped" not in s
    return {
        "startup": s["existing"]["total_s"] <= STARTUP_GOAL_S if ok else None,
        "startup_new_file": s["new"]["total_s"] <= STARTUP_GOAL_S if ok else None,
        "digest": d["latency_s"]["max"] <= DIGEST_GOAL_S if "skipped" not in d else None,
        "alert": a["latency_s"]["max"] <= ALERT_QUIET_GOAL_S if "skipped" not in a else None,
        "burst": (
            b["p99_ratio"] is not None
            and b["posted"] == b["subscriptions"]
            and b["p99_ratio"] <= BURST_RATIO_GOAL
            if "skipped" not in b
            else None
        ),
    }


def _met(ok: bool | None) -> str:
    return "not measured" if ok is None else "[green]met[/green]" if ok else "[red]NOT met[/red]"


def table(figures: dict[str, Any]) -> Table:
    """The figures against the goals."""
    s, d, a, b, g = (figures[k] for k in ("startup", "digest", "alert", "burst", "goals"))
    t = Table(title="Digests and alerts (SQLite, Slack emulator in-process)")
    t.add_column("figure")
    t.add_column("measured", justify="right")
    t.add_column("goal")
    for key, part in (("start-up", s), ("digest", d), ("alert", a), ("burst", b)):
        if "skipped" in part:
            t.add_row(key, f"[yellow]not measured[/yellow]: {part['skipped']}", "")
    if "skipped" not in s:
        cases = (
            ("existing", "restart, current file", "startup"),
            ("new", "new file (schema made)", "startup_new_file"),
        )
        for case, label, goal in cases:
            c = s[case]
            t.add_row(
                f"start-up added, {label}",
                f"{c['total_s']:.3f} s (import {c['import_s']:.3f} + open {c['open_s']:.3f})",
                f"≤ {STARTUP_GOAL_S:g} s: {_met(g[goal])}",
            )
    if "skipped" not in d:
        lat = d["latency_s"]
        t.add_row(
            f"digest of {d['new_articles']} new articles, after its time",
            f"median {lat['median']:.3f} s, max {lat['max']:.3f} s ({len(lat['runs'])} runs)",
            f"≤ {DIGEST_GOAL_S:g} s: {_met(g['digest'])}",
        )
    if "skipped" not in a:
        lat = a["latency_s"]
        t.add_row(
            "alert, quiet channel, after the file is written",
            f"median {lat['median']:.3f} s, max {lat['max']:.3f} s ({len(lat['runs'])} runs)",
            f"≤ {ALERT_QUIET_GOAL_S:g} s: {_met(g['alert'])}",
        )
    if "skipped" not in b:
        t.add_row(
            f"burst: {b['subscriptions']:,} digests on {b['channels']} channels",
            f"{b['burst_s']:.2f} s, {b['deliveries_per_s']:.0f} digests/s, {b['posted']:,} posted",
            "all posted",
        )
        u, x = b["ask_usual_ms"], b["ask_burst_ms"]
        t.add_row(
            "ask p50 / p99, usual → during the burst",
            f"{u['p50']:.1f} / {u['p99']:.1f} → {x['p50']:.1f} / {x['p99']:.1f} ms "
            f"(n {u['n']} / {x['n']})",
            "",
        )
        t.add_row(
            "ask p99 during / usual",
            f"{b['p99_ratio']:.2f}×",
            f"≤ {BURST_RATIO_GOAL:g}×: {_met(g['burst'])}",
        )
    return t


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.digests", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="200 subscriptions, one repeat each")
    ap.add_argument("--out", type=Path, default=None, help="write every figure to this JSON file")
    args = ap.parse_args(argv)
    log = Console(stderr=True)
    figures = measure(quick=args.quick, log=log.log)
    console = Console()
    console.print(table(figures))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2, default=str))
        console.print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
