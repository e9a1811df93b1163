"""Aliases: different names for one thing ("US", "U.S.", "United States", "America").

Each alias group is folded into a single canonical term, in the corpus and in questions alike.
The built-in table covers common news abbreviations; a YAML or JSON file (``BRIEFBOT_ALIASES_FILE``,
``canonical: [variant, ...]``) extends it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from bot.errors import ConfigError

DEFAULT_ALIASES: dict[str, list[str]] = {
    "united states": [
        "US",
        "U.S.",
        "USA",
        "U.S.A.",
        "United States",
        "United States of America",
        "America",
    ],
    "united kingdom": ["UK", "U.K.", "United Kingdom", "Britain", "Great Britain"],
    "prime minister": ["PM", "Prime Minister", "premier"],
    "european union": ["EU", "E.U.", "European Union"],
    "united nations": ["UN", "U.N.", "United Nations"],
    "telephone": ["phone", "telephone"],
    "secretary general": ["Secretary-General", "secretary general", "UN chief"],
}


class Aliases:
    """Merges alias phrases in a word sequence into one canonical term."""

    def __init__(self, table: Mapping[str, Sequence[str]] | None = None) -> None:
        table = {**DEFAULT_ALIASES, **(table or {})}
        # phrase (tuple of folded words) -> (canonical, needs_upper_case)
        self._phrases: dict[tuple[str, ...], tuple[str, bool]] = {}
        self.max_len = 1
        for canonical, variants in table.items():
            canon = "_".join(canonical.lower().split())
            for v in [canonical, *variants]:
                key = tuple(v.lower().replace(".", "").replace("-", " ").split())
                if not key:
                    continue
                # Short all-caps acronyms ("US", "PM") clash with words ("us", "pm"): match them
                # only when written in capitals, dotted, or after "the" ("the us").
                acronym = len(key) == 1 and v.replace(".", "").isupper() and len(key[0]) <= 3
                self._phrases[key] = (canon, acronym)
                self.max_len = max(self.max_len, len(key))
        # Most words start no alias: one set lookup skips them.
        self.first_words = frozenset(k[0] for k in self._phrases)

    @property
    def phrases(self) -> dict[tuple[str, ...], tuple[str, bool]]:
        """Alias phrase (folded words) -> (canonical term, written-in-capitals-only)."""
        return self._phrases

    @classmethod
    def from_file(cls, path: Path | None) -> Aliases:
        """The built-in table extended by a YAML/JSON file (raises ConfigError when unreadable)."""
        if path is None:
            return cls()
        try:
            text = Path(path).read_text(encoding="utf-8")
            data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise ConfigError(f"BRIEFBOT_ALIASES_FILE {path} cannot be read: {exc}") from exc
        if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
            raise ConfigError(
                f"BRIEFBOT_ALIASES_FILE {path} must map each name to a list of aliases"
            )
        return cls({str(k): [str(x) for x in v] for k, v in data.items()})

    def merge(self, original: str, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """Replace alias phrases in ``found`` (folded words with offsets) by canonical terms."""
        first = self.first_words
        if not any(w in first for w, _, _ in found):
            return found
        out: list[tuple[str, int, int]] = []
        i, n = 0, len(found)
        while i < n:
            if found[i][0] not in first:
                out.append(found[i])
                i += 1
                continue
            for size in range(min(self.max_len, n - i), 0, -1):
                key = tuple(w for w, _, _ in found[i : i + size])
                hit = self._phrases.get(key)
                if hit is None:
                    continue
                canon, acronym = hit
                s, e = found[i][1], found[i + size - 1][2]
                if acronym:
                    surface = original[s:e]
                    after_the = bool(out) and out[-1][0] == "the"
                    if not (surface.isupper() or "." in surface or after_the):
                        continue
                out.append((canon, s, e))
                i += size
                break
            else:
                out.append(found[i])
                i += 1
        return out
