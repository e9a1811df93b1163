"""The question sets beside SQuAD and the answerability trade-off, for our engine and baselines.

Each system gives, per question, its best passage and how sure it is (:class:`bench.metrics.Top`):
ours the reader's P(answers) of its best passage when the reader is loaded (``Answer.confidence``),
else the lexical score of its top passage; a baseline
its top sentence's BM25 score. A threshold on that score decides quote or "not found"; the curve
over every threshold shows what each system must give up on answerable questions to stay quiet
on unanswerable ones. Ours is also measured as shipped
(``engine.ask``), which is what users get.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from bench import ours
from bench.baselines import Retriever
from bench.data import QuestionSets, Sentence
from bench.metrics import (
    Outcome,
    Top,
    at_most_not_found,
    at_most_off_topic,
    auc,
    contains_answer,
    score,
    trade_off,
    trade_off_curve,
)

#: The issue's goals: at most this share of off-topic questions quoted ...
OFF_TOPIC_GOAL = 0.10
#: ... and at most this share of paraphrases answered "not found".
NOT_FOUND_GOAL = 0.08
#: A baseline quotes whenever it returns a sentence: a threshold below every real score.
ANY_RESULT = -sys.float_info.max
#: How long to wait for sentence vectors still being computed in the background.
READY_TIMEOUT_S = 3600.0


def semantic_layer(engine: Any) -> Any | None:
    """The engine's meaning layer when it is loaded and the reader decides, else None."""
    answerer = getattr(engine, "answerer", None)
    sem = getattr(answerer, "semantic", None)
    return sem if sem is not None and getattr(answerer, "reader", None) is not None else None


def wait_ready(sem: Any, log: Callable[[str], None], timeout: float = READY_TIMEOUT_S) -> bool:
    """Wait until every sentence has its vector (answers use words alone until then)."""
    started = time.monotonic()
    announced = False
    while not getattr(sem, "ready", True):
        if time.monotonic() - started > timeout:
            return False
        if not announced:
            log("ours: waiting for the sentence vectors (computed once, then saved)")
            announced = True
        time.sleep(1.0)
    return True


def shipped_threshold(engine: Any) -> float:
    """The P(answers) the engine quotes from: the configured minimum, else the calibrated."""
    return float(engine.answerer.threshold)


def lexical_top(engine: Any, question: str, answers: Sequence[str]) -> Top:
    """Our best passage by words alone and its lexical score, before the rules that refuse."""
    from bot.answer.compose import passage_of
    from bot.answer.query import analyse
    from bot.answer.ranking import rank
    from bot.text.question import prepare

    index = engine.index
    text, _ = prepare(question, engine.settings.briefbot_max_question_chars)
    if not text:
        return Top(-math.inf)
    query = analyse(text, index)
    ranked = rank(query, index, engine.settings.briefbot_answers)
    if not ranked:
        return Top(-math.inf)
    quote = passage_of(ranked[0], query, index).quote
    return Top(float(ranked[0].score), contains_answer(quote, answers))


def semantic_top(engine: Any, question: str, answers: Sequence[str]) -> Top:
    """The best passage and the reader's P(answers) for it, read at threshold 0 (the engine
    quotes its best read passage whatever P), so the curve at any threshold is what the engine
    does there."""
    answerer = engine.answerer
    saved, answerer.min_confidence = answerer.min_confidence, 0.0
    answerer._cache.clear()  # a cached answer was decided at the shipped threshold
    try:
        answer = engine.ask_sync(question)
    finally:
        answerer.min_confidence = saved
        answerer._cache.clear()
    if answer.confidence is None or not answer.passages:
        return Top(-math.inf)
    return Top(answer.confidence, contains_answer(answer.passages[0].quote, answers))


def baseline_top(
    retriever: Retriever, sentences: Sequence[Sentence], question: str, answers: Sequence[str]
) -> Top:
    """A baseline's top sentence for ``question`` and its score."""
    hits = retriever.scored(question, 1)
    if not hits:
        return Top(-math.inf)
    sid, value = hits[0]
    return Top(value, contains_answer(sentences[sid].text, answers))


def curve_figures(
    para: Sequence[Top], off: Sequence[float], unans: Sequence[float], shipped: float | None
) -> dict[str, Any]:
    """AUCs, the operating points of the report, and the whole curve."""
    curve = trade_off_curve(para, off, unans)
    pos = [t.score for t in para]
    out: dict[str, Any] = {
        "auc_off_topic": auc(pos, off),
        "auc_unanswerable": auc(pos, unans),
        "at_off_topic_goal": at_most_off_topic(curve, OFF_TOPIC_GOAL).as_dict(),
        "at_not_found_goal": at_most_not_found(curve, NOT_FOUND_GOAL).as_dict(),
        "curve": [p.as_dict() for p in curve],
    }
    if shipped is not None:
        out["at_shipped"] = trade_off(shipped, para, off, unans).as_dict()
    return out


def shipped_figures(
    para: Sequence[Outcome],
    golds: Sequence[Sequence[str]],
    off: Sequence[bool],
    unans: Sequence[bool],
) -> dict[str, float]:
    """What users get: paraphrase hit@1 and "not found", share of off-topic/unanswerable quoted."""
    q = score(para, golds)
    return {
        "hit@1": q.hit1,
        "not_found": q.not_found,
        "off_topic_quoted": sum(off) / len(off) if off else math.nan,
        "unanswerable_quoted": sum(unans) / len(unans) if unans else math.nan,
    }


def measure_ours(engine: Any, sets: QuestionSets, log: Callable[[str], None]) -> dict[str, Any]:
    """Ours as shipped (``engine.ask``) and its trade-off curve over the same questions."""
    sem = semantic_layer(engine)
    notes: list[str] = []
    if sem is not None and not wait_ready(sem, log):
        notes.append("the sentence vectors were not ready in time: ours measured from words alone")
        sem = None
    elif sem is None and getattr(engine, "semantic", "absent") is None:
        notes.append("the engine has a semantic layer but did not load it: words alone")
    golds = [q.answers for q in sets.paraphrase]
    n = len(sets.paraphrase) + len(sets.off_topic) + len(sets.unanswerable)
    log(f"ours: {n} paraphrase, off-topic and unanswerable questions through await engine.ask")
    para_out, _ = ours.ask_all(engine, [q.question for q in sets.paraphrase], limit=None)
    off_out, _ = ours.ask_all(engine, sets.off_topic, limit=None)
    unans_out, _ = ours.ask_all(engine, sets.unanswerable, limit=None)
    out: dict[str, Any] = {
        "score": "the reader's P(answers) of the best passage"
        if sem is not None
        else "top passage score (lexical)",
        "shipped": shipped_figures(
            para_out, golds, [o.answered for o in off_out], [o.answered for o in unans_out]
        ),
        "notes": notes,
    }
    log(f"ours: the same {n} questions scored for the trade-off curve")
    try:
        if sem is None:
            top: Callable[[str, Sequence[str]], Top] = partial(lexical_top, engine)
        else:
            top = partial(semantic_top, engine)
        para = [top(q.question, q.answers) for q in sets.paraphrase]
        off = [top(q, ()).score for q in sets.off_topic]
        unans = [top(q, ()).score for q in sets.unanswerable]
    except (AttributeError, TypeError, ImportError) as exc:  # the engine's parts moved
        notes.append(f"ours' trade-off curve not measured: {type(exc).__name__}: {exc}")
        return out
    threshold = shipped_threshold(engine) if sem is not None else None
    out.update(curve_figures(para, off, unans, threshold))
    if threshold is not None:
        # The curve reads the engine's decision from its parts; a disagreement means it drifted.
        decided = [t.score >= threshold for t in para] + [s >= threshold for s in off + unans]
        said = [o.answered for o in (*para_out, *off_out, *unans_out)]
        differ = sum(a != b for a, b in zip(decided, said, strict=True))
        if differ:
            notes.append(f"the curve and engine.ask disagree on quote/refuse for {differ} of {n}")
    return out


def measure_baseline(
    retriever: Retriever, sentences: Sequence[Sentence], sets: QuestionSets
) -> dict[str, Any]:
    """A baseline on the sets: it quotes whenever it finds a sentence (shipped) or above a
    threshold on its top score (the curve)."""
    para = [baseline_top(retriever, sentences, q.question, q.answers) for q in sets.paraphrase]
    off = [baseline_top(retriever, sentences, q, ()).score for q in sets.off_topic]
    unans = [baseline_top(retriever, sentences, q, ()).score for q in sets.unanswerable]
    shipped = trade_off(ANY_RESULT, para, off, unans)
    return {
        "score": "top sentence BM25 score",
        "shipped": {k: v for k, v in shipped.as_dict().items() if k != "threshold"},
        **curve_figures(para, off, unans, None),
    }


def plot(systems: dict[str, dict[str, Any]], path: Path) -> Path | None:
    """Paraphrase hit@1 against off-topic quoted, one curve a system, as a PNG; only when
    matplotlib is already installed (the bench does not depend on it)."""
    if find_spec("matplotlib") is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for name, s in systems.items():
        if "curve" not in s:
            continue
        curve = s["curve"]
        ax.plot([p["off_topic_quoted"] for p in curve], [p["hit@1"] for p in curve], label=name)
        if "at_shipped" in s:
            at = s["at_shipped"]
            ax.plot(
                at["off_topic_quoted"], at["hit@1"], "o", color="black", label=f"{name}, shipped"
            )
    ax.axvline(OFF_TOPIC_GOAL, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("off-topic questions quoted (lower is better)")
    ax.set_ylabel("paraphrase hit@1, refusals count as misses")
    ax.set_title("Answerability trade-off: a threshold on each system's top score")
    ax.legend(loc="lower right")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path
