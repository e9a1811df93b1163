"""A Markdown article's front matter read as the plain YAML a person writes, and nothing more.

YAML anchors and aliases (``&a [...]``, ``*a``) let a few lines stand for an exponential amount
of data: nine nested levels of them in a ``caption:`` took minutes and gigabytes to turn into
text, then broke the index. Nobody writing ``title:`` and ``date:`` needs them, so a front
matter that uses an alias is refused at once, before anything is built from it.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import Node


class AliasRefused(yaml.YAMLError):
    """The front matter uses a YAML alias (``*name``); ``line`` is 0-based, as YAML marks are."""

    def __init__(self, name: str, line: int) -> None:
        super().__init__(
            f"front matter uses the YAML alias *{name}: write the value out instead (aliases "
            "are refused because a few nested ones can expand to gigabytes)"
        )
        self.line = line


class _PlainLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases when it meets the first one."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise AliasRefused(str(event.anchor), event.start_mark.line)
        return super().compose_node(parent, index)


def load(text: str) -> Any:
    """The YAML document in ``text``; raises :class:`AliasRefused` or another ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_PlainLoader)  # a SafeLoader, aliases refused
