"""Slack adapter: mentions, DMs, thread follow-ups and slash commands in; Block Kit answers out.

Runs on slack-bolt's ``AsyncApp``: Socket Mode when ``SLACK_APP_TOKEN`` is set, otherwise HTTP
mode on ``/slack/events`` with signature checks. Only Slack specifics live here (markup escaping,
Block Kit, limits, delivery quirks); the shared rendering rules are in :mod:`handlers.render`.

Entry points: :func:`serve` (what ``briefbot slack`` runs), :func:`build_app` and
:func:`build_web_app` (what the tests start on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.api import Core
from bot.chat import Chat
from bot.errors import ConfigError
from bot.models import (
    Answer,
    AnswerReply,
    ArticleRef,
    Briefing,
    BriefingReply,
    Passage,
    Reply,
    TextReply,
)
from bot.settings import Settings
from handlers import render

log = logging.getLogger(__name__)

# Slack's documented limits (they count UTF-16 code units, like JavaScript).
SECTION_TEXT_LIMIT = 3000
MAX_BLOCKS = 50
MESSAGE_TEXT_LIMIT = 40000
MAX_PASSAGES = 3

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

# Remembered keys: enough for Slack's retries (minutes) and for live threads (hours).
SEEN_EVENTS = 4096
ANSWERED_THREADS = 5000

# Message subtypes that are a person writing; edits, deletions, joins and bots are not.
HUMAN_SUBTYPES = {None, "thread_broadcast", "file_share"}

SLACK_HELP = (
    "In Slack: mention me in a channel (@briefbot your question), message me directly, "
    "or use /ask and /brief. /ask -p answers only you."
)
SORRY = "Sorry, something went wrong while answering that. Please try again in a moment."

# Zero-width space around * _ ~ ` keeps them from opening or closing Slack formatting whichever
# way Slack classifies it (word character or space), and the character itself is kept for copying.
# Slack has no backslash escape for these; only & < > have entities.
ZWSP = "\u200b"
_MARKUP_CHARS = re.compile(r"[*_~`]")
# Plain @channel/@here/@everyone do not ping without link_names, but a word joiner makes sure.
_BROADCAST_WORDS = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_PRIVATE_FLAG = re.compile(r"^\s*(?:-p|--private)(?:\s+|$)", re.IGNORECASE)
_SLACK_MARKUP = re.compile(r"<([^<>]*)>")


# --------------------------------------------------------------------------------------------
# Rendering: Slack mrkdwn and Block Kit


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


def passage_blocks(passage: Passage) -> list[dict[str, Any]]:
    """A block quote with the answering words in bold, then its citation in a context block."""
    quote = fit(
        passage.quote,
        lambda q: SLACK.quote(render.quote_markup(_clipped_passage(passage, q), SLACK)),
        SECTION_TEXT_LIMIT,
    )
    return [_section(quote), _context(citation_text(passage.article))]


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
    for passage in answer.passages[:MAX_PASSAGES]:
        blocks.extend(passage_blocks(passage))
    return blocks


def briefing_blocks(briefing: Briefing) -> list[dict[str, Any]]:
    """A heading, then one section per article: linked citation and a clipped lead."""
    heading = f"Latest on “{briefing.topic}”" if briefing.topic else "Latest articles"
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


# --------------------------------------------------------------------------------------------
# Reading Slack text


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


def _private(text: str) -> tuple[bool, str]:
    """``(True, rest)`` when a slash command starts with ``-p`` or ``--private``."""
    match = _PRIVATE_FLAG.match(text or "")
    return (True, text[match.end() :].strip()) if match else (False, (text or "").strip())


# --------------------------------------------------------------------------------------------
# The bolt app


class Recent:
    """A bounded set that forgets its oldest keys: memory enough for retries and live threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._keys: OrderedDict[Hashable, None] = OrderedDict()

    def add(self, key: Hashable) -> bool:
        """Remember ``key``; True when it was new."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return True

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retry rate limits (429 + Retry-After), dropped connections and Slack's 500/503s."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: bot token, optional SLACK_API_BASE_URL (local emulators), retries."""
    (token,) = settings.require("slack_bot_token")
    base_url = settings.slack_api_base_url or AsyncWebClient.BASE_URL
    # slack-sdk appends method names to base_url, so the trailing slash matters.
    return AsyncWebClient(
        token=token,
        base_url=base_url.rstrip("/") + "/",
        retry_handlers=retry_handlers(),
        logger=logging.getLogger("slack_sdk.web.async_client"),
    )


class SlackBot:
    """Translates Slack payloads into :class:`Chat` calls and posts the rendered replies."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.seen_events = Recent(SEEN_EVENTS)  # event_id: retried deliveries
        self.answered = Recent(SEEN_EVENTS)  # (channel, ts): one answer per message
        self.threads = Recent(ANSWERED_THREADS)  # (channel, thread_ts) the bot answered in

    def register(self, app: AsyncApp) -> None:
        """Attach the middleware and listeners to ``app``."""
        app.middleware(self.drop_duplicate_deliveries)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command("/ask")(self.on_ask)
        app.command("/brief")(self.on_brief)

    async def drop_duplicate_deliveries(
        self, body: dict[str, Any], request: AsyncBoltRequest, next_: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Ack an event delivered before (Slack retries on timeouts) without answering again.

        A retry whose first delivery never reached us is still answered: dropping every
        ``X-Slack-Retry-Num`` blindly would lose questions after a restart or an outage.
        """
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self.seen_events.add(event_id):
            retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
            log.info("Ignoring repeated delivery of %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        return await next_()

    async def on_mention(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """``@briefbot question`` in a channel: answer in the question's thread."""
        if _from_a_bot(event, context.bot_user_id) or "edited" in event:
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        await self.answer_message(event, context, client, thread_ts=thread_ts)

    async def on_message(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """DMs, and follow-ups in threads the bot answered in; everything else is ignored."""
        if event.get("subtype") not in HUMAN_SUBTYPES or _from_a_bot(event, context.bot_user_id):
            return
        if event.get("channel_type") == "im":
            await self.answer_message(event, context, client, thread_ts=event.get("thread_ts"))
            return
        thread_ts = event.get("thread_ts")
        if not thread_ts or thread_ts == event.get("ts"):
            return
        if (event.get("channel"), thread_ts) not in self.threads:
            return
        if context.bot_user_id and f"<@{context.bot_user_id}" in (event.get("text") or ""):
            return  # app_mention answers this one; answering here too would answer twice
        await self.answer_message(event, context, client, thread_ts=thread_ts)

    async def answer_message(
        self,
        event: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        *,
        thread_ts: str | None,
    ) -> None:
        """Answer one message once, in ``thread_ts`` when given."""
        channel = event.get("channel")
        if not channel or not self.answered.add((channel, event.get("ts"))):
            return
        if thread_ts and event.get("channel_type") != "im":
            self.threads.add((channel, thread_ts))
        reply = await self.reply(question_text(event.get("text") or "", context.bot_user_id))
        await self.post(client, channel=channel, thread_ts=thread_ts, content=message(reply))

    async def on_ask(
        self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """``/ask [-p] QUESTION``: in the channel, or only to the asker with ``-p``."""
        private, text = _private(command.get("text") or "")
        question = question_text(text, context.bot_user_id)
        quiet = private or not question
        # Acknowledge within Slack's 3 seconds; in_channel here makes the command itself visible.
        await (ack() if quiet else ack({"response_type": "in_channel"}))
        reply = await self.reply(question, ask=True)
        await self.respond(command, reply, private=quiet or not isinstance(reply, AnswerReply))

    async def on_brief(
        self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """``/brief [-p] [TOPIC]``: the latest articles, or those on a topic."""
        private, topic = _private(command.get("text") or "")
        topic = question_text(topic, context.bot_user_id)
        await (ack() if private else ack({"response_type": "in_channel"}))
        reply = await self.reply(topic, brief=True)
        await self.respond(command, reply, private=private or not isinstance(reply, BriefingReply))

    async def reply(self, text: str, *, ask: bool = False, brief: bool = False) -> Reply:
        """The core's reply, or an apology (the failure logged) if the core fails."""
        try:
            if brief:
                return await self.chat.brief(text)
            if ask:
                return await self.chat.ask(text)
            return await self.chat.handle(text)
        except Exception:
            log.exception("The core failed to answer a Slack message")
            return TextReply(kind="error", text=SORRY)

    async def post(
        self,
        client: AsyncWebClient,
        *,
        channel: str,
        thread_ts: str | None,
        content: dict[str, Any],
    ) -> None:
        """chat.postMessage with retries; a rejected Block Kit payload falls back to plain text."""
        kwargs: dict[str, Any] = {"channel": channel, "unfurl_links": False, "unfurl_media": False}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            await client.chat_postMessage(**kwargs, **content)
        except SlackApiError as e:
            error = e.response.get("error")
            log.error("chat.postMessage to %s failed: %s", channel, error)
            if error in {"invalid_blocks", "invalid_blocks_format", "msg_too_long"}:
                await self.post(
                    client, channel=channel, thread_ts=thread_ts, content={"text": content["text"]}
                )
        except (aiohttp.ClientError, TimeoutError) as e:
            log.error("chat.postMessage to %s failed: %s", channel, type(e).__name__)

    async def respond(self, command: dict[str, Any], reply: Reply, *, private: bool) -> None:
        """Send a slash command's answer to its response_url (valid 30 minutes, 5 uses)."""
        url = command.get("response_url")
        if not url:
            log.error("Slash command %s came without a response_url", command.get("command"))
            return
        # Bolt's respond() has no retries; this is the same POST with slack-sdk's retry handlers.
        webhook = AsyncWebhookClient(url=url, retry_handlers=retry_handlers())
        body = {
            **message(reply),
            "response_type": "ephemeral" if private else "in_channel",
            "unfurl_links": False,
            "unfurl_media": False,
        }
        try:
            response = await webhook.send_dict(body)
        except (aiohttp.ClientError, TimeoutError) as e:
            log.error(
                "Answer to %s was not delivered: %s", command.get("command"), type(e).__name__
            )
            return
        if response.status_code != 200:
            log.error(
                "Answer to %s was refused: HTTP %s %s",
                command.get("command"),
                response.status_code,
                render.clip(response.body or "", 200),
            )


def _from_a_bot(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Bots (this one included) never get answers: that is how bot loops start."""
    return bool(
        event.get("bot_id")
        or event.get("subtype") == "bot_message"
        or event.get("bot_profile")
        or (bot_user_id and event.get("user") == bot_user_id)
    )


def _socket_mode(settings: Settings) -> bool:
    return bool(settings.slack_app_token and settings.slack_app_token.get_secret_value())


def check_tokens(settings: Settings) -> bool:
    """Raise :class:`ConfigError` for missing or mixed-up tokens; True for Socket Mode."""
    (bot_token,) = settings.require("slack_bot_token")
    if not bot_token.startswith("xox"):
        raise ConfigError(
            "SLACK_BOT_TOKEN does not look like a bot token: use the Bot User OAuth Token "
            "(xoxb-…) from OAuth & Permissions (see .env.example)."
        )
    if _socket_mode(settings):
        (app_token,) = settings.require("slack_app_token")
        if not app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write "
                "scope, from Basic Information > App-Level Tokens (see .env.example)."
            )
        return True
    settings.require("slack_signing_secret")
    return False


class _QuietTokenWarning(logging.Filter):
    """Drop bolt's "`token` will be unused" warning: it fires whenever SLACK_BOT_TOKEN is in the
    environment and a client is given, though our client carries that very token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_QUIET_TOKEN_WARNING = _QuietTokenWarning()


def build_app(
    settings: Settings, engine: Core, *, client: AsyncWebClient | None = None
) -> AsyncApp:
    """The bolt app with briefbot's listeners; raises ConfigError before any network call.

    HTTP mode (no ``SLACK_APP_TOKEN``) verifies request signatures with SLACK_SIGNING_SECRET.
    """
    socket_mode = check_tokens(settings)
    secret = settings.slack_signing_secret
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_QUIET_TOKEN_WARNING)
    app = AsyncApp(
        name="briefbot",
        client=client or web_client(settings),
        signing_secret=secret.get_secret_value() if secret else "",
        # Socket Mode payloads arrive over an authenticated WebSocket and carry no signature.
        request_verification_enabled=not socket_mode,
    )
    SlackBot(Chat(engine)).register(app)
    return app


def build_web_app(app: AsyncApp, engine: Core | None = None) -> web.Application:
    """HTTP mode: ``POST /slack/events`` into bolt, and ``GET /healthz`` for load balancers."""

    async def events(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    async def health(request: web.Request) -> web.Response:
        body: dict[str, Any] = {"ok": True, "service": "briefbot", "mode": "http"}
        if engine is not None:
            body["articles"] = engine.stats().articles
        return web.json_response(body)

    web_app = web.Application()
    web_app.router.add_post(EVENTS_PATH, events)
    web_app.router.add_get(HEALTH_PATH, health)
    return web_app


async def check_auth(client: AsyncWebClient) -> dict[str, Any]:
    """Call auth.test at start-up: a wrong or revoked token fails now, not at the first question."""
    try:
        response = await client.auth_test()
    except SlackApiError as e:
        error = e.response.get("error")
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token (xoxb-…) "
            "again from OAuth & Permissions, and reinstall the app if it was revoked."
        ) from None
    data = dict(response.data) if isinstance(response.data, dict) else {}
    log.info("Signed in to Slack as %s in %s", data.get("user"), data.get("team"))
    return data


async def serve(
    settings: Settings, engine: Core, *, port: int | None = None, host: str = "0.0.0.0"
) -> None:
    """Run the Slack bot until cancelled: Socket Mode with SLACK_APP_TOKEN, else HTTP mode."""
    app = build_app(settings, engine)  # ConfigError for missing variables, before any network
    await check_auth(app.client)
    if _socket_mode(settings):
        (app_token,) = settings.require("slack_app_token")
        handler = AsyncSocketModeHandler(app, app_token=app_token)
        await handler.connect_async()
        log.info("Connected to Slack in Socket Mode")
        try:
            await asyncio.Event().wait()
        finally:
            await handler.close_async()
        return
    runner = web.AppRunner(build_web_app(app, engine), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, settings.slack_port if port is None else port)
        await site.start()
        for sock in getattr(site._server, "sockets", None) or []:
            bound_host, bound_port = sock.getsockname()[:2]
            log.info("Listening for Slack on http://%s:%s%s", bound_host, bound_port, EVENTS_PATH)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
