"""What a typo looks like, so that a word absent from the corpus is not "corrected" into another.

Typing slips are swapped, dropped or doubled letters and keys hit beside the one meant; spelling
slips swap a vowel for a vowel or a letter for one that sounds alike. Any other one-letter
change ("mars" -> "mark", "bat" -> "cat") more often makes a different word than a typo.
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = frozenset("aeiouy")
# Letters that spell one sound ("Kolumbia", "licence", "organisation", "Qatar"/"Katar").
_SOUND_ALIKE = frozenset(
    frozenset(pair) for pair in ("ck", "cs", "sz", "kq", "gj", "fv", "iy", "ph", "dt", "bp")
)


def _neighbours() -> dict[str, frozenset[str]]:
    """Keys around each key on a QWERTY keyboard: beside it, and the three nearest in the rows
    above and below (rows are staggered, so which of them a finger catches varies)."""
    near: dict[str, set[str]] = {ch: set() for row in _ROWS for ch in row}
    for r, row in enumerate(_ROWS):
        for a, b in pairwise(row):
            near[a].add(b)
            near[b].add(a)
        for other in _ROWS[r + 1 : r + 2]:
            for i, ch in enumerate(row):
                for j in (i - 1, i, i + 1):
                    if 0 <= j < len(other):
                        near[ch].add(other[j])
                        near[other[j]].add(ch)
    return {ch: frozenset(keys) for ch, keys in near.items()}


_NEAR = _neighbours()
# Letters with a stroke have no decomposition: their base letter by hand.
_STROKED = str.maketrans("łøđħıŀ", "lodhil")


def _base(ch: str) -> str:
    """The letter without its accent: "Gospic" for "Gospić" is no typo, just no keyboard for it."""
    return unicodedata.normalize("NFD", ch)[:1].translate(_STROKED)


def likely_substitution(typed: str, meant: str) -> bool:
    """Whether typing ``typed`` for the letter ``meant`` is a plausible slip."""
    if typed == meant or _base(typed) == _base(meant):
        return True
    if typed in _NEAR.get(meant, ()):
        return True
    if typed in _VOWELS and meant in _VOWELS:
        return True
    return frozenset((typed, meant)) in _SOUND_ALIKE


def likely_typo(typed: str, meant: str) -> bool:
    """Whether ``typed`` (one edit from ``meant``) reads as a slip for it: any insertion,
    deletion or swap of neighbours, and only plausible substitutions."""
    if len(typed) != len(meant):
        return True
    diff = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
    if len(diff) != 1:
        return True  # two neighbours swapped ("Trupm")
    i = diff[0]
    return likely_substitution(typed[i], meant[i])
