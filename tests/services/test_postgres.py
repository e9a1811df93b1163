"""The PostgreSQL fixture itself: a real server, version 15, reachable through SQLAlchemy's
asyncpg engine on 127.0.0.1 only, and one fresh database per test."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.services.postgres import PostgresServer

PUBLIC_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


async def tables(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(PUBLIC_TABLES))).scalars())


async def test_server_is_postgresql_15_on_loopback(postgres_url: str) -> None:
    engine = create_async_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            version = (await conn.execute(text("SELECT version()"))).scalar_one()
            listen = (await conn.execute(text("SHOW listen_addresses"))).scalar_one()
            fsync = (await conn.execute(text("SHOW fsync"))).scalar_one()
    finally:
        await engine.dispose()
    assert version.startswith("PostgreSQL 15."), version
    assert listen == "127.0.0.1"
    assert fsync == "off"


async def test_a_row_written_through_one_engine_is_read_through_another(
    postgres_url: str,
) -> None:
    writer = create_async_engine(postgres_url)
    reader = create_async_engine(postgres_url)
    try:
        async with writer.begin() as conn:
            await conn.execute(text("CREATE TABLE notes (id integer PRIMARY KEY, body text)"))
            await conn.execute(text("INSERT INTO notes VALUES (1, 'hello, postgres')"))
        async with reader.connect() as conn:
            rows = (await conn.execute(text("SELECT id, body FROM notes"))).all()
            writer_pid = await _backend_pid(writer)
            reader_pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    finally:
        await writer.dispose()
        await reader.dispose()
    assert [tuple(row) for row in rows] == [(1, "hello, postgres")]
    assert writer_pid != reader_pid  # two connections, two server processes


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        pid: int = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        return pid


async def test_databases_are_separate(postgres_server: PostgresServer, postgres_url: str) -> None:
    own = create_async_engine(postgres_url)
    other = create_async_engine(await postgres_server.create_database(f"other_{uuid.uuid4().hex}"))
    try:
        assert await tables(own) == []  # fresh: nothing left by earlier tests
        async with own.begin() as conn:
            await conn.execute(text("CREATE TABLE only_here (id integer)"))
        assert await tables(own) == ["only_here"]
        assert await tables(other) == []
    finally:
        await own.dispose()
        await other.dispose()


@pytest.mark.parametrize("run", [1, 2])
async def test_each_test_gets_an_empty_database(postgres_url: str, run: int) -> None:
    """Both runs create the same table: with a shared database the second would fail."""
    engine = create_async_engine(postgres_url)
    try:
        assert await tables(engine) == []
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE probe (run integer)"))
            await conn.execute(text("INSERT INTO probe VALUES (:run)"), {"run": run})
    finally:
        await engine.dispose()


def test_sync_tests_get_one(postgres_server: PostgresServer, postgres_url: str) -> None:
    server = f"postgresql+asyncpg://postgres@127.0.0.1:{postgres_server.port}/"
    assert postgres_url.startswith(server)
    assert postgres_url.rsplit("/", 1)[1].startswith("test_")
