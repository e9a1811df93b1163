"""Answer-quality and latency metrics: hit@k, MRR@k, not-found share, percentiles."""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class Quality:
    """Answer quality of one system over one question set."""

    n: int
    hit1: float
    hit3: float
    mrr10: float
    not_found: float
    top_quote_chars: float

    def as_dict(self) -> dict[str, float]:
        """The figures as a plain dict, for the JSON dump."""
        return {
            "n": self.n,
            "hit@1": self.hit1,
            "hit@3": self.hit3,
            "mrr@10": self.mrr10,
            "not_found": self.not_found,
            "top_quote_chars": self.top_quote_chars,
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
    return Quality(
        n=n,
        hit1=sum(hit_at(r, 1) for r in ranks) / n,
        hit3=sum(hit_at(r, 3) for r in ranks) / n,
        mrr10=sum(reciprocal_rank(r, 10) for r in ranks) / n,
        not_found=sum(not o.answered for o in outcomes) / n,
        top_quote_chars=sum(tops) / len(tops) if tops else 0.0,
    )


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
