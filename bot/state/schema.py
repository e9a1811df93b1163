"""The tables. Times are stored as UTC (:class:`UTC`), so SQLite and PostgreSQL read back the
same aware datetimes; uniqueness constraints are what make deliveries exactly-once across
processes (a second claim of the same row fails in the database, not in our code)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.models import Place

#: The newest migration (``migrations/versions``); a database at another revision that this
#: code does not know was made by a newer briefbot. A test holds it to Alembic's own head.
HEAD = "0002"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTC(TypeDecorator[dt.datetime]):
    """An aware datetime kept as naive UTC: SQLite has no time zones, PostgreSQL's
    ``timestamp`` then holds the same value."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def at_place(model: Any, place: Place) -> list[ColumnElement[bool]]:
    """The conditions for ``model``'s rows of one place (its platform, workspace, channel)."""
    return [
        model.platform == place.platform,
        model.workspace == place.workspace,
        model.channel == place.channel,
    ]


class Subscription(Base):
    """A digest (a schedule) or an alert (a topic) for one place: a channel, or a person's DM."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # slack, discord, console
    workspace: Mapped[str] = mapped_column(String(64), default="")  # Slack team, Discord guild
    channel: Mapped[str] = mapped_column(String(64))  # where posts go
    kind: Mapped[str] = mapped_column(String(8))  # digest, alert
    topic: Mapped[str | None] = mapped_column(Text, default=None)
    days: Mapped[str | None] = mapped_column(String(16), default=None)  # daily, weekdays, mon…
    at: Mapped[str | None] = mapped_column(String(5), default=None)  # HH:MM, local
    zone: Mapped[str | None] = mapped_column(String(64), default=None)  # IANA name
    quiet: Mapped[bool] = mapped_column(Boolean, default=False)  # silent when nothing is new
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTC)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text, default=None)  # why it was disabled

    __table_args__ = (Index("ix_subscriptions_place", "platform", "workspace", "channel"),)


class Delivery(Base):
    """One scheduled digest: claimed (inserted) before posting, marked sent after the platform
    confirms. ``(subscription_id, scheduled_for)`` is unique: two processes cannot both claim."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    scheduled_for: Mapped[dt.datetime] = mapped_column(UTC)
    status: Mapped[str] = mapped_column(String(8))  # claimed, sent, skipped, failed
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_at: Mapped[dt.datetime] = mapped_column(UTC)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTC, default=None)
    articles: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (UniqueConstraint("subscription_id", "scheduled_for"),)


class SentArticle(Base):
    """An article posted to a place (digest or alert): never posted there twice. ``digest`` (of
    the text) catches a syndicated copy under another id."""

    __tablename__ = "sent_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[dt.datetime] = mapped_column(UTC)

    __table_args__ = (
        UniqueConstraint("platform", "workspace", "channel", "article_id"),
        Index("ix_sent_articles_digest", "platform", "workspace", "channel", "digest"),
    )


class KnownArticle(Base):
    """When an article was first seen in the corpus by any process: what "new" means for
    digests and alerts. The articles present when the table was empty are the ``baseline``
    (no alert for them)."""

    __tablename__ = "known_articles"

    article_id: Mapped[str] = mapped_column(Text, primary_key=True)
    digest: Mapped[str] = mapped_column(String(40), index=True)
    first_seen: Mapped[dt.datetime] = mapped_column(UTC, index=True)
    baseline: Mapped[bool] = mapped_column(Boolean, default=False)


class PendingAlert(Base):
    """A new article waiting to be posted by an alert; one per place and article (unique)."""

    __tablename__ = "pending_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(Text)
    queued_at: Mapped[dt.datetime] = mapped_column(UTC)
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTC, default=None)

    __table_args__ = (UniqueConstraint("platform", "workspace", "channel", "article_id"),)


class AlertChannel(Base):
    """When a place last got an alert post: at most one per ``BRIEFBOT_ALERT_INTERVAL``,
    claimed with a compare-and-set on ``last_post_at``."""

    __tablename__ = "alert_channels"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_post_at: Mapped[dt.datetime] = mapped_column(UTC)


class Seen(Base):
    """A key handled once across restarts and processes: a Slack event id, a message answered,
    a thread the bot answered in (``kind`` tells which; old rows are pruned)."""

    __tablename__ = "seen"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTC, index=True)


class Feed(Base):
    """A feed added from the chat by an admin, polled beside ``BRIEFBOT_FEEDS``."""

    __tablename__ = "feeds"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    added_by: Mapped[str] = mapped_column(String(64), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UTC)


class Turn(Base):
    """The last answered question of a conversation (a thread, a DM, a person in a channel),
    so that "and when?" is read with it after a restart too; pruned when old."""

    __tablename__ = "turns"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTC, index=True)
