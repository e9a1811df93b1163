"""Slack's encoded message text read back as what the person typed."""

from __future__ import annotations

import re

_PRIVATE_FLAG = re.compile(r"^\s*(?:-p|--private)(?:\s+|$)", re.IGNORECASE)
_SLACK_MARKUP = re.compile(r"<([^<>]*)>")


def question_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack's encoded message text as the plain question a person typed, minus the bot mention.

    ``<@U1|ann>`` → ``@ann``, ``<!here>`` → ``@here``, ``<#C1|news>`` → ``#news``,
    ``<https://x|label>`` → ``label``, and ``&lt; &gt; &amp;`` back to characters.
    """

    def plain(match: re.Match[str]) -> str:
        target, _, label = match[1].partition("|")
        if target.startswith("@"):
            if bot_user_id and target[1:] == bot_user_id:
                return " "
            return f"@{label or target[1:]}"
        if target.startswith("!"):
            name = target[1:].split("^")[0]
            return label if label else f"@{name}"
        if target.startswith("#"):
            return f"#{label or 'channel'}"
        return label or target

    text = _SLACK_MARKUP.sub(plain, text or "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def private_flag(text: str) -> tuple[bool, str]:
    """``(True, rest)`` when a slash command starts with ``-p`` or ``--private``."""
    match = _PRIVATE_FLAG.match(text or "")
    return (True, text[match.end() :].strip()) if match else (False, (text or "").strip())
