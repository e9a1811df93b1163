"""Opening the database: the URL read as the user meant it, the schema brought up to date with
Alembic, and every way it can fail said in one line (which database, what to do), never a
traceback.

Start-up cost matters (a bot restarts often): when the schema is current, only SQLAlchemy is
imported and one row read; Alembic is imported only to migrate.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.errors import ConfigError
from bot.state.schema import HEAD, Base

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
#: Every revision this code knows, oldest first: a database at one of them is upgraded.
KNOWN = ("0001", "0002")
HINT = "set BRIEFBOT_DATABASE_URL (see .env.example)"
# PostgreSQL: one lock id for "migrating briefbot's schema", so two processes starting together
# do not both create the tables.
_MIGRATION_LOCK = 0x62726566


class DatabaseError(ConfigError):
    """The database cannot be used: unreachable, locked, unreadable, or newer than this code."""


def parse_url(raw: str) -> URL:
    """``BRIEFBOT_DATABASE_URL`` with its async driver: ``postgresql://`` and ``sqlite:///``
    are read as ``postgresql+asyncpg`` and ``sqlite+aiosqlite``."""
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise DatabaseError(
            "BRIEFBOT_DATABASE_URL is not a database URL: use sqlite+aiosqlite:///path/to/file.db "
            "or postgresql+asyncpg://user:password@host/dbname (see .env.example)."
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+asyncpg")
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    raise DatabaseError(
        f"BRIEFBOT_DATABASE_URL names {backend!r}: briefbot keeps its state in SQLite "
        "(sqlite+aiosqlite:///file.db) or PostgreSQL (postgresql+asyncpg://…)."
    )


def shown(url: URL) -> str:
    """The URL for messages and logs: never its password."""
    return url.render_as_string(hide_password=True)


class Database:
    """An open, current database: an async engine and its sessions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.sqlite = engine.dialect.name == "sqlite"

    @classmethod
    async def open(cls, raw_url: str, *, lock_timeout: float = 5.0) -> Database:
        """Connect, migrate when the schema is older, check it can be written; a
        :class:`DatabaseError` with one line for every failure."""
        url = parse_url(raw_url)
        connect_args: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            if url.database and url.database != ":memory:":
                folder = Path(url.database).expanduser().parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise DatabaseError(
                        f"cannot create {folder} for the database ({exc.strerror}): {HINT}."
                    ) from None
            connect_args["timeout"] = lock_timeout
        else:
            connect_args["timeout"] = 10  # asyncpg: seconds to connect
        # A pooled PostgreSQL connection may have been dropped by the server: pinged first.
        remote = url.get_backend_name() != "sqlite"
        engine = create_async_engine(url, connect_args=connect_args, pool_pre_ping=remote)
        if engine.dialect.name == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        db = cls(engine)
        try:
            await db._prepare()
        except BaseException as exc:
            await engine.dispose()
            if isinstance(exc, DatabaseError | asyncio.CancelledError):
                raise
            if isinstance(exc, Exception):
                raise DatabaseError(_explain(url, exc)) from None
            raise
        return db

    async def _prepare(self) -> None:
        async with self.engine.connect() as conn:
            revision = await conn.run_sync(_revision)
        if revision != HEAD:
            if revision is not None and revision not in KNOWN:
                raise DatabaseError(
                    f"the database at {shown(self.engine.url)} has schema {revision}, from a newer "
                    f"briefbot (this one knows up to {HEAD}): upgrade briefbot, or {HINT} to use "
                    "another database."
                )
            async with self.engine.begin() as conn:
                if self.sqlite:
                    # The write lock before the first read: two processes starting on a new
                    # file would both read "no schema", and the second's write would fail at
                    # once (SQLite does not wait when its snapshot is out of date).
                    await conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    await conn.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
                await conn.run_sync(_upgrade)
            log.info(
                "Database schema %s → %s at %s", revision or "none", HEAD, shown(self.engine.url)
            )
        # A write at start: a file locked by another program, or one we may only read, fails
        # now with a clear line rather than at the first subscription.
        async with self.engine.begin() as conn:
            await conn.execute(text("DELETE FROM seen WHERE 1 = 0"))

    def session(self) -> AsyncSession:
        return self.sessions()

    def insert(self, table: Any) -> Any:
        """An INSERT that can skip or update rows already there (``on_conflict_do_nothing``,
        ``on_conflict_do_update``): the dialect's own, imported when first used (PostgreSQL's
        pulls in asyncpg)."""
        if self.sqlite:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            return sqlite_insert(table)
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)

    async def close(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    """WAL lets readers and one writer (another bot process) share the file; foreign keys are
    off in SQLite unless asked for."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _revision(conn: Connection) -> str | None:
    """The schema revision recorded in the database, or None for an empty one."""
    if not conn.dialect.has_table(conn, "alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row else None


def _upgrade(conn: Connection) -> None:
    revision = _revision(conn)
    if revision == HEAD:
        return  # another process migrated while we waited for the lock
    if revision is None and not conn.dialect.get_table_names(conn):
        # An empty database: the tables as the models declare them, stamped at HEAD (what
        # Alembic's migrations make, a test checks), without Alembic's import and its steps.
        Base.metadata.create_all(conn)
        version = Table(
            "alembic_version",
            MetaData(),
            Column("version_num", String(32), primary_key=True),
        )
        version.create(conn)
        conn.execute(version.insert().values(version_num=HEAD))
        return
    migrate(conn)


def migrate(conn: Connection) -> None:
    """Alembic's upgrade to HEAD on ``conn``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def _explain(url: URL, exc: Exception) -> str:
    """One line for a database that failed at start: which one, why, what to do."""
    where = shown(url)
    message = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else ""
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        low = message.lower()
        if "locked" in low or "busy" in low:
            return (
                f"the database file {path} is locked by another program: close it (a database "
                f"browser? a copy of briefbot on a network drive?) or {HINT}."
            )
        if "not a database" in low or "malformed" in low:
            return (
                f"{path} is not a briefbot database (SQLite says: {message}): move it away "
                f"or {HINT}."
            )
        if "readonly" in low or "unable to open" in low:
            return (
                f"cannot write the database file {path} ({message}): check its permissions "
                f"or {HINT}."
            )
        return f"cannot use the database file {path} ({message}): {HINT}."
    if isinstance(exc, NoSuchModuleError):
        return f"no driver for {where}: install briefbot's dependencies again (make run)."
    if isinstance(exc, OSError | TimeoutError):
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        return (
            f"cannot reach the database at {where} ({reason}): start PostgreSQL there, or {HINT}."
        )
    if isinstance(exc, DBAPIError | OperationalError) or type(exc).__module__.startswith("asyncpg"):
        return f"the database at {where} refused briefbot ({message}): {HINT}."
    return f"cannot use the database at {where} ({type(exc).__name__}: {message}): {HINT}."
