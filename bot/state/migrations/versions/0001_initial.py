"""Subscriptions, deliveries, sent and known articles, alerts, seen keys, feeds

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-07 12:10:52.468759
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_channels",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("last_post_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace", "channel", name=op.f("pk_alert_channels")),
    )
    op.create_table(
        "feeds",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_feeds")),
    )
    op.create_table(
        "known_articles",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=40), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("baseline", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_known_articles")),
    )
    with op.batch_alter_table("known_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_known_articles_digest"), ["digest"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_known_articles_first_seen"), ["first_seen"], unique=False
        )

    op.create_table(
        "seen",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_seen")),
    )
    with op.batch_alter_table("seen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_at"), ["at"], unique=False)

    op.create_table(
        "sent_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_articles")),
        sa.UniqueConstraint(
            "platform", "workspace", "channel", "article_id", name=op.f("uq_sent_articles_platform")
        ),
    )
    with op.batch_alter_table("sent_articles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sent_articles_digest", ["platform", "workspace", "channel", "digest"], unique=False
        )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("topic", sa.Text(), nullable=True),
        sa.Column("days", sa.String(length=16), nullable=True),
        sa.Column("at", sa.String(length=5), nullable=True),
        sa.Column("zone", sa.String(length=64), nullable=True),
        sa.Column("quiet", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_subscriptions_place", ["platform", "workspace", "channel"], unique=False
        )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_deliveries_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "subscription_id", "scheduled_for", name=op.f("uq_deliveries_subscription_id")
        ),
    )
    op.create_table(
        "pending_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("posted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_pending_alerts_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_alerts")),
        sa.UniqueConstraint(
            "platform",
            "workspace",
            "channel",
            "article_id",
            name=op.f("uq_pending_alerts_platform"),
        ),
    )


def downgrade() -> None:
    op.drop_table("pending_alerts")
    op.drop_table("deliveries")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_place")

    op.drop_table("subscriptions")
    with op.batch_alter_table("sent_articles", schema=None) as batch_op:
        batch_op.drop_index("ix_sent_articles_digest")

    op.drop_table("sent_articles")
    with op.batch_alter_table("seen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_at"))

    op.drop_table("seen")
    with op.batch_alter_table("known_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_known_articles_first_seen"))
        batch_op.drop_index(batch_op.f("ix_known_articles_digest"))

    op.drop_table("known_articles")
    op.drop_table("feeds")
    op.drop_table("alert_channels")
