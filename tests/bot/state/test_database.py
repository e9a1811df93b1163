"""Opening the database: migrated on first use, the same code on SQLite and PostgreSQL, and
every failure at start one line that says which database and what to do."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from bot.state.database import MIGRATIONS, Database, DatabaseError, _upgrade, parse_url
from bot.state.schema import HEAD


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def test_head_is_alembics_own_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


async def test_a_new_sqlite_file_gets_the_schema_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "state" / "briefbot.db"  # the folder does not exist yet
    db = await Database.open(sqlite_url(path))
    async with db.engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        tables = await conn.run_sync(lambda c: set(c.dialect.get_table_names(c)))
    await db.close()
    assert version == HEAD
    assert {"subscriptions", "deliveries", "sent_articles", "seen", "feeds"} <= tables
    again = await Database.open(sqlite_url(path))  # current: opened, not migrated again
    await again.close()


async def test_a_schema_from_a_newer_briefbot_stops_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    await (await Database.open(sqlite_url(path))).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(DatabaseError) as info:
        await Database.open(sqlite_url(path))
    message = str(info.value)
    assert "newer briefbot" in message and "0099" in message and "BRIEFBOT_DATABASE_URL" in message
    assert "\n" not in message


async def test_a_locked_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    await (await Database.open(sqlite_url(path))).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, for ever
    try:
        with pytest.raises(DatabaseError) as info:
            await Database.open(sqlite_url(path), lock_timeout=0.2)
    finally:
        holder.close()
    assert "locked by another program" in str(info.value) and str(path) in str(info.value)


async def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(DatabaseError, match="not a briefbot database"):
        await Database.open(sqlite_url(path))


async def test_an_unreachable_postgresql_names_it_without_the_password() -> None:
    with pytest.raises(DatabaseError) as info:
        await Database.open("postgresql://briefbot:s3cret@127.0.0.1:9/briefbot")
    message = str(info.value)
    assert "cannot reach the database" in message and "127.0.0.1:9" in message
    assert "s3cret" not in message


def test_urls_are_read_with_their_async_drivers() -> None:
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+asyncpg"
    assert parse_url("sqlite:///x.db").drivername == "sqlite+aiosqlite"
    with pytest.raises(DatabaseError, match=r"SQLite .* or PostgreSQL"):
        parse_url("mysql://u@h/db")
    with pytest.raises(DatabaseError, match="not a database URL"):
        parse_url("briefbot.db")


async def test_postgresql_gets_the_same_schema_even_when_two_processes_start_at_once(
    postgres_url: str,
) -> None:
    first, second = await asyncio.gather(Database.open(postgres_url), Database.open(postgres_url))
    async with first.engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    await first.close()
    await second.close()
    assert version == HEAD


async def test_alembics_migrations_make_the_schema_the_models_declare(tmp_path: Path) -> None:
    """A new database is made from the models and stamped; one at an older revision is
    migrated by Alembic: both must be the same schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.state.database import migrate
    from bot.state.schema import Base

    engine = create_async_engine(sqlite_url(tmp_path / "migrated.db"))
    async with engine.begin() as conn:
        await conn.run_sync(migrate)
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
        )
    await engine.dispose()
    assert diff == []
    made = await Database.open(sqlite_url(tmp_path / "made.db"))
    async with made.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
        )
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    await made.close()
    assert diff == [] and version == HEAD


async def test_alembics_migrations_run_on_postgresql_too(postgres_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.state.database import migrate, parse_url
    from bot.state.schema import Base

    engine = create_async_engine(parse_url(postgres_url))
    async with engine.begin() as conn:
        await conn.run_sync(migrate)
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
        )
    await engine.dispose()
    assert diff == []
    db = await Database.open(postgres_url)  # at HEAD: opened as it is
    await db.close()


async def test_sqlite_gets_the_schema_when_another_process_is_making_it_at_that_moment(
    tmp_path: Path,
) -> None:
    # Another briefbot holds the write lock while it makes the schema of a new file: this one
    # waits for it (the busy timeout) and finds the schema made, instead of "locked".
    path = tmp_path / "shared.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA journal_mode=WAL")
    holding = threading.Event()

    def other_briefbot() -> None:
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as sync:
            sync.exec_driver_sql("BEGIN IMMEDIATE")
            holding.set()
            time.sleep(0.5)
            _upgrade(sync)
            sync.commit()
        engine.dispose()

    other = threading.Thread(target=other_briefbot)
    other.start()
    assert holding.wait(5)
    db = await Database.open(sqlite_url(path))
    async with db.engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    await db.close()
    other.join()
    assert version == HEAD
