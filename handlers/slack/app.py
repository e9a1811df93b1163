"""The Slack app: configuration checks, the bolt app, and the transports that run it.

Socket Mode when ``SLACK_APP_TOKEN`` is set (no public URL needed), otherwise HTTP mode on
``/slack/events`` with signature checks and ``/healthz``. :func:`serve` is what
``briefbot slack`` runs; the tests start :func:`build_app` and :func:`build_web_app` on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot import Chat, ConfigError, Core
from handlers.slack.delivery import retry_handlers
from handlers.slack.digests import SlackPoster
from handlers.slack.http_mode import EVENTS_PATH, HEALTH_PATH, build_web_app, listen
from handlers.slack.listeners import SlackBot
from handlers.slack.parse import malformed
from handlers.slack.settings import SlackSettings
from handlers.startup import NETWORK_ERRORS, unreachable

if TYPE_CHECKING:
    from handlers.deliveries import Deliveries

log = logging.getLogger(__name__)

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "build_app", "build_web_app", "check_auth", "serve"]

UNREACHABLE_HINT = "check the network and any proxy (HTTPS_PROXY), or SLACK_API_BASE_URL."


def web_client(settings: SlackSettings) -> AsyncWebClient:
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


class ScreenedSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode as bolt runs it, but a payload no Slack event looks like (an event that is
    not an object, a text that is a number) is acknowledged and dropped with one log line,
    never a traceback: Slack needs the ack either way, or it delivers the envelope again."""

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        problem = malformed(req.payload) if req.type in ("events_api", "slash_commands") else None
        if problem:
            log.warning("Dropped a Slack %s envelope: %s", req.type, problem)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        await super().handle(client, req)  # type: ignore[arg-type]  # bolt narrows the client


def _socket_mode(settings: SlackSettings) -> bool:
    return bool(settings.slack_app_token and settings.slack_app_token.get_secret_value())


def check_tokens(settings: SlackSettings) -> bool:
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
    settings: SlackSettings,
    engine: Core,
    *,
    client: AsyncWebClient | None = None,
    deliveries: Deliveries | None = None,
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
    turns = deliveries.turns if deliveries is not None else None
    SlackBot(Chat(engine, digests=deliveries is not None, turns=turns), deliveries).register(app)
    if deliveries is not None:
        deliveries.scheduler.posters["slack"] = SlackPoster(app.client)
        deliveries.scheduler.wake()
    return app


async def check_auth(client: AsyncWebClient) -> dict[str, Any]:
    """Call auth.test at start-up: a wrong or revoked token fails now, not at the first question.

    Connection errors have had slack-sdk's retries; then the bot stops, naming Slack's URL.
    """
    try:
        response = await client.auth_test()
    except SlackApiError as e:
        error = e.response.get("error")
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token (xoxb-…) "
            "again from OAuth & Permissions, and reinstall the app if it was revoked."
        ) from None
    except NETWORK_ERRORS as exc:
        raise unreachable("Slack", client.base_url, exc, UNREACHABLE_HINT) from None
    data = dict(response.data) if isinstance(response.data, dict) else {}
    log.info("Signed in to Slack as %s in %s", data.get("user"), data.get("team"))
    return data


async def open_socket(client: AsyncWebClient, app_token: str) -> str:
    """apps.connections.open with SLACK_APP_TOKEN: the Socket Mode URL, or a ConfigError naming
    the variable (slack-sdk alone would retry a revoked token every 10 s, for ever)."""
    try:
        response = await client.apps_connections_open(app_token=app_token)
    except SlackApiError as e:
        error = e.response.get("error")
        raise ConfigError(
            f"Slack refused SLACK_APP_TOKEN ({error}): generate an app-level token (xapp-…) "
            "with the connections:write scope under Basic Information > App-Level Tokens, and "
            "check that Socket Mode is on (Settings > Socket Mode)."
        ) from None
    except NETWORK_ERRORS as exc:
        raise unreachable("Slack", client.base_url, exc, UNREACHABLE_HINT) from None
    return str(response["url"])


async def serve(
    settings: SlackSettings,
    engine: Core,
    *,
    port: int | None = None,
    host: str | None = None,
    deliveries: Deliveries | None = None,
) -> None:
    """Run the Slack bot until cancelled: Socket Mode with SLACK_APP_TOKEN, else HTTP mode on
    ``host:port`` (default SLACK_HOST:SLACK_PORT); with ``deliveries``, /digest and the
    posting of digests and alerts to Slack."""
    app = build_app(
        settings, engine, deliveries=deliveries
    )  # ConfigError for missing variables, before any network
    if _socket_mode(settings):
        await check_auth(app.client)
        (app_token,) = settings.require("slack_app_token")
        # The socket URL first: the handler opens an HTTP session as it is made, which a
        # refused token would leave unclosed ("Unclosed client session" after the message).
        wss_uri = await open_socket(app.client, app_token)
        handler: AsyncSocketModeHandler = ScreenedSocketModeHandler(app, app_token=app_token)
        handler.client.wss_uri = wss_uri
        await handler.connect_async()
        log.info("Connected to Slack in Socket Mode")
        try:
            await asyncio.Event().wait()
        finally:
            await handler.close_async()
        return
    (secret,) = settings.require("slack_signing_secret")
    runner = await listen(
        build_web_app(app, engine, signing_secret=secret),
        settings.slack_host if host is None else host,
        settings.slack_port if port is None else port,
    )  # a port in use fails before any network
    try:
        await check_auth(app.client)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
