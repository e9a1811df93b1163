"""Settings: the answer threshold is read under its name and under the name it had before."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.settings import Settings
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
