"""Answer-quality and latency metrics: hit@k, MRR@k, not-found share, percentiles, and the
answerability trade-off (what a threshold on a system's top score answers and refuses)."""

from __future__ import annotations

import math
import re
import string
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def fold(text: str) -> str:
    """Case-fold ``text`` and collapse every run of whitespace to one space."""
    return " ".join(text.split()).casefold()


def contains_answer(quote: str, answers: Iterable[str]) -> bool:
    """True when ``quote`` contains any non-empty gold answer (case- and whitespace-folded)."""
    folded = fold(quote)
    return any((a := fold(answer)) and a in folded for answer in answers)


def first_hit_rank(quotes: Sequence[str], answers: Sequence[str], k: int = 10) -> int | None:
    """The 1-based rank of the first of the top ``k`` quotes holding an answer, or None."""
    for rank, quote in enumerate(quotes[:k], start=1):
        if contains_answer(quote, answers):
            return rank
    return None


def hit_at(rank: int | None, k: int) -> bool:
    """True when the first hit is within the top ``k``."""
    return rank is not None and rank <= k


def reciprocal_rank(rank: int | None, k: int = 10) -> float:
    """1/rank when the first hit is within the top ``k``, else 0."""
    return 1.0 / rank if hit_at(rank, k) and rank else 0.0


@dataclass(frozen=True)
class Outcome:
    """What one system returned for one question."""

    quotes: tuple[str, ...]
    answered: bool = True
    highlight: str = ""  # the highlighted words of the first quote, joined by spaces


@dataclass(frozen=True)
class Quality:
    """Answer quality of one system over one question set."""

    n: int
    hit1: float
    hit3: float
    mrr10: float
    not_found: float
    top_quote_chars: float
    highlight_f1: float = 0.0
    highlight_em: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """The figures as a plain dict, for the JSON dump."""
        return {
            "n": self.n,
            "hit@1": self.hit1,
            "hit@3": self.hit3,
            "mrr@10": self.mrr10,
            "not_found": self.not_found,
            "top_quote_chars": self.top_quote_chars,
            "highlight_f1": self.highlight_f1,
            "highlight_em": self.highlight_em,
        }


def score(outcomes: Sequence[Outcome], golds: Sequence[Sequence[str]]) -> Quality:
    """Score outcomes against gold answers; an unanswered question is a miss at every k."""
    if len(outcomes) != len(golds):
        raise ValueError(f"{len(outcomes)} outcomes for {len(golds)} questions")
    n = len(outcomes)
    if n == 0:
        return Quality(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    ranks = [
        first_hit_rank(o.quotes, gold, 10) if o.answered else None
        for o, gold in zip(outcomes, golds, strict=True)
    ]
    tops = [len(o.quotes[0]) for o in outcomes if o.answered and o.quotes]
    marked = [
        (answer_f1(o.highlight, gold), answer_em(o.highlight, gold)) if o.answered else (0.0, 0.0)
        for o, gold in zip(outcomes, golds, strict=True)
    ]
    return Quality(
        n=n,
        hit1=sum(hit_at(r, 1) for r in ranks) / n,
        hit3=sum(hit_at(r, 3) for r in ranks) / n,
        mrr10=sum(reciprocal_rank(r, 10) for r in ranks) / n,
        not_found=sum(not o.answered for o in outcomes) / n,
        top_quote_chars=sum(tops) / len(tops) if tops else 0.0,
        highlight_f1=sum(f for f, _ in marked) / n,
        highlight_em=sum(e for _, e in marked) / n,
    )


_ARTICLES = re.compile(r"\b(a|an|the)\b")


def squad_normal(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, articles or extra spaces."""
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return " ".join(_ARTICLES.sub(" ", text).split())


def answer_f1(predicted: str, golds: Sequence[str]) -> float:
    """SQuAD's token F1 of ``predicted`` against the best of ``golds`` (0 for no prediction)."""
    pred = squad_normal(predicted).split()
    best = 0.0
    for gold in golds:
        ref = squad_normal(gold).split()
        common = Counter(pred) & Counter(ref)
        same = sum(common.values())
        if same:
            prec, rec = same / len(pred), same / len(ref)
            best = max(best, 2 * prec * rec / (prec + rec))
    return best


def answer_em(predicted: str, golds: Sequence[str]) -> float:
    """SQuAD's exact match: 1 when ``predicted`` normalises to one of ``golds``."""
    pred = squad_normal(predicted)
    return float(bool(pred) and any(pred == squad_normal(g) for g in golds))


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) with linear interpolation between closest ranks."""
    if not values:
        return math.nan
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} outside 0..100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """Mean, p50, p95 and p99 of per-question latencies in milliseconds."""
    return {
        "n": len(ms),
        "mean": sum(ms) / len(ms) if ms else math.nan,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
    }


@dataclass(frozen=True)
class Top:
    """A system's best passage for one question: how sure it is, and whether it holds a gold
    answer. ``score`` is -inf when the system returned nothing (never quoted)."""

    score: float
    hit: bool = False


@dataclass(frozen=True)
class TradeOff:
    """What quoting only when the top score reaches ``threshold`` does to each question set."""

    threshold: float
    hit1: float  # answerable questions whose quote holds an answer (a refusal is a miss)
    not_found: float  # answerable questions refused
    off_topic: float  # off-topic questions that got a quote (every one is wrong)
    unanswerable: float  # unanswerable questions that got a quote (every one is wrong)

    def as_dict(self) -> dict[str, float]:
        """The figures as a plain dict, for the JSON dump."""
        return {
            "threshold": self.threshold,
            "hit@1": self.hit1,
            "not_found": self.not_found,
            "off_topic_quoted": self.off_topic,
            "unanswerable_quoted": self.unanswerable,
        }


def quoted_share(scores: Sequence[float], threshold: float) -> float:
    """Share of ``scores`` at or above ``threshold`` (questions that get a quote); 0 when empty."""
    return sum(s >= threshold for s in scores) / len(scores) if scores else 0.0


def trade_off(
    threshold: float,
    answerable: Sequence[Top],
    off_topic: Sequence[float],
    unanswerable: Sequence[float],
) -> TradeOff:
    """The four shares at one threshold."""
    n = len(answerable)
    return TradeOff(
        threshold=threshold,
        hit1=sum(t.hit and t.score >= threshold for t in answerable) / n if n else 0.0,
        not_found=1.0 - quoted_share([t.score for t in answerable], threshold) if n else 0.0,
        off_topic=quoted_share(off_topic, threshold),
        unanswerable=quoted_share(unanswerable, threshold),
    )


def trade_off_curve(
    answerable: Sequence[Top], off_topic: Sequence[float], unanswerable: Sequence[float]
) -> list[TradeOff]:
    """The trade-off at every threshold that changes it (each distinct finite score, lowest
    first), ending at +inf, where everything is refused. Counted on sorted scores, so a curve
    over thousands of questions stays cheap."""
    sets = {
        "all": sorted(t.score for t in answerable),
        "hit": sorted(t.score for t in answerable if t.hit),
        "off": sorted(off_topic),
        "unans": sorted(unanswerable),
    }

    def share(name: str, threshold: float, n: int) -> float:
        return (len(sets[name]) - bisect_left(sets[name], threshold)) / n if n else 0.0

    scores = {*sets["all"], *sets["off"], *sets["unans"]}
    n = len(answerable)
    return [
        TradeOff(
            threshold=t,
            hit1=share("hit", t, n),
            not_found=1.0 - share("all", t, n) if n else 0.0,
            off_topic=share("off", t, len(off_topic)),
            unanswerable=share("unans", t, len(unanswerable)),
        )
        for t in [*sorted(s for s in scores if math.isfinite(s)), math.inf]
    ]


def at_most_off_topic(curve: Sequence[TradeOff], share: float) -> TradeOff:
    """The lowest threshold (most answers) at which at most ``share`` of off-topic questions
    get a quote; the curve's last point refuses everything, so one always qualifies."""
    return next(p for p in curve if p.off_topic <= share)


def at_most_not_found(curve: Sequence[TradeOff], share: float) -> TradeOff:
    """The highest threshold (fewest wrong quotes) that refuses at most ``share`` of the
    answerable questions; the lowest threshold when none does."""
    fitting = [p for p in curve if p.not_found <= share]
    return fitting[-1] if fitting else curve[0]


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Area under the ROC curve of a score separating ``positives`` from ``negatives``: the
    chance a random positive scores above a random negative, a tie counting half."""
    if not positives or not negatives:
        return math.nan
    ordered = sorted(negatives)
    below = equal = 0
    for p in positives:
        lo = bisect_left(ordered, p)
        hi = bisect_right(ordered, p)
        below += lo
        equal += hi - lo
    return (below + equal / 2) / (len(positives) * len(negatives))
