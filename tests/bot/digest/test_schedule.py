"""Schedules in the subscriber's zone: local times hold through daylight-saving changes."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digest.schedule import Schedule, ScheduleError, parse_time, zone_choices, zone_name

UTC = dt.UTC


def test_a_paris_morning_digest_moves_in_utc_when_the_clocks_change() -> None:
    s = Schedule(days="daily", at=dt.time(8, 0), zone="Europe/Paris")
    saturday = s.next_after(dt.datetime(2026, 3, 28, 0, 0, tzinfo=UTC))
    sunday = s.next_after(saturday)
    assert saturday == dt.datetime(2026, 3, 28, 7, 0, tzinfo=UTC)  # CET, UTC+1
    assert sunday == dt.datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # CEST, UTC+2


def test_weekdays_skip_the_weekend_and_a_weekday_rule_fires_weekly() -> None:
    friday = dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    weekdays = Schedule(days="weekdays", at=dt.time(8, 30), zone="UTC")
    assert weekdays.next_after(friday) == dt.datetime(2026, 12, 7, 8, 30, tzinfo=UTC)  # Monday
    monday = Schedule(days="mon", at=dt.time(9, 0), zone="Asia/Tokyo")
    first = monday.next_after(friday)
    assert first.astimezone(dt.timezone(dt.timedelta(hours=9))).weekday() == 0
    assert monday.next_after(first) - first == dt.timedelta(days=7)


def test_the_latest_missed_delivery_is_the_one_found() -> None:
    s = Schedule(days="daily", at=dt.time(8, 0), zone="UTC")
    down = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    back = dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert s.last_between(down, back) == dt.datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert s.last_between(back, back + dt.timedelta(hours=1)) is None


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("08:00", (8, 0)), ("8", (8, 0)), ("7:30pm", (19, 30)), ("12am", (0, 0)), ("19h05", (19, 5))],
)
def test_times_as_people_type_them(typed: str, meant: tuple[int, int]) -> None:
    assert parse_time(typed) == dt.time(*meant)


@pytest.mark.parametrize("typed", ["25:00", "12:60", "13pm", "noonish", ""])
def test_a_time_that_is_not_one_says_what_would_be(typed: str) -> None:
    with pytest.raises(ScheduleError, match="not a time of day: use HH:MM"):
        parse_time(typed)


def test_zones_in_any_case_and_unknown_ones_with_a_suggestion() -> None:
    assert zone_name("europe/paris") == "Europe/Paris"
    assert zone_name("gmt") == "UTC"
    with pytest.raises(ScheduleError, match="'Mars/Olympus' is not a time zone I know: use"):
        zone_name("Mars/Olympus")
    with pytest.raises(ScheduleError, match="did you mean Europe/Paris"):
        zone_name("Europe/Pariss")
    choices = zone_choices("america/")
    assert 0 < len(choices) <= 25 and all(c.startswith("America/") for c in choices)
