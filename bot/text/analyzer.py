"""Text normalisation and tokenisation shared by the index and the question analysis.

Tokens keep character offsets into the *original* text, so quotes stay verbatim and highlights
land on the words the user sees: normalisation is therefore length-preserving.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

import Stemmer

from bot.text.aliases import Aliases
from bot.text.wordlists import STOPWORDS

_STEMMER = Stemmer.Stemmer("english")

# Curly quotes, dashes and odd spaces folded to ASCII, one character for one.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u3000": " ",
    }
)

# Control characters, direction marks and overrides: a space. Invisible characters that may sit
# inside a word (INVISIBLE) are left to the tokeniser, which reads through them.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u2028\u2029\u202a-\u202e\ud800-\udfff]"
)

#: Zero-width space, non-joiner and joiner, soft hyphen, word joiner, byte order mark: invisible,
#: and pasted or pulled from the web inside words ("Taka\u200bichi"). A word is read through
#: them and its term has none of them; its offsets still span them, so highlights stay exact.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
#: A word: letters and digits, inner apostrophes and dots included ("don't", "u.s", "1.5"), and
#: invisible characters between its letters.
WORD = re.compile(rf"[^\W_]+(?:(?:['.]|[{INVISIBLE}]+)[^\W_]+)*", re.UNICODE)
#: WORD on folded (lower-case) ASCII text: the same matches, faster.
ASCII_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


class Token(NamedTuple):
    """A normalised, stemmed term and where it stands in the original text (a tuple: queries
    make thousands of them)."""

    term: str
    start: int
    end: int
    raw: str  # the folded surface form (lower case), before stemming


def fold(text: str) -> str:
    """Length-preserving normalisation: NFKC where it maps one char to one, ASCII quotes, lower."""
    if text.isascii():  # the common case: nothing to fold but case (and str.translate is slow)
        return text.lower()
    text = text.translate(_FOLD)
    if not text.isascii():
        out = []
        for ch in text:
            if ord(ch) > 127:
                n = unicodedata.normalize("NFKC", ch)
                ch = n if len(n) == 1 else ch
            out.append(ch)
        text = "".join(out)
    low = text.lower()
    if len(low) != len(text):  # a few characters lower-case to two ("İ"): keep offsets exact
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


def clean(text: str) -> str:
    """Drop control and bidi-override characters, NFKC-normalise, collapse whitespace."""
    printable = text.isprintable()
    if not printable:  # every character _CONTROL matches is unprintable
        text = _CONTROL.sub(" ", text)
    normal = unicodedata.normalize("NFKC", text)
    if printable and normal is text and "  " not in text and text[:1] != " " != text[-1:]:
        return text  # already normalised (normalize returns its argument) and tidy
    return squash(normal)


def squash(text: str) -> str:
    """``" ".join(text.split())``, without splitting the (usual) text that is already tidy.

    Every whitespace character but the space is unprintable, so printable text with no double,
    leading or trailing space has nothing to collapse: C-level checks, no list of words.
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def words(folded: str) -> list[tuple[str, int, int]]:
    """Surface words of already folded text with offsets: hyphens split, possessives dropped."""
    out: list[tuple[str, int, int]] = []
    for m in WORD.finditer(folded):
        w, s = m.group(), m.start()
        if w.isascii() and w.isalnum():  # the common case: a plain word
            out.append((w, s, s + len(w)))
            continue
        if not w.isascii() and any(ch in INVISIBLE for ch in w):
            # Read the word without them, then map its parts' offsets back over them.
            kept = [i for i, ch in enumerate(w) if ch not in INVISIBLE]
            for part, a, b in words(w.translate(_DROP_INVISIBLE)):
                out.append((part, s + kept[a], s + kept[b - 1] + 1))
            continue
        if _CJK.search(w):
            # No spaces in CJK: index each ideograph/kana as a term.
            for i, ch in enumerate(w):
                out.append((ch, s + i, s + i + 1))
            continue
        if w.endswith("'s"):
            w = w[:-2]
        e = s + len(w)
        if "." in w and not _is_number(w) and not _is_acronym(w):
            # "end.The" glued by a missing space: split at the dots.
            pos = s
            for part in w.split("."):
                if part:
                    out.append((part, pos, pos + len(part)))
                pos += len(part) + 1
            continue
        if _is_acronym(w):
            w = w.replace(".", "")
        out.append((w, s, e))
    return out


def _is_number(w: str) -> bool:
    return w.replace(".", "").replace(",", "").isdigit()


def _is_acronym(w: str) -> bool:
    """``u.s`` / ``u.k`` / ``e.u``: single letters joined by dots."""
    parts = w.split(".")
    return len(parts) > 1 and all(len(p) == 1 and p.isalpha() for p in parts)


STEMS_CAP = 2_000_000  # words an Analyzer memoises at most


class Analyzer:
    """Turns text into index terms: fold, split, merge aliases, drop stopwords, stem.

    It memoises every surface word it stems (``stems``): vocabularies repeat, and the memo is
    the fuzzy matcher's vocabulary of surface words. The memo is this analyzer's own, so two
    corpora in one process never share one.
    """

    def __init__(self, aliases: Aliases | None = None) -> None:
        self.aliases = aliases or Aliases()
        self.stems: dict[str, str] = {}  # surface word -> stem, in order of first use

    def stem(self, word: str) -> str:
        """Light English stemming ("visiting" ~ "visit"), memoised up to STEMS_CAP words."""
        found = self.stems.get(word)
        if found is not None:
            return found
        out = (
            word
            if (not word.isascii() or word.isdigit() or len(word) <= 3)
            else (_STEMMER.stemWord(word))
        )
        if len(self.stems) < STEMS_CAP:
            self.stems[word] = out
        return out

    def learn_stems(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Add (word, stem) pairs stemmed elsewhere (an index worker) that this memo lacks, in
        order, as if this analyzer had stemmed them itself."""
        memo = self.stems
        for word, stemmed in pairs:
            if word not in memo and len(memo) < STEMS_CAP:
                memo[word] = stemmed

    def tokenize(self, text: str, *, keep_stopwords: bool = False) -> list[Token]:
        """Terms of ``text`` with offsets into it (stemmed, stopwords dropped unless asked)."""
        folded = fold(text)
        if folded.isascii():
            # Plain ASCII words and no alias in sight (most sentences): no per-word checks.
            matches = list(WORD.finditer(folded))
            found_words = [m.group() for m in matches]
            if all(map(str.isalnum, found_words)) and self.aliases.first_words.isdisjoint(
                found_words
            ):
                stems, stem = self.stems, self.stem
                return [
                    Token(stems.get(w) or stem(w), m.start(), m.end(), w)
                    for m, w in zip(matches, found_words, strict=True)
                    if keep_stopwords or w not in STOPWORDS
                ]
        found = self.aliases.merge(text, words(folded))
        out: list[Token] = []
        for w, s, e in found:
            if not keep_stopwords and w in STOPWORDS:
                continue
            out.append(Token(w if "_" in w else self.stem(w), s, e, w))
        return out

    def terms(self, text: str) -> list[str]:
        """Just the index terms of ``text``: the lean path used to build the index."""
        stems, stem = self.stems, self.stem
        folded = fold(text)
        found = WORD.findall(folded)
        if "'" in folded:
            found = [w[:-2] if w.endswith("'s") else w for w in found]
        # Fast path for plain ASCII words with no alias in sight: C-level checks only.
        if not (
            folded.isascii()
            and all(map(str.isalnum, found))
            and self.aliases.first_words.isdisjoint(found)
        ):
            found = [w for w, _, _ in self.aliases.merge(text, words(folded))]
        return [stems.get(w) or (w if "_" in w else stem(w)) for w in found if w not in STOPWORDS]
