"""The ``briefbot`` command: ask, brief, chat, corpus check, ingest, and the Slack/Discord runners.

Errors from the core are caught here, once, and printed as a friendly message on stderr with
exit code 2 (usage or corpus errors); "not found" is a normal answer and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from bot import BriefbotError, __version__, env_files, explain, plural
from handlers import ingest, logs
from handlers.settings import AppSettings
from handlers.terminal import piece, show

if TYPE_CHECKING:  # the engine (numpy, the index) loads only for commands that need it
    from bot import Core, Engine, LiveEngine
    from handlers.deliveries import Deliveries

T = TypeVar("T")
USAGE_ERROR = 2
LISTED = 50  # problems `corpus check` lists before it only counts
# The interpreter's thread switch interval while a bot runs (s; Python's default is 0.005).
SWITCH_S = 0.001


def _parser() -> argparse.ArgumentParser:
    corpus = argparse.ArgumentParser(add_help=False)
    corpus.add_argument(
        "--corpus",
        type=Path,
        metavar="PATH",
        help="article file or folder (default: $BRIEFBOT_CORPUS, else the bundled corpus/)",
    )
    p = argparse.ArgumentParser(
        prog="briefbot",
        description="Answers questions about your news articles with quoted, cited passages.",
    )
    p.add_argument("--version", action="version", version=f"briefbot {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", parents=[corpus], help="answer a question")
    ask.add_argument("question", nargs="*", help="the question, or - to read one per line")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("-n", "--answers", type=int, metavar="N", help="passages to show (1-10)")

    brief = sub.add_parser("brief", parents=[corpus], help="the latest articles, or on a topic")
    brief.add_argument("topic", nargs="*", help="a topic (optional)")
    brief.add_argument("--json", action="store_true", help="print the briefing as JSON")
    brief.add_argument("-n", "--items", type=int, metavar="N", help="articles to list")

    sub.add_parser("chat", parents=[corpus], help="a local console, the same path as the chats")

    check = sub.add_parser("corpus", help="corpus tools")
    csub = check.add_subparsers(dest="corpus_command", metavar="ACTION")
    c = csub.add_parser("check", help="what loads, what is skipped and why")
    c.add_argument("path", type=Path, nargs="?", help="file or folder (default: the corpus)")
    c.add_argument("--all", action="store_true", help=f"list every problem (default: {LISTED})")

    ingest.add_parser(sub, [corpus])

    slack = sub.add_parser("slack", parents=[corpus], help="run the Slack bot")
    slack.add_argument(
        "--port", type=_port, help="HTTP mode port, 1-65535 (default $SLACK_PORT or 3000)"
    )
    slack.add_argument(
        "--host",
        help="HTTP mode address to listen on (default $SLACK_HOST or 0.0.0.0, every interface; "
        "127.0.0.1 behind a proxy on this machine)",
    )
    sub.add_parser("discord", parents=[corpus], help="run the Discord bot")
    sub.add_parser(
        "run",
        parents=[corpus],
        help="start what .env configures (Slack, Discord) or else the local console",
    )
    return p


def _port(text: str) -> int:
    """A TCP port for ``--port``; argparse turns the ValueError into a usage error (exit 2)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: choose one from 1 to 65535")
    return port


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        settings = _configure(args)
    except ValidationError as exc:  # variables with wrong values: one line each
        for line in explain(exc, AppSettings).splitlines():
            show(err, f"briefbot: bad configuration: {line}")
        return USAGE_ERROR
    except ValueError as exc:  # an unknown log level
        show(err, f"briefbot: bad configuration: {exc}")
        return USAGE_ERROR
    try:
        return _dispatch(args, settings, parser)
    except BriefbotError as exc:
        show(err, Text.assemble(("briefbot:", "bold red"), " ", piece(str(exc))))
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """The reader of our output went away (``briefbot ask --json - | head -1``): that ends the
    run quietly, as it does for other command-line tools."""
    # Later writes (Python's own flush at exit) go nowhere instead of raising again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


def _configure(args: argparse.Namespace) -> AppSettings:
    """The settings (environment, ``.env``, ``--corpus``), with logging set up as they say."""
    settings = AppSettings(_env_file=env_files())
    if getattr(args, "corpus", None):
        settings.briefbot_corpus = args.corpus
    tokens = (
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
        settings.discord_token,
    )
    logs.configure(settings.briefbot_log_level, [t.get_secret_value() for t in tokens if t])
    return settings


def _dispatch(
    args: argparse.Namespace, settings: AppSettings, parser: argparse.ArgumentParser
) -> int:
    from bot import Engine

    if args.command == "corpus":
        if args.corpus_command != "check":
            parser.parse_args(["corpus", "--help"])
        return _corpus_check(args.path or settings.briefbot_corpus, settings, show_all=args.all)
    if args.command == "ask":
        return _ask(args, settings, parser)
    if args.command == "ingest":
        return ingest.run(args, settings)
    if args.command == "brief":
        # A briefing reads dates, titles and leads, never sentence vectors: nothing to embed
        # (a large new corpus would otherwise be embedded before the first line is printed).
        engine = Engine.load(settings.model_copy(update={"briefbot_semantic": False}))
        briefing = asyncio.run(engine.brief(" ".join(args.topic) or None, limit=args.items))
        if args.json:
            print(briefing.model_dump_json())
        else:
            from handlers.terminal import briefing_text

            show(Console(highlight=False), briefing_text(briefing))
        return 0
    if args.command not in ("chat", "slack", "discord", "run"):
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    from bot import LiveEngine

    ingest.prime(settings)  # a corpus folder still empty gets its feeds before it loads
    # A running bot merges and saves in threads beside its answers: hand the GIL over every
    # millisecond rather than every 5, so an answer never queues long behind that work
    # (measured: a p99 under a reload at a million sentences 2-3x lower). Process-wide, so set
    # by the process that runs the bot, never by the core.
    sys.setswitchinterval(SWITCH_S)
    # The database code (SQLAlchemy, a quarter of a second to import) loads beside the corpus.
    threading.Thread(target=_import_database_code, name="import-db", daemon=True).start()
    live = LiveEngine.load(settings)  # the long-lived commands follow the corpus folder
    if args.command == "chat":
        from handlers.console import ConsoleSession

        asyncio.run(_serving(settings, live, lambda d: ConsoleSession(live, deliveries=d).run()))
        return 0
    if args.command == "slack":
        from handlers.slack import serve as serve_slack

        def slack(d: Deliveries) -> Coroutine[Any, Any, None]:
            return serve_slack(settings, live, port=args.port, host=args.host, deliveries=d)

        asyncio.run(_serving(settings, live, slack))
        return 0
    if args.command == "discord":
        from handlers.discord import serve as serve_discord

        asyncio.run(
            _serving(
                settings,
                live,
                lambda d: serve_discord(settings, live, digests=d.digests, feeds=d.feeds),
            )
        )
        return 0
    return asyncio.run(_serving(settings, live, lambda d: _run(settings, live, d)))  # run


def _import_database_code() -> None:
    """Import what opening the database needs, while the main thread loads the corpus."""
    with contextlib.suppress(Exception):  # the main thread imports it again and reports
        import handlers.deliveries  # noqa: F401  (the façade's Scheduler, Database, Digests)


def _ask(args: argparse.Namespace, settings: AppSettings, parser: argparse.ArgumentParser) -> int:
    from bot import Engine

    words = args.question
    if not words or not " ".join(words).strip():
        print(
            'briefbot ask: give a question, e.g. briefbot ask "when is Takaichi visiting the US?"\n'
            "  (or briefbot ask --json - to read one question a line from standard input)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    if args.answers is not None and not 1 <= args.answers <= 10:
        print("briefbot ask: --answers must be between 1 and 10", file=sys.stderr)
        return USAGE_ERROR
    engine = Engine.load(settings)
    try:
        if words == ["-"]:
            return asyncio.run(_ask_stream(engine, args))
        answer = asyncio.run(engine.ask(" ".join(words), limit=args.answers))
        if args.json:
            print(answer.model_dump_json())
        else:
            from handlers.terminal import answer_text

            show(Console(highlight=False), answer_text(answer))
        return 0
    finally:
        engine.close()  # what the start left to save in the background is saved before exit


async def _ask_stream(engine: Engine, args: argparse.Namespace) -> int:
    """One question a line in, one answer a line out (JSON Lines with --json)."""
    from handlers.terminal import answer_text

    console = Console(highlight=False)
    for line in sys.stdin:
        question = line.rstrip("\r\n")  # a file written on Windows ends its lines with CRLF
        answer = await engine.ask(question, limit=args.answers)
        if not question.strip():
            answer.notice = "empty question"
        if args.json:
            sys.stdout.write(answer.model_dump_json() + "\n")
            sys.stdout.flush()
        else:
            show(console, piece(question, "bold"))
            show(console, answer_text(answer).append("\n"))
    return 0


def _corpus_check(path: Path, settings: AppSettings, *, show_all: bool = False) -> int:
    """What loads, what is skipped and why, counts; a bulk collection lists its first problems.

    A corpus where nothing loads is reported the same way (every reason, with ``--all``), then
    exits 2: it is the case where the list matters most.
    """
    from bot import Engine, NothingLoaded, load_corpus

    out = Console(highlight=False)
    try:
        report, failure = load_corpus(path, warn=False), None
    except NothingLoaded as exc:
        report, failure = exc.report, exc
    show(out, Text.assemble(piece(str(path), "bold"), f": {plural(report.files, 'file')}"))
    if failure is None:
        # Counting needs no sentence model: a check never embeds.
        words_only = settings.model_copy(update={"briefbot_semantic": False})
        stats = Engine(report.articles, words_only, report).stats()
        loaded = f"{plural(stats.articles, 'article')}, {plural(stats.passages, 'passage')}"
        show(out, f"  loaded   {loaded}")
        if stats.newest:
            show(out, f"  dates    {stats.oldest} .. {stats.newest[0]}")
        show(out, "  sources  " + ", ".join(f"{k} ({v})" for k, v in stats.sources.items()))
    else:
        show(out, "  loaded   0 articles")
    if report.ignored:
        show(out, f"  ignored  {report.ignored}")
    for label, mark, items in (
        ("skipped", ("✗", "red"), report.skipped),
        ("duplicates", ("!", "yellow"), report.duplicates),
        ("warnings", ("!", "yellow"), report.warnings),
    ):
        if label == "warnings" and not items:
            continue
        show(out, f"  {label}  {len(items)}")
        shown = items if show_all else items[:LISTED]
        for item in shown:
            show(out, Text.assemble("    ", mark, " ", piece(str(item))))
        if len(items) > len(shown):
            show(out, f"    … and {len(items) - len(shown)} more (--all lists them)")
    if failure is not None:
        show(
            Console(stderr=True, highlight=False),
            f"briefbot: no articles could be loaded from {path}",
        )
        return USAGE_ERROR
    return 0


async def _serving(
    settings: AppSettings,
    live: LiveEngine,
    command: Callable[[Deliveries], Coroutine[Any, Any, T]],
) -> T:
    """Run a long-lived command with its database open (digests, alerts, what the bot
    remembers), the corpus folder watched (BRIEFBOT_WATCH) and BRIEFBOT_FEEDS polled beside
    it, when it is set."""
    from bot import FeedPoller
    from handlers.deliveries import open_deliveries

    async with contextlib.AsyncExitStack() as stack:
        deliveries = await stack.enter_async_context(open_deliveries(settings, live))
        # BRIEFBOT_FEEDS and the feeds added from the chat (/feeds add), read each round.
        poller = FeedPoller.from_settings(settings, source=deliveries.feeds.urls)
        if settings.briefbot_watch:
            await stack.enter_async_context(live)
        if poller is not None:
            deliveries.feeds.on_change = poller.wake
            await stack.enter_async_context(poller)
        return await command(deliveries)


async def _run(settings: AppSettings, engine: Core, deliveries: Deliveries) -> int:
    """Start every chat platform configured in .env; with none, the local console."""
    tasks = []
    if settings.slack_bot_token:
        from handlers.slack import serve as serve_slack

        tasks.append(serve_slack(settings, engine, deliveries=deliveries))
    if settings.discord_token:
        from handlers.discord import serve as serve_discord

        tasks.append(
            serve_discord(
                settings,
                engine,
                digests=deliveries.digests,
                feeds=deliveries.feeds,
                turns=deliveries.turns,
            )
        )
    if not tasks:
        from handlers.console import ConsoleSession

        if sys.stdin.isatty():
            print(
                "No SLACK_BOT_TOKEN or DISCORD_TOKEN in .env: starting the local console.",
                file=sys.stderr,
            )
        await ConsoleSession(engine, deliveries=deliveries).run()
        return 0
    await asyncio.gather(*tasks)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
