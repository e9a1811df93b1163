"""An index and its load report as flat arrays and one JSON document, and back.

The arrays are what a question reads (postings with their term frequencies, unit lengths,
sentence offsets); memory-mapped, they cost a start nothing until used. The JSON holds the
rest: article metadata, the vocabularies, the analyser's stem memo (the fuzzy matcher's surface
words) and the load report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from itertools import pairwise
from typing import Any

import numpy as np

from bot.corpus.duplicates import Duplicate
from bot.corpus.report import LoadReport, Skipped
from bot.index import Field, Index, IndexArrays
from bot.models import Article, Origin
from bot.text.analyzer import Analyzer

_FIELDS = {"s": "sentences", "p": "paragraphs", "t": "titles"}
_FIELD_ARRAYS = ("offsets", "ids", "tf", "lengths")
_META_SKIP = {"paragraphs", "caption"}  # kept in the paragraph text, not in the metadata


def encode(index: Index, report: LoadReport) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and the JSON-ready metadata that :func:`decode` turns back into both."""
    encoded = [p.encode("utf-8", "surrogatepass") for p in index.paras]
    arrays: dict[str, np.ndarray] = {
        "para_text": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "para_bytes": np.r_[0, np.cumsum([len(p) for p in encoded], dtype=np.int64)],
        "para_article": index.para_article,
        "para_caption": index.para_caption,
        "sent_para": index.sent_para,
        "sent_start": index.sent_start,
        "sent_end": index.sent_end,
    }
    for key, name in _FIELDS.items():
        field: Field = getattr(index, name)
        for part in _FIELD_ARRAYS:
            arrays[f"{key}_{part}"] = getattr(field, part)
    meta = {
        "articles": [a.model_dump(mode="json", exclude=_META_SKIP) for a in index.articles],
        "vocab": _ordered(index.sentences.vocab),
        "title_vocab": _ordered(index.titles.vocab),
        "stems": list(index.analyzer.stems.items()),
        "report": {
            "skipped": [asdict(s) for s in report.skipped],
            "duplicates": [d.model_dump() for d in report.duplicates],
            "warnings": [asdict(w) for w in report.warnings],
            "ignored": report.ignored,
            "files": report.files,
        },
    }
    return arrays, meta


def decode(
    arrays: dict[str, np.ndarray], meta: dict[str, Any], analyzer: Analyzer
) -> tuple[Index, LoadReport]:
    """The index and report :func:`encode` saved; ``analyzer`` gets the saved stem memo."""
    analyzer.learn_stems((w, s) for w, s in meta["stems"])
    # Each paragraph decoded from the mapped bytes: no copy of the whole text on the way.
    bounds = arrays["para_bytes"].tolist()
    text = memoryview(arrays["para_text"].data)
    paras = [str(text[a:b], "utf-8", "surrogatepass") for a, b in pairwise(bounds)]
    caption = np.asarray(arrays["para_caption"], dtype=bool)
    para_article = arrays["para_article"]
    first = np.searchsorted(para_article, np.arange(len(meta["articles"]) + 1)).tolist()
    articles = []
    for i, saved in enumerate(meta["articles"]):
        a, b = first[i], first[i + 1]
        has_caption = b > a and bool(caption[b - 1])
        values = {
            **saved,
            "date": dt.date.fromisoformat(saved["date"]),
            "tags": tuple(saved["tags"]),
            "origin": Origin(**saved["origin"]) if saved.get("origin") else None,
            "paragraphs": tuple(paras[a : b - 1] if has_caption else paras[a:b]),
            "caption": paras[b - 1] if has_caption else None,
        }
        articles.append(Article.model_construct(**values))
    vocab = {t: i for i, t in enumerate(meta["vocab"])}
    title_vocab = {t: i for i, t in enumerate(meta["title_vocab"])}
    indexed = {
        name: Field.from_arrays(
            title_vocab if key == "t" else vocab,
            **{part: arrays[f"{key}_{part}"] for part in _FIELD_ARRAYS},
        )
        for key, name in _FIELDS.items()
    }
    parts = IndexArrays(
        para_article=para_article,
        para_caption=caption,
        sent_para=arrays["sent_para"],
        sent_start=arrays["sent_start"],
        sent_end=arrays["sent_end"],
        sentences=indexed["sentences"],
        paragraphs=indexed["paragraphs"],
        titles=indexed["titles"],
    )
    index = Index.assemble(articles, analyzer, paras, parts)
    r = meta["report"]
    report = LoadReport(
        articles=articles,
        skipped=[Skipped(**s) for s in r["skipped"]],
        duplicates=[Duplicate.model_validate(d) for d in r["duplicates"]],
        warnings=[Skipped(**w) for w in r["warnings"]],
        ignored=r["ignored"],
        files=r["files"],
    )
    return index, report


def _ordered(vocab: dict[str, int]) -> list[str]:
    """Terms in id order: a vocabulary's ids are its insertion order (``setdefault(t, len)``)."""
    return list(vocab)
