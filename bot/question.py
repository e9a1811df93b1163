"""Cleaning a user's question before the engine sees it: odd Unicode, control chars, size cap."""

from __future__ import annotations

from bot.text import clean


def prepare(question: str, max_chars: int) -> tuple[str, str | None]:
    """The cleaned question and, when it had to be cut, a notice saying so."""
    text = clean(question or "")
    if len(text) <= max_chars:
        return text, None
    cut = text[:max_chars]
    space = cut.rfind(" ")
    if space > max_chars * 0.8:
        cut = cut[:space]
    notice = f"Your question was {len(text):,} characters long; I only read the first {len(cut):,}."
    return cut, notice
