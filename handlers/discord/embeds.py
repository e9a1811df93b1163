"""Replies as Discord embeds: Markdown escaped, mentions broken, within Discord's size limits.

The structure (highlight segments, citations, clipping, wording) comes from
:mod:`handlers.render`; this module supplies Discord's dialect and embed layout.
"""

from __future__ import annotations

import discord

from bot import (
    Answer,
    AnswerReply,
    Briefing,
    BriefingReply,
    BriefItem,
    Digest,
    Reply,
    TextReply,
    plural,
)
from handlers import render

# Discord's documented limits for one embed (https://discord.com/developers/docs/resources/message).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
EMBED_TOTAL_LIMIT = 6000
#: A digest's footer is one line ("…and 4 more: /brief japan"); Discord allows 2,048.
DIGEST_FOOTER_LIMIT = 300
#: Embeds in one message; the 6,000 characters are counted over all of them.
EMBEDS_LIMIT = 10
#: A digest item's lead is a paragraph, not an article: longer ones are clipped (at a word).
LEAD_LIMIT = 700
#: An article title in a digest: a line, whatever the feed sent.
ITEM_TITLE_LIMIT = 250

COLOUR = discord.Colour(0x3B82F6)

#: Nothing the bot sends may ping: @everyone, @here, roles and users are shown, never triggered.
NO_PINGS = discord.AllowedMentions.none()


def escape(text: str) -> str:
    """Text shown as written: Markdown escaped, mentions broken by a zero-width space."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def _link(label: str, url: str) -> str:
    # A masked link only works for http(s), and a bare ")" or space in the URL ends it early.
    if not url.startswith(("http://", "https://")):
        return label
    safe = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({safe})"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.split("\n"))


DIALECT = render.Dialect(escape=escape, bold=lambda s: f"**{s}**", link=_link, quote=_quote)


def answer_embed(answer: Answer) -> discord.Embed:
    """Each quote in a block quote, answering words in bold, its linked citation under it."""
    embed = discord.Embed(title=render.fit(answer.question, escape, TITLE_LIMIT), colour=COLOUR)
    if not answer.answered:
        embed.description = render.fit(render.not_found_text(answer), escape, DESCRIPTION_LIMIT)
    else:
        embed.description = _passages_markup(answer)
    if answer.notice:
        embed.add_field(name="Note", value=render.fit(answer.notice, escape, FIELD_VALUE_LIMIT))
    embed.set_footer(text=f"Searched {plural(answer.articles_searched, 'article')}")
    return embed


def _passages_markup(answer: Answer) -> str:
    """The passages, as many whole ones as fit the description, long quotes clipped."""
    budget = DESCRIPTION_LIMIT
    while True:
        blocks = []
        for passage, cite in zip(answer.passages, render.cite_after(answer.passages), strict=True):
            clipped = passage.model_copy(update={"quote": render.clip(passage.quote, budget)})
            quote = DIALECT.quote(render.quote_markup(clipped, DIALECT))
            citation = f"\n— {render.citation_markup(passage.article, DIALECT)}" if cite else ""
            blocks.append(quote + citation)
        text = "\n\n".join(blocks)
        if len(text) <= DESCRIPTION_LIMIT or budget <= 20:
            return text[:DESCRIPTION_LIMIT]
        budget -= max((len(text) - DESCRIPTION_LIMIT) // max(len(blocks), 1), 1)


def briefing_embed(briefing: Briefing) -> discord.Embed:
    """One field per article: date and title as the name, the lead and linked source as value."""
    title = render.briefing_title(briefing, on_topic="Briefing:", quote=False)
    embed = discord.Embed(title=render.fit(title, escape, TITLE_LIMIT), colour=COLOUR)
    if not briefing.items:
        embed.description = render.fit(
            render.empty_briefing_text(briefing), escape, DESCRIPTION_LIMIT
        )
    for item in briefing.items[:FIELDS_LIMIT]:
        name = f"{render.human_date(item.article)} — {item.article.title}"
        citation = render.citation_markup(item.article, DIALECT)
        room = max(FIELD_VALUE_LIMIT - len(citation) - 1, 200)  # a pathological title is cut
        value = render.fit(item.lead, escape, room)
        embed.add_field(
            name=render.fit(name, escape, FIELD_NAME_LIMIT),
            value=f"{value}\n{citation}"[:FIELD_VALUE_LIMIT],
            inline=False,
        )
    # The 6,000-character total is what Discord rejects first with 25 long leads: drop the oldest.
    while len(embed) > EMBED_TOTAL_LIMIT - 100 and len(embed.fields) > 1:
        embed.remove_field(-1)
    embed.set_footer(text=f"{plural(briefing.total_articles, 'article')} in the corpus")
    return embed


def text_embed(text: str, *, title: str | None = None) -> discord.Embed:
    """Help, notices and errors: plain text, escaped."""
    embed = discord.Embed(description=render.fit(text, escape, DESCRIPTION_LIMIT), colour=COLOUR)
    if title:
        embed.title = render.fit(title, escape, TITLE_LIMIT)
    return embed


def reply_embed(reply: Reply) -> discord.Embed:
    """The embed for any core reply."""
    match reply:
        case AnswerReply(answer=answer):
            return answer_embed(answer)
        case BriefingReply(briefing=briefing):
            return briefing_embed(briefing)
        case TextReply(text=text):
            return text_embed(text)


def _item_markup(item: BriefItem) -> str:
    """``[Title](url) · Source · 3 Jan 2026`` and the lead under it, clipped at a word."""
    article = item.article
    if len(article.title) > ITEM_TITLE_LIMIT:
        article = article.model_copy(update={"title": render.clip(article.title, ITEM_TITLE_LIMIT)})
    citation = render.citation_markup(article, DIALECT)
    lead = render.fit(item.lead, escape, LEAD_LIMIT) if item.lead.strip() else ""
    block = f"{citation}\n{lead}" if lead else citation
    return block[:DESCRIPTION_LIMIT]  # only a pathological URL gets here


def _digest_blocks(digest: Digest) -> list[str]:
    """The digest as description paragraphs that are never split: a group's heading travels
    with its first item, so no embed ends on a heading."""
    if not digest.items:
        return [render.fit(digest.empty or "Nothing new.", escape, DESCRIPTION_LIMIT)]
    blocks = []
    for group in digest.groups:
        for i, item in enumerate(group.items):
            block = _item_markup(item)
            if i == 0 and group.topic:
                heading = DIALECT.bold(render.fit(group.topic, escape, 200))
                block = f"{heading}\n{block}"[:DESCRIPTION_LIMIT]
            blocks.append(block)
    return blocks


def digest_messages(digest: Digest) -> list[list[discord.Embed]]:
    """A digest or an alert as messages of embeds within Discord's limits: each description at
    most 4,096 characters, at most 10 embeds and 6,000 characters a message; more messages
    when it is longer. The title heads the first embed, the footer ends the last."""
    title = render.fit(digest.title, escape, TITLE_LIMIT)
    footer = render.clip(digest.footer, DIGEST_FOOTER_LIMIT) if digest.footer else ""
    # Every message keeps room for the title and the footer (only the first and the last
    # carry them): a message never goes over because of them.
    budget = EMBED_TOTAL_LIMIT - len(title) - len(footer)
    messages: list[list[discord.Embed]] = []
    embeds: list[discord.Embed] = []
    parts: list[str] = []
    used = 0  # characters of the message being filled, its closed embeds and ``parts``

    def close_embed() -> None:
        if parts:
            embeds.append(discord.Embed(description="\n\n".join(parts), colour=COLOUR))
            parts.clear()

    def close_message() -> None:
        nonlocal used
        close_embed()
        if embeds:
            messages.append(embeds.copy())
            embeds.clear()
        used = 0

    for block in _digest_blocks(digest):
        joined = len("\n\n".join([*parts, block]))
        if parts and joined > DESCRIPTION_LIMIT:
            close_embed()
            joined = len(block)
        if len(embeds) == EMBEDS_LIMIT or used + (joined - len("\n\n".join(parts))) > budget:
            close_message()
            joined = len(block)
        used += joined - len("\n\n".join(parts))
        parts.append(block)
    close_message()
    if not messages:
        messages = [[discord.Embed(colour=COLOUR)]]
    messages[0][0].title = title
    if footer:
        messages[-1][-1].set_footer(text=footer)
    return messages
