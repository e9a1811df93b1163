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


# Fields of an event or a slash command that the listeners read as text, when present.
_TEXT_FIELDS = ("text", "ts", "thread_ts", "channel", "user", "channel_type", "subtype")


def malformed(payload: object) -> str | None:
    """Why a (signed) payload is not one Slack sends, or None: an event that is not an object,
    or a text field that is a number or a list. Checked before bolt, whose listeners (and ours)
    would otherwise fail on it with a traceback, in HTTP mode with a 500."""
    if not isinstance(payload, dict):
        return "not a JSON object"
    if payload.get("type") == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict):
            return "its event is not an object"
        if not isinstance(event.get("type"), str):
            return "its event has no type"
        fields, what = event, "event"
    elif "command" in payload:
        fields, what = payload, "command"
        if not isinstance(payload.get("command"), str):
            return "its command is not text"
    else:
        return None
    for name in _TEXT_FIELDS:
        if name in fields and fields[name] is not None and not isinstance(fields[name], str):
            return f"the {what}'s {name} is not text"
    return None
