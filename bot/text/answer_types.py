"""What kind of answer a question wants, and where such answers stand in a sentence.

"When" wants a time expression, "how many" a number, "who" a name, "where" a place: a sentence
that holds one (beyond the words of the question) is far more likely to answer.
"""

from __future__ import annotations

import re
from enum import StrEnum

from rapidfuzz.distance import OSA


class AnswerType(StrEnum):
    TIME = "time"
    NUMBER = "number"
    DURATION = "duration"
    PERSON = "person"
    PLACE = "place"
    REASON = "reason"
    QUOTE = "quote"
    OTHER = "other"


# "May" and "March" are months only when capitalised: "the bridge may open", "they march on".
_MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|(?-i:March|May)|Mar\.|April|Apr\.|June|Jun\.|July|Jul\.|"
    r"Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_DAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_SEASON = r"(?:spring|summer|autumn|fall|winter)"
_REL = r"(?:this|next|last|coming|past|previous|following|same|early|late|mid|earlier|later)"
_UNIT = r"(?:week|month|year|decade|century|quarter|weekend|morning|afternoon|evening|night)"
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})(?:s|'s)?"
TIME_RE = re.compile(
    rf"\b(?:(?:early|mid|late)[- ])?{_MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+{_YEAR})?"
    rf"(?:\s+(?:last|this|next)\s+year)?\b"
    rf"|\b(?:(?:last|this|next|on|early|late)\s+)?{_DAY}(?:'s)?(?:\s+(?:night|morning|evening))?\b"
    rf"|\b(?:(?:this|next|last|in the|by|early|late)\s+)?{_SEASON}(?:\s+(?:of\s+)?{_YEAR})?\b"
    rf"|\b{_REL}\s+{_UNIT}s?\b"
    rf"|\b(?:in|since|by|from|until|before|after|during|around|circa|c\.)?\s?{_YEAR}\b"
    rf"|\b(?:yesterday|today|tomorrow|tonight|recently|soon|now)\b"
    rf"|\b\d+\s+{_UNIT}s?\s+(?:ago|later|earlier)\b"
    rf"|\b(?:\d{{1,2}}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|"
    rf"ninth|tenth|eleventh|twelfth|\d{{1,2}})\s+century\b"
    rf"|\b\d{{1,2}}[:.]\d{{2}}\s*(?:a\.?m\.?|p\.?m\.?)|\b\d{{1,2}}\s*(?:a\.m\.|p\.m\.)"
    rf"|\b(?:the\s+)?(?:beginning|end|start|middle)\s+of\s+(?:the\s+)?(?:year|{_MONTH}|{_UNIT})\b",
    re.IGNORECASE,
)
_NUM_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|trillion|dozen|dozens|hundreds|thousands|"
    r"millions|half|several)"
)
NUMBER_RE = re.compile(
    rf"(?:[$€£¥]\s?)?\b\d[\d,.]*(?:\s?(?:%|percent|per cent))?(?:-[a-z]+)?"
    rf"(?:\s+(?:million|billion|trillion|thousand|hundred))?\b|\b{_NUM_WORD}\b",
    re.IGNORECASE,
)
# "How long" asks for a span of time ("the 25-minute call", "a five-and-a-half-year contract",
# "until the end of June") or a length ("will be 147 metres long", "a 46-page ruling"): one in
# twenty of SQuAD train's "how long" questions wants a length, so both count as the kind asked.
_LENGTH = r"(?:(?:kilo|centi|milli)?met(?:re|er)|mile|foot|feet|yard|inch(?:es)?|page)"
_COUNTED = rf"(?:\d[\d,.]*|{_NUM_WORD}|a|an|several|few)(?:(?:-[a-z]+){{1,3}}-|[- ](?:\w+[- ])?)"
DURATION_RE = re.compile(
    rf"\b{_COUNTED}"
    r"(?:second|minute|hour|day|week|month|year|decade|centur(?:y|ies))s?(?:-long)?\b"
    r"|\b(?:for|over|within)\s+(?:\w+\s+)?(?:second|minute|hour|day|week|month|year|decade)s\b"
    rf"|\b{_COUNTED}{_LENGTH}s?(?:-long)?\b"
    r"|\b\d[\d,.]*\s?(?:km|cm|mm|ft)\b",
    re.IGNORECASE,
)
# A time a span runs to: "until the end of June", "through 2027".
_UNTIL = re.compile(r"\b(?:until|till|through|throughout)\s*$", re.IGNORECASE)


def _upper_class() -> str:
    """A character class of every upper- and title-case letter of the Basic Multilingual Plane,
    as ranges: ``re`` has no ``\\p{Lu}``, and names are not all ASCII ("André", "Łódź")."""
    ranges: list[list[int]] = []
    for c in range(0x10000):
        ch = chr(c)
        if ch.isupper() or ch.istitle():
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
    return (
        "["
        + "".join(
            re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
            for a, b in ranges
        )
        + "]"
    )


_UP = _upper_class()
# A name's word: a capital, then letters, digits and inner marks, ending in a letter or digit.
_NAME_WORD = rf"{_UP}[\w'’.-]*[^\W_]"
# Capitalised runs ("Donald Trump", "South Korea"); function words may join them ("Bank of Japan").
NAME_RE = re.compile(
    rf"\b{_NAME_WORD}(?:\s+(?:(?:of|de|van|von|the|al|bin|la|du)\s+)?{_NAME_WORD})*"
)
PLACE_RE = re.compile(
    r"\b(?:in|at|near|from|to|into|across|outside|inside|around|throughout)\s+(?:the\s+)?"
    rf"({_UP}[\w'’.-]*(?:\s+(?:of\s+)?{_UP}[\w'’.-]*)*)"
)
REASON_RE = re.compile(
    r"\b(?:because|due to|owing to|since|so that|in order to|aims? to|aiming to|to showcase|"
    r"to ensure|to avoid|to prevent|as a result|amid|in response to|intends? to|to\s+\w+)\b",
    re.IGNORECASE,
)
QUOTE_RE = re.compile(r"“[^”]{2,}”|\"[^\"]{2,}\"")

_TITLES = frozenset(
    [
        "president",
        "prime",
        "minister",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "king",
        "queen",
        "pope",
        "chancellor",
        "senator",
        "governor",
    ]
)

_WH = {
    "when": AnswerType.TIME,
    "who": AnswerType.PERSON,
    "whom": AnswerType.PERSON,
    "whose": AnswerType.PERSON,
    "where": AnswerType.PLACE,
    "why": AnswerType.REASON,
}


def question_type(words: list[str]) -> AnswerType:
    """The answer type of a question from its (folded) words; tolerant of a typo in the wh-word."""
    if not words:
        return AnswerType.OTHER
    lead = words[:4]
    for i, w in enumerate(lead):
        wh = _fuzzy_wh(w) if i == 0 else w
        nxt = lead[i + 1] if i + 1 < len(lead) else ""
        if wh == "how":
            if nxt in ("many", "much", "old", "far", "big", "large", "tall", "high", "often"):
                return AnswerType.NUMBER
            if nxt == "long":
                return AnswerType.DURATION
            return AnswerType.OTHER
        if wh in ("what", "which") and nxt in (
            "year",
            "date",
            "day",
            "month",
            "time",
            "century",
            "decade",
            "season",
            "week",
        ):
            return AnswerType.TIME
        if wh in ("what", "which") and nxt in ("percentage", "number", "amount", "price", "cost"):
            return AnswerType.NUMBER
        if wh in ("what", "which") and nxt in ("city", "country", "place", "state", "region"):
            return AnswerType.PLACE
        if wh in _WH:
            return _WH[wh]
        if wh in ("what", "which") and nxt in ("did", "does", "do") and "say" in words[i:]:
            return AnswerType.QUOTE
    return AnswerType.OTHER


def is_wh(word: str) -> bool:
    """True for a question word, misspelled or not ("whrn")."""
    return _fuzzy_wh(word) in ("when", "where", "who", "why", "how", "what", "which", "whom")


def _fuzzy_wh(word: str) -> str:
    if word in _WH or word in ("how", "what", "which"):
        return word
    if 3 <= len(word) <= 6:
        for wh in ("when", "where", "who", "why", "how", "what", "which"):
            if OSA.distance(word, wh, score_cutoff=1) <= 1 and word[0] == wh[0]:
                return wh
    return word


def answer_spans(sentence: str, kind: AnswerType) -> list[tuple[int, int]]:
    """Spans of ``sentence`` holding an answer of ``kind`` (may overlap the question's words)."""
    if kind is AnswerType.TIME:
        spans = [m.span() for m in TIME_RE.finditer(sentence)]
        spans = [_strip_lead(sentence, s, e) for s, e in spans if sentence[s:e].strip()]
    elif kind is AnswerType.NUMBER:
        spans = [m.span() for m in NUMBER_RE.finditer(sentence)]
    elif kind is AnswerType.DURATION:
        spans = [m.span() for m in DURATION_RE.finditer(sentence)]
        spans += [
            _strip_lead(sentence, *m.span())
            for m in TIME_RE.finditer(sentence)
            if _UNTIL.search(sentence, 0, m.start())
        ]
    elif kind is AnswerType.PERSON:
        spans = _names(sentence)
    elif kind is AnswerType.PLACE:
        spans = [m.span(1) for m in PLACE_RE.finditer(sentence)]
    elif kind is AnswerType.REASON:
        spans = [m.span() for m in REASON_RE.finditer(sentence)]
    elif kind is AnswerType.QUOTE:
        spans = [(m.start() + 1, m.end() - 1) for m in QUOTE_RE.finditer(sentence)]
    else:
        spans = []
    return [(s, e) for s, e in spans if e > s]


def _strip_lead(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop a leading preposition ("in April" -> "April" stays readable either way)."""
    while s < e and text[s].isspace():
        s += 1
    return s, e


def _names(sentence: str) -> list[tuple[int, int]]:
    """Capitalised names, leaving out a sentence-initial ordinary word and leading titles."""
    out = []
    for m in NAME_RE.finditer(sentence):
        s, e = m.span()
        words = m.group().split()
        # Skip honorifics/titles so "President Donald Trump" highlights "Donald Trump".
        while len(words) > 1 and words[0].lower().strip(".") in _TITLES | {
            "u.s.",
            "u.s",
            "japan's",
        }:
            s += len(words[0]) + 1
            words = words[1:]
        if s == 0 and len(words) == 1:
            continue  # "The", "With": capitalised only because the sentence starts there
        if TIME_RE.fullmatch(sentence[s:e].rstrip("’'s")):
            continue  # "Friday", "April": times, not people
        out.append((s, e))
    return out
