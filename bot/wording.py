"""How the core and the adapters word counts for people, so "1 article" is written one way."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """``1 article``, ``2 articles``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
