"""Digests and alerts on Slack: ``/digest`` (in the subscriber's own time zone, from
``users.info``), and the poster that delivers them with chat.postMessage.

A channel subscription needs the bot in the channel (Slack refuses its posts otherwise): that is
checked when subscribing, with ``conversations.info``, and said with what to do. A channel that
later refuses posts for good (deleted, archived, the bot removed) turns its subscriptions off.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import (
    AlertRequest,
    Digest,
    DigestRequest,
    Digests,
    Feeds,
    Place,
    Posted,
    ScheduleError,
    TextReply,
    parse_request,
)
from handlers.slack.blocks import digest_messages
from handlers.slack.parse import question_text

log = logging.getLogger(__name__)

#: chat.postMessage errors that mean this place will never take a post again as things stand.
GONE = {"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"}
NOT_IN_CHANNEL = (
    "I cannot post in this channel: I am not in it (add me with /invite @briefbot, or the "
    "channel's Integrations tab, then subscribe again), or it is archived."
)


class SlackPoster:
    """Posts digests with the bot token; slack-sdk waits out 429s (Retry-After)."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, place: Place, digest: Digest) -> Posted:
        for content in digest_messages(digest):
            try:
                await self.client.chat_postMessage(
                    channel=place.channel, unfurl_links=False, unfurl_media=False, **content
                )
            except SlackApiError as e:
                error = _error(e)
                if error in GONE:
                    return "gone"
                log.error("Digest to Slack %s failed: %s", place.channel, error)
                return "failed"
            except (aiohttp.ClientError, TimeoutError) as e:
                log.error("Digest to Slack %s failed: %s", place.channel, type(e).__name__)
                return "failed"
        return "sent"


def _error(e: SlackApiError) -> str:
    """Slack's error code; a response that is not JSON (a proxy's page) has none."""
    data = e.response.data
    return str(data.get("error")) if isinstance(data, dict) else f"HTTP {e.response.status_code}"


async def user_profile(client: AsyncWebClient, user: str, meaning: str) -> dict[str, Any]:
    """The person's ``users.info`` profile, or {} when Slack does not give it (logged, with
    what that ``meaning``s: "digests default to UTC")."""
    try:
        response = await client.users_info(user=user)
    except SlackApiError as e:
        log.warning("users.info for %s failed (%s): %s", user, _error(e), meaning)
        return {}
    except (aiohttp.ClientError, TimeoutError) as e:
        log.warning("users.info for %s failed (%s): %s", user, type(e).__name__, meaning)
        return {}
    data: Any = response.get("user")
    return data if isinstance(data, dict) else {}


async def user_zone(client: AsyncWebClient, user: str) -> str | None:
    """The person's time zone as Slack knows it (``tz``), or None (then UTC, said so)."""
    tz = (await user_profile(client, user, "digests default to UTC")).get("tz")
    return tz if isinstance(tz, str) and tz else None


async def can_post(client: AsyncWebClient, channel: str) -> bool:
    """Whether the bot is in ``channel`` and may post there (a DM with it always is)."""
    if channel.startswith("D"):
        return True
    try:
        response = await client.conversations_info(channel=channel)
    except SlackApiError as e:
        if _error(e) in ("channel_not_found", "not_in_channel"):
            return False  # a private channel it was never invited to
        log.warning("conversations.info for %s failed: %s", channel, _error(e))
        return True  # cannot tell: the first post will say
    except (aiohttp.ClientError, TimeoutError):
        return True
    info: Any = response.get("channel") or {}
    if not isinstance(info, dict):
        return True
    return bool(info.get("is_member", True)) and not info.get("is_archived")


async def digest_command(
    digests: Digests, client: AsyncWebClient, command: dict[str, Any]
) -> TextReply:
    """``/digest …`` from a slash command payload, for the place it was typed in."""
    place = Place(
        platform="slack",
        workspace=str(command.get("team_id") or ""),
        channel=str(command.get("channel_id") or ""),
    )
    user = str(command.get("user_id") or "")
    try:
        # Slack's markup read as typed: a mention or a channel link is no topic (never echoed).
        request = parse_request(question_text(str(command.get("text") or "")))
    except ScheduleError as exc:
        return TextReply(kind="notice", text=f"Sorry, {exc}")
    zone = None
    if isinstance(request, DigestRequest | AlertRequest):
        if not await can_post(client, place.channel):
            return TextReply(kind="notice", text=NOT_IN_CHANNEL)
        if isinstance(request, DigestRequest) and request.zone is None:
            zone = await user_zone(client, user)
    return await digests.run(request, place, by=user, zone=zone)


FEED_ADMINS = "workspace admins and owners"
_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")


async def is_admin(client: AsyncWebClient, user: str) -> bool:
    """Whether ``user`` is a workspace admin or owner (``users.info``); False when unknown."""
    profile = await user_profile(client, user, "not treated as an admin")
    return bool(profile.get("is_admin") or profile.get("is_owner"))


async def feeds_command(feeds: Feeds, client: AsyncWebClient, command: dict[str, Any]) -> TextReply:
    """``/feeds …``: anyone may list; admins and owners may add and remove."""
    # A link Slack formatted (<https://x/feed.xml|x/feed.xml>) is its address, not its label.
    text = _LINK.sub(r"\1", str(command.get("text") or ""))
    user = str(command.get("user_id") or "")
    changing = text.split()[:1] != [] and text.split()[0].lower() not in ("list", "ls", "show")
    admin = await is_admin(client, user) if changing else False
    return await feeds.command(text, by=user, admin=admin, who=FEED_ADMINS)
