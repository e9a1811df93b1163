"""``python -m bench.conversations``: follow-ups in two- and three-turn conversations, answered
through the console and the real Slack and Discord adapters (against the local emulators).

The set is ``tests/data/conversations/set.jsonl`` over the articles in
``tests/data/conversations/corpus/`` (the bundled seed article and test articles written for it).
Each conversation's turns are asked in order in one conversation: the console (one session per
conversation), a Slack thread (the first turn a mention, the later ones thread replies; the
answers are read from the ``chat.postMessage`` calls) and Discord ``/ask`` (one user and channel
per conversation; the answers are read from the interaction's message).

A turn is right when its first quoted passage is from the expected article and contains the
expected words (``expect``: a string, or a list of which any one will do; case-insensitive). A
turn "contradicts" when it is answered from another article than the one it is about. Slack
answers a thread reply nobody addressed to the bot only when the corpus answers it: a missing
post there is "no answer".

    .venv/bin/python -m bench.conversations                 # words alone, and with the model
    .venv/bin/python -m bench.conversations --mode words --out bench/out/conversations.json
"""

from __future__ import annotations

import argparse
import asyncio
import html
import importlib.util
import io
import json
import logging
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.engine import Engine
from handlers.settings import AppSettings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "conversations"
CORPUS = DATA / "corpus"
SET = DATA / "set.jsonl"
PLATFORMS = ("console", "slack", "discord")
SLACK_WAIT_S = 2.0  # a thread reply the bot leaves unanswered: how long to wait for a post
_INVISIBLE = re.compile("[\u200b\u2060]")
_MARKUP = re.compile(r"\\(.)|[*_~`]")
_READING = "Reading this as: "


@dataclass(frozen=True)
class Ask:
    ask: str
    article: str  # the expected article's id or title
    expect: tuple[str, ...]  # any one of these in the first quoted passage


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[Ask, ...]


@dataclass
class Seen:
    """What a platform showed for one turn: the notice's reading, the first quote, its title."""

    answered: bool = False
    read_as: str | None = None
    quote: str = ""
    title: str = ""


@dataclass
class Outcome:
    conversation: str
    turn: int  # 0: the first question
    ask: str
    expected: str  # the expected article's title
    read_as: str | None
    quote: str
    title: str
    answered: bool
    right: bool
    contradicts: bool


@dataclass
class Summary:
    platform: str
    mode: str
    turns: int = 0
    first: int = 0
    first_right: int = 0
    follow_ups: int = 0
    follow_ups_right: int = 0
    contradictions: int = 0
    unanswered: int = 0
    seconds: float = 0.0
    misses: list[Outcome] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.follow_ups_right / self.follow_ups if self.follow_ups else 0.0


def load_set(path: Path = SET) -> list[Conversation]:
    """The conversations of a JSON-lines file (see the module docstring)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        turns = []
        for t in raw["turns"]:
            expect = t["expect"]
            words = (expect,) if isinstance(expect, str) else tuple(expect)
            turns.append(Ask(t["ask"], t["expect_article"], words))
        found.append(Conversation(raw["id"], tuple(turns)))
    return found


def flat(text: str) -> str:
    """Rendered text as plain words: no markup, escapes, invisible spaces or line breaks."""
    text = html.unescape(_INVISIBLE.sub("", text))
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", text).split())


def score(ask: Ask, seen: Seen, titles: dict[str, str]) -> tuple[bool, bool]:
    """(right, contradicts) for one turn."""
    expected = titles.get(ask.article, ask.article)
    if not seen.answered:
        return False, False
    same = flat(seen.title).lower() == flat(expected).lower()
    quote = flat(seen.quote).lower()
    right = same and any(flat(w).lower() in quote for w in ask.expect)
    return right, not same


# -- the three platforms ------------------------------------------------------------------------


def settings_for(semantic: bool, **overrides: Any) -> AppSettings:
    """Settings over the conversation corpus, ignoring the developer's .env and tokens."""
    base: dict[str, Any] = {
        "briefbot_semantic": semantic,
        "briefbot_corpus": CORPUS,
        "slack_bot_token": None,
        "slack_app_token": None,
        "slack_signing_secret": None,
        "discord_token": None,
    }
    return AppSettings(_env_file=None, **{**base, **overrides})


Asker = Callable[[Conversation], Awaitable[list[Seen]]]


def console_seen(rendered: str) -> Seen:
    """The console's answer text: an italic notice line, then "│ quote" lines and "— citation"."""
    from handlers.terminal import BAR

    seen = Seen()
    lines = rendered.splitlines()
    if lines and lines[0].startswith(_READING):
        seen.read_as = lines[0].removeprefix(_READING).strip()
    bars = [i for i, line in enumerate(lines) if line.startswith(BAR)]
    if not bars:
        return seen
    seen.answered = True
    seen.quote = lines[bars[0]].removeprefix(BAR)
    cite = next((line for line in lines[bars[0] :] if line.strip().startswith("—")), "")
    seen.title = cite.strip().removeprefix("—").split(" · ")[0].strip()
    return seen


async def ask_console(engine: Engine) -> Asker:
    from handlers import console as console_mod
    from handlers.console import ConsoleSession

    console_mod.HISTORY_FILE = Path(os.devnull)  # never the user's readline history

    async def run(conversation: Conversation) -> list[Seen]:
        session = ConsoleSession(engine, Console(file=io.StringIO(), width=400, highlight=False))
        seen = []
        for turn in conversation.turns:
            reply = await session.handle(turn.ask)
            seen.append(console_seen(reply.plain if reply is not None else ""))
        return seen

    return run


def slack_seen(body: dict[str, Any] | None) -> Seen:
    """A chat.postMessage body: a notice context block, quote sections, citation contexts."""
    seen = Seen()
    if body is None:
        return seen
    blocks = body.get("blocks") or []
    texts = [(b["type"], b["text"]["text"] if b["type"] == "section" else "") for b in blocks]
    contexts = [
        " ".join(e.get("text", "") for e in b.get("elements", []))
        for b in blocks
        if b["type"] == "context"
    ]
    if blocks and blocks[0]["type"] == "context":
        notice = flat(contexts[0])
        if notice.startswith(_READING):
            seen.read_as = notice.removeprefix(_READING)
    for i, (kind, text) in enumerate(texts):
        if kind != "section":
            continue
        if not text.lstrip().startswith(("&gt;", ">")):
            return seen  # "Nothing in the corpus answers that."
        seen.answered = True
        seen.quote = "\n".join(line.lstrip("&gt;").lstrip(">").strip() for line in text.split("\n"))
        cite = next((b for b in blocks[i + 1 :] if b["type"] == "context"), None)
        if cite is not None:
            link = re.search(r"<[^|>]*\|([^>]*)>", cite["elements"][0]["text"])
            first = cite["elements"][0]["text"].split(" · ")[0]
            seen.title = link.group(1) if link else first
        return seen
    return seen


async def ask_slack(engine: Engine, semantic: bool) -> tuple[Asker, Callable[[], Awaitable[None]]]:
    from handlers.slack.app import build_app, build_web_app
    from handlers.slack.http_mode import listen
    from tests.emulators.slack import (
        BOT_TOKEN,
        SIGNING_SECRET,
        SignedClient,
        SlackEmulator,
        mention,
        thread_reply,
    )

    emulator = await SlackEmulator().start()
    settings = settings_for(
        semantic,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_base_url=emulator.base_url,
    )
    app = build_app(settings, engine)
    runner = await listen(build_web_app(app, engine, signing_secret=SIGNING_SECRET), "127.0.0.1", 0)
    client = SignedClient(f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events")

    async def answer(payload: dict[str, Any]) -> dict[str, Any] | None:
        before = len(emulator.posted())
        await client.event(payload)
        deadline = time.monotonic() + SLACK_WAIT_S
        while time.monotonic() < deadline:
            posted = emulator.posted()
            if len(posted) > before:
                return posted[before]
            await asyncio.sleep(0.005)
        return None

    async def run(conversation: Conversation) -> list[Seen]:
        root = mention(conversation.turns[0].ask)
        seen = [slack_seen(await answer(root))]
        for turn in conversation.turns[1:]:
            seen.append(slack_seen(await answer(thread_reply(turn.ask, root["event"]["ts"]))))
        return seen

    async def close() -> None:
        await runner.cleanup()
        await emulator.close()

    return run, close


def discord_seen(message: dict[str, Any]) -> Seen:
    """An /ask answer's embed: quotes ("> ") then "— citation"; the notice in a "Note" field."""
    seen = Seen()
    embeds = message.get("embeds") or []
    if not embeds:
        return seen
    embed = embeds[0]
    for f in embed.get("fields") or []:
        if f.get("name") == "Note" and flat(f["value"]).startswith(_READING):
            seen.read_as = flat(f["value"]).removeprefix(_READING)
    description = embed.get("description") or ""
    if not description.startswith(">"):
        return seen
    seen.answered = True
    quote, _, rest = description.partition("\n— ")
    first = quote.split("\n\n")[0]
    seen.quote = "\n".join(line.removeprefix(">").strip() for line in first.split("\n"))
    cite = rest.split("\n")[0]
    link = re.match(r"\[(.*?)\]\(", cite)
    seen.title = link.group(1) if link else cite.split(" · ")[0]
    return seen


async def ask_discord(
    engine: Engine, semantic: bool
) -> tuple[Asker, Callable[[], Awaitable[None]]]:
    from handlers.discord.client import build_bot
    from tests.emulators.discord import CHANNEL_ID, HUMAN_USER, USER_ID, DiscordEmulator

    emulator = DiscordEmulator()
    await emulator.start()
    bot = build_bot(
        settings_for(semantic, **emulator.settings_env()), engine, guild_ready_timeout=0.01
    )
    running = emulator.running(bot)
    await running.__aenter__()
    await emulator.wait_for_request("PUT", r"/applications/\d+/commands")
    serial = iter(range(1, 1_000_000))

    async def run(conversation: Conversation) -> list[Seen]:
        # One conversation per person and channel, as /ask keeps them: a user and channel each.
        n = next(serial)
        user = {**HUMAN_USER, "id": str(int(USER_ID) + n)}
        channel = str(int(CHANNEL_ID) + 100 + n)
        seen = []
        for turn in conversation.turns:
            payload = emulator.command("ask", question=turn.ask)
            payload["member"]["user"] = user
            payload["channel_id"] = channel
            payload["channel"] = {**payload["channel"], "id": channel}
            call = await emulator.interact(payload)
            seen.append(discord_seen(await call.message(timeout=30)))
        return seen

    async def close() -> None:
        await running.__aexit__(None, None, None)
        await emulator.close()
        if emulator.errors:
            print(
                "Discord emulator rejected requests:", *emulator.errors, sep="\n", file=sys.stderr
            )

    return run, close


# -- running and reporting ----------------------------------------------------------------------


async def run_platform(
    platform: str,
    engine: Engine,
    conversations: Sequence[Conversation],
    titles: dict[str, str],
    *,
    semantic: bool,
) -> tuple[Summary, list[Outcome]]:
    close: Callable[[], Awaitable[None]] | None = None
    if platform == "console":
        asker = await ask_console(engine)
    elif platform == "slack":
        asker, close = await ask_slack(engine, semantic)
    else:
        asker, close = await ask_discord(engine, semantic)
    summary = Summary(platform, "semantic" if semantic else "words")
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    try:
        for conversation in conversations:
            for n, (turn, seen) in enumerate(
                zip(conversation.turns, await asker(conversation), strict=True)
            ):
                right, contradicts = score(turn, seen, titles)
                outcome = Outcome(
                    conversation.id,
                    n,
                    turn.ask,
                    titles.get(turn.article, turn.article),
                    seen.read_as,
                    flat(seen.quote),
                    flat(seen.title),
                    seen.answered,
                    right,
                    contradicts,
                )
                outcomes.append(outcome)
                summary.turns += 1
                summary.contradictions += contradicts
                summary.unanswered += not seen.answered
                if n == 0:
                    summary.first += 1
                    summary.first_right += right
                else:
                    summary.follow_ups += 1
                    summary.follow_ups_right += right
                if not right:
                    summary.misses.append(outcome)
    finally:
        if close is not None:
            await close()
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary, outcomes


def table(summaries: Sequence[Summary]) -> str:
    head = (
        f"{'platform':<9} {'mode':<9} {'turns':>5} {'first right':>12} "
        f"{'follow-ups right':>18} {'share':>6} {'contradicts':>11} {'unanswered':>10} {'s':>6}"
    )
    rows = [head, "-" * len(head)]
    for s in summaries:
        rows.append(
            f"{s.platform:<9} {s.mode:<9} {s.turns:>5} {f'{s.first_right}/{s.first}':>12} "
            f"{f'{s.follow_ups_right}/{s.follow_ups}':>18} {s.share:>6.0%} "
            f"{s.contradictions:>11} {s.unanswered:>10} {s.seconds:>6}"
        )
    return "\n".join(rows)


def misses_text(summary: Summary) -> str:
    lines = [f"Misses, {summary.platform} ({summary.mode}): {len(summary.misses)}"]
    for m in summary.misses:
        kind = "first" if m.turn == 0 else f"turn {m.turn + 1}"
        lines.append(f"  [{m.conversation} {kind}] {m.ask!r}")
        lines.append(f"      read as: {m.read_as or '(as asked)'}")
        if not m.answered:
            lines.append("      quoted:  nothing (not answered)")
        else:
            flag = "  CONTRADICTS" if m.contradicts else ""
            lines.append(f"      quoted:  {m.quote[:160]!r}")
            lines.append(f"      from:    {m.title}{flag} (expected {m.expected})")
    return "\n".join(lines)


def model_installed() -> bool:
    try:
        return importlib.util.find_spec("bot.semantic.encoder") is not None and bool(
            __import__("bot.semantic.encoder")
        )
    except Exception:
        return False


async def main_async(args: argparse.Namespace) -> int:
    conversations = load_set(args.set)
    modes = {"words": [False], "semantic": [True], "both": [False, True]}[args.mode]
    if args.mode == "both" and not model_installed():
        print("The sentence model is not installed: words alone only.", file=sys.stderr)
        modes = [False]
    platforms = [p for p in PLATFORMS if p in args.platforms.split(",")]
    summaries: list[Summary] = []
    everything: list[dict[str, Any]] = []
    for semantic in modes:
        engine = Engine.load(settings_for(semantic))
        titles = {a.id: a.title for a in engine.articles}
        for platform in platforms:
            summary, outcomes = await run_platform(
                platform, engine, conversations, titles, semantic=semantic
            )
            summaries.append(summary)
            everything += [
                {"platform": platform, "mode": summary.mode, **asdict(o)} for o in outcomes
            ]
    follow_ups = sum(len(c.turns) - 1 for c in conversations)
    print(f"{len(conversations)} conversations, {follow_ups} follow-ups, corpus {CORPUS}")
    print(table(summaries))
    for summary in summaries:
        print()
        print(misses_text(summary))
    if args.out:
        figures = [
            {k: v for k, v in asdict(s).items() if k != "misses"} | {"share": round(s.share, 3)}
            for s in summaries
        ]
        Path(args.out).write_text(
            json.dumps({"summaries": figures, "turns": everything}, indent=1, ensure_ascii=False),
            encoding="utf-8",
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.conversations", description=__doc__)
    parser.add_argument("--out", help="also write every turn and figure as JSON here")
    parser.add_argument("--mode", choices=["words", "semantic", "both"], default="both")
    parser.add_argument("--platforms", default=",".join(PLATFORMS), help="console,slack,discord")
    parser.add_argument("--set", type=Path, default=SET, help="the conversations (JSON lines)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("BRIEFBOT_ENV_FILE", os.devnull)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
