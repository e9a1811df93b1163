"""Slack's HTTP mode: ``POST /slack/events`` into bolt behind a signature check, ``GET /healthz``,
and the port bound with errors a person can act on.

Anyone can post to a public URL, so a request is checked before anything reads it: without
signature headers, or with a timestamp that is no number or over five minutes off, it is a 401 as
soon as its headers are in, before any body; a body over :data:`MAX_BODY` is a 413 unread; a body
that does not arrive within :data:`BODY_TIMEOUT` is a 408; then a bad signature is a 401 and a
signed body that is not a Slack payload a 400, each with one short log line and never the body.
Only what passes reaches bolt, which would otherwise answer 500 with a traceback for a body it
cannot parse, and log the body of a badly signed request as it came.

Slow clients cannot hold the server: headers must be complete within :data:`HEADER_TIMEOUT`
(aiohttp's keep-alive timer, which also closes a connection that never sends a request), and one
address holds at most :data:`MAX_CONNECTIONS_PER_CLIENT` connections at once; more are closed as
they open.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import time
from collections import Counter
from typing import Any, cast

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot import ConfigError, Core
from handlers.slack.parse import malformed

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# What every request Slack sends has: events and interactions a type, slash commands a command,
# Slack's certificate check ssl_check.
_SLACK_KEYS = {"type", "command", "ssl_check"}
# Slack signs a request with its send time and retries for minutes at most: bolt's own bound.
MAX_CLOCK_SKEW = 60 * 5
# The largest payloads Slack sends (a modal's view with 100 blocks) are well under 1 MiB.
MAX_BODY = 1024 * 1024
HEADER_TIMEOUT = 5.0
BODY_TIMEOUT = 5.0
MAX_CONNECTIONS_PER_CLIENT = 32


def build_web_app(
    app: AsyncApp, engine: Core | None = None, *, signing_secret: str
) -> web.Application:
    """HTTP mode: ``POST /slack/events`` into bolt, and ``GET /healthz`` for load balancers."""
    verifier = SignatureVerifier(signing_secret)

    async def events(request: web.Request) -> web.Response:
        screened = await screen(request, verifier)
        if isinstance(screened, web.Response):
            return screened
        return await to_aiohttp_response(await app.async_dispatch(screened))

    async def health(request: web.Request) -> web.Response:
        body: dict[str, Any] = {"ok": True, "service": "briefbot", "mode": "http"}
        if engine is not None:
            body["articles"] = engine.stats().articles
        return web.json_response(body)

    web_app = web.Application(client_max_size=MAX_BODY)
    web_app.router.add_post(EVENTS_PATH, events)
    web_app.router.add_get(HEALTH_PATH, health)
    return web_app


async def screen(
    request: web.Request, verifier: SignatureVerifier
) -> AsyncBoltRequest | web.Response:
    """The request for bolt, or the refusal: 401 unsigned (judged on the headers first), 413
    too large, 408 too slow, 400 signed but not a payload."""
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not _fresh(timestamp) or not signature.startswith("v0="):
        return _refuse(request, 401, "bad or missing signature")
    if (request.content_length or 0) > MAX_BODY:
        return _refuse(request, 413, f"body of {request.content_length} bytes")
    try:
        body = await asyncio.wait_for(request.read(), BODY_TIMEOUT)
    except TimeoutError:
        return _refuse(request, 408, f"body not sent within {BODY_TIMEOUT:g} s")
    except web.HTTPRequestEntityTooLarge:
        return _refuse(request, 413, f"body over {MAX_BODY} bytes")
    try:
        signed = verifier.is_valid(body, timestamp, signature)
    except ValueError:  # a timestamp that is not a number
        signed = False
    if not signed:
        return _refuse(request, 401, "bad or missing signature")
    try:
        bolt_request = AsyncBoltRequest(
            body=body.decode("utf-8"),
            query=request.query_string,
            headers=dict(request.headers),
        )
        payload_ok = isinstance(bolt_request.body, dict) and bool(
            _SLACK_KEYS & set(bolt_request.body)
        )
        problem = malformed(bolt_request.body) if payload_ok else None
    except (ValueError, AttributeError, TypeError):
        # Not UTF-8, JSON that does not parse, or JSON that is no object (bolt reads it as one).
        payload_ok, problem = False, None
    if not payload_ok or problem:
        log.warning(
            "Refused a signed Slack request from %s: not a Slack payload (%s%s, %d bytes)",
            request.remote,
            f"{problem}; " if problem else "",
            request.content_type,
            len(body),
        )
        return web.json_response({"error": "bad request"}, status=400)
    return bolt_request


def _fresh(timestamp: str) -> bool:
    """A Slack timestamp: whole seconds since the epoch, within five minutes of now."""
    try:
        return abs(time.time() - int(timestamp)) <= MAX_CLOCK_SKEW
    except ValueError:
        return False


def _refuse(request: web.Request, status: int, why: str) -> web.Response:
    """One log line, and the connection closed: a refused client's unread body is not drained."""
    log.warning("Refused a Slack request from %s: %s", request.remote, why)
    response = web.json_response(
        {"error": "invalid request" if status == 401 else "bad request"}, status=status
    )
    response.force_close()
    return response


class _Guard:
    """Connections open per address, and the addresses already warned about."""

    def __init__(self) -> None:
        self.open: Counter[str] = Counter()
        self.warned: set[str] = set()


class _Capped(asyncio.Protocol):
    """aiohttp's protocol for one connection, closed at once when its address already holds
    ``MAX_CONNECTIONS_PER_CLIENT``: the asyncio hook where a connection is counted before any
    byte of it is read."""

    def __init__(self, inner: asyncio.Protocol, guard: _Guard) -> None:
        self._inner = inner
        self._guard = guard
        self._host: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        host = str(peer[0]) if peer else "?"
        if self._guard.open[host] >= MAX_CONNECTIONS_PER_CLIENT:
            if host not in self._guard.warned:  # once per flood, not once per connection
                self._guard.warned.add(host)
                log.warning(
                    "Closing connections from %s: it already holds %d",
                    host,
                    MAX_CONNECTIONS_PER_CLIENT,
                )
            cast(asyncio.Transport, transport).abort()
            return
        self._guard.open[host] += 1
        self._host = host
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._host is None:
            return  # an aborted one: aiohttp never saw it
        self._guard.open[self._host] -= 1
        if self._guard.open[self._host] <= 0:
            del self._guard.open[self._host]
            self._guard.warned.discard(self._host)
        self._inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


class _CappedSite(web.TCPSite):
    """A TCP site whose connections go through :class:`_Capped`."""

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        guard = _Guard()
        self._server = await asyncio.get_running_loop().create_server(
            lambda: _Capped(server(), guard), self._host, self._port
        )
        self._bound_port = self._server.sockets[0].getsockname()[1]


async def listen(web_app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``web_app`` on ``host:port`` (0: any free port, see ``runner.addresses``); a port
    taken or not allowed is a ConfigError that says how to choose another."""
    runner = web.AppRunner(web_app, access_log=None, keepalive_timeout=HEADER_TIMEOUT)
    await runner.setup()
    site = _CappedSite(runner, host, port)
    try:
        await site.start()
    except (OSError, OverflowError) as exc:
        await runner.cleanup()
        raise ConfigError(_cannot_listen(host, port, exc)) from None
    for sock in getattr(site._server, "sockets", None) or []:
        bound_host, bound_port = sock.getsockname()[:2]
        log.info("Listening for Slack on http://%s:%s%s", bound_host, bound_port, EVENTS_PATH)
    return runner


def _cannot_listen(host: str, port: int, exc: BaseException) -> str:
    choose = "choose another port with `briefbot slack --port N` or SLACK_PORT=N in .env"
    code = getattr(exc, "errno", None)
    if isinstance(exc, OverflowError):
        return f"Cannot listen on port {port}: a port is a number from 1 to 65535; {choose}."
    if code == errno.EADDRINUSE:
        return f"Cannot listen on port {port}: something else already uses it; {choose}."
    if code == errno.EACCES:
        return (
            f"Cannot listen on port {port}: ports below 1024 need administrator rights; {choose} "
            "(1024 or above)."
        )
    if isinstance(exc, socket.gaierror) or code == errno.EADDRNOTAVAIL:
        return (
            f"Cannot listen on {host}: it is not an address of this machine; set "
            "`briefbot slack --host` or SLACK_HOST to 127.0.0.1 (this machine only) or 0.0.0.0 "
            "(every interface)."
        )
    return f"Cannot listen on {host}:{port} ({exc}); {choose}, or set another --host."
