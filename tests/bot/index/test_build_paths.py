"""The build's shortcuts give exactly what the plain paths give: TermIds (memoised words, alias
phrases merged over them) the terms of Analyzer.terms and the same stemmer memo, in the same
order; the line-at-a-time JSON Lines reader the lines and line numbers of the whole text."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from array import array
from pathlib import Path

import pytest

from bot.corpus import load as corpus
from bot.corpus.duplicates import text_digest
from bot.index.term_ids import TermIds
from bot.models import Article
from bot.text.aliases import Aliases
from bot.text.analyzer import Analyzer, clean, squash

ALIAS_SENTENCES = [
    "The US said it would help us.",
    "US officials met UK and EU leaders in the U.S. capital.",
    "He called the us embassy by phone, then by telephone.",
    "The United States and the United Nations met in Great Britain.",
    "Great news for the united front, said the great uncle.",
    "America's allies and the EU's plans; Britain's premier spoke.",
    "The PM met the pm at 3 p.m. and the Prime Minister left.",
    "Secretary-General Guterres, a secretary general, was the UN chief.",
    "Us and them: the USA and U.S.A. teams, the eu and the Eu and EU-wide rules.",
    "The \u201cUS\u201d president\u2019s phone and the \uff35\uff33 embassy.",
    "united states of america and the united states",
    "Mobile phones: the mobile rang, thee and the, the us.",
]


def _run(analyzer: Analyzer, sentences: list[str], *, term_ids: bool) -> list[list[str]]:
    if not term_ids:
        return [analyzer.terms(s) for s in sentences]
    ids, out, lengths = TermIds(analyzer), array("i"), []
    for s in sentences:
        lengths.append(ids.add(s, out))
    names = list(ids.vocab)
    terms, at = [], 0
    for n in lengths:
        terms.append([names[i - 1] for i in out[at : at + n]])
        at += n
    return terms


@pytest.mark.parametrize(
    "aliases",
    [Aliases(), Aliases({"phone": ["mobile", "cellphone"], "the": ["thee"], "us": ["US"]})],
)
def test_term_ids_match_analyzer_terms_and_fill_the_stem_memo_alike(aliases: Aliases) -> None:
    # Twice over, shuffled: the second pass runs on memoised words.
    sentences = ALIAS_SENTENCES + ALIAS_SENTENCES[::-1] + ALIAS_SENTENCES[1::2]
    memos = []
    results = []
    for term_ids in (False, True):
        analyzer = Analyzer(aliases)  # each with a stem memo of its own, empty
        results.append(_run(analyzer, sentences, term_ids=term_ids))
        memos.append(list(analyzer.stems.items()))
    assert results[0] == results[1]
    assert memos[0] == memos[1]


def _old_jsonl_lines(raw: bytes) -> list[str]:
    return raw.decode("utf-8-sig").splitlines()


def test_json_lines_are_numbered_as_in_the_whole_decoded_text(tmp_path: Path) -> None:
    good = '{"title": "T%d", "date": "2026-01-01", "body": "Body %d."}'
    raw = (
        "\ufeff"
        + (good % (1, 1))
        + "\r\n"  # BOM, CRLF
        + (good % (2, 2)).replace("Body", "Line\u2028break")
        + "\n"  # splitlines breaks here
        + "\x0c"
        + (good % (3, 3))
        + "\n"  # a form feed is a line break too
        + "\n"
        + (good % (5, 5))  # no final newline
    ).encode()
    path = tmp_path / "feed.jsonl"
    path.write_bytes(raw)
    report = corpus.load(path)
    lines = _old_jsonl_lines(raw)
    assert [str(a.origin) for a in report.articles] == [
        f"{path}:{n}"
        for n, line in enumerate(lines, 1)
        if line.startswith('{"title"') and line.endswith("}")
    ]
    assert [a.title for a in report.articles] == ["T1", "T3", "T5"]
    assert [s.line for s in report.skipped] == [2, 3]


def test_json_lines_file_with_bad_utf8_late_loads_nothing_from_that_file(tmp_path: Path) -> None:
    good = b'{"title": "Fine", "date": "2026-01-01", "body": "Body."}\n'
    (tmp_path / "a.jsonl").write_bytes(good + b"{not json\n" + good + b'{"title": "Caf\xe9"}\n')
    (tmp_path / "b.jsonl").write_bytes(good)
    report = corpus.load(tmp_path)
    assert [str(a.origin) for a in report.articles] == [f"{tmp_path / 'b.jsonl'}:1"]
    assert report.articles[0].origin is not None and report.articles[0].origin.format == "jsonl"
    assert [(Path(s.path).name, s.line) for s in report.skipped] == [("a.jsonl", 4)]
    assert "UTF-8" in report.skipped[0].reason


# Whitespace, controls, compatibility and combining characters, a dotted capital I, sigmas.
TRICKY = list(
    "ab cXYZ.\n\t\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
    "\x00\x07\u200b\u200e\ufeff\ud800\u00a8\u0301\u0308\u00b4\ufb01\u2126\uff21\u0130\u03a3"
    "\u039f\u00e9e\u0327\u1e9b\u0323"
)


def test_clean_needs_no_squash_first() -> None:
    rnd = random.Random(7)
    for _ in range(20_000):
        p = "".join(rnd.choice(TRICKY) for _ in range(rnd.randint(0, 12)))
        assert clean(p) == clean(squash(p)), repr(p)


def test_text_digest_is_that_of_the_joined_lower_cased_text() -> None:
    rnd = random.Random(11)
    for _ in range(5_000):
        paras: list[str] | tuple[str, ...] = [
            clean("".join(rnd.choice(TRICKY) for _ in range(8))) for _ in range(3)
        ]
        paras = tuple(p for p in paras if p)
        whole = hashlib.sha1(" ".join(paras).lower().encode()).hexdigest()
        article = Article(id="x", title="t", date=dt.date(2026, 1, 1), paragraphs=paras)
        assert text_digest(article) == whole, paras
