"""Rendering rules shared by every adapter: highlight segments, citations, clipping, wording.

Adapters supply a :class:`Dialect` (how to escape, bold, link and quote in their markup) and get
the same structure everywhere, so a rule changes in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import Answer, ArticleRef, Briefing, Passage

NOT_FOUND = "Nothing in the corpus answers that."
NO_ARTICLES = "No articles to brief on."


@dataclass(frozen=True)
class Dialect:
    """How one platform writes text: every function receives already-escaped text but ``escape``."""

    escape: Callable[[str], str]
    bold: Callable[[str], str]
    link: Callable[[str, str], str]  # (escaped label, url) -> markup
    quote: Callable[[str], str]  # a block quote of one or more lines


def segments(quote: str, highlight: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Split ``quote`` into (text, highlighted) runs from the passage's highlight spans."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted(highlight):
        start, end = max(start, pos), min(end, len(quote))
        if start >= end:
            continue
        if start > pos:
            out.append((quote[pos:start], False))
        out.append((quote[start:end], True))
        pos = end
    if pos < len(quote):
        out.append((quote[pos:], False))
    return out


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``limit`` characters, at a word boundary when one is near."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    space = cut.rfind(" ")
    if space > limit * 0.7:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def fit(
    source: str, to_markup: Callable[[str], str], limit: int, length: Callable[[str], int] = len
) -> str:
    """``to_markup(source)``, clipping the source (never the markup, whose escapes and bold
    markers would break) until the markup's ``length`` fits a platform ``limit``."""
    out = to_markup(source)
    size = len(source)
    while length(out) > limit and size > 1:
        size = max(1, min(size - 1, int(size * limit / length(out) * 0.95)))
        out = to_markup(clip(source, size))
    # Only reachable with absurd limits; a hard cut is better than a rejected message.
    return out if length(out) <= limit else out[: limit // 2]


def human_date(article: ArticleRef) -> str:
    """``3 Jan 2026``: unambiguous in every locale."""
    d = article.date
    return f"{d.day} {d.strftime('%b')} {d.year}"


def quote_markup(passage: Passage, dialect: Dialect) -> str:
    """The quote with the answering words in bold, escaped for the dialect."""
    parts = []
    for text, hot in segments(passage.quote, passage.highlight):
        escaped = dialect.escape(text)
        # Bold markers must hug non-space text or Slack/Discord render them literally.
        if hot and text.strip():
            lead = escaped[: len(escaped) - len(escaped.lstrip())]
            trail = escaped[len(escaped.rstrip()) :]
            escaped = lead + dialect.bold(escaped.strip()) + trail
        parts.append(escaped)
    return "".join(parts)


def citation_markup(article: ArticleRef, dialect: Dialect) -> str:
    """``Title (linked) · Source · 3 Jan 2026``."""
    title = dialect.escape(article.title)
    title = dialect.link(title, article.url) if article.url else title
    bits = [title]
    if article.source:
        bits.append(dialect.escape(article.source))
    bits.append(human_date(article))
    return " · ".join(bits)


def not_found_text(answer: Answer) -> str:
    """The plain wording of a 'not found' answer, with the hint of what the corpus covers; for
    a question in another language, that the bot reads English only (not that the corpus
    lacks the story)."""
    if answer.language:
        return (
            f"Your question looks like {answer.language}: I read English only so far. "
            "Ask it in English and I will look (names can stay as they are)."
        )
    text = NOT_FOUND
    if answer.hint:
        text += f" {answer.hint}"
    return text


def briefing_title(briefing: Briefing, on_topic: str = "Latest on", quote: bool = True) -> str:
    """ "Latest on “japan”", "Latest articles", with the period asked for after a comma."""
    topic = f"“{briefing.topic}”" if quote else briefing.topic
    title = f"{on_topic} {topic}" if briefing.topic else "Latest articles"
    return f"{title}, {briefing.period}" if briefing.period else title


def empty_briefing_text(briefing: Briefing) -> str:
    """The plain wording of a briefing with no articles: that nothing matched its topic, with
    topics to try; for a period, that nothing is dated in it and what the newest is; else the
    hint, else that there are none."""
    if briefing.period:
        on = f" on “{briefing.topic}”" if briefing.topic else ""
        text = f"Nothing in the corpus{on} is dated {briefing.period}."
        return f"{text} {briefing.hint}" if briefing.hint else text
    if briefing.topic:
        text = f"Nothing in the corpus matches “{briefing.topic}”."
        if briefing.suggestions:
            text += " Try " + ", ".join(f"“{t}”" for t in briefing.suggestions) + "."
        elif briefing.hint:
            text += f" {briefing.hint}"
        return text
    return briefing.hint or NO_ARTICLES


def cite_after(passages: Sequence[Passage]) -> list[bool]:
    """For each passage, whether its citation follows it: quotes of one article come together
    (the core orders them so), and the article is cited once, under its last quote."""
    return [
        i + 1 == len(passages) or passages[i + 1].article.id != p.article.id
        for i, p in enumerate(passages)
    ]


def plain_answer(answer: Answer) -> str:
    """A plain-text rendering, for notification fallbacks and screen readers."""
    if not answer.answered:
        return not_found_text(answer)
    lines = []
    for p, cite in zip(answer.passages, cite_after(answer.passages), strict=True):
        a = p.article
        source = f" — {a.title}, {a.source}, {human_date(a)}".replace(", ,", ",") if cite else ""
        lines.append(f"“{p.quote}”{source}")
    return "\n".join(lines)


def plain_briefing(briefing: Briefing) -> str:
    """A plain-text rendering of a briefing."""
    if not briefing.items:
        return empty_briefing_text(briefing)
    return "\n".join(
        f"{human_date(i.article)} — {i.article.title} ({i.article.source}): {i.lead}"
        for i in briefing.items
    )
