"""Settings: the answer threshold is read under its name and under the name it had before; each
layer reads its own variables; feeds and the log level are checked as they are read."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.engine import Engine
from bot.errors import ConfigError
from bot.settings import Settings, explain
from handlers.settings import AppSettings, DiscordSettings, SlackSettings
from tests.conftest import make_settings

QUESTION = "when is Takaichi visiting the US?"


@pytest.mark.parametrize("name", ["BRIEFBOT_MIN_COVERAGE", "BRIEFBOT_MIN_SCORE"])
def test_min_coverage_is_read_under_its_name_and_its_old_name(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "0.5")
    assert Settings(_env_file=None).briefbot_min_coverage == 0.5


def test_old_name_works_in_an_env_file_and_the_new_name_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = tmp_path / ".env"
    env.write_text("BRIEFBOT_MIN_SCORE=0.6\n")
    assert Settings(_env_file=env).briefbot_min_coverage == 0.6
    monkeypatch.setenv("BRIEFBOT_MIN_COVERAGE", "0.2")
    assert Settings(_env_file=env).briefbot_min_coverage == 0.2


def test_old_name_still_makes_the_bot_stricter(monkeypatch: pytest.MonkeyPatch) -> None:
    # Coverage decides when answers come from words alone (with meaning, the calibrated
    # confidence does: see the next test).
    words_only = {"briefbot_semantic": False}
    assert Engine.load(make_settings(**words_only)).ask_sync(QUESTION).answered
    # No passage covers more than all of the question: nothing is answered.
    monkeypatch.setenv("BRIEFBOT_MIN_SCORE", "1.5")
    assert not Engine.load(make_settings(**words_only)).ask_sync(QUESTION).answered


def test_min_confidence_makes_the_bot_stricter() -> None:
    assert Engine.load(make_settings(briefbot_semantic=True)).ask_sync(QUESTION).answered
    strict = make_settings(briefbot_semantic=True, briefbot_min_confidence=1.0)
    assert not Engine.load(strict).ask_sync(QUESTION).answered


def test_each_layer_reads_its_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("DISCORD_GUILD_ID", "42")
    monkeypatch.setenv("BRIEFBOT_ANSWERS", "2")
    assert "slack_bot_token" not in Settings.model_fields  # the core knows no chat platform
    assert "discord_token" not in Settings.model_fields
    slack = SlackSettings(_env_file=None)
    assert slack.require("slack_bot_token") == ["xoxb-from-env"]
    assert DiscordSettings(_env_file=None).discord_guild_id == 42
    every = AppSettings(_env_file=None)  # what the CLI reads: one .env for all of them
    assert (every.briefbot_answers, every.discord_guild_id) == (2, 42)
    assert every.require("slack_bot_token") == ["xoxb-from-env"]


def test_a_missing_token_names_its_variable() -> None:
    with pytest.raises(ConfigError, match=r"DISCORD_TOKEN is not set.*\.env\.example"):
        DiscordSettings(_env_file=None).require("discord_token")


def test_feeds_are_urls_read_from_a_comma_or_newline_list() -> None:
    settings = make_settings(
        briefbot_feeds="https://a.test/rss,\n https://b.test, https://a.test/rss"
    )
    assert settings.feed_urls == ["https://a.test/rss", "https://b.test/"]
    with pytest.raises(ValidationError) as caught:
        make_settings(briefbot_feeds="https://")
    assert explain(caught.value).startswith("BRIEFBOT_FEEDS")


def test_the_log_level_is_one_of_logging_s_and_any_case() -> None:
    assert make_settings(briefbot_log_level="debug").briefbot_log_level == "DEBUG"
    with pytest.raises(ValidationError) as caught:
        make_settings(briefbot_log_level="loud")
    assert explain(caught.value) == (
        "BRIEFBOT_LOG_LEVEL='LOUD': must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL "
        "(see .env.example)"
    )
