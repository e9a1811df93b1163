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
  first name, a thing (it, they, that) by the previous question's last noun phrase;
* a bare question word, or one with a single word of its own ("and when?", "who scored?"): that
  question asked of the previous one's statement, its answer put in for "who"/"what".

:class:`Conversations` keeps the last answered turn per conversation (a Slack thread, a DM, a
Discord channel, the console), capped and expiring.
"""

from __future__ import annotations

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
_DETERMINER = re.compile(r"\b(?:the|a|an|this|that|these|those|its|their|her|his)\s", re.I)
_NAME = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*")


@dataclass(frozen=True)
class Turn:
    """One answered question: as it was read, the first quote's answer words, its article."""

    question: str
    answer: str
    title: str


def rewrite(text: str, previous: Turn) -> str | None:
    """The question ``text`` means after ``previous``, or None when it stands alone."""
    core = _OPENERS.sub("", text.strip()).strip()
    if not core:
        return None
    asked = previous.question.strip().rstrip("?!. ")
    about = _ABOUT.match(core.rstrip("?!. "))
    if about:
        return _with_subject(asked, about.group("x"), previous) + "?"
    words = _WORD.findall(core)
    if _names(core, first_word=True):
        return None  # its own names: it stands alone
    lower = [w.lower() for w in words]
    own = [w for w in lower if w not in STOPWORDS and w not in _WH]
    pronouns = [w for w in lower if w in _PERSON or w in _THING]
    bare = core.rstrip("?!. ")
    if pronouns:
        out = bare
        for p in dict.fromkeys(pronouns):
            ref = _person(previous) if p in _PERSON else _thing(asked)
            if ref:
                out = re.sub(rf"\b{p}\b", ref, out, flags=re.I)
        return out + "?" if out != bare else None
    if len(own) <= 1 and lower and lower[0] in _WH:
        statement = _statement(asked, previous)
        if lower[0] in {"when", "where", "why"} and len(lower) == 1:
            return f"{bare} {statement}?"  # "when Napoli won the champions league?"
        return f"{bare} ({statement})?"
    return None


def _names(text: str, *, first_word: bool = False) -> list[str]:
    """Capitalised runs, skipping the sentence's first word (capital by position only)."""
    found = [m.group(0) for m in _NAME.finditer(text)]
    if first_word and found and text.lstrip().startswith(found[0]):
        head = found[0].split()
        found[0] = " ".join(head[1:])
        found = [f for f in found if f]
    return [f for f in found if f.lower() not in STOPWORDS]


def _person(previous: Turn) -> str | None:
    """A name in the previous question, else the first word of its article's title when
    capitalised (titles lead with their subject), else its answer when that is a name."""
    names = _names(previous.question, first_word=True)
    if names:
        return names[0]
    head = previous.title.split()[0].strip(",:;") if previous.title.split() else ""
    if head[:1].isupper() and head.lower() not in STOPWORDS:
        return head
    answer = previous.answer.strip()
    return answer if answer and _names(answer) == [answer] else None


def _thing(asked: str) -> str | None:
    """The last noun phrase: from the last determiner to the end ("the phone call")."""
    starts = [m.start() for m in _DETERMINER.finditer(asked)]
    if starts:
        return asked[starts[-1] :]
    words = asked.split()
    return " ".join(words[-2:]) if len(words) > 1 else None


def _statement(asked: str, previous: Turn) -> str:
    """The previous question as a statement: its answer for "who"/"what", else its words after
    the question word ("who won the champions league" + Napoli: "Napoli won the champions
    league")."""
    words = asked.split()
    if words and words[0].lower() in {"who", "what", "which"} and previous.answer:
        return " ".join([previous.answer, *words[1:]])
    if words and words[0].lower() in _WH:
        return " ".join(words[1:])
    return asked


def _with_subject(asked: str, subject: str, previous: Turn) -> str:
    """The previous question with its first name replaced by ``subject`` (or about it)."""
    subject = subject.strip()
    names = _names(asked, first_word=True)
    if names:
        return asked.replace(names[0], subject, 1)
    thing = _thing(asked)
    if thing:
        return asked[: len(asked) - len(thing)] + subject
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
