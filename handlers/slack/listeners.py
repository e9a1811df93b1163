"""Slack events in: which messages get an answer, once, and where it goes.

Mentions are answered in their thread, DMs directly, and follow-up questions in threads the bot
answered in without a new mention (the rest of a thread's talk is not for the bot); ``/ask`` and
``/brief`` reply through their response_url, ``/sources`` and ``/help`` to the asker alone. Bots,
edits and repeated deliveries are never answered.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot import AnswerReply, BriefingReply, Chat, Memory, Reply, TextReply, is_follow_up
from handlers.slack.blocks import message
from handlers.slack.delivery import post, respond
from handlers.slack.digests import digest_command, feeds_command, user_zone
from handlers.slack.parse import private_flag, question_text

if TYPE_CHECKING:
    from handlers.deliveries import Deliveries

log = logging.getLogger(__name__)

# Remembered keys: enough for Slack's retries (minutes) and for live threads (hours).
SEEN_EVENTS = 4096
ZONE_TTL_S = 3600.0  # a person's time zone, asked of users.info once an hour at most
ZONES_KEPT = 10_000
ANSWERED_THREADS = 5000

# Message subtypes that are a person writing; edits, deletions, joins and bots are not.
HUMAN_SUBTYPES = {None, "thread_broadcast", "file_share"}

NO_DIGESTS = "Digests and alerts are off in this copy of briefbot: it runs without its database."
SORRY = "Sorry, something went wrong while answering that. Please try again in a moment."


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


class SlackBot:
    """Translates Slack payloads into :class:`Chat` calls and posts the rendered replies.

    With ``deliveries`` (the database), events seen, messages answered and threads answered in
    are remembered there too: across restarts, and between processes that share it (each gets
    every event after a reconnect, or with several Socket Mode connections; one answers).
    """

    def __init__(self, chat: Chat, deliveries: Deliveries | None = None) -> None:
        self.chat = chat
        self.deliveries = deliveries
        self.memory: Memory | None = deliveries.memory if deliveries else None
        self.seen_events = Recent(SEEN_EVENTS)  # event_id: retried deliveries
        self.answered = Recent(SEEN_EVENTS)  # (channel, ts): one answer per message
        self.threads = Recent(ANSWERED_THREADS)  # (channel, thread_ts) the bot answered in
        self._zones: dict[str, tuple[str | None, float]] = {}  # user: (tz, when asked)

    async def _first(self, kind: str, key: str) -> bool:
        """True the first time ``key`` is claimed, by this process or any sharing the database
        (a database that fails is logged and this process's memory decides)."""
        if self.memory is None:
            return True
        try:
            return await self.memory.claim(kind, f"slack:{key}")
        except Exception:
            log.exception("The database failed to record a Slack %s; answering anyway", kind)
            return True

    async def zone_of(self, client: AsyncWebClient | None, user: object) -> str | None:
        """The person's Slack time zone (``users.info``, kept an hour), which "yesterday" and
        "today" are read in; None when Slack does not say."""
        if client is None or not isinstance(user, str) or not user:
            return None
        now = time.monotonic()
        known = self._zones.get(user)
        if known is not None and now - known[1] < ZONE_TTL_S:
            return known[0]
        zone = await user_zone(client, user)
        self._zones[user] = (zone, now)
        if len(self._zones) > ZONES_KEPT:
            self._zones.pop(next(iter(self._zones)))
        return zone

    async def _answered_in(self, channel: str, thread_ts: str) -> bool:
        if (channel, thread_ts) in self.threads:
            return True
        if self.memory is None:
            return False
        try:
            return await self.memory.has("thread", f"slack:{channel}:{thread_ts}")
        except Exception:
            log.exception("The database failed to say whether the bot answered in a thread")
            return False

    def register(self, app: AsyncApp) -> None:
        """Attach the middleware and listeners to ``app``."""
        app.middleware(self.drop_duplicate_deliveries)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command("/ask")(self.on_ask)
        app.command("/brief")(self.on_brief)
        app.command("/sources")(self.on_sources)
        app.command("/help")(self.on_help)
        app.command("/digest")(self.on_digest)  # the manifest has them: never a 404
        app.command("/feeds")(self.on_feeds)

    async def drop_duplicate_deliveries(
        self, body: dict[str, Any], request: AsyncBoltRequest, next_: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Ack an event delivered before (Slack retries on timeouts) without answering again.

        A retry whose first delivery never reached us is still answered: dropping every
        ``X-Slack-Retry-Num`` blindly would lose questions after a restart or an outage.
        """
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not (
            self.seen_events.add(event_id) and await self._first("event", str(event_id))
        ):
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
        if not await self._answered_in(str(event.get("channel")), thread_ts):
            return
        if context.bot_user_id and f"<@{context.bot_user_id}" in (event.get("text") or ""):
            return  # app_mention answers this one; answering here too would answer twice
        if not is_follow_up(question_text(event.get("text") or "")):
            return  # "thanks!", "lol": the people in the thread talking to each other
        await self.answer_message(event, context, client, thread_ts=thread_ts, found_only=True)

    async def answer_message(
        self,
        event: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        *,
        thread_ts: str | None,
        found_only: bool = False,
    ) -> None:
        """Answer one message once, in ``thread_ts`` when given; with ``found_only`` (a question
        nobody put to the bot by name) only when the corpus answers it."""
        channel = event.get("channel")
        if not channel or not self.answered.add((channel, event.get("ts"))):
            return
        if not await self._first("message", f"{channel}:{event.get('ts')}"):
            return  # another process sharing the database answers it
        if thread_ts and event.get("channel_type") != "im":
            self.threads.add((channel, thread_ts))
            await self._first("thread", f"{channel}:{thread_ts}")
        question = question_text(event.get("text") or "")
        # The thread (or the DM) is the conversation a follow-up is read with.
        conversation = f"slack:{event.get('team', '')}:{channel}:{thread_ts or ''}"
        zone = await self.zone_of(client, event.get("user"))
        reply = await self.reply(self.chat.handle(question, conversation, zone=zone))
        if found_only and not _found(reply):
            return  # "are you coming at 3?" was for someone else
        await post(client, channel=channel, thread_ts=thread_ts, content=message(reply))

    async def on_ask(
        self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """``/ask [-p] QUESTION``: in the channel, or only to the asker with ``-p``."""
        private, text = private_flag(command.get("text") or "")
        question = question_text(text)
        quiet = private or not question
        # Acknowledge within Slack's 3 seconds; in_channel here makes the command itself visible.
        await (ack() if quiet else ack({"response_type": "in_channel"}))
        # One conversation per person and channel: "/ask and when?" reads their last question.
        conversation = (
            f"slack:{command.get('team_id', '')}:{command.get('channel_id', '')}:"
            f"{command.get('user_id', '')}"
        )
        zone = await self.zone_of(context.client, command.get("user_id"))
        reply = await self.reply(self.chat.ask(question, conversation, zone=zone))
        private = quiet or not isinstance(reply, AnswerReply)
        await respond(command, message(reply), private=private)

    async def on_brief(
        self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """``/brief [-p] [TOPIC]``: the latest articles, or those on a topic."""
        private, topic = private_flag(command.get("text") or "")
        topic = question_text(topic)
        await (ack() if private else ack({"response_type": "in_channel"}))
        zone = await self.zone_of(context.client, command.get("user_id"))
        reply = await self.reply(self.chat.brief(topic, zone=zone))
        private = private or not isinstance(reply, BriefingReply)
        await respond(command, message(reply), private=private)

    async def on_digest(
        self, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """``/digest …``: subscribe this channel (or DM) to digests and alerts; list, stop.
        The reply goes to the asker alone."""
        await ack()
        if self.deliveries is None:
            reply = TextReply(kind="notice", text=NO_DIGESTS)
            await respond(command, message(reply), private=True)
            return
        try:
            reply = await digest_command(self.deliveries.digests, client, command)
        except Exception:
            log.exception("/digest failed")
            reply = TextReply(kind="error", text=SORRY)
        await respond(command, message(reply), private=True)

    async def on_feeds(
        self, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """``/feeds [list|add URL|remove URL]``: the feeds the bot follows (admins change
        them). The reply goes to the asker alone."""
        await ack()
        if self.deliveries is None:
            reply = TextReply(kind="notice", text=NO_DIGESTS)
        else:
            try:
                reply = await feeds_command(self.deliveries.feeds, client, command)
            except Exception:
                log.exception("/feeds failed")
                reply = TextReply(kind="error", text=SORRY)
        await respond(command, message(reply), private=True)

    async def on_sources(self, ack: AsyncAck) -> None:
        """``/sources``: what the bot knows, to the asker alone."""
        await ack(**message(TextReply(kind="notice", text=self.chat.sources_text())))

    async def on_help(self, ack: AsyncAck) -> None:
        """``/help``: what the bot does and its commands, to the asker alone."""
        await ack(**message(TextReply(kind="help", text=await self.chat.help_text())))

    async def reply(self, work: Awaitable[Reply]) -> Reply:
        """The core's reply, or an apology if the core fails (the failure is logged)."""
        try:
            return await work
        except Exception:
            log.exception("The core failed to answer a Slack message")
            return TextReply(kind="error", text=SORRY)


def _found(reply: Reply) -> bool:
    """A reply worth posting unasked: a quoted answer or a briefing with articles."""
    match reply:
        case AnswerReply(answer=answer):
            return answer.answered
        case BriefingReply(briefing=briefing):
            return bool(briefing.items)
        case _:
            return False


def _from_a_bot(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Bots (this one included) never get answers: that is how bot loops start."""
    return bool(
        event.get("bot_id")
        or event.get("subtype") == "bot_message"
        or event.get("bot_profile")
        or (bot_user_id and event.get("user") == bot_user_id)
    )
