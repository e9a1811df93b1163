"""Replies as Slack writes them: mrkdwn escaping, Block Kit layout and Slack's size limits.

The structure (highlight segments, citations, clipping, wording) comes from
:mod:`handlers.render`; this module supplies Slack's dialect and counts as Slack does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot import (
    Answer,
    AnswerReply,
    ArticleRef,
    Briefing,
    BriefingReply,
    Digest,
    Passage,
    Reply,
    TextReply,
)
from handlers import render

# Slack's documented limits (they count UTF-16 code units, like JavaScript).
SECTION_TEXT_LIMIT = 3000
MAX_BLOCKS = 50
MESSAGE_TEXT_LIMIT = 40000
MAX_PASSAGES = 3  # quotes in one Slack answer: more is a wall of text in a channel

SLACK_HELP = (
    "In Slack: mention me in a channel (@briefbot your question), message me directly, "
    "or use /ask and /brief. /ask -p answers only you."
)

# Zero-width space around * _ ~ ` keeps them from opening or closing Slack formatting whichever
# way Slack classifies it (word character or space), and the character itself is kept for copying.
# Slack has no backslash escape for these; only & < > have entities.
ZWSP = "\u200b"
_MARKUP_CHARS = re.compile(r"[*_~`]")
# Plain @channel/@here/@everyone do not ping without link_names, but a word joiner makes sure.
_BROADCAST_WORDS = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Text that Slack shows exactly as written: no pings, links or formatting."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKUP_CHARS.sub(lambda m: f"{ZWSP}{m[0]}{ZWSP}", text)
    return _BROADCAST_WORDS.sub(lambda m: f"@\u2060{m[1]}", text)


def _bold(text: str) -> str:
    # Slack bold cannot span lines and its markers must hug non-space text.
    lines = []
    for line in text.split("\n"):
        core = line.strip()
        if core:
            lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
            line = f"{lead}*{core}*{trail}"
        lines.append(line)
    return "\n".join(lines)


def _link(label: str, url: str) -> str:
    if not re.match(r"(?i)^(https?://|mailto:)", url):
        return label
    # Inside <url|label>, | and > would end the URL early; & < > are entity-escaped as in text.
    safe = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
    safe = safe.replace("|", "%7C").replace(" ", "%20")
    return f"<{safe}|{label}>"


def _quote(text: str) -> str:
    return "\n".join(f">{' ' if line else ''}{line}" for line in text.split("\n"))


SLACK = render.Dialect(escape=escape, bold=_bold, link=_link, quote=_quote)


def slack_len(text: str) -> int:
    """Length as Slack counts it (UTF-16 code units), so emoji cannot push a block over."""
    return len(text.encode("utf-16-le")) // 2


def fit(source: str, to_markup: Callable[[str], str], limit: int) -> str:
    """``render.fit`` counting characters the way Slack does."""
    return render.fit(source, to_markup, limit, slack_len)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text or " "}]}


def _clipped_passage(passage: Passage, quote: str) -> Passage:
    if quote == passage.quote:
        return passage
    keep = len(quote.rstrip("…"))
    spans = [(s, min(e, keep)) for s, e in passage.highlight if s < keep]
    return passage.model_copy(update={"quote": quote, "highlight": spans})


def passage_blocks(passage: Passage, *, cite: bool = True) -> list[dict[str, Any]]:
    """A block quote with the answering words in bold, then (unless the next quote is from the
    same article) its citation in a context block."""
    quote = fit(
        passage.quote,
        lambda q: SLACK.quote(render.quote_markup(_clipped_passage(passage, q), SLACK)),
        SECTION_TEXT_LIMIT,
    )
    return (
        [_section(quote), _context(citation_text(passage.article))] if cite else [_section(quote)]
    )


def citation_text(article: ArticleRef, limit: int = SECTION_TEXT_LIMIT) -> str:
    """The linked citation, with an absurdly long title clipped rather than the link markup."""
    return fit(
        article.title,
        lambda t: render.citation_markup(article.model_copy(update={"title": t}), SLACK),
        limit,
    )


def answer_blocks(answer: Answer) -> list[dict[str, Any]]:
    """The top passages of an answer, or the 'nothing answers that' wording with its hint."""
    blocks: list[dict[str, Any]] = []
    if answer.notice:
        blocks.append(_context(fit(answer.notice, escape, SECTION_TEXT_LIMIT)))
    if not answer.answered or not answer.passages:
        blocks.append(_section(fit(render.not_found_text(answer), escape, SECTION_TEXT_LIMIT)))
        return blocks
    shown = answer.passages[:MAX_PASSAGES]
    for passage, cite in zip(shown, render.cite_after(shown), strict=True):
        blocks.extend(passage_blocks(passage, cite=cite))
    return blocks


def briefing_blocks(briefing: Briefing) -> list[dict[str, Any]]:
    """A heading, then one section per article: linked citation and a clipped lead."""
    heading = render.briefing_title(briefing)
    blocks = [_section(_bold(fit(heading, escape, SECTION_TEXT_LIMIT - 2)))]
    if not briefing.items:
        blocks.append(
            _section(fit(render.empty_briefing_text(briefing), escape, SECTION_TEXT_LIMIT))
        )
    for item in briefing.items[: MAX_BLOCKS - 1]:
        citation = citation_text(item.article, SECTION_TEXT_LIMIT // 2)
        room = SECTION_TEXT_LIMIT - slack_len(citation) - 1
        lead = fit(item.lead, escape, room)
        blocks.append(_section(f"{citation}\n{lead}"))
    return blocks


def message(reply: Reply) -> dict[str, Any]:
    """``text`` (the notification fallback) and ``blocks`` for chat.postMessage or response_url."""
    match reply:
        case AnswerReply(answer=answer):
            answer = answer.model_copy(update={"passages": answer.passages[:MAX_PASSAGES]})
            blocks = answer_blocks(answer)
            text = render.plain_answer(answer)
            if answer.notice:
                text = f"{answer.notice}\n{text}"
        case BriefingReply(briefing=briefing):
            blocks = briefing_blocks(briefing)
            text = render.plain_briefing(briefing)
        case TextReply(kind=kind, text=text):
            blocks = [_section(fit(text, escape, SECTION_TEXT_LIMIT))]
            if kind == "help":
                blocks.append(_context(escape(SLACK_HELP)))
    return {"text": fit(text or " ", escape, MESSAGE_TEXT_LIMIT), "blocks": blocks[:MAX_BLOCKS]}


def digest_messages(digest: Digest) -> list[dict[str, Any]]:
    """A digest or an alert as one or more messages (``text`` and ``blocks`` each), split at
    Slack's 50 blocks a message; every lead whole or clipped at a word, never mid-word."""
    title = _section(_bold(fit(digest.title, escape, SECTION_TEXT_LIMIT - 2)))
    body: list[dict[str, Any]] = []
    if digest.empty:
        body.append(_section(fit(digest.empty, escape, SECTION_TEXT_LIMIT)))
    for group in digest.groups:
        if group.topic and len(digest.groups) > 1:
            body.append(_section(_bold(fit(group.topic, escape, SECTION_TEXT_LIMIT - 2))))
        for item in group.items:
            citation = citation_text(item.article, SECTION_TEXT_LIMIT // 2)
            room = SECTION_TEXT_LIMIT - slack_len(citation) - 1
            body.append(_section(f"{citation}\n{fit(item.lead, escape, room)}"))
    if digest.footer:
        body.append(_context(fit(digest.footer, escape, SECTION_TEXT_LIMIT)))
    per = MAX_BLOCKS - 1  # each message starts with the title
    messages = []
    chunks = [body[i : i + per] for i in range(0, len(body), per)] or [[]]
    for n, chunk in enumerate(chunks, 1):
        head = title if n == 1 else _context(escape(f"{digest.title} ({n}/{len(chunks)})"))
        titles = [i.article.title for g in digest.groups for i in g.items]
        text = digest.title + (f": {digest.empty}" if digest.empty else f" ({len(titles)})")
        if n > 1:
            text = f"{digest.title} ({n}/{len(chunks)})"
        messages.append({"text": fit(text, escape, MESSAGE_TEXT_LIMIT), "blocks": [head, *chunk]})
    return messages
