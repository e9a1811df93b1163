"""A local Discord emulator (REST + gateway) on 127.0.0.1, loaded as a pytest plugin.

The real discord.py code runs against it: login, command sync, the gateway handshake, the
CommandTree dispatch, interaction callbacks, follow-ups and edits. Only the server is fake, and it
is strict where Discord is, so a payload Discord would reject fails the test instead of passing:

- command definitions are validated on sync (names, descriptions ≤ 100, option types and order,
  the autocomplete flag);
- callbacks and messages are checked against the embed/content/choice limits;
- an interaction answers once, within 3 s (``callback_deadline``), and follow-ups need an answer.

Every rejection is kept in ``emulator.errors`` and fails the test at teardown unless the test sets
``emulator.expect_errors = True``. ``emulator.rate_limit(method, path)`` answers the next matching
request with a 429, to exercise discord.py's retry. Bot tokens other than ``TOKEN`` get a 401, and
commands for a guild not in ``emulator.guilds`` (the bot is not there) a 403 Missing Access.

Messages the bot posts to a channel (``POST /channels/{id}/messages``: scheduled digests, alerts,
mention replies) are kept by channel in ``emulator.channel_messages``; a channel id in
``emulator.missing_channels`` answers 404 Unknown Channel (deleted), one in
``emulator.forbidden_channels`` 403 Missing Access (the bot was removed or may not post).
Subcommands (``/digest schedule``) are dispatched with ``command("digest", subcommand="schedule",
time="08:00")``.

Not emulated: guilds in READY (discord.py then makes a stub guild from each ``guild_id``), resume
and reconnect, sharding, file uploads, components.

Use::

    async def test_x(discord_emulator):
        settings = make_settings(**discord_emulator.settings_env())
        bot = build_bot(settings, engine, guild_ready_timeout=0.01)
        async with discord_emulator.running(bot):
            call = await discord_emulator.interact(discord_emulator.command("ask", question="hi"))
            message = await call.message()      # what the user ends up seeing
            assert message["embeds"][0]["title"] == "hi"

Pointing discord.py at it goes through ``DISCORD_API_BASE``/``DISCORD_GATEWAY_URL`` (see
``settings_env``); the fixture restores the two patched class attributes afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest
from aiohttp import WSMsgType, web

from tests.emulators.server import close_local, serve_local

API_VERSION = "v10"
TOKEN = "test-token"
APP_ID = "1100000000000000001"
GUILD_ID = "1200000000000000001"
CHANNEL_ID = "1300000000000000001"
DM_CHANNEL_ID = "1300000000000000002"
USER_ID = "1400000000000000001"
TIMESTAMP = "2024-01-01T00:00:00.000000+00:00"
EPHEMERAL = 64

# discord.py only parses a body as JSON when Content-Type is exactly application/json
# (aiohttp's json_response adds "; charset=utf-8", which turns every answer into a string).
JSON = "application/json"

BOT_USER: dict[str, Any] = {
    "id": APP_ID,
    "username": "briefbot",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "flags": 0,
}
HUMAN_USER: dict[str, Any] = {
    "id": USER_ID,
    "username": "reader",
    "discriminator": "0",
    "global_name": "Reader",
    "avatar": None,
    "flags": 0,
}

# Option types (https://discord.com/developers/docs/interactions/application-commands).
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, NUMBER = 1, 2, 3, 4, 5, 10
_OPTION_TYPES = set(range(1, 12))
_NAME = re.compile(r"^[-_\w]{1,32}$")
_PY_TYPES = {str: STRING, bool: BOOLEAN, int: INTEGER, float: NUMBER}


@dataclass
class Request:
    """One REST request the bot made, as received (path relative to ``/api/v10``)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int = 200


@dataclass
class Call:
    """One dispatched interaction and everything the bot did about it."""

    emulator: DiscordEmulator
    payload: dict[str, Any]
    sent_at: float = field(default_factory=time.monotonic)
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # accepted callback bodies
    edits: list[dict[str, Any]] = field(default_factory=list)  # PATCH @original bodies
    followups: list[dict[str, Any]] = field(default_factory=list)
    original_deleted: bool = False

    @property
    def id(self) -> str:
        return str(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def response_type(self) -> int | None:
        """The callback type: 4 message, 5 deferred ("thinking…"), 8 autocomplete."""
        return self.callbacks[0]["type"] if self.callbacks else None

    @property
    def deferred(self) -> bool:
        return self.response_type == 5

    def visible(self) -> dict[str, Any] | None:
        """The message the user sees as the answer, once there is one (``flags`` included)."""
        if not self.callbacks:
            return None
        first = self.callbacks[0]
        data = dict(first.get("data") or {})
        if first["type"] == 4 and not self.original_deleted:
            for edit in self.edits:
                data.update(edit)
            return data
        if first["type"] == 5 and self.edits and not self.original_deleted:
            # The deferred message keeps the visibility chosen when deferring.
            flags = data.get("flags", 0)
            for edit in self.edits:
                data.update(edit)
            return {**data, "flags": flags}
        if self.followups:
            return self.followups[0]
        return None

    async def message(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for :meth:`visible`."""
        await self.emulator.until(lambda: self.visible() is not None, timeout)
        result = self.visible()
        assert result is not None
        return result

    async def choices(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait for an autocomplete answer and return its choices."""
        await self.emulator.until(lambda: bool(self.callbacks), timeout)
        assert self.response_type == 8, self.callbacks
        return list(self.callbacks[0]["data"]["choices"])


class DiscordEmulator:
    """The server side of Discord's REST API and gateway that one bot needs; see the module doc."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.errors: list[str] = []
        self.expect_errors = False
        self.commands: dict[str | None, list[dict[str, Any]]] = {}  # guild id (None: global)
        self.calls: dict[str, Call] = {}  # by interaction token
        self.identify: dict[str, Any] | None = None
        self.gateway_received: list[dict[str, Any]] = []
        self.callback_deadline = 3.0
        self.tokens = {TOKEN}
        self.guilds = {GUILD_ID}  # servers the bot is in, with the applications.commands scope
        self.channel_messages: dict[str, list[dict[str, Any]]] = {}  # accepted posts, by channel
        self.created: list[dict[str, Any]] = []  # the message objects answered for those posts
        self.missing_channels: set[str] = set()  # deleted: 404 Unknown Channel
        self.forbidden_channels: set[str] = set()  # the bot may not post: 403 Missing Access
        self._rate_limits: list[tuple[str, re.Pattern[str], float]] = []
        self._ids = itertools.count(1500000000000000001)
        self._seq = itertools.count(1)
        self._changed = asyncio.Condition()
        self._ws: web.WebSocketResponse | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", f"/api/{API_VERSION}/{{tail:.*}}", self._rest)
        self._runner, self.port = await serve_local(app, shutdown_timeout=0.5)

    async def close(self) -> None:
        await close_local(self._runner, self._sockets)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/{API_VERSION}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def settings_env(self, **extra: object) -> dict[str, object]:
        """Settings overrides that point the app at this emulator, with a token it accepts."""
        return {
            "discord_token": TOKEN,
            "discord_api_base": self.api_base,
            "discord_gateway_url": self.gateway_url,
            **extra,
        }

    @contextlib.asynccontextmanager
    async def running(self, client: discord.Client, token: str = TOKEN) -> AsyncIterator[None]:
        """Log ``client`` in, connect it to the gateway, wait for READY; close it afterwards."""
        await client.login(token)
        task = asyncio.create_task(client.connect(reconnect=False))
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=5, return_when="FIRST_COMPLETED")
        if ready not in done:
            ready.cancel()
            await client.close()
            if task in done:
                task.result()  # raise the connection error
            raise TimeoutError("the bot never became ready")
        try:
            yield
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)

    # -- waiting -------------------------------------------------------------------------------

    async def until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` holds; it is re-checked after every request."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def wait_for_request(
        self, method: str, path: str, *, timeout: float = 5.0, count: int = 1
    ) -> Request:
        """The ``count``-th request whose path fully matches the regex ``path``."""
        pattern = re.compile(path)

        def matching() -> list[Request]:
            return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

        await self.until(lambda: len(matching()) >= count, timeout)
        return matching()[count - 1]

    def rate_limit(self, method: str, path: str, retry_after: float = 0.05) -> None:
        """Answer the next request matching ``path`` (a regex) with a 429, once.

        Rate limits are handled by discord.py; this checks our calls go through its retry path.
        """
        self._rate_limits.append((method, re.compile(path), retry_after))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- payloads the test sends ---------------------------------------------------------------

    def command(
        self,
        name: str,
        *,
        dm: bool = False,
        interaction_type: int = 2,
        subcommand: str | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """An application-command interaction as Discord sends it, in a guild or a DM; with
        ``subcommand``, ``options`` are that subcommand's (``/digest schedule time:08:00``).

        Option types come from the synced definition of ``name`` when there is one.
        """
        defined = self._definition(name)
        declared = defined.get("options", []) if defined else []
        if subcommand is not None:
            sub: dict[str, Any] = next((o for o in declared if o["name"] == subcommand), {})
            declared = sub.get("options", [])
        types = {o["name"]: o["type"] for o in declared}
        data: dict[str, Any] = {
            "id": defined["id"] if defined else str(next(self._ids)),
            "name": name,
            "type": 1,
        }
        opts = []
        for key, value in options.items():
            focused = isinstance(value, Focused)
            raw = value.value if isinstance(value, Focused) else value
            option = {"name": key, "type": types.get(key, _PY_TYPES.get(type(raw), STRING))}
            option["value"] = raw
            if focused:
                option["focused"] = True
            opts.append(option)
        if subcommand is not None:
            data["options"] = [{"name": subcommand, "type": SUB_COMMAND, "options": opts}]
        elif opts:
            data["options"] = opts
        payload: dict[str, Any] = {
            "id": str(next(self._ids)),
            "application_id": APP_ID,
            "type": interaction_type,
            "token": f"itoken-{next(self._ids)}",
            "version": 1,
            "attachment_size_limit": 10485760,
            "locale": "en-US",
            "app_permissions": "2248473465835073",
            "entitlements": [],
            "data": data,
        }
        if dm:
            payload |= {
                "context": 1,
                "authorizing_integration_owners": {"1": USER_ID},
                "user": HUMAN_USER,
                "channel_id": DM_CHANNEL_ID,
                "channel": {"id": DM_CHANNEL_ID, "type": 1, "recipients": [HUMAN_USER]},
            }
        else:
            payload |= {
                "context": 0,
                "authorizing_integration_owners": {"0": GUILD_ID},
                "guild_id": GUILD_ID,
                "guild_locale": "en-US",
                "guild": {"id": GUILD_ID, "locale": "en-US", "features": []},
                "channel_id": CHANNEL_ID,
                "channel": {
                    "id": CHANNEL_ID,
                    "type": 0,
                    "guild_id": GUILD_ID,
                    "name": "general",
                    "position": 0,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "parent_id": None,
                },
                "member": {
                    "user": HUMAN_USER,
                    "roles": [],
                    "joined_at": TIMESTAMP,
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "permissions": "2248473465835073",
                },
            }
        return payload

    def autocomplete(
        self, name: str, *, dm: bool = False, subcommand: str | None = None, **options: Any
    ) -> dict[str, Any]:
        """An autocomplete interaction; wrap the option being typed in :class:`Focused`."""
        return self.command(name, dm=dm, interaction_type=4, subcommand=subcommand, **options)

    def reply_message(self, text: str, to: dict[str, Any]) -> dict[str, Any]:
        """A MESSAGE_CREATE payload replying to message ``to`` (one the bot sent: see
        ``created``) without mentioning anyone, as a reply with its ping turned off."""
        message = self.mention_message(text)
        message.update(
            type=19,
            content=text,
            mentions=[],
            message_reference={
                "message_id": to["id"],
                "channel_id": to["channel_id"],
                "guild_id": GUILD_ID,
            },
            referenced_message=to,
        )
        return message

    def mention_message(self, text: str) -> dict[str, Any]:
        """A MESSAGE_CREATE payload in a guild channel that mentions the bot."""
        return {
            "id": str(next(self._ids)),
            "type": 0,
            "channel_id": CHANNEL_ID,
            "guild_id": GUILD_ID,
            "author": HUMAN_USER,
            "member": {"roles": [], "joined_at": TIMESTAMP, "deaf": False, "mute": False},
            "content": f"<@{APP_ID}> {text}",
            "mentions": [BOT_USER],
            "mention_roles": [],
            "mention_everyone": False,
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "tts": False,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "flags": 0,
        }

    async def interact(self, payload: dict[str, Any]) -> Call:
        """Dispatch an interaction over the gateway; the returned Call collects the answers."""
        call = Call(self, payload)
        self.calls[call.token] = call
        await self.dispatch("INTERACTION_CREATE", payload)
        return call

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one gateway event to the connected bot."""
        await self.until(lambda: self._ws is not None and self.identify is not None)
        assert self._ws is not None
        await self._ws.send_str(json.dumps({"op": 0, "s": next(self._seq), "t": event, "d": data}))

    def _definition(self, name: str) -> dict[str, Any] | None:
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    return command
        return None

    # -- gateway -------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        # Text frames only: the client decompresses binary frames, so `compress` can be ignored.
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                self.gateway_received.append(frame)
                if frame["op"] == 1:
                    await ws.send_json({"op": 11})
                elif frame["op"] == 2:
                    self.identify = frame["d"]
                    self._ws = ws
                    await ws.send_json(self._ready())
                    await self._notify()
        finally:
            self._sockets.discard(ws)
            if self._ws is ws:
                self._ws = None
        return ws

    def _ready(self) -> dict[str, Any]:
        return {
            "op": 0,
            "s": next(self._seq),
            "t": "READY",
            "d": {
                "v": 10,
                "user": BOT_USER,
                "session_id": "session-1",
                "resume_gateway_url": self.gateway_url,
                "shard": [0, 1],
                "application": {"id": APP_ID, "flags": 0},
                # With no guilds announced, discord.py makes a stub guild from each guild_id.
                "guilds": [],
            },
        }

    # -- REST ----------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        body: Any = None
        if request.content_type == "multipart/form-data":
            form = await request.post()
            body = json.loads(str(form.get("payload_json", "null")))
        elif request.can_read_body:
            text = await request.text()
            body = json.loads(text) if text else None
        path = "/" + request.match_info["tail"]
        recorded = Request(request.method, path, dict(request.query), body, dict(request.headers))
        self.requests.append(recorded)
        limited = self._rate_limited(recorded)
        if limited is not None:
            recorded.status = 429
            await self._notify()
            # discord.py only trusts a 429 that came through the proxy (a Via header).
            headers = {"Via": "1.1 google", "X-RateLimit-Scope": "user"}
            answer = {"message": "You are being rate limited.", "retry_after": limited}
            body = json.dumps({**answer, "global": False}).encode()
            return web.Response(status=429, body=body, content_type=JSON, headers=headers)
        status, answer = self._route(recorded)
        recorded.status = status
        if status >= 400:
            self.errors.append(f"{request.method} {path} -> {status} {answer}")
        await self._notify()
        if answer is None:
            return web.Response(status=status)
        return web.Response(status=status, body=json.dumps(answer).encode(), content_type=JSON)

    def _rate_limited(self, r: Request) -> float | None:
        for i, (method, pattern, retry_after) in enumerate(self._rate_limits):
            if method == r.method and pattern.fullmatch(r.path):
                del self._rate_limits[i]
                return retry_after
        return None

    def _route(self, r: Request) -> tuple[int, Any]:
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, r.path)
            if match and r.method == method:
                if handler.__name__ not in _NO_AUTH and not self._authorized(r):
                    return 401, {"code": 0, "message": "401: Unauthorized"}
                return handler(r, *match.groups())
        return 404, {"code": 0, "message": "404: Not Found"}

    def _authorized(self, r: Request) -> bool:
        auth = r.headers.get("Authorization", "")
        return auth.startswith("Bot ") and auth[4:] in self.tokens

    def _routes(self) -> Iterator[tuple[str, str, Callable[..., tuple[int, Any]]]]:
        yield "GET", r"/users/@me", lambda r: (200, BOT_USER)
        yield "GET", r"/oauth2/applications/@me", self._application
        yield "GET", r"/gateway", self._gateway_url
        yield "GET", r"/gateway/bot", self._gateway_info
        yield "GET", rf"/applications/{APP_ID}/commands", self._get_commands
        yield "GET", rf"/applications/{APP_ID}/guilds/(\d+)/commands", self._get_commands
        yield "PUT", rf"/applications/{APP_ID}/commands", self._put_commands
        yield "PUT", rf"/applications/{APP_ID}/guilds/(\d+)/commands", self._put_commands
        yield "POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback
        yield "POST", rf"/webhooks/{APP_ID}/([^/]+)", self._followup
        yield "PATCH", rf"/webhooks/{APP_ID}/([^/]+)/messages/@original", self._edit_original
        yield "DELETE", rf"/webhooks/{APP_ID}/([^/]+)/messages/@original", self._delete_original
        yield "POST", r"/channels/(\d+)/typing", lambda r, _: (204, None)
        yield "POST", r"/channels/(\d+)/messages", self._channel_message

    def _application(self, r: Request) -> tuple[int, Any]:
        return 200, {
            "id": APP_ID,
            "name": "briefbot",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": HUMAN_USER,
            "verify_key": "0" * 64,
            "flags": 0,
            # Non-null would make discord.py warn that the gateway gets no interactions.
            "interactions_endpoint_url": None,
        }

    def _gateway_url(self, r: Request) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    def _gateway_info(self, r: Request) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url, "shards": 1}

    def _get_commands(self, r: Request, guild_id: str | None = None) -> tuple[int, Any]:
        if guild_id and guild_id not in self.guilds:
            return 403, MISSING_ACCESS
        return 200, self.commands.get(guild_id, [])

    def _put_commands(self, r: Request, guild_id: str | None = None) -> tuple[int, Any]:
        if guild_id and guild_id not in self.guilds:
            return 403, MISSING_ACCESS
        problems = command_problems(r.json)
        if problems:
            return 400, _invalid(problems)
        synced = [
            {
                **c,
                "id": str(next(self._ids)),
                "application_id": APP_ID,
                "version": "1",
                **({"guild_id": guild_id} if guild_id else {}),
            }
            for c in r.json
        ]
        self.commands[guild_id] = synced
        return 200, synced

    def _callback(self, r: Request, interaction_id: str, token: str) -> tuple[int, Any]:
        call = self.calls.get(token)
        if call is None or call.id != interaction_id:
            return 404, {"code": 10062, "message": "Unknown interaction"}
        if time.monotonic() - call.sent_at > self.callback_deadline:
            return 404, {"code": 10062, "message": "Unknown interaction"}
        if call.callbacks:
            return 400, {"code": 40060, "message": "Interaction has already been acknowledged."}
        body = r.json or {}
        kind = body.get("type")
        if kind == 8:
            problems = choice_problems(body.get("data", {}).get("choices"))
        elif kind == 4:
            problems = message_problems(body.get("data") or {})
        elif kind == 5:
            problems = []
        else:
            problems = [f"unexpected callback type {kind!r}"]
        if problems:
            return 400, _invalid(problems)
        call.callbacks.append(body)
        if r.query.get("with_response") not in {"1", "true", "True"}:
            return 204, None
        flags = (body.get("data") or {}).get("flags", 0)
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": call.payload["type"],
                "response_message_id": str(next(self._ids)),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            }
        }
        if kind == 4:
            answer["resource"] = {"type": 4, "message": self._message(body["data"], call)}
        return 200, answer

    def _followup(self, r: Request, token: str) -> tuple[int, Any]:
        call = self.calls.get(token)
        if call is None or not call.callbacks:
            return 404, {"code": 10015, "message": "Unknown Webhook"}
        problems = message_problems(r.json or {})
        if problems:
            return 400, _invalid(problems)
        call.followups.append(r.json)
        return 200, self._message(r.json, call)

    def _edit_original(self, r: Request, token: str) -> tuple[int, Any]:
        call = self.calls.get(token)
        if call is None or not call.callbacks or call.original_deleted:
            return 404, {"code": 10008, "message": "Unknown Message"}
        problems = message_problems(r.json or {})
        if problems:
            return 400, _invalid(problems)
        call.edits.append(r.json)
        return 200, self._message(call.visible() or r.json, call)

    def _delete_original(self, r: Request, token: str) -> tuple[int, Any]:
        call = self.calls.get(token)
        if call is None or not call.callbacks or call.original_deleted:
            return 404, {"code": 10008, "message": "Unknown Message"}
        call.original_deleted = True
        return 204, None

    def _channel_message(self, r: Request, channel_id: str) -> tuple[int, Any]:
        if channel_id in self.missing_channels:
            return 404, {"code": 10003, "message": "Unknown Channel"}
        if channel_id in self.forbidden_channels:
            return 403, MISSING_ACCESS
        problems = message_problems(r.json or {})
        if problems:
            return 400, _invalid(problems)
        self.channel_messages.setdefault(channel_id, []).append(r.json)
        made = self._message(r.json, None, channel_id=channel_id, kind=0)
        self.created.append(made)
        return 200, made

    def _message(
        self,
        body: dict[str, Any],
        call: Call | None,
        *,
        channel_id: str | None = None,
        kind: int = 20,
    ) -> dict[str, Any]:
        """A message object that discord.py parses, echoing what the bot sent."""
        channel = channel_id or (call.payload.get("channel_id", CHANNEL_ID) if call else CHANNEL_ID)
        return {
            "id": str(next(self._ids)),
            "type": kind,
            "content": body.get("content") or "",
            "channel_id": channel,
            "author": BOT_USER,
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "mention_everyone": False,
            "tts": False,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "flags": body.get("flags", 0),
            "components": [],
        }


# Webhook-token routes authenticate by the token in the path, not by the bot token; GET /gateway
# needs no authentication at all.
_NO_AUTH = {"_callback", "_followup", "_edit_original", "_delete_original", "_gateway_url"}
# What Discord answers for a guild the bot is not in (or without applications.commands there).
MISSING_ACCESS = {"code": 50001, "message": "Missing Access"}


@dataclass(frozen=True)
class Focused:
    """Marks the option the user is typing in an autocomplete payload."""

    value: Any


def _invalid(problems: list[str]) -> dict[str, Any]:
    return {"code": 50035, "message": "Invalid Form Body", "errors": {"_problems": problems}}


def command_problems(commands: Any) -> list[str]:
    """What Discord would reject in a bulk overwrite of chat-input commands."""
    if not isinstance(commands, list):
        return ["body must be a list of commands"]
    problems: list[str] = []
    if len(commands) > 100:
        problems.append("more than 100 commands")
    names = [c.get("name") for c in commands]
    if len(names) != len(set(names)):
        problems.append(f"duplicate command names: {names}")
    for c in commands:
        where = f"/{c.get('name')}"
        problems += _name_problems(c.get("name"), where)
        if c.get("type", 1) == 1:
            problems += _description_problems(c.get("description"), where)
        for key, valid in (("contexts", {0, 1, 2}), ("integration_types", {0, 1})):
            if c.get(key) is not None and not set(c[key]) <= valid:
                problems.append(f"{where}: {key} {c[key]} not in {sorted(valid)}")
        permissions = c.get("default_member_permissions")
        # A bit set as a string of digits; discord.py sends a number, which Discord takes too.
        if permissions is not None and not str(permissions).isdigit():
            problems.append(f"{where}: default_member_permissions {permissions!r} not a bit set")
        problems += _options_problems(c.get("options") or [], where)
    return problems


def _options_problems(options: list[dict[str, Any]], where: str, depth: int = 0) -> list[str]:
    """A command's options, or a subcommand's (groups nest subcommands, two levels at most)."""
    problems = [f"{where}: more than 25 options"] if len(options) > 25 else []
    subs = [o for o in options if o.get("type") in {SUB_COMMAND, SUB_COMMAND_GROUP}]
    if subs and len(subs) != len(options):
        problems.append(f"{where}: subcommands mixed with plain options")
    seen_optional = False
    for o in options:
        at = f"{where} {o.get('name')}"
        problems += _name_problems(o.get("name"), at)
        problems += _description_problems(o.get("description"), at)
        if o.get("type") not in _OPTION_TYPES:
            problems.append(f"{at}: unknown option type {o.get('type')!r}")
        if o.get("type") in {SUB_COMMAND, SUB_COMMAND_GROUP}:
            if depth >= (1 if o["type"] == SUB_COMMAND_GROUP else 2):
                problems.append(f"{at}: nested too deep")
            problems += _options_problems(o.get("options") or [], at, depth + 1)
            continue
        if o.get("required"):
            if seen_optional:
                problems.append(f"{at}: required option after an optional one")
        else:
            seen_optional = True
        if o.get("autocomplete"):
            if o.get("type") not in {STRING, INTEGER, NUMBER}:
                problems.append(f"{at}: autocomplete on a non string/number option")
            if o.get("choices"):
                problems.append(f"{at}: autocomplete together with choices")
        problems += choice_problems(o.get("choices") or [], at)
    return problems


def _name_problems(name: Any, where: str) -> list[str]:
    if not isinstance(name, str) or not _NAME.match(name) or name != name.lower():
        return [f"{where}: invalid name {name!r}"]
    return []


def _description_problems(description: Any, where: str) -> list[str]:
    if not isinstance(description, str) or not 1 <= len(description) <= 100:
        return [f"{where}: description must be 1-100 characters, got {description!r}"]
    return []


def choice_problems(choices: Any, where: str = "choices") -> list[str]:
    """Autocomplete and fixed choices: at most 25, names and string values 1-100 characters."""
    if not isinstance(choices, list):
        return [f"{where}: must be a list"]
    problems = [f"{where}: {len(choices)} > 25"] if len(choices) > 25 else []
    for choice in choices:
        name, value = choice.get("name"), choice.get("value")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            problems.append(f"{where}: choice name {name!r} not 1-100 characters")
        if isinstance(value, str) and not 1 <= len(value) <= 100:
            problems.append(f"{where}: choice value {value!r} not 1-100 characters")
    return problems


def message_problems(body: dict[str, Any]) -> list[str]:
    """Content and embed limits (https://discord.com/developers/docs/resources/message)."""
    problems = []
    if len(body.get("content") or "") > 2000:
        problems.append("content > 2000")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append("more than 10 embeds")
    total = 0
    for e in embeds:
        fields = e.get("fields") or []
        footer = (e.get("footer") or {}).get("text") or ""
        author = (e.get("author") or {}).get("name") or ""
        for key, text, limit in [
            ("title", e.get("title") or "", 256),
            ("description", e.get("description") or "", 4096),
            ("footer", footer, 2048),
            ("author", author, 256),
        ]:
            if len(text) > limit:
                problems.append(f"embed {key} {len(text)} > {limit}")
            total += len(text)
        if len(fields) > 25:
            problems.append("more than 25 fields")
        for f in fields:
            name, value = f.get("name") or "", f.get("value") or ""
            if not name or len(name) > 256:
                problems.append(f"field name {len(name)} not 1-256")
            if not value or len(value) > 1024:
                problems.append(f"field value {len(value)} not 1-1024")
            total += len(name) + len(value)
    if total > 6000:
        problems.append(f"embeds total {total} > 6000")
    return problems


@pytest.fixture
async def discord_emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordEmulator]:
    """A started emulator; the app reaches it through ``settings_env()``.

    The two class attributes the app patches are saved here so they are restored afterwards.
    """
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    emulator = DiscordEmulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.close()
    if emulator.errors and not emulator.expect_errors:
        pytest.fail("Discord emulator rejected requests:\n" + "\n".join(emulator.errors))
