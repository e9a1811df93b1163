"""Alembic's entry point: migrations run on the connection :mod:`bot.state.database` hands in
(``config.attributes["connection"]``), never from a URL of their own."""

from __future__ import annotations

from alembic import context

from bot.state.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
