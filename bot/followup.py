"""Follow-up questions read with the conversation they belong to.

In a thread, "and when?" or "where was it played?" means the previous question's subject; read
alone it matches nothing, or the wrong sentence. A follow-up that *leans* on the previous turn
is rewritten into the question it means; one that stands alone (it has its own names or enough
words of its own) is read as it is. The rewrite is shown ("Reading this as: ..."), so that a
misreading is visible and can be asked again in full.

What leans, on purpose a few plain rules:

* ``what about X`` / ``how about X``: the previous question about X instead of its subject;
* a pronoun and no name ("how long did it last?", "and when is she visiting?"): the pronoun
  replaced by what it points at: a person (she, he) by the previous question's or its article's
  first name, a thing (it, they, that) by the previous question's noun phrase (see below);
* a "when", "where" or "why" with at most one word of its own ("and when?", "when in
  spring?"): that question asked of the previous one's statement, its answer put in for
  "who"/"what" ("and when?": when Napoli won the champions league?);
* any other question (a question word or a "did/will/is" first) with no names and at most one
  word of its own ("who scored?", "what was the vote?", "who was the captain?"): asked of the
  previous question's subject, in brackets: a new part of the same story.

What a pronoun or a question leans on is kept short, so that the follow-up's own words decide
which passage answers it, not the previous question's (whose passage holds all of them):

* "she"/"he" after a "who" or "which" question means the person it found: its answer's full
  name ("who brought the case?" ... "where is he from?");
* "they"/"them"/"their" mean the previous question's name when it has one (a team, a company;
  two joined by "and": two leaders), else what "it" would;
* "it"/"that" mean the previous question's first noun phrase, up to a preposition ("when was it
  lifted?" after "was there a tsunami warning after the quake?": the warning, not the quake);
* a noun phrase ends before the verb of a "did/does/will" question ("how deep was it?" after
  "when did the earthquake hit?": the earthquake, not "the earthquake hit");
* that subject is the previous question's names (and its answer first, when a name and it
  asked who or what), else its last noun phrase; not its whole statement;
* ``and X?`` with a short noun phrase and no question word ("and the screen?", "and Takaichi?")
  is ``what about X``; a thing (no name) replaces the previous question's last noun phrase.

A question with names of its own still stands alone, pronoun or not: its names find its article,
and putting the thread's subject in beside them drew the article's lead instead.

:class:`Conversations` keeps the last answered turn per conversation (a Slack thread, a DM, a
Discord channel, the console), capped and expiring.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from bot.text.wordlists import STOPWORDS

__all__ = ["Conversations", "Turn", "rewrite"]

MAX_CONVERSATIONS = 10_000
TTL_S = 6 * 3600.0  # a thread quiet this long starts afresh

_OPENERS = re.compile(r"^(?:and|so|but|also|ok|okay|then|well)\b[\s,]*", re.I)
_ABOUT = re.compile(r"^(?:what|how)\s+about\s+(?P<x>.+)$", re.I)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PERSON = {"she", "he", "her", "him", "his", "hers"}
_THING = {"it", "its", "they", "them", "their", "that", "this", "there"}
_WH = {"who", "whom", "whose", "what", "when", "where", "why", "how", "which"}
_PLURAL = {"they", "them", "their", "theirs"}
_DETERMINER = re.compile(
    r"\b(?:(?i:the|a|an|this|that|these|those|its|their|her|his)|[A-Z][\w.-]*['’]s)\s"
)
_NAME = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*")
_POSSESSIVE = re.compile(r"['’]s?$")
# Auxiliaries after which a question's last word is its verb ("when did the quake hit").
_DO = {"do", "does", "did", "will", "would", "can", "could", "should", "may", "might", "must"}
_BE = {"is", "are", "was", "were"}
# A question with no names and at most this many words of its own leans on the thread: "who
# scored?", "what was the vote?" ("who requested the call?": two, it is read alone).
_SHORT = 1
_CIRCUMSTANCE = {"when", "where", "why"}
_PREPOSITIONS = {"in", "at", "on", "after", "before", "for", "with", "about", "from", "to"}
_PREPOSITIONS |= {"during", "by", "over", "under", "against", "since", "into"}
_AND_X_WORDS = 4  # "and the new screen?" at most: longer, it is a question of its own


@dataclass(frozen=True)
class Turn:
    """One answered question: as it was read, the first quote's answer words, its article."""

    question: str
    answer: str
    title: str


def rewrite(text: str, previous: Turn) -> str | None:
    """The question ``text`` means after ``previous``, or None when it stands alone."""
    stripped = text.strip()
    core = _OPENERS.sub("", stripped).strip()
    if not core:
        return None
    asked = previous.question.strip().rstrip("?!. ")
    bare = core.rstrip("?!. ")
    words = _WORD.findall(core)
    lower = [w.lower() for w in words]
    about = _ABOUT.match(bare)
    if about is None and core != stripped and stripped.endswith("?") and _and_x(lower):
        about = re.match(r"(?P<x>.+)", bare)  # "and the screen?": what about the screen
    if about:
        return _with_subject(asked, about.group("x"), previous) + "?"
    if _names(core, first_word=True):
        return None  # its own names: it stands alone (and finds its article by them)
    pronouns = [w for w in lower if w in _PERSON or w in _THING]
    own = [w for w in lower if w not in STOPWORDS and w not in _WH]
    if pronouns:
        out = bare
        for p in dict.fromkeys(pronouns):
            if p in _PERSON:
                ref = _person(previous)
            elif p in _PLURAL:
                ref = _group(asked) or _it(asked)
            else:
                ref = _it(asked)
            if ref:
                out = re.sub(rf"\b{p}\b", ref, out, flags=re.I)
        return out + "?" if out != bare else None
    if not lower or not (lower[0] in _WH or lower[0] in _DO or lower[0] in _BE):
        return None
    if len(own) > _SHORT:
        return None
    if lower[0] in _CIRCUMSTANCE:
        # When, where or why of the same event: asked of the previous question's statement.
        statement = _statement(asked, previous)
        if len(lower) == 1:
            return f"{bare} {statement}?"  # "when Napoli won the champions league?"
        return f"{bare} ({statement})?"  # "when in spring (is Takaichi visiting the US)?"
    # Who or what else: a new part of the story, asked of its subject alone.
    return f"{bare} ({_subject(asked, previous)})?"


def leaning(text: str, previous: Turn) -> list[str]:
    """Readings to try when ``text``, read alone (``rewrite`` found nothing to fill in), found
    no answer, or one from another article: the question asked of the previous question's
    subject, then of its article's title. None for a question with names of its own: it is
    about what it names."""
    core = _OPENERS.sub("", text.strip()).strip()
    bare = core.rstrip("?!. ")
    if not bare or _names(core, first_word=True):
        return []
    asked = previous.question.strip().rstrip("?!. ")
    return [f"{bare} ({_subject(asked, previous)})?"]


def _own_words(text: str) -> list[str]:
    own = [w.lower() for w in _WORD.findall(_OPENERS.sub("", text.strip())) if len(w) >= 4]
    return [w for w in own if w not in STOPWORDS and w not in _WH]


def has_own_words(text: str) -> bool:
    """Whether a follow-up brings words of its own ("who proposed the date?"), not only a
    question word and pronouns ("and when?", "where was it?")."""
    return bool(_own_words(text))


def says_own_words(text: str, quote: str) -> bool:
    """Whether ``quote`` holds one of the words ``text`` brings of its own (a word's first five
    letters, "proposed" in "proposing"); true for a follow-up with none ("and when?"). A
    reading found with the thread's help is kept only then, so "are you coming to lunch?" is
    never answered by the thread's article."""
    own = _own_words(text)
    low = quote.lower()
    return not own or any(w[:5] in low for w in own)


def _and_x(lower: list[str]) -> bool:
    """Whether the words after an "and" are a short noun phrase alone (no question word, no
    verb we know of): "and the screen", "and Takaichi"."""
    if not lower or len(lower) > _AND_X_WORDS or lower[0] in _WH:
        return False
    if all(w in STOPWORDS for w in lower):
        return False  # "and you?"
    return not any(w in _DO or w in _BE or w in _PERSON or w in _THING for w in lower)


def _names(text: str, *, first_word: bool = False) -> list[str]:
    """Capitalised runs, skipping the sentence's first word (capital by position only)."""
    found = [m.group(0) for m in _NAME.finditer(text)]
    if first_word and found and text.lstrip().startswith(found[0]):
        head = found[0].split()
        found[0] = " ".join(head[1:])
        found = [f for f in found if f]
    return [f for f in found if f.lower() not in STOPWORDS]


def _plain(name: str) -> str:
    """A name without its possessive ("Harbour City's": Harbour City)."""
    return _POSSESSIVE.sub("", name)


def _person(previous: Turn) -> str | None:
    """After a "who"/"which" question, the full name (two words or more) in its answer (the
    person it found); else a name in the previous question, else the first word of its
    article's title when capitalised (titles lead with their subject), else its answer when
    that is a name."""
    first = previous.question.strip().split(maxsplit=1)[:1]
    if first and first[0].lower() in {"who", "whom", "which"}:
        found = [n for n in _names(previous.answer) if len(n.split()) > 1]
        if found:
            return _plain(max(found, key=lambda n: len(n.split())))
    names = _names(previous.question, first_word=True)
    if names:
        return _plain(names[0])
    head = previous.title.split()[0].strip(",:;") if previous.title.split() else ""
    if head[:1].isupper() and head.lower() not in STOPWORDS:
        return head
    answer = previous.answer.strip()
    return answer if answer and _names(answer) == [answer] else None


def _group(asked: str) -> str | None:
    """What "they" means: the previous question's two names joined by "and" ("Takaichi and
    Trump"), else its first name ("Harbour City's manager": Harbour City)."""
    names = [_plain(n) for n in _names(asked, first_word=True)]
    for a, b in itertools.pairwise(names):
        if f"{a} and {b}" in asked:
            return f"{a} and {b}"
    return names[0] if names else None


def _thing(asked: str) -> str | None:
    """The last noun phrase: from the last determiner (or possessive name) to the end ("the
    phone call"), less the verb that ends a "did/does/will" question ("when did the quake
    hit": the quake)."""
    starts = [m.start() for m in _DETERMINER.finditer(asked)]
    if not starts:
        words = asked.split()
        return " ".join(words[-2:]) if len(words) > 1 else None
    phrase = asked[starts[-1] :].split()
    before = asked[: starts[-1]].split()
    aux = before[-1].lower() if before else ""
    if len(phrase) > 2 and (aux in _DO or (aux in _BE and phrase[-1].lower().endswith("ed"))):
        phrase = phrase[:-1]
    return " ".join(phrase)


def _it(asked: str) -> str | None:
    """What "it" points at: the previous question's first noun phrase, from a determiner (or
    possessive name) to the next preposition ("was there a tsunami warning after the quake":
    a tsunami warning), less the verb ending a "did/does/will" question."""
    found = _DETERMINER.search(asked)
    if found is None:
        return _thing(asked)
    phrase: list[str] = []
    for word in asked[found.start() :].split():
        if phrase and word.lower() in _PREPOSITIONS:
            break
        phrase.append(word)
    before = asked[: found.start()].split()
    aux = before[-1].lower() if before else ""
    ends = " ".join(phrase) == " ".join(asked[found.start() :].split())
    if ends and len(phrase) > 2 and (aux in _DO or (aux in _BE and phrase[-1].endswith("ed"))):
        phrase = phrase[:-1]
    return " ".join(phrase)


def _subject(asked: str, previous: Turn) -> str:
    """What the previous question was about: its names, else its last noun phrase, with its
    answer first when that is a name and it asked who or what; else its words."""
    names = [_plain(n) for n in _names(asked, first_word=True)]
    thing = None if names else _thing(asked)
    first = asked.split(maxsplit=1)[:1]
    answer = previous.answer.strip()
    if first and first[0].lower() in {"who", "what", "which"} and _names(answer) == [answer]:
        names.insert(0, answer)
    if thing:
        names.append(thing)
    return ", ".join(dict.fromkeys(names)) if names else _statement(asked, previous)


def _statement(asked: str, previous: Turn) -> str:
    """The previous question as a statement: its answer for "who"/"what", else its words after
    the question word ("who won the champions league" + Napoli: "Napoli won the champions
    league")."""
    words = asked.split()
    if words and words[0].lower() in {"who", "what", "which"} and previous.answer:
        return " ".join([previous.answer, *words[1:]])
    if len(words) > 2 and words[0].lower() == "how" and words[1].lower() in {"many", "much"}:
        return " ".join(words[2:])  # "how many fans came": fans came, not "many fans came"
    if words and words[0].lower() in _WH:
        return " ".join(words[1:])
    return asked


def _with_subject(asked: str, subject: str, previous: Turn) -> str:
    """The previous question with its first name replaced by ``subject`` (or about it); a
    subject with no name (a thing) replaces its last noun phrase when it has one."""
    subject = subject.strip()
    names = _names(asked, first_word=True)
    thing = _thing(asked)
    if names and (_NAME.search(subject) or not thing or not _DETERMINER.search(asked)):
        name = _plain(names[0])
        at = asked.index(name)
        head = asked[:at]
        article = re.match(r"(?i:the|a|an)\s+", subject)
        if article and head.lower().endswith(" " + article.group(0).lower()):
            subject = subject[article.end() :]  # "the Lumen X2" and "the US": not "the the US"
        return head + subject + asked[at + len(name) :]
    if thing:
        return asked[: asked.rindex(thing)] + subject + asked[asked.rindex(thing) + len(thing) :]
    return f"{asked} {subject}"


class TurnStore(Protocol):
    """Where last turns outlive the process (the database, :class:`bot.state.turns.Turns`)."""

    async def last(self, key: str) -> tuple[str, str, str] | None: ...

    async def remember(self, key: str, question: str, answer: str, title: str) -> None: ...


class Conversations:
    """The last answered turn of each conversation: at most ``MAX_CONVERSATIONS``, the least
    recently used dropped first, and forgotten after ``TTL_S`` of quiet. Thread-safe."""

    def __init__(self, limit: int = MAX_CONVERSATIONS, ttl_s: float = TTL_S) -> None:
        self.limit, self.ttl_s = limit, ttl_s
        self._turns: OrderedDict[str, tuple[float, Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def last(self, key: str) -> Turn | None:
        with self._lock:
            found = self._turns.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.ttl_s:
                del self._turns[key]
                return None
            return found[1]

    def remember(self, key: str, turn: Turn) -> None:
        with self._lock:
            self._turns[key] = (time.monotonic(), turn)
            self._turns.move_to_end(key)
            while len(self._turns) > self.limit:
                self._turns.popitem(last=False)
