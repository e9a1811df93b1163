"""Shared fixtures: settings isolated from the developer's .env, engines over small corpora.

The Slack and Discord emulators are fixtures too, in ``tests/emulators/`` (see their docstrings).
"""

from __future__ import annotations

import os
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.settings import BUNDLED_CORPUS, Settings
from handlers.settings import AppSettings
from tests.services.postgres import NOT_INSTALLED, PostgresServer, find_bin_dir

pytest_plugins = [
    "tests.emulators.slack",
    "tests.emulators.discord",
    "tests.emulators.news",
    "tests.handlers.slack_setup",
]


def make_settings(**overrides: object) -> AppSettings:
    """Settings (the core's, Slack's and Discord's) that ignore the developer's .env and
    environment tokens.

    Answers come from words alone unless a test asks for meaning (``briefbot_semantic=True``):
    tests of adapters, rendering and corpus handling must not hang on which of two good passages
    the sentence model ranks first; tests/bot/answer/test_meaning.py, the seed set and the CLI's
    semantic tests drive the model itself."""
    base: dict[str, object] = {
        "briefbot_semantic": False,
        "briefbot_corpus": BUNDLED_CORPUS,
        "slack_bot_token": None,
        "slack_app_token": None,
        "slack_signing_secret": None,
        "discord_token": None,
    }
    base.update(overrides)
    return AppSettings(_env_file=None, **base)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_project_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads the project's .env besides the current folder's: never in tests (a
    developer's tokens there would start real bots). Child processes get the same through
    ``child_env``."""
    monkeypatch.setenv("BRIEFBOT_ENV_FILE", os.devnull)


@pytest.fixture(autouse=True)
def _words_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read from the environment answer from words alone too (see make_settings)."""
    monkeypatch.setenv("BRIEFBOT_SEMANTIC", "false")


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine over the bundled corpus (read-only, shared by the whole session)."""
    return Engine.load(make_settings())


@pytest.fixture
def write_article(tmp_path: Path) -> Callable[..., Path]:
    """Write a Markdown article into a temporary corpus folder; returns the folder."""

    def write(name: str, title: str, date: str, body: str, **meta: str) -> Path:
        extra = "".join(f"{k}: {v}\n" for k, v in meta.items())
        text = f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{textwrap.dedent(body).strip()}\n"
        (tmp_path / name).write_text(text, encoding="utf-8")
        return tmp_path

    return write


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on 127.0.0.1 (tests/services/postgres.py), started once per
    session, so once per xdist worker: starting one takes about a second, too slow per test.
    Stopped and deleted at the session's end. Skips the tests if PostgreSQL is not installed."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(NOT_INSTALLED)
    with PostgresServer(bin_dir) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The SQLAlchemy URL (``postgresql+asyncpg://...``) of a new, empty database of its own
    for this test: tests share the server, never each other's tables or rows."""
    return postgres_server.create_database_sync(f"test_{uuid.uuid4().hex}")
