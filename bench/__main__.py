"""``python -m bench``: briefbot's answer quality and speed beside bm25s and tantivy.

Prints tables; ``--out FILE`` also writes every figure as JSON. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import answerability, data, ours, report
from bench import digests as digests_bench
from bench import ingest as ingest_bench
from bench import persist as persist_bench
from bench.baselines import BEST_AT_SCALE, BUILDERS, Retriever
from bench.metrics import Outcome, latency_summary, score
from bench.scale import rss_mb, run_worker

QUICK_QUESTIONS = 600
QUICK_SET_QUESTIONS = 100
QUICK_SAMPLE = 100
SAMPLE = 300


def parse_size(text: str) -> int:
    """``100000``, ``100k``, ``1m`` or ``1_000_000`` as an int."""
    m = re.fullmatch(r"([\d_.]+)\s*([kKmM]?)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    return int(float(m.group(1).replace("_", "")) * factor)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_QUESTIONS} SQuAD questions, {QUICK_SET_QUESTIONS} of each other set, "
        f"100k scale only with {QUICK_SAMPLE} questions (about a minute)",
    )
    ap.add_argument(
        "--scale",
        nargs="*",
        type=parse_size,
        default=None,
        metavar="N",
        help="sentence counts for the scale runs, e.g. 100k 1m "
        "(default 100k 1m; quick 100k; give none to skip)",
    )
    ap.add_argument("--no-baselines", action="store_true", help="measure our engine only")
    ap.add_argument(
        "--questions",
        type=int,
        default=None,
        metavar="N",
        help="use about N questions (even stride over the set)",
    )
    ap.add_argument(
        "--set-questions",
        type=int,
        default=None,
        metavar="N",
        help="use about N questions of each of the paraphrase, off-topic and unanswerable sets",
    )
    ap.add_argument(
        "--eval-dir",
        type=Path,
        default=data.EVAL_DIR,
        metavar="DIR",
        help="where the question sets are (default ../shared/eval beside the repository)",
    )
    ap.add_argument(
        "--sample",
        type=int,
        default=None,
        metavar="N",
        help=f"questions timed per scale run (default {SAMPLE}; quick {QUICK_SAMPLE})",
    )
    ap.add_argument("--out", type=Path, default=None, help="write every figure to this JSON file")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="only profile our engine's ask over the questions (top 25 functions)",
    )
    ap.add_argument("--squad", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.squad is None:
        args.squad = args.eval_dir / data.SQUAD_NAME
    if args.set_questions is None and args.quick:
        args.set_questions = QUICK_SET_QUESTIONS
    if args.scale is None:
        args.scale = [100_000] if args.quick else [100_000, 1_000_000]
    if args.questions is None and args.quick:
        args.questions = QUICK_QUESTIONS
    if args.sample is None:
        args.sample = QUICK_SAMPLE if args.quick else SAMPLE
    return args


def run_baseline(
    retriever: Retriever, sentences: Sequence[data.Sentence], questions: Sequence[data.Question]
) -> dict[str, Any]:
    """Quality (clean and typo) and per-question latency (clean) of one baseline."""
    golds = [q.answers for q in questions]
    out: dict[str, Any] = {"build_s": retriever.build_s}
    for kind in ("clean", "typo"):
        texts = [q.question if kind == "clean" else q.typo for q in questions]
        for q in texts[:5]:
            retriever.search(q)
        outcomes, ms = [], []
        for q in texts:
            t = time.perf_counter()
            ids = retriever.search(q, 10)
            ms.append((time.perf_counter() - t) * 1000)
            outcomes.append(Outcome(tuple(sentences[i].text for i in ids), bool(ids)))
        out[kind] = score(outcomes, golds).as_dict()
        out["latency_ms" if kind == "clean" else "typo_latency_ms"] = latency_summary(ms)
    return out


def measure_ours(
    engine: Any,
    build_s: float,
    corpus: Path,
    questions: Sequence[data.Question],
    console: Console,
    trace: bool = True,
) -> dict[str, Any]:
    """Our engine through the async API on clean and typo questions, plus the build's heap."""
    golds = [q.answers for q in questions]
    out: dict[str, Any] = {"build_s": build_s}
    for kind in ("clean", "typo"):
        console.log(f"ours: {len(questions)} {kind} questions through await engine.ask")
        texts = [q.question if kind == "clean" else q.typo for q in questions]
        outcomes, ms = ours.ask_all(engine, texts)
        out[kind] = score(outcomes, golds).as_dict()
        out["latency_ms" if kind == "clean" else "typo_latency_ms"] = latency_summary(ms)
    if trace:
        console.log("ours: index build again under tracemalloc")
        out["traced_build_peak_mib"] = ours.traced_build_peak(corpus)
    out["peak_rss_mib"] = rss_mb()
    return out


def run_scales(
    args: argparse.Namespace,
    rows: list[dict[str, str]],
    sentences_file: Path,
    n_sentences: int,
    questions: Sequence[data.Question],
    systems: Sequence[str],
    console: Console,
) -> list[dict[str, Any]]:
    """Each (size, system) in its own subprocess."""
    qfile = data.OUT_DIR / "scale-questions.json"
    qfile.write_text(json.dumps([q.question for q in data.subset(questions, args.sample)]))
    results = []
    for target in args.scale:
        copies = data.copies_for(target, n_sentences)
        # A folder (an article can be added to it) holding one JSON Lines file.
        corpus = data.OUT_DIR / f"corpus-x{copies}"
        shutil.rmtree(corpus, ignore_errors=True)
        if "ours" in systems:
            console.log(f"scale {target:,}: writing {copies} copies of the corpus to {corpus.name}")
            corpus.mkdir(parents=True)
            data.write_jsonl(corpus / "corpus.jsonl", data.replicated(rows, copies))
            # The sentence vectors of the base corpus serve its copies (they are keyed by
            # text): the restart timed with the sentence model finds its layer ready, as a
            # bot's does after its first back-fill, instead of embedding for hours.
            vectors = data.OUT_DIR / ".briefbot" / "squad-a-vectors.npz"
            if vectors.is_file():
                (corpus / ".briefbot").mkdir()
                shutil.copyfile(vectors, corpus / ".briefbot" / "vectors.npz")
        for system in systems:
            console.log(f"scale {target:,}: {system} in a subprocess ({copies} copies)")
            if system == "ours":
                worker = [system, "--corpus", str(corpus)]
            else:
                worker = [system, "--sentences", str(sentences_file), "--copies", str(copies)]
            result = run_worker([*worker, "--questions", str(qfile)], timeout=3600)
            if system == "ours" and "skipped" not in result:
                console.log(f"scale {target:,}: restart, live update (and tantivy's on-disk index)")
                tantivy_dir = None if args.no_baselines else data.OUT_DIR / "tantivy-store"
                result["persist"] = persist_bench.measure(
                    corpus, sentences_file, copies, qfile, tantivy_dir
                )
                if tantivy_dir is not None:
                    shutil.rmtree(tantivy_dir, ignore_errors=True)
            results.append({"target": target, "copies": copies, "system": system, **result})
        shutil.rmtree(corpus, ignore_errors=True)  # replicas are cheap to rewrite, large to keep
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench and print the report."""
    args = parse_args(argv)
    console = Console()
    if not console.is_terminal or console.width < 150:
        console = Console(width=150)
    log = Console(stderr=True)
    notes: list[str] = []
    started = time.perf_counter()

    try:
        squad = data.load_squad(args.squad)
    except data.MissingData as exc:
        print(f"bench: cannot run without the SQuAD split.\n{exc}", file=sys.stderr)
        return 2
    try:
        full_sets = data.load_sets(args.eval_dir)
        sets: data.QuestionSets | None = data.QuestionSets(
            tuple(data.subset(full_sets.paraphrase, args.set_questions)),
            tuple(data.subset(full_sets.off_topic, args.set_questions)),
            tuple(data.subset(full_sets.unanswerable, args.set_questions)),
        )
    except data.MissingData as exc:
        sets = None
        print(f"bench: question sets not measured: {exc}\n", file=sys.stderr)
        first = str(exc).split("\n")[0]
        notes.append(
            f"paraphrase/off-topic/unanswerable sets not measured: {first} "
            "(where they come from: bench/README.md, Data)"
        )
    questions = data.subset(squad.questions, args.questions)
    rows = data.records(squad)
    corpus = data.write_jsonl(data.OUT_DIR / "squad-a.jsonl", rows)
    log.log(
        f"{len(rows)} articles → {corpus}; {len(questions)} of {len(squad.questions)} questions"
    )

    engine, build_s, note = ours.load_engine(corpus, save=False)  # a fresh build
    sentences = data.engine_sentences(engine) if engine is not None else None
    source = "engine.sentence_table"
    if sentences is None:
        sentences = data.regex_sentences(rows)
        source = "regex splitter"
        notes.append(
            "baseline sentences from the fallback regex splitter "
            "(the engine exposes no sentence table)"
        )
    if note:
        notes.append(f"ours not measured: {note}")

    if args.profile:
        if engine is None:
            console.print(f"cannot profile: {note}")
            return 1
        console.print(ours.profile(engine, [q.question for q in questions]))
        return 0

    sentences_file = data.write_jsonl(
        data.OUT_DIR / "sentences.jsonl", ({"text": s.text, "title": s.title} for s in sentences)
    )
    figures: dict[str, Any] = {
        "meta": {
            "squad": squad.meta,
            "questions": len(questions),
            "sentences": len(sentences),
            "sentence_source": source,
            "sentence_chars": sum(len(s.text) for s in sentences) / len(sentences),
            "quick": args.quick,
        },
        "systems": {},
        "notes": notes,
    }
    if sets is not None:
        figures["sets"] = {
            "n": {
                "paraphrase": len(sets.paraphrase),
                "off_topic": len(sets.off_topic),
                "unanswerable": len(sets.unanswerable),
            },
            "systems": {},
        }

    if engine is None:
        figures["systems"]["ours"] = {"skipped": note}
    else:
        figures["systems"]["ours"] = measure_ours(
            engine, build_s, corpus, questions, log, trace=not args.quick
        )
        if sets is not None:
            figures["sets"]["systems"]["ours"] = answerability.measure_ours(engine, sets, log.log)
        log.log("ours: the whole batch through briefbot ask --json -")
        cli = ours.cli_batch(corpus, [q.question for q in questions])
        if "outcomes" in cli:
            cli["hit@1"] = score(cli.pop("outcomes"), [q.answers for q in questions]).hit1
        figures["cli"] = cli
        log.log("ours: seed question set and off-topic questions")
        figures["seed"] = ours.seed_eval()
        missing = data.absent_terms(rows)
        if missing:
            notes.append(f"off-topic check words found in the corpus: {missing}")
        figures["off_topic"] = ours.off_topic(engine, [q for q, _ in data.OFF_TOPIC])
        if figures["systems"]["ours"]["clean"]["hit@1"] == 0:
            notes.append("ours scored 0: is the engine still the stub?")
        log.log(f"ours: briefbot ingest of a {ingest_bench.ITEMS}-item feed served locally")
        figures["ingest"] = ingest_bench.measure()
        log.log("ours: digests and alerts (database start-up, latencies, a burst of digests)")
        figures["digests"] = digests_bench.measure(quick=args.quick)

    if not args.no_baselines:
        for name, build in BUILDERS.items():
            log.log(f"{name}: build over {len(sentences)} sentences, then the questions")
            retriever = build(sentences)
            figures["systems"][name] = run_baseline(retriever, sentences, questions)
            if sets is not None:
                figures["sets"]["systems"][name] = answerability.measure_baseline(
                    retriever, sentences, sets
                )
    if sets is not None:
        figures["sets"]["plot"] = answerability.plot(
            figures["sets"]["systems"], data.OUT_DIR / "answerability.png"
        )

    if args.scale:
        systems = ["ours"] if engine is not None else []
        if not args.no_baselines:
            systems.append(BEST_AT_SCALE)
        figures["scale"] = run_scales(
            args, rows, sentences_file, len(sentences), questions, systems, log
        )
        for r in figures["scale"]:
            if r["system"] == "ours" and "sentences" in r and r["sentences"] < 0.9 * r["target"]:
                notes.append(
                    f"ours indexed {r['sentences']:,} passages for a {r['target']:,} target "
                    "(does the engine drop duplicate articles?)"
                )

    report.print_report(figures, console)
    if "digests" in figures:
        console.print(digests_bench.table(figures["digests"]))
    console.print(f"[dim]bench took {time.perf_counter() - started:.1f} s[/dim]")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2, default=str))
        console.print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
