"""The printed report: quality and speed tables, ratios to the best baseline, goals."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.baselines import REFERENCE

BASELINE_NAMES = ("bm25s", "tantivy", "tantivy+fuzzy")
BEST_QUALITY = "tantivy+fuzzy"
MIB_LIMIT_1M = 1.5 * 1024


def _f(value: Any, spec: str = ".3f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(value, spec)


def _get(fig: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(fig, dict) or key not in fig:
            return None
        fig = fig[key]
    return fig


def quality_table(figures: dict[str, Any]) -> Table:
    """One row per system: quality on clean and typo questions, latency, build time."""
    meta = figures["meta"]
    t = Table(
        title=f"Answer quality and speed — {meta['questions']} questions, "
        f"{meta['sentences']} sentences ({meta['sentence_source']}), one index",
        caption=f"latency per question in ms; mean sentence length {meta['sentence_chars']:.0f} "
        "chars; 'quote' = mean chars of the top quote",
    )
    for col in ("system", "hit@1", "hit@3", "MRR@10", "not found", "typo hit@1", "typo hit@3"):
        t.add_column(col, justify="right" if col != "system" else "left")
    for col in ("typo MRR", "mark F1", "mark EM", "p50", "p95", "p99", "build s", "quote"):
        t.add_column(col, justify="right")
    for name, s in figures["systems"].items():
        if "skipped" in s:
            t.add_row(name, f"[dim]{s['skipped']}[/dim]")
            continue
        c, ty, lat = s["clean"], s["typo"], s["latency_ms"]
        t.add_row(
            name,
            _f(c["hit@1"]),
            _f(c["hit@3"]),
            _f(c["mrr@10"]),
            _f(c["not_found"]),
            _f(ty["hit@1"]),
            _f(ty["hit@3"]),
            _f(ty["mrr@10"]),
            _f(c.get("highlight_f1")),
            _f(c.get("highlight_em")),
            _f(lat["p50"], ".2f"),
            _f(lat["p95"], ".2f"),
            _f(lat["p99"], ".2f"),
            _f(s.get("build_s"), ".2f"),
            _f(c["top_quote_chars"], ".0f"),
        )
    return t


def reference_table(figures: dict[str, Any]) -> Table:
    """Each baseline beside the reference figures measured elsewhere (validates the setup)."""
    t = Table(title="Baselines vs reference figures (split A, 5,173 sentences) — measured (ref)")
    for col in ("baseline", "hit@1", "hit@3", "typo hit@1", "p50 ms"):
        t.add_column(col, justify="right" if col != "baseline" else "left")
    for name in BASELINE_NAMES:
        s = figures["systems"].get(name)
        if not s or "skipped" in s:
            continue
        ref = REFERENCE[name]
        t.add_row(
            name,
            f"{s['clean']['hit@1']:.3f} ({ref['hit@1']:.3f})",
            f"{s['clean']['hit@3']:.3f} ({ref['hit@3']:.3f})",
            f"{s['typo']['hit@1']:.3f} ({ref['typo hit@1']:.3f})",
            f"{s['latency_ms']['p50']:.2f} ({ref['p50']:.2f})",
        )
    return t


#: (label, path into a system's figures, higher is better)
RATIO_METRICS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("hit@1", ("clean", "hit@1"), True),
    ("hit@3", ("clean", "hit@3"), True),
    ("MRR@10", ("clean", "mrr@10"), True),
    ("typo hit@1", ("typo", "hit@1"), True),
    ("p50 ms", ("latency_ms", "p50"), False),
    ("p99 ms", ("latency_ms", "p99"), False),
    ("build s", ("build_s",), False),
)


def ratios(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Ours / the best baseline on each metric (best = highest quality, lowest time)."""
    systems = figures["systems"]
    ours = systems.get("ours")
    if not ours or "skipped" in ours:
        return []
    rows = []
    for label, path, higher in RATIO_METRICS:
        values = {
            n: _get(systems[n], *path)
            for n in BASELINE_NAMES
            if n in systems and _get(systems[n], *path) is not None
        }
        mine = _get(ours, *path)
        if not values or mine is None:
            continue
        best = (max if higher else min)(values, key=lambda n: values[n])
        ratio = mine / values[best] if values[best] else math.nan
        rows.append(
            {
                "metric": label,
                "ours": mine,
                "best": best,
                "best_value": values[best],
                "ratio": ratio,
                "better": mine >= values[best] if higher else mine <= values[best],
                "vs_fuzzy": mine / values[BEST_QUALITY] if values.get(BEST_QUALITY) else None,
            }
        )
    return rows


def ratio_table(rows: list[dict[str, Any]]) -> Table:
    """The ratios as a table."""
    t = Table(title="Ours / best baseline (quality: >1 is better; time: <1 is better)")
    for col in ("metric", "ours", "best baseline", "value", "ratio", f"vs {BEST_QUALITY}"):
        t.add_column(col, justify="left" if col in ("metric", "best baseline") else "right")
    for r in rows:
        spec = ".3f" if "hit" in r["metric"] or "MRR" in r["metric"] else ".2f"
        colour = "green" if r["better"] else "red"
        t.add_row(
            r["metric"],
            _f(r["ours"], spec),
            r["best"],
            _f(r["best_value"], spec),
            f"[{colour}]{_f(r['ratio'], '.2f')}×[/{colour}]",
            _f(r["vs_fuzzy"], ".2f") + "×",
        )
    return t


def cli_table(figures: dict[str, Any]) -> Table:
    """Our engine through other paths: the batch CLI, the seed set, off-topic questions."""
    t = Table(title="Our engine: batch CLI, memory, seed set, off-topic questions")
    t.add_column("measure")
    t.add_column("value", justify="right")
    cli = figures.get("cli") or {}
    if "skipped" in cli:
        t.add_row("briefbot ask --json - (batch)", f"skipped: {cli['skipped']}")
    elif cli:
        t.add_row(f"briefbot ask --json - ({cli['n']} questions) wall", f"{cli['wall_s']:.2f} s")
        t.add_row("  per question (incl. start-up and load)", f"{cli['per_question_ms']:.2f} ms")
        t.add_row("  hit@1 from the CLI output", _f(cli.get("hit@1")))
    ours = figures["systems"].get("ours", {})
    if ours.get("traced_build_peak_mib") is not None:
        t.add_row(
            "index build, peak Python heap (tracemalloc)",
            f"{ours['traced_build_peak_mib']:.1f} MiB",
        )
    if ours.get("peak_rss_mib") is not None:
        t.add_row("bench process peak RSS after our runs", f"{ours['peak_rss_mib']:.0f} MiB")
    seed = figures.get("seed") or {}
    if "skipped" in seed:
        t.add_row("seed question set", f"skipped: {seed['skipped']}")
    elif seed:
        t.add_row("seed question set", f"{seed['passed']}/{seed['total']}")
        for miss in seed.get("misses", [])[:6]:
            t.add_row(f"  [dim]{miss[:90]}[/dim]", "")
    for item in figures.get("off_topic") or []:
        verdict = "not found" if item["not_found"] else f"ANSWERED: {item['top'][:50]!r}"
        t.add_row(f"off-topic: {item['question']}", verdict)
    return t


def _pct(value: Any) -> str:
    return _f(None if value is None else 100 * value, ".1f") + (" %" if value is not None else "")


def sets_table(figures: dict[str, Any]) -> Table:
    """Each system on every question set, as it answers out of the box (a baseline always
    quotes its top sentence), with how well its top score separates the sets."""
    sets = figures["sets"]
    n = sets["n"]
    t = Table(
        title="Question sets beside SQuAD, as shipped — "
        f"{n['paraphrase']} paraphrase, {n['off_topic']} off-topic, "
        f"{n['unanswerable']} unanswerable questions",
        caption="paraphrase hit@1: a gold answer in the top quote, 'not found' a miss; "
        "quoted: share of questions no article answers that got a quote (lower is better); "
        "AUC: the top score separating paraphrases from off-topic / unanswerable questions "
        f"(ours: {_get(sets, 'systems', 'ours', 'score') or '–'})",
    )
    for col in (
        "system",
        "SQuAD hit@1",
        "para hit@1",
        "para not found",
        "off-topic quoted",
        "unans. quoted",
        "AUC para/off",
        "AUC para/unans",
    ):
        t.add_column(col, justify="left" if col == "system" else "right")
    for name, s in sets["systems"].items():
        shipped = s.get("shipped") or {}
        t.add_row(
            name,
            _f(_get(figures["systems"], name, "clean", "hit@1")),
            _f(shipped.get("hit@1")),
            _pct(shipped.get("not_found")),
            _pct(shipped.get("off_topic_quoted")),
            _pct(shipped.get("unanswerable_quoted")),
            _f(s.get("auc_off_topic")),
            _f(s.get("auc_unanswerable")),
        )
    return t


#: (label, key in a system's set figures) of the trade-off table's operating points.
OPERATING_POINTS = (
    ("shipped threshold", "at_shipped"),
    ("off-topic quoted ≤ 10 %", "at_off_topic_goal"),
    ("not found ≤ 8 %", "at_not_found_goal"),
)


def trade_off_table(figures: dict[str, Any]) -> Table:
    """Each system at a few thresholds on its own top score: the answerability trade-off."""
    t = Table(
        title="Answerability trade-off — quote only when the top score reaches a threshold",
        caption="thresholds over each system's own score (ours: the reader's P(answers) of "
        "its best passage; from words alone, its top passage score; "
        "baselines: BM25 of the top sentence); "
        "lowest threshold meeting 'off-topic ≤ 10 %', highest meeting 'not found ≤ 8 %'",
    )
    for col in (
        "system",
        "operating point",
        "threshold",
        "para hit@1",
        "para not found",
        "off-topic quoted",
        "unans. quoted",
    ):
        t.add_column(col, justify="left" if col in ("system", "operating point") else "right")
    for name, s in figures["sets"]["systems"].items():
        for label, key in OPERATING_POINTS:
            p = s.get(key)
            if not p:
                continue
            t.add_row(
                name,
                label,
                _f(p["threshold"], ".3g"),
                _f(p["hit@1"]),
                _pct(p["not_found"]),
                _pct(p["off_topic_quoted"]),
                _pct(p["unanswerable_quoted"]),
            )
    return t


def scale_table(figures: dict[str, Any]) -> Table:
    """Build time, latency and peak RSS per (system, size), each measured in its own process."""
    t = Table(title="Scale (replicated corpus; each row its own process; clean questions)")
    for col in (
        "target",
        "system",
        "sentences",
        "build s",
        "p50 ms",
        "p99 ms",
        "peak RSS MiB",
        "RSS before MiB",
    ):
        t.add_column(col, justify="left" if col == "system" else "right")
    for r in figures.get("scale") or []:
        if "skipped" in r:
            t.add_row(f"{r['target']:,}", r["system"], f"[dim]skipped: {r['skipped']}[/dim]")
            continue
        lat = r["latency_ms"]
        t.add_row(
            f"{r['target']:,}",
            r["system"],
            f"{r['sentences']:,}",
            _f(r["build_s"], ".1f"),
            _f(lat["p50"], ".2f"),
            _f(lat["p99"], ".2f"),
            _f(r["peak_rss_mb"], ".0f"),
            _f(r["rss_before_mb"], ".0f"),
        )
    return t


def persist_table(figures: dict[str, Any]) -> Table:
    """The saved index per size: restart, a new article's way into answers, memory, disk; and
    tantivy's on-disk index measured the same way (the store it was chosen against)."""
    t = Table(title="Saved index and live updates (each figure its own process)")
    for col in (
        "target",
        "store",
        "restart s",
        "words alone",
        "load s",
        "1st answer s",
        "restart RSS MiB",
        "add → answer s",
        "p99 ms before",
        "p99 ms during",
        "build s",
        "save s",
        "disk MiB",
    ):
        t.add_column(col, justify="left" if col == "store" else "right")
    for r in figures.get("scale") or []:
        p = r.get("persist")
        if r["system"] != "ours" or not p:
            continue
        cli, reopen, live = p.get("cli", {}), p.get("reopen", {}), p.get("live", {})
        t.add_row(
            f"{r['target']:,}",
            "briefbot (own files)",
            _f(cli.get("median_s"), ".2f"),
            _f(_get(p, "cli_words", "median_s"), ".2f"),
            _f(reopen.get("load_s"), ".2f"),
            _f(reopen.get("first_answer_s"), ".3f"),
            _f(reopen.get("peak_rss_mb"), ".0f"),
            _f(live.get("add_s"), ".2f"),
            _f(_get(live, "latency_before_ms", "p99"), ".1f"),
            _f(_get(live, "latency_during_ms", "p99"), ".1f"),
            _f(r.get("build_s"), ".1f"),
            _f(r.get("save_s"), ".1f"),
            _f(p.get("disk_mb"), ".0f"),
        )
        tv = p.get("tantivy")
        if tv:
            build, again = tv.get("build", {}), tv.get("reopen", {})
            t.add_row(
                f"{r['target']:,}",
                "tantivy on disk (first stage only)",
                _f(again.get("total_s"), ".2f"),
                "",
                _f(again.get("open_and_first_s"), ".2f"),
                "",
                _f(again.get("peak_rss_mb"), ".0f"),
                _f(again.get("add_s"), ".2f"),
                "",
                "",
                _f(build.get("build_s"), ".1f"),
                "",
                _f(build.get("disk_mb"), ".0f"),
            )
    return t


@dataclass(frozen=True)
class Goal:
    """One target of the issue and whether this run met it."""

    name: str
    value: float | None
    limit: float
    higher: bool
    spec: str = ".3f"
    issue: str = ""

    @property
    def status(self) -> str:
        """One of: met, NOT met, not measured."""
        if self.value is None or math.isnan(self.value):
            return "not measured"
        ok = self.value >= self.limit if self.higher else self.value <= self.limit
        return "met" if ok else "NOT met"


def goals(figures: dict[str, Any]) -> list[Goal]:
    """The goals of the issue evaluated on these figures."""
    ours = figures["systems"].get("ours", {})
    g: Callable[..., Any] = lambda *p: _get(ours, *p)  # noqa: E731
    big = [
        r
        for r in figures.get("scale") or []
        if r["system"] == "ours" and r["target"] >= 900_000 and "skipped" not in r
    ]
    at_1m = big[-1] if big else {}
    small = [
        r
        for r in figures.get("scale") or []
        if r["system"] == "ours" and r["target"] < 900_000 and "skipped" not in r
    ]
    at_100k = small[-1] if small else {}
    live_1m = _get(at_1m, "persist", "live") or {}
    p99_before = _get(live_1m, "latency_before_ms", "p99")
    p99_during = _get(live_1m, "latency_during_ms", "p99")
    seed = figures.get("seed") or {}
    off = figures.get("off_topic")
    shipped: Callable[[str], Any] = lambda key: _get(  # noqa: E731
        figures, "sets", "systems", "ours", "shipped", key
    )
    return [
        Goal("SQuAD clean hit@1 (reader)", g("clean", "hit@1"), 0.85, True, issue="15"),
        Goal("SQuAD typo hit@1 (reader)", g("typo", "hit@1"), 0.80, True, issue="15"),
        Goal("highlight F1, SQuAD", g("clean", "highlight_f1"), 0.65, True, issue="15"),
        Goal("paraphrase hit@1 (reader)", shipped("hit@1"), 0.80, True, issue="15"),
        Goal("paraphrase 'not found' (reader)", shipped("not_found"), 0.05, False, ".1%", "15"),
        Goal("off-topic quoted (reader)", shipped("off_topic_quoted"), 0.05, False, ".1%", "15"),
        Goal(
            "unanswerable quoted (reader)", shipped("unanswerable_quoted"), 0.45, False, ".1%", "15"
        ),
        Goal("p50 ms at ~5k, reader included", g("latency_ms", "p50"), 40.0, False, ".2f", "15"),
        Goal("p99 ms at ~5k, reader included", g("latency_ms", "p99"), 120.0, False, ".2f", "15"),
        Goal("SQuAD clean hit@1", g("clean", "hit@1"), 0.75, True, issue="5, 11"),
        Goal("SQuAD clean hit@3", g("clean", "hit@3"), 0.87, True, issue="5"),
        Goal("SQuAD typo hit@1", g("typo", "hit@1"), 0.71, True, issue="5, 11"),
        Goal("paraphrase hit@1", shipped("hit@1"), 0.70, True, issue="11"),
        Goal("paraphrase 'not found'", shipped("not_found"), 0.08, False, ".1%", "11"),
        Goal("off-topic set quoted", shipped("off_topic_quoted"), 0.10, False, ".1%", "11"),
        Goal(
            "unanswerable set quoted (stretch)",
            shipped("unanswerable_quoted"),
            0.50,
            False,
            ".1%",
            "11",
        ),
        Goal("p50 ms (this size)", g("latency_ms", "p50"), 1.0, False, ".2f", "5"),
        Goal("p99 ms (this size)", g("latency_ms", "p99"), 5.0, False, ".2f", "5"),
        Goal("p50 ms at ~5k sentences", g("latency_ms", "p50"), 15.0, False, ".2f", "11"),
        Goal("p99 ms at ~5k sentences", g("latency_ms", "p99"), 60.0, False, ".2f", "11"),
        Goal("1M p50 ms", _get(at_1m, "latency_ms", "p50"), 15.0, False, ".2f", "5"),
        Goal(
            "1M p50 ms, words + reader",
            _get(at_1m, "latency_reader_ms", "p50"),
            100.0,
            False,
            ".2f",
            "15",
        ),
        Goal(
            "1M p50 ms, vectors + reader",
            _get(at_1m, "persist", "ask_semantic_ms", "p50"),
            100.0,
            False,
            ".2f",
            "15",
        ),
        Goal("1M build s", _get(at_1m, "build_s"), 30.0, False, ".1f", "5"),
        Goal("1M peak RSS MiB", _get(at_1m, "peak_rss_mb"), MIB_LIMIT_1M, False, ".0f", "5"),
        Goal(
            "seed set passed",
            seed.get("passed"),
            float(seed.get("total") or 16),
            True,
            ".0f",
            "5, 11",
        ),
        Goal("ingest 50-item feed s", _get(figures, "ingest", "seconds"), 10.0, False, ".1f", "10"),
        Goal(
            "100k restart + 1st answer s",
            _get(at_100k, "persist", "cli", "median_s"),
            1.0,
            False,
            ".2f",
            "10",
        ),
        Goal(
            "100k restart, words alone s",
            _get(at_100k, "persist", "cli_words", "median_s"),
            1.0,
            False,
            ".2f",
            "10",
        ),
        Goal(
            "1M restart + 1st answer s",
            _get(at_1m, "persist", "cli", "median_s"),
            3.0,
            False,
            ".2f",
            "10",
        ),
        Goal(
            "1M restart, words alone s",
            _get(at_1m, "persist", "cli_words", "median_s"),
            3.0,
            False,
            ".2f",
            "10",
        ),
        Goal("1M new article answered s", live_1m.get("add_s"), 2.0, False, ".2f", "10"),
        Goal(
            "1M p99 during update / usual",
            p99_during / p99_before if p99_before and p99_during else None,
            2.0,
            False,
            ".2f",
            "10",
        ),
        Goal(
            "off-topic answered 'not found'",
            sum(i["not_found"] for i in off) if off else None,
            float(len(off or [])),
            True,
            ".0f",
            "5",
        ),
    ]


def goals_table(items: list[Goal]) -> Table:
    """The goals with their values and status."""
    t = Table(title="Goals")
    for col in ("goal", "value", "target", "status", "issue"):
        t.add_column(col, justify="left" if col in ("goal", "status") else "right")
    colours = {"met": "green", "NOT met": "red", "not measured": "yellow"}
    for goal in items:
        colour = colours[goal.status]
        t.add_row(
            goal.name,
            _f(goal.value, goal.spec),
            ("≥ " if goal.higher else "≤ ") + format(goal.limit, goal.spec),
            f"[{colour}]{goal.status}[/{colour}]",
            goal.issue,
        )
    return t


def print_report(figures: dict[str, Any], console: Console) -> None:
    """Print every table of the report."""
    console.print(quality_table(figures))
    if any(n in figures["systems"] for n in BASELINE_NAMES):
        console.print(reference_table(figures))
    rows = ratios(figures)
    figures["ratios"] = rows
    if rows:
        console.print(ratio_table(rows))
    console.print(cli_table(figures))
    ingest = figures.get("ingest") or {}
    if "seconds" in ingest:
        console.print(
            f"briefbot ingest: feed of {ingest['items']} items (~{ingest['page_kb']} KB pages) on "
            f"127.0.0.1 in {ingest['seconds']:.2f} s wall, {ingest['added']} added"
        )
    elif ingest:
        console.print(f"[yellow]ingest not measured:[/yellow] {ingest['skipped']}")
    if _get(figures, "sets", "systems"):
        console.print(sets_table(figures))
        if any(
            key in s for s in figures["sets"]["systems"].values() for _, key in OPERATING_POINTS
        ):
            console.print(trade_off_table(figures))
    for name, s in (_get(figures, "sets", "systems") or {}).items():
        for note in s.get("notes") or []:
            console.print(f"[yellow]note ({name}):[/yellow] {note}")
    if _get(figures, "sets", "plot"):
        console.print(f"trade-off plot written to {figures['sets']['plot']}")
    if figures.get("scale"):
        console.print(scale_table(figures))
        if any(r.get("persist") for r in figures["scale"]):
            console.print(persist_table(figures))
    items = goals(figures)
    figures["goals"] = [
        {"goal": i.name, "value": i.value, "target": i.limit, "status": i.status, "issue": i.issue}
        for i in items
    ]
    console.print(goals_table(items))
    for note in figures.get("notes") or []:
        console.print(f"[yellow]note:[/yellow] {note}")
