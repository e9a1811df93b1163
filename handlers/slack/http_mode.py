"""Slack's HTTP mode: ``POST /slack/events`` into bolt behind a signature check, ``GET /healthz``,
and the port bound with errors a person can act on.

Anyone can post to a public URL, so a request is checked before anything reads it: no valid
signature (or a timestamp over five minutes old) is a 401, a signed body that is not a Slack
payload is a 400, each with one short log line and never the body. Only what passes reaches
bolt, which would otherwise answer 500 with a traceback for a body it cannot parse, and log the
body of a badly signed request as it came.
"""

from __future__ import annotations

import errno
import logging
import socket
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.api import Core
from bot.errors import ConfigError
from handlers.slack.parse import malformed

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# What every request Slack sends has: events and interactions a type, slash commands a command,
# Slack's certificate check ssl_check.
_SLACK_KEYS = {"type", "command", "ssl_check"}


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

    web_app = web.Application()
    web_app.router.add_post(EVENTS_PATH, events)
    web_app.router.add_get(HEALTH_PATH, health)
    return web_app


async def screen(
    request: web.Request, verifier: SignatureVerifier
) -> AsyncBoltRequest | web.Response:
    """The request for bolt, or the refusal: 401 unsigned, 400 signed but not a payload."""
    body = await request.read()
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    try:
        signed = verifier.is_valid(body, timestamp, signature)
    except ValueError:  # a timestamp that is not a number
        signed = False
    if not signed:
        log.warning("Refused a Slack request from %s: bad or missing signature", request.remote)
        return web.json_response({"error": "invalid request"}, status=401)
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


async def listen(web_app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``web_app`` on ``host:port``; a port taken or not allowed is a ConfigError that
    says how to choose another."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
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
