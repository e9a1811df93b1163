"""The core's configuration, read from the environment and ``.env`` (see ``.env.example``).

Each layer keeps its own settings: the core's here, Slack's in ``handlers/slack/settings.py``,
Discord's in ``handlers/discord/settings.py``; the CLI reads them together as one model
(``handlers/settings.py``), so one ``.env`` holds them all. :class:`EnvSettings` is what they
share: where they are read from, and secrets asked for by the variable's name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import AliasChoices, Field, HttpUrl, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

#: The article collection shipped with the package, served when no corpus is configured.
BUNDLED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
#: The project briefbot runs from (the checkout holding corpus/ and .env.example).
PROJECT_DIR = BUNDLED_CORPUS.parent


def env_files() -> tuple[Path, ...]:
    """The ``.env`` files the command reads, a later one winning: the project's (or the file
    ``BRIEFBOT_ENV_FILE`` names), then the current folder's. So ``.venv/bin/briefbot`` run from
    any folder finds the project's configuration, and a ``.env`` where it runs still overrides
    it; variables set in the environment override both."""
    first = os.environ.get("BRIEFBOT_ENV_FILE") or PROJECT_DIR / ".env"
    return (Path(first), Path(".env"))


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class EnvSettings(BaseSettings):
    """Settings read from the environment and ``.env``; each field maps to the upper-case
    environment variable of its name."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    def require(self, *names: str) -> list[str]:
        """Return the secret values of ``names``, or raise naming every variable that is unset."""
        missing = [n for n in names if not _secret(getattr(self, n))]
        if missing:
            variables = ", ".join(n.upper() for n in missing)
            raise ConfigError(
                f"{variables} {'is' if len(missing) == 1 else 'are'} not set: set it in the "
                "environment or in .env (see .env.example for every variable)."
            )
        return [_secret(getattr(self, n)) for n in names]


class Settings(EnvSettings):
    """Every knob of the core (answers, corpus, feeds, models, saved state)."""

    # Core
    briefbot_corpus: Path = Field(default=BUNDLED_CORPUS)
    briefbot_answers: int = Field(default=3, ge=1, le=10)
    # Share of the question's rare words the best passages must cover for an answer. It was
    # named BRIEFBOT_MIN_SCORE, which still works.
    briefbot_min_coverage: float = Field(
        default=0.35,
        ge=0.0,
        validation_alias=AliasChoices("briefbot_min_coverage", "briefbot_min_score"),
    )
    briefbot_min_article_coverage: float = Field(default=0.55, ge=0.0, le=1.0)
    briefbot_max_question_chars: int = Field(default=1000, ge=10)
    briefbot_aliases_file: Path | None = None
    briefbot_brief_items: int = Field(default=5, ge=1, le=25)
    briefbot_log_level: LogLevel = "INFO"
    # Above this many passages answers may be slow: adapters acknowledge at once (every search
    # runs in a worker thread whatever the size).
    briefbot_offload_passages: int = Field(default=20000, ge=0)
    # Feeds (RSS/Atom) or article pages polled into the corpus folder by run/slack/discord/chat.
    # (comma- or newline-separated in the variable).
    briefbot_feeds: Annotated[list[HttpUrl], NoDecode] = Field(default_factory=list)
    briefbot_feed_interval: float = Field(default=900, ge=10)
    # run/slack/discord/chat reload the corpus when a file in its folder is added, changed or
    # deleted; false serves what was loaded at start-up until a restart.
    briefbot_watch: bool = True
    # Match questions by meaning as well as by words, with the bundled sentence model; false
    # answers from words alone (no model loaded).
    briefbot_semantic: bool = True
    # How sure (0-1) the bot must be that the best passage answers before quoting it; unset =
    # the reader's calibrated value (bot/semantic/data/reader.json). Higher = stricter.
    briefbot_min_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    # Where saved index parts (the lexical index, sentence vectors) live; unset = a .briefbot
    # folder beside the corpus (inside a corpus folder; the loader skips hidden folders).
    briefbot_index_dir: Path | None = None
    # Up to this many new sentences are embedded before the first answer (about 100 a second);
    # more are embedded in the background while answers use words alone, and saved as they go.
    briefbot_embed_sync_limit: int = Field(default=10000, ge=0)
    # Where subscriptions, deliveries and what the bot remembers live: unset = a SQLite file
    # (briefbot.db) beside the saved index; postgresql+asyncpg://… to share one between processes.
    briefbot_database_url: str | None = None
    # Seconds between two alert posts to one channel (new articles arriving meanwhile wait).
    briefbot_alert_interval: float = Field(default=600, ge=1)
    # Seconds after which a digest missed while the bot was down is skipped, not posted late.
    briefbot_digest_grace: float = Field(default=6 * 3600, ge=0)
    # Digests and alerts one channel (or DM) may have.
    briefbot_max_subscriptions: int = Field(default=20, ge=1, le=1000)

    @field_validator("briefbot_feeds", mode="before")
    @classmethod
    def _feeds(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        urls = _split_urls(value)
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return urls

    @field_validator("briefbot_log_level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @property
    def feed_urls(self) -> list[str]:
        """BRIEFBOT_FEEDS as strings, each once, in order."""
        return list(dict.fromkeys(str(u) for u in self.briefbot_feeds))

    def index_directory(self) -> Path:
        """Where saved index parts go: BRIEFBOT_INDEX_DIR, else ``.briefbot`` beside the corpus
        (inside a corpus folder; the loader skips hidden folders)."""
        if self.briefbot_index_dir is not None:
            return self.briefbot_index_dir
        corpus = self.briefbot_corpus
        return (corpus if corpus.is_dir() else corpus.parent) / ".briefbot"

    def database_url(self) -> str:
        """BRIEFBOT_DATABASE_URL, else ``briefbot.db`` in the saved index's folder."""
        if self.briefbot_database_url and self.briefbot_database_url.strip():
            return self.briefbot_database_url
        folder = self.index_directory().expanduser().resolve()
        return f"sqlite+aiosqlite:///{folder / 'briefbot.db'}"


def _secret(value: SecretStr | str | None) -> str:
    if value is None:
        return ""
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def _split_urls(value: str) -> list[str]:
    return list(dict.fromkeys(u.strip() for u in value.replace("\n", ",").split(",") if u.strip()))


_FORMS = {int: "a whole number", float: "a number", bool: "true or false", Path: "a path"}


def explain(exc: ValidationError, model: type[BaseSettings] = Settings) -> str:
    """One line per bad variable of ``model``: its name, the value given, what it must be, and
    where every variable is described; never a secret's value, never pydantic's internals."""
    lines = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else ""
        field = model.model_fields.get(name)
        given = "" if field is not None and _is_secret(field.annotation) else err.get("input")
        shown = f"={given!r}" if isinstance(given, str | int | float) else ""
        lines.append(f"{name.upper()}{shown}: {_rule(field, err['msg'])} (see .env.example)")
    return "\n".join(lines)


def _is_secret(annotation: object) -> bool:
    return "SecretStr" in repr(annotation)


def _rule(field: FieldInfo | None, message: str) -> str:
    """What a value must be, from the field's type and bounds ("a whole number from 1 to 10")."""
    if field is None:
        return message
    if get_origin(field.annotation) is Literal:
        *head, last = (str(a) for a in get_args(field.annotation))
        return f"must be one of {', '.join(head)} or {last}"
    kinds = [k for k in get_args(field.annotation) or (field.annotation,) if k is not type(None)]
    form = next((_FORMS[k] for k in kinds if k in _FORMS), None)
    if form is None:  # a validator's own message says it best ("... is not an http(s) URL")
        return message.removeprefix("Value error, ")
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    if low is not None and high is not None:
        return f"must be {form} from {low:g} to {high:g}"
    if low is not None:
        return f"must be {form} of at least {low:g}"
    if high is not None:
        return f"must be {form} of at most {high:g}"
    return f"must be {form}"
