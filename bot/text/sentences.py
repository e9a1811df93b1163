"""Sentence splitting for news prose: the sentence is the unit briefbot quotes.

A full stop ends a sentence unless it closes an abbreviation ("Mr.", "Jan.", "No. 2"), an initial
("J. R. R. Tolkien"), an acronym followed by a capitalised name ("U.S. President"), or sits inside
quoted speech that the sentence goes on after.
"""

from __future__ import annotations

import re

from bot.text.wordlists import ABBREVIATIONS, SENTENCE_OPENERS

# Abbreviations that are regular words too: they end a sentence unless a number follows.
_NUMBERED = frozenset({"no", "nos", "vol", "vols", "fig", "figs", "p", "pp", "ch", "art", "sec"})
# Abbreviations that may end a sentence ("... the company, Acme Inc. It said"): split after them
# only when the next word is a common sentence opener.
_MAY_END = frozenset({"inc", "corp", "ltd", "co", "bros", "etc", "a.m", "p.m", "est", "al"})

#: The longest sentence kept whole (characters). Longer runs (a page pasted as one line, a table
#: flattened into text) are cut at spaces into pieces this long: every piece costs a question
#: about as much as an ordinary sentence, however big the paragraph.
MAX_SENTENCE_CHARS = 2000

_OPEN_QUOTES = '"“«‘'
_CLOSE_QUOTES = "\"”»’'"
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(\s+)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of one paragraph, trimmed of surrounding space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(2)
        # A sentence already over the cap ends at the next full stop whatever it closes (an
        # unclosed quote would otherwise make every later check rescan the whole paragraph).
        if m.start() - start > MAX_SENTENCE_CHARS or _is_boundary(text, start, m):
            _add(spans, text, start, end)
            start = m.end()
    _add(spans, text, start, len(text))
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > 0 else start + MAX_SENTENCE_CHARS  # no space: a hard cut
        _add(spans, text, start, cut)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append((start, end))


_STARTERS = _OPEN_QUOTES + "(["
_NEXT_WORD = re.compile(r"[\w'’-]+")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")


def _is_boundary(text: str, start: int, m: re.Match[str]) -> bool:
    after = m.end()
    if after >= len(text):
        return True
    first = text[after]
    # A sentence starts with a capital, a digit or an opening quote/bracket; anything else
    # ("e.g. the", "U.S. and") continues the current one.
    if not (first.isupper() or first.isdigit() or first in _STARTERS):
        return False
    punct, closers = m.group(1), m.group(2)
    if _inside_quote(text, start, m.start(), closers):
        return False
    if punct != ".":
        # "“Why?” she asked" continues: a closing quote then a lower-case word is handled above.
        return True
    if closers:
        return True
    word = _last_word(text, m.start())
    low = word.lower()
    if low in _NUMBERED:
        return not first.isdigit()
    if low in _MAY_END:
        return _next_word(text, after).lower() in SENTENCE_OPENERS
    if low in ABBREVIATIONS:
        return False
    # An initial: "J. R. R. Tolkien", "Donald J. Trump".
    if len(word) == 1 and word.isupper():
        return False
    # A dotted acronym: "U.S. President" stays together; "the U.S. The next day" splits.
    if _ACRONYM.fullmatch(word):
        next_text = _next_word(text, after)
        return next_text.lower() in SENTENCE_OPENERS and next_text[:1].isupper()
    return True


def _next_word(text: str, at: int) -> str:
    """The word that opens the next sentence (looked for in the next 40 characters)."""
    found = _NEXT_WORD.match(text, at, at + 40)
    return found.group() if found else ""


def _last_word(text: str, dot: int) -> str:
    """The word the full stop at ``dot`` closes, dots inside it included ("U.S", "e.g")."""
    i = dot
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] == "."):
        i -= 1
    return text[i:dot]


def _inside_quote(text: str, start: int, end: int, closers: str) -> bool:
    """True when quoted speech opened in ``text[start:end]`` (the sentence so far) is still
    open at this full stop."""
    opened = text.count("“", start, end) - text.count("”", start, end)
    straight = text.count('"', start, end)
    if closers:
        opened -= closers.count("”")
        straight += closers.count('"')
    return opened > 0 or straight % 2 == 1
