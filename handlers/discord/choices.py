"""Autocomplete choices within Discord's limits: topics (``/brief``, ``/digest``) and time
zones (``/digest schedule``).

Apart from the commands so that both command modules (``commands.py``, ``digests.py``) offer
the same choices without importing each other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from discord import app_commands

from bot import Core, zone_choices
from handlers import render

log = logging.getLogger(__name__)

# Autocomplete: at most 25 choices, each name and value 1..100 characters.
CHOICES_LIMIT = 25
CHOICE_LIMIT = 100


def choices_of(values: Iterable[str]) -> list[app_commands.Choice[str]]:
    """Unique, non-empty choices, at most 25, names clipped and values cut to 100 characters."""
    choices: list[app_commands.Choice[str]] = []
    seen: set[str] = set()
    for raw in values:
        value = raw.strip()[:CHOICE_LIMIT]
        if not value or value in seen:
            continue
        seen.add(value)
        name = render.clip(raw.strip(), CHOICE_LIMIT)
        choices.append(app_commands.Choice(name=name, value=value))
        if len(choices) == CHOICES_LIMIT:
            break
    return choices


async def topic_choices(engine: Core, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for a topic: the corpus's topics starting with ``current``. A core
    that fails gives none (logged): an empty list beats Discord's "loading options failed"."""
    try:
        return choices_of(await engine.topics(current, limit=CHOICES_LIMIT))
    except Exception:
        log.exception("Topic autocomplete failed for %r", current)
        return []


def time_zone_choices(current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for a time zone: IANA names starting with, then containing,
    ``current``."""
    return choices_of(zone_choices(current, limit=CHOICES_LIMIT))
