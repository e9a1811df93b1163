"""Word lists the text analysis and the sentence splitter read, kept as data files beside this
module so they can be read and edited as lists: words separated by spaces or lines, ``#`` starts a
comment. Each is read once, when this package is first imported."""

from __future__ import annotations

from importlib.resources import files


def _load(name: str) -> frozenset[str]:
    text = files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() for w in line.partition("#")[0].split())


#: Words that carry no topic: dropped from index terms and from questions.
STOPWORDS = _load("stopwords")
#: Words indexed like any other that never make a question "specific" on their own.
GENERIC = _load("generic")
#: Abbreviations a full stop does not end a sentence after (lower case, no final dot).
ABBREVIATIONS = _load("abbreviations")
#: Common first words of a sentence, read after an abbreviation that may end one.
SENTENCE_OPENERS = _load("sentence_openers")
