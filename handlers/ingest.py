"""``briefbot ingest``: feeds and article pages into the corpus folder, one line per article.

The work is ``bot.ingest``; this module only reads the command line and prints the report.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from rich.console import Console
from rich.text import Text

from bot import IngestOptions, IngestReport, Settings
from handlers.terminal import piece, show

log = logging.getLogger(__name__)

_MARKS = {
    "added": ("+ added  ", "green"),
    "updated": ("~ updated", "cyan"),
    "skipped": ("= skipped", "dim"),
    "failed": ("✗ failed ", "red"),
}


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    """The ``ingest`` subcommand and its options."""
    p = sub.add_parser(
        "ingest",
        parents=parents,
        help="fetch RSS/Atom feeds or article pages into the corpus folder",
        description="Each URL is a feed (every item's page is fetched) or an article page. New "
        "articles are written to the corpus folder as Markdown files; the run prints what was "
        "added, updated, skipped or failed, and why.",
    )
    p.add_argument(
        "urls", nargs="*", metavar="URL", help="feed or article URL (default: $BRIEFBOT_FEEDS)"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        default=IngestOptions().timeout,
        help="give up on a page after this long (default %(default)g)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest the URLs given (else BRIEFBOT_FEEDS) into the corpus folder; 0 once the run is
    over, whatever failed in it (each failure is a line of the report)."""
    if args.timeout <= 0:
        print("briefbot ingest: --timeout must be more than 0 seconds", file=sys.stderr)
        return 2
    urls = args.urls or settings.feed_urls
    options = IngestOptions(timeout=args.timeout)
    from bot import ingest_urls

    report = asyncio.run(ingest_urls(urls, settings.briefbot_corpus, options))
    if args.json:
        print(report.model_dump_json())
    else:
        out = Console(highlight=False, soft_wrap=True)
        for line in report_lines(report):
            show(out, line)
    return 0


def prime(settings: Settings) -> None:
    """Before a bot starts: when BRIEFBOT_FEEDS is set and the corpus folder holds no article yet,
    fetch the feeds once, so that a bot can start on its feeds alone (the engine needs an
    article to load). Afterwards the poller keeps the folder up to date."""
    from bot import list_folder

    folder = settings.briefbot_corpus
    if not settings.feed_urls or folder.is_file():
        return
    if folder.is_dir() and list_folder(folder).files:
        return
    from bot import ingest_urls, log_report

    log.info("feeds: %s holds no article yet; fetching BRIEFBOT_FEEDS first", folder)
    log_report(asyncio.run(ingest_urls(settings.feed_urls, folder)))


def report_lines(report: IngestReport) -> list[Text]:
    """The report: a line per source, an indented line per article, the counts. Titles, URLs
    and reasons come from the web: they are text, never markup or terminal controls."""
    lines = []
    for source in report.sources:
        url = piece(source.url)
        if source.error:
            lines.append(Text.assemble(_MARKS["failed"], " ", url, ": ", piece(source.error)))
            continue
        if source.not_modified:
            lines.append(
                Text.assemble(
                    _MARKS["skipped"],
                    " ",
                    url,
                    ": not modified since the last run (HTTP 304), nothing to fetch",
                )
            )
            continue
        if source.kind == "feed":
            title = piece(f" ({source.title})") if source.title else ""
            lines.append(
                Text.assemble(("feed", "bold"), " ", url, title, f": {source.items} item(s)")
            )
            if source.warning:
                lines.append(Text.assemble("  ", ("!", "yellow"), " ", piece(source.warning)))
        indent = "  " if source.kind == "feed" else ""
        for o in source.outcomes:
            if o.action in ("added", "updated"):
                what = piece(f"{o.file or ''}  {o.title or ''}")
                note = piece(f" ({o.reason})", "dim") if o.reason else ""
                lines.append(Text.assemble(indent, _MARKS[o.action], " ", what, note))
            else:
                lines.append(
                    Text.assemble(
                        indent, _MARKS[o.action], " ", piece(o.url), ": ", piece(o.reason)
                    )
                )
    summary = f" in {report.took_s:.1f} s → "
    lines.append(Text.assemble((report.summary(), "bold"), summary, piece(report.folder)))
    return lines
