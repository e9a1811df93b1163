"""Getting a rendered reply to Slack: chat.postMessage and slash commands' response_url, with
retries, and failures logged (never with tokens) rather than raised into bolt."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from handlers import render

log = logging.getLogger(__name__)

# Errors that mean Slack disliked the blocks; the plain-text fallback still gets through.
_BLOCKS_REJECTED = {"invalid_blocks", "invalid_blocks_format", "msg_too_long"}
# Errors that mean the bot token no longer works (revoked, the app uninstalled, the workspace
# or the bot user deactivated): every answer will fail until a person acts.
_TOKEN_DEAD = {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"}
_TOKEN_HINT = (
    "SLACK_BOT_TOKEN no longer works ({error}): the app was probably uninstalled or its token "
    "revoked. Reinstall the app (OAuth & Permissions > Install to Workspace), put the new Bot "
    "User OAuth Token in SLACK_BOT_TOKEN (.env, see .env.example) and restart briefbot. It "
    "keeps running and tries again with each message meanwhile; this is said once."
)
_told = {"token": False}


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retry rate limits (429 + Retry-After), dropped connections and Slack's 500/503s."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]


async def post(
    client: AsyncWebClient, *, channel: str, thread_ts: str | None, content: dict[str, Any]
) -> None:
    """chat.postMessage with retries; a rejected Block Kit payload falls back to plain text
    once, and a refused fallback is logged, not retried."""
    kwargs: dict[str, Any] = {"channel": channel, "unfurl_links": False, "unfurl_media": False}
    if thread_ts:
        kwargs["thread_ts"] = thread_ts
    error = await _post_once(client, kwargs, content)
    if error in _BLOCKS_REJECTED:
        fallback = await _post_once(client, kwargs, {"text": content["text"]})
        if fallback is not None:
            log.error("chat.postMessage to %s: the plain-text fallback failed too", channel)


async def _post_once(
    client: AsyncWebClient, kwargs: dict[str, Any], content: dict[str, Any]
) -> str | None:
    """One chat.postMessage (slack-sdk retries rate limits and 5xx); the error, if any."""
    channel = kwargs["channel"]
    try:
        await client.chat_postMessage(**kwargs, **content)
        _told["token"] = False
    except SlackApiError as e:
        error = str(e.response.get("error"))
        if error in _TOKEN_DEAD:
            if not _told["token"]:
                _told["token"] = True
                log.error(_TOKEN_HINT.format(error=error))
            else:
                log.warning("chat.postMessage to %s failed: %s (see above)", channel, error)
            return error
        _told["token"] = False  # the token works again: a later revocation is said again
        log.error("chat.postMessage to %s failed: %s", channel, error)
        return error
    except (aiohttp.ClientError, TimeoutError) as e:
        log.error("chat.postMessage to %s failed: %s", channel, type(e).__name__)
        return type(e).__name__
    return None


async def respond(command: dict[str, Any], content: dict[str, Any], *, private: bool) -> None:
    """Send a slash command's answer to its response_url (valid 30 minutes, 5 uses)."""
    url = command.get("response_url")
    if not url:
        log.error("Slash command %s came without a response_url", command.get("command"))
        return
    # Bolt's respond() has no retries; this is the same POST with slack-sdk's retry handlers.
    webhook = AsyncWebhookClient(url=url, retry_handlers=retry_handlers())
    body = {
        **content,
        "response_type": "ephemeral" if private else "in_channel",
        "unfurl_links": False,
        "unfurl_media": False,
    }
    try:
        response = await webhook.send_dict(body)
    except (aiohttp.ClientError, TimeoutError) as e:
        log.error("Answer to %s was not delivered: %s", command.get("command"), type(e).__name__)
        return
    if response.status_code != 200:
        log.error(
            "Answer to %s was refused: HTTP %s %s",
            command.get("command"),
            response.status_code,
            render.clip(response.body or "", 200),
        )
