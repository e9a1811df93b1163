"""Discord message text read as the question a person asked: mentions dropped.

``<@123>``, ``<@!123>`` (people), ``<@&123>`` (roles), ``<#123>`` (channels), ``@everyone`` and
``@here`` say whom a message is for, not what it asks: dropped, so they neither count as unknown
words nor come back in the reply.
"""

from __future__ import annotations

import re

_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")


def question_text(text: str | None) -> str:
    """``text`` without mentions, whitespace collapsed."""
    return " ".join(_MENTION.sub(" ", text or "").split())
