"""What the CLI and the console print: rich ``Text`` built piece by piece, never parsed as markup.

Questions, article text and file names reach a terminal, so nothing of theirs may act on it:
``[red]`` or ``[/]`` stay text (no markup is ever parsed), and every control character (ESC and
the rest of C0, DEL, C1, bidirectional overrides) is shown as a visible stand-in, so a question
or an article cannot retitle, clear or reorder the screen. On a terminal the answering words are
bold yellow and lines wrap to its width; piped, the output is plain text, unwrapped, with the
answering words between ``**``.
"""

from __future__ import annotations

from rich.console import Console
from rich.style import Style
from rich.text import Text

from bot import Answer, ArticleRef, Briefing, BriefItem, Digest
from handlers.render import (
    cite_after,
    empty_briefing_text,
    human_date,
    not_found_text,
    segments,
)

#: The style of the answering words (piped output marks them with ``**`` instead).
HIT = "bold yellow"
BAR = "│ "

# One visible character for each invisible one, so styled spans keep their offsets.
_VISIBLE: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A)}
_VISIBLE[0x7F] = "\u2421"  # ␡
for _c in (*range(0x80, 0xA0), 0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F)):
    _VISIBLE[_c] = "\ufffd"
for _c in range(0x2066, 0x206A):  # bidi isolates
    _VISIBLE[_c] = "\ufffd"


def printable(text: str) -> str:
    """``text`` with every control character but tab and newline replaced by a visible one
    (ESC → ␛, C1 and bidi controls → �), character for character."""
    return text.translate(_VISIBLE)


def piece(text: str, style: str | Style | None = None) -> Text:
    """User or article text as a ``Text`` (never markup), control characters made visible."""
    return Text(printable(text), style=style or "")


def show(console: Console, text: Text | str) -> None:
    """Print ``text``: styled and wrapped on a terminal; piped, plain and unwrapped, with the
    answering words between ``**`` (a pipe has no bold)."""
    if isinstance(text, str):
        text = piece(text)
    text.plain = printable(text.plain)  # one length per character: the spans stay in place
    if console.is_terminal:
        console.print(text)
    else:
        console.out(marked(text), highlight=False)


def marked(text: Text) -> str:
    """The plain text with ``**`` around the answering words."""
    plain, out, pos = text.plain, [], 0
    for start, end in sorted((s.start, s.end) for s in text.spans if s.style == HIT):
        if start < pos:
            continue
        out += [plain[pos:start], "**", plain[start:end], "**"]
        pos = end
    out.append(plain[pos:])
    return "".join(out)


def answer_text(answer: Answer) -> Text:
    """An answer: each quote behind a bar with the answering words highlighted, then its
    citation; or "not found" with the hint of what the corpus covers."""
    text = Text()
    if answer.notice:
        text.append_text(piece(answer.notice, "italic"))
        text.append("\n")
    if not answer.answered:
        text.append_text(piece(not_found_text(answer)))
        return text
    cites = cite_after(answer.passages)
    for n, p in enumerate(answer.passages):
        if n:
            text.append("\n" if not cites[n - 1] else "\n\n")
        text.append(BAR, "dim")
        for run, hot in segments(p.quote, p.highlight):
            for i, line in enumerate(run.split("\n")):
                if i:
                    text.append("\n")
                    text.append(BAR, "dim")
                if hot:
                    _append_hit(text, line)
                else:
                    text.append_text(piece(line))
        if cites[n]:
            text.append("\n  — ", "dim")
            text.append_text(citation_text(p.article))
    return text


def _append_hit(text: Text, run: str) -> None:
    """A highlighted run, the style hugging the words (no ``** this**`` when piped)."""
    core = run.strip()
    lead = run[: len(run) - len(run.lstrip())]
    trail = run[len(run.rstrip()) :]
    text.append_text(piece(lead))
    text.append_text(piece(core, HIT if core else None))
    text.append_text(piece(trail))


def title_text(article: ArticleRef, style: str = "") -> Text:
    """The article's title, a link to its url where the terminal supports links."""
    link = Style(link=printable(article.url)) if article.url else None
    title = piece(article.title, style)
    if link:
        title.stylize(link)
    return title


def citation_text(article: ArticleRef) -> Text:
    """``Title (linked) · Source · 3 Jan 2026``, dimmed."""
    text = title_text(article, "dim")
    if article.source:
        text.append(" · ", "dim")
        text.append_text(piece(article.source, "dim"))
    text.append(f" · {human_date(article)}", "dim")
    return text


def briefing_text(briefing: Briefing) -> Text:
    """A briefing: a head line, then per article its title · date · source and the lead."""
    if not briefing.items:
        return piece(empty_briefing_text(briefing))
    text = Text()
    head = Text("Briefing (", "bold")
    if briefing.topic:
        head.append_text(piece(f"on “{briefing.topic}”", "bold"))
    else:
        head.append("latest")
    if briefing.period:
        head.append(f", {briefing.period}")
    head.append(f"): {len(briefing.items)} of {briefing.total_articles}")
    text.append_text(head)
    for item in briefing.items:
        _append_item(text, item)
    return text


def _append_item(text: Text, item: BriefItem) -> None:
    """One article of a briefing or a digest: title · date · source, then its lead."""
    a = item.article
    text.append("\n\n")
    text.append_text(title_text(a, "bold"))
    text.append(f" · {human_date(a)}", "dim")
    if a.source:
        text.append(" · ", "dim")
        text.append_text(piece(a.source, "dim"))
    text.append("\n  ")
    text.append_text(piece(item.lead))


def digest_text(digest: Digest) -> Text:
    """A digest or an alert: its title, then per topic its articles as a briefing shows them."""
    text = Text()
    text.append_text(piece(digest.title, "bold"))
    if digest.empty:
        text.append("\n")
        text.append_text(piece(digest.empty))
        return text
    for group in digest.groups:
        if group.topic and len(digest.groups) > 1:
            text.append("\n\n")
            text.append_text(piece(group.topic, "bold underline"))
        for item in group.items:
            _append_item(text, item)
    if digest.footer:
        text.append("\n\n")
        text.append_text(piece(digest.footer, "dim"))
    return text
