"""Slack's encoded message text read back as what the person typed."""

from __future__ import annotations

import re

_PRIVATE_FLAG = re.compile(r"^\s*(?:-p|--private)(?:\s+|$)", re.IGNORECASE)
_SLACK_MARKUP = re.compile(r"<([^<>]*)>")
# <!...> forms that address people (the rest, like <!date^...|fallback>, stand for their text).
_ADDRESSES = frozenset({"here", "channel", "everyone", "subteam"})


def question_text(text: str) -> str:
    """Slack's encoded message text as the question a person asked, minus every mention.

    People, user groups, channels and broadcasts (``<@U1|ann>``, ``<!subteam^S1>``,
    ``<#C1|news>``, ``<!here>``) address the message, they are not what it asks: they are
    dropped, so they neither count as unknown words nor come back as pings. Links become their
    label (``<https://x|label>`` → ``label``), a date its fallback text, and
    ``&lt; &gt; &amp;`` characters again.
    """

    def plain(match: re.Match[str]) -> str:
        target, _, label = match[1].partition("|")
        if target.startswith(("@", "#")):
            return " "
        if target.startswith("!"):
            name = target[1:].split("^")[0]
            return " " if name in _ADDRESSES or not label else label
        return label or target

    text = _SLACK_MARKUP.sub(plain, text or "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def private_flag(text: str) -> tuple[bool, str]:
    """``(True, rest)`` when a slash command starts with ``-p`` or ``--private``."""
    match = _PRIVATE_FLAG.match(text or "")
    return (True, text[match.end() :].strip()) if match else (False, (text or "").strip())
