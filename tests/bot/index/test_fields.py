"""BM25 as the index computes it equals BM25 computed by brute force from its definition
(Robertson/Sparck Jones idf with Lucene's +1, k1 = 1.2, b = 0.75), on corpora of random words:
the posting lists, their weights and the length normalisation are checked, not just the order."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from bot.index.fields import K1, B, Field

WORDS = [f"w{i}" for i in range(40)]


def brute_force(docs: list[list[str]], query: list[tuple[str, float]]) -> list[float]:
    n = len(docs)
    avg = sum(map(len, docs)) / n
    scores = []
    for doc in docs:
        total = 0.0
        for term, weight in query:
            df = sum(term in d for d in docs)
            tf = doc.count(term)
            if not df or not tf:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            total += weight * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(doc) / avg))
        scores.append(total)
    return scores


@pytest.mark.parametrize("seed", range(5))
def test_scores_equal_bm25_by_its_definition(seed: int) -> None:
    rng = random.Random(seed)
    # Zipf-like word use, documents of very different lengths, a term repeated in a document.
    docs = [
        rng.choices(WORDS, weights=[1 / (i + 1) for i in range(len(WORDS))], k=rng.randint(1, 30))
        for _ in range(60)
    ]
    field = Field.from_terms(docs)
    query = [(t, rng.choice([1.0, 0.5, 2.0])) for t in rng.sample(WORDS, 4)] + [("absent", 1.0)]
    assert np.allclose(field.scores(query), brute_force(docs, query), rtol=1e-5, atol=1e-6)


def test_an_unknown_term_scores_nothing_and_has_the_highest_idf() -> None:
    field = Field.from_terms([["a", "b"], ["a"], ["c"]])
    assert not field.scores([("zzz", 1.0)]).any()
    assert field.idf("zzz") >= max(field.idf(t) for t in "abc")
