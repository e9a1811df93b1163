"""A user's message before the engine sees it: cleaned (odd Unicode, control characters, a size
cap), and told apart from chatter when nobody addressed the bot."""

from __future__ import annotations

import re

from bot.text.analyzer import clean

# How a follow-up question opens when it does not end with "?": "what about Japan",
# "and when is the vote", "how many ...".
_FOLLOW_UP = re.compile(
    r"^(?:what|when|where|who|whom|whose|why|how|which|and|also|so what|tell me)\b", re.I
)


def prepare(question: str, max_chars: int) -> tuple[str, str | None]:
    """The cleaned question and, when it had to be cut, a notice saying so."""
    text = clean(question or "")
    if len(text) <= max_chars:
        return text, None
    cut = text[:max_chars]
    space = cut.rfind(" ")
    whole = space > max_chars * 0.8
    if whole:
        cut = cut[:space]
    notice = (
        f"Your question was {len(text):,} characters long; I only read the first {max_chars:,}"
        + (" (to the last whole word)." if whole else ".")
    )
    return cut, notice


def is_follow_up(text: str) -> bool:
    """Whether a message in a thread the bot answered, not addressed to it, reads as another
    question for it ("and when is the vote?", "what about Japan") rather than the people in the
    thread talking ("thanks!", "lol", "see you at 3")."""
    text = clean(text or "").strip()
    if not text:
        return False
    return text.rstrip(" \"'”’)").endswith(("?", "？")) or bool(_FOLLOW_UP.match(text))
