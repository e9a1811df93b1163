"""A local Slack for tests: Web API, response_url and Socket Mode on 127.0.0.1; signed requests.

Loaded as a pytest plugin by ``tests/conftest.py``. The app under test runs the real slack-bolt
and slack-sdk code; only the far end is emulated. Point the app's ``AsyncWebClient`` at
``slack_emulator.base_url`` (``SLACK_API_BASE_URL``), use ``slack_emulator.response_url()`` in
slash commands, and assert on what the emulator received (``calls_to``/``wait_for``), never on
internal calls.

- :class:`SlackEmulator` (fixture ``slack_emulator``): an aiohttp server on port 0 that records
  every call (method, headers, parsed JSON/form/query body), answers ``auth.test``,
  ``chat.postMessage``, ``apps.connections.open``, ``users.info`` and ``conversations.info``
  (from its ``users`` and ``channels``) and response_url posts like Slack, validates
  Block Kit limits like Slack, and fails the next N calls to a method on demand
  (:meth:`SlackEmulator.fail_next`: 429 with Retry-After, 5xx, or ``ok: false``).
  Its WebSocket at ``/link`` is a Socket Mode server: ``hello``, then the scripted
  ``envelopes`` on the first connection only (a reconnect must not replay them), and every ack
  recorded in ``acks``.
- :class:`SignedClient`: posts events and slash commands to an HTTP-mode app, signed as Slack
  signs them (or badly, or stale, on request).
- Payload builders (:func:`mention`, :func:`direct_message`, :func:`thread_reply`,
  :func:`slash_command`, :func:`socket_envelope`) start from the recorded payloads in
  ``tests/handlers/payloads/slack/``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest_asyncio
from aiohttp import web

from tests.emulators.server import close_local, serve_local

PAYLOADS = Path(__file__).resolve().parent.parent / "handlers" / "payloads" / "slack"

TEAM_ID = "T111"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
BOT_TOKEN = "xoxb-test"
APP_TOKEN = "xapp-test"
SIGNING_SECRET = "test-signing-secret"
USER_ID = "U222"
CHANNEL_ID = "C333"
DM_CHANNEL_ID = "D444"

_ids = itertools.count(1)


T = TypeVar("T")


async def wait_until(
    predicate: Callable[[], T | None],
    *,
    timeout: float = 3.0,
    what: str | Callable[[], str] = "condition",
) -> T:
    """Poll ``predicate`` until it returns something truthy (and return that), or fail."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout}s waiting for {described}")
        await asyncio.sleep(0.005)


@dataclass
class ApiCall:
    """One request the emulator received, with the status it answered."""

    method: str  # "chat.postMessage", or "response_url" for response_url posts
    path: str
    headers: dict[str, str]  # lower-case names
    query: dict[str, str]
    body: dict[str, Any]  # the parsed JSON or form body
    status: int = 200
    error: str | None = None  # the Slack error code answered, if any

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    error: str | None


@dataclass
class SlackEmulator:
    """A fake Slack on 127.0.0.1: see the module docstring."""

    bot_tokens: set[str] = field(default_factory=lambda: {BOT_TOKEN})
    app_tokens: set[str] = field(default_factory=lambda: {APP_TOKEN})
    calls: list[ApiCall] = field(default_factory=list)
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    connections: int = 0
    port: int = 0
    #: users.info answers: each user's profile fields (``tz``, ``is_admin``, ``is_owner``).
    users: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            USER_ID: {"id": USER_ID, "tz": "Europe/Paris", "is_admin": False, "is_owner": False}
        }
    )
    #: conversations.info answers: each channel the workspace has and whether the bot is in it;
    #: any other channel is channel_not_found (as a private one the bot is not in).
    channels: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {CHANNEL_ID: {"id": CHANNEL_ID, "is_member": True}}
    )

    def __post_init__(self) -> None:
        self._failures: dict[str, list[_Failure]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self._ts = itertools.count(1)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> SlackEmulator:
        app = web.Application()
        app.router.add_post("/api/{method}", self._web_api)
        app.router.add_get("/api/{method}", self._web_api)  # slack-sdk GETs users.info & co
        app.router.add_post("/response/{rest:.*}", self._response_url)
        app.router.add_get("/link", self._socket_mode)
        self._runner, self.port = await serve_local(app, access_log=None)
        return self

    async def close(self) -> None:
        await close_local(self._runner, self._sockets)

    @property
    def base_url(self) -> str:
        """The Web API base URL, with the trailing slash slack-sdk needs."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def response_url(self, name: str = "commands") -> str:
        """A response_url for a slash command payload; posts to it are recorded."""
        return f"http://127.0.0.1:{self.port}/response/{name}/{TEAM_ID}/{next(_ids)}/secret"

    # -- scripting and assertions ------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = 0,
        error: str | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        ``status=429`` answers rate-limited with ``Retry-After: retry_after``; another status
        (500, 503) answers that; ``error="channel_not_found"`` answers 200 ``ok: false``.
        """
        failure = _Failure(status=200 if error else status, retry_after=retry_after, error=error)
        self._failures.setdefault(method, []).extend([failure] * times)

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[ApiCall]:
        """The calls to ``method`` so far; ``ok=True`` keeps those answered successfully."""
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    async def wait_for(
        self, method: str, count: int = 1, *, ok: bool | None = True, timeout: float = 3.0
    ) -> list[ApiCall]:
        """Wait until ``count`` calls to ``method`` arrived (successful ones by default)."""

        def enough() -> list[ApiCall] | None:
            calls = self.calls_to(method, ok=ok)
            return calls if len(calls) >= count else None

        return await wait_until(
            enough,
            timeout=timeout,
            what=lambda: f"{count} call(s) to {method}; got {[c.method for c in self.calls]}",
        )

    def posted(self) -> list[dict[str, Any]]:
        """The JSON bodies of the successful chat.postMessage calls."""
        return [c.body for c in self.calls_to("chat.postMessage", ok=True)]

    async def wait_for_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        """Wait for the Socket Mode ack of ``envelope_id`` and return it."""
        return await wait_until(
            lambda: next((a for a in self.acks if a.get("envelope_id") == envelope_id), None),
            timeout=timeout,
            what=lambda: f"the ack of {envelope_id}; got {self.acks}",
        )

    async def push(self, envelope: dict[str, Any]) -> None:
        """Send one envelope on the newest Socket Mode connection."""
        ws = await wait_until(lambda: self._sockets[-1] if self._sockets else None, what="a socket")
        await ws.send_json(envelope)

    # -- the server ----------------------------------------------------------------------------

    async def _record(self, request: web.Request, method: str) -> ApiCall:
        raw = await request.text()
        content_type = request.headers.get("Content-Type", "")
        body: dict[str, Any]
        if "json" in content_type and raw:
            body = json.loads(raw)
        elif raw:
            body = dict(parse_qsl(raw, keep_blank_values=True))
        else:
            body = {}
        call = ApiCall(
            method=method,
            path=request.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            query=dict(request.query),
            body=body,
        )
        self.calls.append(call)
        return call

    def _scripted(self, call: ApiCall) -> web.Response | None:
        queue = self._failures.get(call.method)
        if not queue:
            return None
        failure = queue.pop(0)
        call.status = failure.status
        if failure.error:
            call.error = failure.error
            return _json({"ok": False, "error": failure.error})
        headers = {}
        if failure.status == 429 and failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
        error = "ratelimited" if failure.status == 429 else "internal_error"
        return _json({"ok": False, "error": error}, status=failure.status, headers=headers)

    def _refuse(self, call: ApiCall, error: str) -> web.Response:
        call.error = error
        return _json({"ok": False, "error": error})

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = await self._record(request, method)
        scripted = self._scripted(call)
        if scripted is not None:
            return scripted
        token = call.token or call.body.get("token") or call.query.get("token")
        if method == "apps.connections.open":
            if token not in self.app_tokens:
                return self._refuse(call, "invalid_auth" if token else "not_authed")
            return _json({"ok": True, "url": self.ws_url})
        if token not in self.bot_tokens:
            if token in self.app_tokens:
                return self._refuse(call, "not_allowed_token_type")
            return self._refuse(call, "invalid_auth" if token else "not_authed")
        if method == "auth.test":
            return _json(
                {
                    "ok": True,
                    "url": "https://briefbot-test.slack.com/",
                    "team": "Briefbot Test",
                    "user": "briefbot",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID,
                    "is_enterprise_install": False,
                }
            )
        if method == "users.info":
            user = self.users.get(str(call.body.get("user") or call.query.get("user")))
            return (
                _json({"ok": True, "user": user}) if user else self._refuse(call, "user_not_found")
            )
        if method == "conversations.info":
            channel = self.channels.get(str(call.body.get("channel") or call.query.get("channel")))
            if channel is None:
                return self._refuse(call, "channel_not_found")
            return _json({"ok": True, "channel": channel})
        if method == "chat.postMessage":
            error = message_error(call.body)
            if error:
                return self._refuse(call, error)
            ts = f"1767300000.{next(self._ts):06d}"
            posted = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}
            posted.update({k: v for k, v in call.body.items() if k in ("text", "blocks")})
            if "thread_ts" in call.body:
                posted["thread_ts"] = call.body["thread_ts"]
            return _json(
                {"ok": True, "channel": call.body.get("channel"), "ts": ts, "message": posted}
            )
        return _json({"ok": True})

    async def _response_url(self, request: web.Request) -> web.Response:
        call = await self._record(request, "response_url")
        scripted = self._scripted(call)
        if scripted is not None:
            return scripted
        error = message_error(call.body)
        if error:
            call.error, call.status = error, 400
            return web.Response(status=400, text=error)
        return _json({"ok": True})

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        self._sockets.append(ws)
        try:
            await ws.send_json(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {
                        "host": "applink-emulator",
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": "A111"},
                }
            )
            # Only the first connection replays the script: a client that reconnects on
            # "disconnect" would otherwise loop on the same envelopes.
            if self.connections == 1:
                for envelope in self.envelopes:
                    await ws.send_json(envelope)
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    self.acks.append(json.loads(msg.data))
        finally:
            self._sockets.remove(ws)
        return ws


def message_error(body: dict[str, Any]) -> str | None:
    """The error Slack would answer for this message payload, or None.

    Checks what Slack rejects: no channel/text/blocks, more than 50 blocks, a section over
    3,000 characters, an empty text object.
    """
    if "channel" not in body and "response_type" not in body and "replace_original" not in body:
        return "channel_not_found"
    blocks = body.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not body.get("text") and not blocks:
        return "no_text"
    if blocks is None:
        return None
    if len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        texts = [block.get("text")] if block.get("type") == "section" else block.get("elements", [])
        for text in texts:
            value = (text or {}).get("text", "")
            if not value or len(value.encode("utf-16-le")) // 2 > 3000:
                return "invalid_blocks"
    return None


def _json(
    data: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(data), content_type="application/json", headers=headers
    )


# -- payloads -------------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    return payload


def _new_ts() -> str:
    return f"1767225600.{next(_ids):06d}"


def _rich_text(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "block_id": f"b{next(_ids)}",
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def _event_callback(template: str, event: dict[str, Any], event_id: str | None) -> dict[str, Any]:
    payload = _load(template)
    payload["event"].update(event)
    ts = payload["event"]["ts"]
    payload["event"]["event_ts"] = ts
    payload["event"]["blocks"] = _rich_text(payload["event"].get("text", ""))
    # Unique across runs, as Slack's are: a bot remembers the ids it has seen in its database.
    payload["event_id"] = event_id or f"Ev{next(_ids):04d}{uuid.uuid4().hex[:12].upper()}"
    payload["event_time"] = int(float(ts))
    return payload


def mention(
    text: str,
    *,
    channel: str = CHANNEL_ID,
    ts: str | None = None,
    event_id: str | None = None,
    **event: Any,
) -> dict[str, Any]:
    """An ``app_mention`` event_callback: ``<@UBOT> text`` in a channel."""
    fields = {
        "text": f"<@{BOT_USER_ID}> {text}".rstrip(),
        "channel": channel,
        "ts": ts or _new_ts(),
    }
    return _event_callback("app_mention.json", {**fields, **event}, event_id)


def direct_message(
    text: str, *, ts: str | None = None, event_id: str | None = None, **event: Any
) -> dict[str, Any]:
    """A ``message.im`` event_callback: a DM to the bot."""
    fields = {"text": text, "channel": DM_CHANNEL_ID, "ts": ts or _new_ts()}
    return _event_callback("message_im.json", {**fields, **event}, event_id)


def thread_reply(
    text: str,
    thread_ts: str,
    *,
    channel: str = CHANNEL_ID,
    ts: str | None = None,
    event_id: str | None = None,
    **event: Any,
) -> dict[str, Any]:
    """A ``message.channels`` event_callback for a reply in the thread ``thread_ts``."""
    fields = {"text": text, "channel": channel, "thread_ts": thread_ts, "ts": ts or _new_ts()}
    payload = _event_callback("message_thread_reply.json", {**fields, **event}, event_id)
    payload["event"] = {k: v for k, v in payload["event"].items() if v is not None}
    return payload


def slash_command(command: str, text: str, response_url: str, **fields: str) -> dict[str, str]:
    """A slash command payload (Slack form-encodes it in HTTP mode)."""
    payload = _load("slash_command.json")
    payload.update({"command": command, "text": text, "response_url": response_url, **fields})
    return payload


def socket_envelope(
    payload: dict[str, Any], *, retry_attempt: int = 0, envelope_id: str | None = None
) -> dict[str, Any]:
    """Wrap an event_callback or slash command payload as Slack sends it over Socket Mode."""
    envelope_id = envelope_id or f"env-{next(_ids)}"
    if payload.get("type") == "event_callback":
        return {
            "envelope_id": envelope_id,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
            "payload": payload,
        }
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": payload,
    }


# -- the signed HTTP client -----------------------------------------------------------------


@dataclass
class SignedResponse:
    status: int
    text: str
    content_type: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class SignedClient:
    """Posts to an HTTP-mode app as Slack does: signed with ``X-Slack-Signature``."""

    url: str  # e.g. http://127.0.0.1:PORT/slack/events
    secret: str = SIGNING_SECRET

    def headers(
        self, body: str, *, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        """Slack's v0 signature of the exact body bytes."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        base = f"v0:{ts}:{body}".encode()
        digest = hmac.new((secret or self.secret).encode(), base, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        retry_num: int | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> SignedResponse:
        headers = {
            "Content-Type": content_type,
            **self.headers(body, timestamp=timestamp, secret=secret),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body.encode(), headers=headers) as response,
        ):
            return SignedResponse(response.status, await response.text(), response.content_type)

    async def event(self, payload: dict[str, Any], **kwargs: Any) -> SignedResponse:
        """Deliver an Events API payload (JSON)."""
        return await self.post(json.dumps(payload), "application/json", **kwargs)

    async def command(self, payload: dict[str, str], **kwargs: Any) -> SignedResponse:
        """Deliver a slash command (form-encoded)."""
        return await self.post(urlencode(payload), "application/x-www-form-urlencoded", **kwargs)


# -- fixtures -------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def slack_emulator() -> AsyncIterator[SlackEmulator]:
    """A started :class:`SlackEmulator`; closed after the test."""
    emulator = await SlackEmulator().start()
    try:
        yield emulator
    finally:
        await emulator.close()
