"""A real, throw-away PostgreSQL server for tests: initdb into a temporary folder, listen on
127.0.0.1 only, on a free port, with durability off (fsync, synchronous commit and full-page
writes: a test server never needs to survive a crash), stopped and deleted afterwards.

No mocks: the code under test talks to the same server it meets in production. The binaries come
from the machine (``apt-get install postgresql-15``; ``.ci/run`` installs them on CI). initdb
refuses to run as root, so when the tests run as root (as in CI) the server's commands run as the
``postgres`` OS user (``runuser``), which then owns the temporary folder.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

NOT_INSTALLED = "PostgreSQL 15 is not installed: apt-get install postgresql-15 (.ci/run does)"

_SEARCHED = "/usr/lib/postgresql"
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")  # a database name that needs no quoting


def find_bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: from PATH first, then the newest of
    ``/usr/lib/postgresql/*/bin`` (Debian installs them there, off PATH); None if neither."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    versions = [p for p in Path(_SEARCHED).glob("*/bin") if p.parent.name.isdigit()]
    for bin_dir in sorted(versions, key=lambda p: int(p.parent.name), reverse=True):
        if (bin_dir / "initdb").is_file() and (bin_dir / "pg_ctl").is_file():
            return bin_dir
    return None


def _free_port() -> int:
    """A port the OS reports free on 127.0.0.1 (another process may take it before the server
    binds it: ``start`` retries on a fresh port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """One temporary PostgreSQL server; ``start()`` then ``stop()``, or ``with PostgresServer():``.

    Authentication is ``trust`` for the superuser ``postgres`` (only local processes can reach
    127.0.0.1). ``url(database)`` is the SQLAlchemy (asyncpg) URL of one of its databases;
    ``create_database`` makes a fresh, empty one, so each test can have its own.
    """

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = 0
        self.startup_s = 0.0  # how long initdb + start took (seconds)
        self._root: Path | None = None
        # initdb and the server refuse root: run them as the postgres OS user there.
        self._as_root = os.geteuid() == 0
        self._prefix = ["runuser", "-u", "postgres", "--"] if self._as_root else []

    @property
    def data_dir(self) -> Path:
        return self._folder() / "data"

    @property
    def log_file(self) -> Path:
        return self._folder() / "server.log"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server (asyncpg driver)."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> Self:
        """initdb into a new temporary folder and start the server (waits until it accepts
        connections). Raises RuntimeError, with the server's log, if it cannot start."""
        began = time.monotonic()
        root = Path(tempfile.mkdtemp(prefix="briefbot-pg-"))
        self._root = root
        try:
            sockets = root / "sock"  # the Unix socket, kept out of /var/run/postgresql
            sockets.mkdir()
            if self._as_root:
                owner = pwd.getpwnam("postgres")
                for path in (root, sockets):
                    os.chown(path, owner.pw_uid, owner.pw_gid)
            self._run(
                "initdb",
                "-D", str(self.data_dir),
                "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C",
            )  # fmt: skip
            for attempt in range(3):  # the free port may be taken meanwhile: try another
                self.port = _free_port()
                options = (
                    f"-c listen_addresses=127.0.0.1 -p {self.port} -k {sockets}"
                    " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                )
                started = self._run(
                    "pg_ctl", "start", "-w", "-t", "60",
                    "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options,
                    check=False,
                )  # fmt: skip
                if started.returncode == 0:
                    break
                if attempt == 2 or "could not bind" not in self._log():
                    raise RuntimeError(
                        f"PostgreSQL did not start ({started.stdout.strip()}):\n{self._log()}"
                    )
        except BaseException:
            self._remove()
            raise
        self.startup_s = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Stop the server at once (nothing in it is meant to last) and delete its folder."""
        if self._root is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data_dir))
        finally:
            self._remove()

    async def create_database(self, name: str) -> str:
        """Create the empty database ``name`` (lower-case letters, digits, underscores); returns
        its URL."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a plain database name: {name!r}")
        # CREATE DATABASE cannot run inside a transaction: autocommit.
        admin = create_async_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await admin.dispose()
        return self.url(name)

    def create_database_sync(self, name: str) -> str:
        """``create_database`` from synchronous code (a sync fixture or test): runs it on its own
        event loop in a thread, so it neither needs nor disturbs the caller's loop."""
        result: list[str] = []
        errors: list[BaseException] = []

        def work() -> None:
            try:
                result.append(asyncio.run(self.create_database(name)))
            except BaseException as error:  # re-raised in the caller's thread
                errors.append(error)

        worker = threading.Thread(target=work, name="create-database")
        worker.start()
        worker.join()
        if errors:
            raise errors[0]
        return result[0]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _folder(self) -> Path:
        if self._root is None:
            raise RuntimeError("the server is not started")
        return self._root

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run one of the server's binaries (as postgres when we are root), from its folder (the
        postgres user may not be allowed into the current one). Raises with its output if
        ``check`` and it fails."""
        done = subprocess.run(
            [*self._prefix, str(self.bin_dir / tool), *args],
            cwd=self._folder(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}")
        return done

    def _log(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"

    def _remove(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
